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

from helpers.checks import ACTIVATIONS, LOSSES, check_choice, check_count, check_data, check_lr, check_param
from helpers.data import TRUE_B, TRUE_W
from helpers.model import forward

DATA_COLOR = "green"
FIT_COLOR = "tab:blue"
SCALES = ("log", "linear", "both")
LABELLED = 5  # the first of a contour plot's log-spaced levels to carry a label: the inner rings crowd the star
FIT_MARKER_SIZE, FIT_MARKER_ALPHA = 36.0, 0.45  # plot_fit's data markers: below and around the lines, not over them


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
    ax.scatter(_to_numpy(X), _to_numpy(y), c=DATA_COLOR, label="original data")
    ax.set(xlabel="x (raw value / 100)", ylabel="y", title=title)
    ax.legend()
    return fig


def plot_scales(X: torch.Tensor, y: torch.Tensor, factor: float = 100.0, step: float = 0.1, top: float = 1.6) -> Figure:
    """why 01 divides by 100: the true line on the raw inputs X * factor and on X, each with w + step and b + step.

    X, y: (n, 1), X already divided.  On the raw inputs the slope is TRUE_W / factor, so the same step in w moves
    the line factor times more than on X.  Panels: raw, then divided; lines in each: true, w + step, b + step.
    """
    X, y = check_data(X, y)
    factor, step, top = (check_lr(v, name) for v, name in ((factor, "factor"), (step, "step"), (top, "top")))
    fig = new_figure((10, 3.8))
    axes = fig.subplots(1, 2, sharey=True)
    panels = [
        (X * factor, TRUE_W / factor, "Raw inputs", "x (raw value)"),
        (X, TRUE_W, f"Inputs / {factor:g}", f"x (raw value / {factor:g})"),
    ]
    for ax, (inputs, slope, name, xlabel) in zip(axes, panels):
        ends = np.array([0.0, inputs.max().item()])  # a line is drawn through its two ends
        ax.scatter(_to_numpy(inputs), _to_numpy(y), s=16, c=DATA_COLOR, label="data")
        ax.plot(ends, slope * ends + TRUE_B, c=FIT_COLOR, label="true line")
        ax.plot(ends, (slope + step) * ends + TRUE_B, "--", c="tab:red", label=f"w + {step:g}")
        ax.plot(ends, slope * ends + TRUE_B + step, ":", c="tab:purple", lw=2, label=f"b + {step:g}")
        ax.set(xlabel=xlabel, ylim=(0, top), title=f"{name}: slope {slope:g}, bias {TRUE_B:g}")
    axes[0].set_ylabel("y")
    axes[1].legend(loc="upper left")
    return fig


def _param_value(name: str, t: object, device: torch.device) -> float:
    """w or b as a float, checked as check_param checks it except that inf and NaN pass: a diverged run ends so."""
    if isinstance(t, torch.Tensor) and t.is_floating_point():
        check_param(name, torch.nan_to_num(t.detach(), nan=0.0, posinf=0.0, neginf=0.0), device)
        return float(t.item())
    return float(check_param(name, t, device).item())  # raises the usual TypeError


def _line_in_view(
    x0: float, x1: float, w: float, b: float, relu: bool, view: tuple[float, float], points: int = 200
) -> tuple[np.ndarray, np.ndarray]:
    """the model's line over [x0, x1], only where it lies within view (y_lo, y_hi): (x, y) arrays, NaN between parts.

    The line is straight on each side of x = 0 (relu(x w) + b bends there), so each side's part inside the view is
    found exactly, however steep it is; every point returned lies on relu(x w) + b (or x w + b).
    """
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    with np.errstate(all="ignore"):
        for a, c in [(x0, 0.0), (0.0, x1)] if relu and x0 < 0 < x1 else [(x0, x1)]:
            slope = w if not relu or 0.5 * (a + c) * w > 0 else 0.0
            if slope == 0:
                lo, hi = (a, c) if view[0] <= b <= view[1] else (math.inf, -math.inf)
            else:
                ends = sorted(((view[0] - b) / slope, (view[1] - b) / slope))
                lo, hi = max(a, ends[0]), min(c, ends[1])
            if lo <= hi:
                x = np.linspace(lo, hi, points)
                y = (np.maximum(x * w, 0.0) if relu else x * w) + b
                keep = np.abs(y - 0.5 * (view[0] + view[1])) <= 0.5 * (view[1] - view[0]) * (1 + 1e-9)
                if keep.any():  # none, where w and b are so large that w x + b cancels to nothing but rounding
                    xs += [x[keep], np.array([np.nan])]
                    ys += [y[keep], np.array([np.nan])]
    if not xs:
        return np.array([]), np.array([])
    return np.concatenate(xs[:-1]), np.concatenate(ys[:-1])


def plot_fit(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    activation: str = "relu",
    show_truth: bool = True,
    title: str = "The fitted line",
    data_label: str = "original data",
    marker_size: float = FIT_MARKER_SIZE,
    marker_alpha: float = FIT_MARKER_ALPHA,
) -> Figure:
    """the original's second plot: the data (green markers) and the model's line, drawn above them.  X, y: (n, 1)

    A line far outside the data (a diverged run) is clipped to a window chosen from the data, so that the data stay
    readable; a w or b that is not finite (inf, NaN) draws no line and says so.
    data_label names the scatter in the legend: "original data", or what else the points are.
    marker_size (points², matplotlib's s) and marker_alpha: the data's markers, small and light enough that the line
    and the true line, drawn above them, stay visible where they run through the points (the original's s = 150,
    alpha 0.6 hid them).
    """
    X, y = check_data(X, y)
    check_choice("activation", activation, ACTIVATIONS)
    if not isinstance(data_label, str):
        raise TypeError(f"data_label must be a str, got {type(data_label).__name__}")
    w_, b_ = _param_value("w", w, X.device), _param_value("b", b, X.device)
    relu = activation == "relu"
    fig = new_figure()
    ax = fig.subplots()
    x, t = _to_numpy(X).ravel(), _to_numpy(y).ravel()
    ax.scatter(x, t, c=DATA_COLOR, s=marker_size, alpha=marker_alpha, lw=0, zorder=2, label=data_label)
    grid = _to_numpy(torch.linspace(float(X.min()), float(X.max()), 200, dtype=X.dtype)).ravel()
    lo, hi = float(t.min()), float(t.max())
    span = hi - lo if hi > lo else 1.0
    finite = math.isfinite(w_) and math.isfinite(b_)
    with np.errstate(all="ignore"):  # a diverged run's w x may overflow: then it is outside the window
        line = (np.maximum(grid * w_, 0.0) if relu else grid * w_) + b_
    xs = grid
    inside = finite and bool(np.isfinite(line).all()) and lo - span <= line.min() and line.max() <= hi + span
    if not inside:  # keep the data in view; draw only the part of the line inside it, and say that it left it
        view = (lo - 0.3 * span, hi + 0.3 * span)
        xs, line = _line_in_view(grid[0], grid[-1], w_, b_, relu, view) if finite else (np.array([]), np.array([]))
        ax.set_ylim(*view)
        note = "the fitted line runs outside this window" if finite else "w or b is not finite: no line to draw"
        ax.text(0.98, 0.03, note, transform=ax.transAxes, ha="right", fontsize=8)
    ax.plot(xs, line, color=FIT_COLOR, lw=2, zorder=3, label=f"fitted line: w = {_fmt(w_)}, b = {_fmt(b_)}")
    if show_truth:  # thin and dashed, above the fitted line: where the two agree, both still show
        ax.plot(grid, TRUE_W * grid + TRUE_B, "k--", lw=1, zorder=4, label="true line 0.175 x + 0.4")
    ax.set(xlabel="x", ylabel="y", title=title)
    ax.legend()
    return fig


DRAWABLE = 1e250  # larger losses are left out of a loss plot: matplotlib's axes overflow near float64's limit


def _plottable(ts: Iterable[float], vs: Iterable[float], log: bool) -> tuple[list[float], list[float]]:
    """the (t, v) pairs a log or linear axis can show: finite, at most DRAWABLE, and > 0 on a log axis."""
    pairs = [(t, v) for t, v in zip(ts, vs) if math.isfinite(v) and abs(v) <= DRAWABLE and (v > 0 or not log)]
    return [t for t, _ in pairs], [v for _, v in pairs]


def _left_out(label: str, values: Sequence[float]) -> str:
    """label, with how many of values no axis can show (inf, NaN, beyond DRAWABLE) when there are any."""
    k = sum(1 for v in values if not (math.isfinite(v) and abs(v) <= DRAWABLE))
    return label if k == 0 else f"{label} ({k} of {len(values)} not drawn: inf, NaN or above {DRAWABLE:.0e})"


def plot_losses(
    curves: dict[str, Sequence[float]],
    title: str = "Loss per update",
    ylabel: str = "loss",
    scale: str = "log",
    reference: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
) -> Figure:
    """loss curves, value t at update t = 1..T, on a "log" or "linear" axis, or "both" side by side.

    reference: {label: (updates, values)} drawn dashed, e.g. a predicted rate. Empty curves are allowed. Values no
    axis can show (inf, NaN, above DRAWABLE, as a diverged run leaves) are left out, and the legend says how many.
    """
    check_choice("scale", scale, SCALES)
    scales = ("linear", "log") if scale == "both" else (scale,)
    fig = new_figure((11, 4) if scale == "both" else (6, 4))
    for ax, sc in zip(np.atleast_1d(fig.subplots(1, len(scales))), scales):
        shown = 0
        for label, losses in curves.items():
            ts, vs = _plottable(range(1, len(losses) + 1), losses, sc == "log")
            ax.plot(ts, vs, label=_left_out(label, losses))
            shown += len(vs)
        for (label, (rts, rvs)), ls in zip((reference or {}).items(), cycle(("--", ":", "-."))):
            ax.plot(*_plottable(rts, rvs, sc == "log"), color="black", ls=ls, lw=1.2, label=_left_out(label, rvs))
        if sc == "log":
            ax.set_yscale("log")
        if shown == 0:
            made = any(len(losses) for losses in curves.values())
            ax.text(
                0.5,
                0.5,
                "no loss here can be drawn" if made else "no updates were made",
                transform=ax.transAxes,
                ha="center",
                va="center",
            )
            ax.set_xlim(0, 1)
        ax.set(xlabel="update", ylabel=ylabel, title=title if scale != "both" else f"{title}, {sc} scale")
        ax.grid(True, which="major", alpha=0.3)
        if curves or reference:
            ax.legend()
    return fig


def loss_grid(
    X: torch.Tensor,
    y: torch.Tensor,
    w_range: tuple[float, float],
    b_range: tuple[float, float],
    loss: str = "sum",
    activation: str = "relu",
    steps: int = 121,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """the loss on a steps x steps grid of (w, b).  X, y: (n, 1) -> W, B, L: (steps, steps) float64"""
    X, y = check_data(X, y)
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    if check_count(steps, "steps") < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    W, B = torch.meshgrid(
        torch.linspace(*w_range, steps, dtype=torch.float64),
        torch.linspace(*b_range, steps, dtype=torch.float64),
        indexing="xy",
    )
    x, t = X.detach().cpu().double(), y.detach().cpu().double().reshape(1, -1)
    y_hat = forward(x, W.reshape(1, -1), B.reshape(1, -1), activation).t().contiguous()  # (steps^2, n): row per w, b
    sq = (y_hat - t).pow(2).reshape(steps, steps, -1)
    return W, B, sq.sum(-1) if loss == "sum" else sq.mean(-1)
