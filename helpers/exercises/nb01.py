"""Checkers for 01_data.ipynb: a line's predictions Aθ, the loss of that line, and the true line in other units."""

from __future__ import annotations

import math

import torch

from helpers.data import RAW_X, SCALE, TRUE_W, original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_number, compare_tensor
from helpers.exercises.validate import Wrong, as_number
from helpers.solve import design_matrix


def _line(X: torch.Tensor, w: float, b: float) -> torch.Tensor:
    """the predictions Aθ of the line (w, b), A = [x, 1].  X: (n, 1) -> (n, 1)"""
    return design_matrix(X) @ torch.tensor([[float(w)], [float(b)]], dtype=X.dtype)


@checker
def check_design_product(answer: object, w: float = 0.2, b: float = 0.3) -> Verdict:
    """the predictions ŷ = Aθ of the line (w, b) at the 40 inputs x = raw / 100: a (40, 1) tensor."""
    X, y = original_data()
    n = X.shape[0]
    return compare_tensor(
        answer,
        _line(X, w, b),
        name="your ŷ",
        rtol=5e-4,  # four significant digits
        shape_hints={
            (n,): f"that is flat, shape ({n},): make θ a (2, 1) column, so that A @ θ is a ({n}, 1) column",
            (n, 2): f"that has shape ({n}, 2), like A: an elementwise product; multiply A by θ with A @ θ",
            (2, 1): "that has the shape of θ; the checker wants the predictions A @ θ",
        },
        mistakes=[
            Mistake(_line(X, b, w), "w and b are swapped: A's first column is x, so θ lists w first, then b"),
            Mistake(_line(X * SCALE, w, b), "you used the raw inputs: build A from X, the inputs divided by 100"),
            Mistake(y, "those are the targets y, the values of the true line; use the line of the exercise"),
        ],
        otherwise="ŷ = A @ θ, with A = design_matrix(X) and θ = [[w], [b]]",
    )


@checker
def check_wrong_line_loss(answer: object, w: float = 0.2, b: float = 0.3) -> Verdict:
    """L = Σ r_i², r = ŷ − y, of the line (w, b) on the 40 noise-free points."""
    X, y = original_data()
    r = _line(X, w, b) - y  # (n, 1)
    r_raw = _line(X * SCALE, w, b) - y
    r_swapped = _line(X, b, w) - y
    sum_hint = "that is the sum of the residuals: square each residual before summing"
    return compare_number(
        answer,
        r.pow(2).sum().item(),
        name="your loss",
        n=X.shape[0],
        mistakes=[
            Mistake(r_raw.pow(2).sum().item(), "you used the raw inputs: use X, the inputs divided by 100"),
            Mistake(r_swapped.pow(2).sum().item(), "w and b are swapped: the line is ŷ = w x + b"),
            Mistake(r.sum().item(), sum_hint),
            Mistake(-r.sum().item(), sum_hint),
            Mistake(r.abs().sum().item(), "that is the sum of |r_i|; least squares sums the squares r_i²"),
            Mistake(0.0, "that is the loss of the true line; use the line of the exercise"),
        ],
    )


def _divisor(divisor: object) -> float:
    d = as_number(divisor, "divisor")
    if d <= 0:
        raise Wrong(f"divisor must be a number > 0, got {d:g}")
    return d


@checker
def check_rescaled_line(slope: object, mean_x: object, divisor: float = 1000.0) -> Verdict:
    """the true line's slope per unit of raw / divisor, and the mean of the inputs raw / divisor."""
    d = _divisor(divisor)
    raw_mean = math.fsum(RAW_X) / len(RAW_X)
    first = compare_number(
        slope,
        TRUE_W * d / SCALE,
        name="your slope",
        mistakes=[
            Mistake(
                TRUE_W * SCALE / d,
                "you divided the slope: smaller numbers for x need a larger slope to draw the same line",
            ),
            Mistake(TRUE_W, f"that is the slope per unit of x = raw / {SCALE:g}; the unit is now raw / {d:g}"),
            Mistake(TRUE_W / SCALE, "that is the slope per raw unit, before any division"),
        ],
    )
    if not first:
        return first
    return compare_number(
        mean_x,
        raw_mean / d,
        name="your mean",
        mistakes=[
            Mistake(raw_mean / SCALE, f"that is the mean of x = raw / {SCALE:g}; divide the raw inputs by {d:g}"),
            Mistake(raw_mean, f"that is the mean of the raw inputs; divide them by {d:g}"),
            Mistake(raw_mean * SCALE / d, "you multiplied where a division belongs: raw / divisor gets smaller"),
        ],
    )
