"""helpers.solve: the closed-form line, the Hessian's numbers from FACTS, and the convergence bound."""

from __future__ import annotations

import math

import pytest
import torch

from helpers import closed_form, design_matrix, hessian, init_params, noisy_data, spectrum, train, uniform_x


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
    assert abs(spectrum(X).stability_limit - 0.0099824) <= 0.5e-7
    assert abs(s.fastest_lr - 0.0089628) <= 0.5e-7
    assert abs(s.contraction(0.001) - 0.97721) <= 0.5e-5
    assert abs(spectrum(X).contraction(0.001) - 0.97721) <= 0.5e-5
    assert abs(spectrum(X).contraction(0.001) ** 149 - 0.0322) <= 0.5e-4
    assert abs(spectrum(X, "mean").stability_limit - 0.3993) <= 0.5e-4
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
    rho = spectrum(X).contraction(lr)
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
        spectrum(data[0]).contraction(-0.1)


# ---- extreme scales: a right answer or a ValueError naming the cause, never a silent wrong one ----------------


def _col(*values, dtype=torch.float64):
    return torch.tensor([[v] for v in values], dtype=dtype)


@pytest.mark.parametrize(
    "x, y, dtype, w_true, b_true",
    [
        # float32 x up to 2e20: its centred squares (1e40) overflow float32; scaled by a power of two they do not
        ((0.0, 1e20, 2e20), (1.0, 2.0, 3.0), torch.float32, 1e-20, 1.0),
        # an x spread of 1e-200: its squares (1e-400) underflow float64 to 0, which made w = inf
        ((0.0, 1e-200, 2e-200), (1.0, 2.0, 3.0), torch.float64, 1e200, 1.0),
        # x ~ 1e200: its squares overflow float64, which made w = 0
        ((1e200, 2e200, 3e200), (1.0, 2.0, 3.0), torch.float64, 1e-200, 0.0),
        # y ~ 1e300 against x ~ 1: x y sums overflow unless scaled
        ((1.0, 2.0, 3.0), (1e300, 2e300, 3e300), torch.float64, 1e300, 0.0),
        # float32 y ~ 1e-33: its products with x fall below float32's normal range
        ((1.0, 2.0, 3.0), (1e-33, 2e-33, 3e-33), torch.float32, 1e-33, 0.0),
    ],
    ids=["f32-x-1e20", "x-spread-1e-200", "x-1e200", "y-1e300", "f32-y-1e-33"],
)
def test_closed_form_at_extreme_scales_is_right(x, y, dtype, w_true, b_true):
    # the data are exactly on a line, representable in dtype: the answer is right to a few units of the dtype's eps
    # relative to the slope (b's scale is max|y|, as b = mean(y) - w mean(x) cancels to 0 in three of these)
    X, Y = _col(*x, dtype=dtype), _col(*y, dtype=dtype)
    w, b = closed_form(X, Y)
    assert w.dtype == b.dtype == dtype and bool(torch.isfinite(w).all() and torch.isfinite(b).all())
    eps = torch.finfo(dtype).eps
    assert math.isclose(w.item(), w_true, rel_tol=8 * eps)
    assert abs(b.item() - b_true) <= 8 * eps * max(abs(v) for v in y)


@pytest.mark.parametrize(
    "x, y, dtype, pattern",
    [
        # the slope 1e10 / 1e-300 = 1e310 is past float64's largest number
        ((0.0, 1e-300), (0.0, 1e10), torch.float64, r"w = 1e\+310 overflows float64"),
        # the slope 1e-33 / 1e20 = 1e-53 underflows float32 (its smallest normal number is 1.2e-38)
        ((0.0, 1e20, 2e20), (0.0, 1e-33, 2e-33), torch.float32, r"w = 1e-53 underflows float32"),
        # the intercept: w = -4e37, so b = y - w x = 3.4e38 + 4e37 = 3.8e38 passes float32's largest number, 3.4e38
        ((1.0, 2.0), (3.4e38, 3e38), torch.float32, r"b = 3\.8e\+38 overflows float32"),
        # a spread of one rounding step next to its mean: the line cannot be trusted
        ((1.0, 1.0 + 2**-52, 1.0 + 2**-51), (0.0, 1.0, 2.0), torch.float64, r"too ill-conditioned to trust"),
        ((1e4, 1e4 + 2**-9), (0.0, 1.0), torch.float32, r"too ill-conditioned to trust"),
        ((1e20, 1e20 + 2**14), (0.0, 1.0), torch.float64, r"too ill-conditioned to trust"),
    ],
    ids=["w-overflow", "w-underflow-f32", "b-overflow-f32", "f64-one-ulp", "f32-near-1e4", "f64-near-1e20"],
)
def test_closed_form_refuses_what_it_cannot_trust(x, y, dtype, pattern):
    with pytest.raises(ValueError, match=pattern):
        closed_form(_col(*x, dtype=dtype), _col(*y, dtype=dtype))


def test_ill_conditioned_message_names_x_and_the_condition_number():
    X = _col(1.0, 1.0 + 2**-52, 1.0 + 2**-51)
    with pytest.raises(ValueError) as info:
        closed_form(X, _col(0.0, 1.0, 2.0))
    message = str(info.value)
    assert message.startswith("X is too ill-conditioned to trust: ") and "\n" not in message
    assert "condition number" in message and "centre" in message


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_closed_form_is_unchanged_on_ordinary_data(data, dtype):
    # the checks add no rounding: the answer is bit for bit the centred formula it always was
    X, y = (t.to(dtype) for t in data)
    x_mean, y_mean = X.mean(), y.mean()
    xc, yc = X - x_mean, y - y_mean
    w = xc.t().mm(yc) / xc.t().mm(xc)
    b = (y_mean - w * x_mean).reshape(1, 1)
    got = closed_form(X, y)
    assert torch.equal(got.w, w) and torch.equal(got.b, b)


def test_spectrum_at_extreme_scales():
    # float32 x up to 2e20: the Hessian's entries (1e41) overflow float32 but not float64, where Spectrum lives.
    # H = 2 [[sum x^2, sum x], [sum x, n]]: lam_max + lam_min = trace, lam_max lam_min = det = 4 n sum (x - mean)^2
    s = spectrum(_col(0.0, 1e20, 2e20, dtype=torch.float32))
    x = [0.0, float(torch.tensor(1e20, dtype=torch.float32)), float(torch.tensor(2e20, dtype=torch.float32))]
    trace = 2 * sum(v * v for v in x) + 2 * 3
    mean = sum(x) / 3
    det = 4 * 3 * sum((v - mean) ** 2 for v in x)
    assert math.isfinite(s.lam_min) and math.isfinite(s.lam_max)
    assert math.isclose(s.lam_max, trace, rel_tol=1e-12)  # lam_min is 1e-40 of the trace
    assert math.isclose(s.lam_min * s.lam_max, det, rel_tol=1e-12)
    assert math.isclose(s.stability_limit, 2 / trace, rel_tol=1e-12)


@pytest.mark.parametrize(
    "x, dtype, pattern",
    [
        ((1e200, 2e200, 3e200), torch.float64, r"lambda_max = .*e\+401 overflows float64"),
        ((0.0, 1e-200, 2e-200), torch.float64, r"lambda_min = .*e-400 underflows float64"),
        ((1.0, 1.0 + 2**-52, 1.0 + 2**-51), torch.float64, r"too ill-conditioned to trust"),
    ],
    ids=["x-1e200", "x-spread-1e-200", "f64-one-ulp"],
)
def test_spectrum_refuses_what_it_cannot_trust(x, dtype, pattern):
    # before: Spectrum(nan, nan) at 1e200; now a ValueError naming the cause, as do stability_limit and contraction
    X = _col(*x, dtype=dtype)
    for call in (lambda: spectrum(X), lambda: spectrum(X).stability_limit, lambda: spectrum(X).contraction(0.001)):
        with pytest.raises(ValueError, match=pattern):
            call()


def test_spectrum_is_unchanged_on_ordinary_data(data):
    # the eigenvalues of the Hessian as eigvalsh gives them, bit for bit
    X, _ = data
    for loss in ("sum", "mean"):
        lam = torch.linalg.eigvalsh(hessian(X, loss).double())
        s = spectrum(X, loss)
        assert (s.lam_min, s.lam_max) == (float(lam[0]), float(lam[1]))
