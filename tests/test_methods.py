"""train(method=...): autograd, the hand gradient and sufficient statistics give the same run, across N and dtype.

The sizes straddle the blocked gradient's block of CHUNK rows (one block, one block plus one row, two
blocks plus a few), x is positive (the original's range) or of both signs (so that the ReLU clamps
points and the stats path must keep separate sums for x > 0 and x < 0), both losses, both activations.

Tolerances. The three methods compute the same update with different rounding: the same residuals summed
in another order (autograd, hand) or expanded into float64 sums (stats). Gradient descent shrinks an
existing gap between two runs by rho = max|1 - lr lambda| per update, so a per-update discrepancy d
keeps the runs within d / (1 - rho). Here lr is half the fastest rate, so 1 / (1 - rho) is about 10.
  - float64: d ~ 1e-16 (a few roundings of numbers below 1), so the gap stays ~1e-15. TOL64 = 1e-12.
  - float32: each update can land one float32 ulp apart (2**-24 for |theta| < 1), and float32 sums of
    up to 1.3e5 terms add a few more; 20 ulps per update, divided by (1 - rho), is the bound.
A wrong mask, scale or sign is off by 1e-3 or more within the first updates.
For "relu" the rates come from the points the ReLU passes (x clamped to w's sign, see
helpers/further/blocked.py): on them the model is linear, and so are its dynamics while w keeps its sign.
"""

from __future__ import annotations

import math

import pytest
import torch

import helpers.further.blocked as blocked
from helpers import autograd_grad, init_params, noisy_data, spectrum, train, uniform_x
from helpers.checks import CHUNK
from helpers.further.blocked import loss_and_grad
from helpers.training import METHODS

F32_ULP = 2.0**-24
TOL64 = 1e-12
UPDATES = 40


def problem(n: int, dtype: torch.dtype, mixed: bool, seed: int):
    """n noisy points around the true line, x on [0.01, 3.001) or [-1.5, 1.5), and (w, b) from init_params."""
    X = uniform_x(n, seed, low=-1.5, high=1.5) if mixed else uniform_x(n, seed)
    _, y = noisy_data(0.1, seed, X=X)
    w, b = init_params(seed, dtype=dtype)
    return X.to(dtype), y.to(dtype), w, b


def gap(a, b) -> float:
    return max(abs(u - v) for u, v in zip(a.w_path + a.b_path, b.w_path + b.b_path))


@pytest.mark.parametrize("n", [2, 40, CHUNK + 1, 2 * CHUNK + 5])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("mixed", [False, True], ids=["x>0", "mixed-x"])
@pytest.mark.parametrize("loss", ["sum", "mean"])
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_every_method_gives_the_same_run(n, dtype, mixed, loss, activation):
    X, y, w, b = problem(n, dtype, mixed, seed=n)
    lr = 0.5 * spectrum(X.double(), loss).fastest_lr
    runs = {
        m: train(X, y, w, b, lr=lr, num_updates=UPDATES, loss=loss, activation=activation, method=m) for m in METHODS
    }
    ref = runs["hand"]
    assert ref.updates == UPDATES and ref.w.dtype == dtype
    active = X.double()
    if activation == "relu" and ref.w.item() != 0:
        active = active.clamp(min=0) if ref.w.item() > 0 else active.clamp(max=0)
    rho = spectrum(active, loss).contraction(lr) if float(active.max()) > float(active.min()) else 1.0
    assert rho < 1, "the test needs a contracting run for its bound"
    tol = TOL64 if dtype == torch.float64 else 20 * F32_ULP / (1 - rho)
    for method, h in runs.items():
        assert gap(h, ref) <= tol, (method, gap(h, ref), tol)
        assert h.status == ref.status and h.dead_at == ref.dead_at, method
        # losses: the same (w, b) up to tol, so the same loss up to rounding of its own sums (stats expands
        # it, which cancels terms of the size of the first loss): 1e-9 of the first loss in float64, 1e-4 in float32
        scale = (1e-9 if dtype == torch.float64 else 1e-4) * ref.losses[0]
        assert all(abs(u - v) <= scale for u, v in zip(h.losses, ref.losses)), method


@pytest.mark.parametrize("n", [1, 6, 7, 8, 40])
@pytest.mark.parametrize("w_value", [0.7, -0.7, 0.0])
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_hand_gradient_in_small_blocks_equals_autograd(monkeypatch, n, w_value, activation):
    # CHUNK = 7 turns 40 rows into 6 blocks (the last one short), 8 into a full block and a single row;
    # float64 sums in another order: within 1e-12 of the gradient's scale (|dL| here is O(n))
    monkeypatch.setattr(blocked, "CHUNK", 7)
    X = uniform_x(n, seed=n, low=-2.0, high=2.0) if n > 1 else torch.tensor([[-0.5]], dtype=torch.float64)
    _, y = noisy_data(0.3, seed=n, X=X)
    w = torch.tensor([[w_value]], dtype=torch.float64)
    b = torch.tensor([[0.25]], dtype=torch.float64)
    for loss in ("sum", "mean"):
        value, g = loss_and_grad(X, y, w, b, loss, activation)
        ref = autograd_grad(X, y, w, b, loss, activation)
        scale = 1e-12 * max(1.0, n if loss == "sum" else 1.0)
        assert abs(g.w.item() - ref.w.item()) <= scale and abs(g.b.item() - ref.b.item()) <= scale
        z = X * w
        r = (z.clamp(min=0) if activation == "relu" else z) + b - y
        expected = r.pow(2).sum() if loss == "sum" else r.pow(2).mean()
        assert math.isclose(value.item(), expected.item(), rel_tol=1e-12, abs_tol=1e-15)
