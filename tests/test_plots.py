"""helpers.figures.plots and helpers.figures.landscape: the figures draw what the model computes, and bad input fails
before drawing.

Tolerance: the fitted line is drawn from predict() on a float64 grid, so it equals w x + b to float64 rounding
(1e-12 leaves a wide margin for x up to 3).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import init_params, plot_data, plot_fit, plot_step


def test_plot_fit_draws_the_models_line_over_the_data(data):
    X, y = data
    w, b = torch.tensor([[0.2]], dtype=torch.float64), torch.tensor([[0.3]], dtype=torch.float64)
    fig = plot_fit(X, y, w, b, activation="none")
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("fitted line"))
    x, y_hat = line.get_data()
    assert x.min() == pytest.approx(0.01, abs=1e-12) and x.max() == pytest.approx(3.001, abs=1e-12)
    assert np.max(np.abs(y_hat - (0.2 * x + 0.3))) <= 1e-12


def test_plot_fit_names_its_data_as_asked(data):
    X, y = data
    w, b = init_params(0)
    labels = [
        ax.get_legend_handles_labels()[1][0]
        for ax in (plot_fit(X, y, w, b).axes[0], plot_fit(X, y, w, b, data_label="noisy data").axes[0])
    ]
    assert labels == ["original data", "noisy data"]  # the default names the points in sentence case
    with pytest.raises(TypeError, match=r"data_label must be a str, got int"):
        plot_fit(X, y, w, b, data_label=3)


@pytest.mark.parametrize("draw", [lambda X, y: plot_data(X, y), lambda X, y: plot_fit(X, y, *init_params(0))])
def test_the_data_plots_reject_data_that_do_not_pair_up(data, draw):
    X, y = data
    with pytest.raises(ValueError, match=r"y must have 40 rows to match X, got 39"):
        draw(X, y[:39])
    with pytest.raises(ValueError, match=r"X must have shape \(n, 1\), got \(40,\)"):
        draw(X[:, 0], y)
    assert len(draw(X, y).axes) == 1


def test_plot_step_checks_its_arguments_before_using_them(data):
    X, y = data
    w, b = init_params(0)
    with pytest.raises(TypeError, match=r"w must be a torch\.Tensor of shape \(1, 1\), got float"):
        plot_step(X, y, 0.5, b, 0.001)
    with pytest.raises(TypeError, match=r"X must be a torch\.Tensor of shape \(n, 1\), got list"):
        plot_step(X.tolist(), y, w, b, 0.001)
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0, got -0\.1"):
        plot_step(X, y, w, b, -0.1)
    fig = plot_step(X, y, w, b, 0.001)
    actual = next(ln for ln in fig.axes[0].get_lines() if ln.get_label().startswith("actual loss"))
    assert actual.get_ydata()[0] == pytest.approx(22.625682, abs=5e-7)  # the seeded start's loss (notebook 02)
