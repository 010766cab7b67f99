"""Every figure is tested by what it draws: its artists are read back and compared with its inputs.

Each test reads the lines (get_xydata), scatter offsets, histogram bars, contour sets, arrows, legend texts, axis
labels, titles, scales and limits of one figure function and recomputes what they must be from the inputs, with
numpy rather than with the helpers, so that a curve drawn reversed, shifted, from the wrong run or not at all fails.

Tolerances, stated once:
- EXACT (1e-12): values the figure takes from its input or computes in float64 in one or two operations (a loss
  curve, a path, w x + b on a float64 grid); 1e-12 leaves room for a different order of the same float64 operations.
- a contour line runs through the grid cells whose corners hold losses on both sides of its level: at each vertex
  the loss at the nearest grid nodes, computed here, must bracket the level (no tolerance but float64 rounding);
  a contour one cell off fails.
Every figure is also drawn once with the Agg renderer under warnings-as-errors, so that one that would warn on a
learner's stderr (overflow in an axis, a log axis of a zero) fails.
"""

from __future__ import annotations

import math
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.contour import QuadContourSet
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.quiver import Quiver

import helpers
from helpers import (
    TRUE_B,
    TRUE_W,
    animate_training,
    frame_updates,
    init_params,
    loss_grid,
    next_step,
    plot_batch_sizes,
    plot_bias_variance,
    plot_contours,
    plot_contours_by_activation,
    plot_data,
    plot_fit,
    plot_losses,
    plot_next_step,
    plot_overfitting,
    plot_rate_vs_lr,
    plot_relu_vs_linear,
    plot_spread,
    plot_step,
    plot_sweep,
    plot_training_frames,
    train,
)
from helpers.figures.plots import LABELLED, new_figure
from helpers.figures.scaling import CURVES, plot_scaling
from helpers.further.noise import Fits
from helpers.further.torch_way import SGDRun
from helpers.results import History
from helpers.solve import Spectrum

EXACT = 1e-12


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def xy():
    """the original 40 points as float64 numpy vectors, for the independent recomputations."""
    X, y = helpers.original_data()
    return X.double().numpy().ravel(), y.double().numpy().ravel()


@pytest.fixture(scope="module")
def run():
    """the original run (seed 0, lr 0.001, 149 updates) with its data."""
    X, y = helpers.original_data()
    return X, y, train(X, y, *init_params(0), lr=0.001, num_updates=149)


def render(fig: Figure) -> Figure:
    """draw fig with Agg, failing on any warning matplotlib or numpy would print while drawing it."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        FigureCanvasAgg(fig).draw()
    return fig


def line(ax, label: str):
    """the one line of ax whose legend label starts with label."""
    found = [ln for ln in ax.get_lines() if ln.get_label().startswith(label)]
    assert len(found) == 1, f"{len(found)} lines labelled {label!r} in {[ln.get_label() for ln in ax.get_lines()]}"
    return found[0]


def legend_texts(legend) -> list[str]:
    return [t.get_text() for t in legend.get_texts()]


def loss_at(x: np.ndarray, t: np.ndarray, w: float, b: float, relu: bool = True, mean: bool = False) -> float:
    """the loss at (w, b), by hand in numpy: sum (or mean) of (act(x w) + b - y)^2."""
    z = x * w
    r = (np.maximum(z, 0.0) if relu else z) + b - t
    return float((r * r).mean() if mean else (r * r).sum())


def contour_set(ax) -> QuadContourSet:
    (cs,) = [c for c in ax.collections if isinstance(c, QuadContourSet)]
    return cs


def check_contours_on_the_loss(cs: QuadContourSet, x, t, relu: bool, window, steps: int, samples: int = 40) -> None:
    """levels increasing; every drawn contour lies inside the window, where the loss crosses its level.

    A contour of a grid of steps x steps nodes runs through the cells whose corners hold values on both sides of
    its level: so at each sampled vertex the loss at the nearby nodes, computed here by hand, must bracket the
    level. A contour shifted by a cell or more, drawn from another loss or at other levels fails.
    """
    levels = np.asarray(cs.levels)
    assert np.all(np.diff(levels) > 0), levels
    (w_lo, w_hi), (b_lo, b_hi) = window
    ws, bs = np.linspace(w_lo, w_hi, steps), np.linspace(b_lo, b_hi, steps)
    drawn = 0
    for level, path in zip(levels, cs.get_paths()):
        v = path.vertices
        if len(v) == 0:
            continue
        assert v[:, 0].min() >= w_lo - 1e-9 and v[:, 0].max() <= w_hi + 1e-9
        assert v[:, 1].min() >= b_lo - 1e-9 and v[:, 1].max() <= b_hi + 1e-9
        for w, b in v[:: max(1, len(v) // samples)]:
            fj, fi = (w - w_lo) / (ws[1] - ws[0]), (b - b_lo) / (bs[1] - bs[0])
            js = range(max(0, math.floor(fj - 1e-6)), min(steps - 1, math.ceil(fj + 1e-6)) + 1)
            near = [
                loss_at(x, t, ws[j], bs[i], relu)
                for j in js
                for i in range(max(0, math.floor(fi - 1e-6)), min(steps - 1, math.ceil(fi + 1e-6)) + 1)
            ]
            assert min(near) <= level * (1 + 1e-9) and max(near) >= level * (1 - 1e-9), (level, w, b, near)
        drawn += 1
    assert drawn >= len(levels) - 2, "most levels must be drawn"


# ---------------------------------------------------------------------------------------------------- plots.py


def test_new_figure_is_empty_sized_and_not_kept_by_pyplot():
    before = plt.get_fignums()
    fig = new_figure((3, 2))
    assert isinstance(fig, Figure) and fig.axes == []
    assert tuple(fig.get_size_inches()) == (3, 2) and fig.get_layout_engine() is not None
    assert plt.get_fignums() == before  # pyplot holds no reference: it is not shown twice
    assert tuple(new_figure().get_size_inches()) == (6, 4)


def test_plot_data_scatters_exactly_the_points_in_order(xy):
    X, y = helpers.original_data()
    fig = render(plot_data(X, y, title="some points"))
    (ax,) = fig.axes
    (points,) = ax.collections
    assert np.array_equal(points.get_offsets(), np.column_stack(xy))
    assert ax.get_xlabel() == "x (raw value / 100)" and ax.get_ylabel() == "y" and ax.get_title() == "some points"
    assert legend_texts(ax.get_legend()) == ["original data"]
    assert ax.get_lines() == []


@pytest.mark.parametrize("activation, w, b", [("none", 0.2, 0.3), ("relu", 0.175, 0.4), ("relu", -0.3, 0.5)])
def test_plot_fit_draws_the_data_the_models_line_and_the_truth(xy, activation, w, b):
    X, y = helpers.original_data()
    x, _ = xy
    wt, bt = torch.tensor([[w]], dtype=torch.float64), torch.tensor([[b]], dtype=torch.float64)
    fig = render(plot_fit(X, y, wt, bt, activation=activation, title="fit"))
    (ax,) = fig.axes
    (points,) = ax.collections
    assert np.array_equal(points.get_offsets(), np.column_stack(xy))
    fit = line(ax, "fitted line").get_xydata()
    assert fit[0, 0] == pytest.approx(x.min(), abs=EXACT) and fit[-1, 0] == pytest.approx(x.max(), abs=EXACT)
    assert np.all(np.diff(fit[:, 0]) > 0) and len(fit) == 200
    z = fit[:, 0] * w
    expected = (np.maximum(z, 0.0) if activation == "relu" else z) + b
    assert np.max(np.abs(fit[:, 1] - expected)) <= EXACT
    truth = line(ax, "true line").get_xydata()
    assert np.max(np.abs(truth[:, 1] - (TRUE_W * truth[:, 0] + TRUE_B))) <= EXACT
    assert legend_texts(ax.get_legend()) == [
        "original data",
        f"fitted line: w = {w:.4f}, b = {b:.4f}",
        "true line 0.175 x + 0.4",
    ]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("x", "y", "fit")
    assert list(ax.texts) == []  # the line is in view: no note
    assert not plot_fit(X, y, wt, bt, show_truth=False).axes[0].get_legend_handles_labels()[1][-1].startswith("true")


def test_plot_fit_draws_its_lines_above_small_light_markers():
    """the original's markers (s = 150, alpha 0.6, drawn over the lines) hid the fitted line that ran through them."""
    X, y = helpers.original_data()
    h = train(X, y, *init_params(0), lr=0.001, num_updates=149)  # 05's run: its line runs through every point
    (ax,) = render(plot_fit(X, y, h.w, h.b)).axes
    (points,) = ax.collections
    (fit,) = [ln for ln in ax.get_lines() if ln.get_label().lower().startswith("fitted line")]  # any case
    truth = line(ax, "true line")
    assert points.get_zorder() < fit.get_zorder() < truth.get_zorder()  # data, then the fit, then the thin truth
    assert np.all(points.get_sizes() <= 40) and points.get_alpha() <= 0.5  # markers: area in points², opacity
    diameter = 2 * math.sqrt(float(points.get_sizes().max()) / math.pi)  # points
    assert fit.get_linewidth() >= diameter / 4 and truth.get_linestyle() == "--"  # the line is no hairline
    (ax,) = render(plot_fit(X, y, h.w, h.b, marker_size=150, marker_alpha=0.6)).axes  # the original's look, asked for
    assert ax.collections[0].get_sizes()[0] == 150 and ax.collections[0].get_alpha() == 0.6


def diverged_history(w: float, b: float, losses=(22.6, 1.2e5, 7.8e8, 1e300)) -> History:
    """a History as a diverged run leaves it: huge (or non-finite) w and b and losses."""
    wt, bt = torch.tensor([[w]], dtype=torch.float64), torch.tensor([[b]], dtype=torch.float64)
    T = len(losses)
    return History(
        losses=tuple(losses),
        w_path=(0.1,) * T + (w,),
        b_path=(0.2,) * T + (b,),
        w=wt,
        b=bt,
        final_loss=math.inf,
        lr=1e300,
        num_updates=149,
        status="diverged",
        stopped_at=T + 1,
        dead_at=None,
        message="diverged",
    )


@pytest.mark.parametrize(
    "w, b, activation",
    [
        (1e300, -1e300, "relu"),
        (-1e300, 1e300, "none"),
        (1e300, 0.0, "relu"),
        (-4.0, 1.5, "none"),
        (4.0, -5.0, "relu"),
        (1e-300, 1e10, "relu"),
        (1.7e308, 1.7e308, "none"),
        (-math.inf, -math.inf, "relu"),
        (math.nan, 0.4, "none"),
    ],
)
def test_plot_fit_of_a_diverged_run_keeps_the_data_in_view_and_clips_the_line(xy, w, b, activation):
    X, y = helpers.original_data()
    x, t = xy
    h = diverged_history(w, b)
    fig = render(plot_fit(X, y, h.w, h.b, activation=activation))
    (ax,) = fig.axes
    assert np.array_equal(ax.collections[0].get_offsets(), np.column_stack(xy))
    span = t.max() - t.min()
    assert ax.get_ylim() == pytest.approx((t.min() - 0.3 * span, t.max() + 0.3 * span), abs=EXACT)  # from the data
    lo_x, hi_x = ax.get_xlim()
    assert lo_x <= x.min() and hi_x >= x.max() and hi_x - lo_x < 2 * (x.max() - x.min())
    drawn = line(ax, "fitted line").get_xydata()
    drawn = drawn[np.isfinite(drawn).all(axis=1)]
    if len(drawn):  # every point drawn lies on the line, within the data's x and the window
        z = drawn[:, 0] * w
        expected = (np.maximum(z, 0.0) if activation == "relu" else z) + b
        assert np.allclose(drawn[:, 1], expected, rtol=1e-9, atol=1e-9 * abs(b))
        assert drawn[:, 0].min() >= x.min() - EXACT and drawn[:, 0].max() <= x.max() + EXACT
        lo_y, hi_y = ax.get_ylim()
        assert drawn[:, 1].min() >= lo_y - 1e-9 and drawn[:, 1].max() <= hi_y + 1e-9
    note = {t_.get_text() for t_ in ax.texts}
    finite = math.isfinite(w) and math.isfinite(b)
    assert note == {"the fitted line runs outside this window" if finite else "w or b is not finite: no line to draw"}


def test_plot_fit_clips_a_steep_line_to_the_part_that_crosses_the_window(xy):
    """w = 4, b = -5: the line crosses the data's window from x = (lo - b) / w to (hi - b) / w; that part is drawn."""
    X, y = helpers.original_data()
    t = xy[1]
    fig = render(
        plot_fit(X, y, torch.tensor([[4.0]], dtype=torch.float64), torch.tensor([[-5.0]], dtype=torch.float64))
    )
    drawn = line(fig.axes[0], "fitted line").get_xydata()
    lo, hi = fig.axes[0].get_ylim()
    assert drawn[0] == pytest.approx(((lo + 5) / 4, lo), abs=1e-12) and drawn[-1] == pytest.approx(((hi + 5) / 4, hi))
    assert lo == pytest.approx(t.min() - 0.3 * (t.max() - t.min()), abs=EXACT)


def test_plot_fit_of_a_real_diverged_run_does_not_raise(xy):
    X, y = helpers.original_data()
    try:
        h = train(X, y, *init_params(0), lr=1e300, num_updates=149, on_divergence="record")
    except TypeError:  # train without on_divergence: the synthetic Histories above cover it
        pytest.skip("train() has no on_divergence")
    assert h.status == "diverged"
    fig = render(plot_fit(X, y, h.w, h.b))
    assert np.array_equal(fig.axes[0].collections[0].get_offsets(), np.column_stack(xy))
    render(plot_losses({"lr 1e300": h.losses}))


def test_plot_fit_still_rejects_what_is_not_a_parameter(data):
    X, y = data
    w, b = init_params(0)
    with pytest.raises(TypeError, match=r"w must be a torch\.Tensor of shape \(1, 1\), got float"):
        plot_fit(X, y, 0.5, b)
    with pytest.raises(ValueError, match=r"b must have shape \(1, 1\), got \(2,\)"):
        plot_fit(X, y, w, torch.zeros(2))
    with pytest.raises(ValueError, match="activation"):
        plot_fit(X, y, w, b, activation="tanh")


def test_plot_losses_draws_each_curve_in_order_against_its_update(run):
    h = run[2]
    other = [3.0, 2.0, 2.5, 1.0]
    ref = ([1, 50, 149], [20.0, 1.0, 0.01])
    fig = render(plot_losses({"lr 0.001": h.losses, "other": other}, title="T", ylabel="L", reference={"rate": ref}))
    (ax,) = fig.axes
    curve = line(ax, "lr 0.001").get_xydata()
    assert np.array_equal(curve[:, 0], np.arange(1, 150)) and np.array_equal(curve[:, 1], h.losses)
    assert np.array_equal(line(ax, "other").get_xydata(), np.column_stack([[1, 2, 3, 4], other]))
    dashed = line(ax, "rate")
    assert np.array_equal(dashed.get_xydata(), np.column_stack(ref)) and dashed.get_linestyle() == "--"
    assert ax.get_yscale() == "log" and ax.get_xscale() == "linear"
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("update", "L", "T")
    assert legend_texts(ax.get_legend()) == ["lr 0.001", "other", "rate"]


def test_plot_losses_both_scales_side_by_side_and_zero_only_on_the_linear_axis():
    fig = render(plot_losses({"run": [4.0, 0.0, 1.0]}, title="L", scale="both"))
    lin, log = fig.axes
    assert (lin.get_yscale(), log.get_yscale()) == ("linear", "log")
    assert (lin.get_title(), log.get_title()) == ("L, linear scale", "L, log scale")
    assert np.array_equal(line(lin, "run").get_xydata(), [[1, 4.0], [2, 0.0], [3, 1.0]])
    assert np.array_equal(line(log, "run").get_xydata(), [[1, 4.0], [3, 1.0]])  # a log axis cannot show 0


def test_plot_losses_of_no_updates_says_so():
    fig = render(plot_losses({"run": []}))
    (ax,) = fig.axes
    assert len(line(ax, "run").get_xydata()) == 0
    assert [t.get_text() for t in ax.texts] == ["no updates were made"]


@pytest.mark.parametrize("scale", ["log", "linear", "both"])
def test_plot_losses_of_a_diverged_run_leaves_out_what_no_axis_shows_and_says_how_many(scale):
    losses = [22.6, 1.2e5, 7.8e8, 1e300, math.inf, math.nan]
    fig = render(plot_losses({"lr 1": losses}, scale=scale))
    for ax in fig.axes:
        assert np.array_equal(line(ax, "lr 1").get_xydata(), [[1, 22.6], [2, 1.2e5], [3, 7.8e8]])
        assert legend_texts(ax.get_legend()) == ["lr 1 (3 of 6 not drawn: inf, NaN or above 1e+250)"]
        assert list(ax.texts) == []
    fig = render(plot_losses({"lr 1": [math.inf, 1.7e308]}, scale=scale))
    assert all([t.get_text() for t in ax.texts] == ["no loss here can be drawn"] for ax in fig.axes)


@pytest.mark.parametrize("loss, activation", [("sum", "relu"), ("mean", "none"), ("sum", "none")])
def test_loss_grid_is_the_loss_at_each_grid_point(xy, loss, activation):
    X, y = helpers.original_data()
    W, B, L = loss_grid(X, y, (-0.3, 0.7), (0.0, 1.0), loss, activation, steps=7)
    assert W.shape == B.shape == L.shape == (7, 7) and L.dtype == torch.float64
    ws, bs = np.linspace(-0.3, 0.7, 7), np.linspace(0.0, 1.0, 7)
    assert np.allclose(W.numpy(), ws[None, :], rtol=0, atol=EXACT)  # w along a row (x), b down a column (y)
    assert np.allclose(B.numpy(), bs[:, None], rtol=0, atol=EXACT)
    for i, j in [(0, 0), (0, 6), (6, 0), (3, 4), (6, 6), (2, 1)]:
        expected = loss_at(*xy, ws[j], bs[i], activation == "relu", loss == "mean")
        assert float(L[i, j]) == pytest.approx(expected, rel=EXACT, abs=EXACT)


# -------------------------------------------------------------------------------------------------- landscape.py


def test_plot_contours_draws_the_loss_the_minimum_and_the_paths(xy, run):
    X, y, h = run
    x, t = xy
    window = ((-0.3, 0.7), (0.0, 1.0))
    short = (h.w_path[:30], h.b_path[:30])
    fig = render(plot_contours(X, y, paths={"lr 0.001": (h.w_path, h.b_path), "first 30": short}, title="C"))
    ax = fig.axes[0]
    cs = contour_set(ax)
    _, _, L = loss_grid(X, y, *window)
    levels = np.geomspace(max(float(L.min()), 1e-4), float(L.max()), 14)
    assert np.allclose(cs.levels, levels, rtol=EXACT, atol=0)  # spanning the grid's values, log-spaced
    assert list(cs.labelLevelList) == list(np.asarray(cs.levels)[LABELLED::2])  # no label on the crowded rings
    # the grid as drawn: the loss, lifted to a tenth of the lowest level where it is below (0 at the minimum)
    assert cs.zmin == pytest.approx(max(float(L.min()), levels[0] / 10), abs=EXACT)
    assert cs.zmax == pytest.approx(float(L.max()))
    check_contours_on_the_loss(cs, x, t, True, window, 121)
    w_star, b_star = np.polyfit(x, t, 1)
    assert line(ax, r"minimum $\theta^\star$").get_xydata() == pytest.approx(np.array([[w_star, b_star]]), abs=1e-9)
    path = line(ax, "lr 0.001").get_xydata()
    assert np.array_equal(path, np.column_stack([h.w_path, h.b_path]))  # in order: start first
    assert np.array_equal(line(ax, "first 30").get_xydata(), np.column_stack(short))
    starts = [ln.get_xydata() for ln in ax.get_lines() if ln.get_marker() == "o" and len(ln.get_xydata())]
    ends = [ln.get_xydata() for ln in ax.get_lines() if ln.get_marker() == "s" and len(ln.get_xydata())]
    assert np.array_equal(np.vstack(starts), [[h.w_path[0], h.b_path[0]]] * 2)
    assert np.array_equal(np.vstack(ends), [[h.w_path[-1], h.b_path[-1]], [short[0][-1], short[1][-1]]])
    assert (ax.get_xlim(), ax.get_ylim()) == window
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("w", "b", "C")
    assert legend_texts(fig.legends[0]) == [
        r"minimum $\theta^\star$",
        "lr 0.001",
        "first 30",
        "start",
        "end (in the path's colour)",
    ]


def test_plot_contours_eigenvector_axes_run_through_the_minimum_along_the_hessians_eigenvectors(xy):
    X, y = helpers.original_data()
    x, t = xy
    fig = render(plot_contours(X, y, eigenvectors=True, aspect="equal"))
    ax = fig.axes[0]
    A = np.column_stack([x, np.ones_like(x)])
    lam, V = np.linalg.eigh(2 * A.T @ A)
    w_star, b_star = np.polyfit(x, t, 1)
    for k, name in enumerate((r"$\lambda_{\min}$", r"$\lambda_{\max}$")):
        seg = line(ax, f"eigenvector of {name}").get_xydata()
        assert seg.mean(axis=0) == pytest.approx([w_star, b_star], abs=1e-9)  # centred on the minimum
        d = (seg[1] - seg[0]) / np.linalg.norm(seg[1] - seg[0])
        assert abs(abs(d @ V[:, k]) - 1) <= 1e-9  # along the eigenvector, either way
        assert f"= {lam[k]:.4g}" in line(ax, f"eigenvector of {name}").get_label()
    assert ax.get_aspect() == 1.0


def test_plot_contours_keeps_every_path_and_the_minimum_visible(xy):
    """06's two runs: the fast path's zigzag must not cover the slow path, nor an end square the minimum's star."""
    X, y = helpers.original_data()
    w0, b0 = init_params(0)
    slow = train(X, y, w0, b0, lr=0.001, num_updates=149)
    fast = train(X, y, w0, b0, lr=0.009, num_updates=149, activation="none")
    paths = {"slow": (slow.w_path, slow.b_path), "fast": (fast.w_path, fast.b_path)}
    for window in (((-0.3, 0.7), (0.0, 1.0)), ((0.155, 0.195), (0.38, 0.42))):  # 06's two views
        fig = render(plot_contours(X, y, paths=paths, w_range=window[0], b_range=window[1], eigenvectors=True))
        ax = fig.axes[0]
        star, first, second = line(ax, r"minimum $\theta^\star$"), line(ax, "slow"), line(ax, "fast")
        ends = [ln for ln in ax.get_lines() if ln.get_marker() == "s" and len(ln.get_xydata())]
        starts = [ln for ln in ax.get_lines() if ln.get_marker() == "o" and len(ln.get_xydata())]
        assert len(ends) == len(starts) == 2
        others = [ln for ln in ax.get_lines() if ln is not star]
        assert star.get_zorder() > max(ln.get_zorder() for ln in others)  # nothing is drawn over the star
        assert all(ln.get_markerfacecolor() == "none" for ln in ends)  # hollow: what lies under an end shows
        assert all(ln.get_markersize() < star.get_markersize() / 2 for ln in ends)
        assert first.get_zorder() > second.get_zorder()  # the first path on top of the zigzag that crosses it
        assert min(ln.get_zorder() for ln in ends + starts) > first.get_zorder()
        styles = [ln.get_linestyle() for ln in (first, second)]
        assert styles == ["-", "--"]  # told apart by style, not only by colour
        axes_styles = {
            line(ax, f"eigenvector of {n}").get_linestyle() for n in (r"$\lambda_{\min}$", r"$\lambda_{\max}$")
        }
        assert axes_styles == {":"} and axes_styles.isdisjoint(styles)
    fig = render(plot_contours(X, y, paths=paths, linestyles=[":", "-"]))
    assert [line(fig.axes[0], name).get_linestyle() for name in paths] == [":", "-"]
    with pytest.raises(ValueError, match="linestyles must hold"):
        plot_contours(X, y, paths=paths, linestyles=[])


def test_plot_step_draws_the_loss_along_the_negative_gradient(xy):
    X, y = helpers.original_data()
    x, t = xy
    w, b = init_params(0)
    w0, b0 = float(w), float(b)
    lr = 0.001
    fig = render(plot_step(X, y, w, b, lr))
    (ax,) = fig.axes
    r = np.maximum(x * w0, 0) + b0 - t  # the gradient by hand (w0 > 0 here, so every x w > 0 passes it)
    gw, gb = float(2 * (r * x * (x * w0 > 0)).sum()), float(2 * r.sum())
    actual = line(ax, "actual loss").get_xydata()
    assert actual[0, 0] == 0 and actual[-1, 0] == pytest.approx(10 * lr) and len(actual) == 201
    for eta, value in actual[::40]:
        assert value == pytest.approx(loss_at(x, t, w0 - eta * gw, b0 - eta * gb), rel=1e-6)
    tangent = line(ax, "first-order prediction").get_xydata()
    assert np.allclose(tangent[:, 1], actual[0, 1] - (gw**2 + gb**2) * tangent[:, 0], rtol=1e-6)
    step = line(ax, "one step").get_xydata()
    assert step == pytest.approx(np.array([[lr, loss_at(x, t, w0 - lr * gw, b0 - lr * gb)]]), rel=1e-6)
    assert line(ax, "what the tangent predicted").get_xydata()[0, 0] == lr
    assert ax.get_xlim() == (0, pytest.approx(10 * lr))
    assert (ax.get_xlabel(), ax.get_ylabel()) == (r"learning rate $\eta$", "loss L (sum of squares)")


# --------------------------------------------------------------------------------------------------- surfaces.py


def test_plot_rate_vs_lr_draws_rho_for_each_spectrum_and_marks_its_limit():
    spectra = {"raw x": Spectrum(0.5, 4000.0), "x / 100": Spectrum(2.0, 200.0)}
    fig = render(plot_rate_vs_lr(spectra, lr_range=(1e-6, 1.0), mark_lr=0.001, title="R"))
    (ax,) = fig.axes
    for label, sp in spectra.items():
        curve = line(ax, label).get_xydata()
        assert np.allclose(curve[:, 0], np.geomspace(1e-6, 1.0, 600), rtol=EXACT)
        rho = np.maximum(np.abs(1 - curve[:, 0] * sp.lam_min), np.abs(1 - curve[:, 0] * sp.lam_max))
        assert np.max(np.abs(curve[:, 1] - rho)) <= EXACT
    limits = sorted(ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_linestyle() == "--")
    assert limits == pytest.approx(sorted(2 / sp.lam_max for sp in spectra.values()), rel=EXACT)
    notes = {a.get_text(): a.xy for a in ax.texts}
    for sp in spectra.values():
        assert notes[rf"$2/\lambda_{{\max}}$ = {2 / sp.lam_max:.4g}"][0] == pytest.approx(2 / sp.lam_max)
    assert line(ax, r"$\eta$ = 0.001").get_xdata()[0] == 0.001
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert ax.get_xlim() == pytest.approx((1e-6, 1.0)) and ax.get_ylim() == (0.0, 1.6)
    assert ax.get_title() == "R" and ax.get_ylabel() == r"$\rho = \max_k\, |1 - \eta \lambda_k|$"
    assert ax.get_xlabel() == r"learning rate $\eta$ (log scale)"
    assert legend_texts(ax.get_legend()) == [r"$\rho > 1$: the error grows", "raw x", "x / 100", r"$\eta$ = 0.001"]
    fig = render(plot_rate_vs_lr(spectra, mark_lr=0.009, mark_label="fastest rate"))
    assert line(fig.axes[0], "fastest rate").get_xdata()[0] == 0.009


def test_plot_relu_vs_linear_draws_both_models_for_each_case(xy):
    X, y = helpers.original_data()
    cases = [(0.175, 0.4), (-0.2, 0.5)]
    fig = render(plot_relu_vs_linear(X, y, cases, x_range=(-1.0, 2.0)))
    assert len(fig.axes) == 2
    for ax, (w, b) in zip(fig.axes, cases):
        (points,) = ax.collections
        assert np.array_equal(points.get_offsets(), np.column_stack(xy))
        lin = line(ax, "linear").get_xydata()
        assert lin[0, 0] == -1.0 and lin[-1, 0] == 2.0
        assert np.max(np.abs(lin[:, 1] - (w * lin[:, 0] + b))) <= EXACT
        relu = line(ax, "relu").get_xydata()
        assert np.max(np.abs(relu[:, 1] - (np.maximum(w * relu[:, 0], 0) + b))) <= EXACT
        (shade,) = ax.patches
        assert shade.get_x() == -1.0 and shade.get_width() == pytest.approx(1.0)  # x < 0, where the ReLU is flat
        assert ax.get_title() == f"w = {w:.4f}, b = {b:.4f}" and ax.get_xlim() == (-1.0, 2.0)
    assert fig.axes[0].get_ylabel() == r"$\hat y$"
    assert legend_texts(fig.axes[0].get_legend()) == ["x < 0: no data here", "data", "linear: x w + b", "relu(x w) + b"]


def test_plot_contours_by_activation_shares_levels_over_both_surfaces(xy):
    X, y = helpers.original_data()
    x, t = xy
    window = ((-0.5, 0.7), (0.0, 1.2))
    fig = render(plot_contours_by_activation(X, y, points={"start": (0.3, 0.1)}))
    relu_ax, lin_ax = fig.axes
    grids = [loss_grid(X, y, *window, "sum", a, steps=101)[2] for a in ("relu", "none")]
    levels = np.geomspace(max(min(float(L.min()) for L in grids), 1e-4), max(float(L.max()) for L in grids), 14)
    for ax, relu, L in zip(fig.axes, (True, False), grids):
        cs = contour_set(ax)
        assert np.allclose(cs.levels, levels, rtol=EXACT, atol=0)
        assert cs.zmax == pytest.approx(float(L.max()))
        check_contours_on_the_loss(cs, x, t, relu, window, 101)
        assert line(ax, r"minimum $\theta^\star$").get_xydata() == pytest.approx(np.array([np.polyfit(x, t, 1)]))
        assert np.array_equal(line(ax, "start").get_xydata(), [[0.3, 0.1]])
        assert (ax.get_xlim(), ax.get_ylim()) == window
    assert relu_ax.get_title() == r"Sum loss of $\hat y$ = relu(x w) + b"
    assert lin_ax.get_title() == r"Sum loss of $\hat y$ = x w + b"
    floor = line(relu_ax, "bottom of the flat valley").get_xydata()
    assert np.allclose(floor, [[-0.5, t.mean()], [0.0, t.mean()]], atol=EXACT)
    assert [ln.get_label() for ln in lin_ax.get_lines()].count("bottom of the flat valley (w < 0)") == 0
    # the innermost rings crowd around the star: only every other ring from the sixth out is labelled
    for ax in (relu_ax, lin_ax):
        cs = (
            ax.collections[0]
            if hasattr(ax.collections[0], "levels")
            else next(c for c in ax.collections if hasattr(c, "levels"))
        )
        assert list(cs.labelLevelList) == list(np.asarray(cs.levels)[LABELLED::2])
    assert relu_ax.get_ylabel() == "b"


# ---------------------------------------------------------------------------------------------------- animate.py


def check_fit_line(drawn: np.ndarray, x: np.ndarray, w: float, b: float) -> None:
    """the model's line, relu(x w) + b, on 50 points over the data's x range."""
    assert len(drawn) == 50 and drawn[0, 0] == pytest.approx(x.min()) and drawn[-1, 0] == pytest.approx(x.max())
    assert np.max(np.abs(drawn[:, 1] - (np.maximum(drawn[:, 0] * w, 0) + b))) <= EXACT


def test_plot_training_frames_draws_the_line_and_the_point_of_each_chosen_update(xy, run):
    X, y, h = run
    x, t = xy
    updates = (0, 10, 149)
    fig = render(plot_training_frames(X, y, h, updates, w_range=(-0.3, 0.7), b_range=(0.0, 1.0)))
    ax_fit, ax_path = fig.axes
    assert np.array_equal(ax_fit.collections[0].get_offsets(), np.column_stack(xy))
    fits = ax_fit.get_lines()
    assert [ln.get_label() for ln in fits] == [f"update {u}: loss {(*h.losses, h.final_loss)[u]:.2e}" for u in updates]
    for ln, u in zip(fits, updates):
        check_fit_line(ln.get_xydata(), x, h.w_path[u], h.b_path[u])
    assert np.array_equal(line(ax_path, "path").get_xydata(), np.column_stack([h.w_path, h.b_path]))
    marks = [ln.get_xydata()[0] for ln in ax_path.get_lines() if ln.get_marker() == "o"]
    assert np.array_equal(marks, [[h.w_path[u], h.b_path[u]] for u in updates])
    check_contours_on_the_loss(contour_set(ax_path), x, t, True, ((-0.3, 0.7), (0.0, 1.0)), 81)
    assert (ax_path.get_xlim(), ax_path.get_ylim()) == ((-0.3, 0.7), (0.0, 1.0))
    assert line(ax_path, "minimum").get_xydata() == pytest.approx(np.array([np.polyfit(x, t, 1)]))
    assert ax_fit.get_title() == r"The line after some of the 149 updates ($\eta$ = 0.001)"
    star = line(ax_path, "minimum")  # the last update's mark lies on the minimum: the star is drawn above it
    assert star.get_zorder() > max(ln.get_zorder() for ln in ax_path.get_lines() if ln is not star)


def test_every_animation_frame_draws_its_update(xy, run):
    X, y, h = run
    x, t = xy
    anim = animate_training(X, y, h, max_frames=6, dpi=30)
    frames = list(anim.new_frame_seq())
    assert frames == frame_updates(h.updates, 6) and frames[0] == 0 and frames[-1] == 149
    fig = anim._fig
    ax_fit, ax_path = fig.axes
    assert np.array_equal(ax_fit.collections[0].get_offsets(), np.column_stack(xy))
    check_contours_on_the_loss(contour_set(ax_path), x, t, True, (ax_path.get_xlim(), ax_path.get_ylim()), 81)
    (fit_line,) = ax_fit.get_lines()
    path, point = [ln for ln in ax_path.get_lines() if not ln.get_label().startswith("minimum")]
    anim._init_draw()  # what a writer does first (and it marks the animation as drawn, so it is deleted quietly)
    for u in frames:
        anim._draw_frame(u)  # what a writer does for each frame
        check_fit_line(fit_line.get_xydata(), x, h.w_path[u], h.b_path[u])
        assert np.array_equal(path.get_xydata(), np.column_stack([h.w_path[: u + 1], h.b_path[: u + 1]]))
        assert np.array_equal(point.get_xydata(), [[h.w_path[u], h.b_path[u]]])
        assert ax_fit.get_title() == f"Update {u:3d} of 149: w = {h.w_path[u]:.4f}, b = {h.b_path[u]:.4f}"
        loss = h.losses[u] if u < h.updates else h.final_loss
        assert ax_path.get_title() == rf"Loss {loss:.3e} ($\eta$ = 0.001)"
    # the window holds the whole path and the minimum
    (w_lo, w_hi), (b_lo, b_hi) = ax_path.get_xlim(), ax_path.get_ylim()
    assert w_lo < min(h.w_path) and max(h.w_path) < w_hi and b_lo < min(h.b_path) and max(h.b_path) < b_hi


# ------------------------------------------------------------------------------------------------------ panel.py


def check_step_arrow(ax, step, min_arrow: float) -> None:
    """the arrow starts at (w, b) and points along the step; it is the step itself, or, where the step is shorter
    than min_arrow of the axes, the step stretched to min_arrow, the factor in its label and the landing marked."""
    (arrow,) = [c for c in ax.collections if isinstance(c, Quiver)]
    assert np.array_equal(arrow.get_offsets(), [[step.w, step.b]])  # from (w, b) now
    assert arrow.scale == 1 and arrow.scale_units == "xy" and arrow.angles == "xy"  # drawn in data units
    dw, db = step.w_next - step.w, step.b_next - step.b
    u, v = float(arrow.U[0]), float(arrow.V[0])
    assert abs(u * db - v * dw) <= 1e-12 * (abs(u) + abs(v)) * (abs(dw) + abs(db))  # parallel to the step ...
    assert u * dw + v * db > 0  # ... and the same way: down the gradient
    to_axes = ax.transData + ax.transAxes.inverted()  # data -> axes coordinates (1 = the axes' width or height)
    start, tip, lands = to_axes.transform([[step.w, step.b], [step.w + u, step.b + v], [step.w_next, step.b_next]])
    drawn, true = np.linalg.norm(tip - start), np.linalg.norm(lands - start)
    label = arrow.get_label()
    marks = [ln for ln in ax.get_lines() if ln.get_label() == "where the step lands"]
    if true >= min_arrow:  # long enough: the step itself, to scale
        assert (u, v) == pytest.approx((dw, db), abs=EXACT) and label == rf"step at $\eta$ = {step.lr:.3g}"
        assert marks == []
    else:
        assert drawn == pytest.approx(min_arrow, rel=1e-9)
        assert label == rf"step at $\eta$ = {step.lr:.3g}, arrow drawn ×{drawn / true:.2g}"
        (mark,) = marks
        assert np.array_equal(mark.get_xydata(), [[step.w_next, step.b_next]])  # the true landing point
        assert mark.get_markerfacecolor() == "none"


@pytest.mark.parametrize(
    "start, lr, min_arrow",
    [
        ("seeded", 0.001, 0.25),  # 06's step figure: the step is 0.065 of the axes
        ("seeded", 0.009, 0.25),  # a long step, drawn to scale
        ((0.3, 0.1), 0.009, 0.1),
        ("seeded", 0.001, 0.0),  # min_arrow = 0: every step to scale
    ],
)
def test_plot_next_step_draws_a_short_step_long_enough_to_see_along_its_direction(start, lr, min_arrow):
    X, y = helpers.original_data()
    w, b = init_params(0) if start == "seeded" else start
    step = next_step(X, y, w, b, lr)
    fig = render(plot_next_step(X, y, step) if min_arrow == 0.25 else plot_next_step(X, y, step, min_arrow=min_arrow))
    check_step_arrow(fig.axes[1], step, min_arrow)
    with pytest.raises(ValueError, match="min_arrow must be a fraction"):
        plot_next_step(X, y, step, min_arrow=2.0)


def test_plot_next_step_draws_the_step_as_an_arrow_and_both_lines(xy):
    X, y = helpers.original_data()
    x, t = xy
    step = next_step(X, y, 0.3, 0.1, 0.009)
    fig = render(plot_next_step(X, y, step))
    ax_fit, ax_step = fig.axes
    assert np.array_equal(ax_fit.collections[0].get_offsets(), np.column_stack(xy))
    for label, (w, b) in (("now", (step.w, step.b)), ("after the step", (step.w_next, step.b_next))):
        drawn = line(ax_fit, label).get_xydata()
        assert drawn[0, 0] == 0.0 and drawn[-1, 0] == pytest.approx(x.max())
        assert np.max(np.abs(drawn[:, 1] - (np.maximum(drawn[:, 0] * w, 0) + b))) <= EXACT
    check_step_arrow(ax_step, step, 0.25)
    assert np.array_equal(line(ax_step, "(w, b) now").get_xydata(), [[step.w, step.b]])
    assert line(ax_step, "minimum").get_xydata() == pytest.approx(np.array([np.polyfit(x, t, 1)]))
    check_contours_on_the_loss(contour_set(ax_step), x, t, True, ((-0.5, 1.0), (-0.2, 1.2)), 101)
    assert ax_fit.get_title() == f"Loss now {step.loss:.4g}, after the step {step.loss_next:.4g}"
    assert step.loss == pytest.approx(loss_at(x, t, 0.3, 0.1), rel=EXACT)
    stretch = 0.25 / math.hypot((step.w_next - 0.3) / 1.5, (step.b_next - 0.1) / 1.4)
    assert legend_texts(ax_step.get_legend()) == [
        r"minimum $\theta^\star$",
        "(w, b) now",
        rf"step at $\eta$ = 0.009, arrow drawn ×{stretch:.2g}",
        "where the step lands",
        "w < 0: the ReLU is dead",
    ]
    assert (ax_step.get_xlim(), ax_step.get_ylim()) == ((-0.5, 1.0), (-0.2, 1.2))


# -------------------------------------------------------------------------- noise.py, sweep.py, torch_way.py, bench


def test_plot_spread_draws_the_histograms_of_the_fits_and_the_textbook_normal():
    gen = torch.Generator().manual_seed(0)
    w, b = (
        0.175 + 0.01 * torch.randn(200, generator=gen, dtype=torch.float64),
        0.4 + 0.02 * torch.randn(200, generator=gen, dtype=torch.float64),
    )
    fits = Fits(w=w, b=b, sse=torch.ones(200, dtype=torch.float64), n=40)
    se, truth = (0.01, 0.02), (0.175, 0.4)
    fig = render(plot_spread(fits, se=se, truth=truth))
    for ax, name, values, s, mu in zip(fig.axes, "wb", (w.numpy(), b.numpy()), se, truth):
        bars = [p for p in ax.patches if isinstance(p, Rectangle)]
        density, edges = np.histogram(values, bins=20, density=True)
        assert np.allclose([p.get_height() for p in bars], density, rtol=EXACT)
        assert np.allclose([p.get_x() for p in bars], edges[:-1], rtol=0, atol=EXACT)
        normal = line(ax, "textbook").get_xydata()
        assert normal[0, 0] == pytest.approx(mu - 4 * s) and normal[-1, 0] == pytest.approx(mu + 4 * s)
        pdf = np.exp(-0.5 * ((normal[:, 0] - mu) / s) ** 2) / (s * math.sqrt(2 * math.pi))
        assert np.allclose(normal[:, 1], pdf, rtol=1e-12)
        assert line(ax, f"true {name}").get_xdata()[0] == mu
        assert ax.get_ylim()[1] == pytest.approx(1.1 * max(density.max(), pdf.max()))
        assert (ax.get_xlabel(), ax.get_title()) == (f"fitted {name}", f"Spread of the fitted {name}")
        assert legend_texts(ax.get_legend()) == [
            f"fitted {name} over 200 seeds",
            f"textbook: normal, sd = SE = {s:.4f}",
            f"true {name} = {mu:g}",
        ]


SWEEP_ROWS = [
    {"learning_rate": 0.001, "activation": "none", "status": "not_converged", "distance": 4e-3},
    {"learning_rate": 0.009, "activation": "none", "status": "converged", "distance": 1e-9},
    {"learning_rate": 0.02, "activation": "none", "status": "diverged", "distance": None},
    {"learning_rate": 0.001, "activation": "relu", "status": "not_converged", "distance": 5e-3},
    {"learning_rate": 0.009, "activation": "relu", "status": "dead_relu", "distance": 0.41},
]


def test_plot_sweep_draws_each_series_against_its_learning_rate():
    sp = Spectrum(2.0, 200.0)
    fig = render(plot_sweep(SWEEP_ROWS, spec=sp, title="S", xscale="log"))
    (ax,) = fig.axes
    without, with_relu = line(ax, "without the ReLU"), line(ax, "with the ReLU")
    assert np.array_equal(without.get_xydata(), [[0.001, 4e-3], [0.009, 1e-9]])
    assert np.array_equal(with_relu.get_xydata(), [[0.001, 5e-3], [0.009, 0.41]])
    # where the two series agree (small rates) both show: the first (here without) wide and light below, the
    # second narrow on top
    assert with_relu.get_zorder() > without.get_zorder() and without.get_linewidth() > 2 * with_relu.get_linewidth()
    assert without.get_alpha() <= 0.5
    dead = [ln for ln in ax.get_lines() if ln.get_marker() == "X" and len(ln.get_xydata())]
    assert np.array_equal(np.vstack([ln.get_xydata() for ln in dead]), [[0.009, 0.41]])
    assert all(ln.get_markerfacecolor() == "white" for ln in dead)  # open crosses
    top = [ln for ln in ax.get_lines() if ln.get_marker() == "^" and len(ln.get_xydata())]
    assert len(top) == 1 and top[0].get_xdata()[0] == 0.02 and top[0].get_ydata()[0] > 0.9  # at the top edge
    assert line(ax, "stability limit").get_xdata()[0] == pytest.approx(2 / 200.0)
    assert line(ax, "fastest rate").get_xdata()[0] == pytest.approx(2 / 202.0)
    assert line(ax, "stability limit").get_label().endswith(r"$2/\lambda_{\max}$ = 0.01000")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.get_xlabel() == r"learning rate $\eta$ (log scale)" and ax.get_title() == "S"
    (ax,) = render(plot_sweep(SWEEP_ROWS, spec=sp, xscale="linear")).axes
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == r"learning rate $\eta$"
    assert render(plot_sweep(SWEEP_ROWS)).axes[0].get_xscale() == "log"  # no limit known: one log axis
    with pytest.raises(ValueError, match="xscale must be one of"):
        plot_sweep(SWEEP_ROWS, xscale="symlog")
    with pytest.raises(ValueError, match='xscale="both" needs near'):
        plot_sweep(SWEEP_ROWS, xscale="both")


def test_plot_sweep_spreads_the_rates_near_the_limit_on_a_linear_panel():
    """07's sweep: five rates within 7e-3..1.05e-2 crowd into the last sliver of a log axis; the right panel, linear
    from 0.6 to 1.1 times the limit, sets every one of them (and its dead-ReLU cross) apart."""
    sp = Spectrum(22.79, 200.35)
    lrs = [1e-4, 1e-3, 5e-3, 7e-3, 8e-3, 9e-3, 9.5e-3, 1.05e-2]
    rows = [
        {"learning_rate": lr, "activation": "relu", "status": "dead_relu" if lr > 6e-3 else "not_converged",
         "distance": 0.3 + 10 * lr if lr > 6e-3 else 1e-3}
        for lr in lrs
    ]  # fmt: skip
    fig = render(plot_sweep(rows, spec=sp, title="S"))  # the default, with a limit known: both panels
    left, right = fig.axes
    assert (left.get_xscale(), right.get_xscale(), right.get_yscale()) == ("log", "linear", "log")
    near = (0.6 * sp.stability_limit, 1.1 * sp.stability_limit)
    assert right.get_xlim()[0] <= near[0] and right.get_xlim()[1] >= near[1]
    assert right.get_xlim()[1] - right.get_xlim()[0] <= 1.1 * (near[1] - near[0])
    assert fig.get_suptitle() == "S" and right.get_xlabel() == r"learning rate $\eta$"
    assert left.get_xlabel() == r"learning rate $\eta$ (log scale)"
    for ax in fig.axes:  # both panels mark the limit and the fastest rate
        assert line(ax, "stability limit").get_xdata()[0] == pytest.approx(sp.stability_limit)
        assert line(ax, "fastest rate").get_xdata()[0] == pytest.approx(sp.fastest_lr)
    (dead,) = [ln for ln in right.get_lines() if ln.get_marker() == "X" and len(ln.get_xydata())]
    xy = dead.get_xydata()
    assert np.array_equal(xy[:, 0], lrs[3:])
    pixels = right.transData.transform(xy)
    size = dead.get_markersize() * fig.dpi / 72  # the marker's width in pixels
    gaps = np.linalg.norm(np.diff(pixels, axis=0), axis=1)
    assert gaps.min() > 1.5 * size, "the dead-ReLU crosses overlap"
    logs = left.transData.transform([[lr, 1.0] for lr in lrs[3:]])[:, 0]
    assert np.diff(logs).min() < np.diff(pixels[:, 0]).min() / 3  # where the log axis crowds them
    fig = render(plot_sweep(rows, spec=sp, xscale="both", near=(0.004, 0.012)))
    assert fig.axes[1].get_xlim()[0] < 0.004 and fig.axes[1].get_xlim()[1] > 0.012
    with pytest.raises(ValueError, match="near must be"):
        plot_sweep(rows, spec=sp, near=(0.01, 0.001))


@pytest.mark.parametrize("xscale", ["linear", "log", "both"])
def test_plot_sweep_draws_a_diverged_run_at_the_top_clear_of_every_run(xscale):
    """07's sweep at 0.0105: the linear run diverges while the ReLU run dies at a distance near 1. The diverged run's
    triangle, read back in axes and data coordinates, sits at the top of the axes, a decade or more above the highest
    run, and apart from the dead-ReLU cross at the same rate (in pixels, more than the two markers' half sizes)."""
    sp = Spectrum(22.79, 200.35)
    rows = [
        {"learning_rate": 0.009, "activation": "relu", "status": "dead_relu", "distance": 0.4},
        {"learning_rate": 0.0105, "activation": "relu", "status": "dead_relu", "distance": 0.55},
        {"learning_rate": 0.009, "activation": "none", "status": "converged", "distance": 3e-15},
        {"learning_rate": 0.0105, "activation": "none", "status": "diverged", "distance": 520.0},
    ]
    fig = render(plot_sweep(rows, spec=sp, xscale=xscale))
    for ax in fig.axes:
        (diverged,) = [ln for ln in ax.get_lines() if ln.get_marker() == "^" and len(ln.get_xydata())]
        (dead,) = [ln for ln in ax.get_lines() if ln.get_marker() == "X" and len(ln.get_xydata())]
        at = diverged.get_transform().transform(diverged.get_xydata())  # (1, 2): pixels
        x_data, y_data = ax.transData.inverted().transform(at)[0]
        assert x_data == pytest.approx(0.0105)
        assert 0.9 <= ax.transAxes.inverted().transform(at)[0, 1] <= 1.0  # at the top of the axes
        assert y_data >= 10 * 0.55 * (1 - 1e-9)  # a decade above the highest run, not among the runs
        cross = ax.transData.transform([[0.0105, 0.55]])[0]
        clearance = (diverged.get_markersize() + dead.get_markersize()) / 2 * fig.dpi / 72
        assert at[0, 1] - cross[1] > clearance, "the diverged triangle covers the dead-ReLU cross"


def test_plot_batch_sizes_draws_each_runs_losses_per_epoch_and_per_update():
    """two SGDRuns as fit_sgd returns them (the numbers made up): 2 updates per epoch for 3 epochs, and 1 update."""
    model = torch.nn.Linear(1, 1)
    full = (9.0, 5.0, 3.0, 2.0, 1.5, 1.2, 1.0)
    run = SGDRun(
        losses=full[:-1], full_losses=full, w_path=(0.0,) * 7, b_path=(0.0,) * 7, updates_per_epoch=2, model=model
    )
    one = SGDRun(
        losses=(1.0,), full_losses=(8.0, 4.0), w_path=(0.0, 0.1), b_path=(0.0, 0.1), updates_per_epoch=1, model=model
    )
    fig = render(plot_batch_sizes({"batch 20": run, "one": one}))
    left, right = fig.axes
    assert np.array_equal(line(left, "batch 20").get_xydata(), [[0, 9.0], [1, 3.0], [2, 1.5], [3, 1.0]])
    assert np.array_equal(line(right, "batch 20").get_xydata(), np.column_stack([np.arange(1, 7), full[1:]]))
    assert np.array_equal(line(left, "one").get_xydata(), [[0, 8.0], [1, 4.0]])
    assert np.array_equal(line(right, "one").get_xydata(), [[1, 4.0]])  # update 0 (the start) has no place on log x
    assert (left.get_xscale(), left.get_yscale(), right.get_xscale(), right.get_yscale()) == (
        "linear",
        "log",
        "log",
        "log",
    )
    assert (left.get_title(), right.get_title()) == ("Per epoch", "Per update")
    assert left.get_ylabel() == "loss on all the data"
    assert legend_texts(right.get_legend()) == ["batch 20", "one"]


def test_plot_batch_sizes_draws_the_full_batch_on_top_of_the_minibatches():
    """08's right panel: the full batch's 12 updates lay under the minibatches' hundreds of points, hidden."""
    model = torch.nn.Linear(1, 1)

    def run(full: tuple[float, ...], per_epoch: int) -> SGDRun:
        T = len(full) - 1
        return SGDRun(losses=full[:-1], full_losses=full, w_path=(0.0,) * (T + 1), b_path=(0.0,) * (T + 1),
                      updates_per_epoch=per_epoch, model=model)  # fmt: skip

    decay = tuple(0.5 * 0.9**t for t in range(481))
    runs = {"full batch": run(decay[:13], 1), "minibatch": run(decay[:61], 5), "one sample": run(decay, 40)}
    fig = render(plot_batch_sizes(runs))
    for ax in fig.axes:
        full, mini, one = (line(ax, name) for name in runs)
        assert full.get_zorder() > mini.get_zorder() > one.get_zorder()  # the fewest updates on top
        assert len({ln.get_linestyle() for ln in (full, mini, one)}) == 3  # each its own style
        assert full.get_linewidth() > mini.get_linewidth()
    full = line(fig.axes[1], "full batch")
    assert full.get_marker() == "o" and np.array_equal(full.get_xydata(), np.column_stack([range(1, 13), decay[1:13]]))
    assert line(fig.axes[1], "one sample").get_marker() in ("", "None", None)  # 480 points: a line, no markers
    fig = render(plot_batch_sizes(runs, linestyles=[":"]))
    assert {ln.get_linestyle() for ln in fig.axes[1].get_lines()} == {":"}


def test_plot_scaling_draws_seconds_and_multiples_of_the_floor_against_n():
    rows = {
        str(n): {"floor_seconds": 1e-9 * n, **{k: 2.0 + i + n / 1e7 for i, k in enumerate(CURVES)}}
        for n in (10**7, 10**3, 10**5)
    }  # not in order: the figure sorts N
    fig = render(plot_scaling(rows))
    left, right = fig.axes
    ns = [10**3, 10**5, 10**7]
    floor = [1e-9 * n for n in ns]
    assert np.array_equal(line(left, "floor").get_xydata(), np.column_stack([ns, floor]))
    for key, (label, _) in CURVES.items():
        cost = [rows[str(n)][key] for n in ns]
        assert np.array_equal(line(right, label).get_xydata(), np.column_stack([ns, cost]))
        assert np.allclose(
            line(left, label).get_xydata(), np.column_stack([ns, np.multiply(cost, floor)]), rtol=EXACT, atol=0
        )
    assert line(right, "the floor").get_ydata()[0] == 1.0
    assert all(ax.get_xscale() == ax.get_yscale() == "log" for ax in fig.axes)
    assert (left.get_ylabel(), right.get_ylabel()) == ("seconds", "time / floor")
    assert legend_texts(left.get_legend()) == ["floor: one read of X and y", *(lbl for lbl, _ in CURVES.values())]


def test_every_exported_figure_function_is_tested_here():
    """a new plot_* in helpers' __all__ needs a test in this file."""
    source = Path(__file__).read_text(encoding="utf-8")
    figures = [name for name in helpers.__all__ if name.startswith("plot_") or name in ("new_figure", "loss_grid")]
    assert (
        figures
        and [
            name
            for name in figures
            if f"render({name}(" not in source and f"= {name}(" not in source and f"{name}(X" not in source
        ]
        == []
    )


# ------------------------------------------------------------------------------------- every figure: its words


def figure_words(fig: Figure) -> tuple[list[str], list[str]]:
    """(titles, other texts) of fig: suptitle and axes titles; axis labels, legend entries and notes."""
    titles = [fig.get_suptitle()] + [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")]
    texts = [label for ax in fig.axes for label in (ax.get_xlabel(), ax.get_ylabel())]
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    texts += [t for legend in legends if legend is not None for t in legend_texts(legend)]
    texts += [t.get_text() for ax in fig.axes for t in ax.texts]
    return [t for t in titles if t], [t for t in texts if t]


def every_figure_with_its_defaults() -> dict[str, Figure]:
    """each figure function as the notebooks call it, with its own default titles and labels."""
    X, y = helpers.original_data()
    w0, b0 = init_params(0)
    h = train(X, y, w0, b0, lr=0.001, num_updates=149)
    sp = helpers.spectrum(X)
    model = torch.nn.Linear(1, 1)
    sgd = SGDRun(losses=(2.0,), full_losses=(3.0, 2.0), w_path=(0.0, 0.1), b_path=(0.0, 0.1), updates_per_epoch=1,
                 model=model)  # fmt: skip
    fits = Fits(w=0.175 + 0.01 * torch.linspace(-1, 1, 50, dtype=torch.float64),
                b=0.4 + 0.01 * torch.linspace(-1, 1, 50, dtype=torch.float64), sse=torch.ones(50), n=40)  # fmt: skip
    rows = {str(n): {"floor_seconds": 1e-9 * n, **{k: 2.0 for k in CURVES}} for n in (10**3, 10**5)}
    anim = animate_training(X, y, h, max_frames=3, dpi=30)
    anim._init_draw()  # as a writer would (and it is then deleted quietly)
    return {
        "plot_data": plot_data(X, y),
        "plot_fit": plot_fit(X, y, h.w, h.b),
        "plot_fit, diverged": plot_fit(X, y, torch.tensor([[1e300]]), torch.tensor([[0.0]])),
        "plot_losses": plot_losses({"run": h.losses}, scale="both", reference={"bound": ([1, 149], [1.0, 0.1])}),
        "plot_contours": plot_contours(X, y, paths={"run": (h.w_path, h.b_path)}, eigenvectors=True),
        "plot_step": plot_step(X, y, w0, b0, 0.009),
        "plot_rate_vs_lr": plot_rate_vs_lr({"x / 100": sp}, mark_lr=0.001),
        "plot_relu_vs_linear": plot_relu_vs_linear(X, y, [(0.175, 0.4)]),
        "plot_contours_by_activation": plot_contours_by_activation(X, y, points={"start": (0.3, 0.1)}),
        "plot_training_frames": plot_training_frames(X, y, h, (0, 10, 149)),
        "animate_training": anim._fig,
        "plot_next_step": plot_next_step(X, y, next_step(X, y, w0, b0, 0.009)),
        "plot_next_step, short": plot_next_step(X, y, next_step(X, y, w0, b0, 0.001)),
        "plot_sweep": plot_sweep(SWEEP_ROWS, spec=Spectrum(2.0, 200.0)),
        "plot_sweep, one axis": plot_sweep(SWEEP_ROWS),
        "plot_batch_sizes": plot_batch_sizes({"full batch": sgd}),
        "plot_spread": plot_spread(fits, se=(0.01, 0.01), truth=(0.175, 0.4)),
        "plot_scaling": plot_scaling(rows),
        "plot_scales": helpers.plot_scales(X, y),
        "plot_overfitting": plot_overfitting(**overfitting_inputs()),
        "plot_bias_variance": plot_bias_variance(**bias_variance_inputs()),
    }


TITLE_CASE = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+\b")  # "Original Data", "Fitted Line"
MATH = re.compile(r"\$[^$]*\$")
# outside $...$: no Greek letter (mathtext writes them as notebooks/README.md's Notation does), no variable name
NOT_NOTATION = re.compile(r"[ηρλσκθ]|\b(sigma|eta|rho|lam\w*|lambda|kappa|theta|lr|y_hat|learning_rate)\b|\^")


def test_every_figure_speaks_sentence_case_and_the_notation():
    """notebooks/README.md: labels use the Notation's symbols (σ², η, ρ, λ) in sentence case: "learning rate η"."""
    for name, fig in every_figure_with_its_defaults().items():
        render(fig)
        titles, texts = figure_words(fig)
        assert titles and texts, name
        for text in titles + texts:
            plain = MATH.sub("", text)
            assert not TITLE_CASE.search(plain), f"{name}: Title Case in {text!r}"
            assert not NOT_NOTATION.search(plain), f"{name}: a symbol outside mathtext or a code name in {text!r}"
            assert text.count("$") % 2 == 0, f"{name}: unbalanced mathtext in {text!r}"
        for title in titles:  # a title starts with a capital, unless it starts with a symbol (w = ..., b = ...)
            word = re.match(r"[A-Za-z]+", title)
            assert word is None or len(word.group()) == 1 or word.group()[0].isupper(), f"{name}: {title!r}"


def test_plot_scales_draws_the_true_line_and_both_steps_in_raw_and_divided_units(data):
    """each panel: the 40 points at x (raw: x * 100), the true line, w + 0.1 and b + 0.1, exactly (float64)."""
    X, y = data
    fig = helpers.plot_scales(X, y)
    assert [ax.get_xlabel() for ax in fig.axes] == ["x (raw value)", "x (raw value / 100)"]
    for ax, factor in zip(fig.axes, (100.0, 1.0)):
        offsets = ax.collections[0].get_offsets()
        assert np.allclose(offsets[:, 0], X[:, 0].numpy() * factor, rtol=0, atol=1e-12)
        assert np.allclose(offsets[:, 1], y[:, 0].numpy(), rtol=0, atol=1e-15)
        lines = {ln.get_label(): ln.get_data() for ln in ax.get_lines()}
        assert sorted(lines) == ["b + 0.1", "true line", "w + 0.1"]
        slope = 0.175 / factor
        for label, (ds, db) in {"true line": (0, 0), "w + 0.1": (0.1, 0), "b + 0.1": (0, 0.1)}.items():
            xs, ys = lines[label]
            assert xs[0] == 0 and xs[-1] == pytest.approx(3.001 * factor, abs=1e-9)
            assert np.allclose(ys, (slope + ds) * xs + 0.4 + db, rtol=0, atol=1e-12), label
        assert ax.get_ylim() == (0, 1.6)
    # the step in w leaves the raw panel's view (the line ends 30 above it), and stays in view after the division
    raw_w, divided_w = (dict((ln.get_label(), ln.get_data()[1]) for ln in ax.get_lines())["w + 0.1"] for ax in fig.axes)
    assert raw_w[-1] > 10 * 1.6 and divided_w[-1] < 1.6


def test_plot_scales_refuses_a_bad_step(data):
    with pytest.raises(ValueError, match=r"step must be a finite number > 0, got -0.1"):
        helpers.plot_scales(*data, step=-0.1)


# ------------------------------------------------------------------------------------------ generalization.py (10)


def scatter(ax, label: str) -> np.ndarray:
    """the offsets of the one scatter of ax labelled label."""
    found = [c for c in ax.collections if c.get_label() == label]
    assert len(found) == 1, f"{len(found)} scatters labelled {label!r} in {[c.get_label() for c in ax.collections]}"
    return np.asarray(found[0].get_offsets())


def overfitting_inputs() -> dict:
    """8 points of one draw, two fits on a grid, and losses for k = 2..8 that differ from k to k."""
    X = torch.linspace(0.01, 3.001, 8, dtype=torch.float64).reshape(-1, 1)
    y = 0.175 * X + 0.4 + 0.05 * torch.tensor([1.0, -0.5, 0.3, 0.9, -1.2, 0.1, 0.4, -0.7], dtype=torch.float64)[:, None]
    grid = torch.linspace(0.01, 3.001, 50, dtype=torch.float64).reshape(-1, 1)
    fits = {2: 0.17 * grid + 0.41, 8: 0.175 * grid + 0.4 + 0.2 * torch.sin(5 * grid)}
    X_new = torch.linspace(0.02, 2.99, 30, dtype=torch.float64).reshape(-1, 1)
    y_new = 0.175 * X_new + 0.4 + 0.3 * torch.cos(7 * X_new)  # reaching beyond the 8 points: they set the view
    return dict(
        X=X, y=y, grid=grid, truth=0.175 * grid + 0.4, fits=fits,
        train_loss={k: 0.0025 * (8 - k) / 8 * (1 + 0.01 * k) for k in range(2, 9)},
        val_loss={k: 0.0025 * (1.2 + 0.1 * k**1.5) for k in range(2, 9)},
        sigma=0.05, draws=200, new=(X_new, y_new),
    )  # fmt: skip


def test_plot_overfitting_draws_the_draw_its_fits_and_the_losses_per_k_in_units_of_sigma_squared():
    a = overfitting_inputs()
    fig = render(plot_overfitting(**a))
    left, right = fig.axes
    s2, ks = 0.05**2, list(range(2, 9))
    points = torch.cat([a["X"], a["y"]], 1).numpy()
    assert np.allclose(scatter(left, "8 training points (one draw)"), points, atol=EXACT)
    assert np.allclose(scatter(left, "validation points (30 new x)"), torch.cat(a["new"], 1).numpy(), atol=EXACT)
    gx = a["grid"].numpy().ravel()
    for k in (2, 8):
        xy = line(left, f"fit with k = {k} coefficients").get_xydata()
        assert np.allclose(xy[:, 0], gx, atol=EXACT) and np.allclose(xy[:, 1], a["fits"][k].numpy().ravel(), atol=EXACT)
    truth = line(left, "true line").get_xydata()
    assert np.allclose(truth[:, 1], 0.175 * gx + 0.4, atol=EXACT) and line(left, "true line").get_linestyle() == "--"
    lo, hi = left.get_ylim()  # every point and the truth in view
    shown = np.concatenate([a["y"].numpy().ravel(), a["new"][1].numpy().ravel(), truth[:, 1]])
    assert lo < shown.min() and shown.max() < hi
    for label, values in (("training", a["train_loss"]), ("validation", a["val_loss"])):
        xy = line(right, label).get_xydata()
        assert list(xy[:, 0]) == ks and np.allclose(xy[:, 1], [values[k] / s2 for k in ks], rtol=EXACT), label
    expected = line(right, "expected training").get_xydata()
    assert list(expected[:, 0]) == ks and np.allclose(expected[:, 1], [(8 - k) / 8 for k in ks], rtol=0, atol=EXACT)
    assert list(line(right, "$\\sigma^2$, the noise").get_ydata()) == [1.0, 1.0]
    assert (left.get_title(), right.get_title()) == ("One noise draw and its fits", "Averaged over 200 noise draws")
    assert (right.get_xlabel(), right.get_ylabel()) == ("number of coefficients k", r"mean squared error / $\sigma^2$")
    assert right.get_xscale() == right.get_yscale() == "linear"


def test_plot_overfitting_without_new_points_draws_only_the_training_points():
    a = overfitting_inputs()
    del a["new"]
    (left, _) = render(plot_overfitting(**a)).axes
    assert [c.get_label() for c in left.collections] == ["8 training points (one draw)"]


@pytest.mark.parametrize("change, text", [
    (dict(val_loss={k: 1.0 for k in range(2, 8)}), r"train_loss and val_loss must hold one loss for each k"),
    (dict(train_loss={k: 1.0 for k in range(2, 10)}, val_loss={k: 1.0 for k in range(2, 10)}),
     r"k must run from 1 to the number of points, 8"),
    (dict(sigma=0.0), r"sigma must be a finite number > 0, got 0.0"),
    (dict(fits={2: torch.zeros(49, 1, dtype=torch.float64)}), r"fits\[2\] must have 50 rows"),
    (dict(fits={}), r"fits must hold at least one curve"),
])  # fmt: skip
def test_plot_overfitting_rejects_what_it_cannot_draw(change, text):
    with pytest.raises(ValueError, match=text):
        plot_overfitting(**{**overfitting_inputs(), **change})


def bias_variance_inputs() -> dict:
    X = torch.linspace(0.01, 3.001, 100, dtype=torch.float64).reshape(-1, 1)
    y = 0.175 * X + 0.4 + 0.05 * X**2 + 0.05 * torch.sin(13 * X)
    grid = torch.linspace(0.01, 3.001, 40, dtype=torch.float64).reshape(-1, 1)
    fits = {"line": 0.32 * grid + 0.33, "quadratic": 0.175 * grid + 0.4 + 0.049 * grid**2}
    return dict(
        X=X, y=y, grid=grid, truth=0.175 * grid + 0.4 + 0.05 * grid**2, fits=fits, sizes=(10, 100, 1000),
        bias2={"line": [1.2e-3, 1.1e-3, 1.1e-3]},
        variance={"line": [4e-4, 5e-5, 6e-6], "quadratic": [6e-4, 7e-5, 8e-6]},
        sigma=0.05, draws=200, best=1.1e-3,
    )  # fmt: skip


def test_plot_bias_variance_draws_the_fits_and_each_part_against_n_in_units_of_sigma_squared():
    a = bias_variance_inputs()
    fig = render(plot_bias_variance(**a))
    left, right = fig.axes
    s2 = 0.05**2
    assert np.allclose(scatter(left, "100 noisy points (one draw)"), torch.cat([a["X"], a["y"]], 1).numpy(), atol=EXACT)
    gx = a["grid"].numpy().ravel()
    for model in ("line", "quadratic"):
        xy = line(left, f"fitted {model}").get_xydata()
        assert np.allclose(xy[:, 0], gx, atol=EXACT) and np.allclose(xy[:, 1], a["fits"][model].numpy().ravel())
    assert np.allclose(line(left, "true curve").get_ydata(), 0.175 * gx + 0.4 + 0.05 * gx**2, atol=EXACT)
    for part in ("variance", "bias²"):
        for model, values in a["variance" if part == "variance" else "bias2"].items():
            drawn = line(right, f"{model}: {part}")
            assert list(drawn.get_xdata()) == [10, 100, 1000]
            assert np.allclose(drawn.get_ydata(), np.array(values) / s2, rtol=EXACT), (model, part)
            assert drawn.get_color() == line(left, f"fitted {model}").get_color()  # one colour per model
    assert [ln.get_label() for ln in right.get_lines() if ln.get_label().startswith("quadratic")] == [
        "quadratic: variance"
    ]  # only the bias² it is given
    assert line(right, "bias² of the best line").get_ydata()[0] == pytest.approx(1.1e-3 / s2, rel=EXACT)
    assert right.get_xscale() == right.get_yscale() == "log"
    assert right.get_title() == "Bias² and variance, over 200 noise draws" and left.get_title() == "A curved truth"
    assert right.get_xlabel() == "training points n"


def test_plot_bias_variance_keeps_every_curve_and_the_band_clear_of_the_edges():
    """the line's bias² is the largest value: it ran along the top edge, half under the band, before the y range
    reached beyond it; the band lies under the bias² line, which runs along its middle."""
    a = bias_variance_inputs()
    (_, right) = render(plot_bias_variance(**a)).axes
    lo, hi = right.get_ylim()
    band = line(right, "bias² of the best line")
    drawn = np.concatenate([ln.get_ydata() for ln in right.get_lines()])
    assert np.allclose(band.get_ydata(), 1.1e-3 / 0.05**2, rtol=EXACT)
    assert lo <= drawn.min() / 2 and hi >= 2 * drawn.max()  # a factor 2 (0.3 decades) of room below and above
    assert band.get_zorder() < line(right, "line: bias²").get_zorder()
    (_, right) = render(plot_bias_variance(**{**a, "best": None})).axes  # without the band: the parts alone
    drawn = np.concatenate([ln.get_ydata() for ln in right.get_lines()])
    assert right.get_ylim()[0] <= drawn.min() / 2 and right.get_ylim()[1] >= 2 * drawn.max()


@pytest.mark.parametrize("change, text", [
    (dict(bias2={"cubic": [1.0, 1.0, 1.0]}), r"bias2 names 'cubic', which fits does not"),
    (dict(variance={"line": [1.0, 1.0]}), r"variance\['line'\] must hold one value for each of the 3 sizes"),
    (dict(variance={"line": [1.0, 0.0, 1.0]}), r"every value of variance\['line'\] must be a finite number > 0"),
    (dict(best=-1.0), r"best must be a finite number > 0"),
    (dict(truth=torch.zeros(39, 1, dtype=torch.float64)), r"truth must have 40 rows"),
])  # fmt: skip
def test_plot_bias_variance_rejects_what_it_cannot_draw(change, text):
    with pytest.raises(ValueError, match=text):
        plot_bias_variance(**{**bias_variance_inputs(), **change})
