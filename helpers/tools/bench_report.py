"""What helpers.tools.bench measured, for people: the table `make bench` prints."""

from __future__ import annotations

import math
import platform
from pathlib import Path

from helpers.further.scaling import UPDATES, scaling_repeats
from helpers.training import METHODS

# section 2: one update of each method but stats, then the stats pass and updates, and the two fixed costs
COLUMNS = (*UPDATES, "stats_pass", "stats_update", "stats_1000", "closed_form", "train_fixed")


def cpu_name() -> str:
    """the CPU model, as /proc/cpuinfo names it (elsewhere, what platform knows)."""
    info = Path("/proc/cpuinfo")
    for line in info.read_text().splitlines() if info.exists() else []:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def power(n: int) -> str:
    """10^k for a power of ten, else the number with thousands separators."""
    k = round(math.log10(n)) if n > 0 else 0
    return f"10^{k}" if 10**k == n else f"{n:,}"


def _r(v: float) -> str:
    """a ratio at three significant digits: 37.2, 2.05, 0.000613."""
    return f"{v:.3g}"


def table(r: dict, targets: dict[str, float]) -> str:
    """the four measurements and the targets, as lines of text."""
    big = str(r["sizes"][-1])
    s = r["scaling"]
    lines = [
        f"helpers.tools.bench{' --quick' if r['quick'] else ''}: {r['date']}, {r['cpu']} ({r['cores']} cores), "
        f"torch {r['torch']} on {r['threads']} thread{'s' if r['threads'] != 1 else ''}, float64",
        "Every figure is a ratio: the median over repeated rounds of a timing over its baseline's, "
        "timed just before it.",
        "",
        f"1. The original problem: 40 points, 149 updates, lr 0.001 ({2 * r['repeats'] - 1} repeats)",
        "   baseline: a plain autograd loop in the original's style, written in helpers/tools/bench.py",
    ]
    for m in METHODS:
        note = "   (the default method)" if m == "hand" else ""
        call = f'train(method="{m}")'
        lines.append(f"     {call:<28}{_r(r['original'][m]):>8}{note}")
    heads = [c.replace("_", " ") for c in COLUMNS[:-1]] + ["train() fixed"]
    lines += [
        "",
        "2. Cost over the floor, one read of X and y (X.sum() and y.sum()); relu, sum loss",
        f"     {'N':>6}{'repeats':>9}" + "".join(f"{h:>14}" for h in heads),
    ]
    for n in r["sizes"]:
        reps = scaling_repeats(n, r["repeats"])
        lines.append(f"     {power(n):>6}{reps:>9}" + "".join(f"{_r(s[str(n)][c]):>14}" for c in COLUMNS))
    lines += [
        f"   {', '.join(UPDATES)}, stats update: one full-batch update as train() makes it "
        "(stats: O(1), after its pass).",
        "   hand: 04's readable formulas; blocked: the same gradient in one cache-blocked pass "
        "(helpers.further.blocked).",
        "   stats 1000: the stats pass and 1,000 stats updates, timed together. "
        "closed form: helpers.closed_form(X, y).",
        "   train() fixed: a train() call with 0 updates (input checks, one loss, the closed-form status).",
        "",
        f"3. Peak extra memory at N = {power(r['memory_n'])}, 3 updates, in units of the bytes of X and y together",
        "   (RSS high-water mark of a fresh process each)",
        f"     {'':<16}" + "".join(f"{m:>10}" for m in METHODS),
        f"     {'whole train()':<16}" + "".join(f"{_r(r['memory']['train'][m]):>10}" for m in METHODS),
        f"     {'updates only':<16}" + "".join(f"{_r(r['memory']['step'][m]):>10}" for m in METHODS),
        "",
        f"4. Minibatch SGD, one epoch at N = {power(r['minibatch_n'])}, batch 64 ({r['minibatch_repeats']} repeats)",
        f"     DataLoader over a TensorDataset / slices of the tensors: {_r(r['minibatch'])}",
        "",
        "Targets (measured, at most)"
        + ("; a quick run's N are small: they are for the full run" if r["quick"] else ""),
    ]
    # the update and memory targets are the blocked kernel's, the hand gradient arranged for large N; the readable
    # "hand" of notebook 04 is named beside each, so that both show
    hand, hand_memory = _r(s[big]["hand"]), _r(r["memory"]["train"]["hand"])
    big_n, memory_n = power(int(big)), power(r["memory_n"])
    checks = [
        ('train(method="hand") / plain loop, the original problem', r["original"]["hand"], targets["original"]),
        (f'one hand-gradient update at N = {big_n}: method="blocked" (readable "hand": {hand})', s[big]["blocked"],
         targets["blocked"]),
        (f"1,000 stats updates with their pass at N = {big_n}", s[big]["stats_1000"], targets["stats_1000"]),
        (f'peak extra memory of train(method="blocked") at N = {memory_n} ("hand": {hand_memory})',
         r["memory"]["train"]["blocked"], targets["memory_blocked"]),
    ]  # fmt: skip
    for text, value, limit in checks:
        verdict = "-" if r["quick"] else "met" if value <= limit else "MISSED"
        lines.append(f"     {text:<80}{_r(value):>8}  <= {limit:<5g}{verdict:>7}")
    return "\n".join(lines)
