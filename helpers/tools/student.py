"""Student copies of the series: every `solution` cell becomes a stub that raises NotImplementedError (`make student`).

    python -m helpers.tools.student [--out build/student]

A stub keeps the exercise's checker calls (from helpers.exercises) after the raise line, and says which
answer_* names to define, with the author's `# Hint:` lines if the solution has any. Outputs are cleared,
so no printed answer survives. notebooks/ is only read.
"""

from __future__ import annotations

import argparse
import ast
import copy
import sys
from pathlib import Path

import nbformat

from helpers.tools.execute import BUILD, NOTEBOOKS, in_series

SOLUTION = "solution"  # the tag on a worked solution (hidden in JupyterLab)
STUB = "stub"  # the tag on its replacement in a student copy
CHECKERS_MODULE = "helpers.exercises"


def python_source(source: str) -> str:
    """a cell's source as plain Python (IPython's %magics and !commands turned into calls), for ast."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _checker_names(source: str) -> set[str]:
    """names that source imports from helpers.exercises."""
    names = set()
    for node in ast.walk(ast.parse(python_source(source))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(CHECKERS_MODULE):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def _is_checker(stmt: ast.stmt, checkers: set[str]) -> bool:
    """a statement that only imports or calls a checker: it stays in the student copy."""
    if isinstance(stmt, ast.ImportFrom):
        return (stmt.module or "").startswith(CHECKERS_MODULE)
    if not isinstance(stmt, ast.Expr):
        return False
    calls = [n.func for n in ast.walk(stmt) if isinstance(n, ast.Call)]
    return any((isinstance(f, ast.Name) and f.id in checkers) or ast.unparse(f).startswith("exercises.") for f in calls)


def answer_names(source: str) -> list[str]:
    """the answer_* names a solution assigns, in order: what the learner must define."""
    names: list[str] = []
    for node in ast.walk(ast.parse(python_source(source))):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.startswith("answer_"):
            names += [] if node.id in names else [node.id]
    return names


def stub_source(solution: str, checkers: set[str]) -> str:
    """the student's version of one solution cell: a hint, a raise, then the solution's checker calls."""
    code, checkers = python_source(solution), checkers | _checker_names(solution)
    kept = [ast.get_source_segment(code, s) or ast.unparse(s) for s in ast.parse(code).body if _is_checker(s, checkers)]
    hints = [line.strip() for line in solution.splitlines() if line.strip().lower().startswith("# hint")]
    names = answer_names(solution)
    listed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    task = f"compute {listed}" if names else "write your answer (code, or a print of your reasoning)"
    hint = " ".join(h.split(":", 1)[-1].strip() for h in hints)
    message = f"Your turn: {task}, then delete this line." + (f" Hint: {hint}" if hint else "")
    lines = [f"# Your solution: {task}.", *hints, f"raise NotImplementedError({message!r})", *kept]
    return "\n".join(lines)


def student_copy(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """nb with each solution cell stubbed, outputs and widget state cleared (nb itself is unchanged)."""
    out = copy.deepcopy(nb)
    checkers = set().union(*(_checker_names(c.source) for c in out.cells if c.cell_type == "code"))
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
        tags = cell.metadata.get("tags", [])
        if SOLUTION in tags:
            code = cell.cell_type == "code"
            cell.source = stub_source(cell.source, checkers) if code else "*Your answer:* ..."
            cell.metadata["tags"] = [STUB if t == SOLUTION else t for t in tags]
            for hidden in ("source_hidden", "outputs_hidden"):  # the learner writes here and sees what it prints
                cell.metadata.get("jupyter", {}).pop(hidden, None)
            if cell.metadata.get("jupyter") == {}:
                del cell.metadata["jupyter"]
    out.metadata.pop("widgets", None)
    nbformat.validate(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=BUILD / "student", help="output folder (default: build/student)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if in_series(out):
        parser.error(f"--out must be outside {NOTEBOOKS}")
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = student_copy(nbformat.read(path, as_version=4))
        nbformat.write(nb, out / path.name)
        stubs = sum(STUB in c.metadata.get("tags", []) for c in nb.cells)
        print(f"{path.name:<34}{stubs} exercise stub(s)")
    print(f"Student copies are in {out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
