"""The hand gradient of helpers.gradients, arranged for large N: one pass over the data in cache-sized blocks.

train(method="blocked") uses it; notebook 11 times it against the plain formulas. The sums are those of
helpers.gradients.grad. For w > 0, z_i = x_i w >= 0 exactly where x_i >= 0 (x_i <= 0 for w < 0, every i for
w = 0), so m_i x_i is x clamped to w's sign, and relu(x_i w) = (m_i x_i) w: the ReLU model is the linear one on
the masked x, and no mask is ever stored.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from helpers.checks import CHUNK
from helpers.gradients import Gradients


def loss_and_grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str, activation: str
) -> tuple[torch.Tensor, Gradients]:
    """loss and hand gradients in one pass, without checks (the training loop's inner step).

    X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> scalar, Gradients

    On a CPU it runs over blocks of CHUNK rows, so X and y are read from memory once per call and the
    residuals of a block are still in cache when they are summed; its buffers are one block long.
    """
    n = X.shape[0]
    w_, b_ = w.to(X.dtype), b.to(X.dtype)
    # m_i x_i is x_i where x_i has w's sign, else 0: the ReLU model is the linear one on the masked x
    sign = w_.item() if activation == "relu" else 0.0
    rows = CHUNK if X.device.type == "cpu" else n  # a GPU reads the whole array in one pass anyway
    r_buf = X.new_empty(min(n, rows), 1)  # r = y_hat - y of one block
    x_buf = torch.empty_like(r_buf) if sign != 0.0 else None  # m * x of one block
    low, high = (0.0, None) if sign > 0 else (None, 0.0)
    squares, residuals, moments = [], [], []  # per block: sum r_i^2, sum r_i, sum r_i m_i x_i
    for i in range(0, n, rows):
        x, t = X[i : i + rows], y[i : i + rows]
        if x_buf is not None:
            x = torch.clamp(x, low, high, out=x_buf[: x.shape[0]])
        r = torch.mul(x, w_, out=r_buf[: x.shape[0]]).add_(b_).sub_(t).view(-1)
        squares.append(r.dot(r))
        residuals.append(r.sum())
        moments.append(x.reshape(-1).dot(r))
    scale = 2.0 if loss == "sum" else 2.0 / n
    value = _total(squares) if loss == "sum" else _total(squares) / n
    return value, Gradients(_total(moments).mul(scale).reshape(1, 1), _total(residuals).mul(scale).reshape(1, 1))


def _total(parts: list[torch.Tensor]) -> torch.Tensor:
    """the sum of per-block partial sums (0-d tensors)."""
    return parts[0] if len(parts) == 1 else torch.stack(parts).sum()


def blocked_step(
    X: torch.Tensor, y: torch.Tensor, loss: str, activation: str
) -> Callable[[torch.Tensor, torch.Tensor], tuple[float, torch.Tensor, torch.Tensor]]:
    """train(method="blocked")'s step: (w, b) -> (loss, dL/dw, dL/db), by loss_and_grad.  X, y: (n, 1)"""

    def step(w: torch.Tensor, b: torch.Tensor) -> tuple[float, torch.Tensor, torch.Tensor]:
        value, g = loss_and_grad(X, y, w, b, loss, activation)
        return value.item(), g.w, g.b

    return step
