"""helpers.further.suffstats: six sums stand in for the data, and the O(1) step equals the hand step."""

from __future__ import annotations

import math

import pytest
import torch

import helpers.further.suffstats as suffstats
from helpers.further.blocked import loss_and_grad
from helpers.further.suffstats import CHUNK, Sums, stats_step, sums


def direct_sums(X, y):
    x, t = X[:, 0].double(), y[:, 0].double()
    return [x.sum().item(), (x * x).sum().item(), t.sum().item(), (x * t).sum().item(), (t * t).sum().item()]


def random_xy(n, seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 1, generator=g, dtype=torch.float64) + 0.5
    y = 0.7 * X - 0.2 + 0.3 * torch.randn(n, 1, generator=g, dtype=torch.float64)
    return X.to(dtype), y.to(dtype)


def assert_sums_close(s, X, y):
    # float64 sums in a different order: within n * eps * sum|terms| of each other; the terms here are
    # O(1) and n <= 2e5, so 1e-9 relative to sum|terms| is a safe, still tight bound
    assert s.n == float(X.shape[0])
    x, t = X[:, 0].double(), y[:, 0].double()
    magnitudes = [x.abs().sum(), (x * x).sum(), t.abs().sum(), (x * t).abs().sum(), (t * t).sum()]
    got = [s.x, s.xx, s.y, s.xy, s.yy]
    for g, d, m in zip(got, direct_sums(X, y), magnitudes):
        assert abs(g - d) <= 1e-9 * m.item(), (g, d)


@pytest.mark.parametrize("n", [1, 40, CHUNK, CHUNK + 17, 2 * CHUNK + 5])
def test_sums_equal_direct_sums(n):
    X, y = random_xy(n, seed=n)
    s = sums(X, y)
    assert isinstance(s, Sums)
    assert_sums_close(s, X, y)


@pytest.mark.parametrize("n", [40, 42, 6])
def test_sums_with_a_small_chunk(monkeypatch, n):
    # CHUNK = 7 makes 40 points 6 chunks (the last one short), 42 points exactly 6 chunks, 6 points less than one
    monkeypatch.setattr(suffstats, "CHUNK", 7)
    X, y = random_xy(n, seed=3)
    assert_sums_close(sums(X, y), X, y)


def test_sums_of_float32_data_accumulate_in_float64():
    # float32 inputs, float64 sums: the result must match float64 sums of the same float32 values (same bound)
    X, y = random_xy(1000, seed=5, dtype=torch.float32)
    s = sums(X, y)
    assert_sums_close(s, X, y)


def test_sums_known_values():
    # exact small integers: X = [1, 2, 3], y = [2, 0, 1]
    X = torch.tensor([[1.0], [2.0], [3.0]])
    y = torch.tensor([[2.0], [0.0], [1.0]])
    assert sums(X, y) == Sums(n=3.0, x=6.0, xx=14.0, y=3.0, xy=5.0, yy=5.0)


CASES = {
    "w>0, x>0": (0.01, 3.0, 0.4),
    "w<0, x>0": (0.01, 3.0, -0.3),
    "w=0, x>0": (0.01, 3.0, 0.0),
    "w>0, mixed x": (-2.0, 2.0, 0.6),
    "w<0, mixed x": (-2.0, 2.0, -0.6),
    "w=0, mixed x": (-2.0, 2.0, 0.0),
    "w>0, x<0": (-3.0, -0.01, 0.5),
    "w<0, x<0": (-3.0, -0.01, -0.5),
    "w>0, x with zeros": (0.0, 2.0, 0.5),
}


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("loss", ["sum", "mean"])
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_stats_step_equals_hand_step(case, loss, activation):
    # the expanded loss w^2 S_xx + ... + S_yy cancels terms of size ~n (|w| + |b| + |y|)^2 (about 1e2 here)
    # down to the loss, so float64 rounding leaves ~1e-13 absolute; 1e-10 (relative to n for the mean's
    # 1/n) is safe, while any wrong or missing term would be off by O(1)
    low, high, w_value = CASES[case]
    g = torch.Generator().manual_seed(len(case))
    n = 50
    X = low + (high - low) * torch.rand(n, 1, generator=g, dtype=torch.float64)
    if "zeros" in case:
        X[::5] = 0.0
    y = 0.3 * X + 0.1 + 0.2 * torch.randn(n, 1, generator=g, dtype=torch.float64)
    w = torch.tensor([[w_value]], dtype=torch.float64)
    b = torch.tensor([[-0.25]], dtype=torch.float64)
    value, dw, db = stats_step(X, y, loss, activation)(w, b)
    hand_value, hand_g = loss_and_grad(X, y, w, b, loss, activation)
    tol = 1e-10 if loss == "sum" else 1e-10 / n
    assert abs(value - hand_value.item()) <= tol
    assert abs(dw - hand_g.w.item()) <= tol
    assert abs(db - hand_g.b.item()) <= tol


def test_stats_step_on_the_original_data(data):
    # the default run's start (seed 0) and a dead-ReLU point; same reasoning and tolerance as above
    X, y = data
    step = stats_step(X, y, "sum", "relu")
    for w_value, b_value in ((0.4963, 0.7682), (-0.1926, 0.58151), (0.175, 0.4)):
        w = torch.tensor([[w_value]], dtype=torch.float64)
        b = torch.tensor([[b_value]], dtype=torch.float64)
        value, dw, db = step(w, b)
        hand_value, hand_g = loss_and_grad(X, y, w, b, "sum", "relu")
        assert abs(value - hand_value.item()) <= 1e-10
        assert abs(dw - hand_g.w.item()) <= 1e-10 and abs(db - hand_g.b.item()) <= 1e-10
        if w_value < 0:
            assert dw == 0.0  # dead ReLU: no active point, so every S over the active set is exactly 0


def test_stats_step_loss_never_negative(data):
    # at the exact minimum the expanded form can round below 0; the step clamps it to 0
    X, y = data
    w_star = torch.tensor([[0.175]], dtype=torch.float64)
    b_star = torch.tensor([[0.4]], dtype=torch.float64)
    value, _, _ = stats_step(X, y, "sum", "none")(w_star, b_star)
    assert 0.0 <= value <= 1e-12 and math.isfinite(value)
