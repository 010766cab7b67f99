"""The loss surface over (w, b): contours, the Hessian's eigenvector axes, paths drawn on it, and one step's slice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from helpers.checks import check_data, check_lr, check_param
from helpers.figures.plots import LABELLED, loss_grid, new_figure
from helpers.gradients import grad
from helpers.losses import loss_value
from helpers.model import predict
from helpers.solve import closed_form, hessian

AXIS_COLORS = ("tab:red", "tab:purple")  # eigenvector of lambda_min (the long axis), of lambda_max (the short one)
PATH_STYLES = ("-", "--", "-.")  # plot_contours: one line style per path, in turn (the eigenvector axes are dotted)
Z_STAR, Z_MARKS, Z_PATHS = 8.0, 6.0, 3.0  # the minimum's star above the start and end marks, these above the paths
LAMBDA_NAMES = (r"$\lambda_{\min}$", r"$\lambda_{\max}$")  # mathtext, as notebooks/README.md writes them


def _finite(values: Sequence[float]) -> np.ndarray:
    """a path coordinate as floats, with inf and NaN made NaN so that matplotlib leaves a gap."""
    a = np.asarray(values, dtype=float)
    return np.where(np.isfinite(a), a, np.nan)


def plot_contours(
    X: torch.Tensor,
    y: torch.Tensor,
    paths: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
    w_range: tuple[float, float] = (-0.3, 0.7),
    b_range: tuple[float, float] = (0.0, 1.0),
    loss: str = "sum",
    activation: str = "relu",
    title: str = "The loss over (w, b)",
    eigenvectors: bool = False,
    aspect: str = "auto",
    linestyles: Sequence[str] = PATH_STYLES,
) -> Figure:
    """contours of the loss (log-spaced levels), the minimum θ*, and optional (w, b) paths.

    paths: {label: (w_path, b_path)}, each (T + 1,), drawn with a black start dot and a hollow square at the end; the
    legend lists "start" and "end" only if some path's start (end) lies inside w_range x b_range.
    Each path has its own line style (linestyles, in turn: solid, dashed, dash-dot) and the first path is drawn on top,
    the next below it, so that a later path's long strokes (a zigzag) cannot cover an earlier one; the minimum's star
    is drawn above every path and end marker.
    eigenvectors=True draws the Hessian's eigenvector axes through the minimum; aspect="equal" shows angles true.
    """
    if not linestyles or not all(isinstance(ls, str) for ls in linestyles):
        raise ValueError(f"linestyles must hold at least one matplotlib line style, got {linestyles!r}")
    W, B, L = loss_grid(X, y, w_range, b_range, loss, activation)
    fig = new_figure((6, 6.4))
    ax = fig.subplots()
    levels = np.geomspace(max(float(L.min()), 1e-4), float(L.max()), 14)
    # a grid node can land exactly on the minimum (it does with torch's portable kernels), where the loss is 0:
    # lifting it below the lowest level draws the same contours, and LogNorm has no zero to mask and warn about
    Z = np.maximum(L.numpy(), levels[0] / 10)
    cs = ax.contour(W.numpy(), B.numpy(), Z, levels=levels, cmap="viridis", norm=LogNorm(), linewidths=0.9)
    ax.clabel(cs, np.asarray(cs.levels)[LABELLED::2], fmt="%.2g", fontsize=7)  # the inner rings crowd the star
    w_star, b_star = (v.item() for v in closed_form(X.double(), y.double()))
    ax.plot([w_star], [b_star], "r*", ms=15, mec="black", mew=0.6, zorder=Z_STAR, label=r"minimum $\theta^\star$")
    if eigenvectors:
        lam, V = torch.linalg.eigh(hessian(X.double(), loss).cpu())
        reach = 2 * max(w_range[1] - w_range[0], b_range[1] - b_range[0])  # long enough to cross the window
        for k, (name, axis) in enumerate(zip(LAMBDA_NAMES, ("long axis", "short axis"))):
            dw, db = reach * float(V[0, k]), reach * float(V[1, k])
            ax.plot(
                [w_star - dw, w_star + dw],
                [b_star - db, b_star + db],
                color=AXIS_COLORS[k],
                ls=":",  # dotted: the paths' styles (solid, dashed, dash-dot) stay theirs alone
                lw=1.5,
                label=f"eigenvector of {name} = {float(lam[k]):.4g} ({axis})",
            )

    def inside(w: float, b: float) -> bool:
        """is the point (w, b) within the axes' limits? (False for NaN)"""
        return bool(w_range[0] <= w <= w_range[1] and b_range[0] <= b <= b_range[1])

    shown = {"start": False, "end": False}  # is any path's start (end) inside the axes? only then in the legend
    count = len(paths or {})
    for i, (label, (ws, bs)) in enumerate((paths or {}).items()):
        w_, b_ = _finite(ws), _finite(bs)
        color, z = f"C{i}", Z_PATHS + (count - i) / (count + 1)  # the first path on top, all below the marks
        ls = linestyles[i % len(linestyles)]
        ax.plot(w_, b_, marker=".", ls=ls, color=color, ms=3, lw=1.6 if i == 0 else 1.1, zorder=z, label=label)
        ax.plot(w_[-1:], b_[-1:], "s", mfc="none", mec=color, mew=1.5, ms=5, zorder=Z_MARKS)  # hollow: the star shows
        ax.plot(w_[:1], b_[:1], "ko", ms=5, zorder=Z_MARKS)
        if len(w_):
            shown["start"] |= inside(w_[0], b_[0])
            shown["end"] |= inside(w_[-1], b_[-1])
    if shown["start"]:  # legend entries only: a black dot marks every start
        ax.plot([], [], "ko", ms=5, label="start")
    if shown["end"]:  # and a hollow square in the path's colour every end
        ax.plot([], [], "s", mfc="none", mec="black", mew=1.5, ms=5, label="end (in the path's colour)")
    if activation == "relu" and w_range[0] < 0 < w_range[1]:
        ax.axvline(0, color="gray", lw=0.8, ls=":")
    ax.set(xlabel="w", ylabel="b", title=title, xlim=w_range, ylim=b_range, aspect=aspect)
    fig.legend(loc="outside lower center", ncols=2, fontsize=8)
    return fig


def plot_step(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    lr: float,
    loss: str = "sum",
    activation: str = "relu",
    eta_max: float | None = None,
) -> Figure:
    """the loss along the negative gradient, L(θ − η g) for η in [0, eta_max], its tangent, and η = lr.

    X, y: (n, 1), w, b: (1, 1). eta_max defaults to 10 lr. The tangent is the first-order Taylor prediction.
    """
    X, y = check_data(X, y)
    w, b = (check_param(name, t, X.device).to(X.dtype) for name, t in (("w", w), ("b", b)))
    lr = check_lr(lr)
    eta_max = 10 * lr if eta_max is None else check_lr(eta_max, "eta_max")
    g = grad(X, y, w, b, loss, activation)
    slope = float(g.w.square().sum() + g.b.square().sum())  # ||g||^2: minus the slope of the tangent at eta = 0

    def along(eta: float) -> float:
        return loss_value(predict(X, w - eta * g.w, b - eta * g.b, activation), y, loss).item()

    etas = np.linspace(0.0, eta_max, 201)
    values = np.array([along(float(e)) for e in etas])
    fig = new_figure((6.5, 4.2))
    ax = fig.subplots()
    ax.plot(etas, values, color="tab:blue", lw=2, label=r"actual loss $L(\theta - \eta g)$")
    ax.plot(etas, values[0] - slope * etas, "k--", lw=1, label=r"first-order prediction $L(\theta) - \eta \|g\|^2$")
    ax.plot([lr], [along(lr)], "o", color="tab:blue", mec="black", ms=7, zorder=5, label=rf"one step, $\eta$ = {lr:g}")
    ax.plot([lr], [values[0] - slope * lr], "X", color="black", ms=7, zorder=5, label="what the tangent predicted")
    if activation == "relu" and float(g.w) != 0 and 0 < float(w) / float(g.w) < eta_max:
        ax.axvline(float(w) / float(g.w), color="gray", ls=":", lw=1.2, label="w reaches 0: the ReLU switches off")
    ax.set(
        xlim=(0, eta_max),
        ylim=(min(0.0, float(values.min())), 1.08 * float(values.max())),
        xlabel=r"learning rate $\eta$",
        ylabel=f"loss L ({'sum' if loss == 'sum' else 'mean'} of squares)",
        title="The loss along the negative gradient",
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return fig
