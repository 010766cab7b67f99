"""helpers.gradients: the hand-derived dL/dw and dL/db against autograd, on random seeded inputs.

Tolerance: both sides form the same residuals r_i bit for bit and differ only in how they add them up
(a dot product against a .sum(), the factor 2/n applied before or after). For a sum of n terms a_i,
any summation order is within n * eps * sum|a_i| of the exact value, so two orders are within twice
that. The tests use exactly this bound (eps of the data's dtype). A wrong formula (a missing mask, a
missing factor 2 or 1/n, a sign) is off by a sizable fraction of sum|a_i| itself, i.e. about 1/(n eps)
times the tolerance, so it cannot slip through.
"""

from __future__ import annotations

import pytest
import torch

from helpers import autograd_grad, grad, init_params


def reference_grad(X, y, w, b, loss, activation):
    """autograd through the original's forward pass, written out here: clamp(min=0), then + b, then the loss."""
    w = w.detach().to(X.dtype).clone().requires_grad_(True)
    b = b.detach().to(X.dtype).clone().requires_grad_(True)
    z = X.mm(w)
    y_pred = (z.clamp(min=0) if activation == "relu" else z) + b  # clamp, not torch.relu: relu passes no grad at 0
    sq = (y - y_pred).pow(2)
    (sq.sum() if loss == "sum" else sq.mean()).backward()
    return w.grad, b.grad, y_pred.detach() - y


def random_case(seed, n, dtype, w_sign):
    """X with mixed signs, noisy y, and (w, b) with the requested sign of w, from one seeded generator."""
    g = torch.Generator().manual_seed(seed)
    X = (2 * torch.randn(n, 1, generator=g, dtype=torch.float64)).to(dtype)
    y = (0.3 * X.double() - 0.5 + 0.2 * torch.randn(n, 1, generator=g, dtype=torch.float64)).to(dtype)
    w = (w_sign * torch.rand(1, 1, generator=g, dtype=torch.float64).add(0.05)).to(dtype)
    b = torch.randn(1, 1, generator=g, dtype=torch.float64).to(dtype)
    return X, y, w, b


def summation_tol(terms, scale):
    """2 * n * eps * scale * sum|terms|: the worst gap between two summation orders of scale * terms."""
    eps = torch.finfo(terms.dtype).eps
    return 2 * terms.numel() * eps * abs(scale) * terms.abs().sum().item()


@pytest.mark.parametrize("n", [1, 2, 7, 40, 257])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("w_sign", [1.0, -1.0])
@pytest.mark.parametrize("loss", ["sum", "mean"])
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_hand_gradients_equal_autograd(n, dtype, w_sign, loss, activation):
    X, y, w, b = random_case(seed=1000 * n + int(w_sign > 0), n=n, dtype=dtype, w_sign=w_sign)
    g_ref_w, g_ref_b, r = reference_grad(X, y, w, b, loss, activation)
    g = grad(X, y, w, b, loss=loss, activation=activation)
    assert g.w.shape == g.b.shape == (1, 1) and g.w.dtype == g.b.dtype == dtype
    scale = 2.0 if loss == "sum" else 2.0 / n
    mask = (X * w >= 0) if activation == "relu" else torch.ones_like(X, dtype=torch.bool)
    assert abs(g.w.item() - g_ref_w.item()) <= summation_tol(r * X * mask, scale)
    assert abs(g.b.item() - g_ref_b.item()) <= summation_tol(r, scale)
    # the helper's own autograd_grad runs the same graph as the reference: exactly equal
    a = autograd_grad(X, y, w, b, loss=loss, activation=activation)
    assert torch.equal(a.w, g_ref_w) and torch.equal(a.b, g_ref_b)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_original_mixed_precision(data, seed, loss):
    # the original: float32 (w, b), float64 data, grads flowing back into float32. The hand gradient is
    # float64; rounded to float32 it must be within 1 float32 ulp of w.grad (same float64 value, one rounding)
    X, y = data
    w, b = init_params(seed)
    w1, b1 = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    sq = (y - X.mm(w1.double()).clamp(min=0).add(b1.double())).pow(2)
    (sq.sum() if loss == "sum" else sq.mean()).backward()
    g = grad(X, y, w, b, loss=loss)
    for hand, auto in ((g.w, w1.grad), (g.b, b1.grad)):
        assert auto.dtype == torch.float32
        assert abs(hand.float().item() - auto.item()) <= torch.finfo(torch.float32).eps * abs(auto.item())


def test_dead_relu_gives_w_exactly_zero_gradient(data):
    # every x > 0 and w < 0: every x w < 0 is clamped, so dL/dw is exactly 0 and dL/db = 2 sum(b - y)
    X, y = data
    w = torch.tensor([[-0.19]], dtype=torch.float64)
    b = torch.tensor([[0.3]], dtype=torch.float64)
    g = grad(X, y, w, b)
    assert g.w.item() == 0.0
    # 2 * (40 b - sum y): float64 rounding on a sum of 40 terms of size ~1, so 1e-12 is ample
    assert abs(g.b.item() - 2 * (40 * 0.3 - y.sum().item())) <= 1e-12


def test_gradient_at_w_zero_keeps_the_clamp_convention():
    # at w = 0 every z = 0 and torch.clamp passes the gradient (z >= 0), so dL/dw = 2 sum r x with r = b - y.
    # Small integers: exact. X = [1, 2], y = [0.5, 3], b = 0: dw = 2 (1 * -0.5 + 2 * -3) = -13, db = -7
    X = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    y = torch.tensor([[0.5], [3.0]], dtype=torch.float64)
    zero = torch.zeros(1, 1, dtype=torch.float64)
    g = grad(X, y, zero, zero)
    assert (g.w.item(), g.b.item()) == (-13.0, -7.0)
    ref_w, ref_b, _ = reference_grad(X, y, zero, zero, "sum", "relu")
    assert (ref_w.item(), ref_b.item()) == (-13.0, -7.0)
    g_neg0 = grad(X, y, -zero, zero)  # -0.0 gives z = -0.0, which is not < 0: still passes
    assert (g_neg0.w.item(), g_neg0.b.item()) == (-13.0, -7.0)


def test_known_gradient_values():
    # worked example, exact in binary: X = [1, -2], y = [0, 0], w = 1, b = 0.5
    # relu: y_hat = [1.5, 0.5], r = [1.5, 0.5], mask = [1, 0]: dw = 2 * 1.5 = 3, db = 2 * 2 = 4
    # none: y_hat = [1.5, -1.5], r = [1.5, -1.5]: dw = 2 (1.5 + 3) = 9, db = 0
    X = torch.tensor([[1.0], [-2.0]], dtype=torch.float64)
    y = torch.zeros(2, 1, dtype=torch.float64)
    w = torch.tensor([[1.0]], dtype=torch.float64)
    b = torch.tensor([[0.5]], dtype=torch.float64)
    assert tuple(v.item() for v in grad(X, y, w, b)) == (3.0, 4.0)
    assert tuple(v.item() for v in grad(X, y, w, b, activation="none")) == (9.0, 0.0)
    assert tuple(v.item() for v in grad(X, y, w, b, loss="mean")) == (1.5, 2.0)


def test_grad_does_not_modify_its_inputs(data):
    X, y = data
    w, b = init_params(0)
    copies = [t.clone() for t in (X, y, w, b)]
    grad(X, y, w, b)
    grad(X, y, -w, b, loss="mean", activation="none")
    assert all(torch.equal(t, c) for t, c in zip((X, y, w, b), copies))


def test_autograd_grad_checks_its_inputs_as_grad_does(data):
    X, y = data
    w, b = init_params(0, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"y must have 40 rows to match X, got 39"):
        autograd_grad(X, y[:39], w, b)
    with pytest.raises(TypeError, match=r"X and y must share a dtype"):
        autograd_grad(X.float(), y, w, b)
    with pytest.raises(TypeError, match=r"w must be a torch\.Tensor of shape \(1, 1\), got float"):
        autograd_grad(X, y, 0.5, b)
    with pytest.raises(ValueError, match=r"b must be finite, got nan"):
        autograd_grad(X, y, w, torch.full((1, 1), float("nan")))
    g, a = grad(X, y, w, b), autograd_grad(X, y, w, b)
    assert abs(g.w.item() - a.w.item()) <= 1e-12 and abs(g.b.item() - a.b.item()) <= 1e-12  # float64 rounding
