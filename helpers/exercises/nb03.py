"""Checkers for 03_forward_pass.ipynb: the losses with every point twice, a dead neuron's best b, the textbook order."""

from __future__ import annotations

import torch

from helpers.data import TRUE_B, original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.losses import loss_value
from helpers.model import init_params, predict


def _param(value: float) -> torch.Tensor:
    return torch.tensor([[float(value)]], dtype=torch.float64)  # (1, 1)


@checker
def check_duplicated_losses(
    loss_sum: object, loss_mean: object, copies: int = 2, w: float = 0.1, b: float = 0.5
) -> Verdict:
    """the sum and the mean loss of relu(x w) + b at (w, b) when every one of the 40 points appears copies times."""
    X, y = original_data()
    n = X.shape[0]
    X_k, y_k = torch.cat([X] * copies), torch.cat([y] * copies)  # (copies n, 1) each
    y_hat = predict(X_k, _param(w), _param(b))
    s, m = loss_value(y_hat, y_k, "sum").item(), loss_value(y_hat, y_k, "mean").item()
    first = compare_number(
        loss_sum,
        s,
        name="your sum",
        n=n,
        mistakes=[
            Mistake(
                s / copies,
                f"that is the sum over the original {n} points: with every point there {copies} times, "
                f"every squared residual is added {copies} times",
            ),
            Mistake(m, "that is the mean loss; the first answer is the sum"),
        ],
    )
    if not first:
        return first
    return compare_number(
        loss_mean,
        m,
        name="your mean",
        n=n,
        mistakes=[
            Mistake(
                copies * m,
                f"that is the sum divided by {n}: the mean divides by the number of points, now {copies * n}",
            ),
            Mistake(
                m / copies,
                "the mean does not change when every point is repeated: both the sum and the count "
                f"grow {copies} times",
            ),
            Mistake(s, "that is the sum loss; the second answer is the mean"),
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
        mistakes=[
            Mistake(
                TRUE_B,
                "that is the true line's intercept; the best constant prediction is the one that sets "
                "d/db Σ (b − y_i)² to zero",
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
        n=n,
        mistakes=[
            Mistake(loss / n, "that is the mean of the squared residuals; the exercise asks for the sum loss"),
            Mistake(loss / (n - 1), "that is the sample variance of y; the sum loss divides by nothing"),
            Mistake((y - TRUE_B).pow(2).sum().item(), "that is the loss at b = 0.4; evaluate it at your best b"),
        ],
    )


@checker
def check_textbook_order(answer: object, w: float = -0.3, seed: int = 0) -> Verdict:
    """the sum loss of relu(x w + b), the bias before the ReLU, at w and init_params(seed)'s b, on the 40 points."""
    X, y = original_data()
    n = X.shape[0]
    w_, b_ = _param(w), init_params(seed)[1].double()
    textbook = loss_value((X.mm(w_) + b_).clamp(min=0), y).item()
    return compare_number(
        answer,
        textbook,
        name="your loss",
        n=n,
        mistakes=[
            Mistake(
                loss_value(predict(X, w_, b_), y).item(),
                "that is the loss of the original's order, relu(x w) + b; the textbook neuron adds b before the clamp",
            ),
            Mistake(
                loss_value(predict(X, w_, b_, "none"), y).item(),
                "that is the loss of plain linear regression, x w + b: the clamp is missing (it turns every "
                "negative x_i w + b into 0)",
            ),
            Mistake(textbook / n, "that is the mean loss; the exercise asks for the sum, as in the original"),
        ],
    )
