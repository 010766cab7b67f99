"""The one-neuron model: y_hat = relu(X w) + b as in the original, or plain X w + b."""

from __future__ import annotations

import torch

from helpers.checks import ACTIVATIONS, check_choice, check_device, check_dtype, check_matrix, check_param, check_seed


def init_params(
    seed: int, dtype: torch.dtype = torch.float32, device: torch.device | str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """w, b ~ U[0, 1), drawn as the original draws them (float32, w first) but from a seeded generator.

    Gives the same numbers as torch.manual_seed(seed) followed by two torch.rand(1, 1) calls,
    on every device.  seed: an int in [0, 2**64 - 1].  -> w: (1, 1), b: (1, 1)
    """
    g = torch.Generator().manual_seed(check_seed(seed))
    dtype = check_dtype(dtype)
    device = check_device(device)
    w = torch.rand(1, 1, generator=g)
    b = torch.rand(1, 1, generator=g)
    return w.to(dtype=dtype, device=device), b.to(dtype=dtype, device=device)


def pre_activation(X: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """z = X w, with w cast to X's dtype as the original does.  X: (n, 1), w: (1, 1) -> (n, 1)"""
    X = check_matrix("X", X)
    return X.mm(check_param("w", w, X.device).to(X.dtype))


def predict(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor, activation: str = "relu") -> torch.Tensor:
    """y_hat = clamp(X w, min=0) + b for "relu" (the original), X w + b for "none".

    X: (n, 1), w: (1, 1), b: (1, 1) -> y_hat: (n, 1) in X's dtype
    """
    X = check_matrix("X", X)
    w = check_param("w", w, X.device)
    b = check_param("b", b, X.device)
    check_choice("activation", activation, ACTIVATIONS)
    z = X.mm(w.to(X.dtype))  # pre_activation(X, w), its checks made above
    if activation == "relu":
        z = z.clamp(min=0)
    return z + b.to(X.dtype)
