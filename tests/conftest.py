"""Shared fixtures for the unit tests: the original 40 points, one torch thread, and an untouched global RNG; and,
for the whole run, the kernel fork server every kernel comes from (helpers.tools.kernelfork).

Imports of torch and helpers happen inside the fixtures, so that pytest-xdist's controller process,
which runs no tests, does not pay for them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Kernels forked from one process that imported ipykernel, torch, matplotlib and helpers once
# (helpers.tools.kernelfork): nbval, papermill, nbgrader and JupyterLab start about forty kernels, each of which would
# otherwise spend 1.6 s of CPU importing them. The names are helpers.tools.kernelfork's (test_kernelfork.py checks),
# written out here so that the controller does not import torch.
FORK_SOCKET, FORK_PROVISIONER = "KERNEL_FORK_SOCKET", "helpers-forked"
_PROVISIONER = "JUPYTER_DEFAULT_PROVISIONER_NAME"  # jupyter_client's: the provisioner a kernelspec without one gets
INLINE = "module://matplotlib_inline.backend_inline"
_FORK = pytest.StashKey[tuple]()  # (the server's Popen, its temporary folder)


def pytest_configure(config):
    """in the process that runs the session (xdist's controller, or pytest alone): one torch thread for every process
    below it, then start the kernel fork server, and choose its provisioner for every kernel started below it
    (workers, subprocesses, JupyterLab)."""
    if hasattr(config, "workerinput") or os.environ.get(FORK_SOCKET):
        return  # a worker, or a pytest started by a test: the server is already there
    # torch reads it when imported: workers, kernels and the commands tests start run one intra-op thread each. Three
    # workers, their kernels and Chromium share two cores; at torch's default of a thread per core they oversubscribed
    # them, and the idle threads' spinning made the suite 135 s (223 s of CPU) against 121 s (194 s) at one thread.
    os.environ["OMP_NUM_THREADS"] = "1"
    folder = tempfile.mkdtemp(prefix="kernel-fork-")
    path = os.path.join(folder, "socket")
    env = os.environ | {"MPLBACKEND": os.environ.get("MPLBACKEND", INLINE)}  # what ipykernel gives matplotlib
    server = subprocess.Popen(
        [sys.executable, "-m", "helpers.tools.kernelfork", path], env=env, stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C is the run's; the server is stopped below, or stops when this process ends
    )  # fmt: skip
    os.environ |= {FORK_SOCKET: path, _PROVISIONER: FORK_PROVISIONER}
    config.stash[_FORK] = (server, folder)


def cold_kernels(env: dict[str, str] | None = None) -> dict[str, str]:
    """env (default: this process's) for a subprocess whose kernels must be its own children, started cold: for tests
    of what a kernel's parent sees (a kernel that kills it, kernels found by the environment they inherited)."""
    return {k: v for k, v in (os.environ if env is None else env).items() if k not in (FORK_SOCKET, _PROVISIONER)}


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session):
    _stop_fork_server(session.config)  # before the summary, which reads its log


def pytest_unconfigure(config):
    _stop_fork_server(config)
    started = config.stash.get(_FORK, None)
    if started is not None:
        shutil.rmtree(started[1], ignore_errors=True)
    # every test process: what it holds stays out of the interpreter's last collections (helpers.tools'
    # exit_without_collecting, for the commands, says why); nothing the tests wrote is still open by now
    import gc

    gc.freeze()


def _stop_fork_server(config) -> None:
    started = config.stash.get(_FORK, None)
    if started is None or started[0].poll() is not None:
        return
    server = started[0]
    server.send_signal(signal.SIGTERM)  # it kills any kernel a test left running, and says so in its log
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    for name in (FORK_SOCKET, _PROVISIONER):
        os.environ.pop(name, None)


def pytest_terminal_summary(terminalreporter, config):
    """one line: how many kernels were forked, how many started cold, and why; the server's log in build/."""
    started = config.stash.get(_FORK, None)
    log = Path(started[1], "socket.log") if started else None
    if log is None or not log.is_file():
        return
    lines = log.read_text(encoding="utf-8").splitlines()
    forked = sum(line.startswith("forked ") for line in lines)
    cold = sorted({line.removeprefix("cold: ") for line in lines if line.startswith("cold: ")})
    why = f" ({'; '.join(cold)})" if cold else ""
    terminalreporter.write_line(f"kernels: {forked} forked from one warm process, "
                                f"{sum(ln.startswith('cold: ') for ln in lines)} started cold{why}")  # fmt: skip
    for line in lines:
        if line.startswith(("killed ", "bad request", "not preloaded", "stopped: ")):
            terminalreporter.write_line(f"kernel fork server: {line}")
    # every kernel, the test that asked for it and the CPU it used, for whoever looks for the suite's time
    kept = Path(__file__).resolve().parent.parent / "build" / "kernel-fork.log"
    kept.parent.mkdir(exist_ok=True)
    partial = kept.with_name(f".{kept.name}.{os.getpid()}")
    shutil.copyfile(log, partial)
    os.replace(partial, kept)


def pytest_collection_finish(session):
    """what every test process holds from here on (torch, matplotlib, nbgrader, the collected tests) is frozen out
    of the cyclic garbage collector (gc.freeze): each full collection walked all of it again, and the tests, which
    allocate figures and notebooks by the thousand, ran about a fifth slower. Their own garbage is still collected."""
    import gc

    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """one intra-op thread in each test process, even where torch was imported before pytest_configure set
    OMP_NUM_THREADS: with pytest -n 3 on two cores, a thread per core slows 1e5-row steps a hundredfold; it also
    fixes the reduction order."""
    import torch

    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def _restore_global_rng():
    """tests that call torch.manual_seed (to imitate the original) must not leak that seed into others."""
    import torch

    with torch.random.fork_rng():
        yield


@pytest.fixture(scope="module")
def kernel():
    """one started kernel for a whole module (test_reruns), which clears it before each use.

    Those modules run one notebook after another; a fresh kernel for each would add a kernel start and torch's
    import (~2 s of CPU) every time. nbval runs every notebook from a fresh kernel, and the rerun CLI's tests
    run fresh kernels the way `make sweep` does. The modules are in GROUPED, so one worker runs each whole.
    """
    from jupyter_core.utils import run_sync

    from helpers.tools.execute import private_kernel

    with private_kernel() as km:
        run_sync(km.start_kernel)()
        yield km


@pytest.fixture
def no_kernel(monkeypatch, tmp_path):
    """helpers.tools.rerun.execute replaced by one that leaves a mark (in a file: a forked worker's list would be
    lost) and raises a plain exception (never pytest.fail, whose BaseException would kill a pool worker); the test
    asserts in its own process that no mark was left, i.e. that nothing started a kernel."""
    import helpers.tools.rerun

    mark = tmp_path / "a-kernel-was-started"

    def started(*args, **kwargs):
        mark.touch()
        raise RuntimeError("a kernel was started")

    monkeypatch.setattr(helpers.tools.rerun, "execute", started)
    return mark


@pytest.fixture
def data():
    """the original X, y: (40, 1) float64 each, built fresh for every test."""
    from helpers import original_data

    return original_data()


# With `--dist loadgroup` (make test), pytest-xdist spreads tests one by one over the workers, except groups:
# a notebook's cells must run in order in one kernel (nbval), and these modules share one server, kernel or
# render across their tests. Everything else balances freely, which keeps both cores busy to the end.
GROUPED = ("test_browser.py", "test_site.py", "test_animate.py", "test_reruns.py",
           "test_assignment.py", "test_grade.py")  # fmt: skip
# xdist hands out groups first (most tests first), then single tests in collection order. These modules start a
# kernel or a subprocess in each test (3-17 s each): handed out first among the singles, they cannot be what one
# worker is still running while the other has nothing left, which on two cores cost up to 15 s of the suite.
SLOW_FIRST = ("test_rerun_cli.py", "test_faults.py", "test_distributed.py", "test_bench.py", "test_environment.py")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks to name the groups
def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.suffix == ".ipynb" or item.path.name in GROUPED:
            item.add_marker(pytest.mark.xdist_group(item.path.name))
    items.sort(key=lambda item: item.path.name not in SLOW_FIRST)  # stable: the order within each part stays
