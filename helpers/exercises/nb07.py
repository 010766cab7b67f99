"""Checkers for 07_learning_rate.ipynb: the mean loss's two rates, another start's dead-ReLU threshold, a count,
the divisor of the raw inputs with the smallest condition number."""

from __future__ import annotations

import math

import torch

from helpers.data import RAW_X, TRUE_B, TRUE_W, original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_count, compare_number
from helpers.gradients import grad
from helpers.model import init_params
from helpers.solve import spectrum


@checker
def check_mean_rates(limit: object, fastest: object) -> Verdict:
    """the stability limit 2/λmax and the fastest rate 2/(λmin + λmax) for the mean loss on the 40 points."""
    X, _ = original_data()
    n, m, s = X.shape[0], spectrum(X, "mean"), spectrum(X, "sum")
    first = compare_number(
        limit,
        m.stability_limit,
        name="your limit",
        n=n,
        mistakes=[
            Mistake(
                s.stability_limit,
                "that is the limit for the sum loss: with the mean every eigenvalue is divided "
                "by n, and 2/λmax grows by the same factor",
            ),
            Mistake(s.stability_limit / n, "the limit moved the wrong way: smaller eigenvalues allow larger steps"),
            Mistake(2 / m.lam_min, "that uses λmin; the steep direction, λmax, is the first to diverge"),
            Mistake(
                1 / m.lam_max, "1/λmax is where the steep direction starts to overshoot; it grows only past 2/λmax"
            ),
            Mistake(m.fastest_lr, "that is the fastest learning rate; the first answer is the stability limit"),
        ],
    )
    if not first:
        return first
    return compare_number(
        fastest,
        m.fastest_lr,
        name="your fastest rate",
        n=n,
        mistakes=[
            Mistake(s.fastest_lr, "that is the fastest rate for the sum loss: divide both eigenvalues by n first"),
            Mistake(s.fastest_lr / n, "the rate moved the wrong way: smaller eigenvalues allow larger steps"),
            Mistake(
                2 / (m.lam_max - m.lam_min), "check the sign: the two factors balance where 1 − ηλmin = −(1 − ηλmax)"
            ),
            Mistake(
                1 / m.lam_max,
                "1/λmax removes the steep direction in one step but leaves the flat one crawling: "
                "balance the two factors instead",
            ),
            Mistake(m.stability_limit, "that is the stability limit again; the fastest rate balances the two factors"),
        ],
    )


@checker
def check_dead_threshold(answer: object, seed: int = 4) -> Verdict:
    """w_0 / (dL/dw at the start): the lr at which the first update takes w to 0, from init_params(seed), sum loss."""
    X, y = original_data()

    def parts(s: int) -> tuple[float, float, float, float]:
        w0, b0 = init_params(s)
        g = grad(X, y, w0.double(), b0.double(), "sum", "relu")
        return w0.item(), b0.item(), g.w.item(), g.b.item()

    w0, b0, g_w, g_b = parts(seed)
    sp = spectrum(X)
    mistakes = [
        Mistake(g_w / w0, "upside down: w_1 = w_0 − η g_w is zero at η = w_0 / g_w"),
        Mistake(b0 / g_b, "that uses b and its gradient; the ReLU dies when w crosses zero"),
        Mistake(w0 / g_b, "that divides by the gradient for b; w moves by η ∂L/∂w"),
        Mistake(w0 / (g_w / X.shape[0]), "that uses the gradient of the mean loss; this notebook trains the sum"),
        Mistake(
            sp.stability_limit,
            "that is the stability limit, which is about the linear model's long run; "
            "the ReLU can die on the very first update, well inside it",
        ),
        Mistake(
            1 / sp.lam_max,
            "1/λmax is where the steep direction starts to overshoot; how far the first update "
            "throws w depends on the start: use w_0 and the first gradient",
        ),
    ]
    if seed != 0:
        w00, _, g00, _ = parts(0)
        mistakes.insert(
            0, Mistake(w00 / g00, f"that is the threshold from seed 0 (section 5); start from init_params({seed})")
        )
    return compare_number(answer, w0 / g_w, name="your learning rate", mistakes=mistakes)


@checker
def check_fastest_count(answer: object, tol: float = 1e-6, seed: int = 0) -> Verdict:
    """the fewest updates T with ρ(η*)^T ‖e_0‖ <= tol at η* = 2/(λmin + λmax), from init_params(seed), sum loss."""
    X, _ = original_data()
    w0, b0 = (v.item() for v in init_params(seed))
    e0, sp = math.hypot(w0 - TRUE_W, b0 - TRUE_B), spectrum(X)  # θ* = the true line, exact on this data

    def needed(rho: float, target: float = tol / e0) -> int:
        return math.ceil(math.log(target) / math.log(rho))

    rho = sp.contraction(sp.fastest_lr)
    return compare_count(
        answer,
        needed(rho),
        name="your count",
        mistakes=[
            Mistake(
                needed(rho, tol),
                "that count ignores where the run starts: the bound is ρ^T ‖e_0‖, "
                "with ‖e_0‖ the start's distance to θ*",
            ),
            Mistake(needed(rho**2), "that uses ρ², the rate of the loss; the distance shrinks by ρ per update"),
            Mistake(
                needed(sp.contraction(0.001)),
                "that is the count at the original's η = 0.001 (05_training.ipynb); this one is at η*",
            ),
            Mistake(
                needed(sp.contraction(1 / sp.lam_max)),
                "that uses η = 1/λmax, which removes the steep direction in one step but leaves the flat one "
                "crawling; η* = 2/(λmin + λmax) balances the two",
            ),
        ],
        off_by_one="you need the smallest whole T with ρ^T ‖e_0‖ ≤ the tolerance, so round up",
    )


@checker
def check_best_divisor(answer: object) -> Verdict:
    """the divisor s of the raw inputs with the smallest κ of spectrum(x / s): the root mean square of x."""
    x = torch.tensor(RAW_X, dtype=torch.float64)
    best = x.pow(2).mean().sqrt().item()  # AᵀA/n = [[mean (x/s)², mean x/s], [mean x/s, 1]]: balanced diagonal
    return compare_number(
        answer,
        best,
        name="your divisor",
        mistakes=[
            Mistake(
                100.0, "that is the divisor 01_data.ipynb chose, a round number; look for the s with the smallest κ"
            ),
            Mistake(
                x.mean().item(),
                "that makes the mean of x / s equal to 1, which is not where κ is smallest",
            ),
            Mistake(
                x.std(correction=0).item(),
                "that is the standard deviation of x, the scale that standardising uses after centring; "
                "here the inputs are divided only, not centred",
            ),
            Mistake(
                x.std(correction=1).item(),
                "that is the standard deviation of x, the scale that standardising uses after centring; "
                "here the inputs are divided only, not centred",
            ),
            Mistake(x.max().item(), "that maps the inputs into [0, 1]; κ is not smallest there"),
            Mistake(1 / best, "that looks like a multiplier: the inputs are divided by s, x / s"),
            Mistake(
                spectrum((x / best).reshape(-1, 1)).condition,
                "that looks like the smallest κ itself; the exercise asks for the divisor s",
            ),
        ],
    )
