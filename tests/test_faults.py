"""Faults and bad inputs the tooling must survive: one line on stderr, exit 2 (refused) or 1 (a run failed).

Most faults are injected in-process, with papermill replaced by a fake that writes a small executed notebook
(no kernel), the sweeps forking their workers from the test's process: a killed worker, a full disk, a write
refused. Three tests start real kernels: a sweep whose notebook kills its own worker, two `helpers.tools.run` at
once into one folder, and the offline HTML of a real run. Every subprocess has a timeout, so nothing here can hang.
"""

from __future__ import annotations

import csv
import errno
import faulthandler
import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from conftest import cold_kernels
from nbformat.v4 import new_code_cell

import helpers.tools.execute
import helpers.tools.rerun
import helpers.tools.run
from helpers.parameters import MAX_UPDATES
from helpers.tools.execute import execute
from helpers.tools.rerun import main

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
NOTEBOOK = NOTEBOOKS / "05_training.ipynb"
MAX_YAML = 64 * 1024  # what --help promises
TIMEOUT = 120  # seconds for any subprocess here; the slowest takes about 20 s on 2 busy cores


def fake_execute(source, output, parameters=None, **kwargs):
    """a stand-in for papermill.execute_notebook: writes an executed-looking notebook with a results cell, at once.

    seed 2 fills the disk halfway through writing (ENOSPC), seed 3 kills its own worker (what the OOM killer does),
    seed 4 raises in a "cell"; every other seed "converges". Sweeps fork their workers, which inherit it.
    """
    parameters = parameters or {}
    seed = parameters.get("seed", 0)
    if seed == 3 and os.environ.get("FAULT_KILL"):
        os.kill(os.getpid(), signal.SIGKILL)
    if seed == 1 and os.environ.get("FAULT_KILL"):
        time.sleep(1.5)  # in flight when seed 3's worker dies
    nb = nbformat.v4.new_notebook()
    res = {"seed": seed, "w": 0.175, "b": 0.4, "final_loss": 1e-12, "updates": 149, "learning_rate": 0.001,
           "status": "converged", "w_star": 0.175, "b_star": 0.4, "distance": 1e-9}  # fmt: skip
    cell = nbformat.v4.new_code_cell("publish(results)", metadata={"tags": ["results"]})
    cell.outputs = [nbformat.v4.new_output("display_data", data={"application/json": res, "text/plain": "r"})]
    nb.cells.append(cell)
    text = nbformat.writes(nb)
    if seed == 2 and os.environ.get("FAULT_ENOSPC"):
        with open(output, "w") as f:
            f.write(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")
    with open(output, "w") as f:
        f.write(text)
    if seed == 4:
        raise RuntimeError("planted failure")
    return nb


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def faked(monkeypatch, capfd):
    """run main(argv) in this process with papermill faked (and env set): what a `python -m helpers.tools.rerun`
    with the fake would do, without a fresh Python importing torch. capfd sees the forked workers' output too;
    faulthandler ends the test with every traceback if a sweep hangs (pytest-timeout backs it up)."""
    monkeypatch.setattr("papermill.execute_notebook", fake_execute)
    monkeypatch.chdir(ROOT)
    capfd.readouterr()

    def run(argv: list[str], env: dict[str, str] | None = None) -> Ran:
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        faulthandler.dump_traceback_later(TIMEOUT, exit=True, file=sys.__stderr__)
        try:
            code = main([str(a) for a in argv])
        except SystemExit as e:
            code = e.code
        finally:
            faulthandler.cancel_dump_traceback_later()
        out, err = capfd.readouterr()
        return Ran(code, out, err)

    return run


def _last_line(err: str) -> str:
    """the last line of stderr, after tqdm's carriage returns."""
    return err.strip().splitlines()[-1].split("\r")[-1] if err.strip() else ""


def _no_traceback(err: str) -> None:
    assert "Traceback" not in err, err


def _leftovers(folder: Path) -> list[Path]:
    """temporary files (.name.XXXX.tmp.ext) and empty files left anywhere under folder."""
    return [p for p in folder.rglob("*") if p.is_file() and (".tmp" in p.name or p.stat().st_size == 0)]


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _refused(capsys, argv: list[str]) -> str:
    """main(argv) must exit 2 with one line on stderr; returns that line."""
    with pytest.raises(SystemExit) as e:
        main(argv)
    err = capsys.readouterr().err
    assert e.value.code == 2, err
    assert err.startswith("rerun: error: ") and err.count("\n") == 1, err
    return err


# 1. a killed worker --------------------------------------------------------------------------------------------


def test_a_killed_worker_is_recorded_and_the_sweep_goes_on(tmp_path, faked):
    """seed 3's worker is killed with SIGKILL while seed 1 runs beside it: 3 is an error, 1 is rerun, 0-4 all end."""
    out = tmp_path / "sweep"
    done = faked([NOTEBOOK, "--sweep", "seed=0,1,3,5,6", "--jobs", "2", "--out", out], env={"FAULT_KILL": "1"})
    assert done.returncode == 1, done.stderr
    _no_traceback(done.stderr)
    rows = _rows(out / "summary.csv")
    assert [(r["seed"], r["status"]) for r in rows] == [
        ("0", "converged"),
        ("1", "converged"),
        ("3", "error"),
        ("5", "converged"),
        ("6", "converged"),
    ]
    assert "its worker process died (killed by a signal" in rows[2]["error"]
    assert "05_training.ipynb [seed=3]: error: its worker process died" in done.stdout


def test_a_notebook_that_kills_its_worker_ends_as_an_error_with_real_kernels(tmp_path):
    """the real thing: a notebook's kernel kills its parent worker with SIGKILL for seed 1; seed 0, beside it, finishes.

    Two runs at once: seed 0's worker is stopped with the broken pool and its run goes on in a fresh one (runs
    not started yet go on the same way: test_a_killed_worker_is_recorded_and_the_sweep_goes_on). The notebook is
    a small one that imports no torch: what is tested is the sweep around real kernels, not 05's training."""
    nb = nbformat.v4.new_notebook(cells=[
        new_code_cell("seed = 0", metadata={"tags": ["parameters"]}),
        new_code_cell("import os, signal\nif seed == 1:\n    os.kill(os.getppid(), signal.SIGKILL)"),
        new_code_cell("print(seed)"),
    ])  # fmt: skip
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "kills_its_worker.ipynb"
    nbformat.write(nb, source)
    out = tmp_path / "sweep"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "helpers.tools.rerun",
            str(source),
            "--sweep",
            "seed=0,1",
            "--jobs",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=cold_kernels(),  # the kernel's parent must be the worker it kills (not the suite's kernel fork server)
        timeout=TIMEOUT,
    )
    assert done.returncode == 1, done.stderr
    _no_traceback(done.stderr)
    rows = _rows(out / "summary.csv")
    assert [(r["seed"], r["status"]) for r in rows] == [("0", "ok"), ("1", "error")]  # "ok": it publishes no results
    assert "its worker process died" in rows[1]["error"]


# 2. symlinks into notebooks/ -----------------------------------------------------------------------------------


def test_a_symlink_in_out_into_the_series_is_refused(tmp_path, capsys, no_kernel):
    out = tmp_path / "out"
    out.mkdir()
    (out / "05_training.ipynb").symlink_to(NOTEBOOK)
    err = _refused(capsys, [str(NOTEBOOK), "--out", str(out)])
    assert "05_training.ipynb" in err and "resolves to notebooks/05_training.ipynb" in err
    (out / "05_training.ipynb").unlink()
    (out / "05_training.html").symlink_to(NOTEBOOKS / "README.md")  # the page too
    _refused(capsys, [str(NOTEBOOK), "--out", str(out)])
    link = tmp_path / "link"
    link.symlink_to(NOTEBOOKS, target_is_directory=True)  # --out itself a link to the series
    assert "--out must be outside notebooks" in _refused(capsys, [str(NOTEBOOK), "--out", str(link)])
    sub = out / "seed=1"
    sub.symlink_to(NOTEBOOKS, target_is_directory=True)  # a sweep's run folder
    (out / "05_training.html").unlink()
    _refused(capsys, [str(NOTEBOOK), "--sweep", "seed=0,1", "--out", str(out)])
    assert not no_kernel.exists()


def test_execute_refuses_an_output_that_resolves_into_the_series(tmp_path, monkeypatch):
    monkeypatch.setattr("papermill.execute_notebook", lambda *a, **k: pytest.fail("papermill was called"))
    (tmp_path / "05_training.ipynb").symlink_to(NOTEBOOK)
    before = NOTEBOOK.read_bytes()
    with pytest.raises(ValueError, match="resolves to notebooks/05_training.ipynb"):
        execute(NOTEBOOK, tmp_path)
    assert NOTEBOOK.read_bytes() == before


def test_write_atomic_replaces_a_symlink_never_its_target(tmp_path):
    target, link = tmp_path / "target.txt", tmp_path / "out.txt"
    target.write_text("keep me")
    link.symlink_to(target)
    helpers.tools.execute.write_atomic(link, "new")
    assert target.read_text() == "keep me" and not link.is_symlink() and link.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt", "target.txt"]


# 3. a full disk --------------------------------------------------------------------------------------------------


def test_a_full_disk_stops_the_sweep_with_the_finished_runs_in_the_summary(tmp_path, faked):
    out = tmp_path / "sweep"
    done = faked([NOTEBOOK, "--sweep", "seed=0,1,2,5,6", "--jobs", "1", "--out", out], env={"FAULT_ENOSPC": "1"})
    assert done.returncode == 1, done.stderr
    _no_traceback(done.stderr)
    last = _last_line(done.stderr)
    assert last.startswith("rerun: error: stopped after 3 of 5 runs: cannot write ") and "No space left" in last
    rows = _rows(out / "summary.csv")
    assert [(r["seed"], r["status"]) for r in rows] == [("0", "converged"), ("1", "converged"), ("2", "error")]
    assert "No space left on device" in rows[2]["error"]
    assert "stopped" in (out / "summary.md").read_text()
    assert not (out / "seed=2" / "05_training.ipynb").exists()  # not a half-written copy
    assert not _leftovers(out)
    for r in rows[:2]:
        nbformat.validate(nbformat.read(out / r["folder"] / "05_training.ipynb", as_version=4))
        assert (out / r["folder"] / "05_training.html").read_text().rstrip().endswith("</html>")


def test_a_summary_that_cannot_be_written_is_one_line(tmp_path, faked, monkeypatch):
    out = tmp_path / "sweep"
    write = Path.write_bytes

    def full(self, data):
        if self.name.startswith(".summary"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    done = faked([NOTEBOOK, "--sweep", "seed=0,1", "--jobs", "1", "--out", out])
    assert done.returncode == 1, done.stderr
    _no_traceback(done.stderr)
    assert _last_line(done.stderr) == (
        f"rerun: error: the summary could not be written (cannot write "
        f"{out}/summary.csv: No space left on device); 2 of 2 runs finished"
    )
    assert not (out / "summary.csv").exists() and not _leftovers(out)


def test_a_full_disk_while_writing_the_page_leaves_no_truncated_page(tmp_path, monkeypatch):
    def fake(source, output, **kwargs):
        nbformat.write(nbformat.read(NOTEBOOK, as_version=4), output)

    monkeypatch.setattr("papermill.execute_notebook", fake)
    write = Path.write_bytes

    def full(self, data):
        if self.suffix == ".html":
            write(self, data[: len(data) // 3])
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    full_disk = r"cannot write .*05_training\.html: No space left on device$"
    with pytest.raises(helpers.tools.execute.OutputError, match=full_disk):
        execute(NOTEBOOK, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["05_training.ipynb"]  # the notebook whole, no page
    nbformat.validate(nbformat.read(tmp_path / "05_training.ipynb", as_version=4))


# 4. atomic writes --------------------------------------------------------------------------------------------------


def test_papermill_writes_a_temporary_file_renamed_at_the_end(tmp_path, monkeypatch):
    seen = []

    def fake(source, output, **kwargs):
        seen.append(Path(output))
        assert not (tmp_path / "05_training.ipynb").exists()  # the earlier run's copy is gone before this one writes
        nb = nbformat.read(NOTEBOOK, as_version=4)
        nb.cells[0].source = "partial"
        nbformat.write(nb, output)
        raise RuntimeError("cell 3 failed")

    (tmp_path / "05_training.ipynb").write_text("a stale copy from an earlier run")
    (tmp_path / "05_training.html").write_text("a stale page")
    monkeypatch.setattr("papermill.execute_notebook", fake)
    run = execute(NOTEBOOK, tmp_path)
    (tmp,) = seen
    assert tmp.parent == tmp_path and tmp.name != "05_training.ipynb" and not tmp.exists()
    assert run.error == "RuntimeError: cell 3 failed"
    assert nbformat.read(run.output, as_version=4).cells[0].source == "partial"  # the partial copy, renamed
    assert run.notebook.cells[0].source == "partial" and run.html.read_text().rstrip().endswith("</html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["05_training.html", "05_training.ipynb"]


def test_two_make_runs_at_once_into_one_folder_both_succeed(tmp_path):
    out = tmp_path / "run"
    cmd = [sys.executable, "-m", "helpers.tools.run", "--only", "01", "--jobs", "1", "--out", str(out)]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    try:
        results = [p.communicate(timeout=TIMEOUT) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p, (stdout, stderr) in zip(procs, results):
        assert p.returncode == 0, stderr
        assert re.search(r"^01_data\.ipynb\s+ok\s+[\d.]+ s$", stdout, re.M) and "1 notebooks, 1 ok" in stdout
    assert sorted(p.name for p in out.iterdir()) == ["01_data.html", "01_data.ipynb"]
    nbformat.validate(nbformat.read(out / "01_data.ipynb", as_version=4))
    _assert_offline(out / "01_data.html")


# 5, 7, 10. parameters refused before a kernel starts -----------------------------------------------------------


@pytest.mark.parametrize(
    "notebook, args, message",
    [
        ("05_training", ["-p", "num_epochs", "1000000000"], f"num_epochs must be an int in [1, {MAX_UPDATES + 1}]"),
        ("05_training", ["--sweep", "learning_rate=1,1.0"], "--sweep learning_rate: 1 and 1.0 are the same value"),
        ("05_training", ["--sweep", "learning_rate=0.001,1e-3"], "0.001 and 1e-3 are the same value"),
        ("01_data", ["-p", "sigma", "-1.0"], "sigma must be a number in [1e-06, 10], got -1.0"),
        ("10_noise_and_generalization", ["-p", "n_val", "0"], "n_val must be an int in [1, 1000000], got 0"),
        ("10_noise_and_generalization", ["-p", "n_val", "191"], "n_val <= num_points - 10 = 190, got n_val = 191"),
        (
            "10_noise_and_generalization",
            ["-p", "num_points", "15", "--sweep", "n_val=5,8"],
            "got n_val = 8 (in the run with n_val=8)",
        ),
        ("06_visualization", ["-p", "num_updates", "0"], "num_updates must be an int in [149, 100000]"),
        ("11_scaling_up", ["-p", "threads", "1000"], "threads must be an int in [1, 256]"),
    ],
)
def test_every_notebook_checks_its_declared_parameters_before_a_kernel(
    tmp_path, capsys, no_kernel, notebook, args, message
):
    out = tmp_path / "out"
    start = time.perf_counter()
    err = _refused(capsys, [str(NOTEBOOKS / f"{notebook}.ipynb"), *args, "--out", str(out)])
    assert message in err
    assert not out.exists() and not no_kernel.exists() and time.perf_counter() - start < 5


# 6, 9. YAML and bad folders ------------------------------------------------------------------------------------------

LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(8)
)


def _limited_memory() -> None:  # in the child: a bug that expands the YAML fails fast instead of eating the machine
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))


def test_billion_laughs_is_refused_quickly(tmp_path):
    f = tmp_path / "laughs.yaml"
    f.write_text(LAUGHS)
    assert len(LAUGHS.encode()) < 1000
    done = subprocess.run(
        [sys.executable, "-m", "helpers.tools.rerun", str(NOTEBOOK), "-f", str(f), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        preexec_fn=_limited_memory,
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert done.stderr.count("\n") == 1 and "anchors and aliases (&name, *name) are not allowed" in done.stderr
    assert not (tmp_path / "out").exists()  # refused before anything ran; the memory cap above would kill a blow-up


@pytest.mark.parametrize(
    "content, message",
    [
        (b"learning_rate: 0.002\n" + b"#" * MAX_YAML, "is larger than 64 KiB"),
        (b"learning_rate: 0.002\nactivation: r\xe9lu\n", "is not UTF-8 text (byte 0xe9 at offset 34)"),
        (b"seed: " + b"[" * 20000 + b"]" * 20000, "nested too deeply"),
        (b"seed: [" + b"1, " * 20000 + b"1]", "'seed' must be a single value, got [1, 1, 1, 1, 1, 1, ...] (list)"),
        (b"x: &x 1\nseed: *x\n", "anchors and aliases"),
    ],
    ids=["too-large", "not-utf8", "too-deep", "a-long-list", "an-alias"],
)
def test_a_bad_parameters_file_is_one_line(tmp_path, capsys, no_kernel, content, message):
    f = tmp_path / "p.yaml"
    f.write_bytes(content)
    err = _refused(capsys, [str(NOTEBOOK), "-f", str(f), "--out", str(tmp_path / "out")])
    assert message in err and len(err) < 400
    assert not no_kernel.exists()


def test_help_states_the_yaml_limits(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "at most 64 KiB; no anchors or aliases" in text and "UTF-8" in text


def test_bad_out_folders_are_one_line(tmp_path, capsys, no_kernel, monkeypatch):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    assert "is not a folder" in _refused(capsys, [str(NOTEBOOK), "--out", str(a_file)])
    assert "is not a folder" in _refused(capsys, [str(NOTEBOOK), "--out", "/dev/null"])
    assert "cannot create the folder" in _refused(capsys, [str(NOTEBOOK), "--out", str(a_file / "below")])
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    read_only.chmod(0o555)
    try:
        if os.geteuid() != 0:  # root writes anyway: below, the refusal is injected as the kernel would give it
            assert "Permission denied" in _refused(capsys, [str(NOTEBOOK), "--out", str(read_only)])
        monkeypatch.setattr(
            helpers.tools.execute.tempfile,
            "mkstemp",
            lambda *a, **k: (_ for _ in ()).throw(PermissionError(errno.EACCES, "Permission denied")),
        )
        err = _refused(capsys, [str(NOTEBOOK), "--out", str(read_only)])
        assert "cannot write" in err and "Permission denied" in err
    finally:
        read_only.chmod(0o755)
    assert not no_kernel.exists()


def test_make_run_refuses_bad_folders_in_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(helpers.tools.run, "ProcessPoolExecutor", lambda *a, **k: pytest.fail("notebooks were run"))
    for out, message in [
        (str(NOTEBOOKS), "--out must be outside notebooks"),
        ("notebooks/x", "outside notebooks"),
        ("/dev/null", "is not a folder"),
        (str(tmp_path / "f" / "x"), "cannot create the folder"),
    ]:
        (tmp_path / "f").write_text("a file")
        monkeypatch.chdir(ROOT)
        assert helpers.tools.run.main(["--out", out]) == 2
        err = capsys.readouterr().err
        assert err.startswith("run: error: ") and err.count("\n") == 1 and message in err, err
    assert helpers.tools.run.main(["--only", "99"]) == 2 and "no notebook starts with 99" in capsys.readouterr().err
    assert not (NOTEBOOKS / "x").exists()


# 8. HTML loads nothing from the network -----------------------------------------------------------------------------


def _assert_offline(page: Path | str) -> None:
    text = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
    tags = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", text, flags=re.I)
    remote = [t for t in tags if re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", t, flags=re.I)]
    assert not remote, remote[:3]
    assert not re.search(r"""url\(\s*["']?(?:https?:)?//""", text), "a stylesheet loads from the network"
    assert "require.js" not in text and "cdn.jsdelivr" not in text and "unpkg.com" not in text
    assert text.rstrip().endswith("</html>")


@pytest.mark.parametrize("name", ["05_training", "06_visualization"])  # 06 has the widget panel
def test_pages_load_nothing_from_the_network(name):
    nb = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    page = helpers.tools.execute.html_page(nb)
    _assert_offline(page)
    assert "application/vnd.jupyter.widget-state+json" not in page and "<img" in page


# 11, 12. a notebook without results, and never a stale result ---------------------------------------------------------


def test_a_rerun_of_a_notebook_without_results_succeeds(tmp_path, monkeypatch, capsys):
    def fake(source, output, **kwargs):  # the committed copy of 01 is an executed run of it
        nbformat.write(nbformat.read(source, as_version=4), output)

    monkeypatch.setattr("papermill.execute_notebook", fake)
    out = tmp_path / "out"
    assert main([str(NOTEBOOKS / "01_data.ipynb"), "-p", "seed", "3", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(
        "01_data.ipynb [seed=3]: ok; no results to report (the notebook has no cell tagged 'results') -> "
    )
    assert sorted(p.name for p in out.iterdir()) == ["01_data.html", "01_data.ipynb"]


def test_a_failed_run_never_reports_a_stale_result(tmp_path, monkeypatch):
    stale = nbformat.read(NOTEBOOK, as_version=4)  # a good executed 05 left by an earlier run
    (tmp_path / "05_training.ipynb").write_text(nbformat.writes(stale))

    def no_kernel(*args, **kwargs):  # the kernel dies before papermill wrote anything
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr("papermill.execute_notebook", no_kernel)
    row = helpers.tools.rerun.run_one(NOTEBOOK, tmp_path, {"learning_rate": 0.002})
    assert row["status"] == "error" and row["error"] == "RuntimeError: Kernel died before replying to kernel_info"
    assert row["output"] is None and "w" not in row and not (tmp_path / "05_training.ipynb").exists()


def test_json_output_of_a_failed_run_has_no_results(tmp_path, faked):
    out = tmp_path / "out"
    done = faked([NOTEBOOK, "-p", "seed", "4", "--out", out, "--json"])
    assert done.returncode == 1, done.stderr
    row = json.loads(done.stdout)
    assert row["status"] == "error" and row["error"] == "RuntimeError: planted failure" and "w" not in row
