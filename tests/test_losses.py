"""helpers.losses: the original's summed squared error and the mean PyTorch defaults to."""

from __future__ import annotations

import pytest
import torch

from helpers import init_params, loss_value, mse, predict, sse


def test_sse_and_mse_known_values():
    # exact: residuals 1, -2, 0.5 give 1 + 4 + 0.25 = 5.25, all exact in binary
    y_hat = torch.tensor([[1.0], [0.0], [2.5]], dtype=torch.float64)
    y = torch.tensor([[0.0], [2.0], [2.0]], dtype=torch.float64)
    assert sse(y_hat, y).item() == 5.25
    assert mse(y_hat, y).item() == 5.25 / 3
    assert loss_value(y_hat, y, "sum").item() == 5.25
    assert loss_value(y_hat, y, "mean").item() == 5.25 / 3


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_loss_matches_the_originals_expression(data, seed):
    # exact: the original's loss is (y - y_pred).pow(2).sum(), which sse spells the same way
    X, y = data
    w, b = init_params(seed)
    y_pred = X.mm(w.double()).clamp(min=0).add(b.double())
    assert torch.equal(loss_value(predict(X, w, b), y), (y - y_pred).pow(2).sum())
    # the mean agrees with PyTorch's nn.MSELoss (default reduction "mean"); the two reduce in different
    # orders, so allow float64 rounding: 1e-15 relative on a sum of 40 positive terms
    mean = loss_value(predict(X, w, b), y, "mean")
    torch.testing.assert_close(mean, torch.nn.MSELoss()(y_pred, y), rtol=1e-15, atol=0)


def test_zero_loss_on_the_true_line(data):
    X, y = data
    w = torch.tensor([[0.175]], dtype=torch.float64)
    b = torch.tensor([[0.4]], dtype=torch.float64)
    # y was built as x * 0.175 + 0.4 and predict computes x * 0.175 + 0.4: the same float64 ops, so exactly 0
    assert loss_value(predict(X, w, b), y).item() == 0.0


def test_loss_value_checks(data):
    _, y = data
    with pytest.raises(ValueError, match=r"loss must be one of 'sum', 'mean'; got 'l1'"):
        loss_value(y, y, "l1")
    with pytest.raises(ValueError, match=r"y must have 40 rows to match X, got 39"):
        loss_value(y, y[:39])
    with pytest.raises(ValueError, match=r"y_hat must have shape \(n, 1\), got \(40,\)"):
        loss_value(y[:, 0], y)


@pytest.mark.parametrize("fn", [sse, mse])
def test_sse_and_mse_refuse_shapes_that_would_broadcast(data, fn):
    """(40, 1) against (40,) broadcasts y - y_hat to (40, 40): 40 times too many terms, and no error from torch."""
    _, y = data
    assert (y - y[:, 0]).shape == (40, 40)  # the silent mistake these checks stop
    with pytest.raises(ValueError, match=r"y must have shape \(n, 1\), got \(40,\)"):
        fn(y, y[:, 0])
    with pytest.raises(ValueError, match=r"y_hat must have shape \(n, 1\), got \(40,\)"):
        fn(y[:, 0], y)
    with pytest.raises(ValueError, match=r"y must have 40 rows to match X, got 39"):
        fn(y, y[:39])
    with pytest.raises(ValueError, match=r"y_hat must be finite, got 1 NaN .* row 3: nan"):
        fn(y.clone().index_fill_(0, torch.tensor([3]), float("nan")), y)
    assert fn(y + 0.5, y).item() == pytest.approx(0.25 * (40 if fn is sse else 1), abs=1e-12)  # exact in binary
