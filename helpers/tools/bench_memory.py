"""Peak extra memory of training, read from the RSS high-water mark of a fresh process (Linux; elsewhere
approximate).

    python -m helpers.tools.bench_memory --points 10000000 --method hand   # prints one JSON line
    python -m helpers.tools.bench_memory --method hand --method stats      # one line each, measured at once

"train" is one whole train() call: its input checks, the updates, and the closed-form comparison that
sets its status; "step" is only the method's updates (for "stats", its one pass and the O(1) steps).

torch allocates outside Python's allocator, so tracemalloc cannot see tensors; the kernel's count of
resident pages can. The data are built in place (no temporaries), a small warm-up run loads everything
lazy, the high-water mark is reset (Linux: /proc/self/clear_refs), and then each part runs.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import torch

from helpers.tools import exit_without_collecting
from helpers.training import METHODS, STEPS, train

PARTS = ("train", "step")  # the whole train() call; the updates alone

STATUS = Path("/proc/self/status")


def _kib(field: str) -> int:
    """a VmRSS / VmHWM field of /proc/self/status, in bytes (elsewhere: the peak so far, from getrusage)."""
    if not STATUS.exists():
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024  # macOS counts bytes, Linux KiB
    found = re.search(rf"^{field}:\s+(\d+) kB", STATUS.read_text(), re.M)
    if found is None:
        raise RuntimeError(f"{STATUS} has no {field} line")
    return int(found.group(1)) * 1024


def _reset_peak() -> bool:
    """make the high-water mark equal the current RSS; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def _run(part: str, X: torch.Tensor, y: torch.Tensor, method: str, updates: int) -> None:
    w, b = torch.full((1, 1), 0.5, dtype=torch.float64), torch.full((1, 1), 0.7, dtype=torch.float64)
    lr = 0.1 / X.shape[0]  # well inside the sum loss's stability limit, about 0.25 / n for this data
    if part == "train":
        train(X, y, w, b, lr=lr, num_updates=updates, method=method)
        return
    step = STEPS[method](X, y, "sum", "relu")  # what train() builds: for "stats", the one pass
    for _ in range(updates):
        _, dw, db = step(w, b)
        w.sub_(lr * dw)
        b.sub_(lr * db)


def measure(points: int, method: str, updates: int = 3, seed: int = 0) -> dict[str, float | bool]:
    """in this process: bytes of X and y, and the peak bytes each part adds on top of them.

    The updates alone run first, then the whole train() call: train() makes the same updates and more,
    so its peak is the larger one and shows even where the high-water mark cannot be reset.
    """
    g = torch.Generator().manual_seed(seed)
    X = torch.empty(points, 1, dtype=torch.float64).uniform_(0.01, 3.001, generator=g)
    y = torch.empty_like(X).normal_(0.0, 0.05, generator=g).add_(X, alpha=0.175).add_(0.4)
    result: dict[str, float | bool] = {"data_bytes": float(X.nbytes + y.nbytes)}
    for part in ("step", "train"):
        _run(part, X[:1000], y[:1000], method, updates)  # warm-up: lazy loads, thread pools
        result["reset"] = _reset_peak()
        before = _kib("VmHWM")  # = the RSS just now, read the same way as the peak below
        _run(part, X, y, method, updates)
        # the kernel sums its page counters per CPU and reads them approximately (a few pages either way),
        # so at small N a part that adds nothing can read a few KiB below zero: that is 0, not a gain
        result[part] = float(max(0, _kib("VmHWM") - before))
    return result


def measure_each(points: int, methods: list[str], updates: int = 3) -> dict[str, dict[str, float]]:
    """{method: measure(points, method, updates)}, each in a child forked from this process, all at once.

    Called where this process has imported torch and done nothing else, each child starts as a fresh interpreter
    would after `import torch`, without paying for that import again. A child that fails stops the others."""
    result: Mapping[str, object]
    pids: dict[str, int] = {}
    pipes: dict[str, int] = {}  # the read end of each child's pipe
    try:
        for m in methods:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: measure, hand the result back, and leave without the parent's exit handlers
                os.close(read)
                code, result = 1, {"error": "interrupted"}
                try:
                    code, result = 0, measure(points, m, updates)
                except BaseException as e:  # anything: the parent reports it and stops the others
                    result = {"error": f"{type(e).__name__}: {e}"}
                finally:
                    with contextlib.suppress(OSError):  # a parent gone: nobody to tell
                        os.write(write, json.dumps(result).encode())
                    os._exit(code)
            os.close(write)
            pids[m], pipes[m] = pid, read
        out = {}
        for m in methods:
            with os.fdopen(pipes.pop(m), "rb") as pipe:
                text = pipe.read()
            os.waitpid(pids.pop(m), 0)
            got = json.loads(text or b'{"error": "it ended with no result"}')
            if "error" in got:
                raise RuntimeError(f"--method {m} failed: {got['error']}")
            out[m] = got
        return out
    finally:  # one failed or this process was interrupted: the others must not run on alone
        for pid in pids.values():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        for read in pipes.values():
            os.close(read)


def peak_extras(points: int, updates: int = 3) -> dict[str, dict[str, float]]:
    """{part: {method: peak extra memory}} in units of the bytes of X and y together, measured in one fresh
    subprocess that forks a child per method (measure_each)."""
    cmd = [sys.executable, "-m", "helpers.tools.bench_memory", "--points", str(points), "--updates", str(updates)]
    for m in METHODS:
        cmd += ["--method", m]
    # a session of its own: if this process gives up, the subprocess and its children all end with it
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"helpers.tools.bench_memory failed:\n{stderr.strip()}")
    out: dict[str, dict[str, float]] = {part: {} for part in PARTS}
    for line in stdout.strip().splitlines():
        result = json.loads(line)
        for part in PARTS:
            out[part][result["method"]] = result[part] / result["data_bytes"]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10**7)
    parser.add_argument(
        "--method",
        choices=METHODS,
        action="append",
        help="a training method (default hand); several are measured at once, one child each",
    )
    parser.add_argument("--updates", type=int, default=3)
    args = parser.parse_args(argv)
    if args.points < 1 or args.updates < 0:
        parser.error(f"--points must be >= 1 and --updates >= 0, got {args.points} and {args.updates}")
    methods = list(dict.fromkeys(args.method or ["hand"]))
    if len(methods) == 1:
        print(json.dumps({"method": methods[0], **measure(args.points, methods[0], args.updates)}))
        return
    try:
        results = measure_each(args.points, methods, args.updates)
    except RuntimeError as e:
        sys.exit(f"helpers.tools.bench_memory: {e}")
    for m, result in results.items():
        print(json.dumps({"method": m, **result}))


if __name__ == "__main__":
    exit_without_collecting()
    main()
