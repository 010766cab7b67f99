"""Full batch against minibatches: the loss per epoch and per update, one curve per run (08)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from matplotlib.figure import Figure

from helpers.figures.plots import new_figure

BATCH_STYLES = ("-", "--", "-.", ":")  # plot_batch_sizes: the run with the fewest updates solid, the next dashed, ...


class SGDRun(Protocol):
    """what plot_batch_sizes reads of helpers.further.torch_way.SGDRun (figures import only the core)."""

    @property
    def epoch_losses(self) -> Sequence[float]: ...  # (E + 1,) the loss on all the data after each epoch

    @property
    def full_losses(self) -> Sequence[float]: ...  # (T + 1,) the loss on all the data after each update


def _positive(values: Sequence[float]) -> np.ndarray:
    """values as floats, with those a log axis cannot show (<= 0, inf, NaN) made NaN."""
    a = np.asarray(values, dtype=float)
    return np.where(np.isfinite(a) & (a > 0), a, np.nan)


def plot_batch_sizes(
    runs: dict[str, SGDRun], ylabel: str = "loss on all the data", linestyles: Sequence[str] = BATCH_STYLES
) -> Figure:
    """the full-data loss per epoch (left) and per update (right), log scale, one curve per run.

    Where the curves overlap (early on, per update), the run with the fewest updates (the full batch) is drawn on
    top, with the boldest style, and the run with the most updates at the bottom: its many points cannot cover the
    few of the others. linestyles: one style per run, from the fewest updates to the most.
    """
    if not runs:
        raise ValueError("runs must name at least one SGDRun")
    if not linestyles or not all(isinstance(ls, str) for ls in linestyles):
        raise ValueError(f"linestyles must hold at least one matplotlib line style, got {linestyles!r}")
    fig = new_figure((11, 4))
    left, right = fig.subplots(1, 2, sharey=True)
    sizes = [len(run.full_losses) for run in runs.values()]
    rank = {i: k for k, i in enumerate(sorted(range(len(runs)), key=sizes.__getitem__))}  # 0: the fewest updates
    for i, (label, run) in enumerate(runs.items()):
        k = rank[i]
        style = dict(
            color=f"C{i}",
            ls=linestyles[k % len(linestyles)],
            lw=2.2 if k == 0 else 1.4,
            zorder=3 + (len(runs) - k) / (len(runs) + 1),  # fewest updates on top
            label=label,
        )
        epochs = np.arange(len(run.epoch_losses))
        left.plot(epochs, _positive(run.epoch_losses), marker=".", ms=5, **style)
        updates = np.arange(1, len(run.full_losses))  # update t = 1..T (the start, t = 0, has no place on a log axis)
        few = len(updates) <= 50  # a run of few updates gets a marker at each one: its points stay visible
        right.plot(updates, _positive(run.full_losses[1:]), marker="o" if few else "", ms=4, **style)
    left.set(xlabel="epoch (one pass over the data)", ylabel=ylabel, yscale="log", title="Per epoch")
    right.set(xlabel="update (one optimiser step), log scale", yscale="log", xscale="log", title="Per update")
    for ax in (left, right):
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    return fig
