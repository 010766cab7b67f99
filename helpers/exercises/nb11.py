"""Checkers for 11_scaling_up.ipynb: the floor on paper, the mean's gradient from five sums, uneven shards.

Nothing here is timed: each checker checks a number that follows from the bytes, the sums or the formula, and
accepts it to the four significant digits the notebook prints (compare_number's default tolerance).
"""

from __future__ import annotations

from itertools import pairwise

import torch

from helpers.data import noisy_data, original_data, uniform_x
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.gradients import Gradients, grad
from helpers.model import init_params


def _pair(
    dw: object, db: object, expected: tuple[float, float], mistakes: list[tuple[tuple[float, float], str]], n: int
) -> Verdict:
    """dL/dw, then dL/db, against expected; each known mistake is a (dw, db) pair with one hint for both."""
    first = compare_number(
        dw, expected[0], name="your dL/dw", n=n, mistakes=[Mistake(m[0], hint) for m, hint in mistakes]
    )
    if not first:
        return first
    return compare_number(
        db, expected[1], name="your dL/db", n=n, mistakes=[Mistake(m[1], hint) for m, hint in mistakes]
    )


def _data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """the notebook's points and start, as helpers.further.distributed.problem(n, seed) builds them (rebuilt here:
    the exercises do not import helpers.further): x uniform from the next seed, the noise (sigma 0.05) from seed,
    init_params(seed).  -> X, y (n, 1); w0, b0 (1, 1); float64"""
    X, y = noisy_data(0.05, seed, X=uniform_x(n, (seed + 1) % 2**64))
    return X, y, *init_params(seed, dtype=torch.float64)


def _both(g: Gradients) -> tuple[float, float]:
    """(dL/dw, dL/db) as floats."""
    return g.w.item(), g.b.item()


@checker
def check_floor_seconds(answer: object, n: int = 10**7, bandwidth: float = 2e10) -> Verdict:
    """the floor in seconds: the bytes of n float64 points (x and y) divided by bandwidth (bytes per second)."""
    X, y = original_data()  # float64 by default, like the notebook's points
    per_point = X.element_size() + y.element_size()  # bytes of one x and one y
    seconds = per_point * n / bandwidth
    return compare_number(
        answer,
        seconds,
        name="your floor",
        mistakes=[
            Mistake(seconds / 2, "that counts half the bytes: both x and y travel, and each is a float64, 8 bytes"),
            Mistake(seconds * 8, "that counts bits; the bandwidth is in bytes per second"),
            Mistake(seconds * 1e3, "that looks like milliseconds; the exercise asks for seconds"),
            Mistake(seconds * 1e6, "that looks like microseconds; the exercise asks for seconds"),
            Mistake(
                seconds * 1e9 / 2**30, "a GB here is 10^9 bytes, not 2^30: the bandwidth is 2 × 10^10 bytes per second"
            ),
            Mistake(1 / seconds, "upside down: the time is the bytes divided by the bytes per second"),
        ],
    )


@checker
def check_mean_stats_grad(
    dw: object, db: object, w: float = 0.2, b: float = 0.3, n: int = 100_000, seed: int = 0
) -> Verdict:
    """(dL/dw, dL/db) of the mean loss, no ReLU, at (w, b), on the points of problem(n, seed)."""
    X, y, w0, b0 = _data(n, seed)
    w_at, b_at = (torch.tensor([[float(v)]], dtype=torch.float64) for v in (w, b))
    mean = _both(grad(X, y, w_at, b_at, loss="mean", activation="none"))
    total = _both(grad(X, y, w_at, b_at, loss="sum", activation="none"))
    start = _both(grad(X, y, w0, b0, loss="mean", activation="none"))
    S_x, S_y = X.sum().item(), y.sum().item()
    return _pair(
        dw,
        db,
        mean,
        [
            (total, "that is the gradient of the summed loss; the mean divides the loss, and so its gradient, by n"),
            (mean[::-1], "your two entries are the wrong way round: dL/dw has S_xx, S_x and S_xy in it"),
            (
                (mean[0], 2 * (w * S_x + b - S_y) / n),
                "the b term: b summed over the n points is n b, so dL/db has n b in it before the division by n",
            ),
            ((mean[0] / 2, mean[1] / 2), "half of it: the square brings down a factor 2"),
            (start, f"that is the gradient at the start (w0, b0); the exercise asks for it at (w, b) = ({w}, {b})"),
        ],
        n,
    )


@checker
def check_shard_average(
    dw: object, db: object, shards: tuple[int, ...] = (30, 20, 14), n: int = 100_000, seed: int = 0
) -> Verdict:
    """the ranks' average of (p/B) × each shard's summed-loss gradient, shards of the first B = sum(shards) points."""
    X, y, w0, b0 = _data(n, seed)
    p, B = len(shards), sum(shards)
    ends = torch.tensor([0, *shards]).cumsum(0).tolist()
    per_rank = [_both(grad(X[i:j], y[i:j], w0, b0, loss="sum", activation="none")) for i, j in pairwise(ends)]

    def average(scale: list[float], divide: float) -> tuple[float, float]:
        dw_, db_ = (sum(c * g[k] for c, g in zip(scale, per_rank)) / divide for k in (0, 1))
        return dw_, db_

    whole = _both(grad(X[:B], y[:B], w0, b0, loss="mean", activation="none"))
    return _pair(
        dw,
        db,
        whole,
        [
            (
                average([1 / size for size in shards], p),
                f"you averaged each shard's own mean: with uneven shards a "
                f"point of the {min(shards)}-point shard then counts more than one of the {max(shards)}; scale each "
                "shard's sum by p/B instead",
            ),
            (average([p / B] * p, 1), "that is the sum over the ranks; DDP averages them: divide by p"),
            (average([1.0] * p, 1), "that is the gradient of the batch's summed loss; each rank scales its sum by p/B"),
            (
                average([1 / B] * p, p),
                "each rank scales its sum by p/B, not 1/B: the average over the p ranks divides the p back out",
            ),
            (
                _both(grad(X, y, w0, b0, loss="mean", activation="none")),
                f"that is the mean gradient over all {n:,} points; the batch is the first {B}",
            ),
        ],
        B,
    )
