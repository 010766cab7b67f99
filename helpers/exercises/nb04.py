"""Checkers for 04_backprop.ipynb: the gradient at the origin, accumulated means, the lowest point along -g."""

from __future__ import annotations

import torch

from helpers.data import original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.gradients import grad
from helpers.losses import loss_value
from helpers.model import init_params, predict


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
    """the lowest point of the parabola L(θ − η g) in η, for the sum loss with the ReLU, from init_params(seed)."""
    X, y = original_data()
    n = X.shape[0]
    w, b = init_params(seed, dtype=torch.float64)
    g = grad(X, y, w, b)
    d = X * (X.mm(w) >= 0).to(X.dtype) * g.w + g.b  # (n, 1): how fast each prediction falls per unit of η
    g_sq = (g.w.square() + g.b.square()).item()  # ‖g‖², the slope of the tangent at η = 0 (with a minus)
    eta = g_sq / (2 * d.square().sum().item())  # L(η) = L − η‖g‖² + η² Σ d_i² is lowest there
    return compare_number(
        answer,
        eta,
        name="your η_step",
        n=n,
        mistakes=[
            Mistake(2 * eta, "that is ‖g‖² / Σ d_i², twice the lowest point: the derivative of η² Σ d_i² is 2η Σ d_i²"),
            Mistake(
                loss_value(predict(X, w, b), y).item() / g_sq,
                "that is where the tangent, the first-order prediction, reaches zero loss; the lowest point of "
                "the parabola is where its derivative is zero",
            ),
            Mistake(
                (w / g.w).item(),
                "that is where w reaches 0 and the ReLU switches off: the end of the parabola, not its lowest point",
            ),
            Mistake(n * eta, "that is the lowest point for the mean loss; the exercise uses the sum loss"),
            Mistake(1 / eta, "that is upside down: the reciprocal of the lowest point"),
        ],
    )
