"""The series as an nbgrader course, one assignment per notebook, and its release (`make assignment`).

    python -m helpers.tools.assignment [--course build/nbgrader] [--out build/assignment] [NOTEBOOK ...]

notebooks/ stay the single source and are only read. Each cell tagged `solution` (the convention of
helpers/exercises/__init__.py) becomes, in the course's source/<stem>/<stem>.ipynb:

- an nbgrader solution cell: its "# Hint:" lines, a line naming the answer_* variables to compute, the statements
  that set the task's parameters the check needs (`w_ex, b_ex = 0.2, 0.3`), then the rest of the worked solution
  between `### BEGIN SOLUTION` and `### END SOLUTION`;
- after it, a locked, autograded test cell worth POINTS: the solution's checker imported afresh from
  helpers.exercises (so that a notebook that rebound the name, `check_x = lambda *a, **k: True`, meets the real
  one) and its call as `assert check_x(answer_x, ...)`, the very call the exercise names, which the learner runs to
  check an answer. A call's exact tolerance (rtol=, atol=) would be checked between `### BEGIN HIDDEN TESTS` and
  `### END HIDDEN TESTS`, the visible check using the checker's own; no call of the series has one: each checker
  keeps its tolerance, which its exercise states ("four significant digits"), and the text gives the parameters.

An open question (a solution cell without a checker call) becomes a manually graded answer worth POINTS.
nbgrader's generate_assignment then writes release/<stem>/<stem>.ipynb and the gradebook (gradebook.db, SQLite);
each release is copied to --out as <stem>.ipynb. In a release every other cell is the teacher's, outputs cleared,
and each answer cell holds nbgrader's stub, which raises NotImplementedError: the notebook runs up to its first
unanswered exercise. The course folder also works as-is with nbgrader's own commands and its JupyterHub extension.
"""

from __future__ import annotations

import argparse
import ast
import copy
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import nbformat

from helpers.tools.execute import BUILD, NOTEBOOKS, in_series, make_folder, replacing

SOLUTION = "solution"  # the tag on a worked solution (hidden in JupyterLab)
CHECKERS_MODULE = "helpers.exercises"
POINTS = 1  # per autograded check and per open question
COURSE = BUILD / "nbgrader"
RELEASE = BUILD / "assignment"
TOLERANCES = ("rtol", "atol")  # a checker call's arguments that only grading sees (hidden tests)
TIMEOUT = 60  # seconds a cell may run when nbgrader autogrades it (helpers.tools.grade --timeout overrides it)

CONFIG = f"""\
# nbgrader's configuration of this course, written by `make assignment` (helpers/tools/assignment.py).
# Run nbgrader's commands in this folder, or point JupyterHub's formgrader at it.
c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "linreg-pytorch"
c.Execute.timeout = {TIMEOUT}  # seconds per cell when autograding: a looping submission is interrupted, the rest graded
c.OverwriteCells.add_missing_cells = True  # a deleted test cell is put back and graded
# the feedback shows every test's output but not the hidden tests' code
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "nbgrader.preprocessors.ClearHiddenTests",
]
"""


def python_source(source: str) -> str:
    """a cell's source as plain Python (IPython's %magics and !commands turned into calls), for ast."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def checker_names(nb: nbformat.NotebookNode) -> dict[str, str]:
    """the names a notebook imports from helpers.exercises, each with its import (`from M import name as alias`)."""
    names = {}
    for cell in nb.cells:
        if cell.cell_type == "code":
            for node in ast.walk(ast.parse(python_source(cell.source))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(CHECKERS_MODULE):
                    for alias in node.names:
                        names[alias.asname or alias.name] = f"from {node.module} import {ast.unparse(alias)}"
    return names


def answer_names(source: str) -> list[str]:
    """the answer_* names a solution assigns, in order: what the learner must define."""
    names: list[str] = []
    for node in ast.walk(ast.parse(python_source(source))):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.startswith("answer_"):
            names += [] if node.id in names else [node.id]
    return names


@dataclass(frozen=True)
class Split:
    """one solution cell, taken apart for nbgrader."""

    hints: list[str]  # its "# Hint:" lines, shown above the answer
    setup: list[str]  # statements the checks need that give nothing away: the task's parameters (w_ex = 0.2)
    answer: str  # the rest: the worked answer, between BEGIN SOLUTION and END SOLUTION
    calls: list[str]  # its checker calls, asserted in the test cell
    imports: list[str]  # its imports from helpers.exercises, which go with them


def _names(node: ast.AST, ctx: type) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def split_solution(source: str, checkers: dict[str, str]) -> Split:
    """a solution cell's source taken apart: hints, setup, the answer, the checker calls and their imports.

    A checker call is a top-level statement that is only a call of an imported checker. Setup is a top-level
    statement that binds a name the checker calls (or other setup) use and touches no answer_* name, so that the
    checks run whatever the learner writes.
    """
    code = python_source(source)
    lines = (source if len(source.splitlines()) == len(code.splitlines()) else code).splitlines()
    body = ast.parse(code).body
    text = {id(s): "\n".join(lines[s.lineno - 1 : s.end_lineno or s.lineno]) for s in body}
    imports = [s for s in body if isinstance(s, ast.ImportFrom) and (s.module or "").startswith(CHECKERS_MODULE)]
    calls = [
        s
        for s in body
        if isinstance(s, ast.Expr)
        and isinstance(s.value, ast.Call)
        and isinstance(s.value.func, ast.Name)
        and s.value.func.id in checkers
    ]
    needed = set().union(*(_names(c, ast.Load) for c in calls)) if calls else set()
    setup: list[ast.stmt] = []
    while True:  # setup, and the setup it needs in turn
        more = [
            s
            for s in body
            if s not in setup + calls + imports
            and _names(s, ast.Store) & needed
            and not any(n.startswith("answer_") for n in _names(s, ast.Store) | _names(s, ast.Load))
        ]
        if not more:
            break
        setup += more
        needed |= set().union(*(_names(s, ast.Load) for s in more))
    moved = {n for s in [*imports, *calls, *setup] for n in range(s.lineno - 1, s.end_lineno or s.lineno)}
    hints = [i for i, line in enumerate(lines) if line.strip().lower().startswith("# hint")]
    answer = "\n".join(line for i, line in enumerate(lines) if i not in moved and i not in hints).strip("\n")
    return Split(
        hints=[lines[i].strip() for i in hints],
        setup=[text[id(s)] for s in body if s in setup],
        answer=answer,
        calls=[text[id(s)] for s in calls],
        imports=[text[id(s)] for s in imports],
    )


def _called(call: str) -> str:
    return call.split("(", 1)[0].strip()


def check_source(calls: list[str], imports: list[str], checkers: dict[str, str]) -> str:
    """an autograded test cell: the checkers imported afresh, then each check as the learner runs it.

    A check's exact tolerance (an rtol= or atol= argument) would go between BEGIN and END HIDDEN TESTS, with the
    visible check at the checker's own tolerance; no check of the series passes one today.
    """
    visible, hidden = [], []
    for call in calls:
        node = ast.parse(call.strip()).body[0].value  # type: ignore[attr-defined]
        if any(k.arg in TOLERANCES for k in node.keywords):
            hidden.append(f"assert {call}")
            node.keywords = [k for k in node.keywords if k.arg not in TOLERANCES]
            call = ast.unparse(node)
        visible.append(f"assert {call}")
    fresh = [checkers[_called(call)] for call in calls]  # the checkers themselves, whatever a cell bound to the names
    return "\n".join(
        [
            f'# Graded ({POINTS} point): run this cell to check your answer; it must print "✓ correct".',
            *dict.fromkeys([*imports, *fresh]),
            *visible,
            *(["### BEGIN HIDDEN TESTS", *hidden, "### END HIDDEN TESTS"] if hidden else []),
        ]
    )


def _nbgrader(grade_id: str, *, grade: bool, solution: bool) -> dict[str, Any]:
    """a cell's nbgrader metadata: an answer (solution), a test (grade, locked) or an answer graded by hand (both)."""
    meta: dict[str, Any] = {"grade": grade, "grade_id": grade_id, "locked": not solution, "solution": solution}
    return meta | ({"points": POINTS} if grade else {}) | {"schema_version": 3}


def _unique(grade_id: str, taken: set[str]) -> str:
    n, name = 1, grade_id
    while name in taken:
        n += 1
        name = f"{grade_id}_{n}"
    taken.add(name)
    return name


def id_prefix(stem: str) -> str:
    """the prefix of a notebook's grade ids: nb09 for 09_closed_form (as helpers/exercises/nb09.py)."""
    number = stem.split("_", 1)[0]
    return f"nb{number}" if number.isdigit() else stem


# the teacher's notebooks point to their hidden worked solutions; a release says where the answer goes instead
WORKED = re.compile(r"The\s+worked\s+solutions?\s+(?:is|are)\s+in\s+the\s+hidden\s+cells?[^.]*\.")
IN_RELEASE = (
    "In this assignment, write your answer in the cell after each exercise, where it says `YOUR CODE HERE`, then\n"
    "run the test cell below it."
)


def source_notebook(nb: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """the teacher's notebook as nbgrader's source: solution and test cells marked, outputs cleared (nb unchanged)."""
    out = copy.deepcopy(nb)
    checkers = checker_names(out)
    taken: set[str] = set()
    cells = []
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            cell.metadata.pop("execution", None)
        elif cell.source.startswith("## Exercises"):  # a release has no hidden solutions to point to
            cell.source = WORKED.sub(IN_RELEASE, cell.source)
        tags = cell.metadata.get("tags", [])
        cells.append(cell)
        if SOLUTION not in tags:
            continue
        if tags == [SOLUTION]:
            del cell.metadata["tags"]
        else:
            cell.metadata["tags"] = [t for t in tags if t != SOLUTION]
        cell.metadata.pop("jupyter", None)  # the learner writes here: neither code nor output hidden
        split = split_solution(cell.source, checkers) if cell.cell_type == "code" else None
        if split is None or not split.calls:  # an open question, or a markdown answer: graded by hand
            grade_id = _unique(f"{id_prefix(stem)}_open_question", taken)
            cell.metadata["nbgrader"] = _nbgrader(grade_id, grade=True, solution=True)
            if cell.cell_type == "code":
                task = "# Your answer, in words: print it, or write it as comments. A person grades it."
                cell.source = f"{task}\n### BEGIN SOLUTION\n{cell.source.strip()}\n### END SOLUTION"
            continue
        test_id = _unique(f"{id_prefix(stem)}_{_called(split.calls[0]).removeprefix('check_')}", taken)
        cell.metadata["nbgrader"] = _nbgrader(_unique(f"{test_id}_answer", taken), grade=False, solution=True)
        names = answer_names(cell.source)
        asks = [f"# Your answer: compute {', '.join(names)}; then run the test cell below."] if names else []
        region = ["### BEGIN SOLUTION", split.answer, "### END SOLUTION"]
        cell.source = "\n".join([*split.hints, *asks, *split.setup, *region])
        test = nbformat.v4.new_code_cell(check_source(split.calls, split.imports, checkers))
        test.metadata = {"nbgrader": _nbgrader(test_id, grade=True, solution=False)}
        if "slideshow" in cell.metadata:
            test.metadata["slideshow"] = copy.deepcopy(cell.metadata["slideshow"])
        cells.append(test)
    out.cells = cells
    out.metadata.pop("widgets", None)
    nbformat.validate(out)
    return out


def nbgrader_api(course: Path, config: Any = None) -> Any:
    """nbgrader's API on the course folder, with its nbgrader_config.py and then config on top."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config, PyFileConfigLoader

    # nbgrader runs the `alembic` command when it creates a gradebook: the one installed next to this Python
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([scripts, os.environ.get("PATH", "")])

    merged = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    merged.CourseDirectory.root = str(course.resolve())
    merged.merge(config or Config())
    return NbGraderAPI(config=merged)


def failure(result: dict[str, Any]) -> str:
    """the last line of what nbgrader said when a command failed."""
    lines = [ln.strip() for ln in (result.get("error") or result.get("log") or "").splitlines() if ln.strip()]
    return lines[-1] if lines else "no message"


def write_course(course: Path) -> Path:
    """the course folder with its nbgrader_config.py (rewritten each time)."""
    make_folder(course)
    with replacing(course / "nbgrader_config.py") as tmp:
        tmp.write_text(CONFIG, encoding="utf-8")
    return course


def submissions(api: Any, stem: str) -> int:
    """how many submissions of an assignment the gradebook holds."""
    from nbgrader.api import MissingEntry

    with api.gradebook as gb:
        try:
            return len(gb.find_assignment(stem).submissions)
        except MissingEntry:
            return 0


def build(
    paths: list[Path], course: Path = COURSE, out: Path | None = RELEASE, force: bool = False
) -> tuple[list[Path], list[str]]:
    """each notebook as an assignment of the course, generated with nbgrader; the releases copied into out.

    An assignment whose notebook changed since its release is released anew only if no submission of it was graded,
    or with force: a class's submissions are graded against the release they were given. Returns the releases (in the
    course's release/ folder when out is None) and a line for each one kept. Raises RuntimeError (one line) when
    nbgrader fails.
    """
    api = nbgrader_api(write_course(course))
    released, kept = [], []
    for path in paths:
        stem = path.stem
        source = course / "source" / stem / path.name
        text = nbformat.writes(source_notebook(nbformat.read(path, as_version=4), stem))
        graded = submissions(api, stem) if source.is_file() and source.read_text(encoding="utf-8") != text else 0
        if graded and not force:
            kept.append(f"{path.name}: changed, but {graded} submission(s) were graded against its release: kept it")
        else:
            with replacing(make_folder(source.parent) / path.name) as tmp:
                tmp.write_text(text, encoding="utf-8")
            result = api.generate_assignment(stem, force=True, create=True)
            if not result["success"]:
                raise RuntimeError(f"nbgrader generate_assignment {stem}: {failure(result)}")
        release = course / "release" / stem / path.name
        if out is not None:
            with replacing(make_folder(out) / path.name) as tmp:
                shutil.copyfile(release, tmp)
            release = out / path.name
        released.append(release)
    return released, kept


def graded_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """the cells worth points: autograded tests and answers graded by hand."""
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line, with exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="assignment", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks to release (default: the whole series)")
    parser.add_argument(
        "--course", type=Path, default=COURSE, help="nbgrader's course folder (default: build/nbgrader)"
    )
    parser.add_argument("--out", type=Path, default=RELEASE, help="the releases, one file each (build/assignment)")
    parser.add_argument("--force", action="store_true", help="release anew even what submissions were graded against")
    args = parser.parse_args(argv)
    for folder in (args.course, args.out):
        if in_series(folder):
            parser.error(f"{folder} is inside {NOTEBOOKS}, which nothing but --refresh writes into")
    paths = args.notebooks or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            parser.error(f"not a notebook: {path}")
    start = time.perf_counter()
    try:
        released, kept = build(paths, args.course.resolve(), args.out.resolve(), args.force)
    except (OSError, ValueError, RuntimeError) as e:
        print(f"assignment: {e}", file=sys.stderr)
        return 1
    for path in released:
        cells = graded_cells(nbformat.read(path, as_version=4))
        auto = sum(not c.metadata.nbgrader.get("solution") for c in cells)
        print(f"{path.name:<34}{auto} autograded, {len(cells) - auto} by hand, {len(cells) * POINTS} points")
    for line in kept:
        print(line + " (--force releases it anew)")
    print(f"Released into {args.out}/ (nbgrader's course: {args.course}/) in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
