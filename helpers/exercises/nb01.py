"""Checkers for 01_data.ipynb: centring's condition number, a division by 1000, and the normal equations."""

from __future__ import annotations

import torch

from helpers.data import SCALE, noisy_data, original_data, true_line
from helpers.exercises.core import Mistake, Verdict, checker, compare_number, compare_tensor
from helpers.solve import closed_form, design_matrix, spectrum


@checker
def check_condition_centred(answer: object) -> Verdict:
    """the condition number of the sum loss's Hessian for the centred inputs x - mean(x)."""
    X, _ = original_data()
    kappa = spectrum(X - X.mean()).condition
    return compare_number(
        answer,
        kappa,
        name="your condition number",
        rtol=1e-6,
        mistakes=[
            Mistake(
                spectrum(X).condition, "that is the condition number before centring: subtract the mean of x first"
            ),
            Mistake(1 / kappa, "that is λmin/λmax, upside down: the condition number λmax/λmin is never below 1"),
            Mistake(
                spectrum(X * SCALE - (X * SCALE).mean()).condition,
                "you centred the raw inputs: centre X, the inputs already divided by 100",
            ),
        ],
    )


@checker
def check_divide_by(lr_limit: object, best_rho: object, divisor: float = 1000.0) -> Verdict:
    """the stability limit 2/λmax and the best shrink factor ρ* for the raw inputs divided by divisor."""
    X, _ = original_data()
    sp, sp_100 = spectrum(X * SCALE / divisor), spectrum(X)
    first = compare_number(
        lr_limit,
        sp.stability_limit,
        name="your limit",
        rtol=1e-6,
        n=X.shape[0],
        mistakes=[
            Mistake(
                sp_100.stability_limit,
                f"that is the limit for the inputs divided by 100; divide the raw inputs by {divisor:g}",
            ),
            Mistake(2 / sp.lam_min, "that uses λmin; the limit is set by the steepest direction, λmax"),
            Mistake(
                sp.fastest_lr,
                "that is the fastest learning rate, 2/(λmin + λmax); the limit is where the steep "
                "direction stops shrinking",
            ),
        ],
    )
    if not first:
        return first
    return compare_number(
        best_rho,
        sp.contraction(sp.fastest_lr),
        name="your ρ*",
        rtol=1e-6,
        mistakes=[
            Mistake(sp_100.contraction(sp_100.fastest_lr), "that is ρ* for the inputs divided by 100"),
            Mistake(sp.contraction(0.001), "that is ρ at lr = 0.001; ρ* is ρ at the best learning rate"),
            Mistake(1 / sp.condition, "that is 1/κ; ρ* = (κ − 1)/(κ + 1)"),
            Mistake(
                sp.contraction(sp.stability_limit),
                "that is ρ at the stability limit, where the steep direction no longer shrinks at all",
            ),
        ],
    )


@checker
def check_orthogonal_residuals(answer: object, sigma: float = 0.05, seed: int = 0) -> Verdict:
    """the residuals r = y - Aθ*, shape (n, 1) float64, of the least-squares line on noisy_data(sigma, seed)."""
    X, y = noisy_data(sigma, seed)
    A = design_matrix(X)  # (n, 2)
    fitted = A @ torch.cat(list(closed_form(X, y)))  # (n, 1): Aθ*
    n = X.shape[0]
    return compare_tensor(
        answer,
        y - fitted,
        name="your r",
        rtol=1e-9,
        atol=1e-12,
        dtype=torch.float64,
        shape_hints={
            (2, 1): f"that has shape (2, 1): that is Aᵀr; the checker wants r itself, the ({n}, 1) residuals y − Aθ*",
            (1, 1): f"that has shape (1, 1), a single number; the checker wants all {n} residuals r = y − Aθ*, "
            f"shape ({n}, 1)",
        },
        mistakes=[
            Mistake(
                torch.zeros_like(y),
                "those are all zeros, but the residuals of the noisy data are not: the line "
                "cannot pass through every noisy point. Compute r = y_noisy − Aθ*",
            ),
            Mistake(fitted - y, "that is Aθ* − y, the residuals with the wrong sign: r = y − Aθ*"),
            Mistake(
                y - true_line(X),
                "those are the residuals of the true line 0.175 x + 0.4; use the least-squares "
                "line of the noisy data, closed_form(X_noisy, y_noisy)",
            ),
            Mistake(fitted, "those are the fitted values Aθ*: subtract them from y"),
            Mistake(y, "that is y itself: subtract the fitted values Aθ* from it"),
        ],
        otherwise="r = y_noisy − Aθ*, with θ* = closed_form(X_noisy, y_noisy) and A = design_matrix(X_noisy)",
    )
