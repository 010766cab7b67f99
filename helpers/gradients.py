"""Gradients of the loss with respect to w and b, derived by hand (notebook 04 derives them).

With the residual r_i = y_hat_i - y_i, the pre-activation z_i = x_i w and s = 2 for the sum loss or 2/n for the mean:

    dL/db = s * sum_i r_i
    dL/dw = s * sum_i r_i * x_i * m_i,   m_i = 1 if z_i >= 0 else 0  ("relu"),  m_i = 1  ("none")

The mask keeps z_i = 0, as torch.clamp's own backward does, so these equal autograd's up to rounding.
helpers.further.blocked computes the same sums in one cache-friendly pass, for data too large to hold twice.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

from helpers.checks import check_grad_args
from helpers.losses import loss_value
from helpers.model import forward, predict


class Gradients(NamedTuple):
    """dL/dw and dL/db, each (1, 1) in the data's dtype."""

    w: torch.Tensor
    b: torch.Tensor


def loss_and_hand_grad(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str,
                       activation: str) -> tuple[torch.Tensor, Gradients]:  # fmt: skip
    """the loss and the formulas above from one forward pass, without checks (w and b in X's dtype): grad's body,
    and each update of train(method="hand")."""
    s = 2.0 if loss == "sum" else 2.0 / X.shape[0]  # dL/dy_hat_i = s r_i
    r = forward(X, w, b, activation) - y  # (n, 1) residuals r_i = y_hat_i - y_i
    z = X.mm(w)  # (n, 1) pre-activations z_i = x_i w
    m = (z >= 0).to(X.dtype) if activation == "relu" else torch.ones_like(z)  # the mask m_i: 1 where clamp passes
    value = r.pow(2).sum() if loss == "sum" else r.pow(2).mean()  # the loss itself: sum or mean of r_i^2
    return value, Gradients(w=s * (r * X * m).sum().reshape(1, 1), b=s * r.sum().reshape(1, 1))


def grad(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str = "sum",
         activation: str = "relu") -> Gradients:  # fmt: skip
    """dL/dw and dL/db by the formulas above.  X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> Gradients

    No graph is recorded: inputs that require grad are used detached.
    """
    X, y, w, b = check_grad_args(X, y, w, b, loss, activation)  # detached; w and b in X's dtype
    return loss_and_hand_grad(X, y, w, b, loss, activation)[1]


def autograd_grad(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, loss: str = "sum",
                  activation: str = "relu") -> Gradients:  # fmt: skip
    """the same gradients from autograd, for checking the hand-derived ones.  -> Gradients in the data's dtype"""
    X, y, w, b = check_grad_args(X, y, w, b, loss, activation)  # detached; w and b in X's dtype
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    loss_value(predict(X, w, b, activation), y, loss).backward()
    return Gradients(w.grad, b.grad)  # type: ignore[arg-type]
