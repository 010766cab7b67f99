"""Checkers for 10_noise_and_generalization.ipynb: a prediction's standard error, the noise estimate, the loss on
fresh noise."""

from __future__ import annotations

import math
import numbers

import torch

from helpers.data import SCALE, noisy_data, original_data, true_line
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.exercises.validate import Wrong
from helpers.solve import closed_form, design_matrix


@checker
def check_prediction_se(answer: object, sigma: float = 0.05, raw_x: float = 200.0) -> Verdict:
    """the standard error of the fitted line's y_hat at raw_x / 100, sigma sqrt(a₀ᵀ(AᵀA)⁻¹a₀), a₀ = (x₀, 1)."""
    for name, value, low in (("sigma", sigma, 0.0), ("raw_x", raw_x, -math.inf)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not low < value < math.inf:
            raise Wrong(f"{name} must be a finite number{' > 0' if low == 0 else ''}, got {value!r}")
    X, _ = original_data()
    A = design_matrix(X)
    unit = torch.linalg.inv(A.T @ A)  # (2, 2): the covariance of (w, b) per unit of noise variance
    x0 = raw_x / SCALE
    a0 = torch.tensor([[x0], [1.0]], dtype=torch.float64)  # (2, 1): y_hat(x0) = a0ᵀ θ
    var = sigma**2 * (a0.T @ unit @ a0).item()
    raw = torch.tensor([[raw_x], [1.0]], dtype=torch.float64)
    se_w, se_b = sigma * math.sqrt(unit[0, 0].item()), sigma * math.sqrt(unit[1, 1].item())
    return compare_number(
        answer,
        math.sqrt(var),
        name="your standard error",
        mistakes=[
            Mistake(
                math.sqrt(x0**2 * se_w**2 + se_b**2),
                "the covariance of ŵ and b̂ is missing: Var(a₀ᵀθ̂) = a₀ᵀ Cov(θ̂) a₀, the off-diagonal entries included",
            ),
            Mistake(x0 * se_w + se_b, "standard errors do not add; variances do (with the covariance): a₀ᵀ Cov(θ̂) a₀"),
            Mistake(
                sigma * math.sqrt((raw.T @ unit @ raw).item()),
                "you used the raw value: divide it by 100 first, as every input of the data was",
            ),
            Mistake(var, "that is the variance a₀ᵀ Cov(θ̂) a₀; the standard error is its square root"),
            Mistake(
                math.sqrt(sigma**2 + var),
                "that adds the noise σ² of a new measurement; the exercise asks for the error of the fitted "
                "line itself",
            ),
            Mistake(math.sqrt(var / 2), "you used the Hessian 2AᵀA; the covariance of the estimates is σ²(AᵀA)⁻¹"),
            Mistake(
                sigma / math.sqrt(X.shape[0]),
                "σ/√n is the standard error of a mean; a fitted line's depends on "
                "where x₀ lies among the inputs, through (AᵀA)⁻¹",
            ),
        ],
    )


@checker
def check_sigma_hat(answer: object, sigma: float = 0.05, seed: int = 0) -> Verdict:
    """the noise estimate sqrt(SSE / (n - 2)) from the least-squares line's residuals on noisy_data(sigma, seed)."""
    X, y = noisy_data(sigma, seed)
    w, b = closed_form(X, y)
    n = X.shape[0]
    sse = (X * w + b - y).pow(2).sum().item()
    return compare_number(
        answer,
        math.sqrt(sse / (n - 2)),
        name="your estimate",
        mistakes=[
            Mistake(
                math.sqrt(sse / n),
                "you divided by n: the fitted line used up two degrees of freedom, so divide "
                "the sum of squared residuals by n − 2",
            ),
            Mistake(
                math.sqrt(sse / (n - 1)),
                "n − 1 corrects for one fitted number (a mean); a line fits two, so divide by n − 2",
            ),
            Mistake(sse / (n - 2), "that is the variance estimate σ̂²; take its square root"),
            Mistake(
                math.sqrt((true_line(X) - y).pow(2).sum().item() / (n - 2)),
                "those residuals are from the true line, which real data never shows you: use the fitted line's",
            ),
            Mistake(sigma, "that is the σ the data was made with; the exercise asks what the residuals say about it"),
        ],
    )


@checker
def check_fresh_mse(answer: object, sigma: float = 0.05, n: int = 40) -> Verdict:
    """the expected MSE of the least-squares line, fitted to n noisy points, on fresh noise at the same inputs."""
    var = sigma**2
    return compare_number(
        answer,
        var * (n + 2) / n,
        name="your expected loss",
        n=n,
        mistakes=[
            Mistake(
                var * (n - 2) / n,
                "that is the expected training loss: there the fit follows part of the noise; fresh noise is "
                "new to it, and the fit's own error comes on top of σ²",
            ),
            Mistake(var, "σ² is the expected loss of the true line; the fitted line's own error comes on top"),
            Mistake(
                2 * var / n,
                "that is the fitted line's own error alone; the fresh targets bring their noise σ² as well",
            ),
            Mistake(
                var * (n + 1) / n,
                "off by one in the parameters: count the fitted line's, w and b",
            ),
            Mistake(
                var * n / (n - 2),
                "n/(n − 2) is the correction that makes σ̂² unbiased; the loss on fresh noise is σ² plus the "
                "mean squared error of the fitted values",
            ),
            Mistake(sigma * (n + 2) / n, "σ enters squared: the noise's variance is σ²"),
        ],
    )
