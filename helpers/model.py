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
    dtype, device = check_dtype(dtype), check_device(device)
    w = torch.rand(1, 1, generator=g)
    b = torch.rand(1, 1, generator=g)
    return w.to(dtype=dtype, device=device), b.to(dtype=dtype, device=device)


def forward(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor, activation: str = "relu") -> torch.Tensor:
    """the forward pass without checks, op for op the original's: X.mm(w), clamp(min=0), + b (w, b in X's dtype).

    Every helper that runs the model runs this. X: (n, 1), w: (1, k), b: (1, k) -> (n, k)
    """
    z = X.mm(w.to(X.dtype))  # the pre-activations z_i = x_i w
    return (z.clamp(min=0) if activation == "relu" else z) + b.to(X.dtype)


def predict(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor, activation: str = "relu") -> torch.Tensor:
    """y_hat = clamp(X w, min=0) + b for "relu" (the original), X w + b for "none".

    X: (n, 1), w: (1, 1), b: (1, 1) -> y_hat: (n, 1) in X's dtype
    """
    X = check_matrix("X", X)
    w, b = check_param("w", w, X.device), check_param("b", b, X.device)
    check_choice("activation", activation, ACTIVATIONS)
    return forward(X, w, b, activation)


def relu_is_dead(w: float, x_min: float, x_max: float) -> bool:
    """every pre-activation x_i w <= 0 with w != 0 (x_min, x_max: the ends of x): clamp passes w no gradient, ever."""
    return (w > 0 and x_max <= 0) or (w < 0 and x_min >= 0)
