"""Checkers for 08_pytorch_way.ipynb: a loop without zero_grad(), the idiomatic loop, a DataLoader's update count."""

from __future__ import annotations

import math

import torch
from torch.utils.data import DataLoader, TensorDataset

from helpers.data import original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_count, compare_number, compare_tensor
from helpers.exercises.validate import Wrong, describe
from helpers.gradients import grad
from helpers.model import init_params
from helpers.training import train


@checker
def check_forgotten_zero_grad(answer: object, lr: float = 0.001, seed: int = 0) -> Verdict:
    """w after the second update of the nn.Linear loop (sum loss) without opt.zero_grad(), from init_params(seed)."""
    X, y = original_data()
    w0, b0 = init_params(seed, dtype=torch.float64)

    def first_two(loss: str) -> tuple[float, float, float, float, float]:
        """w_1; the gradients for w at the start and after the first update; w_2 and b_2 with .grad never cleared."""
        g0 = grad(X, y, w0, b0, loss=loss, activation="none")
        w1, b1 = w0 - lr * g0.w, b0 - lr * g0.b
        g1 = grad(X, y, w1, b1, loss=loss, activation="none")
        w2, b2 = w1 - lr * (g0.w + g1.w), b1 - lr * (g0.b + g1.b)
        return w1.item(), g0.w.item(), g1.w.item(), w2.item(), b2.item()

    w1, gw0, gw1, w2, b2 = first_two("sum")
    return compare_number(
        answer,
        w2,
        name="your w",
        mistakes=[
            Mistake(
                w1 - lr * gw1,
                "that is w after two updates of the correct loop; without zero_grad() the second backward() "
                "adds its gradient to the first, still in .grad",
            ),
            Mistake(
                w1,
                "that is w after the first update, the same with or without zero_grad(); the exercise asks for "
                "the second",
            ),
            Mistake(
                w1 - 2 * lr * gw1,
                "that doubles the second gradient; .grad holds the first gradient plus the second, "
                "taken at two different points",
            ),
            Mistake(
                w1 - 2 * lr * gw0,
                "that adds the start's gradient twice; the second backward() computes a new gradient, "
                "at the point the first update reached",
            ),
            Mistake(
                first_two("mean")[3],
                'that uses the mean loss; the loop of the section on optim.SGD sums: reduction="sum"',
            ),
            Mistake(b2, "that looks like b; the exercise asks for w"),
        ],
    )


def _params(model: object) -> torch.Tensor:
    """(w, b) of an nn.Linear(1, 1) as a (2,) float64 tensor, or Wrong saying what the model is instead."""
    if not isinstance(model, torch.nn.Module):
        raise Wrong(f"expected your trained nn.Linear(1, 1) model, got {describe(model)}")
    weight, bias = getattr(model, "weight", None), getattr(model, "bias", None)
    if not isinstance(weight, torch.Tensor) or not isinstance(bias, torch.Tensor):
        raise Wrong("your model needs a weight and a bias, as nn.Linear(1, 1) has (bias=True is the default)")
    if tuple(weight.shape) != (1, 1) or tuple(bias.shape) != (1,):
        raise Wrong(
            f"your model's weight has shape {tuple(weight.shape)} and its bias {tuple(bias.shape)}; "
            "nn.Linear(1, 1) has (1, 1) and (1,): one input, one output"
        )
    if weight.dtype != torch.float64:
        raise Wrong(f"your model is {weight.dtype}; the exercise asks for float64: call .double() on it first")
    return torch.cat([weight.detach().reshape(1), bias.detach().reshape(1)])


def _no_zero_grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, lr: float, steps: int
) -> torch.Tensor:
    """(w, b) after a loop that forgets zero_grad(), so that every gradient adds to all the earlier ones."""
    gw, gb = torch.zeros_like(w), torch.zeros_like(b)
    for _ in range(steps):
        g = grad(X, y, w, b, loss="mean", activation="none")
        gw, gb = gw + g.w, gb + g.b
        w, b = w - lr * gw, b - lr * gb
    return torch.cat([w.reshape(1), b.reshape(1)])


@checker
def check_mean_loop(model: object, lr_sum: float = 0.001, num_updates: int = 149, seed: int = 0) -> Verdict:
    """a trained nn.Linear(1, 1): nn.MSELoss() and optim.SGD at the mean's lr, from init_params(seed)."""
    answer = _params(model)
    X, y = original_data()
    w0, b0 = init_params(seed, dtype=torch.float64)
    lr = lr_sum * X.shape[0]

    def run(lr: float, steps: int) -> torch.Tensor:
        h = train(X, y, w0, b0, lr=lr, num_updates=steps, loss="mean", activation="none")
        return torch.cat([h.w.reshape(1), h.b.reshape(1)])

    if float(answer.abs().max()) > 1e3:
        raise Wrong(
            "your model's parameters are enormous: the run diverged. Did you keep reduction='sum' "
            "with the mean's larger learning rate?"
        )
    return compare_tensor(
        answer,
        run(lr, num_updates),
        name="your model's (w, b)",
        rtol=0.0,
        atol=1e-10,
        mistakes=[
            Mistake(
                run(lr, num_updates + 1), f"your model made one update too many: the exercise asks for {num_updates}"
            ),
            Mistake(
                run(lr, num_updates - 1), f"your model made one update too few: the exercise asks for {num_updates}"
            ),
            Mistake(
                run(lr_sum, num_updates),
                "your model trained at the sum's learning rate: the mean's gradients are "
                "n times smaller, so it needs n times the rate",
            ),
            Mistake(
                _no_zero_grad(X, y, w0, b0, lr, num_updates),
                "your loop never zeroes the gradients, so each "
                "backward() adds to the last: call opt.zero_grad() before every backward()",
            ),
        ],
        nan_hint=": the run diverged. Did you keep reduction='sum' with the mean's larger learning rate?",
        otherwise=f"Check the start (init_params({seed}) as float64, copied into the model) and the loss",
    )


@checker
def check_num_updates(answer: object, n: int = 40, batch_size: int = 7, num_epochs: int = 25) -> Verdict:
    """how many optimiser steps num_epochs epochs make over n points in batches of batch_size (drop_last=False)."""
    per_epoch = len(DataLoader(TensorDataset(torch.zeros(n)), batch_size=batch_size))
    return compare_count(
        answer,
        per_epoch * num_epochs,
        name="your count",
        mistakes=[
            Mistake(
                n // batch_size * num_epochs,
                "that count drops the last, smaller batch of every epoch; a "
                "DataLoader keeps it unless you pass drop_last=True",
            ),
            Mistake(
                math.ceil(n * num_epochs / batch_size),
                "that rounds up once for the whole run, but every epoch "
                "starts a fresh pass and ends with its own short batch: count one epoch first",
            ),
            Mistake(per_epoch, f"that is the count for one epoch; the run has {num_epochs}"),
            Mistake(n * num_epochs, "that is the count for batch_size=1, one update per point"),
        ],
        off_by_one="a DataLoader makes one update per batch, the last, smaller one included",
    )
