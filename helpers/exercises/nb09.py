"""Checkers for 09_closed_form.ipynb: a quadratic's normal equations, a prediction, a line through the origin."""

from __future__ import annotations

import torch

from helpers.data import SCALE, original_data
from helpers.exercises.core import PRINTED, Mistake, Verdict, checker, compare_number, compare_tensor
from helpers.solve import closed_form


@checker
def check_normal_equations(AtA: object, Aty: object) -> Verdict:
    """AᵀA, shape (3, 3), and Aᵀy, shape (3, 1), of the quadratic y_hat = a x² + w x + b: A = [x², x, 1]."""
    X, y = original_data()
    n = X.shape[0]
    A = torch.cat([X * X, X, torch.ones_like(X)], dim=1)  # (n, 3)
    order = "has the columns of A in the order [1, x, x²]; this exercise writes them as the formula reads, [x², x, 1]"
    line = "has shape (2, 2): that is the line's, A = [x, 1]; the quadratic's A = [x², x, 1] has three columns"
    gram = A.T @ A  # (3, 3)
    first = compare_tensor(
        AtA,
        gram,
        name="AtA",
        rtol=PRINTED,
        n=n,
        shape_hints={
            (n, n): f"AtA has shape ({n}, {n}): that is A Aᵀ; the normal equations need Aᵀ A, which is (3, 3)",
            (2, 2): f"AtA {line}",
        },
        mistakes=[
            Mistake(2 * gram, "AtA is the Hessian 2 AᵀA: with the gradient set to zero, the common factor 2 cancels"),
            Mistake(gram.flip(0, 1), f"AtA {order}"),
        ],
    )
    if not first:
        return first
    moment = A.T @ y  # (3, 1)
    return compare_tensor(
        Aty,
        moment,
        name="Aty",
        rtol=PRINTED,
        n=n,
        shape_hints={(2, 1): "Aty has shape (2, 1): that is the line's; with the column x² it has three entries"},
        mistakes=[
            Mistake(2 * moment, "Aty is twice too large: with the gradient set to zero, the common factor 2 cancels"),
            Mistake(moment.flip(0), f"Aty {order}"),
        ],
    )


@checker
def check_prediction(answer: object, raw_x: float = 250.0) -> Verdict:
    """the least-squares line's y_hat at an input typed as raw_x (before the division by 100)."""
    X, y = original_data()
    w, b = (v.item() for v in closed_form(X, y))
    x = raw_x / SCALE
    return compare_number(
        answer,
        w * x + b,
        name="your prediction",
        mistakes=[
            Mistake(w * raw_x + b, "you used the raw value: divide it by 100 first, as every input of the data was"),
            Mistake(b * x + w, "you swapped w and b: the slope multiplies x, the intercept is added"),
            Mistake(w * x, "the bias b is missing: y_hat = w x + b"),
        ],
    )


@checker
def check_slope_through_origin(answer: object) -> Verdict:
    """the least-squares w of y_hat = w x (no bias) on the 40 points: the 1 x 1 normal equation's solution."""
    X, y = original_data()
    s_xx, s_xy = (X * X).sum().item(), (X * y).sum().item()
    w_with_bias = closed_form(X, y).w.item()
    return compare_number(
        answer,
        s_xy / s_xx,
        name="your w",
        n=X.shape[0],
        mistakes=[
            Mistake(
                w_with_bias,
                "that is the slope of the line with a bias; without b the line must pass through the "
                "origin, and its best slope is another one",
            ),
            Mistake(
                y.mean().item() / X.mean().item(),
                "that is ȳ / x̄, the line through the origin and the point of "
                "means; least squares solves (Σ x_i²) w = Σ x_i y_i",
            ),
            Mistake(
                (y / X).mean().item(),
                "that averages the slopes y_i / x_i of the single points; least squares solves (Σ x_i²) w = Σ x_i y_i",
            ),
            Mistake(s_xx / s_xy, "that is upside down: the 1 x 1 normal equation is (Σ x_i²) w = Σ x_i y_i"),
        ],
    )
