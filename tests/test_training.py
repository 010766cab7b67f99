"""helpers.training: the original's run reproduced, three methods that agree, and every way a run can end.

Tolerances between methods. The three methods compute the same update with different rounding (autograd
and hand form the same float64 gradient; stats forms it from float64 sums). With float32 parameters each
update can then land one float32 ulp apart (at most 6e-8 for |w|, |b| < 1); gradient descent shrinks an
existing gap by rho per update, so the gap stays below 6e-8 / (1 - rho): 2.6e-6 at lr = 0.001 on the
original data. With float64 parameters the same argument gives ~1e-14; 1e-12 leaves room for the
gradients' own rounding.
"""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
import torch

import helpers.training as training
from helpers import closed_form, init_params, loss_value, noisy_data, predict, spectrum, train, uniform_x
from helpers.results import STATUSES, History
from helpers.training import CONVERGED_TOL, METHODS, DivergenceError

F32_ULP = 2.0**-24  # float32 spacing just below 1: the largest rounding step of a parameter in (0, 1)
TOL32 = F32_ULP / (1 - 0.97721)  # see the module docstring: 2.6e-6 at lr = 0.001
TOL64 = 1e-12


def original_loop(X, y, w, b, lr, num_epochs, activation="relu"):
    """the original post's loop, written as it writes it (w, b already drawn): -> losses, w_path, b_path."""
    w1 = w.clone().requires_grad_(True)
    b1 = b.clone().requires_grad_(True)
    losses, w_path, b_path = [], [w1.item()], [b1.item()]
    for _ in range(1, num_epochs):
        y_pred = X.mm(w1.double())
        if activation == "relu":
            y_pred = y_pred.clamp(min=0)
        y_pred = y_pred.add(b1.double())
        loss = (y - y_pred).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= lr * w1.grad
            b1 -= lr * b1.grad
            w1.grad.zero_()
            b1.grad.zero_()
        w_path.append(w1.item())
        b_path.append(b1.item())
    return losses, w_path, b_path


def max_gap(a, b):
    assert len(a) == len(b)
    return max(abs(u - v) for u, v in zip(a, b))


# ---- the original experiment -------------------------------------------------------------------------


def test_default_experiment_reproduces_the_seeded_original(data, capsys):
    X, y = data
    w, b = init_params(0)
    h = train(X, y, w, b, lr=0.001, num_updates=149, log_every=25)
    # the final line to the 6 decimals the series quotes: tolerance half a unit in the 6th decimal
    assert abs(h.w.item() - 0.172791) <= 0.5e-6 and abs(h.b.item() - 0.403204) <= 0.5e-6
    assert h.w.dtype == torch.float32 and h.w.shape == (1, 1)
    # the printed checkpoints, exactly as printed (4 significant digits, so they are compared as text)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [
        "update   25   loss 5.5481e-02",
        "update   50   loss 1.7363e-02",
        "update   75   loss 5.4824e-03",
        "update  100   loss 1.7310e-03",
        "update  125   loss 5.4658e-04",
    ]
    assert [f"{h.losses[t - 1]:.4e}" for t in (25, 50, 75, 100, 125)] == [line.split()[-1] for line in lines]
    assert h.updates == 149 and h.num_updates == 149 and len(h.w_path) == len(h.b_path) == 150
    assert (h.status, h.stopped_at, h.dead_at) == ("not_converged", None, None)
    assert h.lr == 0.001
    # 149 updates at rho = 0.977 leave ~3% of the start error (FACTS): still ~3e-3 from (0.175, 0.4)
    assert "3.20e-03" in h.message
    # the losses fall at every update (lr is well inside the stability limit)
    assert all(later < earlier for earlier, later in zip(h.losses, h.losses[1:]))
    # final_loss is the loss at the final (w, b): same value, summed in another order (1e-12 relative)
    assert math.isclose(h.final_loss, loss_value(predict(X, h.w, h.b), y).item(), rel_tol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("seed", [0, 5])
def test_every_method_follows_the_originals_loop(data, dtype, seed):
    X, y = data
    w, b = init_params(seed, dtype=dtype)
    ref_losses, ref_w, ref_b = original_loop(X, y, w, b, lr=0.001, num_epochs=150)
    tol = TOL32 if dtype == torch.float32 else TOL64
    for method in METHODS:
        h = train(X, y, w, b, lr=0.001, num_updates=149, method=method)
        assert h.w.dtype == dtype and h.b.dtype == dtype
        if method == "autograd":
            # "exactly the original's loop": the same ops in the same order give the same bits
            assert list(h.losses) == ref_losses and list(h.w_path) == ref_w and list(h.b_path) == ref_b
        assert max_gap(h.w_path, ref_w) <= tol, method
        assert max_gap(h.b_path, ref_b) <= tol, method
        # losses: the gap in (w, b) moves the loss by at most 2 |gap| |grad| relative; near the end
        # |theta - theta*| ~ 3e-3, so 1e-3 relative for float32 parameters, 1e-9 for float64
        rtol = 1e-3 if dtype == torch.float32 else 1e-9
        assert all(math.isclose(u, v, rel_tol=rtol) for u, v in zip(h.losses, ref_losses)), method


def test_the_float64_parameters_differ_from_float32_only_by_float32_rounding(data):
    # the original's float32 parameters cost at most ~1e-7 on this run (FACTS's quirk 4): 1e-6 is ample
    X, y = data
    h32 = train(X, y, *init_params(0), lr=0.001, num_updates=149)
    h64 = train(X, y, *init_params(0, dtype=torch.float64), lr=0.001, num_updates=149)
    assert max_gap(h32.w_path, h64.w_path) <= 1e-6 and max_gap(h32.b_path, h64.b_path) <= 1e-6
    assert h32.w.item() != h64.w.item()  # they do differ: the parameters really are kept in their dtype


# ---- random data: the methods agree everywhere -------------------------------------------------------


@pytest.mark.parametrize("n", [10, 1000, 100_000])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_methods_agree_on_random_data(n, dtype, activation):
    X = uniform_x(n, seed=n)
    _, y = noisy_data(0.05, seed=n, X=X)
    X, y = X.to(dtype), y.to(dtype)
    lr = 0.5 * spectrum(X).fastest_lr  # rho ~ 0.9: the gap bound is F32_ULP / 0.1 ~ 6e-7 (float32)
    rho = spectrum(X).contraction(lr)
    # float32 data: hand and autograd also round the gradient's 1e5-term sums in float32 while stats sums
    # in float64; at lr ~ 1/lambda that moves an update by ~ n * eps32 * lr * sum|r x| ~ 1e-7 at most
    tol = 10 * F32_ULP / (1 - rho) if dtype == torch.float32 else TOL64
    w, b = init_params(n, dtype=dtype)
    runs = {m: train(X, y, w, b, lr=lr, num_updates=60, method=m, activation=activation) for m in METHODS}
    ref = runs["hand"]
    assert ref.status in ("converged", "not_converged")
    for method, h in runs.items():
        assert max_gap(h.w_path, ref.w_path) <= tol, method
        assert max_gap(h.b_path, ref.b_path) <= tol, method
        assert h.status == ref.status
    # and they all head for the closed form: after 60 updates at rho ~ 0.9 the start error (<= 1) has
    # shrunk below rho^60 ~ 2e-3 (plus float32 noise)
    w_star, b_star = closed_form(X.double(), y.double())
    assert abs(ref.w.item() - w_star.item()) <= rho**60 + tol and abs(ref.b.item() - b_star.item()) <= rho**60 + tol


# ---- the four ways a run ends ----------------------------------------------------------------------------


def test_divergence_raises_with_lr_update_and_limit(data):
    X, y = data
    w, b = init_params(0)
    with pytest.raises(DivergenceError) as info:
        train(X, y, w, b, lr=0.011, num_updates=149, activation="none")
    message = str(info.value)
    assert "lr = 0.011" in message
    assert "after 38 of 149 updates" in message  # 1.2^38 squared passes 1e6 (FACTS: rho(0.011) = 1.2)
    assert "2/lambda_max = 0.0099824" in message
    assert isinstance(info.value, FloatingPointError)


def test_divergence_recorded(data):
    X, y = data
    w, b = init_params(0)
    h = train(X, y, w, b, lr=0.011, num_updates=149, activation="none", on_divergence="record")
    assert (h.status, h.stopped_at, h.updates, h.dead_at) == ("diverged", 39, 38, None)
    assert len(h.w_path) == len(h.b_path) == 39
    # stopped because the loss passed BLOW_UP times its start, and not a step earlier
    assert h.final_loss > training.BLOW_UP * h.losses[0] >= max(h.losses)
    with pytest.raises(DivergenceError, match=re.escape(h.message)):
        train(X, y, w, b, lr=0.011, num_updates=149, activation="none")


def test_divergence_with_relu_and_mean_loss(data):
    X, y = data
    w, b = init_params(0)
    # relu: w dies after update 1, and b alone diverges above 2 / (2 n) = 0.025
    h = train(X, y, w, b, lr=0.05, num_updates=149, on_divergence="record")
    assert (h.status, h.dead_at, h.stopped_at) == ("diverged", 2, 8)
    # mean loss: the limit is 40 times larger (FACTS: 0.3993)
    with pytest.raises(DivergenceError, match=r"lr = 0\.5 .* the mean loss, .* 2/lambda_max = 0\.3993"):
        train(X, y, w, b, lr=0.5, num_updates=149, loss="mean", activation="none")


def test_a_non_finite_loss_is_caught_at_the_start():
    # finite inputs whose product overflows: the very first loss is inf, so no update is made
    X = torch.tensor([[1e200], [2e200]], dtype=torch.float64)
    y = torch.zeros(2, 1, dtype=torch.float64)
    w = torch.tensor([[1e200]], dtype=torch.float64)
    b = torch.zeros(1, 1, dtype=torch.float64)
    h = train(X, y, w, b, lr=0.1, num_updates=5, on_divergence="record")
    assert (h.status, h.stopped_at, h.updates) == ("diverged", 1, 0)
    assert h.final_loss == math.inf and h.w_path == (1e200,)
    with pytest.raises(DivergenceError, match=r"after 0 of 5 updates"):
        train(X, y, w, b, lr=0.1, num_updates=5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_a_loss_that_overflows_is_caught(data, monkeypatch, dtype):
    # switch off the blow-up test, so only the finiteness check can stop the run
    monkeypatch.setattr(training, "BLOW_UP", math.inf)
    X, y = data
    w, b = init_params(0, dtype=dtype)
    h = train(X, y, w, b, lr=1.0, num_updates=500, activation="none", on_divergence="record")
    assert h.status == "diverged" and h.stopped_at == h.updates + 1 < 500
    assert all(math.isfinite(v) for v in h.losses + h.w_path + h.b_path)
    if dtype == torch.float64:  # the float64 loss, (x w)^2, overflows long before w does
        assert not math.isfinite(h.final_loss) and "loss became non-finite" in h.message
    else:  # float32 parameters overflow first (past 3.4e38) while the float64 loss is still finite
        assert math.isfinite(h.final_loss) and "non-finite in float32" in h.message


def test_dead_relu_at_lr_0_009(data):
    X, y = data
    w, b = init_params(0)
    h = train(X, y, w, b, lr=0.009, num_updates=149)
    assert (h.status, h.dead_at, h.stopped_at) == ("dead_relu", 2, None)
    # FACTS: w = -0.1926, b = mean(y) = 0.58151. w to the 6 decimals quoted (half a unit); b is float32,
    # and b alone converges at rho = |1 - 0.009 * 80| = 0.28 per update, so it sits within one float32 ulp
    # (6e-8 at 0.58) of mean(y)
    assert abs(h.w.item() - (-0.192600)) <= 0.5e-6
    assert abs(h.b.item() - 0.581510) <= 0.5e-6
    assert abs(h.b.item() - y.mean().item()) <= F32_ULP
    # w never moves again once it is negative
    assert h.w_path[1] < 0 and len(set(h.w_path[1:])) == 1
    assert "from update 2 on" in h.message
    assert "every pre-activation x*w was < 0" in h.message  # clamp passes z = 0 (04): dead means below 0
    for method in ("autograd", "stats"):  # every method sees the same death
        other = train(X, y, w, b, lr=0.009, num_updates=149, method=method)
        assert (other.status, other.dead_at) == ("dead_relu", 2)
        assert abs(other.w.item() - h.w.item()) <= TOL32 and abs(other.b.item() - h.b.item()) <= TOL32


def test_dead_relu_with_negative_inputs():
    # the mirror case: every x < 0 and w > 0 also clamps every x w, so the ReLU is dead from the start
    X = -torch.linspace(0.5, 2.0, 8, dtype=torch.float64).reshape(8, 1)
    y = 1.0 - 0.5 * X
    h = train(X, y, torch.tensor([[0.3]]), torch.tensor([[0.0]]), lr=0.01, num_updates=20)
    assert (h.status, h.dead_at) == ("dead_relu", 1)
    assert set(h.w_path) == {h.w_path[0]}  # exactly no gradient for w, ever


def test_mixed_sign_inputs_never_count_as_dead():
    # with x of both signs some x w is > 0 for any w != 0, so w keeps learning and no death is reported
    X = torch.linspace(-2.0, 2.0, 9, dtype=torch.float64).reshape(9, 1)
    y = 0.3 * X + 1.0
    for w0 in (-0.5, 0.5):
        h = train(X, y, torch.tensor([[w0]]), torch.tensor([[0.0]]), lr=0.01, num_updates=20)
        assert h.dead_at is None and h.status != "dead_relu"
        assert len(set(h.w_path)) == 21  # w moves at every update


def test_without_the_clamp_lr_0_009_converges(data):
    # FACTS: the same run without the clamp reaches 0.175 / 0.4 to 1e-7 (rho = 0.80 per update)
    X, y = data
    w, b = init_params(0)
    h = train(X, y, w, b, lr=0.009, num_updates=149, activation="none")
    assert h.status == "converged"
    assert abs(h.w.item() - 0.175) <= CONVERGED_TOL and abs(h.b.item() - 0.4) <= CONVERGED_TOL
    assert abs(h.w.item() - 0.175) <= 1e-7 and abs(h.b.item() - 0.4) <= 1e-7


def test_zero_updates_returns_the_start(data):
    X, y = data
    w, b = init_params(3)
    h = train(X, y, w, b, lr=0.001, num_updates=0)
    assert torch.equal(h.w, w) and torch.equal(h.b, b) and h.w is not w
    assert h.losses == () and h.w_path == (w.item(),) and h.b_path == (b.item(),) and h.updates == 0
    assert h.status == "not_converged" and h.stopped_at is None and h.dead_at is None
    assert math.isclose(h.final_loss, loss_value(predict(X, w, b), y).item(), rel_tol=1e-12)
    # starting on the answer counts as converged (float64: exactly (0.175, 0.4), 0.0 from closed form +- 1e-15)
    start = torch.tensor([[0.175]], dtype=torch.float64), torch.tensor([[0.4]], dtype=torch.float64)
    assert train(X, y, *start, lr=0.001, num_updates=0).status == "converged"


def test_status_names():
    assert set(STATUSES) == {"converged", "not_converged", "diverged", "dead_relu"}
    assert METHODS == ("autograd", "hand", "blocked", "stats")


def test_no_unique_line_is_not_converged():
    # every x equal: no closed form to compare with, so the run is "not_converged" and says why
    X = torch.full((40, 1), 0.7, dtype=torch.float64)
    h = train(X, 2 * X, *init_params(0, dtype=torch.float64), lr=0.001, num_updates=20, activation="none")
    assert h.status == "not_converged" and "no unique least-squares line" in h.message


# ---- the record itself ---------------------------------------------------------------------------------


def test_history_is_frozen(data):
    h = train(*data, *init_params(0), lr=0.001, num_updates=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.status = "converged"
    with pytest.raises(dataclasses.FrozenInstanceError):
        h.losses = ()
    assert isinstance(h.losses, tuple) and isinstance(h.w_path, tuple)  # no list to append to either
    assert isinstance(h, History)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_inputs_are_not_modified(data, method, activation):
    X, y = data
    w, b = init_params(0)
    w.requires_grad_(True)  # as the original creates them
    b.requires_grad_(True)
    copies = [t.detach().clone() for t in (X, y, w, b)]
    h = train(X, y, w, b, lr=0.009, num_updates=10, method=method, activation=activation)
    assert all(torch.equal(t.detach(), c) for t, c in zip((X, y, w, b), copies))
    assert w.grad is None and b.grad is None  # no gradient leaked into the caller's tensors
    assert not h.w.requires_grad and h.w.data_ptr() != w.data_ptr()


def test_mean_loss_is_the_sum_loss_with_a_scaled_lr(data):
    # grad of the mean = grad of the sum / n, so mean at lr * n retraces sum at lr: the same updates up to
    # rounding of the factor 1/n (float64 params, 1e-12), with every loss divided by n (1e-12 relative)
    X, y = data
    w, b = init_params(2, dtype=torch.float64)
    h_sum = train(X, y, w, b, lr=0.001, num_updates=149, loss="sum")
    h_mean = train(X, y, w, b, lr=0.04, num_updates=149, loss="mean")
    assert max_gap(h_sum.w_path, h_mean.w_path) <= TOL64 and max_gap(h_sum.b_path, h_mean.b_path) <= TOL64
    assert all(math.isclose(s / 40, m, rel_tol=1e-12) for s, m in zip(h_sum.losses, h_mean.losses))


@pytest.mark.parametrize("method", METHODS)
def test_mean_loss_converges(data, method):
    # lr = 0.3 < 0.3993 (FACTS) with rho = max|1 - 0.3 lambda / 40| = 0.83: 200 updates are plenty
    X, y = data
    h = train(X, y, *init_params(1), lr=0.3, num_updates=200, loss="mean", activation="none", method=method)
    assert h.status == "converged"
    assert abs(h.w.item() - 0.175) <= 1e-6 and abs(h.b.item() - 0.4) <= 1e-6


def test_no_printing_unless_asked(data, capsys):
    train(*data, *init_params(0), lr=0.001, num_updates=30)
    assert capsys.readouterr().out == ""


def test_progress_bar_changes_nothing(data, capsys):
    X, y = data
    h = train(X, y, *init_params(0), lr=0.001, num_updates=5)
    h_bar = train(X, y, *init_params(0), lr=0.001, num_updates=5, progress=True)
    assert h_bar.w_path == h.w_path and h_bar.losses == h.losses
    assert "5/5" in capsys.readouterr().err


# ---- numbers too large for the parameters' dtype: "diverged", with finite parameters ------------------------


@pytest.mark.parametrize("lr", [1e37, 1e100, 1e300])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_an_update_that_overflows_the_parameters_is_diverged(data, lr, method, activation):
    # float32 parameters: lr * dw (dw ~ 50 at the start) passes 3.4e38 already at lr = 1e37, so update 1 would make
    # w = -inf. It is not made: the run keeps the last finite parameters (the start) and says why
    X, y = data
    w, b = init_params(0)
    h = train(X, y, w, b, lr=lr, num_updates=149, method=method, activation=activation, on_divergence="record")
    assert (h.status, h.stopped_at, h.updates) == ("diverged", 1, 0)
    assert torch.equal(h.w, w) and torch.equal(h.b, b)  # the last parameters whose loss was finite
    assert h.w_path == (w.item(),) and h.b_path == (b.item(),) and h.losses == ()
    assert math.isfinite(h.final_loss) and math.isclose(
        h.final_loss, loss_value(predict(X, w, b), y).item(), rel_tol=1e-12
    )
    assert re.search(r"update 1 would make (w|b|w and b) non-finite in float32", h.message)
    assert "2/lambda_max = 0.0099824" in h.message
    assert "\n" not in h.message
    with pytest.raises(DivergenceError, match=re.escape(h.message)):
        train(X, y, w, b, lr=lr, num_updates=149, method=method, activation=activation)


def test_float64_parameters_at_lr_1e300_stop_with_finite_parameters(data):
    # float64 parameters hold -1e301 after update 1; the loss there overflows, so the run stops at update 2
    X, y = data
    w, b = init_params(0, dtype=torch.float64)
    h = train(X, y, w, b, lr=1e300, num_updates=149, on_divergence="record")
    assert (h.status, h.stopped_at, h.updates) == ("diverged", 2, 1)
    assert all(math.isfinite(v) for v in h.w_path + h.b_path)
    assert bool(torch.isfinite(h.w).all() and torch.isfinite(h.b).all())


def test_parameters_overflowing_later_in_a_run(monkeypatch):
    # no blow-up guard: float32 parameters grow by ~x10 per update until an update would pass 3.4e38; the history
    # stops one update before, every value in it finite
    monkeypatch.setattr(training, "BLOW_UP", math.inf)
    X = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    y = torch.zeros(2, 1, dtype=torch.float64)
    w, b = torch.tensor([[1.0]]), torch.tensor([[0.0]])
    h = train(X, y, w, b, lr=3.0, num_updates=1000, activation="none", on_divergence="record")
    assert h.status == "diverged" and h.stopped_at == h.updates + 1 and 10 < h.updates < 1000
    assert all(math.isfinite(v) for v in h.w_path + h.b_path + h.losses)
    assert h.w.item() == h.w_path[-1] and math.isfinite(h.final_loss)
    assert f"update {h.stopped_at} would make" in h.message


def test_a_diverged_history_summarizes_to_finite_numbers_or_none(data):
    from helpers.results import summarize

    X, y = data
    for dtype in (torch.float32, torch.float64):
        h = train(X, y, *init_params(0, dtype=dtype), lr=1e300, num_updates=149, on_divergence="record")
        s = summarize(h, X, y, learning_rate=1e300)
        assert s["status"] == "diverged" and s["message"] == h.message
        for key in ("w", "b", "final_loss", "w_star", "b_star", "distance"):
            assert s[key] is None or math.isfinite(s[key]), key
        assert s["w"] is not None and s["b"] is not None


# ---- the API: data that needs a gradient, meta tensors, half precision, long runs ---------------------------


@pytest.mark.parametrize("method", METHODS)
def test_data_that_requires_grad_is_used_detached(data, method):
    # documented: train detaches X and y (it never differentiates the data), so a requires_grad X trains as X does
    X, y = data
    w, b = init_params(0)
    Xg, yg = X.clone().requires_grad_(True), y.clone().requires_grad_(True)
    h = train(Xg, yg, w, b, lr=0.001, num_updates=5, method=method)
    assert h.w_path == train(X, y, w, b, lr=0.001, num_updates=5, method=method).w_path
    assert Xg.grad is None and yg.grad is None and not h.w.requires_grad


@pytest.mark.parametrize("which", ["X", "y", "w", "b"])
def test_meta_tensors_are_refused_by_name(data, which):
    X, y = data
    args = dict(zip(["X", "y", "w", "b"], (X, y, *init_params(0))))
    args[which] = args[which].to("meta")
    with pytest.raises(ValueError, match=rf"^{which} is a meta tensor \(device 'meta'\), which holds no values"):
        train(args["X"], args["y"], args["w"], args["b"], lr=0.001, num_updates=3)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.complex64])
def test_half_precision_and_complex_data_are_refused(data, dtype):
    X, y = data
    with pytest.raises(TypeError, match=rf"X must have a floating dtype \(float32 or float64\), got {dtype}"):
        train(X.to(dtype), y.to(dtype), *init_params(0), lr=0.001, num_updates=3)
    with pytest.raises(TypeError, match=rf"w must have a floating dtype \(float32 or float64\), got {dtype}"):
        train(X, y, *(t.to(dtype) for t in init_params(0)), lr=0.001, num_updates=3)


def test_more_updates_than_the_notebooks_bound_are_allowed(data, monkeypatch):
    # MAX_UPDATES bounds a notebook's parameter, not the API: train takes any count >= 0 (the bound made small
    # here, so the test stays fast; train must not consult it)
    import helpers.parameters as parameters

    monkeypatch.setattr(parameters, "MAX_UPDATES", 5)
    X, y = data
    h = train(X, y, *init_params(0), lr=0.001, num_updates=6)
    assert h.updates == 6 and h.num_updates == 6
