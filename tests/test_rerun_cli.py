"""python -m helpers.tools.rerun end to end: one rerun, a sweep, bad parameters, and Ctrl-C in the middle of a sweep.

The CLI runs 05_training.ipynb (or a copy with one planted failure) in a subprocess, writing into
tmp_path. Expected values come from FACTS: lr = 0.009 kills the ReLU from seed 0 (w = -0.192600,
b = mean(y) = 0.581510) and the same lr without it converges; lr = 0.05 is far above 2/lambda_max.

Nothing here can hang the suite: every subprocess has a timeout, fakes planted in forked workers only
leave marks (files) and raise plain exceptions, the asserts are made in the test's own process, and the
sweeps run in-process are watched by faulthandler, which ends a stuck test with the tracebacks.
"""

import contextlib
import csv
import faulthandler
import json
import os
import runpy
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import matplotlib.image
import nbformat
import psutil
import pytest
from conftest import cold_kernels
from nbformat.v4 import new_code_cell

import helpers.further.sweep
import helpers.tools.rerun
from helpers import original_data, spectrum
from helpers.figures.sweep import plot_sweep
from helpers.further.sweep import lr_sweep, sweep_table
from helpers.tools.execute import execute, in_series
from helpers.tools.rerun import main, outcome
from helpers.tools.summary import write_summary

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "05_training.ipynb"
PNG = b"\x89PNG\r\n\x1a\n"
TOL = 1e-6  # float32 parameters: the published values are exact to ~1e-7


@contextlib.contextmanager
def _deadline(seconds: float = 120):
    """end the test process with every thread's traceback if the block takes longer than seconds (a hang)."""
    faulthandler.dump_traceback_later(seconds, exit=True, file=sys.__stderr__)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


def _cli(*args, env=None, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "helpers.tools.rerun", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=300,
        **kwargs,
    )


def _tagged(tag: str) -> list[psutil.Process]:
    """processes started by a test: they inherit RERUN_TEST_TAG in their environment."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("RERUN_TEST_TAG") == tag:
                found.append(p)
        except psutil.Error:
            pass
    return found


def test_one_rerun_prints_the_outcome_and_writes_only_to_out(tmp_path):
    out = tmp_path / "out"
    done = _cli(NOTEBOOK, "-p", "learning_rate", "0.009", "-p", "activation", "relu", "--out", out, "--json")
    assert done.returncode == 0, done.stderr
    row = json.loads(done.stdout)
    assert row["status"] == "dead_relu" and row["dead_at"] == 2 and row["updates"] == 149 and row["error"] is None
    assert row["w"] == pytest.approx(-0.192600, abs=TOL) and row["b"] == pytest.approx(0.581510, abs=TOL)
    assert sorted(p.name for p in out.iterdir()) == ["05_training.html", "05_training.ipynb"]
    assert row["output"] == str(out / "05_training.ipynb") and row["html"] == str(out / "05_training.html")
    line = outcome("05_training.ipynb", {"learning_rate": 0.009, "activation": "relu"}, row)
    assert line.startswith(
        "05_training.ipynb [learning_rate=0.009 activation=relu]: dead_relu after 149 updates; "
        "w = -0.192600, b = 0.581510, final loss 8.7406e-01, 0.41 from the closed form -> "
    )


def test_sweep_records_every_run_and_survives_failures(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)  # a copy of 05 in which one combination fails on purpose
    at = 1 + next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(
        at,
        new_code_cell('if learning_rate == 0.05 and activation == "relu":\n    raise RuntimeError("planted failure")'),
    )
    source = tmp_path / "05_training.ipynb"
    nbformat.write(nb, source)
    out = tmp_path / "sweep"
    done = _cli(
        source,
        "-p",
        "num_epochs",
        "100",
        "--sweep",
        "learning_rate=0.009,0.05",
        "--sweep",
        "activation=relu,none",
        "--jobs",
        "2",
        "--out",
        out,
    )
    assert done.returncode == 1, done.stderr  # 1: a run failed, and the sweep went on
    with open(out / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["learning_rate"], r["activation"], r["status"]) for r in rows] == [
        ("0.009", "relu", "dead_relu"), ("0.009", "none", "converged"),
        ("0.05", "relu", "error"), ("0.05", "none", "diverged"),
    ]  # fmt: skip
    dead, converged, failed, diverged = rows
    assert float(dead["w"]) == pytest.approx(-0.192600, abs=TOL) and float(dead["b"]) == pytest.approx(0.58151, abs=TOL)
    assert float(converged["distance"]) < TOL and converged["updates"] == "99"
    assert int(diverged["updates"]) < 99 and diverged["error"] == ""
    assert failed["error"] == "RuntimeError: planted failure"
    for r in rows:
        assert (out / r["folder"] / "05_training.ipynb").is_file()  # the failed run keeps its partial notebook
    assert (out / "learning_rate=0.05,activation=relu" / "05_training.ipynb").is_file()
    table = (out / "summary.md").read_text()
    assert table.count("\n| 0.0") == 4 and "| error |" in table and "planted failure" in table
    assert (out / "summary.png").read_bytes()[:8] == PNG
    assert matplotlib.image.imread(out / "summary.png").shape[2] in (3, 4)
    assert "05_training.ipynb [learning_rate=0.05 activation=relu]: error: RuntimeError: planted failure" in done.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["-p", "lr", "0.1"],
            "unknown parameter 'lr' for 05_training.ipynb; known: learning_rate, num_epochs, seed, activation",
        ),
        (["-p", "learning_rate", "fast"], "learning_rate must be a float (a finite number > 0), got 'fast' (a str)"),
        (["-p", "num_epochs", "10.5"], "num_epochs must be an int (an int in [1, 100001]), got 10.5 (a float)"),
        (["-p", "learning_rate", "0"], "learning_rate must be a finite number > 0, got 0.0"),
        (["-p", "learning_rate", "-0.001"], "learning_rate must be a finite number > 0, got -0.001"),
        (["-p", "num_epochs", "-5"], "num_epochs must be an int in [1, 100001], got -5"),
        (["-p", "activation", "tanh"], "activation must be 'relu' or 'none', got 'tanh'"),
        (["-y", "{learning_rate: '__import__(\"os\").getcwd()'}"], "learning_rate must be a float (a finite number"),
        (["--sweep", "learning_rate=0.001,-1"], "learning_rate must be a finite number > 0, got -1.0"),
        (["--sweep", "activation=relu,sigmoid"], "activation must be 'relu' or 'none', got 'sigmoid'"),
        (["--sweep", "seed=0,1", "--jobs", "2", "-p", "num_epochs", "0"], "num_epochs must be an int in [1, 100001]"),
    ],
)
def test_a_bad_parameter_is_one_line_and_starts_nothing(tmp_path, capsys, no_kernel, args, message):
    out = tmp_path / "out"
    with _deadline(), pytest.raises(SystemExit) as e:
        main([str(NOTEBOOK), *args, "--out", str(out)])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("rerun: error: ") and err.count("\n") == 1 and message in err
    assert not out.exists() and not no_kernel.exists()


def test_a_bad_parameter_exits_2_from_the_command_line(tmp_path, monkeypatch, capsys, no_kernel):
    """the module run as a script, as `python -m helpers.tools.rerun` runs it, in this process: a fresh Python
    would import torch only to refuse (the other CLI tests here start the real command in a fresh Python)."""
    out = tmp_path / "out"
    monkeypatch.setattr(sys, "argv", ["rerun", str(NOTEBOOK), "-p", "lr", "0.1", "--out", str(out)])
    with _deadline(), pytest.raises(SystemExit) as e:
        runpy.run_path(helpers.tools.rerun.__file__, run_name="__main__")
    done = capsys.readouterr()
    assert e.value.code == 2 and done.out == ""
    assert done.err.startswith("rerun: error: unknown parameter 'lr'") and done.err.count("\n") == 1
    assert not out.exists() and not no_kernel.exists()


def test_out_never_overwrites_a_notebook(tmp_path, monkeypatch, capsys, no_kernel):
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as e:
        main([str(NOTEBOOK), "--out", "notebooks/x"])
    assert e.value.code == 2 and "--out must be outside notebooks" in capsys.readouterr().err
    assert not (ROOT / "notebooks" / "x").exists()
    copy = tmp_path / NOTEBOOK.name
    copy.write_bytes(NOTEBOOK.read_bytes())
    with pytest.raises(SystemExit) as e:
        main([str(copy), "--out", str(tmp_path)])
    assert e.value.code == 2 and "would overwrite the notebook itself" in capsys.readouterr().err
    assert copy.read_bytes() == NOTEBOOK.read_bytes() and not no_kernel.exists()


def test_ctrl_c_keeps_the_finished_runs(tmp_path):
    """Ctrl-C in the middle of a sweep: the finished run is kept, the one in flight and its kernel stop, exit 130.

    A small notebook without torch: seed 0 finishes at once and seed 1 waits, so Ctrl-C always lands mid-run."""
    nb = nbformat.v4.new_notebook(cells=[
        new_code_cell("seed = 0", metadata={"tags": ["parameters"]}),
        new_code_cell("import time\nif seed:\n    time.sleep(60)\nprint(seed)"),
    ])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "waits.ipynb"
    nbformat.write(nb, source)
    out, tag = tmp_path / "sweep", str(tmp_path)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "helpers.tools.rerun",
            str(source),
            "--sweep",
            "seed=0,1,2",
            "--jobs",
            "1",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cold_kernels() | {"RERUN_TEST_TAG": tag},  # kernels of its own, which inherit the tag
    )
    watchdog = threading.Timer(150, proc.kill)  # readline has no timeout of its own
    watchdog.start()
    first = proc.stdout.readline()  # printed (and flushed) once the sweep has recorded the first run
    assert first.startswith("waits.ipynb [seed=0]: ok"), first + proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    try:
        rest, err = proc.communicate(timeout=120)
    finally:
        watchdog.cancel()
        proc.kill()
    assert proc.returncode == 130, err
    printed = [ln for ln in [first, *rest.splitlines()] if ln.startswith("waits.ipynb [seed=")]
    with open(out / "summary.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(printed) == 1  # seed 1 was still sleeping
    assert rows[0]["seed"] == "0" and rows[0]["status"] == "ok" and (out / rows[0]["folder"] / "waits.html").is_file()
    assert "rerun: interrupted: 1 of 3 runs finished" in err and (out / "summary.md").is_file()
    deadline = time.monotonic() + 10
    while _tagged(tag) and time.monotonic() < deadline:  # the workers are gone; their kernels follow at once
        time.sleep(0.2)
    assert not _tagged(tag), [p.cmdline() for p in _tagged(tag)]


def test_lr_sweep_in_process_matches_theory():
    X, y = original_data()
    sp = spectrum(X)
    rows = lr_sweep(X, y, [0.001, 0.009, 0.0105], ("relu", "none"))
    assert [(r["learning_rate"], r["activation"], r["status"]) for r in rows] == [
        (0.001, "relu", "not_converged"), (0.001, "none", "not_converged"), (0.009, "relu", "dead_relu"),
        (0.009, "none", "converged"), (0.0105, "relu", "dead_relu"), (0.0105, "none", "diverged"),
    ]  # fmt: skip
    assert rows[2]["w"] == pytest.approx(-0.192600, abs=TOL) and rows[3]["distance"] < TOL
    assert rows[0]["distance"] == pytest.approx(0.003891, rel=1e-3)  # rho^149 |e_0| with rho = 0.97721
    table = sweep_table(rows, ["learning_rate", "activation", "status", "w", "distance"])
    assert table.splitlines()[4] == "| 0.009 | relu | dead_relu | -0.192600 | 4.10e-01 |"
    fig = plot_sweep(rows, spec=sp)
    xs = {round(line.get_xdata()[0], 7) for line in fig.axes[0].get_lines() if line.get_linestyle() in ("--", "-.")}
    assert xs == {round(sp.stability_limit, 7), round(sp.fastest_lr, 7)}


def test_write_summary_of_nothing(tmp_path):
    paths = write_summary([], tmp_path, ["seed"], "Nothing finished.")
    assert [p.name for p in paths] == ["summary.csv", "summary.md"]
    assert (tmp_path / "summary.csv").read_text().startswith("seed,status,final_loss,w,b,distance,updates")


def test_lr_sweep_checks_every_value_before_the_first_run(monkeypatch):
    X, y = original_data()
    runs = []
    monkeypatch.setattr(helpers.further.sweep, "train", lambda *a, **k: runs.append(a))
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got -0\.001"):
        lr_sweep(X, y, [0.001, -0.001])
    with pytest.raises(ValueError, match=r"activation must be one of 'relu', 'none'; got 'tanh'"):
        lr_sweep(X, y, [0.001], ("relu", "tanh"))
    assert runs == []  # nothing was trained before the bad value was found


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE  # dead, waiting only to be reaped
    except psutil.NoSuchProcess:
        return True


def test_an_error_in_a_sweep_stops_every_worker_and_kernel(tmp_path, monkeypatch):
    """an exception while the sweep reports (a bug, a full disk) must not leave workers or kernels running."""
    marks = tmp_path / "pids"
    marks.mkdir()

    def run_one(source, out_dir, parameters):  # in a forked worker: seed 1 starts a "kernel" and runs on
        if parameters["seed"] == 1:
            kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
            (marks / f"{os.getpid()}-{kernel.pid}").touch()
            time.sleep(120)
        deadline = time.monotonic() + 30
        while not any(marks.iterdir()) and time.monotonic() < deadline:  # seed 0 ends once seed 1 is mid-run
            time.sleep(0.05)
        return {"status": "converged", "error": None, "seconds": 0.0, "output": str(out_dir), "html": None}

    def outcome(*args):
        raise RuntimeError("a bug while reporting the first run")

    monkeypatch.setattr(helpers.tools.rerun, "run_one", run_one)
    monkeypatch.setattr(helpers.tools.rerun, "outcome", outcome)
    with _deadline(), pytest.raises(RuntimeError, match="a bug while reporting"):
        helpers.tools.rerun.sweep(NOTEBOOK, {}, {"seed": [0, 1]}, tmp_path / "sweep", jobs=2, as_json=False)
    (mark,) = marks.iterdir()
    worker, kernel = map(int, mark.name.split("-"))
    deadline = time.monotonic() + 10
    while not (_gone(worker) and _gone(kernel)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(worker) and _gone(kernel)


def test_execute_never_overwrites_its_source_nor_writes_into_the_series(tmp_path):
    copy = tmp_path / NOTEBOOK.name
    copy.write_bytes(NOTEBOOK.read_bytes())
    with pytest.raises(ValueError, match="its executed copy would overwrite it"):
        execute(copy, tmp_path)  # before any kernel starts
    with pytest.raises(ValueError, match="out_dir must be outside"):
        execute(copy, NOTEBOOK.parent / "executed")
    assert copy.read_bytes() == NOTEBOOK.read_bytes() and not (NOTEBOOK.parent / "executed").exists()
    assert in_series(NOTEBOOK) and in_series(NOTEBOOK.parent) and not in_series(tmp_path)
