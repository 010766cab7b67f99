"""Shared fixtures for the unit tests: the original 40 points, one torch thread, and an untouched global RNG.

Imports of torch and helpers happen inside the fixtures, so that pytest-xdist's controller process,
which runs no tests, does not pay for them.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """one intra-op thread per test process: with pytest -n 2 on two cores, torch's default of one thread
    per core oversubscribes the CPU and slows 1e5-row steps a hundredfold; it also fixes the reduction order."""
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
