"""The loss surface over (w, b): contours, the Hessian's eigenvector axes, paths drawn on it, and one step's slice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from helpers.checks import check_data, check_lr, check_param
from helpers.figures.plots import loss_grid, new_figure
from helpers.gradients import grad
from helpers.losses import loss_value
from helpers.model import predict
from helpers.solve import closed_form, hessian

AXIS_COLORS = ("tab:red", "tab:purple")  # eigenvector of lambda_min (the long axis), of lambda_max (the short one)


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
) -> Figure:
    """contours of the loss (log-spaced levels), the closed-form minimum, and optional (w, b) paths.

    paths: {label: (w_path, b_path)}, each (T + 1,), drawn with a black start dot and a square at the end; the
    legend lists "start" and "end" only if some path's start (end) lies inside w_range x b_range.
    eigenvectors=True draws the Hessian's eigenvector axes through the minimum; aspect="equal" shows angles true.
    """
    W, B, L = loss_grid(X, y, w_range, b_range, loss, activation)
    fig = new_figure((6, 6.4))
    ax = fig.subplots()
    levels = np.geomspace(max(float(L.min()), 1e-4), float(L.max()), 14)
    # a grid node can land exactly on the minimum (it does with torch's portable kernels), where the loss is 0:
    # lifting it below the lowest level draws the same contours, and LogNorm has no zero to mask and warn about
    Z = np.maximum(L.numpy(), levels[0] / 10)
    cs = ax.contour(W.numpy(), B.numpy(), Z, levels=levels, cmap="viridis", norm=LogNorm(), linewidths=0.9)
    ax.clabel(cs, np.asarray(cs.levels)[1::2], fmt="%.2g", fontsize=7)
    w_star, b_star = (v.item() for v in closed_form(X.double(), y.double()))
    ax.plot([w_star], [b_star], "r*", ms=14, zorder=5, label="closed-form minimum")
    if eigenvectors:
        lam, V = torch.linalg.eigh(hessian(X.double(), loss).cpu())
        reach = 2 * max(w_range[1] - w_range[0], b_range[1] - b_range[0])  # long enough to cross the window
        for k, (name, axis) in enumerate((("λmin", "long axis"), ("λmax", "short axis"))):
            dw, db = reach * float(V[0, k]), reach * float(V[1, k])
            ax.plot(
                [w_star - dw, w_star + dw],
                [b_star - db, b_star + db],
                color=AXIS_COLORS[k],
                ls="--",
                lw=1.2,
                label=f"eigenvector of {name} = {float(lam[k]):.4g} ({axis})",
            )

    def inside(w: float, b: float) -> bool:
        """is the point (w, b) within the axes' limits? (False for NaN)"""
        return bool(w_range[0] <= w <= w_range[1] and b_range[0] <= b <= b_range[1])

    shown = {"start": False, "end": False}  # is any path's start (end) inside the axes? only then in the legend
    for i, (label, (ws, bs)) in enumerate((paths or {}).items()):
        w_, b_ = _finite(ws), _finite(bs)
        color = f"C{i}"
        ax.plot(w_, b_, ".-", color=color, ms=3, lw=1, label=label)
        ax.plot(w_[-1:], b_[-1:], "s", color=color, mec="black", ms=6, zorder=6)
        ax.plot(w_[:1], b_[:1], "ko", ms=5, zorder=6)
        if len(w_):
            shown["start"] |= inside(w_[0], b_[0])
            shown["end"] |= inside(w_[-1], b_[-1])
    if shown["start"]:  # legend entries only: a black dot marks every start
        ax.plot([], [], "ko", ms=5, label="start")
    if shown["end"]:  # and a black-edged square in the path's colour every end
        ax.plot([], [], "s", color="white", mec="black", ms=6, label="end (in the path's colour)")
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
    """the loss along the negative gradient, L(theta - eta g) for eta in [0, eta_max], its tangent, and eta = lr.

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
    ax.plot(etas, values, color="tab:blue", lw=2, label="actual loss L(θ − η g)")
    ax.plot(etas, values[0] - slope * etas, "k--", lw=1, label="first-order prediction L(θ) − η ‖g‖²")
    ax.plot([lr], [along(lr)], "o", color="tab:blue", mec="black", ms=7, zorder=5, label=f"one step, η = lr = {lr:g}")
    ax.plot([lr], [values[0] - slope * lr], "X", color="black", ms=7, zorder=5, label="what the tangent predicted")
    if activation == "relu" and float(g.w) != 0 and 0 < float(w) / float(g.w) < eta_max:
        ax.axvline(float(w) / float(g.w), color="gray", ls=":", lw=1.2, label="w reaches 0: the ReLU switches off")
    ax.set(
        xlim=(0, eta_max),
        ylim=(min(0.0, float(values.min())), 1.08 * float(values.max())),
        xlabel="step size η",
        ylabel=f"{loss} loss",
        title="The loss along the negative gradient",
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return fig
