"""Execute the whole series headless and print what it found (this is `make run`).

    python -m helpers.tools.run [--out build/run] [--jobs 2] [--only 01 05 ...]

Executed copies and an HTML page per notebook go to --out, each written atomically (two runs into one
folder at once both succeed); the pages load nothing from the network; notebooks/ is only read.
Exit status: 0 all ran, 1 a notebook failed (or its outputs could not be written), 2 refused before running.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from helpers.data import TRUE_B, TRUE_W
from helpers.tools import exit_without_collecting
from helpers.tools.execute import (
    BUILD,
    NOTEBOOKS,
    Executed,
    OutputError,
    execute,
    in_series,
    make_folder,
    shown,
    temporary_path,
)
from helpers.tools.results import read_results

BAD_INPUT = 2

TRAINING = "05_training.ipynb"


def _execute(args: tuple[Path, Path]) -> Executed:
    """one notebook in a worker; a file it cannot write (a full disk) is recorded as its error, in one line."""
    try:
        return execute(*args)
    except (OutputError, ValueError) as e:
        return Executed(args[0], args[1] / args[0].name, None, 0.0, str(e))


def summary(runs: list[Executed], out: Path) -> str:
    """the table `make run` ends with: each notebook's status and time, then the fitted line."""
    lines = ["", f"{'notebook':<34}{'status':<8}{'time':>8}"]
    for r in runs:
        status = "ok" if r.error is None else "FAILED"
        lines.append(f"{r.source.name:<34}{status:<8}{r.seconds:>6.1f} s")
        if r.error:
            lines.append(f"    {r.error}")
    trained = [r for r in runs if r.source.name == TRAINING and r.error is None]
    try:
        res = read_results(trained[0].output, trained[0].notebook) if trained else None
    except ValueError as e:
        lines += ["", str(e).splitlines()[0]]
        res = None
    if res is not None:
        lines += [
            "",
            f"{TRAINING}: {res['status']} after {res['updates']} updates "
            f"(lr {res['learning_rate']:g}, activation {res.get('activation', '?')}, seed {res.get('seed', '?')})",
            f"{'':>6}{'fitted':>12}{'truth':>12}{'closed form':>14}",
            f"{'w':>6}{res['w']:>12.6f}{TRUE_W:>12.6f}{res['w_star']:>14.6f}",
            f"{'b':>6}{res['b']:>12.6f}{TRUE_B:>12.6f}{res['b_star']:>14.6f}",
            f"final loss {res['final_loss']:.4e}",
        ]
    total = sum(r.seconds for r in runs)
    lines += [
        "",
        f"{len(runs)} notebooks, {sum(r.error is None for r in runs)} ok, {total:.1f} s of kernel time.",
        f"Executed copies and HTML pages are in {shown(out)}/",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """`make run`; returns the exit status."""
    parser = argparse.ArgumentParser(description="Execute every notebook of the series into an output folder.")
    parser.add_argument("--out", type=Path, default=BUILD / "run", help="output folder (default: build/run)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="notebooks run at once")
    parser.add_argument(
        "--only", nargs="+", metavar="NN", help="only these notebooks, by number or name (01 05_training)"
    )
    args = parser.parse_args(argv)

    def refuse(message: str) -> int:
        print(f"run: error: {message}", file=sys.stderr)
        return BAD_INPUT

    if args.jobs < 1:
        return refuse(f"--jobs must be >= 1, got {args.jobs}")
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        return refuse(f"no notebooks found in {NOTEBOOKS}")
    if args.only:
        unknown = [n for n in args.only if not any(nb.stem.startswith(n) for nb in notebooks)]
        if unknown:
            return refuse(f"--only: no notebook starts with {', '.join(unknown)}")
        notebooks = [nb for nb in notebooks if any(nb.stem.startswith(n) for n in args.only)]
    out = args.out.resolve()
    if in_series(out):
        return refuse(f"--out must be outside {shown(NOTEBOOKS)}: executed copies never overwrite the series")
    try:
        make_folder(out)
        temporary_path(out / "write-test").unlink()  # a read-only folder or file system fails here
    except (OutputError, ValueError) as e:
        return refuse(f"--out {shown(out)}: {e}")
    print(f"Executing {len(notebooks)} notebooks with papermill, {args.jobs} at a time ...", flush=True)
    start = time.perf_counter()
    runs = []
    try:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            for r in pool.map(_execute, [(nb, out) for nb in notebooks]):
                print(f"  {'ok    ' if r.error is None else 'FAILED'} {r.source.name} ({r.seconds:.1f} s)", flush=True)
                runs.append(r)
    except BrokenProcessPool:  # a worker was killed (the out-of-memory killer): say so, keep what finished
        print(summary(runs, out))
        print(
            f"run: error: a worker process died (killed by a signal) after {len(runs)} of {len(notebooks)} notebooks",
            file=sys.stderr,
        )
        return 1
    print(summary(runs, out))
    print(f"Wall time {time.perf_counter() - start:.1f} s.")
    return 0 if all(r.error is None for r in runs) else 1


if __name__ == "__main__":
    exit_without_collecting()
    sys.exit(main())
