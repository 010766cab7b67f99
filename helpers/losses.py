"""Squared-error losses: the original's sum, and the mean that PyTorch's nn.MSELoss uses by default."""

from __future__ import annotations

import torch

from helpers.checks import LOSSES, check_choice, check_prediction


def squared_error(y_hat: torch.Tensor, y: torch.Tensor, loss: str = "sum") -> torch.Tensor:
    """the loss without checks, as the original computes it: (y - y_hat)^2, summed ("sum") or averaged ("mean")."""
    sq = (y - y_hat).pow(2)
    return sq.sum() if loss == "sum" else sq.mean()


def sse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """sum of squared errors, sum_i (y_i - y_hat_i)^2.  (n, 1), (n, 1) -> scalar"""
    return squared_error(*check_prediction(y_hat, y), "sum")


def mse(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """mean squared error, sse / n.  (n, 1), (n, 1) -> scalar"""
    return squared_error(*check_prediction(y_hat, y), "mean")


def loss_value(y_hat: torch.Tensor, y: torch.Tensor, loss: str = "sum") -> torch.Tensor:
    """sse for loss="sum", mse for loss="mean", after checking shapes.  (n, 1), (n, 1) -> scalar"""
    check_choice("loss", loss, LOSSES)
    return sse(y_hat, y) if loss == "sum" else mse(y_hat, y)
