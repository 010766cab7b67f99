"""`make grade`: a fake class handing in one notebook, graded by nbgrader in one run.

Six submissions built from the release of 09_closed_form.ipynb, the quickest notebook to run
(build/browser/timings.json): full marks; partial (the first exercise right, the second off by a factor of 2, the rest
left as released); one raising in an answer cell; one with a test cell edited and another deleted; an empty file; a
file that is not a notebook. Four of them run in a kernel, once, in one nbgrader autograde. Every expected score
follows from the release (its points per test cell), so the test follows the exercises as they change, and is
asserted exactly, with each flag; so are the feedback pages, the gradebook and the untouched submissions.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import hashlib
import html
import io
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest

from helpers.tools.assignment import answer_names, build, nbgrader_api
from helpers.tools.grade import Submission, main, review

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOK = "09_closed_form.ipynb"
STEM = Path(NOTEBOOK).stem
TIMEOUT = 30  # seconds per cell: far above any cell of 09 on a busy machine, far below pytest-timeout
MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")

# the class is graded once for the module (in conftest's GROUPED: one worker): four kernels run 09 one after the
# other, about 5 s each on a quiet machine, 10 s or more on a busy one; the grading test may take longer than 120 s
pytestmark = pytest.mark.timeout(300)


def _by_id(nb) -> dict:
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def _solved(source_cell) -> str:
    """the teacher's answer, as nbgrader's source holds it, without the markers: the cell a good student writes."""
    return "\n".join(line for line in source_cell.source.splitlines() if line.strip() not in MARKERS)


def _fake_class(release, source, folder: Path) -> tuple[dict, dict]:
    """the six submissions; each one's expected points per graded cell (None: nothing can be graded), and the
    exercises it leaves as released, in the notebook's order. An open question, if 09 gets one, is left as released
    by everyone: nbgrader gives it 0 ("No response")."""
    cells, teacher = _by_id(release), _by_id(source)
    graded = [k for k, c in cells.items() if c.metadata.nbgrader["grade"]]
    tests = [k for k in graded if not cells[k].metadata.nbgrader["solution"]]
    assert len(tests) >= 3, "the fake class needs three autograded exercises"
    points = {k: float(cells[k].metadata.nbgrader["points"]) if k in tests else 0.0 for k in graded}
    answers = [f"{k}_answer" for k in tests]

    def hand_in(student: str, edit) -> None:
        nb = copy.deepcopy(release)
        edit(_by_id(nb))
        (folder / student).mkdir(parents=True)
        nbformat.write(nb, folder / student / NOTEBOOK)

    def full(c) -> None:
        for k in answers:
            c[k].source = _solved(teacher[k])

    def partial(c) -> None:
        c[answers[0]].source = _solved(teacher[answers[0]])
        slip = [f"{name} = {name} * 2  # a factor of 2 too many" for name in answer_names(teacher[answers[1]].source)]
        c[answers[1]].source = "\n".join([_solved(teacher[answers[1]]), *slip])

    def raising(c) -> None:
        full(c)
        c[answers[-1]].source = "1 / 0\n" + c[answers[-1]].source

    def tampered(c) -> None:
        full(c)
        c[answers[1]].source += "".join(f"\n{name} = None" for name in answer_names(teacher[answers[1]].source))
        c[tests[1]].source = "assert True  # the student's own test"
        c[tests[2]].metadata.pop("nbgrader")  # and one test cell made an ordinary cell: for nbgrader, deleted

    for edit in (full, partial, raising, tampered):
        hand_in(edit.__name__, edit)
    for student, text in (("empty", ""), ("corrupt", '{"cells": [')):
        (folder / student).mkdir()
        (folder / student / NOTEBOOK).write_text(text)
    scores = {
        "full": points,
        "partial": dict.fromkeys(graded, 0.0) | {tests[0]: points[tests[0]]},
        "raising": points | {tests[-1]: 0.0},
        "tampered": points | {tests[1]: 0.0},
        "empty": None,
        "corrupt": None,
    }
    exercises = [k.removesuffix("_answer") for k, c in cells.items() if c.metadata.nbgrader["solution"]]
    left = {"partial": set(tests[2:])}  # and, for everyone, any open question
    blank = {s: [k for k in exercises if k in left.get(s, set()) or k not in tests] for s in scores if scores[s]}
    return scores, blank


def _digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*.ipynb")}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """the class, graded once as `make grade SUBMISSIONS=...` grades it."""
    root = tmp_path_factory.mktemp("grade")
    course, out, folder = root / "course", root / "grades", root / "class"
    (release_path,), _ = build([NOTEBOOKS / NOTEBOOK], course, root / "release")
    release = nbformat.read(release_path, as_version=4)
    source = nbformat.read(course / "source" / STEM / NOTEBOOK, as_version=4)
    expected, unanswered = _fake_class(release, source, folder)
    before = _digests(folder)
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = main([str(folder), "--course", str(course), "--out", str(out), "--timeout", str(TIMEOUT)])
    with (out / "grades.csv").open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = {row["student"]: row for row in reader}
        header = reader.fieldnames
    return SimpleNamespace(**locals())


def _graded(release) -> list[str]:
    """the cells worth points, autograded or by hand: the columns of grades.csv."""
    return [k for k, c in _by_id(release).items() if c.metadata.nbgrader["grade"]]


def _tests(release) -> list[str]:
    """the autograded test cells."""
    return [
        k for k, c in _by_id(release).items() if c.metadata.nbgrader["grade"] and not c.metadata.nbgrader["solution"]
    ]


def test_every_submission_has_its_row_and_the_run_succeeds(graded):
    assert graded.code == 0
    assert graded.header == ["student", *_graded(graded.release), "total", "max", "status", "notes"]
    assert sorted(graded.rows) == sorted(graded.expected)
    assert _digests(graded.folder) == graded.before, "a submission was modified"
    assert "4 graded in" in graded.stdout.getvalue() and " s each)" in graded.stdout.getvalue()


def test_each_score_and_each_flag_is_exactly_as_expected(graded):
    ids, tests = _graded(graded.release), _tests(graded.release)
    maximum = sum(float(_by_id(graded.release)[k].metadata.nbgrader["points"]) for k in ids)
    flags = {
        "raising": [f"raised ZeroDivisionError in {tests[-1]}_answer"],
        "tampered": [
            f"test cell {tests[1]} edited: graded with the released one (nbgrader's checksum)",
            f"test cell {tests[2]} deleted: nbgrader put the released one back and graded it",
        ],
        "empty": ["empty file"],
        "corrupt": ["not a notebook (NotJSONError: Notebook does not appear to be JSON: '{\"cells\": [')"],
    }
    status = {"full": "ok", "partial": "ok", "raising": "flagged", "tampered": "flagged"}
    for student, scores in graded.expected.items():
        row = graded.rows[student]
        blank = graded.unanswered.get(student)
        notes = flags.get(student, []) + ([f"unanswered: {', '.join(blank)}"] if blank else [])
        assert {k: row[k] for k in ids} == {k: "" if scores is None else f"{scores[k]:g}" for k in ids}, student
        assert row["total"] == f"{sum((scores or {}).values()):g}", student
        assert row["max"] == f"{maximum:g}", student
        assert row["status"] == status.get(student, "not graded"), student
        assert row["notes"] == "; ".join(f"{NOTEBOOK}: {note}" for note in notes), student


def test_the_gradebook_holds_the_same_scores(graded):
    with nbgrader_api(graded.course).gradebook as gb:
        for student, scores in graded.expected.items():
            if scores is not None:
                submission = gb.find_submission_notebook(STEM, STEM, student)
                assert {g.name: g.score for g in submission.grades} == scores, student


def test_feedback_pages_show_each_check_and_the_checkers_hint(graded):
    pages = graded.out / "feedback"
    assert sorted(p.parent.name for p in pages.glob(f"*/{STEM}.html")) == ["full", "partial", "raising", "tampered"]
    autograded = nbformat.read(graded.course / "autograded" / "partial" / STEM / NOTEBOOK, as_version=4)
    failed = _by_id(autograded)[_tests(graded.release)[1]]
    printed = "".join(o.get("text", "") for o in failed.outputs if o.output_type == "stream").splitlines()
    hints = [ln for ln in printed if ln.startswith("✗ ")]  # what the checker said about the slip
    assert len(hints) == 1 and "could not check" not in hints[0], printed
    page = (pages / "partial" / f"{STEM}.html").read_text(encoding="utf-8")
    assert html.escape(hints[0], quote=False) in page
    row = graded.rows["partial"]
    assert "✓ correct" in page and f"Score: {float(row['total'])} / {float(row['max'])}" in page


def test_a_release_runs_in_full_and_stops_only_at_an_unanswered_exercise(graded):
    by_hand = set(_graded(graded.release)) - set(_tests(graded.release))  # open questions: left as released by all

    def errors(student: str) -> list[tuple[str, str]]:
        nb = nbformat.read(graded.course / "autograded" / student / STEM / NOTEBOOK, as_version=4)
        cells = [(c.metadata.get("nbgrader", {}).get("grade_id", ""), c) for c in nb.cells if c.cell_type == "code"]
        return [(k, o.ename) for k, c in cells if k not in by_hand for o in c.outputs if o.output_type == "error"]

    assert errors("full") == []
    tests = _tests(graded.release)
    first, *rest = errors("partial")
    assert first == (tests[1], "AssertionError")  # the slip fails its check; nothing before it raised
    assert rest[0] == (f"{tests[2]}_answer", "NotImplementedError")  # then the first exercise left as released


def test_a_cell_past_the_time_limit_is_flagged_and_the_rest_graded(graded):
    """nbgrader records CellTimeoutError in a cell it interrupted; grading a real loop would cost the limit."""
    tests = _tests(graded.release)
    nb = nbformat.read(graded.course / "autograded" / "full" / STEM / NOTEBOOK, as_version=4)
    timed_out = _by_id(nb)[f"{tests[0]}_answer"]
    timed_out.outputs = [nbformat.v4.new_output("error", ename="CellTimeoutError", evalue="", traceback=[])]
    sub = Submission("full", graded.folder / "full" / NOTEBOOK)
    review(sub, nbformat.read(sub.path, as_version=4), nb, graded.release)
    assert sub.flagged and sub.notes[0] == f"ran past the time limit in {tests[0]}_answer: interrupted, the rest graded"


def test_a_batch_nbgrader_cannot_grade_at_all_exits_1_with_its_rows(graded, tmp_path, monkeypatch, capsys):
    from nbgrader.apps import NbGraderAPI

    (tmp_path / "class" / "zed").mkdir(parents=True)
    (tmp_path / "class" / "zed" / NOTEBOOK).write_bytes((graded.folder / "full" / NOTEBOOK).read_bytes())
    log = "[ERROR] There was an error processing assignment: submitted/zed/09_closed_form\n[ERROR] Traceback (most"
    log += " recent call last):\n    RuntimeError: Kernel died before replying to kernel_info\n[ERROR] done"
    monkeypatch.setattr(NbGraderAPI, "autograde", lambda *a, **k: {"success": False, "log": log})
    out = tmp_path / "grades"
    assert main([str(tmp_path / "class"), "--course", str(graded.course), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err == "grade: error: nbgrader could not grade any submission (see grades.csv)"
    (row,) = csv.DictReader((out / "grades.csv").open(encoding="utf-8"))
    assert row["status"] == "not graded" and row["total"] == "0"
    assert (
        row["notes"]
        == f"{NOTEBOOK}: nbgrader could not grade it: RuntimeError: Kernel died before replying to kernel_info"
    )


def test_bad_arguments_are_one_line_and_exit_2_before_anything_runs(graded, tmp_path, capsys):
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "none").mkdir()
    cases = [
        [str(tmp_path / "missing")],
        [str(tmp_path / "none")],
        [str(tmp_path / "class"), "--timeout", "0"],
        [str(tmp_path / "class"), "--timeout", "soon"],
        [str(tmp_path / "class"), "--course", str(graded.course), "--out", str(NOTEBOOKS / "grades")],
    ]
    for args in cases:
        try:
            code = main(args)
        except SystemExit as e:
            code = e.code
        assert code == 2, args
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and err.startswith("grade: error: "), (args, err)
    assert not (NOTEBOOKS / "grades").exists()


def test_a_release_with_graded_submissions_is_kept_unless_forced(graded, tmp_path, capsys):
    """re-running `make assignment` after the notebook changed must not change what the class was graded against."""
    from helpers.tools.assignment import main as assignment

    source = graded.course / "source" / STEM / NOTEBOOK
    changed = nbformat.read(NOTEBOOKS / NOTEBOOK, as_version=4)
    changed.cells.append(nbformat.v4.new_markdown_cell("A new remark"))
    nbformat.write(changed, tmp_path / NOTEBOOK)
    before = source.read_bytes()
    assert assignment([str(tmp_path / NOTEBOOK), "--course", str(graded.course), "--out", str(tmp_path / "out")]) == 0
    assert (
        f"{NOTEBOOK}: changed, but 4 submission(s) were graded against its release: kept it" in capsys.readouterr().out
    )
    assert source.read_bytes() == before
    assert (tmp_path / "out" / NOTEBOOK).read_bytes() == graded.release_path.read_bytes()
