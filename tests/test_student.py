"""Student copies (`make student`): valid notebooks, no solution left, run up to their first stub, whole again with
the teacher's solutions put back.

For every notebook, without a kernel: every cell but the stubs is the teacher's cell, unchanged (so up to its first
stub the copy holds exactly the code nbval runs), each stub sits where a solution was, in a cell of the same kind,
and raises NotImplementedError with its hint before anything else. Since every other cell is the teacher's, and
nbval runs the teacher's notebook whole, that proves each copy runs to its first stub and, with the solutions put
back, to the end, without executing the series a third time (nbval and the browser test execute it already). A
kernel then shows it for real on one copy, 05_training.ipynb, written as `make student` writes it: it runs top to
bottom; at each stub the NotImplementedError is checked, then the teacher's solution runs in its place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers.tools.student import SOLUTION, STUB, main, python_source, stub_source, student_copy

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
RUN = ["05_training.ipynb"]  # executed for real; every copy is proven equal to its teacher but for its stubs, above


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def _tagged(nb, tag: str) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", [])]


def _lines(source: str) -> set[str]:
    return {line.strip() for line in source.splitlines() if line.strip()}


def _meant_to_stay(nb) -> set[str]:
    """solution lines a stub keeps on purpose: "# Hint:" comments, checker imports and one-line checker calls."""
    code = "\n".join(python_source(c.source) for c in nb.cells if c.cell_type == "code")
    checkers = {a.asname or a.name for n in ast.walk(ast.parse(code)) if isinstance(n, ast.ImportFrom)
                and (n.module or "").startswith("helpers.exercises") for a in n.names}  # fmt: skip
    return {ln for ln in _lines(code) if ln.lower().startswith(("# hint", "from helpers.exercises"))
            or ln.split("(", 1)[0] in checkers}  # fmt: skip


@pytest.mark.parametrize("name", ALL)
def test_student_copy_is_valid_and_keeps_no_solution(name):
    teacher = _read(name)
    student = student_copy(teacher)
    nbformat.validate(student)
    solutions = _tagged(teacher, SOLUTION)
    assert _tagged(student, STUB) == solutions and not _tagged(student, SOLUTION)
    code = [c for c in student.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "a student copy keeps no outputs"
    assert "widgets" not in student.metadata
    elsewhere = set().union(*(_lines(c.source) for i, c in enumerate(teacher.cells) if i not in solutions))
    in_copy = set().union(*(_lines(c.source) for c in student.cells))
    for i in solutions:
        stub = student.cells[i]
        assert "jupyter" not in stub.metadata, "a stub is where the learner works: neither code nor output hidden"
        if stub.cell_type == "code":
            assert "raise NotImplementedError(" in stub.source
        leaked = (_lines(teacher.cells[i].source) - elsewhere - _meant_to_stay(teacher)) & in_copy
        assert not leaked, f"cell {i}: solution lines left in the student copy: {sorted(leaked)[:3]}"


@pytest.mark.parametrize("name", ALL)
def test_student_copy_changes_only_its_stubs_and_each_stops_at_once(name):
    teacher = _read(name)
    student = student_copy(teacher)
    stubs = _tagged(student, STUB)
    assert len(student.cells) == len(teacher.cells)
    for i, (cell, original) in enumerate(zip(student.cells, teacher.cells)):
        assert cell.cell_type == original.cell_type, i
        if i not in stubs:  # the teacher's cell as it is: with its solutions back, the copy is the teacher's notebook
            assert (cell.source, cell.metadata) == (original.source, original.metadata), i
    for i in stubs:
        if student.cells[i].cell_type == "code":
            with pytest.raises(NotImplementedError, match="^Your turn: "):
                exec(compile(student.cells[i].source, f"<stub in cell {i}>", "exec"), {})  # raises before anything else


def test_stub_keeps_checker_calls_hints_and_names_the_answers():
    solution = (
        "from helpers.exercises import check_lr_limit\n"
        "# Hint: the limit is set by the largest eigenvalue.\n"
        "answer_lr_limit = 2 / lam_max  # the secret\n"
        "assert abs(answer_lr_limit - 0.0123) < 1e-6\n"
        "check_lr_limit(answer_lr_limit)\n"
    )
    stub = stub_source(solution, {"check_lr_limit"})
    ast.parse(stub)
    assert "2 / lam_max" not in stub and "0.0123" not in stub
    lines = stub.splitlines()
    assert lines[-2:] == ["from helpers.exercises import check_lr_limit", "check_lr_limit(answer_lr_limit)"]
    assert "# Hint: the limit is set by the largest eigenvalue." in lines
    raise_line = next(ln for ln in lines if ln.startswith("raise"))
    assert "answer_lr_limit" in raise_line and "largest eigenvalue" in raise_line
    assert lines.index(raise_line) < lines.index("check_lr_limit(answer_lr_limit)")


def test_make_student_writes_build_student_and_never_notebooks(tmp_path, capsys):
    assert main(["--out", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.glob("*.ipynb"))
    assert set(ALL) <= set(written)
    for name in ALL:
        assert _tagged(nbformat.read(tmp_path / name, as_version=4), STUB) == _tagged(_read(name), SOLUTION)
    with pytest.raises(SystemExit):
        main(["--out", str(NOTEBOOKS / "student")])
    assert not (NOTEBOOKS / "student").exists()


@pytest.fixture(scope="module")
def copies(tmp_path_factory):
    """the student copies, written once as `make student` writes build/student/."""
    out = tmp_path_factory.mktemp("student")
    assert main(["--out", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", RUN)
def test_student_copy_runs_to_its_first_stub_and_passes_with_the_solutions_back(name, tmp_path, kernel, copies):
    teacher = _read(name)
    student = nbformat.read(copies / name, as_version=4)
    stub_cells = _tagged(student, STUB)  # before running: nbclient puts each executed cell in place
    client = NotebookClient(student, km=kernel, kernel_name="python3", timeout=100)  # per cell, below pytest-timeout
    ran_before_first_stub, stubs = 0, 0
    with client.setup_kernel():
        reset = nbformat.v4.new_code_cell(f"%reset -f\nimport os\nos.chdir({str(tmp_path)!r})")
        client.execute_cell(reset, 0)  # nothing of the previous notebook survives but imported modules
        for i, cell in enumerate(student.cells):
            if cell.cell_type != "code":
                continue
            if i not in stub_cells:
                client.execute_cell(cell, i)  # raises CellExecutionError on any error
                ran_before_first_stub += stubs == 0
                continue
            with pytest.raises(CellExecutionError) as stopped:
                client.execute_cell(cell, i)
            assert stopped.value.ename == "NotImplementedError", f"cell {i}: {stopped.value.ename}"
            assert "Your turn" in stopped.value.evalue
            stubs += 1
            client.execute_cell(nbformat.v4.new_code_cell(teacher.cells[i].source), i)  # the solution back
    assert stubs == len(_tagged(teacher, SOLUTION))
    before = [c for c in student.cells[: (stub_cells or [len(student.cells)])[0]] if c.cell_type == "code"]
    assert ran_before_first_stub == len(before)
    assert all(c.execution_count for c in before if c.source.strip())
