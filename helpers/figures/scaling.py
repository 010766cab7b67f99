"""What an update costs as N grows: seconds and multiples of one read of the data (11)."""

from __future__ import annotations

from matplotlib.figure import Figure

from helpers.figures.plots import new_figure

CURVES = {  # key in a scaling() result: (label, style)
    "autograd": ("autograd update", "o-"),
    "hand": ("hand-gradient update", "s-"),
    "blocked": ("blocked hand-gradient update", "P-"),
    "stats_pass": ("stats: the one pass", "^--"),
    "stats_update": ("stats: one O(1) update", "v-"),
    "closed_form": ("closed form", "d:"),
}


def plot_scaling(rows: dict[str, dict[str, float]]) -> Figure:
    """seconds per update against N (log-log), and the same over the floor.  rows: {str(N): scaling(N)}"""
    sizes = sorted(int(n) for n in rows)
    fig = new_figure((11, 4.2))
    left, right = fig.subplots(1, 2)
    floor = [rows[str(n)]["floor_seconds"] for n in sizes]
    left.plot(sizes, floor, "k-", lw=2.5, alpha=0.35, label="floor: one read of X and y")
    for key, (label, style) in CURVES.items():
        cost = [rows[str(n)][key] for n in sizes]
        left.plot(sizes, [c * f for c, f in zip(cost, floor)], style, label=label)
        right.plot(sizes, cost, style, label=label)
    right.axhline(1.0, color="k", lw=2.5, alpha=0.35, label="the floor")
    left.set(xscale="log", yscale="log", xlabel="N (points)", ylabel="seconds", title="Time against N")
    right.set(xscale="log", yscale="log", xlabel="N (points)", ylabel="time / floor", title="In units of the floor")
    for ax in (left, right):
        ax.grid(True, which="major", alpha=0.3)
    left.legend(fontsize=8)
    return fig
