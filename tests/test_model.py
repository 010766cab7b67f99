"""helpers.model: the original's seeded init and its forward pass, op for op."""

from __future__ import annotations

import pytest
import torch

from helpers import init_params, predict


@pytest.mark.parametrize("seed", [0, 1, 42, 2020, 2**31 - 1])
def test_init_params_equals_the_originals_draws(seed):
    # exact: the same seed and the same two rand(1, 1) calls must give the same float32 bits
    torch.manual_seed(seed)
    w1 = torch.rand(1, 1, requires_grad=True)
    b1 = torch.rand(1, 1, requires_grad=True)
    w, b = init_params(seed)
    assert w.shape == b.shape == (1, 1) and w.dtype == b.dtype == torch.float32
    assert torch.equal(w, w1.detach()) and torch.equal(b, b1.detach())
    assert not w.requires_grad and not b.requires_grad


def test_init_params_seed_0_values():
    # the numbers every notebook starts from, to the 4 decimals torch prints (tolerance: half a unit)
    w, b = init_params(0)
    assert abs(w.item() - 0.4963) <= 0.5e-4 and abs(b.item() - 0.7682) <= 0.5e-4


def test_init_params_leaves_the_global_rng_alone():
    # init_params uses its own generator: a notebook's later torch.rand calls must not shift
    torch.manual_seed(123)
    before = torch.get_rng_state()
    init_params(5)
    assert torch.equal(torch.get_rng_state(), before)


def test_init_params_float64_is_a_cast_of_the_float32_draw():
    # exact: the draw is float32 (as in the original) and only then widened, so the values agree
    w32, b32 = init_params(9)
    w64, b64 = init_params(9, dtype=torch.float64)
    assert w64.dtype == torch.float64
    assert torch.equal(w64, w32.double()) and torch.equal(b64, b32.double())


def test_init_params_differs_across_seeds():
    # two float32 uniform draws coincide with probability ~2**-24: any equality here means the seed is ignored
    assert init_params(0)[0].item() != init_params(1)[0].item()


@pytest.mark.parametrize("seed", [0, 3, 17])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_predict_matches_the_originals_forward_pass(data, seed, sign):
    # exact: predict is X.mm(w.double()).clamp(min=0).add(b.double()), the same ops on the same inputs
    X, _ = data
    w, b = init_params(seed)
    w = w * sign
    expected = X.mm(w.double()).clamp(min=0).add(b.double())
    y_hat = predict(X, w, b)
    assert y_hat.shape == (40, 1) and y_hat.dtype == torch.float64
    assert torch.equal(y_hat, expected)
    assert torch.equal(predict(X, w, b, activation="none"), X.mm(w.double()).add(b.double()))


def test_predict_known_values():
    # exact small-integer arithmetic: relu(x w) + b, and x w + b
    X = torch.tensor([[1.0], [2.0], [-3.0]], dtype=torch.float64)
    w = torch.tensor([[2.0]])
    b = torch.tensor([[0.5]])
    assert torch.equal(predict(X, w, b), torch.tensor([[2.5], [4.5], [0.5]], dtype=torch.float64))
    assert torch.equal(predict(X, w, b, "none"), torch.tensor([[2.5], [4.5], [-5.5]], dtype=torch.float64))


@pytest.mark.parametrize("w_value", [0.3, 1e-8, 0.0, -0.0, -1e-8, -0.2])
def test_relu_and_none_differ_only_when_w_is_negative(data, w_value):
    # on the original data every x > 0, so the clamp bites exactly when w < 0, and then at every row
    X, _ = data
    w = torch.tensor([[w_value]], dtype=torch.float64)
    b = torch.tensor([[0.4]], dtype=torch.float64)
    relu, none = predict(X, w, b, "relu"), predict(X, w, b, "none")
    if w_value < 0:
        assert bool((relu != none).all())
        assert bool((relu == 0.4).all())  # clamped to 0, plus b
    else:
        assert torch.equal(relu, none)


def test_relu_clamps_exactly_the_rows_with_negative_pre_activation():
    # with mixed-sign x, the two activations differ on exactly the rows where x w < 0
    X = torch.linspace(-2, 2, 9, dtype=torch.float64).reshape(9, 1)
    w = torch.tensor([[-0.7]], dtype=torch.float64)
    b = torch.zeros(1, 1, dtype=torch.float64)
    differ = predict(X, w, b, "relu") != predict(X, w, b, "none")
    assert torch.equal(differ, X * -0.7 < 0)


def test_predict_does_not_modify_its_inputs(data):
    X, _ = data
    w, b = init_params(0)
    X0, w0, b0 = X.clone(), w.clone(), b.clone()
    predict(X, w, b)
    assert torch.equal(X, X0) and torch.equal(w, w0) and torch.equal(b, b0)


def test_predict_keeps_the_graph_for_autograd(data):
    # the notebooks call predict on requires_grad parameters; d(sum y_hat)/db must be n = 40 exactly
    X, _ = data
    w = torch.full((1, 1), 0.5, requires_grad=True)
    b = torch.full((1, 1), 0.1, requires_grad=True)
    predict(X, w, b).sum().backward()
    assert b.grad.item() == 40.0
    # d(sum relu(x w))/dw = sum x while w > 0; in float32 (w's dtype) after the float64 sum: tolerance 1 float32 ulp
    assert abs(w.grad.item() - X.sum().item()) <= 41.5 * 2**-23
