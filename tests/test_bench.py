"""helpers.tools.bench: the quick run keeps the benchmark from rotting; the pieces around it do what they say.

No test here asserts a time or that a target is met: timings on a shared machine vary too much. They
check the table's structure, that every ratio is a finite, positive number, and that the ratios point the right
way: relations that hold by construction on any machine, however loaded, with margins of 3x or more (a timing
that does ten times the work of another, 1,000 updates against one, any update against one read of the data).
An inverted ratio (baseline over function) or a report that prints something else than it measured fails them.
"""

from __future__ import annotations

import json
import math
import os
import runpy
import subprocess
import sys
import time

import pytest
import torch

import helpers.further.timing
from helpers import init_params, original_data, train
from helpers.further.scaling import UPDATES
from helpers.further.timing import ratios
from helpers.tools import bench, bench_memory
from helpers.tools.bench import QUICK, TARGETS, main, plain_loop
from helpers.tools.bench_report import power, table
from helpers.training import METHODS

# section 2's columns: one update of each method but stats (autograd, hand, blocked), then the stats columns
COLUMNS = (*(m for m in METHODS if m != "stats"), "stats_pass", "stats_update", "stats_1000", "closed_form",
           "train_fixed")  # fmt: skip
SCALING_KEYS = set(COLUMNS)


def test_every_method_but_stats_is_timed_one_update_at_a_time():
    assert set(UPDATES) == set(METHODS) - {"stats"} and "blocked" in UPDATES


def test_quick_run_prints_one_table_of_finite_positive_ratios(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--quick", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].startswith("helpers.tools.bench --quick: ") and "on 1 thread, float64" in lines[0]  # the default
    headings = ("1. The original problem", "2. Cost over the floor", "3. Peak extra memory", "4. Minibatch SGD")
    for heading in (*headings, "Targets"):
        assert sum(line.startswith(heading) for line in lines) == 1, heading
    for n in QUICK["sizes"]:
        assert sum(line.split()[:1] == [power(n)] for line in lines) == 1, n
    assert all(f'train(method="{m}")' in text for m in METHODS)
    # a quick run judges no target: its N are too small
    assert [line.split()[-1] for line in lines[-4:]] == ["-"] * 4

    r = json.loads(out.read_text())
    assert set(r["original"]) == set(METHODS)
    ratios = [*r["original"].values(), r["minibatch"]]
    for n in QUICK["sizes"]:
        assert set(r["scaling"][str(n)]) == SCALING_KEYS | {"floor_seconds"}
        ratios += r["scaling"][str(n)].values()
    assert len(ratios) == len(METHODS) + 1 + (len(SCALING_KEYS) + 1) * len(QUICK["sizes"])
    assert all(math.isfinite(v) and v > 0 for v in ratios), r
    # the ratios point the right way, whatever the machine's speed: each holds by construction, with a wide margin
    for n in QUICK["sizes"]:
        row = r["scaling"][str(n)]
        # every path reads X and y at least once, and does more: more than the floor (one read), here many times
        for key in SCALING_KEYS - {"stats_update"}:  # stats_update is O(1): no read of X, so it can be below the floor
            assert row[key] > 1, (n, key, row)
        # the stats pass and 1,000 O(1) updates against one such update: about 1,000 times; against the pass alone
        assert row["stats_1000"] > 100 * row["stats_update"], (n, row)
        assert row["stats_1000"] > row["stats_pass"], (n, row)
    # on 40 points, 149 O(1) updates cost a fraction of 149 autograd steps (0.2 against 1.2 in a full run)
    assert r["original"]["stats"] < r["original"]["autograd"], r["original"]
    # a DataLoader indexes 64 rows one by one and stacks them; a slice is one view (5x in a full run)
    assert r["minibatch"] > 1, r["minibatch"]

    # memory: at the quick run's small N, a part can reuse memory that is already resident (the stats updates
    # allocate next to nothing), so a peak of 0 extra bytes is a valid measurement there
    assert all(set(r["memory"][part]) == set(METHODS) for part in ("train", "step")), r["memory"]
    memory = [v for part in ("train", "step") for v in r["memory"][part].values()]
    assert len(memory) == 2 * len(METHODS) and all(math.isfinite(v) and v >= 0 for v in memory), r["memory"]


def test_the_baseline_loop_computes_what_train_computes():
    # the plain loop is the original's: the same ops in the same order as method="autograd", so the same bits
    X, y = original_data()
    w, b = init_params(0)
    w1, b1 = plain_loop(X, y, w, b)
    h = train(X, y, w, b, lr=0.001, num_updates=149, method="autograd")
    assert torch.equal(w1, h.w) and torch.equal(b1, h.b)


def test_ratios_time_the_baseline_right_before_each_function():
    calls: list[str] = []
    r, base = ratios(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, lambda: calls.append("base"), 3, 2
    )
    assert calls == ["base", "base", "a", "a", "base", "base", "b", "b"] * 3  # pairs back to back: load hits both
    assert set(r) == {"a", "b"} and all(v > 0 for v in r.values()) and base > 0
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        ratios({"a": lambda: None}, lambda: None, 0)


class _Clock:
    """a stand-in for time.perf_counter that only the work below advances: timings without a machine's noise."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def work(self, units: float = 1.0) -> None:
        self.now += 1e-3 * units


@pytest.fixture
def clock(monkeypatch) -> _Clock:
    c = _Clock()
    monkeypatch.setattr(helpers.further.timing.time, "perf_counter", c)
    return c


def test_ratios_are_a_function_over_its_baseline_not_the_other_way(clock):
    """ten times the baseline's work is 10, the baseline against itself 1: inverted, they would be 0.1 and 1."""
    r, base = ratios({"ten": lambda: clock.work(10), "itself": clock.work}, clock.work, repeats=5)
    assert r == pytest.approx({"ten": 10.0, "itself": 1.0}, rel=1e-9)
    assert base == pytest.approx(1e-3, rel=1e-9)  # the baseline's seconds, not a ratio


def test_ratios_time_each_call_over_inner_calls(clock):
    # inner repeats a call within one timing and divides by it: the ratio and the baseline's seconds stay the same
    r, base = ratios({"ten": lambda: clock.work(10)}, clock.work, repeats=3, inner=3)
    assert r == pytest.approx({"ten": 10.0}, rel=1e-9) and base == pytest.approx(1e-3, rel=1e-9)


def test_ratios_take_the_median_round(clock):
    """a round slowed by something else (here: one baseline 100 times slower) moves the median by nothing."""
    slow = iter([100, 1, 1, 1, 1])
    r, _ = ratios({"ten": lambda: clock.work(10)}, lambda: clock.work(next(slow)), repeats=5)
    assert r == pytest.approx({"ten": 10.0}, rel=1e-9)


def test_the_table_prints_what_was_measured_where_it_belongs():
    """each figure of the table is the measured value of its row and column: distinct values everywhere, so a
    swapped column, an inverted ratio or a wrong key shows."""
    sizes = [10**3, 10**4]
    scaling = {str(n): {c: float(f"{k + 2}.{i + 1}") for i, c in enumerate(COLUMNS)} | {"floor_seconds": 1e-6}
               for k, n in enumerate(sizes)}  # fmt: skip
    r = {
        "quick": True, "date": "2026-01-01", "cpu": "test cpu", "cores": 2, "threads": 1, "torch": "2.13.0",
        "repeats": 3, "sizes": sizes, "original": {"autograd": 1.25, "hand": 1.05, "blocked": 1.08, "stats": 0.213},
        "scaling": scaling, "memory_n": 10**5,
        "memory": {"train": {"autograd": 7.1, "hand": 1.61, "blocked": 1.47, "stats": 0.51},
                   "step": {"autograd": 6.2, "hand": 1.32, "blocked": 1.21, "stats": 0.043}},
        "minibatch_n": 10**4, "minibatch_repeats": 3, "minibatch": 5.07,
    }  # fmt: skip
    lines = table(r, TARGETS).splitlines()

    def row(start: str) -> list[str]:
        (line,) = [line for line in lines[: -len(TARGETS)] if line.strip().startswith(start)]
        return line.split()

    for m in METHODS:
        assert row(f'train(method="{m}")')[1] == f"{r['original'][m]:.3g}", m
    heads = row("N")
    assert heads[1:4] == ["repeats", *UPDATES[:2]] and "blocked" in heads, heads  # a column for every update method
    for n in sizes:
        assert row(power(n))[2:] == [f"{scaling[str(n)][c]:.3g}" for c in COLUMNS], n
    assert row("whole train()")[2:] == [f"{r['memory']['train'][m]:.3g}" for m in METHODS]
    assert row("updates only")[2:] == [f"{r['memory']['step'][m]:.3g}" for m in METHODS]
    assert row("DataLoader over a TensorDataset")[-1] == "5.07"
    targets = lines[-len(TARGETS) :]
    # the original problem's hand; at N = 10^4, blocked's update and stats 1000; blocked's memory
    assert [t.split()[-4] for t in targets] == ["1.05", "3.3", "3.6", "1.47"], targets
    # the readable hand's numbers beside the blocked targets: its update at N = 10^4, its memory
    assert 'method="blocked"' in targets[1] and '"hand": 3.2)' in targets[1], targets[1]
    assert 'method="blocked"' in targets[3] and '"hand": 1.61)' in targets[3], targets[3]


def test_power_names_powers_of_ten():
    assert [power(n) for n in (10**3, 10**7, 1, 12345)] == ["10^3", "10^7", "10^0", "12,345"]


def test_a_full_run_judges_each_target():
    sizes = [10**6, 10**7]
    row = dict.fromkeys(SCALING_KEYS, 1.0)
    r = {
        "quick": False, "date": "2026-01-01", "cpu": "test cpu", "cores": 2, "threads": 2, "torch": "2.13.0",
        "repeats": 11, "sizes": sizes, "original": dict.fromkeys(METHODS, 1.05),
        "scaling": {"1000000": row, "10000000": row | {"hand": 6.25, "blocked": 4.5, "stats_1000": 2.9}},
        "memory_n": 10**7, "memory": {p: dict.fromkeys(METHODS, 1.6) for p in ("train", "step")},
        "minibatch_n": 10**6, "minibatch_repeats": 3, "minibatch": 5.0,
    }  # fmt: skip
    lines = table(r, TARGETS).splitlines()
    assert [line.split()[-1] for line in lines[-4:]] == ["met", "MISSED", "met", "MISSED"]
    # judged on the blocked kernel's 4.5, with the readable hand's 6.25 beside it
    assert "one hand-gradient update at N = 10^7" in lines[-3] and lines[-3].split()[-4] == "4.5", lines[-3]
    assert '(readable "hand": 6.25)' in lines[-3], lines[-3]
    r["scaling"]["10000000"]["blocked"] = 3.9  # met, whatever the readable hand measures
    assert table(r, TARGETS).splitlines()[-3].split()[-1] == "met"


def test_measure_each_stops_every_child_when_one_fails(monkeypatch):
    """one method's child fails: the others are killed and reaped, not left to run on (and to hold memory)."""
    forked: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            forked.append(pid)
        return pid

    def fake(points, method, updates):  # in the child: the first method fails at once, the others would take minutes
        if method == METHODS[0]:
            raise MemoryError("boom")
        time.sleep(120)

    monkeypatch.setattr(bench_memory.os, "fork", counted)
    monkeypatch.setattr(bench_memory, "measure", fake)
    with pytest.raises(RuntimeError, match=f"--method {METHODS[0]} failed: MemoryError: boom"):
        bench_memory.measure_each(1000, list(METHODS))
    assert len(forked) == len(METHODS)
    for pid in forked:  # each was reaped: it is no child of this process any more
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_peak_extras_says_what_its_subprocess_said_when_it_failed(monkeypatch):
    popen = subprocess.Popen
    failing = [sys.executable, "-c", "import sys; sys.exit('boom')"]
    monkeypatch.setattr(bench_memory.subprocess, "Popen", lambda cmd, **kw: popen(failing, **kw))
    with pytest.raises(RuntimeError, match="helpers.tools.bench_memory failed:\nboom"):
        bench_memory.peak_extras(1000)


@pytest.mark.parametrize("entry, args, text", [
    (main, ["--threads", "-1"], "--threads must be >= 0, got -1"),
    (bench_memory.main, ["--points", "0"], "--points must be >= 1 and --updates >= 0, got 0 and 3"),
    (bench_memory.main, ["--updates", "-2"], "--updates >= 0, got 10000000 and -2"),
])  # fmt: skip
def test_bad_command_line_values_exit_2_with_one_line(entry, args, text, capsys):
    with pytest.raises(SystemExit) as e:
        entry(args)
    out, err = capsys.readouterr()
    assert e.value.code == 2 and text in err.splitlines()[-1] and out == ""


def test_a_bad_value_exits_2_from_the_command_line(monkeypatch, capsys):
    """the module run as a script, as `python -m helpers.tools.bench` runs it, in this process (a fresh Python
    would import torch only to refuse; the quick run's memory subprocesses start fresh Pythons)."""
    monkeypatch.setattr(sys, "argv", ["bench", "--threads", "-1"])
    with pytest.raises(SystemExit) as e:
        runpy.run_path(bench.__file__, run_name="__main__")
    done = capsys.readouterr()
    assert e.value.code == 2 and "--threads must be >= 0, got -1" in done.err and done.out == ""


def test_ratios_need_something_to_time():
    with pytest.raises(ValueError, match="fns must name at least one function to time"):
        ratios({}, lambda: None, 3)
