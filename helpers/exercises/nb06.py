"""Checkers for 06_visualization.ipynb: updates per factor of 10, the fastest rate, the one-step rate."""

from __future__ import annotations

import math

from helpers.data import original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_number
from helpers.solve import spectrum


@checker
def check_updates_per_decade(answer: object, lr: float = 0.001) -> Verdict:
    """ln 10 / (-2 ln ρ): the updates (a float, unrounded) in which the loss falls tenfold once ρ sets the pace."""
    sp = spectrum(original_data()[0])
    rate = -2 * math.log(sp.contraction(lr))  # the loss's log falls by this much per update
    return compare_number(
        answer,
        math.log(10) / rate,
        name="your count",
        rtol=1e-6,
        mistakes=[
            Mistake(
                2 * math.log(10) / rate,
                "that uses log ρ, the error's rate; the loss is squared, so its slope is 2 log ρ",
            ),
            Mistake(1 / rate, "that counts the updates per factor of e; a factor of 10 takes ln 10 times as many"),
            Mistake(
                math.log(10) / (-2 * math.log(abs(1 - lr * sp.lam_max))),
                "that uses the fast direction's factor; after the cliff only 1 − lr·λmin is left",
            ),
            Mistake(round(math.log(10) / rate), "that is rounded to a whole number; give the exact value, a float"),
        ],
    )


@checker
def check_fastest_lr(answer: object) -> Verdict:
    """η* = 2/(λmin + λmax) for the sum loss on the 40 points: the rate with the smallest ρ."""
    X, _ = original_data()
    sp = spectrum(X)
    return compare_number(
        answer,
        sp.fastest_lr,
        name="your learning rate",
        rtol=1e-6,
        n=X.shape[0],
        mistakes=[
            Mistake(
                sp.stability_limit,
                "that is the stability limit 2/λmax, where the steep direction stops shrinking altogether",
            ),
            Mistake(
                1 / sp.lam_max,
                "1/λmax removes the steep direction in one step but leaves the slow one crawling: "
                "balance the two factors |1 − ηλ| instead",
            ),
            Mistake(
                2 / (sp.lam_max - sp.lam_min), "check the sign: the two factors balance where 1 − ηλmin = −(1 − ηλmax)"
            ),
            Mistake(spectrum(X, "mean").fastest_lr, "that is the rate for the mean loss; the exercise uses the sum"),
        ],
    )


@checker
def check_one_step_lr(answer: object) -> Verdict:
    """the learning rate at which one update lands on the least-squares answer, for standardised inputs (sum loss)."""
    X, _ = original_data()
    centred = X - X.mean()
    sp = spectrum(centred / X.std(correction=0))
    return compare_number(
        answer,
        1 / sp.lam_max,
        name="your learning rate",
        rtol=1e-6,
        n=X.shape[0],
        mistakes=[
            Mistake(
                2 / sp.lam_max,
                "that is the stability limit, where the error flips sign without shrinking; the "
                "step that lands removes the whole error at once",
            ),
            Mistake(sp.lam_max, "that is the eigenvalue itself, not a learning rate"),
            Mistake(1 / spectrum(X).lam_max, "that is for the inputs before standardising"),
            Mistake(
                1 / spectrum(centred / X.std(correction=1)).lam_min,
                "you standardised with the sample standard "
                "deviation (n − 1); with σ over the 40 points (correction=0) both eigenvalues are equal",
            ),
            Mistake(
                1 / spectrum(centred / X.std(correction=0), "mean").lam_max,
                "that is the rate for the mean loss; the exercise uses the sum",
            ),
        ],
    )
