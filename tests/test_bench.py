"""helpers.bench: the quick run keeps the benchmark from rotting; the pieces around it do what they say.

No test here asserts a time or that a target is met: timings on a shared machine vary too much. They
check the table's structure and that every ratio is a finite, positive number.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys

import pytest
import torch

from helpers import bench_memory, init_params, original_data, train
from helpers.bench import QUICK, TARGETS, main, plain_loop
from helpers.timing import ratios
from helpers.bench_report import power, table
from helpers.training import METHODS

SCALING_KEYS = {"autograd", "hand", "stats_pass", "stats_update", "stats_1000", "closed_form", "train_fixed"}


def test_quick_run_prints_one_table_of_finite_positive_ratios(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--quick", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    lines = text.splitlines()
    assert lines[0].startswith("helpers.bench --quick: ") and "on 1 thread, float64" in lines[0]  # the default
    headings = ("1. The original problem", "2. Cost over the floor", "3. Peak extra memory", "4. Minibatch SGD")
    for heading in (*headings, "Targets"):
        assert sum(line.startswith(heading) for line in lines) == 1, heading
    for n in QUICK["sizes"]:
        assert sum(line.split()[:1] == [power(n)] for line in lines) == 1, n
    assert all(f'train(method="{m}")' in text for m in METHODS)
    # a quick run judges no target: its N are too small
    assert [line.split()[-1] for line in lines[-4:]] == ["-"] * 4

    r = json.loads(out.read_text())
    ratios = list(r["original"].values()) + [r["minibatch"]]
    for n in QUICK["sizes"]:
        assert set(r["scaling"][str(n)]) == SCALING_KEYS | {"floor_seconds"}
        ratios += r["scaling"][str(n)].values()
    assert len(ratios) == 3 + 1 + 8 * len(QUICK["sizes"])
    assert all(math.isfinite(v) and v > 0 for v in ratios), r
    # memory: at the quick run's small N, a part can reuse memory that is already resident (the stats updates
    # allocate next to nothing), so a peak of 0 extra bytes is a valid measurement there
    memory = [v for part in ("train", "step") for v in r["memory"][part].values()]
    assert len(memory) == 6 and all(math.isfinite(v) and v >= 0 for v in memory), r["memory"]


def test_the_baseline_loop_computes_what_train_computes():
    # the plain loop is the original's: the same ops in the same order as method="autograd", so the same bits
    X, y = original_data()
    w, b = init_params(0)
    w1, b1 = plain_loop(X, y, w, b)
    h = train(X, y, w, b, lr=0.001, num_updates=149, method="autograd")
    assert torch.equal(w1, h.w) and torch.equal(b1, h.b)


def test_ratios_time_the_baseline_right_before_each_function():
    calls: list[str] = []
    r, base = ratios({"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, lambda: calls.append("base"), 3, 2)
    assert calls == ["base", "base", "a", "a", "base", "base", "b", "b"] * 3  # pairs back to back: load hits both
    assert set(r) == {"a", "b"} and all(v > 0 for v in r.values()) and base > 0
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        ratios({"a": lambda: None}, lambda: None, 0)


def test_power_names_powers_of_ten():
    assert [power(n) for n in (10**3, 10**7, 1, 12345)] == ["10^3", "10^7", "10^0", "12,345"]


def test_a_full_run_judges_each_target():
    sizes = [10**6, 10**7]
    row = dict.fromkeys(SCALING_KEYS, 1.0)
    r = {
        "quick": False, "date": "2026-01-01", "cpu": "test cpu", "cores": 2, "threads": 2, "torch": "2.13.0",
        "repeats": 11, "sizes": sizes, "original": {"autograd": 1.2, "hand": 1.05, "stats": 0.2},
        "scaling": {"1000000": row, "10000000": row | {"hand": 4.5, "stats_1000": 2.9}},
        "memory_n": 10**7, "memory": {p: dict.fromkeys(METHODS, 1.6) for p in ("train", "step")},
        "minibatch_n": 10**6, "minibatch_repeats": 3, "minibatch": 5.0,
    }  # fmt: skip
    lines = table(r, TARGETS).splitlines()
    assert [line.split()[-1] for line in lines[-4:]] == ["met", "MISSED", "met", "MISSED"]
    assert "one hand update at N = 10^7" in lines[-3] and "4.5" in lines[-3]


def test_peak_extras_stops_every_subprocess_when_one_fails(monkeypatch):
    """one measuring subprocess fails: the others are killed, not left to run on (and to hold memory)."""
    started: list[subprocess.Popen] = []
    popen = subprocess.Popen

    def fake(cmd, **kwargs):  # the first method's run fails at once; the others would run for two minutes
        method = cmd[cmd.index("--method") + 1]
        code = "import sys; sys.exit('boom')" if method == METHODS[0] else "import time; time.sleep(120)"
        started.append(popen([sys.executable, "-c", code], **kwargs))
        return started[-1]

    monkeypatch.setattr(bench_memory.subprocess, "Popen", fake)
    with pytest.raises(RuntimeError, match=f"--method {METHODS[0]} failed:\nboom"):
        bench_memory.peak_extras(1000)
    assert len(started) == len(METHODS)
    assert [p.poll() for p in started[1:]] == [-signal.SIGKILL] * (len(METHODS) - 1)


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


def test_a_bad_value_exits_2_from_the_command_line():
    done = subprocess.run([sys.executable, "-m", "helpers.bench", "--threads", "-1"], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 2 and "--threads must be >= 0, got -1" in done.stderr and done.stdout == ""


def test_ratios_need_something_to_time():
    with pytest.raises(ValueError, match="fns must name at least one function to time"):
        ratios({}, lambda: None, 3)
