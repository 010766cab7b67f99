"""The training core runs on whichever device the tensors are on, with no code change.

Every test runs once per device this machine has: the CPU always, CUDA where there is one. Each one checks
that results stay on the inputs' device and agree with what theory or a float64 CPU reference says, so
the CPU run is a real check, and the same file on a GPU machine checks CUDA.
"""

import pytest
import torch

from helpers import (
    autograd_grad,
    closed_form,
    grad,
    init_params,
    minibatch_sgd,
    noisy_data,
    original_data,
    predict,
    spectrum,
    summarize,
    train,
    uniform_x,
)

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
TOL = 1e-10  # float64 everywhere; a GPU reduces in another order, which moves only the last bits


def _on(device, *ts):
    return [t.to(device) for t in ts]


@pytest.mark.parametrize("device", DEVICES)
def test_data_params_prediction_and_closed_form_stay_on_the_device(device):
    X, y = original_data(device=device)
    w, b = init_params(0, dtype=torch.float64, device=device)
    assert X.device.type == y.device.type == w.device.type == device
    y_hat = predict(X, w, b)
    assert y_hat.device.type == device
    ref = predict(original_data()[0], *init_params(0, dtype=torch.float64))
    assert torch.allclose(y_hat.cpu(), ref, rtol=0, atol=TOL)
    w_star, b_star = closed_form(X, y)
    assert w_star.device.type == device
    assert abs(w_star.item() - 0.175) < 1e-12 and abs(b_star.item() - 0.4) < 1e-12  # noise-free: the truth
    assert spectrum(X).stability_limit == pytest.approx(0.0099824, abs=5e-8)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("activation", ["relu", "none"])
@pytest.mark.parametrize("loss", ["sum", "mean"])
def test_hand_gradient_equals_autograd_on_the_device(device, activation, loss):
    X, y = _on(device, *noisy_data(0.1, 3, X=uniform_x(300, 1, low=-1.0, high=2.0)))  # x of both signs
    for w0 in (0.7, -0.4):
        w, b = _on(device, torch.tensor([[w0]], dtype=torch.float64), torch.tensor([[0.2]], dtype=torch.float64))
        g, a = grad(X, y, w, b, loss, activation), autograd_grad(X, y, w, b, loss, activation)
        assert g.w.device.type == device
        assert torch.allclose(g.w, a.w, rtol=1e-12, atol=TOL) and torch.allclose(g.b, a.b, rtol=1e-12, atol=TOL)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("method", ["autograd", "hand", "stats"])
def test_training_converges_on_the_device_and_reports_the_same_status(device, method):
    X, y = original_data(device=device)
    w, b = init_params(0, dtype=torch.float64, device=device)
    h = train(X, y, w, b, lr=0.009, num_updates=300, activation="none", method=method)
    assert h.w.device.type == device and h.status == "converged"
    assert abs(h.w.item() - 0.175) < 1e-9 and abs(h.b.item() - 0.4) < 1e-9
    dead = train(X, y, w, b, lr=0.009, num_updates=149, activation="relu", method=method)
    assert dead.status == "dead_relu" and dead.dead_at == 2
    assert summarize(h, X, y)["status"] == "converged"


@pytest.mark.parametrize("device", DEVICES)
def test_minibatch_loaders_agree_on_the_device(device):
    X, y = _on(device, *noisy_data(0.05, 0, X=uniform_x(2000, 0)))
    w, b = init_params(0, dtype=torch.float64, device=device)
    runs = [minibatch_sgd(X, y, w, b, lr=0.05, batch_size=64, loader=loader) for loader in ("slices", "dataloader")]
    assert runs[0].w.device.type == device
    assert max(abs(p - q) for p, q in zip(runs[0].w_path, runs[1].w_path)) <= TOL
    ref = minibatch_sgd(
        *noisy_data(0.05, 0, X=uniform_x(2000, 0)),
        *init_params(0, dtype=torch.float64),
        lr=0.05,
        batch_size=64,
        loader="slices",
    )  # the CPU run, the same batches
    assert abs(runs[0].w.item() - ref.w.item()) <= TOL and abs(runs[0].b.item() - ref.b.item()) <= TOL
