"""What a model does on data it has not seen (10): too many coefficients overfit, the wrong model keeps a bias.

Both figures draw, on the left, one noise draw's points, the truth and the fits on a grid; on the right, what the
notebook measured over many draws, in units of sigma^2. They draw what they are given: the fits (least squares on a
Vandermonde matrix) and the measurements are the notebook's own computation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import cycle

import numpy as np
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers.checks import check_count, check_data, check_lr, check_matrix
from helpers.figures.plots import DATA_COLOR, new_figure

COLORS = ("tab:blue", "tab:orange", "tab:purple", "tab:brown", "tab:pink")  # one per fit (then again), both panels
NEW_COLOR = "0.7"  # new points, in light grey below everything else
PAD = 3.0  # the log axes of plot_bias_variance reach this factor beyond the smallest and largest value


def _column(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().double().numpy().ravel()


def _curves(name: str, curves: Mapping[int, torch.Tensor] | Mapping[str, torch.Tensor], g: int) -> None:
    if not curves:
        raise ValueError(f"{name} must hold at least one curve")
    for key, values in curves.items():
        check_matrix(f"{name}[{key!r}]", values, n=g)


def _draw_fits(
    ax: Axes,
    points: tuple[torch.Tensor, torch.Tensor, str],
    grid: torch.Tensor,
    truth: tuple[torch.Tensor, str],
    fits: Mapping[str, torch.Tensor],
    new: tuple[torch.Tensor, torch.Tensor, str] | None = None,
) -> None:
    """the left panel: new points (grey), the points (green), each fit and, above them, the truth (dashed).

    The y range holds every point and the truth, with a margin: a fit that swings further leaves it, as it does.
    """
    x, t = (_column(v) for v in points[:2])
    gx = _column(grid)
    shown = [t, _column(truth[0])]
    if new is not None:
        ax.scatter(_column(new[0]), _column(new[1]), s=4, color=NEW_COLOR, lw=0, zorder=1, label=new[2])
        shown.append(_column(new[1]))
    ax.scatter(x, t, s=30 if len(x) <= 20 else 10, color=DATA_COLOR, zorder=2, label=points[2])
    for (label, values), color in zip(fits.items(), cycle(COLORS)):
        ax.plot(gx, _column(values), color=color, lw=1.5, zorder=3, label=label)
    ax.plot(gx, _column(truth[0]), "k--", lw=1, zorder=4, label=truth[1])
    lo, hi = min(float(v.min()) for v in shown), max(float(v.max()) for v in shown)
    pad = 0.1 * (hi - lo) if hi > lo else 1.0
    ax.set(xlabel="x", ylabel="y", ylim=(lo - pad, hi + pad))
    ax.legend(fontsize=8)


def plot_overfitting(
    X: torch.Tensor,
    y: torch.Tensor,
    grid: torch.Tensor,
    truth: torch.Tensor,
    fits: Mapping[int, torch.Tensor],
    train_loss: Mapping[int, float],
    val_loss: Mapping[int, float],
    sigma: float,
    draws: int,
    new: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> Figure:
    """polynomials with k coefficients fitted to n noisy points: one draw, and the losses over many draws.

    Left: the n points X, y (n, 1) of one draw, the true line truth (g, 1) and each fit fits[k] (g, 1) on the
    grid (g, 1), and new points (X_new, y_new), if given, in grey. Right: the training and validation loss of each
    k (mean squared errors averaged over draws) and the expected training loss sigma^2 (n - k)/n, all / sigma^2.
    """
    X, y = check_data(X, y)
    grid = check_matrix("grid", grid)
    check_matrix("truth", truth, n=grid.shape[0])
    _curves("fits", fits, grid.shape[0])
    sigma, draws = check_lr(sigma, "sigma"), check_count(draws, "draws")
    ks = sorted(train_loss)
    if not ks or sorted(val_loss) != ks:
        raise ValueError(f"train_loss and val_loss must hold one loss for each k, got {ks} and {sorted(val_loss)}")
    n = X.shape[0]
    if ks[0] < 1 or ks[-1] > n:
        raise ValueError(f"k must run from 1 to the number of points, {n}, got {ks}")
    shown = None if new is None else (*check_data(*new), f"validation points ({new[0].shape[0]:,} new x)")
    fig = new_figure((11, 4))
    left, right = fig.subplots(1, 2)
    _draw_fits(
        left,
        (X, y, f"{n} training points (one draw)"),
        grid,
        (truth, "true line"),
        {f"fit with k = {k} coefficients": values for k, values in fits.items()},
        shown,
    )
    left.set_title("One noise draw and its fits")
    s2 = sigma**2
    right.plot(ks, [train_loss[k] / s2 for k in ks], "o-", color="tab:purple", label="training")
    right.plot(ks, [val_loss[k] / s2 for k in ks], "s-", color="tab:red", label="validation")
    right.plot(ks, [(n - k) / n for k in ks], "k:", lw=1.5, label=r"expected training: $\sigma^2 (n - k)/n$")
    right.axhline(1.0, color="black", ls="--", lw=1, label=r"$\sigma^2$, the noise")
    right.set(
        xlabel="number of coefficients k",
        ylabel=r"mean squared error / $\sigma^2$",
        title=f"Averaged over {draws:,} noise draws",
        xticks=ks,
    )
    right.legend(fontsize=8)
    return fig


def plot_bias_variance(
    X: torch.Tensor,
    y: torch.Tensor,
    grid: torch.Tensor,
    truth: torch.Tensor,
    fits: Mapping[str, torch.Tensor],
    sizes: Sequence[int],
    bias2: Mapping[str, Sequence[float]],
    variance: Mapping[str, Sequence[float]],
    sigma: float,
    draws: int,
    best: float | None = None,
) -> Figure:
    """models fitted to a curve: one draw, and the parts of their validation loss against the number of points.

    Left: the points X, y (m, 1) of one draw, the true curve truth (g, 1) and each model's fit fits[model] (g, 1)
    on the grid (g, 1). Right, on log axes against sizes (n): bias2[model] (solid) and variance[model] (dashed), one
    value per size, each / sigma^2, in the model's colour; best, if given, is the bias² of the best line (a grey band).
    The y axis reaches PAD times beyond the smallest and the largest of them, so that none runs along an edge.
    """
    X, y = check_data(X, y)
    grid = check_matrix("grid", grid)
    check_matrix("truth", truth, n=grid.shape[0])
    _curves("fits", fits, grid.shape[0])
    sigma, draws = check_lr(sigma, "sigma"), check_count(draws, "draws")
    sizes = [check_count(n, "every size") for n in sizes]
    if not sizes or min(sizes) < 1:
        raise ValueError(f"sizes must hold at least one number of points >= 1, got {sizes}")
    for name, parts in (("bias2", bias2), ("variance", variance)):
        for model, values in parts.items():
            if model not in fits:
                raise ValueError(f"{name} names {model!r}, which fits does not")
            if len(values) != len(sizes):
                raise ValueError(f"{name}[{model!r}] must hold one value for each of the {len(sizes)} sizes")
            for v in values:
                check_lr(v, f"every value of {name}[{model!r}]")
    colors = dict(zip(fits, cycle(COLORS)))
    fig = new_figure((11, 4))
    left, right = fig.subplots(1, 2)
    _draw_fits(
        left,
        (X, y, f"{X.shape[0]} noisy points (one draw)"),
        grid,
        (truth, "true curve"),
        {f"fitted {model}": values for model, values in fits.items()},
    )
    left.set_title("A curved truth")
    s2 = sigma**2
    for model, values in variance.items():
        right.plot(sizes, [v / s2 for v in values], "s--", color=colors[model], label=f"{model}: variance")
    for model, values in bias2.items():
        right.plot(sizes, [v / s2 for v in values], "o-", color=colors[model], label=f"{model}: bias²")
    drawn = [v / s2 for parts in (variance, bias2) for values in parts.values() for v in values]
    if best is not None:
        drawn.append(check_lr(best, "best") / s2)
        right.axhline(
            drawn[-1], color="0.75", lw=8, alpha=0.5, zorder=1, label="bias² of the best line"
        )  # a wide light band under the line's bias², which should run along its middle
    right.set(
        xscale="log",
        yscale="log",
        xlabel="training points n",
        ylabel=r"part of the validation loss / $\sigma^2$",
        title=f"Bias² and variance, over {draws:,} noise draws",
    )
    if drawn:  # every curve and the band clear of the edges
        right.set_ylim(min(drawn) / PAD, max(drawn) * PAD)
    right.legend(fontsize=8)
    return fig
