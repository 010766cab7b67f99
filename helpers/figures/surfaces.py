"""Figures for notebooks 01 and 03: step-size rates, the ReLU's hinge, and loss surfaces side by side."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from helpers.checks import LOSSES, check_choice, check_data
from helpers.figures.plots import DATA_COLOR, FIT_COLOR, LABELLED, loss_grid, new_figure
from helpers.model import predict
from helpers.solve import Spectrum, closed_form

LINEAR_COLOR = "tab:orange"


def plot_rate_vs_lr(
    spectra: dict[str, Spectrum],
    lr_range: tuple[float, float] = (1e-8, 1.0),
    mark_lr: float | None = None,
    title: str = "Shrink factor of the error per update",
    mark_label: str | None = None,
) -> Figure:
    """ρ(η) = max_k |1 − η λ_k| per Hessian spectrum on a log η axis; 2/λmax and mark_lr drawn.

    mark_label names mark_lr's line in the legend (default "η = <mark_lr>" in mathtext), e.g. "fastest rate η*".
    """
    if not spectra or not all(isinstance(sp, Spectrum) for sp in spectra.values()):
        raise TypeError("spectra must map at least one label to a helpers.Spectrum")
    lo, hi = lr_range
    if not 0 < lo < hi:
        raise ValueError(f"lr_range must satisfy 0 < low < high, got {lr_range}")
    lrs = np.geomspace(lo, hi, 600)
    fig = new_figure((7, 4))
    ax = fig.subplots()
    ax.axhspan(1.0, 1.6, color="tab:red", alpha=0.08, label=r"$\rho > 1$: the error grows")
    for i, (label, sp) in enumerate(spectra.items()):
        color = f"C{i}"
        ax.plot(lrs, [sp.contraction(float(lr)) for lr in lrs], color=color, lw=2, label=label)
        ax.axvline(sp.stability_limit, color=color, ls="--", lw=1)
        left = np.log(sp.stability_limit / lo) > 0.75 * np.log(hi / lo)  # label left of the line near the edge
        ax.annotate(
            rf"$2/\lambda_{{\max}}$ = {sp.stability_limit:.4g}",
            (sp.stability_limit, 0.06 + 0.1 * i),
            fontsize=8,
            xytext=(-4 if left else 4, 0),
            textcoords="offset points",
            ha="right" if left else "left",
            va="center",
            color=color,
        )
    if mark_lr is not None:
        mark = rf"$\eta$ = {mark_lr:g}" if mark_label is None else mark_label
        ax.axvline(mark_lr, color="black", lw=1, ls=":", label=mark)
    ax.set(
        xscale="log",
        xlim=(lo, hi),
        ylim=(0.0, 1.6),
        xlabel=r"learning rate $\eta$ (log scale)",
        ylabel=r"$\rho = \max_k\, |1 - \eta \lambda_k|$",
        title=title,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(0.01, 0.58), fontsize=8)  # below rho = 1, clear of the curves
    return fig


def plot_relu_vs_linear(
    X: torch.Tensor, y: torch.Tensor, cases: Sequence[tuple[float, float]], x_range: tuple[float, float] = (-1.0, 3.2)
) -> Figure:
    """one panel per (w, b): relu(x w) + b and x w + b over x_range, with the data.  X, y: (n, 1)"""
    X, y = check_data(X, y)
    if not cases:
        raise ValueError("cases must hold at least one (w, b) pair")
    if not x_range[0] < 0 < x_range[1]:
        raise ValueError(f"x_range must include x = 0, where the ReLU bends, got {x_range}")
    shade = "x < 0: no data here" if float(X.min()) > 0 else "x < 0"
    grid = torch.linspace(*x_range, 300, dtype=torch.float64).reshape(-1, 1)
    fig = new_figure((5 * len(cases), 4))
    axes = np.atleast_1d(fig.subplots(1, len(cases), sharey=True))
    for ax, (w, b) in zip(axes, cases):
        wt, bt = torch.tensor([[float(w)]], dtype=torch.float64), torch.tensor([[float(b)]], dtype=torch.float64)
        ax.axvspan(x_range[0], 0, color="gray", alpha=0.12, label=shade)
        ax.scatter(
            X.detach().cpu().double().numpy(), y.detach().cpu().double().numpy(), c=DATA_COLOR, s=18, label="data"
        )
        ax.plot(
            grid.numpy(),
            predict(grid, wt, bt, "none").numpy(),
            color=LINEAR_COLOR,
            lw=2,
            ls="--",
            label="linear: x w + b",
        )
        ax.plot(grid.numpy(), predict(grid, wt, bt, "relu").numpy(), color=FIT_COLOR, lw=2, label="relu(x w) + b")
        ax.set(xlim=x_range, xlabel="x", title=f"w = {float(w):.4f}, b = {float(b):.4f}")
    axes[0].set_ylabel(r"$\hat y$")
    axes[0].legend(loc="upper left", fontsize=8)
    return fig


def plot_contours_by_activation(
    X: torch.Tensor,
    y: torch.Tensor,
    points: dict[str, tuple[float, float]] | None = None,
    w_range: tuple[float, float] = (-0.5, 0.7),
    b_range: tuple[float, float] = (0.0, 1.2),
    loss: str = "sum",
) -> Figure:
    """the loss over (w, b) for "relu" (left) and "none" (right) on shared log levels, with marked points.

    X, y: (n, 1)"""
    X, y = check_data(X, y)
    check_choice("loss", loss, LOSSES)
    grids = {a: loss_grid(X, y, w_range, b_range, loss, a, steps=101) for a in ("relu", "none")}
    low = max(min(float(L.min()) for _, _, L in grids.values()), 1e-4)
    levels = np.geomspace(low, max(float(L.max()) for _, _, L in grids.values()), 14)
    w_star, b_star = (v.item() for v in closed_form(X.double(), y.double()))
    fig = new_figure((11, 4.8))
    for ax, (activation, (W, B, L)) in zip(fig.subplots(1, 2, sharey=True), grids.items()):
        cs = ax.contour(
            W.numpy(),
            B.numpy(),
            L.numpy(),
            levels=levels,
            cmap="viridis",
            linewidths=1,
            norm=LogNorm(levels[0], 30 * levels[-1]),
        )  # even colours on log levels, none pale yellow
        ax.clabel(cs, np.asarray(cs.levels)[LABELLED::2], fmt="%.2g", fontsize=7)  # the inner rings crowd the star
        ax.plot([w_star], [b_star], "r*", ms=14, mec="black", mew=0.6, zorder=5, label=r"minimum $\theta^\star$")
        if activation == "relu" and w_range[0] < 0:
            ax.axvline(0, color="gray", lw=0.8, ls=":")
            mean_y = float(y.double().mean())
            ax.plot(
                [w_range[0], 0],
                [mean_y, mean_y],
                color="tab:red",
                lw=1.5,
                ls="--",
                label="bottom of the flat valley (w < 0)",
            )
        for i, (label, (w, b)) in enumerate((points or {}).items()):
            ax.plot([w], [b], "o", color=f"C{i + 1}", mec="black", ms=7, label=label)
        name = "relu(x w) + b" if activation == "relu" else "x w + b"
        ax.set(xlabel="w", title=rf"{loss.capitalize()} loss of $\hat y$ = {name}", xlim=w_range, ylim=b_range)
        ax.legend(loc="upper right", fontsize=8)
    fig.axes[0].set_ylabel("b")
    return fig
