"""Rerun a notebook with other parameters, or sweep a grid of them, on papermill's Python API.

    python -m helpers.tools.rerun notebooks/05_training.ipynb -p learning_rate 0.009 --out build/rerun
    python -m helpers.tools.rerun notebooks/05_training.ipynb --sweep learning_rate=0.001,0.009 \\
        --sweep activation=relu,none

Parameters are checked against the notebook's `parameters` cell before any kernel starts (exit 2 if bad).
What only a sweep needs (its progress bar, summary figure and table: matplotlib, torch) is imported by sweep().
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
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, NoReturn

import psutil  # a dependency of ipykernel's IPython

from helpers.tools import exit_without_collecting
from helpers.tools.execute import (
    BUILD,
    NOTEBOOKS,
    OutputError,
    check_target,
    execute,
    in_series,
    make_folder,
    shown,
    temporary_path,
)
from helpers.tools.params import MAX_YAML, ParameterError, collect, folder_name
from helpers.tools.results import has_results, read_results

BAD_INPUT, FAILED, INTERRUPTED = 2, 1, 130  # exit statuses
NO_RESULTS = "ok"  # the status of a run of a notebook that publishes no results
PENDING, STARTED, FINISHED, STOPPED = 0, 1, 2, 3  # what a sweep worker did with a run (see _task)


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
    """execute source into out_dir and read its outcome; a failing notebook gives status "error".

    A notebook without a cell tagged "results" gives status "ok" and a note. Raises OutputError when the
    outputs cannot be written (a full disk): that ends a sweep, not just this run.
    """
    before = set(psutil.Process().children(recursive=True))
    try:
        run = execute(source, out_dir, parameters, html=True)
    finally:  # helpers.tools.execute leaves its kernel running (papermill shuts down only kernels it started)
        stop([p for p in psutil.Process().children(recursive=True) if p not in before])
    res, error, note = {}, run.error, None
    if error is None and run.notebook is not None and not has_results(run.notebook):
        note = "no results to report (the notebook has no cell tagged 'results')"
    elif error is None:
        try:
            res = read_results(run.output, run.notebook)  # the copy this run wrote, never a file left from another
        except ValueError as e:
            error = str(e).splitlines()[0]
    status = "error" if error else res.get("status", NO_RESULTS)
    return {
        **parameters,
        **res,
        "status": status,
        "error": error,
        "note": note,
        "seconds": round(run.seconds, 2),
        "output": str(run.output) if run.notebook is not None else None,
        "html": run.html and str(run.html),
    }


def failed_row(parameters: dict[str, Any], message: str) -> dict[str, Any]:
    """the row of a run that ended without an outcome of its own (its worker died, or its outputs failed)."""
    return {
        **parameters,
        "status": "error",
        "error": message,
        "note": None,
        "seconds": None,
        "output": None,
        "html": None,
    }


_states: Any = None  # in a sweep worker: the shared array of run states (PENDING .. STOPPED), one byte a run
_current: int | None = None  # in a sweep worker: the run it is executing


def _worker_init(states: Any) -> None:
    """a sweep worker: Ctrl-C is the parent's; SIGTERM (the parent stopping it) stops its kernels first."""
    global _states
    _states = states
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: Any) -> NoReturn:
    """SIGTERM in a worker: stop its kernels, mark its run as stopped (not failed), and exit at once."""
    stop(psutil.Process().children(recursive=True), timeout=2.0)
    if _current is not None:
        _states[_current] = STOPPED  # shared memory: no lock, nothing that could block in a signal handler
    os._exit(128 + signum)


def _task(task: tuple[int, Path, Path, dict[str, Any]]) -> tuple[int, dict[str, Any]]:
    global _current
    _current = task[0]
    _states[task[0]] = STARTED
    try:
        return task[0], run_one(*task[1:])
    finally:
        _states[task[0]] = FINISHED
        _current = None


def outcome(name: str, parameters: dict[str, Any], row: dict[str, Any]) -> str:
    """one line for people: how the run ended, its fitted line, and where its notebook is."""
    given = " [" + " ".join(f"{k}={v}" for k, v in parameters.items()) + "]" if parameters else ""
    if row["status"] == "error":
        kept = f" (partial notebook -> {shown(row['output'])})" if row.get("output") else ""
        return f"{name}{given}: error: {row['error']}{kept}"
    if row["status"] == NO_RESULTS:
        return f"{name}{given}: ok; {row['note']} -> {shown(row['output'])}"
    w, b, loss, d = (
        ("n/a" if row.get(k) is None else format(row[k], f))
        for k, f in (("w", ".6f"), ("b", ".6f"), ("final_loss", ".4e"), ("distance", ".2g"))
    )
    return (
        f"{name}{given}: {row['status']} after {row['updates']} updates; w = {w}, b = {b}, final loss {loss}, "
        f"{d} from the closed form -> {shown(row['output'])}"
    )


def sweep(source: Path, fixed: dict[str, Any], grid: dict[str, list[Any]], out: Path, jobs: int, as_json: bool) -> int:
    """run every combination of grid (with fixed), jobs at a time; write the summary; return the exit status.

    A worker that dies (kill -9, the OOM killer) breaks its process pool: its run is recorded as failed and
    the runs it took down with it, or that had not started, go on in a fresh pool. A run that cannot write
    its outputs (a full disk) stops the sweep: the runs under way finish, none start, the summary is written.
    """
    # imported before the workers fork, so that they start with them: torch too, which read_results needs
    from tqdm import tqdm

    import helpers.results  # noqa: F401
    from helpers.data import original_data
    from helpers.solve import spectrum
    from helpers.tools.summary import summary_markdown, write_summary

    combos = [dict(zip(grid, vs)) for vs in itertools.product(*grid.values())]
    tasks = [(i, source, out / folder_name(c), {**fixed, **c}) for i, c in enumerate(combos)]
    done: dict[int, dict[str, Any]] = {}
    start, interrupted, halted = time.perf_counter(), False, None
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    workers = min(jobs, len(tasks))
    states = context.RawArray("b", len(tasks))
    todo = list(range(len(tasks)))

    with tqdm(total=len(tasks), desc=source.name, unit="run", file=sys.stderr) as bar:

        def record(i: int, row: dict[str, Any]) -> None:
            done[i] = {**row, **combos[i], "folder": tasks[i][2].name}
            if not as_json:
                bar.write(outcome(source.name, combos[i], row), file=sys.stdout)
                sys.stdout.flush()
            bar.update()

        while todo and halted is None and not interrupted:
            lost: list[int] = []
            pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init, initargs=(states,))
            running: dict[Any, int] = {}
            try:
                while todo or running:
                    while todo and len(running) < workers and halted is None and not lost:
                        i = todo.pop(0)
                        states[i] = PENDING
                        try:
                            running[pool.submit(_task, tasks[i])] = i
                        except BrokenProcessPool:
                            lost.append(i)
                    if not running:
                        break
                    finished, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in finished:
                        i = running.pop(future)
                        try:
                            record(*future.result())
                        except BrokenProcessPool:
                            lost.append(i)
                        except OutputError as e:  # a full disk: this run is lost, and the next would be too
                            halted = str(e)
                            record(i, failed_row(tasks[i][3], str(e)))
                        except Exception as e:  # anything else that escaped the run: it failed, the sweep goes on
                            record(i, failed_row(tasks[i][3], f"{type(e).__name__}: {e}".splitlines()[0]))
            except BaseException as e:  # Ctrl-C, or an error here: no worker or kernel may outlive the sweep
                interrupted = isinstance(e, KeyboardInterrupt)
                if interrupted:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup short
                stop(psutil.Process().children(recursive=True))  # the workers (which stop their kernels) and kernels
                pool.shutdown(wait=True, cancel_futures=True)
                if not interrupted:
                    raise
                break
            pool.shutdown(wait=True)  # every worker has exited: their run states are final
            for i in lost:
                if states[i] == STARTED:  # its worker died under it: killed by a signal, as the OOM killer does
                    record(
                        i,
                        failed_row(
                            tasks[i][3],
                            "its worker process died (killed by a signal, as the "
                            "out-of-memory killer does); the sweep went on without it",
                        ),
                    )
                else:  # not started yet, or stopped because another worker died: run it in a fresh pool
                    todo.append(i)
            todo.sort()

    rows = [done[i] for i in sorted(done)]
    counts = ", ".join(f"{n} {s}" for s, n in Counter(r["status"] for r in rows).items()) or "none"
    setting = " ".join(f"{k}={v}" for k, v in fixed.items()) or "the notebook's defaults"
    why = " before the sweep was interrupted" if interrupted else f" before it stopped ({halted})" if halted else ""
    heading = (
        f"Sweep of {source.name} over {' x '.join(grid)} ({len(tasks)} runs; other parameters: {setting}): "
        f"{len(rows)} finished{why} ({counts})."
    )
    try:
        paths = write_summary(
            rows,
            out,
            list(grid),
            heading,
            spectrum(original_data()[0], "sum"),
            f"{source.name}: distance to the closed form at the end of each run",
        )
    except OutputError as e:
        paths = []
        print(
            f"rerun: error: the summary could not be written ({e}); {len(rows)} of {len(tasks)} runs finished",
            file=sys.stderr,
        )
    if as_json:
        print(json.dumps(rows, indent=1))
    else:
        where = f" Summary: {', '.join(map(shown, paths))}" if paths else ""
        print(
            f"\n{summary_markdown(rows, list(grid), heading).rstrip()}\n\nWall time "
            f"{time.perf_counter() - start:.1f} s, {workers} at a time.{where}"
        )
    if interrupted:
        print(
            f"rerun: interrupted: {len(rows)} of {len(tasks)} runs finished; summary in {shown(out)}", file=sys.stderr
        )
        return INTERRUPTED
    if halted and paths:
        print(
            f"rerun: error: stopped after {len(rows)} of {len(tasks)} runs: {halted}; the finished runs are in "
            f"{shown(out / 'summary.csv')}",
            file=sys.stderr,
        )
    if not paths:
        return FAILED
    return FAILED if any(r["status"] == "error" for r in rows) else 0


def check_out(out: Path, targets: list[Path]) -> None:
    """out as a folder we can write (created if missing), and no target in it leading into notebooks/.

    Raises ParameterError in one line: a file, /dev/null, a read-only folder, a symlink into the series.
    """
    try:
        if in_series(out):
            raise ParameterError(f"--out must be outside {shown(NOTEBOOKS)}: reruns never write into the series")
        for target in targets:
            check_target(target)
        make_folder(out)
        temporary_path(out / "write-test").unlink()  # a read-only folder or file system fails here
    except (ValueError, OutputError) as e:
        raise ParameterError(f"--out {shown(out)}: {e}") from None


def main(argv: list[str] | None = None) -> int:
    """the command line; returns the exit status: 0 ok, 1 a run failed, 2 refused before running, 130 Ctrl-C."""
    parser = Parser(
        prog="python -m helpers.tools.rerun", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add = parser.add_argument
    add("notebook", type=Path, metavar="NOTEBOOK", help="the notebook to run (only read, never written)")
    add(
        "-p",
        "--parameters",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter, read as papermill reads it: True/False/None, an int, a float, else a string",
    )
    add(
        "-r",
        "--parameters_raw",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter kept as a string",
    )
    add(
        "-y",
        "--parameters_yaml",
        action="append",
        default=[],
        metavar="YAML",
        help=f"parameters as a YAML mapping (at most {MAX_YAML // 1024} KiB; no anchors or aliases)",
    )
    add(
        "-f",
        "--parameters_file",
        action="append",
        default=[],
        metavar="FILE",
        help=f"parameters from a YAML file (UTF-8, at most {MAX_YAML // 1024} KiB; no anchors or aliases)",
    )
    add(
        "--sweep",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="run each value (no two equal once read); repeat it to run every combination",
    )
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
        fixed, grid = collect(
            args.notebook, args.parameters, args.parameters_raw, args.parameters_yaml, args.parameters_file, args.sweep
        )
        if not grid and out / args.notebook.name == args.notebook.resolve():
            raise ParameterError(f"--out {shown(out)} would overwrite the notebook itself: choose another folder")
        name, stem = args.notebook.name, args.notebook.stem
        combos = [dict(zip(grid, vs)) for vs in itertools.product(*grid.values())]
        folders = [out / folder_name(c) for c in combos] if grid else [out]
        targets = [f / n for f in folders for n in (name, stem + ".html")]
        if grid:
            targets += [out / f"summary.{ext}" for ext in ("csv", "md", "png")]
        check_out(out, targets)
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
    except (OutputError, ValueError) as e:  # a full disk, or a path changed under us since the checks
        print(f"rerun: error: {e}", file=sys.stderr)
        return FAILED
    print(json.dumps(row, indent=1) if args.json else outcome(source.name, fixed, row))
    return FAILED if row["status"] == "error" else 0


if __name__ == "__main__":
    exit_without_collecting()
    sys.exit(main())
