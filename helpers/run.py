"""Execute the whole series headless and print what it found (this is `make run`).

    python -m helpers.run [--out build/run] [--jobs 2]

Executed copies and an HTML page per notebook go to --out; notebooks/ is only read.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .data import TRUE_B, TRUE_W
from .execute import BUILD, NOTEBOOKS, Executed, execute, shown
from .results import read_results

TRAINING = "05_training.ipynb"


def _execute(args: tuple[Path, Path]) -> Executed:
    return execute(*args)


def summary(runs: list[Executed], out: Path) -> str:
    """the table `make run` ends with: each notebook's status and time, then the fitted line."""
    lines = ["", f"{'notebook':<34}{'status':<8}{'time':>8}"]
    for r in runs:
        status = "ok" if r.error is None else "FAILED"
        lines.append(f"{r.source.name:<34}{status:<8}{r.seconds:>6.1f} s")
        if r.error:
            lines.append(f"    {r.error}")
    trained = [r for r in runs if r.source.name == TRAINING and r.error is None]
    if trained:
        res = read_results(trained[0].output)
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
    lines += ["", f"{len(runs)} notebooks, {sum(r.error is None for r in runs)} ok, {total:.1f} s of kernel time.",
              f"Executed copies and HTML pages are in {shown(out)}/"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute every notebook of the series into an output folder.")
    parser.add_argument("--out", type=Path, default=BUILD / "run", help="output folder (default: build/run)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="notebooks run at once")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error(f"--jobs must be >= 1, got {args.jobs}")
    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if not notebooks:
        parser.error(f"no notebooks found in {NOTEBOOKS}")
    print(f"Executing {len(notebooks)} notebooks with papermill, {args.jobs} at a time ...", flush=True)
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = []
        for r in pool.map(_execute, [(nb, args.out) for nb in notebooks]):
            print(f"  {'ok    ' if r.error is None else 'FAILED'} {r.source.name} ({r.seconds:.1f} s)", flush=True)
            runs.append(r)
    print(summary(runs, args.out))
    print(f"Wall time {time.perf_counter() - start:.1f} s.")
    return 0 if all(r.error is None for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
