"""The package's layout, as the README's Layout section and issue 10 state it.

- helpers.__all__ is exactly what the notebooks import from helpers, and no notebook imports helpers.tools;
- the lesson modules stay short enough to read next to their notebook, and grad holds 04's formula;
- README.md names every module, as `folder/module.py` (or `module.py` for the core) in backticks, and every
  subpackage as `helpers/folder/`;
- every definition in helpers is used outside its own definition, by helpers, a notebook, the Makefile or a
  [project.scripts] entry point: code only the tests call is dead.
"""

from __future__ import annotations

import ast
import json
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELPERS = ROOT / "helpers"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = ("data", "model", "losses", "gradients", "training", "solve")
LESSON_LINES = 450  # the six lesson modules together, docstrings included
GRAD_BODY_LINES = 15  # helpers.gradients.grad, its docstring aside


def _python(source: str) -> str:
    """a code cell as Python: IPython's magics and shell escapes (%..., !...) become blank lines."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _cells() -> list[tuple[str, int, ast.Module]]:
    """(notebook name, code cell number, its syntax tree) for every code cell of every notebook."""
    cells = []
    for nb in NOTEBOOKS:
        code = [c for c in json.loads(nb.read_text(encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
        for i, cell in enumerate(code):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            cells.append((nb.name, i, ast.parse(_python(source), f"{nb.name}, code cell {i}")))
    return cells


def _imports(tree: ast.AST) -> list[tuple[str, str | None]]:
    """(module, name) for each import: ("helpers", "train") for `from helpers import train`, (module, None) else."""
    found: list[tuple[str, str | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names]
    return found


def test_all_is_exactly_what_the_notebooks_import_from_helpers():
    import helpers

    used = {name for _, _, tree in _cells() for module, name in _imports(tree) if module == "helpers" and name}
    exported = set(helpers.__all__)
    assert len(helpers.__all__) == len(exported), "a name is listed twice in __all__"
    assert exported - used == set(), "exported, but no notebook imports it"
    assert used - exported == set(), "imported by a notebook, but not in __all__"


def test_no_notebook_imports_the_tooling():
    def tooling(module: str, name: str | None) -> bool:
        return (
            module == "helpers.tools" or module.startswith("helpers.tools.") or (module, name) == ("helpers", "tools")
        )

    found = [(nb, i, m) for nb, i, tree in _cells() for m, name in _imports(tree) if tooling(m, name)]
    assert found == [], "notebooks import helpers.tools (notebook, code cell, module)"


def test_the_lesson_modules_are_short_enough_to_read_beside_their_notebook():
    lines = {m: len((HELPERS / f"{m}.py").read_text(encoding="utf-8").splitlines()) for m in LESSONS}
    assert sum(lines.values()) <= LESSON_LINES, f"{sum(lines.values())} lines > {LESSON_LINES}: {lines}"


def test_grad_is_the_formula_in_a_few_lines():
    tree = ast.parse((HELPERS / "gradients.py").read_text(encoding="utf-8"))
    (grad,) = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "grad"]
    body = grad.body
    if (
        isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]  # the docstring
    assert body, "grad has no body"
    assert grad.end_lineno is not None
    lines = grad.end_lineno - body[0].lineno + 1
    assert lines <= GRAD_BODY_LINES, f"grad's body is {lines} lines"


def _modules() -> list[Path]:
    return sorted(p for p in HELPERS.rglob("*.py") if "__pycache__" not in p.parts)


def test_the_readme_names_every_module_and_folder():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([\w/]+\.py)`", readme))
    missing = []
    for path in _modules():
        rel = path.relative_to(HELPERS).as_posix()
        if path.name == "__init__.py" and path.parent != HELPERS:
            if f"`helpers/{path.parent.relative_to(HELPERS).as_posix()}/`" not in readme:
                missing.append(f"helpers/{path.parent.relative_to(HELPERS).as_posix()}/")
        elif rel not in named:
            missing.append(rel)
    assert missing == [], "README.md does not name (as `folder/module.py` or `helpers/folder/`):\n" + "\n".join(missing)


# --- dead code -------------------------------------------------------------------------------------------------


def _definitions(path: Path) -> list[tuple[str, int, int]]:
    """(name, first line, last line) of each top-level function, class and constant of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.append((node.name, first, node.end_lineno or first))
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        found.append((name.id, first, node.end_lineno or first))
    return [d for d in found if not (d[0].startswith("__") and d[0].endswith("__"))]  # __all__, __getattr__, ...


def _names(source: str) -> list[tuple[str, int]]:
    """(identifier, line) for each name a module uses: a name, an attribute, an imported name (f-strings included),
    and a string that is exactly an identifier (a name looked up by string: getattr, a table of names)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            found.append((node.id, node.lineno))
        elif isinstance(node, ast.Attribute):
            found.append((node.attr, node.lineno))
        elif isinstance(node, ast.alias):
            found.append((node.name.rsplit(".", 1)[-1], node.lineno))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            found.append((node.value, node.lineno))
    return found


def _unused() -> list[str]:
    uses: dict[str, list[tuple[Path | None, int]]] = {}
    for path in _modules():
        for name, line in _names(path.read_text(encoding="utf-8")):
            uses.setdefault(name, []).append((path, line))
    for _, _, tree in _cells():
        for name, _ in _names(ast.unparse(tree)):
            uses.setdefault(name, []).append((None, 0))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    entries = [*project.get("scripts", {}).values()]  # commands, and plugins found by their entry points
    entries += [target for group in project.get("entry-points", {}).values() for target in group.values()]
    outside = (ROOT / "Makefile").read_text(encoding="utf-8") + "\n" + "\n".join(entries)
    for word in re.findall(r"\w+", outside):
        uses.setdefault(word, []).append((None, 0))
    dead = []
    for path in _modules():
        for name, first, last in _definitions(path):
            if not any(p != path or not first <= line <= last for p, line in uses.get(name, [])):
                dead.append(f"{path.relative_to(ROOT).as_posix()}:{first}: {name}")
    return dead


def test_every_definition_is_used_outside_the_tests():
    dead = _unused()
    assert dead == [], "defined in helpers, but used only by the tests (or nowhere):\n" + "\n".join(dead)
