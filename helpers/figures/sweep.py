"""A sweep's outcome as a figure: the final distance to the closed form against the learning rate (07)."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from helpers.figures.plots import new_figure
from helpers.solve import Spectrum
from helpers.training import CONVERGED_TOL

MARKERS = {"converged": "o", "not_converged": "o", "dead_relu": "X"}


def plot_sweep(
    rows: Sequence[Mapping[str, Any]],
    x: str = "learning_rate",
    by: Sequence[str] = ("activation",),
    spec: Spectrum | None = None,
    title: str = "Distance to the closed form at the end of each run",
) -> Figure:
    """final distance to the closed form against x (log-log for lr), one series per value of `by`.

    Diverged or failed runs sit as triangles on the top edge; spec marks 2/lam_max and 2/(lam_min + lam_max).
    """
    if not rows:
        raise ValueError("rows must hold at least one run")
    xs = [r[x] for r in rows]
    numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in xs)
    cats = list(dict.fromkeys(map(str, xs)))
    pos = (lambda v: float(v)) if numeric else (lambda v: float(cats.index(str(v))))
    fig = new_figure((9, 4.5))
    ax = fig.subplots()
    top = blended_transform_factory(ax.transData, ax.transAxes)
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(", ".join(f"{k}={r[k]}" for k in by) or "runs", []).append(r)
    for i, (label, group) in enumerate(groups.items()):
        color = f"C{i}"
        done = [r for r in group if r["status"] in MARKERS and r.get("distance") is not None]
        ax.plot(
            [pos(r[x]) for r in done], [max(r["distance"], 1e-16) for r in done], "-", color=color, lw=1.5, label=label
        )
        for status, marker in MARKERS.items():
            pts = [r for r in done if r["status"] == status]
            ax.plot(
                [pos(r[x]) for r in pts],
                [max(r["distance"], 1e-16) for r in pts],
                marker,
                color=color,
                ms=9 if marker == "X" else 5,
                mec="black" if marker == "X" else color,
                ls="none",
            )
        broken = [r for r in group if r["status"] not in MARKERS or r.get("distance") is None]
        ax.plot(
            [pos(r[x]) for r in broken],
            [0.96 - 0.05 * i] * len(broken),
            "^",
            color=color,
            ms=9,
            mec="black",
            transform=top,
            clip_on=False,
            ls="none",
        )
    ax.plot([], [], "X", color="gray", mec="black", ms=9, ls="none", label="dead ReLU")
    ax.plot([], [], "^", color="gray", mec="black", ms=9, ls="none", label="diverged or failed (drawn at the top)")
    ax.axhline(CONVERGED_TOL, color="gray", lw=0.8, ls=":", label=f"converged: within {CONVERGED_TOL:g}")
    if spec is not None and numeric:
        ax.axvline(
            spec.stability_limit,
            color="tab:red",
            ls="--",
            lw=1,
            label=f"stability limit 2/λmax = {spec.stability_limit:.5f}",
        )
        ax.axvline(
            spec.fastest_lr,
            color="tab:green",
            ls="-.",
            lw=1,
            label=f"fastest rate 2/(λmin+λmax) = {spec.fastest_lr:.5f}",
        )
    if numeric and x == "learning_rate":
        ax.set_xscale("log")
    if not numeric:
        ax.set_xticks(range(len(cats)), cats)
    ax.set_yscale("log")
    finite = [r["distance"] for r in rows if r["status"] in MARKERS and r.get("distance") is not None]
    ax.set_ylim(top=max([1.0, *finite]) * 30)  # room above the runs for the diverged markers
    ax.set(
        xlabel=x + (" (log scale)" if ax.get_xscale() == "log" else ""),
        ylabel="distance to the closed form (log)",
        title=title,
    )
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig
