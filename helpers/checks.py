"""Argument checks shared by every helper: fail fast, name the argument, say what was expected."""

from __future__ import annotations

import math
import numbers

import torch

ACTIVATIONS = ("relu", "none")
LOSSES = ("sum", "mean")


def check_matrix(name: str, t: object, n: int | None = None) -> torch.Tensor:
    """check that t is a finite floating tensor of shape (n, 1)."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (n, 1), got {type(t).__name__}")
    if not t.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {t.dtype}")
    if t.dim() != 2 or t.shape[1] != 1:
        raise ValueError(f"{name} must have shape (n, 1), got {tuple(t.shape)}")
    if n is not None and t.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows to match X, got {t.shape[0]}")
    if t.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {tuple(t.shape)}")
    if math.isfinite(t.sum().item()):  # NaN and inf spread into the sum: one read, no copy of t
        return t
    bad = ~torch.isfinite(t)  # the sum was not finite: find the culprit (or an overflow of finite values)
    if bool(bad.any()):
        i = int(bad.nonzero()[0, 0])
        first = t[i, 0].item()
        raise ValueError(f"{name} must be finite, got {int(bad.sum())} NaN or inf value(s), the first at row {i}: {first}")
    return t


def check_data(X: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """check a data pair X: (n, 1), y: (n, 1) of one floating dtype on one device."""
    X = check_matrix("X", X)
    y = check_matrix("y", y, n=X.shape[0])
    if X.dtype != y.dtype:
        raise TypeError(f"X and y must share a dtype, got X: {X.dtype} and y: {y.dtype}")
    if X.device != y.device:
        raise ValueError(f"X and y must be on one device, got X on {X.device} and y on {y.device}")
    return X, y


def check_dtype(dtype: object, name: str = "dtype") -> torch.dtype:
    """check that dtype is a floating torch.dtype (an integer one would truncate the data)."""
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"{name} must be a floating torch.dtype such as torch.float64, got {dtype!r}")
    return dtype


def check_param(name: str, t: object, device: torch.device | None = None) -> torch.Tensor:
    """check a (1, 1) finite floating parameter tensor."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (1, 1), got {type(t).__name__}")
    if not t.is_floating_point():
        raise TypeError(f"{name} must have a floating dtype, got {t.dtype}")
    if tuple(t.shape) != (1, 1):
        raise ValueError(f"{name} must have shape (1, 1), got {tuple(t.shape)}")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"{name} must be finite, got {t.item()}")
    if device is not None and t.device != device:
        raise ValueError(f"{name} must be on the data's device {device}, got {t.device}")
    return t


def check_lr(lr: object, name: str = "lr") -> float:
    """check a learning rate: a real number, finite and > 0."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {lr!r} ({type(lr).__name__})")
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {lr!r}")
    return lr


def check_count(n: object, name: str = "num_updates") -> int:
    """check a count of updates: an int >= 0 (not a float, not a bool)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative int, got {n!r} ({type(n).__name__})")
    if n < 0:
        raise ValueError(f"{name} must be >= 0, got {n}")
    return int(n)


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """check that value is one of the allowed strings."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return str(value)
