"""Checkers for 11_scaling_up.ipynb: the floor on paper, the loss from six sums, uneven shards.

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
from helpers.solve import closed_form


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
def check_stats_loss(answer: object, n: int = 100_000, seed: int = 0) -> Verdict:
    """the summed loss of the linear model at the least-squares solution of problem(n, seed)'s points."""
    X, y, w0, b0 = _data(n, seed)
    w, b = (v.item() for v in closed_form(X, y))
    x, t = X[:, 0], y[:, 0]
    S_x, S_xx, S_y, S_xy, S_yy = (s.item() for s in (x.sum(), x.dot(x), t.sum(), x.dot(t), t.dot(t)))
    loss = (X * w + b - y).pow(2).sum().item()  # straight from the data: no expansion, no cancellation
    return compare_number(
        answer,
        loss,
        name="your loss",
        n=n,
        mistakes=[
            Mistake(
                loss - S_yy,
                "S_yy is missing: the gradient never needs it, as it does not depend on (w, b), but the loss does",
            ),
            Mistake(loss - (n - 1) * b * b, "the b² term: b² summed over the N points is N b², not b²"),
            Mistake(
                w * w * S_xx + w * b * S_x - w * S_xy + n * b * b - b * S_y + S_yy,
                "each cross term of the square comes twice: 2 w b S_x, −2 w S_xy and −2 b S_y",
            ),
            Mistake(
                (X * w0 + b0 - y).pow(2).sum().item(),
                "that is the loss at the start (w0, b0); the exercise asks for it at the least-squares solution",
            ),
            Mistake(
                n * 0.05**2,
                "that is N σ², what the noise alone gives on average; the exercise asks for this data set's loss, "
                "from its sums",
            ),
        ],
    )


@checker
def check_shard_average(
    dw: object, db: object, shards: tuple[int, ...] = (30, 20, 14), n: int = 100_000, seed: int = 0
) -> Verdict:
    """the ranks' average of (K/B) × each shard's summed-loss gradient at the start (w0, b0) of problem(n, seed),
    shards of the first B = sum(shards) points, K = len(shards) ranks."""
    X, y, w0, b0 = _data(n, seed)
    K, B = len(shards), sum(shards)
    ends = torch.tensor([0, *shards]).cumsum(0).tolist()
    per_rank = [_both(grad(X[i:j], y[i:j], w0, b0, loss="sum", activation="none")) for i, j in pairwise(ends)]

    def average(scale: list[float], divide: float) -> tuple[float, float]:
        dw_, db_ = (sum(c * g[k] for c, g in zip(scale, per_rank)) / divide for k in (0, 1))
        return dw_, db_

    def batch_mean_at(w: float, b: float) -> tuple[float, float]:
        """the batch's mean-loss gradient at another point (w, b): the same average, taken at the wrong place."""
        w_at, b_at = (torch.tensor([[v]], dtype=torch.float64) for v in (w, b))
        return _both(grad(X[:B], y[:B], w_at, b_at, loss="mean", activation="none"))

    elsewhere = "that is the gradient at another point; every rank takes it at the start (w0, b0) of problem(n, seed)"
    whole = _both(grad(X[:B], y[:B], w0, b0, loss="mean", activation="none"))
    return _pair(
        dw,
        db,
        whole,
        [
            (
                average([1 / size for size in shards], K),
                f"you averaged each shard's own mean: with uneven shards a "
                f"point of the {min(shards)}-point shard then counts more than one of the {max(shards)}; scale each "
                "shard's sum by K/B instead",
            ),
            (average([K / B] * K, 1), "that is the sum over the ranks; DDP averages them: divide by K"),
            (average([1.0] * K, 1), "that is the gradient of the batch's summed loss; each rank scales its sum by K/B"),
            (
                average([1 / B] * K, K),
                "each rank scales its sum by K/B, not 1/B: the average over the K ranks divides the K back out",
            ),
            (
                _both(grad(X, y, w0, b0, loss="mean", activation="none")),
                f"that is the mean gradient over all {n:,} points; the batch is the first {B}",
            ),
            (batch_mean_at(0.2, 0.3), elsewhere + ", not at (0.2, 0.3)"),
            (batch_mean_at(*(v.item() for v in closed_form(X, y))), elsewhere + ", not at the least-squares θ*"),
        ],
        B,
    )
