"""Gradients of the loss with respect to w and b, derived by hand (notebook 04 derives them).

With r = y_hat - y and s = 2 for the sum loss or 2/n for the mean:

    dL/db = s * sum_i r_i
    dL/dw = s * sum_i r_i * x_i * m_i,   m_i = 1 if z_i = x_i w >= 0 else 0  ("relu"),  m_i = 1  ("none")

The mask keeps z_i = 0, as torch.clamp's own backward does, so these equal autograd exactly.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from .checks import ACTIVATIONS, LOSSES, check_choice, check_data, check_param
from .model import pre_activation


class Gradients(NamedTuple):
    """dL/dw and dL/db, each (1, 1) in the data's dtype."""

    w: torch.Tensor
    b: torch.Tensor


def loss_and_grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str, activation: str
) -> tuple[torch.Tensor, Gradients]:
    """loss and hand gradients in one pass, without checks (the training loop's inner step).

    X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> scalar, Gradients
    """
    z = pre_activation(X, w)  # (n, 1): the only full-size float buffer this step allocates
    scale = 2.0 if loss == "sum" else 2.0 / X.shape[0]
    clamped = z < 0 if activation == "relu" else None  # (n, 1) bool: where the ReLU blocks the gradient
    r = z.clamp_(min=0) if clamped is not None else z
    r = r.add_(b.to(X.dtype)).sub_(y)  # r = y_hat - y, built in place in z's buffer
    value = r.t().mm(r).reshape(())  # sum of r_i^2 as one dot product
    if loss == "mean":
        value = value / X.shape[0]
    db = r.sum().mul_(scale).reshape(1, 1)
    if clamped is not None:
        r = r.masked_fill_(clamped, 0.0)
    dw = X.t().mm(r).mul_(scale)  # (1, n) @ (n, 1) -> (1, 1)
    return value, Gradients(dw, db)


def grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str = "sum", activation: str = "relu"
) -> Gradients:
    """dL/dw and dL/db by the formulas above.  X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> Gradients"""
    X, y = check_data(X, y)
    w = check_param("w", w, X.device)
    b = check_param("b", b, X.device)
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    return loss_and_grad(X, y, w, b, loss, activation)[1]


def autograd_grad(
    X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str = "sum", activation: str = "relu"
) -> Gradients:
    """the same gradients from autograd, for checking the hand-derived ones.  -> Gradients in the data's dtype"""
    from .losses import loss_value
    from .model import predict

    w = w.detach().to(X.dtype).requires_grad_(True)
    b = b.detach().to(X.dtype).requires_grad_(True)
    loss_value(predict(X, w, b, activation), y, loss).backward()
    return Gradients(w.grad, b.grad)
