"""Checkers for 10_noise_and_generalization.ipynb: a standard error, the noise estimate, the expected training loss."""

from __future__ import annotations

import math

import torch

from helpers.data import noisy_data, original_data, true_line
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.exercises.validate import Wrong
from helpers.solve import closed_form, design_matrix


@checker
def check_standard_error(answer: object, sigma: float = 0.05, which: str = "w") -> Verdict:
    """the textbook standard error of the fitted w (or b), sigma sqrt([(AᵀA)⁻¹]_kk), on the original 40 inputs."""
    if which not in ("w", "b"):
        raise Wrong(f'which must be "w" or "b", got {which!r}')
    X, _ = original_data()
    A = design_matrix(X)
    unit = torch.linalg.inv(A.T @ A)  # (2, 2): the covariance of (w, b) per unit of noise variance
    k, other = (0, "b") if which == "w" else (1, "w")
    var = sigma**2 * unit[k, k].item()
    return compare_number(
        answer,
        math.sqrt(var),
        name="your standard error",
        rtol=1e-6,
        mistakes=[
            Mistake(var, "that is the variance σ²[(AᵀA)⁻¹]; the standard error is its square root"),
            Mistake(
                sigma * math.sqrt(unit[1 - k, 1 - k].item()),
                f"that is the standard error of {other}: take the other diagonal entry",
            ),
            Mistake(math.sqrt(var / 2), "you used the Hessian 2AᵀA; the covariance of the estimates is σ²(AᵀA)⁻¹"),
            Mistake(math.sqrt(sigma * unit[k, k].item()), "σ enters squared: σ²(AᵀA)⁻¹, then the square root"),
            Mistake(sigma * math.sqrt((A.T @ A)[k, k].item()), "the inverse is missing: σ²(AᵀA)⁻¹, not σ²(AᵀA)"),
            Mistake(
                sigma / math.sqrt(X.shape[0]),
                "σ/√n is the standard error of a mean; a fitted line's depends on "
                "how the inputs are spread, through (AᵀA)⁻¹",
            ),
        ],
    )


@checker
def check_sigma_hat(answer: object, sigma: float = 0.05, seed: int = 0) -> Verdict:
    """the noise estimate sqrt(SSE / (n - 2)) from the least-squares line's residuals on noisy_data(sigma, seed)."""
    X, y = noisy_data(sigma, seed)
    w, b = closed_form(X, y)
    n = X.shape[0]
    sse = (y - (X * w + b)).pow(2).sum().item()
    return compare_number(
        answer,
        math.sqrt(sse / (n - 2)),
        name="your estimate",
        rtol=1e-6,
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
                math.sqrt((y - true_line(X)).pow(2).sum().item() / (n - 2)),
                "those residuals are from the true line, which real data never shows you: use the fitted line's",
            ),
            Mistake(sigma, "that is the σ the data was made with; the exercise asks what the residuals say about it"),
        ],
    )


@checker
def check_train_mse(answer: object, sigma: float = 0.05, n: int = 40) -> Verdict:
    """the expected training MSE of the least-squares line on n noisy points: sigma^2 (n - 2) / n."""
    var = sigma**2
    return compare_number(
        answer,
        var * (n - 2) / n,
        name="your expected loss",
        rtol=1e-9,
        n=n,
        mistakes=[
            Mistake(
                var,
                "σ² is the expected loss of the true line, and about what fresh data sees; on its own training "
                "points the fitted line also fits part of the noise, two parameters' worth",
            ),
            Mistake(var * (n - 1) / n, "a line fits two parameters, not one: the factor is (n − 2)/n"),
            Mistake(sigma * (n - 2) / n, "σ enters squared: the noise's variance is σ²"),
            Mistake(var * n / (n - 2), "that factor is upside down: fitting lowers the training loss below σ²"),
        ],
    )
