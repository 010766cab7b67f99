"""Argument checks shared by every helper: fail fast, name the argument, say what was expected."""

from __future__ import annotations

import math
import numbers

import torch

from helpers.parameters import MAX_SEED  # torch.Generator.manual_seed takes 0 .. 2**64 - 1

ACTIVATIONS = ("relu", "none")
LOSSES = ("sum", "mean")


FLOATS = (torch.float32, torch.float64)  # float16 and bfloat16 round the data too coarsely; complex has no order


def _check_holds_values(name: str, t: torch.Tensor) -> None:
    """meta tensors have a shape and a dtype but no values: nothing can be computed from them."""
    if t.is_meta:
        raise ValueError(
            f"{name} is a meta tensor (device 'meta'), which holds no values; expected a tensor on 'cpu' or 'cuda'"
        )


def check_matrix(name: str, t: object, n: int | None = None) -> torch.Tensor:
    """check that t is a finite float32 or float64 tensor of shape (n, 1), with values (not on device 'meta')."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (n, 1), got {type(t).__name__}")
    if t.dtype not in FLOATS:
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {t.dtype}")
    if t.dim() != 2 or t.shape[1] != 1:
        raise ValueError(f"{name} must have shape (n, 1), got {tuple(t.shape)}")
    if n is not None and t.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows to match X, got {t.shape[0]}")
    if t.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {tuple(t.shape)}")
    _check_holds_values(name, t)
    if math.isfinite(t.detach().sum().item()):  # NaN and inf spread into the sum: one read, no copy of t
        return t
    bad = ~torch.isfinite(t.detach())  # the sum was not finite: find the culprit (or an overflow of finite values)
    if bool(bad.any()):
        i = int(bad.nonzero()[0, 0])
        first = t[i, 0].item()
        raise ValueError(
            f"{name} must be finite, got {int(bad.sum())} NaN or inf value(s), the first at row {i}: {first}"
        )
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
    """check that dtype is torch.float32 or torch.float64 (an integer one would truncate the data, float16 round it)."""
    if not isinstance(dtype, torch.dtype) or dtype not in FLOATS:
        raise TypeError(f"{name} must be a floating torch.dtype (torch.float32 or torch.float64), got {dtype!r}")
    return dtype


def check_device(device: object, name: str = "device") -> torch.device | None:
    """check that device is None, a torch.device or a name like "cpu" or "cuda:0" that this machine has.

    -> torch.device, or None (None means: where the data already are).
    """
    if device is None:
        return None
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"{name} must be a torch.device or a name such as 'cpu' or 'cuda', got {device!r} "
                        f"({type(device).__name__})")  # fmt: skip
    try:
        device = torch.device(device)
    except RuntimeError:
        raise ValueError(f"{name} must name a device such as 'cpu' or 'cuda:0', got {device!r}") from None
    if device.type == "meta":
        raise ValueError(f"{name} must hold values; 'meta' holds none: expected a device such as 'cpu' or 'cuda'")
    try:
        torch.empty(0, device=device)
    except (RuntimeError, AssertionError) as e:  # no CUDA build, no driver, no such device index
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"{name} {str(device)!r} is not available on this machine: {reason}") from None
    return device


def check_seed(seed: object, name: str = "seed") -> int:
    """check a seed for torch.Generator.manual_seed: an int in [0, 2**64 - 1] (not a float, not a bool)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative int, got {seed!r} ({type(seed).__name__})")
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"{name} must be an int in [0, 2**64 - 1], got {seed}")
    return int(seed)


def check_param(name: str, t: object, device: torch.device | None = None) -> torch.Tensor:
    """check a (1, 1) finite float32 or float64 parameter tensor, with a value (not on device 'meta')."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (1, 1), got {type(t).__name__}")
    if t.dtype not in FLOATS:
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {t.dtype}")
    if tuple(t.shape) != (1, 1):
        raise ValueError(f"{name} must have shape (1, 1), got {tuple(t.shape)}")
    _check_holds_values(name, t)
    if not bool(torch.isfinite(t.detach()).all()):
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
