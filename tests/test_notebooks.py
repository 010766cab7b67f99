"""The committed notebooks: executed in order, clean, structured as the series promises.

nbval (run by `make test` with --nbval) re-executes each one and compares its outputs; these tests
check what nbval does not: how the committed files look.
"""

import ast
import re
from pathlib import Path

import nbformat
import papermill
import pytest

import helpers
from helpers.tools.results import read_results

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
SERIES = [
    "01_data.ipynb", "02_tensors.ipynb", "03_forward_pass.ipynb",
    "04_backprop.ipynb", "05_training.ipynb", "06_visualization.ipynb",
]  # fmt: skip
ALL = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# an absolute path of two or more folders, as a machine would print it (not a URL, not a/b/c)
MACHINE_PATH = re.compile(r"(?<![\w.:/\\])/(?:[\w.-]+/){2,}|[A-Za-z]:\\\\")


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def _outputs_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        parts.append("".join(out.get("text", "")))
        for mime, value in out.get("data", {}).items():
            if not mime.startswith("image/"):
                parts.append(value if isinstance(value, str) else str(value))
    return "\n".join(parts)


def test_the_series_is_complete_and_in_order():
    assert ALL[: len(SERIES)] == SERIES


@pytest.mark.parametrize("name", ALL)
def test_committed_executed_top_to_bottom_without_errors(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "papermill" not in nb.metadata, "a papermill output was committed instead of the source"
    code = _code(nb)
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    for i, cell in enumerate(code, 1):
        tags = cell.metadata.get("tags", [])
        assert "injected-parameters" not in tags, f"cell [{i}] is a papermill injected cell"
        for out in cell.get("outputs", []):
            assert out.output_type != "error", f"cell [{i}] has an error output: {out.get('ename')}"
            assert not (out.output_type == "stream" and out.name == "stderr"), f"cell [{i}] wrote to stderr"
        found = MACHINE_PATH.search(_outputs_text(cell))
        assert found is None, f"cell [{i}] shows a machine path: {found.group(0)!r}"


@pytest.mark.parametrize("name", ALL)
def test_structure_objectives_summary_and_checked_exercises(name):
    nb = _read(name)
    lines = [line for c in nb.cells if c.cell_type == "markdown" for line in c.source.splitlines()]
    # a section starts with a heading ("## Summary") or a bold lead-in ("**Learning objectives.** ...")
    openings = [line.lstrip("#* ").lower() for line in lines if line.startswith(("#", "**"))]
    assert sum(line.startswith("# ") for line in lines) == 1, "one title per notebook"
    objectives = nb.cells[1]  # every notebook states its objectives the same way: their own slide after the title
    assert objectives.cell_type == "markdown" and objectives.source.startswith("## Learning objectives\n")
    assert objectives.metadata.get("slideshow", {}).get("slide_type") == "slide"
    for wanted in ("learning objectives", "summary", "exercises"):
        assert any(o.startswith(wanted) for o in openings), f"no '{wanted}' section"
    solutions = [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
    assert 2 <= len(solutions) <= 4 + 1, f"{len(solutions)} solution cells"
    for cell in solutions:
        hidden = cell.metadata.get("jupyter", {})  # collapsed in JupyterLab: the code and what it prints
        assert cell.cell_type == "code" and hidden.get("source_hidden") is True and hidden.get("outputs_hidden") is True


@pytest.mark.parametrize("name", ALL)
def test_imports_helpers_and_never_redefines_them(name):
    nb = _read(name)
    source = "\n".join(c.source for c in _code(nb) if not c.source.lstrip().startswith(("%", "!")))
    tree = ast.parse(source)
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names
    }
    assert any(m == "helpers" or m.startswith("helpers.") for m in imported)
    defined = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    assert not defined & set(helpers.__all__), f"redefines helpers: {defined & set(helpers.__all__)}"


def test_training_notebook_parameters_and_results_cells():
    params = papermill.inspect_notebook(str(NOTEBOOKS / "05_training.ipynb"))
    assert {k: v["default"] for k, v in params.items()} == {
        "learning_rate": "0.001", "num_epochs": "150", "seed": "0", "activation": '"relu"',
    }  # fmt: skip
    nb = _read("05_training.ipynb")
    assert sum("results" in c.metadata.get("tags", []) for c in nb.cells) == 1
    res = read_results(NOTEBOOKS / "05_training.ipynb")
    assert res["updates"] == 149 and res["learning_rate"] == 0.001 and res["status"] == "not_converged"


@pytest.mark.parametrize("name", ALL)
def test_colab_cell_is_guarded_and_comes_before_the_imports(name):
    code = _code(_read(name))
    colab = [i for i, c in enumerate(code) if "colab" in c.metadata.get("tags", [])]
    assert colab == [0], "the first code cell is the one Colab cell"
    assert 'if "google.colab" in sys.modules:' in code[0].source
    assert code[0].get("outputs") == [], "outside Colab it does nothing, so it prints nothing"
    assert "helpers" in code[1].source, "the helpers import comes right after it"


@pytest.mark.parametrize("name", sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")))
def test_the_cell_after_the_parameters_checks_every_declared_parameter(name):
    """a learner who types a bad value into the parameters cell is stopped by the next cell, with the message the
    rerun CLI gives before a kernel starts (helpers.parameters, one declaration for both)."""
    from helpers.parameters import PARAMETERS, check_parameters

    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    i = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    params, check = nb.cells[i].source, nb.cells[i + 1].source
    stem = name.removesuffix(".ipynb")
    assert f'check_parameters("{stem}"' in check
    namespace: dict = {"check_parameters": check_parameters}
    exec(params + "\n" + check, namespace)  # the defaults pass
    assert set(PARAMETERS[stem]) <= set(namespace)
    first = next(iter(PARAMETERS[stem]))  # now a value of the wrong type in the first declared parameter
    with pytest.raises((TypeError, ValueError), match=f"^{first} must be "):
        exec(params + f"\n{first} = 'oops'\n" + check, {"check_parameters": check_parameters})
    if stem == "05_training":  # the example of the README's "What it survives"
        with pytest.raises(ValueError, match=r"^num_epochs must be an int in \[1, 100001\], got -3$"):
            exec(params + "\nnum_epochs = -3\n" + check, {"check_parameters": check_parameters})
