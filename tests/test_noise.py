"""helpers.further.noise: batched fits over noise seeds, the train/validation split, losses along a path;
helpers.figures.spread: the spread plot."""

from __future__ import annotations

import math

import pytest
import torch

from helpers import (
    closed_form,
    fits_over_seeds,
    init_params,
    loss_value,
    noisy_data,
    path_losses,
    plot_spread,
    spectrum,
    train,
    train_val_split,
    true_line,
    uniform_x,
)


def test_fits_over_seeds_equal_one_closed_form_per_seed(data):
    X, _ = data
    fits = fits_over_seeds(X, 0.05, [0, 3, 7])
    for k, seed in enumerate([0, 3, 7]):
        Xs, ys = noisy_data(0.05, seed)
        w, b = closed_form(Xs, ys)
        sse = (ys - (Xs * w + b)).pow(2).sum().item()
        assert abs(fits.w[k].item() - w.item()) < 1e-12 and abs(fits.b[k].item() - b.item()) < 1e-12
        assert abs(fits.sse[k].item() - sse) < 1e-12
    assert fits.n == 40 and fits.w.shape == (3,)


def test_without_noise_every_fit_is_the_truth(data):
    X, _ = data
    fits = fits_over_seeds(X, 0.0, range(4))
    assert torch.allclose(fits.w, torch.full((4,), 0.175, dtype=torch.float64), atol=1e-12)
    assert float(fits.sse.max()) < 1e-24


@pytest.mark.parametrize("X, seeds", [(torch.ones(5, 1, dtype=torch.float64), [0]), (None, [])])
def test_fits_over_seeds_rejects_what_cannot_be_fitted(data, X, seeds):
    with pytest.raises(ValueError):
        fits_over_seeds(data[0] if X is None else X, 0.05, seeds)


def test_train_val_split_keeps_the_order_and_every_point():
    X = uniform_x(10, 0)
    y = 2 * X
    X_tr, y_tr, X_val, y_val = train_val_split(X, y, 3)
    assert X_tr.shape == (7, 1) and X_val.shape == (3, 1)
    assert torch.equal(torch.cat([X_tr, X_val]), X) and torch.equal(torch.cat([y_tr, y_val]), y)
    for bad in (0, 9, 10):
        with pytest.raises(ValueError):
            train_val_split(X, y, bad)


def test_path_losses_are_the_loss_at_every_point_of_the_path(data):
    X, y = data
    w0, b0 = init_params(0, dtype=torch.float64)
    h = train(X, y, w0, b0, lr=0.2, num_updates=5, loss="mean", activation="none")
    losses = path_losses(X, y, h.w_path, h.b_path, loss="mean")
    assert len(losses) == 6
    assert all(abs(a - b) <= 1e-12 for a, b in zip(losses[:-1], h.losses))  # History.losses: before each update
    w_T, b_T = h.w_path[-1], h.b_path[-1]
    expected = loss_value(X * w_T + b_T, y, "mean").item()
    assert abs(losses[-1] - expected) <= 1e-12
    assert abs(path_losses(X, y, [w_T], [b_T], loss="sum")[0] - 40 * expected) <= 1e-12
    with pytest.raises(ValueError):
        path_losses(X, y, [0.1, 0.2], [0.3])


def test_plot_spread_draws_two_histograms(data):
    fits = fits_over_seeds(data[0], 0.05, range(30))
    fig = plot_spread(fits, se=(0.0094, 0.0125), truth=(0.175, 0.4))
    assert len(fig.axes) == 2
    assert [ax.get_xlabel() for ax in fig.axes] == ["fitted w", "fitted b"]


def test_plot_spread_keeps_its_legends_off_the_truth_lines(data):
    fits = fits_over_seeds(data[0], 0.05, range(30))
    fig = plot_spread(fits, se=(0.0094, 0.0125), truth=(0.175, 0.4))
    fig.canvas.draw()  # lay the figure out, so that the extents are final
    for ax in fig.axes:
        # the dashed truth line spans the whole height of the axes, so a legend inside them would cross it
        assert ax.get_legend().get_window_extent().y1 <= ax.get_window_extent().y0


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
def test_path_losses_run_on_the_data_device(data, device):
    X, y = (t.to(device) for t in data)
    losses = path_losses(X, y, [0.175, 0.0], [0.4, 0.0], loss="sum")
    # the noise-free data lie on the line, so 0 there; at (0, 0) the loss is sum(y^2), computed on the CPU
    assert losses[0] <= 1e-24 and abs(losses[1] - data[1].pow(2).sum().item()) <= 1e-12


@pytest.mark.parametrize("se, truth, text", [
    ((0.0, 0.01), (0.175, 0.4), r"se must hold two finite standard errors > 0, for w and b, got \(0\.0, 0\.01\)"),
    ((0.01,), (0.175, 0.4), r"se must hold two .* got \(0\.01,\)"),
    ((float("nan"), 0.01), (0.175, 0.4), r"se must hold two"),
    ((0.01, 0.01), (0.175,), r"truth must hold the true w and b, got \(0\.175,\)"),
])  # fmt: skip
def test_plot_spread_rejects_what_it_cannot_draw(data, se, truth, text):
    fits = fits_over_seeds(data[0], 0.05, range(3))
    with pytest.raises(ValueError, match=text):
        plot_spread(fits, se=se, truth=truth)


@pytest.mark.parametrize("seed, x_seed, num_points, n_val", [
    (0, 1000, 200, 40),  # the notebook's defaults
    (5, 7, 200, 40),  # 150 updates left this draw at 1.4e-6: not converged
    (1, 2, 4, 1),  # three training points
    (2, 3, 10, 5),
])  # fmt: skip
def test_the_updates_10_derives_from_the_draw_bring_both_runs_within_1e_8(seed, x_seed, num_points, n_val):
    """10 trains at the fastest rate for the fewest T with rho^T |e_0| <= 1e-8, which |e_T| <= rho^T |e_0| keeps."""
    X_all = uniform_x(num_points, x_seed)
    X_train, y_train, _, _ = train_val_split(X_all, noisy_data(0.05, seed, X_all)[1], n_val)
    spec = spectrum(X_train, loss="mean")
    lr, rho = spec.fastest_lr, spec.contraction(spec.fastest_lr)
    w0, b0 = init_params(seed, dtype=torch.float64)
    ls = closed_form(X_train, y_train)
    for y, target in ((y_train, (ls.w.item(), ls.b.item())), (true_line(X_train), (0.175, 0.4))):
        e_0 = math.dist((w0.item(), b0.item()), target)
        T = max(1, math.ceil(math.log(1e-8 / e_0) / math.log(rho)))
        run = train(X_train, y, w0, b0, lr=lr, num_updates=T, loss="mean", activation="none")
        assert run.status == "converged" and math.dist((run.w.item(), run.b.item()), target) < 1e-8 + 1e-12
        assert T == 1 or rho ** (T - 1) * e_0 > 1e-8  # the fewest: one update less would not be enough by the bound
