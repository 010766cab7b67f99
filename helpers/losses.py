"""Squared-error losses: the original's sum, and the mean that PyTorch's nn.MSELoss uses by default."""

from __future__ import annotations

import torch

from helpers.checks import LOSSES, check_choice, check_matrix


def _pair(y_hat: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """check y_hat: (n, 1) and y: (n, 1): an (n,) y_hat would broadcast y - y_hat to (n, n) without a word."""
    y_hat = check_matrix("y_hat", y_hat)
    y = check_matrix("y", y, n=y_hat.shape[0])
    if y.device != y_hat.device:
        raise ValueError(f"y_hat and y must be on one device, got y_hat on {y_hat.device} and y on {y.device}")
    return y_hat, y


def sse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """sum of squared errors, sum_i (y_i - y_hat_i)^2.  (n, 1), (n, 1) -> scalar"""
    y_hat, y = _pair(y_hat, y)
    return (y - y_hat).pow(2).sum()


def mse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """mean squared error, sse / n.  (n, 1), (n, 1) -> scalar"""
    y_hat, y = _pair(y_hat, y)
    return (y - y_hat).pow(2).mean()


def loss_value(y_hat: torch.Tensor, y: torch.Tensor, loss: str = "sum") -> torch.Tensor:
    """sse for loss="sum", mse for loss="mean", after checking shapes.  (n, 1), (n, 1) -> scalar"""
    check_choice("loss", loss, LOSSES)
    return sse(y_hat, y) if loss == "sum" else mse(y_hat, y)
