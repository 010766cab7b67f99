"""The cost of an update as N grows, each timing a ratio over one read of the data (11 and make bench)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import torch

from helpers.data import noisy_data, uniform_x
from helpers.further.timing import ratios
from helpers.model import init_params
from helpers.solve import closed_form
from helpers.training import METHODS, STEPS, train


def scaling_repeats(n: int, repeats: int) -> int:
    """fewer rounds at N = 10^7, where one autograd update takes a good fraction of a second."""
    return repeats if n < 10**7 else max(3, repeats // 2)


STATS_UPDATES = 1000
UPDATES = tuple(m for m in METHODS if m != "stats")  # timed one full-batch update each; stats has its own columns


def _updates(step: Callable, w: torch.Tensor, b: torch.Tensor, lr: float, count: int) -> None:
    """count updates as train() makes them (w, b are float64 like the data, so nothing is cast)."""
    for _ in range(count):
        _, dw, db = step(w, b)
        w.sub_(lr * dw)
        b.sub_(lr * db)


def scaling(n: int, repeats: int, rows: int = 10**5, seed: int = 0) -> dict[str, float]:
    """costs at N = n over the floor, one read of X and y: an update of each method, the stats pass, and more.

    -> {"autograd", "hand", "blocked": one update; "stats_pass", "stats_update", "stats_1000", "closed_form",
    "train_fixed": ratios over the floor; "floor_seconds": the floor's median seconds}
    """
    X = uniform_x(n, seed)
    _, y = noisy_data(0.05, seed, X=X)
    w, b = init_params(seed, dtype=torch.float64)
    lr = 0.1 / n  # inside the sum loss's stability limit (about 0.25 / n here): w stays > 0, nothing dies
    steps = {m: STEPS[m](X, y, "sum", "relu") for m in METHODS}
    params = {m: (w.clone(), b.clone()) for m in METHODS}  # each method's own, updated in place
    fns: dict[str, Callable[[], object]] = {m: partial(_updates, steps[m], *params[m], lr, 1) for m in UPDATES}
    fns["stats_pass"] = lambda: STEPS["stats"](X, y, "sum", "relu")
    fns["stats_10_updates"] = lambda: _updates(steps["stats"], *params["stats"], lr, 10)
    fns["stats_1000"] = lambda: _updates(STEPS["stats"](X, y, "sum", "relu"), *params["stats"], lr, STATS_UPDATES)
    fns["closed_form"] = lambda: closed_form(X, y)
    fns["train_fixed"] = lambda: train(X, y, w, b, lr=lr, num_updates=0)
    r, floor_seconds = ratios(fns, lambda: (X.sum(), y.sum()), scaling_repeats(n, repeats), max(1, rows // n))
    r["floor_seconds"] = floor_seconds  # for a plot against N: a method's seconds are its ratio times these
    r["stats_update"] = r.pop("stats_10_updates") / 10
    return r
