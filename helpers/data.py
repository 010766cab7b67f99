"""The 40 points of the original experiment, the true line, and seeded noisy variants."""

from __future__ import annotations

import torch

from helpers.checks import check_device, check_dtype, check_matrix, check_noise, check_seed, check_sigma, check_uniform

# The raw inputs of the original post, in its order. Dividing by 100 puts them on [0.01, 3.001].
RAW_X: tuple[float, ...] = (
    1.0, 20.4, 30.5, 7.5, 9.9, 100.9, 200.1, 45.1, 150.1, 7.0,
    29.4, 31.5, 157.3, 10.9, 120.6, 16.9, 201.1, 21.1, 300.1, 21.0,
    120.4, 230.5, 37.5, 49.9, 230.0, 109.9, 121.1, 145.1, 157.1, 17.0,
    219.4, 131.5, 187.3, 210.9, 290.6, 126.9, 71.1, 91.1, 19.1, 100.0,
)  # fmt: skip
SCALE = 100.0
TRUE_W = 0.175
TRUE_B = 0.4


def true_line(X: torch.Tensor) -> torch.Tensor:
    """y = 0.175 x + 0.4, elementwise.  X: (n, 1) -> (n, 1)"""
    X = check_matrix("X", X)
    return X * TRUE_W + TRUE_B


def original_data(
    dtype: torch.dtype = torch.float64, device: torch.device | str | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """the 40 normalised points and their exact targets.  -> X: (40, 1), y: (40, 1)"""
    dtype = check_dtype(dtype)
    device = check_device(device)
    X = torch.tensor([[v / SCALE] for v in RAW_X], dtype=torch.float64)
    y = true_line(X)  # computed in float64 as in the original, then cast
    return X.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)


def noisy_data(sigma: float, seed: int, X: torch.Tensor | None = None, dtype: torch.dtype = torch.float64,
               device: torch.device | str | None = None) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """the true line plus N(0, sigma^2) noise, reproducible from seed, on X's device unless device is given.

    X: (n, 1) or None (the 40 points) -> X, y: (n, 1) each. The noise is drawn on the CPU, so every device gets
    the same numbers.
    """
    sigma, seed = check_sigma(sigma), check_seed(seed)
    dtype, device = check_dtype(dtype), check_device(device)
    if X is None:
        X, _ = original_data()
    X = check_matrix("X", X)
    device = X.device if device is None else device
    X = X.to(torch.float64).cpu()
    g = torch.Generator().manual_seed(seed)
    noise = torch.randn(X.shape, generator=g, dtype=torch.float64)
    y = true_line(X) + sigma * noise
    check_noise(y, sigma, dtype)
    return X.to(dtype=dtype, device=device), y.to(dtype=dtype, device=device)


def uniform_x(n: int, seed: int, low: float = 0.01, high: float = 3.001) -> torch.Tensor:
    """n inputs drawn uniformly on [low, high), the original's range by default.  -> (n, 1) float64"""
    n = check_uniform(n, low, high)  # 1 <= n <= 2**40, low < high, both finite
    g = torch.Generator().manual_seed(check_seed(seed))
    return low + (high - low) * torch.rand(n, 1, generator=g, dtype=torch.float64)
