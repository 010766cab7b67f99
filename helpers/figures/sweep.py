"""A sweep's outcome as a figure: the final distance to the minimum θ* against the learning rate (07)."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from helpers.figures.plots import new_figure
from helpers.solve import Spectrum
from helpers.training import CONVERGED_TOL

MARKERS = {"converged": "o", "not_converged": "o", "dead_relu": "X"}
XSCALES = ("log", "linear", "both")
NEAR_LIMIT = (0.6, 1.1)  # xscale="both": the right panel spans these multiples of the stability limit
SERIES_NAMES = {("activation", "relu"): "with the ReLU", ("activation", "none"): "without the ReLU"}
AXIS_NAMES = {"learning_rate": r"learning rate $\eta$", "num_epochs": "epochs", "num_updates": r"updates $T$"}


def _axis_name(x: str) -> str:
    """a column's name as an axis label: the notebooks' words and symbols, not the variable name."""
    return AXIS_NAMES.get(x, x.replace("_", " "))


def _series_label(row: Mapping[str, Any], by: Sequence[str]) -> str:
    """one series' legend label: "with the ReLU", or "seed 3, loss sum" for other columns."""
    parts = [SERIES_NAMES.get((k, str(row[k])), f"{_axis_name(k)} {row[k]}") for k in by]
    return ", ".join(parts) or "runs"


def _draw_runs(
    ax: Axes,
    groups: dict[str, list[Mapping[str, Any]]],
    x: str,
    pos: Callable[[Any], float],
    near: bool,
) -> None:
    """each series on ax: its line, its markers (hollow crosses for a dead ReLU), the failed runs at the top edge.

    The first series is drawn wide and light, the later ones narrow on top, so that series that agree (with and
    without the ReLU, at small rates) both stay visible. near: the zoomed panel, where markers have room to be larger.
    """
    top = blended_transform_factory(ax.transData, ax.transAxes)
    row = 0  # the failed runs of the first series that has any sit at 0.96 of the axes' height, the next at 0.91, ...
    for i, (label, group) in enumerate(groups.items()):
        color, first = f"C{i}", i == 0
        done = [r for r in group if r["status"] in MARKERS and r.get("distance") is not None]
        ax.plot(
            [pos(r[x]) for r in done],
            [max(r["distance"], 1e-16) for r in done],
            "-",
            color=color,
            lw=4 if first else 1.5,
            alpha=0.45 if first else 1.0,
            zorder=2 if first else 3,
            label=label,
        )
        for status, marker in MARKERS.items():
            pts = [r for r in done if r["status"] == status]
            dead = marker == "X"
            ax.plot(
                [pos(r[x]) for r in pts],
                [max(r["distance"], 1e-16) for r in pts],
                marker,
                color=color,
                ms=(8 if near else 6) if dead else (7 if first else 4),
                mfc="white" if dead else color,  # open crosses: close together they stay apart, and show on the band
                mew=1.5 if dead else 1.0,
                alpha=0.6 if first and not dead else 1.0,
                zorder=4,
                ls="none",
            )
        broken = [r for r in group if _failed(r)]
        if not broken:
            continue
        ax.plot(
            [pos(r[x]) for r in broken],
            [_row_height(row)] * len(broken),
            "^",
            color=color,
            ms=8,
            mec="black",
            transform=top,
            clip_on=near,  # above the top edge on the full axis; the zoomed one shows only those in its range
            ls="none",
            zorder=4,
        )
        row += 1


def _failed(run: Mapping[str, Any]) -> bool:
    """a run drawn as a triangle at the top: diverged, or failed without a distance to draw."""
    return run["status"] not in MARKERS or run.get("distance") is None


def _row_height(row: int) -> float:
    """the height, as a fraction of the axes, of the row-th series' failed-run markers (0: the first with any)."""
    return max(0.96 - 0.05 * row, 0.3)


def plot_sweep(
    rows: Sequence[Mapping[str, Any]],
    x: str = "learning_rate",
    by: Sequence[str] = ("activation",),
    spec: Spectrum | None = None,
    title: str = r"Distance to the minimum $\theta^\star$ at the end of each run",
    xscale: str | None = None,
    near: tuple[float, float] | None = None,
) -> Figure:
    """final distance to the minimum θ* against x (log-log for lr), one series per value of `by`.

    Diverged or failed runs sit as triangles on the top edge, a dead ReLU is an open cross; spec marks the stability
    limit 2/λmax and the fastest rate 2/(λmin + λmax).
    xscale: "log", "linear" or "both" for a numeric x. "both" draws all the runs on a log axis (left) and, on a
    linear axis (right), the rates within near = (low, high): there the rates close to the stability limit, which
    crowd into the last sliver of a log axis, lie apart. The default is "both" where x is the learning rate and spec
    is given (near then defaults to 0.6 to 1.1 times the limit), "log" for another learning-rate plot, else "linear".
    """
    if not rows:
        raise ValueError("rows must hold at least one run")
    if xscale is not None and xscale not in XSCALES:
        raise ValueError(f"xscale must be one of {', '.join(map(repr, XSCALES))}; got {xscale!r}")
    xs = [r[x] for r in rows]
    numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in xs)
    cats = list(dict.fromkeys(map(str, xs)))
    pos = (lambda v: float(v)) if numeric else (lambda v: float(cats.index(str(v))))
    is_lr = numeric and x == "learning_rate"
    if not numeric:
        scale = "linear"
    elif xscale is not None:
        scale = xscale
    else:
        scale = ("both" if spec is not None else "log") if is_lr else "linear"
    if scale == "both":
        if near is None:
            if spec is None:
                raise ValueError('xscale="both" needs near=(low, high), or spec to place it around the limit')
            near = (NEAR_LIMIT[0] * spec.stability_limit, NEAR_LIMIT[1] * spec.stability_limit)
        if not (len(near) == 2 and 0 < near[0] < near[1]):
            raise ValueError(f"near must be (low, high) with 0 < low < high, got {near!r}")
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(_series_label(r, by), []).append(r)
    fig = new_figure((12, 4.8) if scale == "both" else (9, 4.5))
    axes: list[Axes] = list(fig.subplots(1, 2, sharey=True)) if scale == "both" else [fig.subplots()]
    finite = [r["distance"] for r in rows if r["status"] in MARKERS and r.get("distance") is not None]
    for k, ax in enumerate(axes):
        zoom = scale == "both" and k == 1
        _draw_runs(ax, groups, x, pos, zoom)
        ax.axhline(CONVERGED_TOL, color="gray", lw=0.8, ls=":", label=f"converged: within {CONVERGED_TOL:g}")
        if spec is not None and numeric:
            ax.axvline(
                spec.stability_limit,
                color="tab:red",
                ls="--",
                lw=1,
                label=rf"stability limit $2/\lambda_{{\max}}$ = {spec.stability_limit:.5f}",
            )
            ax.axvline(
                spec.fastest_lr,
                color="tab:green",
                ls="-.",
                lw=1,
                label=rf"fastest rate $2/(\lambda_{{\min}} + \lambda_{{\max}})$ = {spec.fastest_lr:.5f}",
            )
        ax_scale = "linear" if zoom or scale == "linear" else "log"
        if numeric:
            ax.set_xscale(ax_scale)
        else:
            ax.set_xticks(range(len(cats)), cats)
        if zoom and near is not None:
            pad = 0.03 * (near[1] - near[0])
            ax.set_xlim(near[0] - pad, near[1] + pad)
            ax.set_title(f"Near the limit: {near[0]:.3g} to {near[1]:.3g}, linear scale", fontsize=10)
        elif scale == "both":
            ax.set_title("All the runs, log scale", fontsize=10)
        ax.set_xlabel(_axis_name(x) + (" (log scale)" if ax_scale == "log" and numeric else ""))
        ax.set_yscale("log")
        ax.grid(True, which="major", alpha=0.3)
    # room above the runs for the failed-run markers, which sit at fixed heights of the axes (_row_height): the
    # lowest of them at least a decade above the highest run, so that none covers a run's marker
    highest, top = max([1.0, *finite]), max([1.0, *finite]) * 30
    failing = sum(any(_failed(r) for r in group) for group in groups.values())
    if failing:
        bottom, lowest = axes[0].get_ylim()[0], _row_height(failing - 1)
        # on a log axis the height `lowest` is log(10 highest / bottom) / log(top / bottom): solve for top
        top = max(top, bottom * (10 * highest / bottom) ** (1 / lowest))
    axes[0].set_ylim(top=top)
    axes[0].set_ylabel(r"distance to $\theta^\star$ (log scale)")
    axes[0].plot([], [], "X", color="gray", mfc="white", mew=1.5, ms=8, ls="none", label="dead ReLU")
    axes[0].plot([], [], "^", color="gray", mec="black", ms=8, ls="none", label="diverged or failed (drawn at the top)")
    if scale == "both":
        fig.suptitle(title)
    else:
        axes[0].set_title(title)
    axes[-1].legend(*axes[0].get_legend_handles_labels(), fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
