"""Noisy data (notebook 10): fits over many noise seeds, a train/validation split, and the spread of the estimates."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from helpers.checks import LOSSES, check_choice, check_count, check_data, check_matrix, check_seed
from helpers.data import noisy_data


@dataclass(frozen=True)
class Fits:
    """least-squares fits to S noisy copies of one data set.  S = number of seeds."""

    w: torch.Tensor  # (S,) fitted slopes
    b: torch.Tensor  # (S,) fitted intercepts
    sse: torch.Tensor  # (S,) sum of squared residuals of each fit
    n: int  # points per data set


def fits_over_seeds(X: torch.Tensor, sigma: float, seeds: Sequence[int]) -> Fits:
    """the closed-form line for noisy_data(sigma, s, X), for every s in seeds, in one batched solve.  X: (n, 1)"""
    X = check_matrix("X", X).detach().double().cpu()
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise TypeError(f"seeds must be a sequence of ints, such as range(1000), got {type(seeds).__name__}")
    if len(seeds) == 0:
        raise ValueError("seeds must hold at least one seed")
    for s in seeds:
        check_seed(s, "every seed in seeds")
    Y = torch.cat([noisy_data(sigma, s, X)[1] for s in seeds], dim=1)  # (n, S): one noisy y per column
    xc = X - X.mean()  # (n, 1)
    sxx = float((xc * xc).sum())
    if sxx <= 0.0:
        raise ValueError("X must hold at least two different values to fit a line")
    w = (xc * (Y - Y.mean(0))).sum(0) / sxx  # (S,)
    b = Y.mean(0) - w * X.mean()  # (S,)
    sse = (Y - X * w - b).pow(2).sum(0)  # (S,)
    return Fits(w, b, sse, X.shape[0])


def train_val_split(
    X: torch.Tensor, y: torch.Tensor, n_val: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """the first n - n_val points for training, the last n_val for validation (draw X at random first).

    X, y: (n, 1) -> X_train, y_train: (n - n_val, 1), X_val, y_val: (n_val, 1)
    """
    X, y = check_data(X, y)
    n_val = check_count(n_val, "n_val")
    if not 1 <= n_val <= X.shape[0] - 2:
        raise ValueError(f"n_val must take at least 1 point and leave at least 2, got {n_val} of {X.shape[0]}")
    k = X.shape[0] - n_val
    return X[:k], y[:k], X[k:], y[k:]


def path_losses(
    X: torch.Tensor, y: torch.Tensor, w_path: Sequence[float], b_path: Sequence[float], loss: str = "mean"
) -> tuple[float, ...]:
    """the loss of the line y_hat = x w + b on (X, y) at every (w, b) of a path.  X, y: (n, 1) -> (T + 1,)"""
    X, y = check_data(X, y)
    check_choice("loss", loss, LOSSES)
    for name, path in (("w_path", w_path), ("b_path", b_path)):
        if isinstance(path, (str, bytes)) or not isinstance(path, Sequence):
            raise TypeError(f"{name} must be a sequence of numbers, got {type(path).__name__}")
        wrong = [v for v in path if isinstance(v, bool) or not isinstance(v, numbers.Real)]
        if wrong:
            raise TypeError(f"{name} must hold numbers, got {wrong[0]!r} ({type(wrong[0]).__name__})")
        if not all(math.isfinite(v) for v in path):
            raise ValueError(f"{name} must hold finite numbers, got {next(v for v in path if not math.isfinite(v))!r}")
    if len(w_path) != len(b_path):
        raise ValueError(f"w_path and b_path must have one length, got {len(w_path)} and {len(b_path)}")
    W = torch.tensor(w_path, dtype=torch.float64, device=X.device).reshape(1, -1)  # (1, T + 1), beside X
    B = torch.tensor(b_path, dtype=torch.float64, device=X.device).reshape(1, -1)
    sq = (X.double() * W + B - y.double()).pow(2)  # (n, T + 1)
    return tuple((sq.sum(0) if loss == "sum" else sq.mean(0)).tolist())
