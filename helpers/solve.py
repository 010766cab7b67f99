"""The answer without training: least squares in closed form, and what the Hessian says about step sizes.

For y_hat = A theta with A = [x, 1] and theta = (w, b), the loss is quadratic with Hessian
H = s A^T A (s = 2 for the sum loss, 2/n for the mean). Gradient descent with step lr multiplies
the error theta - theta* by (I - lr H) each update, so it shrinks by at most
rho = max_i |1 - lr lambda_i| per step, and converges only if lr < 2 / lambda_max.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import torch

from helpers.checks import LOSSES, check_choice, check_data, check_lr, check_matrix

CHUNK = 1 << 16  # rows per block when centring the data
SAFE_EXPONENT = {torch.float32: 30, torch.float64: 250}  # data within 2**-e .. 2**e is used as it is, unscaled
TRUST = 1e-3  # refuse when one rounding error in x could move the answer by more than this, relative


class Solution(NamedTuple):
    """least-squares parameters, each (1, 1) in the data's dtype."""

    w: torch.Tensor
    b: torch.Tensor


def _check_spread(X: torch.Tensor) -> tuple[float, float]:
    """raise unless X holds two different values; tested on X itself, as a rounded mean(x) hides equal x's.

    -> (min x, max x), found in the same pass.
    """
    low, high = (float(v) for v in X.aminmax())
    if high == low:
        raise ValueError(f"X must hold at least two different values to fit a line, got all x = {X[0, 0].item()}")
    return low, high


def _exponent(low: float, high: float, dtype: torch.dtype) -> int:
    """k such that values up to max(|low|, |high|) scaled by 2**-k lie in [0.5, 1); 0 if they need no scaling."""
    m = max(abs(low), abs(high))
    k = math.frexp(m)[1]
    return 0 if m == 0.0 or abs(k) <= SAFE_EXPONENT[dtype] else k


def _times_pow2(t: torch.Tensor, k: int) -> torch.Tensor:
    """t * 2**k, exact barring underflow: in two factors, as 2**k alone may not fit a float (|k| up to 1100)."""
    return t if k == 0 else t * 2.0 ** (k // 2) * 2.0 ** (k - k // 2)


def _sci(m: float, k: int) -> str:
    """m * 2**k to 3 digits, as 1.23e+456 where it lies past float64's range."""
    try:
        value = math.ldexp(m, k)
        if m == 0.0 or abs(value) >= torch.finfo(torch.float64).tiny:
            return f"{value:.3g}"
    except OverflowError:
        pass
    exponent10 = math.log10(abs(m)) + k * math.log10(2.0)
    e = math.floor(exponent10)
    mantissa = float(f"{math.copysign(10.0 ** (exponent10 - e), m):.3g}")
    if abs(mantissa) >= 10.0:  # 9.9996 rounded up
        mantissa, e = mantissa / 10.0, e + 1
    return f"{mantissa:g}e{e:+03d}"


def _condition(mean: float, sxx: float, n: int) -> float:
    """the condition number of the design matrix [x, 1] with each column scaled to length 1.

    mean, sxx: mean(x) and sum (x - mean)^2, in one scale. Its Gram matrix is [[1, c], [c, 1]] with
    c = mean / rms(x), so the condition number is sqrt((1 + |c|) / (1 - |c|)) = (1 + |c|) rms / sd,
    formed from the centred variance, not by cancellation.
    """
    var = sxx / n
    if not var > 0.0:
        return math.inf
    rms = math.sqrt(mean * mean + var)
    return (1.0 + abs(mean) / rms) * rms / math.sqrt(var)


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def _check_trust(mean: float, sxx: float, n: int, k: int, dtype: torch.dtype) -> None:
    """raise unless one rounding error of dtype in x moves the line by at most TRUST, relative.

    mean, sxx: of x * 2**-k. The error of w is about eps * condition (the data's own rounding, before any
    arithmetic), so a condition number past TRUST / eps leaves fewer than 3 digits that mean anything.
    """
    cond = _condition(mean, sxx, n)
    eps = torch.finfo(dtype).eps
    if cond * eps <= TRUST:
        return
    spread = math.sqrt(max(sxx, 0.0) / n)
    raise ValueError(
        f"X is too ill-conditioned to trust: the condition number of [x, 1] (columns scaled to length 1) is "
        f"{cond:.3g}, so one rounding error of {_dtype_name(dtype)} (eps {eps:.2g}) in x can move the line by "
        f"{cond * eps:.2g} relative, more than the {TRUST:g} trusted; the spread of x, {_sci(spread, k)}, is too "
        f"small next to its mean, {_sci(mean, k)}: centre or rescale x"
    )


def _in_range(name: str, m: float, k: int, dtype: torch.dtype, scale: int | None = None) -> float:
    """m * 2**k as a float that fits dtype, or a ValueError naming name if it overflows dtype, or underflows it
    while its natural size 2**scale (if given) is itself below dtype's smallest normal number."""
    info = torch.finfo(dtype)
    try:
        value = math.ldexp(m, k)
    except OverflowError:
        value = math.inf
    if not abs(value) <= info.max:
        raise ValueError(f"{name} = {_sci(m, k)} overflows {_dtype_name(dtype)} (its largest number is {info.max:.3g})")
    if scale is not None and m != 0.0 and math.ldexp(1.0, scale) < info.tiny:
        raise ValueError(
            f"{name} = {_sci(m, k)} underflows {_dtype_name(dtype)} (its smallest normal number is {info.tiny:.3g})"
        )
    return value


def closed_form(X: torch.Tensor, y: torch.Tensor) -> Solution:
    """the least-squares line, w = cov(x, y) / var(x), b = mean(y) - w mean(x).  X, y: (n, 1) -> Solution

    Data far from 1 in size (past 2**30 or below 2**-30 in float32, 2**250 in float64) are first scaled by
    powers of two, which is exact, so their squares neither overflow nor underflow. Raises ValueError if x is
    too ill-conditioned to trust (its spread too small next to its mean) or w or b does not fit the dtype.
    """
    X, y = check_data(X, y)
    kx = _exponent(*_check_spread(X), X.dtype)
    ky = _exponent(*(float(v) for v in y.aminmax()), y.dtype)
    X, y = _times_pow2(X, -kx), _times_pow2(y, -ky)  # X and y themselves (no copy) for ordinary data
    x_mean, y_mean = X.mean(), y.mean()
    sxx = sxy = torch.zeros(1, 1, dtype=X.dtype, device=X.device)
    for i in range(0, X.shape[0], CHUNK):  # centred in blocks: exact as one pass, without copying X and y
        xc, yc = X[i : i + CHUNK] - x_mean, y[i : i + CHUNK] - y_mean
        sxx, sxy = sxx + xc.t().mm(xc), sxy + xc.t().mm(yc)
    _check_trust(float(x_mean), float(sxx), X.shape[0], kx, X.dtype)
    w = sxy / sxx
    b = (y_mean - w * x_mean).reshape(1, 1)
    w_value = _in_range("w", float(w), ky - kx, X.dtype, scale=ky - kx)
    b_value = _in_range("b", float(b), ky, X.dtype)
    if kx == ky == 0:
        return Solution(w, b)  # the centred formula's own tensors, bit for bit as before
    return Solution(*(torch.full((1, 1), v, dtype=X.dtype, device=X.device) for v in (w_value, b_value)))


def design_matrix(X: torch.Tensor) -> torch.Tensor:
    """A = [x, 1], the inputs with a column of ones for the bias.  X: (n, 1) -> (n, 2)"""
    X = check_matrix("X", X)
    return torch.cat([X, torch.ones_like(X)], dim=1)


def hessian(X: torch.Tensor, loss: str = "sum") -> torch.Tensor:
    """H = s A^T A of the linear model's loss in (w, b).  X: (n, 1) -> (2, 2)"""
    check_choice("loss", loss, LOSSES)
    A = design_matrix(X)
    s = 2.0 if loss == "sum" else 2.0 / A.shape[0]
    return s * A.t().mm(A)


@dataclass(frozen=True)
class Spectrum:
    """the two eigenvalues of the Hessian and the step sizes they imply."""

    lam_min: float
    lam_max: float

    @property
    def stability_limit(self) -> float:
        """gradient descent converges for every start iff lr < 2 / lambda_max."""
        return 2.0 / self.lam_max

    @property
    def fastest_lr(self) -> float:
        """lr = 2 / (lambda_min + lambda_max) minimises rho."""
        return 2.0 / (self.lam_min + self.lam_max)

    @property
    def condition(self) -> float:
        """lambda_max / lambda_min: how stretched the loss's contours are."""
        return self.lam_max / self.lam_min

    def contraction(self, lr: float) -> float:
        """rho = max |1 - lr lambda|: the worst-case shrink factor of the error per update."""
        lr = check_lr(lr)
        return max(abs(1.0 - lr * self.lam_min), abs(1.0 - lr * self.lam_max))


def spectrum(X: torch.Tensor, loss: str = "sum") -> Spectrum:
    """eigenvalues of hessian(X, loss).  X: (n, 1) -> Spectrum

    Raises ValueError if x is too ill-conditioned to trust (as closed_form) or an eigenvalue does not fit
    float64. Where eigvalsh on the Hessian cannot resolve lambda_min (entries out of range, or too far apart),
    both come from its trace and determinant, det = s^2 n sum (x - mean)^2, on x scaled by a power of two.
    """
    X = check_matrix("X", X)
    k = _exponent(*_check_spread(X), torch.float64)
    check_choice("loss", loss, LOSSES)
    n = X.shape[0]
    Xs = _times_pow2(X.double(), -k)
    mean = float(Xs.mean())
    sxx = math.fsum(float((Xs[i : i + CHUNK] - mean).pow(2).sum()) for i in range(0, n, CHUNK))
    _check_trust(mean, sxx, n, k, X.dtype)
    if k == 0:
        lam = torch.linalg.eigvalsh(hessian(X, loss).double()).cpu()
        lam_min, lam_max = float(lam[0]), float(lam[1])
        if math.isfinite(lam_max) and lam_min > 0.0 and torch.finfo(X.dtype).eps * lam_max <= TRUST * lam_min:
            return Spectrum(lam_min, lam_max)  # eigvalsh's own numbers, bit for bit as before
    s = 2.0 if loss == "sum" else 2.0 / n
    # H = s [[sum x^2, sum x], [sum x, n]] = s [[2**2k a, 2**k c], [2**k c, n]] in the scaled sums a and c
    a, c = sxx + n * mean * mean, n * mean
    try:
        h00 = math.ldexp(s * a, 2 * k)
        lam_max = 0.5 * (h00 + s * n) + math.hypot(0.5 * (h00 - s * n), math.ldexp(s * c, k))
    except OverflowError:
        lam_max = math.inf
    if not math.isfinite(lam_max):
        raise ValueError(f"lambda_max = {_sci(s * a, 2 * k)} overflows float64: x is too large for its Hessian")
    # lam_min = det / lam_max = s^2 n sxx 2**2k / lam_max, with 2**2k applied where it cannot overflow
    q, e = (s * s * n * sxx / math.ldexp(lam_max, -2 * k), 0) if k > 0 else (s * s * n * sxx / lam_max, 2 * k)
    lam_min = math.ldexp(q, e)
    if not lam_min >= torch.finfo(torch.float64).tiny:
        raise ValueError(f"lambda_min = {_sci(q, e)} underflows float64: the spread of x is too small")
    return Spectrum(lam_min, lam_max)


def stability_limit(X: torch.Tensor, loss: str = "sum") -> float:
    """2 / lambda_max: the largest learning rate at which gradient descent still converges."""
    return spectrum(X, loss).stability_limit


def contraction(X: torch.Tensor, lr: float, loss: str = "sum") -> float:
    """rho = max |1 - lr lambda_i| for this data and loss."""
    return spectrum(X, loss).contraction(lr)
