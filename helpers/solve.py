"""The answer without training: least squares in closed form, and what the Hessian says about step sizes.

For y_hat = A theta with A = [x, 1] and theta = (w, b), the loss is quadratic with Hessian
H = s A^T A (s = 2 for the sum loss, 2/n for the mean). Gradient descent with step lr multiplies
the error theta - theta* by (I - lr H) each update, so it shrinks by at most
rho = max_i |1 - lr lambda_i| per step, and converges only if lr < 2 / lambda_max.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import torch

from helpers import checks  # the numeric guards: exact scaling by powers of two, trust and range checks
from helpers.checks import CHUNK, LOSSES, check_choice, check_lr, check_matrix


class Solution(NamedTuple):
    """least-squares parameters, each (1, 1) in the data's dtype."""

    w: torch.Tensor
    b: torch.Tensor


def closed_form(X: torch.Tensor, y: torch.Tensor) -> Solution:
    """the least-squares line, w = cov(x, y) / var(x), b = mean(y) - w mean(x).  X, y: (n, 1) -> Solution

    Data far from 1 in size are first scaled by powers of two (exact; see helpers.checks). Raises ValueError if
    x is too ill-conditioned to trust (its spread too small next to its mean) or w or b does not fit the dtype.
    """
    X, y, kx, ky = checks.check_fit_data(X, y)  # X and y themselves (no copy) for ordinary data
    x_mean, y_mean = X.mean(), y.mean()
    sxx = sxy = torch.zeros(1, 1, dtype=X.dtype, device=X.device)
    for i in range(0, X.shape[0], CHUNK):  # centred in blocks: exact as one pass, without copying X and y
        xc, yc = X[i : i + CHUNK] - x_mean, y[i : i + CHUNK] - y_mean
        sxx, sxy = sxx + xc.t().mm(xc), sxy + xc.t().mm(yc)
    w = sxy / sxx
    b = (y_mean - w * x_mean).reshape(1, 1)
    return Solution(*checks.check_line(w, b, x_mean, sxx, X.shape[0], kx, ky))


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

    Raises ValueError if x is too ill-conditioned to trust (as closed_form) or an eigenvalue does not fit float64;
    where eigvalsh cannot resolve lambda_min, both come from the trace and determinant (helpers.checks).
    """
    X, k, mean, sxx = checks.check_spectrum_data(X, loss)  # k: x's power-of-two scale, 0 for ordinary data
    if k == 0:
        lam = torch.linalg.eigvalsh(hessian(X, loss).double()).cpu()
        lam_min, lam_max = float(lam[0]), float(lam[1])
        if checks.resolved(lam_min, lam_max, X.dtype):
            return Spectrum(lam_min, lam_max)  # eigvalsh's own numbers
    return Spectrum(*checks.scaled_eigenvalues(X.shape[0], k, mean, sxx, loss))
