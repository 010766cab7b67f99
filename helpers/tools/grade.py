"""Autograde what a class handed in with nbgrader: grades.csv, gradebook, feedback (`make grade SUBMISSIONS=dir`).

    python -m helpers.tools.grade SUBMISSIONS [--course build/nbgrader] [--out build/grades] [--timeout 60]

SUBMISSIONS is laid out as a teacher collects it: SUBMISSIONS/<student>/<notebook>.ipynb, the notebook named as in
the series (alice/09_closed_form.ipynb). Each file is copied, never modified, into the course's
submitted/<student>/<stem>/; nbgrader's autograde runs it in a fresh kernel with a time limit per cell (--timeout
seconds), puts back any test cell that was edited or deleted, and records every score in the gradebook
(gradebook.db in the course, SQLite); generate_feedback writes one HTML page per submission. A notebook whose
assignment the course lacks is released first (helpers.tools.assignment).

Written into --out (never into notebooks/, each file atomically):
- grades.csv: one row per student; one column per exercise, named by its nbgrader grade id (nb09_prediction: the
  points scored; blank where a person must grade it, or nothing could be graded); total; max; status; notes.
  status is "ok", "flagged" (graded, but look at the notes: a cell raised or ran past the time limit, a test cell
  was edited or deleted and the released one was graded instead, a file that is not part of the series) or "not
  graded" (an empty file, not a notebook, not from the release, or nbgrader failed on it);
- feedback/<student>/<stem>.html: the graded notebook with each check's output, the checker's hint when it failed.

Exit status 0 when every submission was graded or has its row saying why not; 2 for bad arguments; 1 when nothing
could be graded at all (nbgrader failed on every notebook) or the results cannot be written. Each is one line.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from helpers.tools.assignment import COURSE, TIMEOUT, Parser, build, failure, graded_cells, nbgrader_api
from helpers.tools.execute import BUILD, NOTEBOOKS, OutputError, make_folder, replacing, shown, write_atomic

OUT = BUILD / "grades"
STUDENT_ID = re.compile(r"[\w@+-][\w.@+-]*")  # a folder name nbgrader can use as a student id (no glob characters)
BAD_INPUT = 2
TIMED_OUT = "CellTimeoutError"  # the error nbgrader's Execute records in a cell that ran past the limit


@dataclass
class Submission:
    """one student's notebook: where it came from, its scores by grade id, and what a teacher should know."""

    student: str
    path: Path
    scores: dict[str, float | None] = field(default_factory=dict)  # empty until nbgrader has graded it
    notes: list[str] = field(default_factory=list)
    flagged: bool = False  # a note a teacher must read: something went wrong, or the file could not be graded
    sent: bool = False  # handed to nbgrader

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def status(self) -> str:
        """grades.csv's status: "not graded", "flagged" (graded, but read the notes) or "ok"."""
        return "not graded" if not self.scores else "flagged" if self.flagged else "ok"

    def flag(self, note: str) -> None:
        self.notes.append(note)
        self.flagged = True


def gather(folder: Path) -> list[Submission]:
    """every SUBMISSIONS/<student>/*.ipynb, and a row for a student folder without one."""
    found = []
    for student in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        files = sorted(p for p in student.glob("*.ipynb") if not p.name.startswith("."))
        for path in files or [student / "(no notebook)"]:
            found.append(Submission(student.name, path))
            if not files:
                found[-1].flag("no notebook in this student's folder")
            elif not STUDENT_ID.fullmatch(student.name):
                found[-1].flag("the folder's name cannot be a student id (letters, digits, . @ + - _)")
    return found


def problem(path: Path) -> str | None:
    """why a file cannot be graded (empty, not a notebook, not from the release), or None."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return f"cannot be read ({type(e).__name__})"
    if not text.strip():
        return "empty file"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as e:
        lines = str(e).strip().splitlines()
        return f"not a notebook ({type(e).__name__}: {lines[0][:80] if lines else ''})"
    if not any("nbgrader" in c.metadata for c in nb.cells):
        return "not from the release: it has no nbgrader cells (was it the teacher's notebook?)"
    return None


def _by_id(nb: nbformat.NotebookNode) -> dict[str, nbformat.NotebookNode]:
    return {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if "grade_id" in c.metadata.get("nbgrader", {})}


def _label(cell: nbformat.NotebookNode, index: int) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"


def review(sub: Submission, submitted: nbformat.NotebookNode, graded: nbformat.NotebookNode, release: Any) -> None:
    """what the scores do not say: edited or deleted tests, cells that raised or timed out, answers left blank."""
    from nbgrader.utils import compute_checksum, is_grade, is_solution

    mine, releases = _by_id(submitted), _by_id(release)
    for grade_id, cell in releases.items():
        if is_grade(cell) and not is_solution(cell):
            if grade_id not in mine:
                sub.flag(f"test cell {grade_id} deleted: nbgrader put the released one back and graded it")
            elif compute_checksum(mine[grade_id]) != cell.metadata.nbgrader["checksum"]:
                sub.flag(f"test cell {grade_id} edited: graded with the released one (nbgrader's checksum)")
    answers = {k: c for k, c in _by_id(graded).items() if k in releases and is_solution(c)}
    # nbgrader's "No response": an answer cell as released. Its stub raises NotImplementedError, which is no flag
    blank = [k for k, c in answers.items() if compute_checksum(c) == releases[k].metadata.nbgrader["checksum"]]
    raised, timed_out = [], []
    for i, cell in enumerate(graded.cells):
        errors = [o.ename for o in cell.get("outputs", []) if o.output_type == "error"]
        test = is_grade(cell) and not is_solution(cell)  # a failed check is a score, not a flag
        if TIMED_OUT in errors:
            timed_out.append(_label(cell, i))
        elif errors and not test and _label(cell, i) not in blank:
            raised.append(f"{errors[-1]} in {_label(cell, i)}")
    if timed_out:
        more = f" (and {len(timed_out) - 1} more)" if len(timed_out) > 1 else ""
        sub.flag(f"ran past the time limit in {timed_out[0]}{more}: interrupted, the rest graded")
    if raised:
        more = f" (and in {len(raised) - 1} more cells)" if len(raised) > 1 else ""
        sub.flag(f"raised {raised[0]}{more}")
    if blank:
        sub.notes.append(f"unanswered: {', '.join(k.removesuffix('_answer') for k in blank)}")


def _staged(course: Path, sub: Submission) -> Path:
    return course / "submitted" / sub.student / sub.stem / sub.path.name


def autograde(api: Any, course: Path, stem: str, subs: list[Submission], out: Path) -> None:
    """one nbgrader autograde and one generate_feedback over these students' copies of one notebook."""
    from nbformat.warnings import MissingIDFieldWarning
    from nbgrader.api import MissingEntry
    from sqlalchemy.exc import SAWarning

    for sub in subs:  # this student's earlier copy of this notebook, and what came of it, give way to this one
        staged = _staged(course, sub)
        for old in (
            staged.parent,
            course / "autograded" / sub.student / stem,
            course / "feedback" / sub.student / stem,
        ):
            shutil.rmtree(old, ignore_errors=True)
        (out / "feedback" / sub.student / f"{stem}.html").unlink(missing_ok=True)
        with replacing(make_folder(staged.parent) / staged.name) as tmp:
            shutil.copyfile(sub.path, tmp)
        sub.sent = True
    batch = {sub.student for sub in subs}
    others = {p.parent.name for p in (course / "submitted").glob(f"*/{stem}")} - batch  # graded earlier: left alone
    api.coursedir.student_id_exclude = ",".join(sorted(others))
    with warnings.catch_warnings():
        # nbgrader's own: SQLAlchemy 2 warns that it adds a new submission along a backref (it then adds it itself, and
        # the scores are recorded all the same), and nbformat that a test cell it puts back has no cell id
        warnings.simplefilter("ignore", SAWarning)
        warnings.simplefilter("ignore", MissingIDFieldWarning)
        result = api.autograde(stem, "*", force=True, create=True)
    release = nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)
    with api.gradebook as gb:
        for sub in subs:
            graded = course / "autograded" / sub.student / stem / f"{stem}.ipynb"
            try:
                grades = gb.find_submission_notebook(stem, stem, sub.student).grades
            except MissingEntry:
                grades = []
            if not graded.is_file() or not grades:
                sub.flag(f"nbgrader could not grade it: {_reason(result, sub)}")
                continue
            manual = [g.name for g in grades if g.needs_manual_grade and g.manual_score is None]
            sub.scores |= {g.name: None if g.name in manual else float(g.score) for g in grades}
            review(sub, nbformat.read(sub.path, as_version=4), nbformat.read(graded, as_version=4), release)
            if manual:
                sub.notes.append(f"to grade by hand: {', '.join(manual)}")
    api.generate_feedback(stem, "*", force=True)
    for sub in subs:
        page = course / "feedback" / sub.student / stem / f"{stem}.html"
        if sub.scores and page.is_file():
            with replacing(make_folder(out / "feedback" / sub.student) / f"{stem}.html") as tmp:
                shutil.copyfile(page, tmp)


def _reason(result: dict[str, Any], sub: Submission) -> str:
    """the exception nbgrader logged for this student's notebook, else its last word."""
    log = str(result.get("log") or "")
    after = log.split(f"submitted/{sub.student}/{sub.stem}", 1)[-1]
    for record in re.split(r"\n(?=\[[A-Z]+\])", after):
        if record.startswith("[ERROR] Traceback"):
            return [ln.strip() for ln in record.splitlines() if ln.strip()][-1][:160]
    return failure(result)


def _number(x: float) -> str:
    return f"{x:g}"


def table(subs: list[Submission], course: Path) -> tuple[list[str], list[dict[str, str]]]:
    """grades.csv as (header, rows): one row per student, one column per exercise in the series' order."""
    stems = sorted({s.stem for s in subs if (course / "release" / s.stem).is_dir()})
    cells = {
        stem: graded_cells(nbformat.read(course / "release" / stem / f"{stem}.ipynb", as_version=4)) for stem in stems
    }
    ids = [c.metadata.nbgrader["grade_id"] for stem in stems for c in cells[stem]]
    maxima = {stem: sum(float(c.metadata.nbgrader["points"]) for c in cells[stem]) for stem in stems}
    rows = []
    for student in sorted({s.student for s in subs}):
        mine = [s for s in subs if s.student == student]
        scores = {k: v for s in mine for k, v in s.scores.items() if v is not None}
        row = {"student": student, **{i: _number(scores[i]) if i in scores else "" for i in ids}}
        row["total"] = _number(sum(scores.values()))
        row["max"] = _number(sum(maxima.get(stem, 0.0) for stem in {s.stem for s in mine}))
        statuses = {s.status for s in mine}  # a student's worst, over the notebooks they handed in
        row["status"] = "ok" if statuses == {"ok"} else "flagged" if statuses - {"not graded"} else "not graded"
        row["notes"] = "; ".join(f"{s.path.name}: " * (s.path.suffix == ".ipynb") + n for s in mine for n in s.notes)
        rows.append(row)
    return ["student", *ids, "total", "max", "status", "notes"], rows


def grade(folder: Path, course: Path = COURSE, out: Path = OUT, timeout: int = TIMEOUT) -> list[Submission]:
    """grade every submission in folder; write out/grades.csv and out/feedback/. Returns the submissions."""
    from traitlets.config import Config

    for folder_out in (course, out):
        make_folder(folder_out)  # refused in one line if it leads into notebooks/, before anything runs
    subs = gather(folder)
    for sub in subs:
        if not sub.flagged:
            why = problem(sub.path)
            known = (course / "release" / sub.stem).is_dir() or (NOTEBOOKS / sub.path.name).is_file()
            if not known:
                sub.flag("not part of the series (is it named as the notebook it answers?)")
            elif why:
                sub.flag(why)
    gradable = [s for s in subs if not s.flagged]
    missing = sorted({s.stem for s in gradable if not (course / "release" / s.stem).is_dir()})
    build([NOTEBOOKS / f"{stem}.ipynb" for stem in missing], course, out=None)  # new ones: nothing is kept
    with tempfile.TemporaryDirectory(prefix="grade-kernels-") as sockets:
        config = Config()
        config.Execute.timeout = timeout
        config.KernelManager.transport = "ipc"  # kernels on sockets in a private folder: no port open to other users
        config.KernelManager.ip = f"{sockets}/kernel"
        api = nbgrader_api(course, config)
        for stem in sorted({s.stem for s in gradable}):
            autograde(api, course, stem, [s for s in gradable if s.stem == stem], out)
    header, rows = table(subs, course)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_atomic(out / "grades.csv", text.getvalue())
    return subs


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="grade", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path, help="SUBMISSIONS/<student>/<notebook>.ipynb")
    parser.add_argument("--course", type=Path, default=COURSE, help="nbgrader's course folder (build/nbgrader)")
    parser.add_argument("--out", type=Path, default=OUT, help="grades.csv and feedback/ (default: build/grades)")
    parser.add_argument("--timeout", type=int, default=TIMEOUT, help=f"seconds a cell may run (default {TIMEOUT})")
    args = parser.parse_args(argv)
    if not args.submissions.is_dir():
        parser.error(f"{args.submissions} is not a folder of submissions (SUBMISSIONS/<student>/<notebook>.ipynb)")
    if not 1 <= args.timeout <= 86400:
        parser.error(f"--timeout must be a number of seconds from 1 to 86400, got {args.timeout}")
    if not any(p.is_dir() and not p.name.startswith(".") for p in args.submissions.iterdir()):
        parser.error(f"{args.submissions} has no student folders (SUBMISSIONS/<student>/<notebook>.ipynb)")
    start = time.perf_counter()
    try:
        subs = grade(args.submissions, args.course.resolve(), args.out.resolve(), args.timeout)
    except (OutputError, ValueError, RuntimeError) as e:
        print(f"grade: error: {e}", file=sys.stderr)
        return BAD_INPUT if isinstance(e, ValueError) else 1
    seconds = time.perf_counter() - start
    graded = [s for s in subs if s.scores]
    for s in subs:
        total = sum(v for v in s.scores.values() if v is not None)
        print(f"{s.student:<20}{s.path.name:<36}{_number(total):>5}  {s.status}")
    each = f" ({seconds / len(graded):.1f} s each)" if graded else ""
    print(f"{len(subs)} submission(s), {len(graded)} graded in {seconds:.1f} s{each}.")
    print(f"Grades: {shown(args.out / 'grades.csv')}; feedback: {shown(args.out / 'feedback')}/; "
          f"gradebook: {shown(args.course / 'gradebook.db')}")  # fmt: skip
    if not graded and any(s.sent for s in subs):
        print("grade: error: nbgrader could not grade any submission (see grades.csv)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
