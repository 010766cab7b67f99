"""Figures over the data and over the updates, each a function that returns a matplotlib Figure (no pyplot state).

loss_grid (the loss on a grid of (w, b)) is here too; the figures drawn from it live in helpers/landscape.py
and helpers/surfaces.py.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from itertools import cycle

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from .checks import ACTIVATIONS, LOSSES, check_choice, check_count, check_data
from .data import TRUE_B, TRUE_W

DATA_COLOR = "green"
FIT_COLOR = "tab:blue"
SCALES = ("log", "linear", "both")


def new_figure(figsize: tuple[float, float] = (6, 4)) -> Figure:
    """a Figure that shows only where it is returned or displayed, never twice.

    Made through pyplot so that Jupyter's inline backend loads and can draw it, then closed at once
    so that pyplot keeps no reference to it (and does not show it again at the end of the cell).
    """
    fig = plt.figure(figsize=figsize, layout="constrained")
    plt.close(fig)
    return fig


def _to_numpy(t: torch.Tensor):
    return t.detach().cpu().double().numpy()


def _fmt(v: float) -> str:
    """four decimals for ordinary values, scientific notation for the huge ones a diverged run leaves."""
    return f"{v:.4f}" if abs(v) < 1e4 else f"{v:.3e}"


def plot_data(X: torch.Tensor, y: torch.Tensor, title: str = "The 40 points") -> Figure:
    """the original's first plot: the data as a green scatter.  X, y: (n, 1)"""
    X, y = check_data(X, y)
    fig = new_figure()
    ax = fig.subplots()
    ax.scatter(_to_numpy(X), _to_numpy(y), c=DATA_COLOR, label="Original Data")
    ax.set(xlabel="x (raw value / 100)", ylabel="y", title=title)
    ax.legend()
    return fig


def plot_fit(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    activation: str = "relu",
    show_truth: bool = True,
    title: str = "The fitted line",
    data_label: str = "Original Data",
) -> Figure:
    """the original's second plot: the data (large green markers) and the model's line.  X, y: (n, 1)

    A line far outside the data (a diverged run) is clipped, so that the data stay readable.
    data_label names the scatter in the legend: the original's "Original Data", or what else the points are.
    """
    from .model import predict

    X, y = check_data(X, y)
    if not isinstance(data_label, str):
        raise TypeError(f"data_label must be a str, got {type(data_label).__name__}")
    fig = new_figure()
    ax = fig.subplots()
    x, t = _to_numpy(X).ravel(), _to_numpy(y).ravel()
    ax.scatter(x, t, c=DATA_COLOR, s=150, alpha=0.6, label=data_label)
    grid = torch.linspace(float(X.min()), float(X.max()), 200, dtype=X.dtype, device=X.device).reshape(-1, 1)
    line = _to_numpy(predict(grid, w, b, activation)).ravel()
    ax.plot(_to_numpy(grid), line, color=FIT_COLOR, lw=2, label=f"Fitted Line: w = {_fmt(w.item())}, b = {_fmt(b.item())}")
    if show_truth:
        ax.plot(_to_numpy(grid), TRUE_W * _to_numpy(grid) + TRUE_B, "k--", lw=1, label="true line 0.175 x + 0.4")
    lo, hi = float(t.min()), float(t.max())
    span = hi - lo if hi > lo else 1.0
    if line.min() < lo - span or line.max() > hi + span:  # keep the data in view; say that the line left it
        ax.set_ylim(lo - 0.3 * span, hi + 0.3 * span)
        ax.text(0.98, 0.03, "the fitted line runs outside this window", transform=ax.transAxes, ha="right", fontsize=8)
    ax.set(xlabel="x", ylabel="y", title=title)
    ax.legend()
    return fig


def _plottable(ts: Iterable[float], vs: Iterable[float], log: bool) -> tuple[list[float], list[float]]:
    """the (t, v) pairs a log or linear axis can show: finite, and > 0 on a log axis."""
    pairs = [(t, v) for t, v in zip(ts, vs) if math.isfinite(v) and (v > 0 or not log)]
    return [t for t, _ in pairs], [v for _, v in pairs]


def plot_losses(
    curves: dict[str, Sequence[float]],
    title: str = "Loss per update",
    ylabel: str = "loss",
    scale: str = "log",
    reference: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> Figure:
    """loss curves, value t at update t = 1..T, on a "log" or "linear" axis, or "both" side by side.

    reference: {label: (updates, values)} drawn dashed, e.g. a predicted rate. Empty curves are allowed.
    """
    check_choice("scale", scale, SCALES)
    scales = ("linear", "log") if scale == "both" else (scale,)
    fig = new_figure((11, 4) if scale == "both" else (6, 4))
    for ax, sc in zip(np.atleast_1d(fig.subplots(1, len(scales))), scales):
        shown = 0
        for label, losses in curves.items():
            ts, vs = _plottable(range(1, len(losses) + 1), losses, sc == "log")
            ax.plot(ts, vs, label=label)
            shown += len(vs)
        for (label, (ts, vs)), ls in zip((reference or {}).items(), cycle(("--", ":", "-."))):
            ax.plot(*_plottable(ts, vs, sc == "log"), color="black", ls=ls, lw=1.2, label=label)
        if sc == "log":
            ax.set_yscale("log")
        if shown == 0:
            ax.text(0.5, 0.5, "no updates were made", transform=ax.transAxes, ha="center", va="center")
            ax.set_xlim(0, 1)
        ax.set(xlabel="update", ylabel=ylabel, title=title if scale != "both" else f"{title}, {sc} scale")
        ax.grid(True, which="major", alpha=0.3)
        if curves or reference:
            ax.legend()
    return fig


def loss_grid(
    X: torch.Tensor, y: torch.Tensor, w_range: tuple[float, float], b_range: tuple[float, float],
    loss: str = "sum", activation: str = "relu", steps: int = 121,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """the loss on a steps x steps grid of (w, b).  X, y: (n, 1) -> W, B, L: (steps, steps) float64"""
    X, y = check_data(X, y)
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    if check_count(steps, "steps") < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    W, B = torch.meshgrid(
        torch.linspace(*w_range, steps, dtype=torch.float64), torch.linspace(*b_range, steps, dtype=torch.float64),
        indexing="xy",
    )
    x, t = X.detach().cpu().double().reshape(1, 1, -1), y.detach().cpu().double().reshape(1, 1, -1)
    z = W[..., None] * x
    if activation == "relu":
        z = z.clamp(min=0)
    sq = (z + B[..., None] - t).pow(2)
    return W, B, sq.sum(-1) if loss == "sum" else sq.mean(-1)
