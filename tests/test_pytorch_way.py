"""The idiomatic loop (nn.Linear, nn.MSELoss, optim.SGD, DataLoader) against the hand-written one: same path.

Tolerance 1e-12 in float64, at every update: the loops differ only in the order of floating-point operations
within a step (about 1e-17 for numbers near 0.5), and at these stable learning rates such slips shrink.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from helpers import fit_sgd, init_params, linear_from, plot_batch_sizes, train
from helpers.further.minibatch import minibatch_sgd

TOL = 1e-12
RUNS = [(0, 0.001), (1, 0.005), (2, 0.009)]  # (seed, lr): the original's lr, a middle one, the fastest region


def _idiomatic(X, y, w0, b0, lr, steps, batch_size=None, reduction="sum"):
    """the loop as a PyTorch user writes it, recording the loss and (w, b) around every update."""
    model = nn.Linear(1, 1, dtype=torch.float64)
    with torch.no_grad():
        model.weight.copy_(w0)
        model.bias.copy_(b0.reshape(1))
    loss_fn = nn.MSELoss(reduction=reduction)
    opt = optim.SGD(model.parameters(), lr=lr)
    batches = [(X, y)] if batch_size is None else DataLoader(TensorDataset(X, y), batch_size=batch_size)
    losses, ws, bs = [], [model.weight.item()], [model.bias.item()]
    for _ in range(steps):
        for X_batch, y_batch in batches:
            opt.zero_grad()
            loss = loss_fn(model(X_batch), y_batch)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            ws.append(model.weight.item())
            bs.append(model.bias.item())
    return losses, ws, bs


def _gap(a, b) -> float:
    assert len(a) == len(b)
    return max(abs(p - q) for p, q in zip(a, b))


@pytest.mark.parametrize("seed, lr", RUNS)
@pytest.mark.parametrize("loader", ["plain", "full-batch DataLoader"])
def test_idiomatic_loop_retraces_the_hand_written_one_at_every_update(data, seed, lr, loader):
    X, y = data
    w0, b0 = init_params(seed, dtype=torch.float64)
    losses, ws, bs = _idiomatic(X, y, w0, b0, lr, 149, batch_size=None if loader == "plain" else 40)
    for method in ("hand", "autograd"):
        h = train(X, y, w0, b0, lr=lr, num_updates=149, activation="none", method=method)
        assert _gap(ws, h.w_path) <= TOL and _gap(bs, h.b_path) <= TOL
        assert _gap(losses, h.losses) <= TOL * max(1.0, h.losses[0])  # losses near 20 at the start: relative


@pytest.mark.parametrize("seed, lr", RUNS)
def test_fit_sgd_full_batch_retraces_the_hand_written_loop(data, seed, lr):
    X, y = data
    w0, b0 = init_params(seed, dtype=torch.float64)
    run = fit_sgd(linear_from(w0, b0), X, y, lr=lr, num_epochs=149)
    h = train(X, y, w0, b0, lr=lr, num_updates=149, activation="none")
    assert run.updates_per_epoch == 1 and len(run.losses) == 149
    assert _gap(run.w_path, h.w_path) <= TOL and _gap(run.b_path, h.b_path) <= TOL
    assert _gap(run.losses, h.losses) <= TOL * max(1.0, h.losses[0])
    assert _gap(run.full_losses[:-1], run.losses) <= TOL * max(1.0, h.losses[0])  # full batch: the same loss


def test_the_mean_at_n_times_the_learning_rate_takes_the_same_steps(data):
    X, y = data
    w0, b0 = init_params(0, dtype=torch.float64)
    _, ws_sum, bs_sum = _idiomatic(X, y, w0, b0, 0.001, 149)
    _, ws_mean, bs_mean = _idiomatic(X, y, w0, b0, 0.001 * 40, 149, reduction="mean")
    assert _gap(ws_sum, ws_mean) <= TOL and _gap(bs_sum, bs_mean) <= TOL


@pytest.mark.parametrize("batch_size", [8, 7, 1])
def test_minibatches_retrace_the_hand_written_minibatch_loop(data, batch_size):
    X, y = data
    w0, b0 = init_params(0, dtype=torch.float64)
    run = fit_sgd(linear_from(w0, b0), X, y, lr=0.05, num_epochs=3, batch_size=batch_size, loss="mean", seed=4)
    for loader in ("slices", "dataloader"):
        hand = minibatch_sgd(
            X,
            y,
            w0,
            b0,
            lr=0.05,
            batch_size=batch_size,
            epochs=3,
            loss="mean",
            activation="none",
            seed=4,
            loader=loader,
        )
        assert _gap(run.w_path, hand.w_path) <= TOL and _gap(run.b_path, hand.b_path) <= TOL
        assert _gap(run.losses, hand.losses) <= TOL


class _ClampThenBias(nn.Module):
    """the original's neuron, clamp(X w, min=0) + b (a test double: fit_sgd must train any two-parameter module)."""

    def __init__(self, w, b):
        super().__init__()
        self.w, self.b = nn.Parameter(w.clone()), nn.Parameter(b.clone())

    def forward(self, X):
        return X.mm(self.w).clamp(min=0) + self.b


@pytest.mark.parametrize("lr", [0.001, 0.009])  # 0.009: the ReLU dies at the first update
def test_fit_sgd_trains_a_custom_module_like_the_relu_training_loop(data, lr):
    X, y = data
    w0, b0 = init_params(0, dtype=torch.float64)
    run = fit_sgd(_ClampThenBias(w0, b0), X, y, lr=lr, num_epochs=149)
    h = train(X, y, w0, b0, lr=lr, num_updates=149, activation="relu")
    assert _gap(run.w_path, h.w_path) <= TOL and _gap(run.b_path, h.b_path) <= TOL
    assert (h.status == "dead_relu") == (lr == 0.009)


def params_of(model: torch.nn.Linear) -> tuple[torch.Tensor, torch.Tensor]:
    """detached copies of an nn.Linear(1, 1)'s weight and bias.  -> w: (1, 1), b: (1, 1)"""
    return model.weight.detach().clone().reshape(1, 1), model.bias.detach().clone().reshape(1, 1)


def test_linear_from_and_params_of_round_trip(data):
    w0, b0 = init_params(3, dtype=torch.float64)
    model = linear_from(w0, b0)
    assert model.weight.dtype == torch.float64 and tuple(model.bias.shape) == (1,)
    w, b = params_of(model)
    assert torch.equal(w, w0) and torch.equal(b, b0) and w.shape == (1, 1) and b.shape == (1, 1)
    assert linear_from(*init_params(3)).weight.dtype == torch.float32  # the dtype follows w
    X, _ = data
    assert torch.equal(model(X), X * w0 + b0)


@pytest.mark.parametrize("batch_size, per_epoch", [(8, 5), (7, 6), (1, 40), (40, 1)])
def test_minibatch_bookkeeping(data, batch_size, per_epoch):
    X, y = data
    run = fit_sgd(
        linear_from(*init_params(0, dtype=torch.float64)),
        X,
        y,
        lr=0.05,
        num_epochs=3,
        batch_size=batch_size,
        loss="mean",
    )
    assert run.updates_per_epoch == per_epoch == math.ceil(40 / batch_size)
    assert len(run.losses) == 3 * per_epoch and len(run.full_losses) == len(run.w_path) == 3 * per_epoch + 1
    assert len(run.epoch_losses) == 4 and run.epoch_losses[-1] == run.full_losses[-1]


def test_minibatches_are_seeded_and_leave_the_input_model_alone(data):
    X, y = data
    start = linear_from(*init_params(0, dtype=torch.float64))
    before = params_of(start)
    runs = [fit_sgd(start, X, y, lr=0.05, num_epochs=2, batch_size=8, loss="mean", seed=s) for s in (0, 0, 1)]
    assert runs[0].w_path == runs[1].w_path and runs[0].w_path != runs[2].w_path
    assert all(torch.equal(p, q) for p, q in zip(before, params_of(start)))


def test_one_sample_sgd_converges_all_the_way_on_noise_free_data(data):
    X, y = data
    run = fit_sgd(
        linear_from(*init_params(0, dtype=torch.float64)), X, y, lr=0.05, num_epochs=12, batch_size=1, loss="mean"
    )
    full = fit_sgd(linear_from(*init_params(0, dtype=torch.float64)), X, y, lr=0.05, num_epochs=12, loss="mean")
    assert run.epoch_losses[-1] < 1e-12 < full.epoch_losses[-1]


@pytest.mark.parametrize("kwargs, error", [
    ({"batch_size": 0}, ValueError), ({"batch_size": 41}, ValueError), ({"num_epochs": -1}, ValueError),
    ({"lr": 0.0}, ValueError), ({"loss": "median"}, ValueError), ({"num_epochs": 1.5}, TypeError),
])  # fmt: skip
def test_fit_sgd_rejects_bad_arguments(data, kwargs, error):
    X, y = data
    args = {"lr": 0.01, "num_epochs": 1, **kwargs}
    with pytest.raises(error):
        fit_sgd(linear_from(*init_params(0, dtype=torch.float64)), X, y, **args)


def test_fit_sgd_needs_a_two_parameter_model(data):
    X, y = data
    with pytest.raises(ValueError, match="two one-element parameters"):
        fit_sgd(nn.Sequential(nn.Linear(1, 2), nn.Linear(2, 1)).double(), X, y, lr=0.01, num_epochs=1)


def test_plot_batch_sizes_draws_two_panels(data):
    X, y = data
    run = fit_sgd(linear_from(*init_params(0, dtype=torch.float64)), X, y, lr=0.05, num_epochs=2, loss="mean")
    fig = plot_batch_sizes({"full batch": run})
    assert len(fig.axes) == 2 and all(ax.get_yscale() == "log" for ax in fig.axes)
    with pytest.raises(ValueError):
        plot_batch_sizes({})


def test_fit_sgd_needs_the_model_on_the_data_device(data):
    X, y = data
    elsewhere = nn.Linear(1, 1, dtype=torch.float64, device="meta")  # any device but X's: "meta" holds no data
    with pytest.raises(ValueError, match=r"model must be on the data's device cpu, got its parameters on meta"):
        fit_sgd(elsewhere, X, y, lr=0.01, num_epochs=1)
