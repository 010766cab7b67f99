"""Noisy data (notebook 10): fits over many noise seeds, a train/validation split, and the spread of the estimates."""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.figure import Figure

from .checks import LOSSES, check_choice, check_count, check_data, check_matrix, check_seed
from .data import noisy_data
from .plots import FIT_COLOR, new_figure


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


def plot_spread(fits: Fits, se: tuple[float, float], truth: tuple[float, float]) -> Figure:
    """histograms of the fitted w and b over the seeds, with the normal curve N(truth, se^2) the textbook predicts."""
    if len(se) != 2 or not all(isinstance(s, numbers.Real) and math.isfinite(s) and s > 0 for s in se):
        raise ValueError(f"se must hold two finite standard errors > 0, for w and b, got {se!r}")
    if len(truth) != 2:
        raise ValueError(f"truth must hold the true w and b, got {truth!r}")
    fig = new_figure((11, 4))
    for ax, name, values, s, t in zip(fig.subplots(1, 2), ("w", "b"), (fits.w, fits.b), se, truth):
        v = values.detach().cpu().numpy()
        counts, _, _ = ax.hist(v, bins=20, density=True, color=FIT_COLOR, alpha=0.5,
                               label=f"fitted {name} over {len(v)} seeds")
        grid = np.linspace(t - 4 * s, t + 4 * s, 300)
        pdf = np.exp(-0.5 * ((grid - t) / s) ** 2) / (s * math.sqrt(2 * math.pi))
        ax.plot(grid, pdf, "k-", lw=1.5, label=f"textbook: normal, sd = SE = {s:.4f}")
        ax.axvline(t, color="black", ls="--", lw=1, label=f"true {name} = {t:g}")
        ax.set(xlabel=f"fitted {name}", ylabel="density", title=f"Spread of the fitted {name}",
               ylim=(0, 1.1 * max(float(counts.max()), float(pdf.max()))))
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below: clear of the truth
    return fig
