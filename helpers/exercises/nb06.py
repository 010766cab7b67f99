"""Checkers for 06_visualization.ipynb: updates per factor of 10, the update that reaches the valley's bottom line,
the one-step rate."""

from __future__ import annotations

import math

import torch

from helpers.data import TRUE_B, TRUE_W, original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_count, compare_number
from helpers.exercises.validate import Wrong
from helpers.model import init_params
from helpers.solve import hessian, spectrum


@checker
def check_updates_per_decade(answer: object, lr: float = 0.001) -> Verdict:
    """ln 10 / (-2 ln ρ): the updates (a float, unrounded) in which the loss falls tenfold once ρ sets the pace."""
    sp = spectrum(original_data()[0])
    rate = -2 * math.log(sp.contraction(lr))  # the loss's log falls by this much per update
    return compare_number(
        answer,
        math.log(10) / rate,
        name="your count",
        mistakes=[
            Mistake(
                2 * math.log(10) / rate,
                "that uses log ρ, the error's rate; the loss is squared, so its slope is 2 log ρ",
            ),
            Mistake(1 / rate, "that counts the updates per factor of e; a factor of 10 takes ln 10 times as many"),
            Mistake(
                math.log(10) / (-2 * math.log(abs(1 - lr * sp.lam_max))),
                "that uses the fast direction's factor; after the steep start only 1 − lr·λmin is left",
            ),
            Mistake(round(math.log(10) / rate), "that is rounded to a whole number; give the exact value, a float"),
        ],
    )


@checker
def check_valley_floor(answer: object, lr: float = 0.001, share: float = 0.01, seed: int = 0) -> Verdict:
    """the first update t with |v_max·e_t| < share·|v_min·e_t|: the path is on the valley's bottom line (linear
    model)."""
    X, _ = original_data()
    sp = spectrum(X)
    w0, b0 = init_params(seed)
    e0 = torch.tensor([w0.item() - TRUE_W, b0.item() - TRUE_B], dtype=torch.float64)  # (2,)
    _, V = torch.linalg.eigh(hessian(X))  # columns: the eigenvectors of lam_min (along), lam_max (across)
    along, across = abs((V[:, 0] @ e0).item()), abs((V[:, 1] @ e0).item())
    f_along, f_across = abs(1 - lr * sp.lam_min), abs(1 - lr * sp.lam_max)

    def first(ratio: float, factor: float, limit: float) -> int:
        """the first t with ratio * factor^t < limit (factor < 1)."""
        if not 0 <= factor < 1:
            raise Wrong(
                f"at lr = {lr:g} the error across the valley does not shrink faster than along it: try a smaller lr"
            )
        if ratio < limit or factor == 0:
            return 0 if ratio < limit else 1
        return math.floor(math.log(limit / ratio) / math.log(factor)) + 1

    q = f_across / f_along  # the ratio across/along shrinks by this factor per update
    return compare_count(
        answer,
        first(across / along, q, share),
        name="your update",
        off_by_one="t counts updates (e_0 is the start, e_1 the error after one update); you want the first t "
        "at which the ratio is below the share",
        mistakes=[
            Mistake(
                first(1.0, q, share),
                "that assumes the start has as much error across the valley as along it: project e_0 on both "
                "eigenvectors",
            ),
            Mistake(
                first(along / across, q, share),
                "the two components are swapped: across the valley is v_max, the eigenvector of λmax",
            ),
            Mistake(
                first(1.0, f_across, share),
                "that is when the error across the valley falls below the share of its own start; compare it with "
                "the error along the valley, which shrinks too",
            ),
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
        n=X.shape[0],
        mistakes=[
            Mistake(
                2 / sp.lam_max,
                "at that rate each update flips the error's sign without shrinking it; the step that lands "
                "removes the whole error at once",
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
