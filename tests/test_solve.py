"""helpers.solve: the closed-form line, the Hessian's numbers from FACTS, and the convergence bound."""

from __future__ import annotations

import math

import pytest
import torch

from helpers import (
    closed_form,
    contraction,
    design_matrix,
    hessian,
    init_params,
    noisy_data,
    spectrum,
    stability_limit,
    train,
    uniform_x,
)


@pytest.mark.parametrize("n", [2, 3, 40, 1000])
@pytest.mark.parametrize("seed", [0, 1])
def test_closed_form_equals_lstsq(n, seed):
    # random line through random-sign data. Both solve the same well-conditioned (kappa < 100) 2x2
    # problem in float64; their answers agree to ~kappa * eps, so 1e-10 is a safe and still tight bound
    g = torch.Generator().manual_seed(seed)
    X = 3 * torch.randn(n, 1, generator=g, dtype=torch.float64) + 0.5
    y = -1.3 * X + 2.0 + torch.randn(n, 1, generator=g, dtype=torch.float64)
    w, b = closed_form(X, y)
    assert w.shape == b.shape == (1, 1) and w.dtype == b.dtype == torch.float64
    theta = torch.linalg.lstsq(design_matrix(X), y).solution  # (2, 1): (w, b)
    torch.testing.assert_close(torch.cat([w, b]), theta, rtol=0, atol=1e-10)


def test_closed_form_float32():
    # float32 data: the answer stays in float32 and agrees with float64 lstsq to float32 precision
    # (1e-5: centred sums of 1000 terms in float32 lose a few digits of the 7 available)
    X = uniform_x(1000, seed=4)
    _, y = noisy_data(0.1, seed=4, X=X)
    w, b = closed_form(X.float(), y.float())
    assert w.dtype == torch.float32
    theta = torch.linalg.lstsq(design_matrix(X), y).solution
    torch.testing.assert_close(torch.cat([w, b]).double(), theta, rtol=0, atol=1e-5)


def test_closed_form_recovers_the_true_line(data):
    # y is exactly 0.175 x + 0.4, so only float64 rounding separates the answer from the truth
    w, b = closed_form(*data)
    assert abs(w.item() - 0.175) <= 1e-12 and abs(b.item() - 0.4) <= 1e-12


def test_hessian_is_2_AtA_with_the_facts_numbers(data):
    X, _ = data
    H = hessian(X)
    A = torch.cat([X, torch.ones_like(X)], dim=1)
    # exact: the same product, doubled (multiplying by 2 is exact)
    assert torch.equal(H, 2 * A.t().mm(A))
    # FACTS prints [[143.144168, 82.976], [82.976, 80.0]]: tolerance half a unit in its 6th decimal
    expected = torch.tensor([[143.144168, 82.976], [82.976, 80.0]], dtype=torch.float64)
    torch.testing.assert_close(H, expected, rtol=0, atol=0.5e-6)
    assert H[1, 1].item() == 80.0  # 2 * n, exactly
    # the mean loss divides every entry by n = 40 (float64 rounding only)
    torch.testing.assert_close(hessian(X, "mean"), H / 40, rtol=1e-15, atol=0)


def test_spectrum_matches_facts(data):
    # every number here is quoted in FACTS; the tolerance is half a unit in the last digit FACTS prints
    X, _ = data
    s = spectrum(X)
    assert abs(s.lam_min - 22.7925) <= 0.5e-4
    assert abs(s.lam_max - 200.3517) <= 0.5e-4
    assert abs(s.condition - 8.79) <= 0.5e-2
    assert abs(s.stability_limit - 0.0099824) <= 0.5e-7
    assert abs(stability_limit(X) - 0.0099824) <= 0.5e-7
    assert abs(s.fastest_lr - 0.0089628) <= 0.5e-7
    assert abs(s.contraction(0.001) - 0.97721) <= 0.5e-5
    assert abs(contraction(X, 0.001) - 0.97721) <= 0.5e-5
    assert abs(contraction(X, 0.001) ** 149 - 0.0322) <= 0.5e-4
    assert abs(stability_limit(X, "mean") - 0.3993) <= 0.5e-4
    # the eigenvalues are those of the Hessian (trace and determinant, float64 rounding: 1e-9 relative)
    H = hessian(X)
    assert math.isclose(s.lam_min + s.lam_max, H.trace().item(), rel_tol=1e-12)
    assert math.isclose(s.lam_min * s.lam_max, torch.linalg.det(H).item(), rel_tol=1e-9)


def test_contraction_identities(data):
    X, _ = data
    s = spectrum(X)
    # at the fastest rate both eigen-directions shrink equally: rho = (kappa - 1) / (kappa + 1)
    assert math.isclose(s.contraction(s.fastest_lr), (s.condition - 1) / (s.condition + 1), rel_tol=1e-12)
    # at the stability limit rho = 1 (float64 rounding of 1 - 2: 1e-12)
    assert abs(s.contraction(s.stability_limit) - 1.0) <= 1e-12
    # rho is smallest at the fastest rate: any other lr is slower
    for lr in (0.5 * s.fastest_lr, 0.99 * s.fastest_lr, 1.01 * s.fastest_lr, 0.999 * s.stability_limit):
        assert s.contraction(lr) > s.contraction(s.fastest_lr)


LIMIT = 0.009982447876133478  # 2 / lambda_max for the original data, sum loss (see test above)
FASTEST = 0.008962815465560364


@pytest.mark.parametrize("lr", [0.001, 0.005, FASTEST, 0.995 * LIMIT])
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_training_obeys_the_contraction_bound(data, lr, seed):
    # gradient descent on a quadratic multiplies the error by (I - lr H), whose norm is rho, so after T
    # updates |theta_T - theta*| <= rho^T |theta_0 - theta*|. Slack 1e-12: float64 rounding adds ~1e-15
    # per update, and the damped sum of those stays below 1e-12 even at rho = 0.99; a real violation
    # would exceed the bound by a factor, not by 1e-12
    X, y = data
    w_star, b_star = (v.item() for v in closed_form(X, y))
    rho = contraction(X, lr)
    w0, b0 = init_params(seed, dtype=torch.float64)
    h = train(X, y, w0, b0, lr=lr, num_updates=300, activation="none")
    e0 = math.hypot(h.w_path[0] - w_star, h.b_path[0] - b_star)
    for T in (1, 2, 10, 149, 300):
        e = math.hypot(h.w_path[T] - w_star, h.b_path[T] - b_star)
        assert e <= rho**T * e0 + 1e-12, (T, e, rho**T * e0)
    # the bound is not vacuous: somewhere in the run the error is within a factor 10 of it
    # (the slow direction dominates once the fast one has died out)
    ratios = [math.hypot(h.w_path[T] - w_star, h.b_path[T] - b_star) / (rho**T * e0) for T in (10, 50, 100)]
    assert max(ratios) >= 0.1


@pytest.mark.parametrize("value", [0.1, 0.3, 1 / 3, 0.7, 2.9, -1.5])
@pytest.mark.parametrize("n", [2, 3, 7, 40, 1000])
def test_singular_data_raises(value, n):
    # every x equal: no unique line. Must raise whatever rounding does to mean(x)
    X = torch.full((n, 1), value, dtype=torch.float64)
    y = 2 * X
    with pytest.raises(ValueError, match=r"X must hold at least two different values.*" + f"{value}"[:5]):
        closed_form(X, y)
    with pytest.raises(ValueError, match=r"X must hold at least two different values"):
        spectrum(X)


def test_spectrum_rejects_bad_loss(data):
    with pytest.raises(ValueError, match=r"loss must be one of 'sum', 'mean'; got 'max'"):
        spectrum(data[0], "max")


def test_contraction_rejects_bad_lr(data):
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got -0\.1"):
        contraction(data[0], -0.1)
