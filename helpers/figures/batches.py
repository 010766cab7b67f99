"""Full batch against minibatches: the loss per epoch and per update, one curve per run (08)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from matplotlib.figure import Figure

from helpers.figures.plots import new_figure


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


def plot_batch_sizes(runs: dict[str, SGDRun], ylabel: str = "loss on all the data") -> Figure:
    """the full-data loss per epoch (left) and per update (right), log scale, one curve per run."""
    if not runs:
        raise ValueError("runs must name at least one SGDRun")
    fig = new_figure((11, 4))
    left, right = fig.subplots(1, 2, sharey=True)
    for i, (label, run) in enumerate(runs.items()):
        epochs = np.arange(len(run.epoch_losses))
        left.plot(epochs, _positive(run.epoch_losses), ".-", color=f"C{i}", ms=4, label=label)
        updates = np.arange(1, len(run.full_losses))  # update t = 1..T (the start, t = 0, has no place on a log axis)
        right.plot(updates, _positive(run.full_losses[1:]), color=f"C{i}", label=label)
    left.set(xlabel="epoch (one pass over the data)", ylabel=ylabel, yscale="log", title="Per epoch")
    right.set(xlabel="update (one optimiser step), log scale", yscale="log", xscale="log", title="Per update")
    for ax in (left, right):
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize=8)
    return fig
