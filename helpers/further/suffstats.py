"""Sufficient statistics: for squared error on one feature, a few sums fix every loss and gradient.

With S_x = sum x, S_xx = sum x^2, S_y, S_xy, S_yy and n (over the points whose pre-activation is
active), the sum loss and its gradients are

    L     = w^2 S_xx + 2 w b S_x - 2 w S_xy + n b^2 - 2 b S_y + S_yy
    dL/dw = 2 (w S_xx + b S_x - S_xy)
    dL/db = 2 (n b - S_y + w S_x)

so one pass over the data makes every later update O(1), whatever n is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from helpers.checks import (
    CHUNK,
    check_data,
)  # CHUNK: rows per pass, small enough that a chunk's sums read it from cache


@dataclass(frozen=True)
class Sums:
    """sums over one set of points, as Python floats."""

    n: float
    x: float
    xx: float
    y: float
    xy: float
    yy: float


def sums(X: torch.Tensor, y: torch.Tensor) -> Sums:
    """n, S_x, S_xx, S_y, S_xy, S_yy in one pass, chunk by chunk, accumulated in float64.  X, y: (n, 1)"""
    X, y = check_data(X, y)
    return _sums(X.detach(), y.detach())[0]


def _sums(X: torch.Tensor, y: torch.Tensor, with_min: bool = False) -> tuple[Sums, float]:
    """sums(X, y) and, if asked, min(x), found in the same pass (nan if not asked)."""
    parts, lows = [], []
    for i in range(0, X.shape[0], CHUNK):
        x, t = X[i : i + CHUNK, 0].double(), y[i : i + CHUNK, 0].double()
        parts.append(torch.stack([x.sum(), x.dot(x), t.sum(), x.dot(t), t.dot(t)]))
        if with_min:  # while the chunk is in cache: cheaper than another pass over X
            lows.append(x.amin())
    total = torch.stack(parts).sum(0).tolist() if parts else [0.0] * 5
    return Sums(float(X.shape[0]), *total), float(torch.stack(lows).min()) if with_min else math.nan


def stats_step(
    X: torch.Tensor, y: torch.Tensor, loss: str, activation: str
) -> Callable[..., tuple[float, float, float]]:
    """a training step (w, b) -> (loss, dL/dw, dL/db) that never touches X or y again.  X, y: (n, 1)"""
    every, low = _sums(X, y, with_min=activation == "relu")
    pos = neg = every
    if activation == "relu":  # the ReLU passes x w only where it is > 0: for w > 0 where x > 0
        x = X[:, 0]
        high = float(x.amax()) if low <= 0 else math.inf  # another pass only where some x <= 0
        empty = Sums(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # no point on that side: skip the masked copies
        if low <= 0:
            pos = _sums(X[x > 0], y[x > 0])[0] if high > 0 else empty
        if high >= 0:
            neg = _sums(X[x < 0], y[x < 0])[0] if low < 0 else empty
    s = 1.0 if loss == "sum" else 1.0 / every.n

    def step(w: torch.Tensor, b: torch.Tensor) -> tuple[float, float, float]:
        w_, b_ = w.item(), b.item()
        A = every if w_ == 0 else pos if w_ > 0 else neg  # the active points (all of them for "none")
        L = w_ * w_ * A.xx + 2 * w_ * b_ * A.x - 2 * w_ * A.xy + every.n * b_ * b_ - 2 * b_ * every.y + every.yy
        dw = 2 * (w_ * A.xx + b_ * A.x - A.xy)
        db = 2 * (every.n * b_ - every.y + w_ * A.x)
        return s * max(L, 0.0), s * dw, s * db  # the expanded L can round below 0 near the minimum

    return step
