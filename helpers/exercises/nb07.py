"""Checkers for 07_learning_rate.ipynb: the mean loss's two rates, another start's dead-ReLU threshold, two counts."""

from __future__ import annotations

import math

from helpers.data import original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_count, compare_number
from helpers.gradients import grad
from helpers.model import init_params
from helpers.solve import closed_form, spectrum


@checker
def check_mean_rates(limit: object, fastest: object) -> Verdict:
    """the stability limit 2/λmax and the fastest rate 2/(λmin + λmax) for the mean loss on the 40 points."""
    X, _ = original_data()
    n, m, s = X.shape[0], spectrum(X, "mean"), spectrum(X, "sum")
    first = compare_number(
        limit,
        m.stability_limit,
        name="your limit",
        rtol=1e-6,
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
        rtol=1e-6,
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
    return compare_number(answer, w0 / g_w, name="your learning rate", rtol=1e-6, mistakes=mistakes)


@checker
def check_guaranteed_counts(
    count_lr: object, count_fastest: object, lr: float = 0.001, tol: float = 1e-6, seed: int = 0
) -> Verdict:
    """the fewest updates T with ρ^T ‖e_0‖ <= tol at lr and at η* = 2/(λmin + λmax), from init_params(seed)."""
    X, y = original_data()
    w_star, b_star = (v.item() for v in closed_form(X, y))
    w0, b0 = (v.item() for v in init_params(seed))
    e0, sp = math.hypot(w0 - w_star, b0 - b_star), spectrum(X)

    def needed(rho: float, target: float = tol / e0) -> int:
        return math.ceil(math.log(target) / math.log(rho))

    def typical(eta: float, other: int, which: str) -> list[Mistake]:
        rho = sp.contraction(eta)
        return [
            Mistake(
                needed(rho, tol),
                "that count ignores where the run starts: the bound is ρ^T ‖e_0‖, "
                "with ‖e_0‖ the start's distance to the answer",
            ),
            Mistake(needed(rho**2), "that uses ρ², the rate of the loss; the distance shrinks by ρ per update"),
            Mistake(other, f"that is the count for the other learning rate; this one is {which}"),
        ]

    at_lr, at_fastest = needed(sp.contraction(lr)), needed(sp.contraction(sp.fastest_lr))
    first = compare_count(
        count_lr,
        at_lr,
        name="your count at lr",
        mistakes=[
            Mistake(
                needed(abs(1 - lr * sp.lam_max)),
                "that uses 1 − η λmax, the steep direction's factor; at a small η the larger one, ρ, is 1 − η λmin",
            ),
            *typical(lr, at_fastest, f"at η = {lr:g}"),
        ],
        off_by_one="you need the smallest whole T with ρ^T ‖e_0‖ ≤ the tolerance, so round up",
    )
    if not first:
        return first
    return compare_count(
        count_fastest,
        at_fastest,
        name="your count at η*",
        mistakes=[
            *typical(sp.fastest_lr, at_lr, "at η* = 2/(λmin + λmax)"),
        ],
        off_by_one="you need the smallest whole T with ρ^T ‖e_0‖ ≤ the tolerance, so round up",
    )
