"""helpers.further.minibatch: both loaders see the same batches, and each update is the hand gradient of its batch.

Tolerance: float64 throughout. An update here and in the references below differ only in how a batch's
sums are ordered (a dot product against autograd's .sum()), about 1e-16 relative per update; over the
few hundred updates of these runs, at a learning rate inside the stability limit, the parameters agree
to ~1e-14. 1e-12 leaves that a wide margin, while a wrong batch, order or scale moves them by >= 1e-4.
"""

from __future__ import annotations

import math

import pytest
import torch

from helpers import init_params, noisy_data, train, uniform_x
from helpers.further.minibatch import LOADERS, MinibatchRun, batch_order, minibatch_sgd

TOL = 1e-12


def problem(n: int, seed: int = 0, mixed: bool = False):
    """n noisy points on the true line (x also negative if mixed), and float64 (w, b) from init_params."""
    X = uniform_x(n, seed) - (1.5 if mixed else 0.0)
    _, y = noisy_data(0.05, seed, X=X)
    return (X, y, *init_params(seed, dtype=torch.float64))


def reference_sgd(X, y, w, b, lr, batch_size, epochs, seed, activation="relu"):
    """minibatch SGD written out with autograd and the original's forward pass: -> w_path, b_path, losses."""
    g = torch.Generator().manual_seed(seed)
    w1, b1 = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    w_path, b_path, losses = [w1.item()], [b1.item()], []
    for _ in range(epochs):
        for idx in torch.randperm(X.shape[0], generator=g).split(batch_size):
            z = X[idx].mm(w1)
            loss = (y[idx] - ((z.clamp(min=0) if activation == "relu" else z) + b1)).pow(2).mean()
            losses.append(loss.item())
            loss.backward()
            with torch.no_grad():
                w1 -= lr * w1.grad
                b1 -= lr * b1.grad
            w1.grad = b1.grad = None
            w_path.append(w1.item())
            b_path.append(b1.item())
    return w_path, b_path, losses


def gap(u, v) -> float:
    assert len(u) == len(v)
    return max(abs(a - b) for a, b in zip(u, v))


@pytest.mark.parametrize("n, batch_size, epochs", [(1000, 64, 2), (64, 64, 3), (10, 3, 4), (5, 8, 1)])
def test_both_loaders_give_the_same_run(n, batch_size, epochs):
    X, y, w, b = problem(n, seed=n)
    runs = [minibatch_sgd(X, y, w, b, lr=0.1, batch_size=batch_size, epochs=epochs, seed=7, loader=k) for k in LOADERS]
    # the same batches in the same order through the same arithmetic: identical bits
    assert runs[0].w_path == runs[1].w_path and runs[0].b_path == runs[1].b_path and runs[0].losses == runs[1].losses
    assert runs[0].updates == epochs * math.ceil(n / batch_size) == len(runs[0].w_path) - 1


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_matches_a_loop_written_with_autograd(loader, activation):
    # mixed-sign x, so that the ReLU really clamps some points; 1000 points in batches of 64 leave 40 over
    X, y, w, b = problem(1000, seed=3, mixed=True)
    run = minibatch_sgd(X, y, w, b, lr=0.2, batch_size=64, epochs=3, seed=11, activation=activation, loader=loader)
    w_path, b_path, losses = reference_sgd(X, y, w, b, lr=0.2, batch_size=64, epochs=3, seed=11, activation=activation)
    assert gap(run.w_path, w_path) <= TOL and gap(run.b_path, b_path) <= TOL
    assert all(math.isclose(u, v, rel_tol=1e-12, abs_tol=1e-15) for u, v in zip(run.losses, losses))
    assert math.isclose(run.w.item(), w_path[-1], abs_tol=TOL) and run.w.shape == (1, 1)


@pytest.mark.parametrize("loss", ["mean", "sum"])
def test_one_batch_of_everything_is_gradient_descent(data, loss):
    # batch_size >= n: every update sees all points (in a shuffled order, which only reorders the sums), so
    # minibatch SGD is train()'s full-batch gradient descent, update for update
    X, y = data
    w, b = init_params(0, dtype=torch.float64)
    lr = 0.3 if loss == "mean" else 0.3 / 40
    run = minibatch_sgd(X, y, w, b, lr=lr, batch_size=40, epochs=50, loss=loss, activation="none")
    h = train(X, y, w, b, lr=lr, num_updates=50, loss=loss, activation="none")
    assert gap(run.w_path, h.w_path) <= TOL and gap(run.b_path, h.b_path) <= TOL
    assert all(math.isclose(u, v, rel_tol=1e-12) for u, v in zip(run.losses, h.losses))


def test_batch_order_is_one_seeded_permutation_per_epoch():
    order = batch_order(100, epochs=3, seed=5)
    assert len(order) == 3 and all(torch.equal(p.sort().values, torch.arange(100)) for p in order)
    assert not torch.equal(order[0], order[1])  # a fresh shuffle each epoch
    assert all(torch.equal(p, q) for p, q in zip(order, batch_order(100, epochs=3, seed=5)))  # reproducible
    assert not torch.equal(order[0], batch_order(100, epochs=1, seed=6)[0])


def test_the_seed_changes_the_run_and_only_the_seed():
    X, y, w, b = problem(200)
    a, again, other = (minibatch_sgd(X, y, w, b, lr=0.1, batch_size=16, seed=s) for s in (1, 1, 2))
    assert a.w_path == again.w_path and a.w_path != other.w_path
    # the same epoch of data either way: both end near the line (0.175, 0.4), far closer than they started
    assert abs(a.w.item() - other.w.item()) < 0.05


def test_result_inputs_and_dtypes():
    X, y, w, b = problem(100)
    X32, y32, w32, b32 = (t.float() for t in (X, y, w, b))
    copies = [t.clone() for t in (X32, y32, w32, b32)]
    run = minibatch_sgd(X32, y32, w32, b32, lr=0.1, batch_size=10)
    assert isinstance(run, MinibatchRun) and run.w.dtype == run.b.dtype == torch.float32
    assert all(torch.equal(t, c) for t, c in zip((X32, y32, w32, b32), copies))
    assert (run.lr, run.batch_size, run.epochs, run.loader) == (0.1, 10, 1, "slices")
    zero = minibatch_sgd(X, y, w, b, lr=0.1, batch_size=10, epochs=0)
    assert zero.updates == 0 and zero.w_path == (w.item(),)


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1"),
        ({"batch_size": 2.5}, TypeError, "batch_size"),
        ({"epochs": -1}, ValueError, "epochs must be >= 0"),
        ({"loader": "numpy"}, ValueError, "loader must be one of 'slices', 'dataloader'"),
        ({"loss": "l1"}, ValueError, "loss must be one of"),
        ({"lr": 0.0}, ValueError, "lr must be a finite number > 0"),
        ({"seed": -3}, ValueError, r"seed must be an int in \[0, 2\*\*64 - 1\], got -3"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, text):
    X, y, w, b = problem(20)
    settings = {"lr": 0.1, "batch_size": 4} | kwargs
    with pytest.raises(error, match=text):
        minibatch_sgd(X, y, w, b, **settings)


def test_progress_bar_is_off_by_default_and_counts_updates(capsys):
    X, y, w, b = problem(100)
    minibatch_sgd(X, y, w, b, lr=0.1, batch_size=32, epochs=2)
    assert capsys.readouterr().err == ""
    minibatch_sgd(X, y, w, b, lr=0.1, batch_size=32, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "minibatch SGD" in err and "8/8" in err  # 2 epochs of ceil(100 / 32) = 4 batches


@pytest.mark.parametrize("n, epochs, error, text", [
    (-1, 1, ValueError, r"n must be >= 0, got -1"), (10.0, 1, TypeError, r"n must be a non-negative int, got 10\.0"),
    (10, -2, ValueError, r"epochs must be >= 0, got -2"), (10, 1.5, TypeError, r"epochs must be a non-negative int"),
])  # fmt: skip
def test_batch_order_names_a_bad_count(n, epochs, error, text):
    with pytest.raises(error, match=text):
        batch_order(n, epochs, seed=0)
    assert [p.tolist() for p in batch_order(3, 0, seed=0)] == [] and len(batch_order(0, 2, seed=0)[1]) == 0
