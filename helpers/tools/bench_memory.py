"""Peak extra memory of training, read from the RSS high-water mark of a fresh subprocess (Linux; elsewhere
approximate).

    python -m helpers.tools.bench_memory --points 10000000 --method hand   # prints one JSON line

"train" is one whole train() call: its input checks, the updates, and the closed-form comparison that
sets its status; "step" is only the method's updates (for "stats", its one pass and the O(1) steps).

torch allocates outside Python's allocator, so tracemalloc cannot see tensors; the kernel's count of
resident pages can. The data are built in place (no temporaries), a small warm-up run loads everything
lazy, the high-water mark is reset (Linux: /proc/self/clear_refs), and then each part runs.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import torch

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


def peak_extras(points: int, updates: int = 3) -> dict[str, dict[str, float]]:
    """{part: {method: peak extra memory}} in units of the bytes of X and y together, one fresh subprocess
    per method; they run at once, as each reads only its own high-water mark."""
    procs = {
        m: subprocess.Popen(
            [sys.executable, "-m", "helpers.tools.bench_memory", "--points", str(points), "--method", m,
             "--updates", str(updates)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for m in METHODS
    }  # fmt: skip
    out: dict[str, dict[str, float]] = {part: {} for part in PARTS}
    try:
        for m, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"helpers.tools.bench_memory --method {m} failed:\n{stderr}")
            result = json.loads(stdout.strip().splitlines()[-1])
            for part in PARTS:
                out[part][m] = result[part] / result["data_bytes"]
    finally:  # one failed, timed out or was interrupted: the others must not run on alone
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10**7)
    parser.add_argument("--method", choices=METHODS, default="hand")
    parser.add_argument("--updates", type=int, default=3)
    args = parser.parse_args(argv)
    if args.points < 1 or args.updates < 0:
        parser.error(f"--points must be >= 1 and --updates >= 0, got {args.points} and {args.updates}")
    print(json.dumps(measure(args.points, args.method, args.updates)))


if __name__ == "__main__":
    main()
