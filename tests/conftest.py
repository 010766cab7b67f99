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


@pytest.fixture
def data():
    """the original X, y: (40, 1) float64 each, built fresh for every test."""
    from helpers import original_data

    return original_data()
