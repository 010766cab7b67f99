"""Gradients of the loss with respect to w and b, derived by hand (notebook 04 derives them).

With r = y_hat - y and s = 2 for the sum loss or 2/n for the mean:

    dL/db = s * sum_i r_i
    dL/dw = s * sum_i r_i * x_i * m_i,   m_i = 1 if z_i = x_i w >= 0 else 0  ("relu"),  m_i = 1  ("none")

The mask keeps z_i = 0, as torch.clamp's own backward does, so these equal autograd exactly.
For w > 0, z_i >= 0 exactly where x_i >= 0 (x_i <= 0 for w < 0, every i for w = 0), so m_i x_i is x
clamped to w's sign, and relu(x_i w) = (m_i x_i) w.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from helpers.checks import ACTIVATIONS, LOSSES, check_choice, check_data, check_param

CHUNK = 1 << 16  # rows per block on a CPU: a block of x, y and r fits in cache (about 1.5 MB in float64)


class Gradients(NamedTuple):
    """dL/dw and dL/db, each (1, 1) in the data's dtype."""

    w: torch.Tensor
    b: torch.Tensor


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


def grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str = "sum", activation: str = "relu"
) -> Gradients:
    """dL/dw and dL/db by the formulas above.  X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> Gradients

    No graph is recorded: inputs that require grad are used detached.
    """
    X, y = check_data(X, y)
    w = check_param("w", w, X.device)
    b = check_param("b", b, X.device)
    X, y, w, b = (t.detach() for t in (X, y, w, b))
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    return loss_and_grad(X, y, w, b, loss, activation)[1]


def autograd_grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str = "sum", activation: str = "relu"
) -> Gradients:
    """the same gradients from autograd, for checking the hand-derived ones.  -> Gradients in the data's dtype"""
    from helpers.losses import loss_value
    from helpers.model import predict

    X, y = check_data(X, y)
    w, b = check_param("w", w, X.device), check_param("b", b, X.device)
    w = w.detach().to(X.dtype).requires_grad_(True)
    b = b.detach().to(X.dtype).requires_grad_(True)
    loss_value(predict(X, w, b, activation), y, loss).backward()
    return Gradients(w.grad, b.grad)
