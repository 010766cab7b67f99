"""The spread of fitted parameters over noise seeds, against the textbook's normal curve (10)."""

from __future__ import annotations

import math
import numbers
from typing import Protocol

import numpy as np
import torch
from matplotlib.figure import Figure

from helpers.figures.plots import FIT_COLOR, new_figure


class Fits(Protocol):
    """what plot_spread reads of helpers.further.noise.Fits (figures import only the core)."""

    @property
    def w(self) -> torch.Tensor: ...  # (S,) fitted slopes

    @property
    def b(self) -> torch.Tensor: ...  # (S,) fitted intercepts


def plot_spread(fits: Fits, se: tuple[float, float], truth: tuple[float, float]) -> Figure:
    """histograms of the fitted w and b over the seeds, with the normal curve N(truth, se^2) the textbook predicts."""
    if len(se) != 2 or not all(isinstance(s, numbers.Real) and math.isfinite(s) and s > 0 for s in se):
        raise ValueError(f"se must hold two finite standard errors > 0, for w and b, got {se!r}")
    if len(truth) != 2:
        raise ValueError(f"truth must hold the true w and b, got {truth!r}")
    fig = new_figure((11, 4))
    for ax, name, values, s, t in zip(fig.subplots(1, 2), ("w", "b"), (fits.w, fits.b), se, truth):
        v = values.detach().cpu().numpy()
        counts, _, _ = ax.hist(
            v, bins=20, density=True, color=FIT_COLOR, alpha=0.5, label=f"fitted {name} over {len(v)} seeds"
        )
        grid = np.linspace(t - 4 * s, t + 4 * s, 300)
        pdf = np.exp(-0.5 * ((grid - t) / s) ** 2) / (s * math.sqrt(2 * math.pi))
        ax.plot(grid, pdf, "k-", lw=1.5, label=f"textbook: normal, sd = SE = {s:.4f}")
        ax.axvline(t, color="black", ls="--", lw=1, label=f"true {name} = {t:g}")
        ax.set(
            xlabel=f"fitted {name}",
            ylabel="density",
            title=f"Spread of the fitted {name}",
            ylim=(0, 1.1 * max(float(counts.max()), float(pdf.max()))),
        )
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncols=2)  # below: clear of the truth
    return fig
