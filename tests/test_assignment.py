"""`make assignment`: the series as an nbgrader course, one assignment per notebook, and its release.

For every notebook, without a kernel: the release keeps no solution text and no output; every cell but the exercises'
is the teacher's cell unchanged, so up to its first exercise the release runs the code nbval runs; each answer cell
raises NotImplementedError before anything else; each exercise's checker call is an autograded test cell that uses
only names the release defines or the exercise asks for; the grade ids (the columns of grades.csv) are unique across
the series, and the gradebook knows every test. tests/test_grade.py runs one release for real, graded by nbgrader.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

import nbformat
import pytest

from helpers.tools.assignment import (
    CHECKERS_MODULE,
    SOLUTION,
    answer_names,
    check_source,
    checker_names,
    main,
    nbgrader_api,
    python_source,
    split_solution,
)

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """the whole series released once for the module (in GROUPED: one worker), as `make assignment` does it."""
    root = tmp_path_factory.mktemp("assignment")
    assert main(["--course", str(root / "course"), "--out", str(root / "release")]) == 0
    return root / "course", root / "release"


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _lines(source: str) -> set[str]:
    return {line.strip() for line in source.splitlines() if line.strip()}


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _is_test(cell) -> bool:
    return bool(_nbgrader(cell).get("grade")) and not _nbgrader(cell).get("solution")


def _checks(source: str, checkers: set[str]) -> list[ast.stmt]:
    """a solution's top-level checker calls and checker imports: what leaves the answer for the test cell."""
    found = []
    for stmt in ast.parse(python_source(source)).body:
        call = isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)
        if (call and ast.unparse(stmt.value.func) in checkers) or (  # type: ignore[attr-defined]
            isinstance(stmt, ast.ImportFrom) and (stmt.module or "").startswith(CHECKERS_MODULE)
        ):
            found.append(stmt)
    return found


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _shown(source: str, checkers: set[str]) -> list[ast.stmt]:
    """the statements of a solution that the release shows: its checks, and the task's parameters the checks use
    (statements that only bind names a check reads, and touch no answer_*)."""
    checks = _checks(source, checkers)
    read = set().union(*(_names(c) for c in checks)) if checks else set()
    for stmt in ast.parse(python_source(source)).body:
        stored = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        if stored and stored <= read and not any(n.startswith("answer_") for n in _names(stmt)):
            checks.append(stmt)
    return checks


def _solution_text(teacher, i: int) -> set[str]:
    """the lines of solution cell i that must not be in the release: all but its hints and what it shows."""
    source = teacher.cells[i].source
    lines = source.splitlines()
    kept = {
        n for s in _shown(source, set(checker_names(teacher))) for n in range(s.lineno - 1, s.end_lineno or s.lineno)
    }
    text = {ln.strip() for n, ln in enumerate(lines) if n not in kept and ln.strip()}
    return {ln for ln in text if not ln.lower().startswith("# hint")}


@pytest.mark.parametrize("name", ALL)
def test_release_keeps_no_solution_and_no_output(built, name):
    teacher, release = _read(NOTEBOOKS / name), _read(built[1] / name)
    nbformat.validate(release)
    solutions = [i for i, c in enumerate(teacher.cells) if SOLUTION in c.metadata.get("tags", [])]
    assert solutions, f"{name} has no exercises"
    elsewhere = set().union(*(_lines(c.source) for i, c in enumerate(teacher.cells) if i not in solutions))
    released = set().union(*(_lines(c.source) for c in release.cells))
    for i in solutions:
        leaked = (_solution_text(teacher, i) - elsewhere) & released
        assert not leaked, f"cell {i}: solution lines left in the release: {sorted(leaked)[:3]}"
    assert "BEGIN HIDDEN TESTS" not in "".join(c.source for c in release.cells)
    code = [c for c in release.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "a release keeps no outputs"
    assert "widgets" not in release.metadata


@pytest.mark.parametrize("name", ALL)
def test_release_is_the_teachers_notebook_but_for_its_exercises(built, name):
    teacher, release = _read(NOTEBOOKS / name), _read(built[1] / name)
    checkers = set(checker_names(teacher))
    cells = iter(release.cells)
    for i, original in enumerate(teacher.cells):
        cell = next(cells)
        assert cell.cell_type == original.cell_type, i
        if original.source.startswith("## Exercises"):  # where the answers go, not where the solutions hide
            assert "hidden cell" in original.source and "hidden cell" not in cell.source, i
            assert "write your answer in the cell after each exercise" in cell.source, i
            continue
        if SOLUTION not in original.metadata.get("tags", []):
            assert cell.source == original.source, f"cell {i} differs from the teacher's"
            assert cell.metadata.get("tags") == original.metadata.get("tags"), i
            assert not _nbgrader(cell), i
            continue
        assert _nbgrader(cell)["solution"] and "jupyter" not in cell.metadata, "the learner sees and edits it"
        if cell.cell_type == "code":  # the stub stops the notebook here, before anything else runs
            with pytest.raises(NotImplementedError):
                exec(compile(cell.source, f"<answer cell {i}>", "exec"), {})
        calls = [s for s in _checks(original.source, checkers) if isinstance(s, ast.Expr)]
        if not calls:  # an open question: graded by hand
            assert _nbgrader(cell)["grade"] and _nbgrader(cell)["points"] > 0, i
            continue
        assert not _nbgrader(cell)["grade"], i
        test = next(cells)
        assert _is_test(test) and _nbgrader(test)["locked"] and _nbgrader(test)["points"] > 0, i
        asserted = [ast.unparse(s.test) for s in ast.parse(test.source).body if isinstance(s, ast.Assert)]
        assert asserted == [ast.unparse(c.value) for c in calls], f"cell {i}: the test asserts the checker calls"  # type: ignore[attr-defined]
    assert next(cells, None) is None, "the release has cells the teacher's notebook has not"


def _bound(tree: ast.AST) -> set[str]:
    """the names a piece of code binds: assignments, loop targets, imports, functions and classes."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
    return names


@pytest.mark.parametrize("name", ALL)
def test_each_check_uses_only_what_the_release_or_the_exercise_defines(built, name):
    """so an answer that defines the answer_* names the exercise asks for can pass, whatever else it does."""
    teacher, release = _read(NOTEBOOKS / name), _read(built[1] / name)
    solutions = [c for c in teacher.cells if SOLUTION in c.metadata.get("tags", [])]
    answers = iter(solutions)
    known = set(dir(builtins))
    for cell in release.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(python_source(cell.source))
        if _nbgrader(cell).get("solution"):
            known |= set(answer_names(next(answers).source)) | _bound(tree)  # what the learner is asked to define
        elif _is_test(cell):
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            assert used <= known | _bound(tree), f"{_nbgrader(cell)['grade_id']} uses {sorted(used - known)}"
        else:
            known |= _bound(tree)


def test_grade_ids_are_unique_across_the_series_and_the_gradebook_has_every_test(built):
    course, release = built
    ids = [_nbgrader(c)["grade_id"] for name in ALL for c in _read(release / name).cells if _nbgrader(c).get("grade")]
    assert len(ids) == len(set(ids)), "grades.csv names its columns by grade id"
    with nbgrader_api(course).gradebook as gb:
        assert sorted(a.name for a in gb.assignments) == [Path(n).stem for n in ALL]
        stored = [c.name for name in ALL for c in gb.find_notebook(Path(name).stem, Path(name).stem).grade_cells]
    assert sorted(stored) == sorted(ids)
    assert (course / "nbgrader_config.py").is_file()


def test_a_solution_splits_into_hints_answer_and_checks():
    solution = (
        "from helpers.exercises import check_lr_limit as check\n"
        "# Hint: the limit is set by the largest eigenvalue.\n"
        "at = 0.5\n"
        "answer_lr_limit = 2 / lam_max  # the secret\n"
        "assert abs(answer_lr_limit - 0.0123) < 1e-6\n"
        "check(answer_lr_limit,\n"
        "      at=at)\n"
    )
    checkers = {"check": "from helpers.exercises import check_lr_limit as check"}
    split = split_solution(solution, checkers)
    assert split.hints == ["# Hint: the limit is set by the largest eigenvalue."]
    assert split.setup == ["at = 0.5"]  # the task's parameter the check needs: shown to the learner
    assert split.answer.splitlines() == solution.splitlines()[3:5]
    assert split.calls == ["check(answer_lr_limit,\n      at=at)"]
    assert split.imports == ["from helpers.exercises import check_lr_limit as check"]
    test = check_source(split.calls, split.imports, checkers)
    ast.parse(test)
    lines = test.splitlines()
    assert lines[1] == "from helpers.exercises import check_lr_limit as check"  # once: the real one, if rebound
    assert lines[2:] == ["assert check(answer_lr_limit,", "      at=at)"] and "HIDDEN" not in test
    assert "lam_max" not in test and "0.0123" not in test
    exact = check_source(["check(answer_lr_limit, at=at, rtol=1e-9)"], [], checkers).splitlines()
    assert exact[2:] == ["assert check(answer_lr_limit, at=at)", "### BEGIN HIDDEN TESTS",
                         "assert check(answer_lr_limit, at=at, rtol=1e-9)", "### END HIDDEN TESTS"]  # fmt: skip


def test_make_assignment_refuses_to_write_into_the_series(tmp_path, capsys):
    for option in ("--out", "--course"):
        args = ["--course", str(tmp_path / "course"), "--out", str(tmp_path / "out"), option, str(NOTEBOOKS / "x")]
        with pytest.raises(SystemExit) as stopped:
            main([str(NOTEBOOKS / ALL[0]), *args])
        assert stopped.value.code == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "notebooks" in err, err
    assert not (NOTEBOOKS / "x").exists() and not (tmp_path / "course").exists(), "refused before anything ran"
