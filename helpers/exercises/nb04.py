"""Checkers for 04_backprop.ipynb: the gradient at the origin, accumulated means, the best step along -g."""

from __future__ import annotations

import torch

from helpers.data import original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.gradients import grad
from helpers.model import init_params
from helpers.solve import hessian, spectrum


@checker
def check_origin_grad(dw: object, db: object, loss: str = "mean") -> Verdict:
    """dL/dw and dL/db (floats) of the loss ("mean" or "sum") at w = b = 0, with the original's ReLU."""
    X, y = original_data()
    n, zero = X.shape[0], torch.zeros(1, 1, dtype=torch.float64)
    g = grad(X, y, zero, zero, loss=loss, activation="relu")
    other = "sum" if loss == "mean" else "mean"
    scale = n if loss == "mean" else 1 / n  # the other loss's gradient, relative to this one's
    sign = "has the wrong sign: at the origin every residual r_i = y_hat_i − y_i = −y_i is negative"
    first = compare_number(
        dw,
        g.w.item(),
        name="your dL/dw",
        rtol=1e-9,
        n=n,
        mistakes=[
            Mistake(
                0.0,
                "at w = 0 every z_i = x_i w is exactly 0, and clamp passes the gradient there (its mask is 1): "
                "the ReLU changes nothing",
            ),
            Mistake(-g.w.item(), f"your dL/dw {sign}"),
            Mistake(g.b.item(), "that is dL/db; dL/dw has a factor x_i in every term"),
            Mistake(g.w.item() * scale, f"that is the gradient of the {other} loss; the exercise asks for the {loss}"),
            Mistake(
                -2 * (X.mean() * y.mean()).item() * (1 if loss == "mean" else n),
                "the mean of x_i y_i is not mean(x) times mean(y): average the products",
            ),
        ],
    )
    if not first:
        return first
    return compare_number(
        db,
        g.b.item(),
        name="your dL/db",
        rtol=1e-9,
        n=n,
        mistakes=[
            Mistake(-g.b.item(), f"your dL/db {sign}"),
            Mistake(g.w.item(), "that is dL/dw; dL/db has no x_i in it"),
            Mistake(g.b.item() * scale, f"that is the gradient of the {other} loss; the exercise asks for the {loss}"),
        ],
    )


@checker
def check_mean_factor(answer: object, chunks: int = 2) -> Verdict:
    """the factor that turns the mean-loss gradients accumulated over equal chunks into the full mean's gradient."""
    X, y = original_data()
    w, b = init_params(0, dtype=torch.float64)
    full = grad(X, y, w, b, loss="mean").b.item()
    accumulated = sum(grad(X_c, y_c, w, b, loss="mean").b.item() for X_c, y_c in zip(X.chunk(chunks), y.chunk(chunks)))
    return compare_number(
        answer,
        full / accumulated,
        name="your factor",
        rtol=1e-9,
        mistakes=[
            Mistake(
                accumulated / full,
                "that is upside down: each chunk's mean divides by fewer points, so the "
                "accumulated gradient is too large and must be scaled down",
            ),
            Mistake(1.0, "accumulated means are not the full mean: each chunk divides by its own size, not by all n"),
            Mistake(
                1 / X.shape[0],
                "that would turn a sum into a mean, but each chunk's loss is already a mean over its own points",
            ),
        ],
    )


@checker
def check_best_step(answer: object, seed: int = 0) -> Verdict:
    """η_step = gᵀg / gᵀHg: the step with the lowest sum loss along -g from init_params(seed), with the ReLU."""
    X, y = original_data()
    w, b = init_params(seed, dtype=torch.float64)
    g = torch.cat(list(grad(X, y, w, b)))  # (2, 1)
    eta = (g.T @ g / (g.T @ hessian(X) @ g)).item()
    sp = spectrum(X)
    return compare_number(
        answer,
        eta,
        name="your η_step",
        rtol=1e-6,
        n=X.shape[0],
        mistakes=[
            Mistake(
                1 / sp.lam_max,
                "that is 1/λmax, a bound that η_step lies close to here, not η_step itself: use the "
                "gradient at the seeded start",
            ),
            Mistake(
                sp.fastest_lr,
                "that is the best fixed learning rate for every step, 2/(λmin + λmax); the best "
                "single step from here depends on where the gradient points",
            ),
            Mistake(sp.stability_limit, "that is the stability limit 2/λmax"),
            Mistake(1 / eta, "that is upside down: η_step = gᵀg / gᵀHg"),
        ],
    )
