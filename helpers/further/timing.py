"""Fair timings on a busy machine: a ratio against a baseline timed just before, the median over rounds.

r, base_seconds = ratios({"hand": f, "autograd": g}, baseline=lambda: (X.sum(), y.sum()), repeats=5)
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from helpers.checks import check_count


def ratios(
    fns: dict[str, Callable[[], object]], baseline: Callable[[], object], repeats: int, inner: int = 1
) -> tuple[dict[str, float], float]:
    """{name: median over `repeats` rounds of (time of fn) / (time of baseline)}, and the baseline's median seconds.

    The baseline is timed right before each fn, so whatever else the machine is doing at that moment slows
    both alike. Each timing covers `inner` calls in a row.
    """
    if not fns:
        raise ValueError("fns must name at least one function to time")
    for name, count in (("repeats", repeats), ("inner", inner)):
        if check_count(count, name) < 1:
            raise ValueError(f"{name} must be >= 1, got {count}")

    def seconds(fn: Callable[[], object]) -> float:
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        return (time.perf_counter() - start) / inner

    pairs: dict[str, list[float]] = {name: [] for name in fns}
    bases: list[float] = []
    for _ in range(repeats):
        for name, fn in fns.items():
            bases.append(seconds(baseline))
            pairs[name].append(seconds(fn) / bases[-1])
    return {name: statistics.median(r) for name, r in pairs.items()}, statistics.median(bases)
