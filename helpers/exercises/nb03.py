"""Checkers for 03_forward_pass.ipynb: the limits with every point twice, a dead neuron's best b, the mean's lr."""

from __future__ import annotations

import torch

from helpers.data import TRUE_B, original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.solve import spectrum


@checker
def check_duplicated_limits(limit_sum: object, limit_mean: object, copies: int = 2) -> Verdict:
    """the stability limits 2/λmax for the sum and for the mean loss when every point appears copies times."""
    X, _ = original_data()
    X_k = torch.cat([X] * copies)
    s, m = spectrum(X_k, "sum").stability_limit, spectrum(X_k, "mean").stability_limit
    s_1 = spectrum(X, "sum").stability_limit
    first = compare_number(
        limit_sum,
        s,
        name="your limit for the sum",
        rtol=1e-6,
        mistakes=[
            Mistake(
                s_1,
                f"that is the limit for the original {X.shape[0]} points: with every point there {copies} "
                f"times, every entry of the sum's Hessian is {copies} times larger",
            ),
            Mistake(m, "that is the limit for the mean loss; the first answer is for the sum"),
            Mistake(
                copies * s_1,
                "the limit moved the wrong way: more points make the summed loss steeper, so its limit shrinks",
            ),
        ],
    )
    if not first:
        return first
    return compare_number(
        limit_mean,
        m,
        name="your limit for the mean",
        rtol=1e-6,
        mistakes=[
            Mistake(
                m / copies,
                "the mean does not change when every point is repeated: its Hessian, and its limit, stay as they were",
            ),
            Mistake(s, "that is the limit for the sum; the second answer is for the mean"),
            Mistake(
                m * copies,
                "the mean does not change when every point is repeated: its Hessian, and its limit, stay as they were",
            ),
        ],
    )


@checker
def check_dead_neuron(best_b: object, dead_loss: object) -> Verdict:
    """the b that minimises the sum loss of the constant prediction b, and that loss, on the 40 points."""
    X, y = original_data()
    n = X.shape[0]
    b_best, loss = y.mean().item(), (y - y.mean()).pow(2).sum().item()
    first = compare_number(
        best_b,
        b_best,
        name="your best b",
        rtol=1e-9,
        mistakes=[
            Mistake(
                TRUE_B,
                "that is the true line's intercept; the best constant prediction is the one that sets "
                "d/db Σ (y_i − b)² to zero",
            ),
            Mistake(
                y.median().item(),
                "that is (about) the median of y, the best constant for absolute errors; "
                "squared errors want another average",
            ),
            Mistake(X.mean().item(), "that is the mean of x; the prediction is compared with y"),
        ],
    )
    if not first:
        return first
    return compare_number(
        dead_loss,
        loss,
        name="your loss",
        rtol=1e-9,
        n=n,
        mistakes=[
            Mistake(loss / n, "that is the mean of the squared errors; the exercise asks for the sum loss"),
            Mistake(loss / (n - 1), "that is the sample variance of y; the sum loss divides by nothing"),
            Mistake((y - TRUE_B).pow(2).sum().item(), "that is the loss at b = 0.4; evaluate it at your best b"),
        ],
    )


@checker
def check_lr_mean(answer: object, lr_sum: float = 0.001) -> Verdict:
    """the learning rate on the mean loss whose updates equal those of lr_sum on the sum loss (40 points)."""
    X, _ = original_data()
    n = X.shape[0]
    return compare_number(
        answer,
        lr_sum * n,
        name="your learning rate",
        rtol=1e-9,
        n=n,
        mistakes=[
            Mistake(
                lr_sum / n,
                "that goes the wrong way: the mean's gradient is n times smaller than the sum's, so "
                "the same step needs a larger learning rate, not a smaller one",
            ),
            Mistake(
                lr_sum,
                "with the same learning rate the mean takes n times smaller steps: its gradient is the "
                "sum's divided by n",
            ),
            Mistake(
                spectrum(X, "mean").stability_limit,
                "that is the mean loss's stability limit; the question asks "
                f"for the rate that copies lr = {lr_sum:g} on the sum",
            ),
        ],
    )
