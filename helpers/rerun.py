"""Rerun a notebook with other parameters, or sweep a grid of them, on papermill's Python API.

    python -m helpers.rerun notebooks/05_training.ipynb -p learning_rate 0.009 --out build/rerun
    python -m helpers.rerun notebooks/05_training.ipynb --sweep learning_rate=0.001,0.009 --sweep activation=relu,none

Parameters are checked against the notebook's `parameters` cell before any kernel starts (exit 2 if bad).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import multiprocessing
import os
import signal
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

import psutil  # a dependency of ipykernel's IPython
from tqdm import tqdm

from .data import original_data
from .execute import BUILD, NOTEBOOKS, execute, in_series, shown
from .params import ParameterError, collect, folder_name
from .results import read_results
from .solve import spectrum
from .sweep import write_summary

BAD_INPUT, INTERRUPTED = 2, 130  # exit statuses


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line."""

    def error(self, message: str) -> NoReturn:
        self.exit(BAD_INPUT, f"rerun: error: {message} (see --help)\n")


def stop(processes: list[psutil.Process], timeout: float = 5.0) -> None:
    """terminate these processes (kernels, workers), wait for them, and kill any that linger."""
    for p in processes:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    for p in psutil.wait_procs(processes, timeout=timeout)[1]:
        with contextlib.suppress(psutil.Error):
            p.kill()


def run_one(source: Path, out_dir: Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """execute source into out_dir and read its outcome; a failing notebook gives status "error"."""
    before = set(psutil.Process().children(recursive=True))
    try:
        run = execute(source, out_dir, parameters, html=True)
    finally:  # helpers.execute leaves its kernel running (papermill shuts down only kernels it started)
        stop([p for p in psutil.Process().children(recursive=True) if p not in before])
    res, error = {}, run.error
    if error is None:
        try:
            res = read_results(run.output)
        except ValueError as e:
            error = str(e).splitlines()[0]
    return {**parameters, **res, "status": "error" if error else res["status"], "error": error,
            "seconds": round(run.seconds, 2), "output": str(run.output), "html": run.html and str(run.html)}


def _task(task: tuple[int, Path, Path, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    return task[0], run_one(*task[1:])


def outcome(name: str, parameters: dict[str, Any], row: dict[str, Any]) -> str:
    """one line for people: how the run ended, its fitted line, and where its notebook is."""
    given = " [" + " ".join(f"{k}={v}" for k, v in parameters.items()) + "]" if parameters else ""
    if row["status"] == "error":
        return f"{name}{given}: error: {row['error']} (partial notebook -> {shown(row['output'])})"
    w, b, loss, d = (("n/a" if row.get(k) is None else format(row[k], f)) for k, f in
                     (("w", ".6f"), ("b", ".6f"), ("final_loss", ".4e"), ("distance", ".2g")))
    return (f"{name}{given}: {row['status']} after {row['updates']} updates; w = {w}, b = {b}, final loss {loss}, "
            f"{d} from the closed form -> {shown(row['output'])}")


def sweep(source: Path, fixed: dict[str, Any], grid: dict[str, list[Any]], out: Path, jobs: int,
          as_json: bool) -> int:
    """run every combination of grid (with fixed), jobs at a time; write the summary; return the exit status."""
    combos = [dict(zip(grid, vs)) for vs in itertools.product(*grid.values())]
    tasks = [(i, source, out / folder_name(c), {**fixed, **c}) for i, c in enumerate(combos)]
    done: dict[int, dict[str, Any]] = {}
    start, interrupted = time.perf_counter(), False
    fork = "fork" in multiprocessing.get_all_start_methods()  # workers start at once, helpers already imported
    workers = min(jobs, len(tasks))
    pool = multiprocessing.get_context("fork" if fork else "spawn").Pool(
        workers, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))  # Ctrl-C is the parent's
    try:
        with tqdm(total=len(tasks), desc=source.name, unit="run", file=sys.stderr) as bar:
            for i, row in pool.imap_unordered(_task, tasks):
                done[i] = {**row, **combos[i], "folder": tasks[i][2].name}
                if not as_json:
                    bar.write(outcome(source.name, combos[i], row), file=sys.stdout)
                    sys.stdout.flush()
                bar.update()
        pool.close()
    except BaseException as e:  # Ctrl-C, or an error here: no worker or kernel may outlive the sweep
        interrupted = isinstance(e, KeyboardInterrupt)
        if interrupted:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
        children = psutil.Process().children(recursive=True)  # the workers and their kernels
        pool.terminate()
        stop(children)  # the kernels too, which would otherwise outlive their workers by a second
        if not interrupted:
            pool.join()
            raise
    pool.join()
    rows = [done[i] for i in sorted(done)]
    counts = ", ".join(f"{n} {s}" for s, n in Counter(r["status"] for r in rows).items()) or "none"
    setting = " ".join(f"{k}={v}" for k, v in fixed.items()) or "the notebook's defaults"
    heading = (f"Sweep of {source.name} over {' x '.join(grid)} ({len(tasks)} runs; other parameters: {setting}): "
               f"{len(rows)} finished{' before the sweep was interrupted' if interrupted else ''} ({counts}).")
    paths = write_summary(rows, out, list(grid), heading, spectrum(original_data()[0], "sum"),
                          f"{source.name}: distance to the closed form at the end of each run")
    if as_json:
        print(json.dumps(rows, indent=1))
    else:
        print(f"\n{(out / 'summary.md').read_text(encoding='utf-8').rstrip()}\n\nWall time "
              f"{time.perf_counter() - start:.1f} s, {workers} at a time. Summary: {', '.join(map(shown, paths))}")
    if interrupted:
        print(f"rerun: interrupted: {len(rows)} of {len(tasks)} runs finished; summary in {shown(out)}", file=sys.stderr)
        return INTERRUPTED
    return 1 if any(r["status"] == "error" for r in rows) else 0


def main(argv: list[str] | None = None) -> int:
    parser = Parser(prog="python -m helpers.rerun", description=__doc__,
                    formatter_class=argparse.RawDescriptionHelpFormatter)
    add = parser.add_argument
    add("notebook", type=Path, metavar="NOTEBOOK", help="the notebook to run (only read, never written)")
    add("-p", "--parameters", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="a parameter, read as papermill reads it: True/False/None, an int, a float, else a string")
    add("-r", "--parameters_raw", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="a parameter kept as a string")
    add("-y", "--parameters_yaml", action="append", default=[], metavar="YAML", help="parameters as YAML")
    add("-f", "--parameters_file", action="append", default=[], metavar="FILE", help="parameters from a YAML file")
    add("--sweep", action="append", default=[], metavar="NAME=V1,V2,...",
        help="run each value; repeat it to run every combination")
    add("--jobs", type=int, default=os.cpu_count() or 1, metavar="N", help="runs at once (default: one per core)")
    add("--out", type=Path, metavar="DIR", help="output folder (default: build/rerun, or build/sweep for a sweep)")
    add("--json", action="store_true", help="print the outcome as JSON")
    args = parser.parse_args(argv)
    out = (args.out or BUILD / ("sweep" if args.sweep else "rerun")).resolve()
    try:
        if args.jobs < 1:
            raise ParameterError(f"--jobs must be >= 1, got {args.jobs}")
        if in_series(out):
            raise ParameterError(f"--out must be outside {shown(NOTEBOOKS)}: reruns never write into the series")
        fixed, grid = collect(args.notebook, args.parameters, args.parameters_raw, args.parameters_yaml,
                              args.parameters_file, args.sweep)
        if not grid and out / args.notebook.name == args.notebook.resolve():
            raise ParameterError(f"--out {shown(out)} would overwrite the notebook itself: choose another folder")
    except ParameterError as e:
        parser.exit(BAD_INPUT, f"rerun: error: {e}\n")
    source = args.notebook.resolve()
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C stops cleanly, even where SIGINT was ignored
    if grid:
        return sweep(source, fixed, grid, out, args.jobs, args.json)
    try:
        row = run_one(source, out, fixed)
    except KeyboardInterrupt:
        print("rerun: interrupted", file=sys.stderr)
        return INTERRUPTED
    print(json.dumps(row, indent=1) if args.json else outcome(source.name, fixed, row))
    return 1 if row["status"] == "error" else 0


if __name__ == "__main__":
    sys.exit(main())
