"""Checkers for 05_training.ipynb: the loop without its off-by-one, the updates the bound asks for, the slow
direction's curvature read off a log of other inputs, where a run will be, foretold by the slow eigenvector."""

from __future__ import annotations

import math

import torch

from helpers.data import TRUE_B, TRUE_W, original_data, uniform_x
from helpers.exercises.core import Mistake, Verdict, checker, compare_count, compare_number
from helpers.model import init_params
from helpers.solve import closed_form, hessian, spectrum
from helpers.training import train

SIX_DECIMALS = 4e-6  # relative: w near 0.17 and b near 0.4, printed to six decimals (off by at most 5e-7), agree


def _pair(
    w: object, b: object, expected: tuple[float, float], mistakes: list[tuple[tuple[float, float], str]]
) -> Verdict:
    """w, then b, against expected to six decimals; each known mistake is a (w, b) pair and one hint for both."""
    first = compare_number(
        w, expected[0], name="your w", rtol=SIX_DECIMALS, mistakes=[Mistake(m[0], hint) for m, hint in mistakes]
    )
    if not first:
        return first
    return compare_number(
        b, expected[1], name="your b", rtol=SIX_DECIMALS, mistakes=[Mistake(m[1], hint) for m, hint in mistakes]
    )


@checker
def check_fixed_loop(
    answer_w: object, answer_b: object, num_epochs: int = 150, lr: float = 0.001, seed: int = 0
) -> Verdict:
    """the final w and b (floats) of the original's loop, fixed to make num_epochs updates from init_params(seed)."""
    X, y = original_data()

    def run(updates: int) -> tuple[float, float]:
        h = train(X, y, *init_params(seed), lr=lr, num_updates=updates)
        return h.w.item(), h.b.item()

    return _pair(
        answer_w,
        answer_b,
        run(num_epochs),
        [
            (
                run(num_epochs - 1),
                "that is where the original's loop stops, one update short: range(1, num_epochs) "
                "ends before num_epochs",
            ),
            (run(num_epochs + 1), "one update too many: count the updates your range makes"),
            (run(0), "that is the start: did the loop update w and b in place?"),
            (
                (TRUE_W, TRUE_B),
                "that is the true line, where the run is heading; after these updates it has not got there: "
                "give the loop's final w and b",
            ),
        ],
    )


@checker
def check_updates_guaranteed(answer: object, tol: float = 1e-6, lr: float = 0.001, seed: int = 0) -> Verdict:
    """the fewest updates T with ρ^T |e_0| <= tol, from init_params(seed) at lr (sum loss, the 40 points)."""
    X, y = original_data()
    w_star, b_star = (v.item() for v in closed_form(X, y))
    w0, b0 = (v.item() for v in init_params(seed))
    e0, sp = math.hypot(w0 - w_star, b0 - b_star), spectrum(X)

    def needed(rho: float, target: float) -> int:
        return math.ceil(math.log(target) / math.log(rho))

    rho = sp.contraction(lr)
    return compare_count(
        answer,
        needed(rho, tol / e0),
        name="your count",
        mistakes=[
            Mistake(
                needed(rho, tol),
                "that count ignores where the run starts: the bound is ρ^T |e_0|, with |e_0| the "
                "starting distance to the answer",
            ),
            Mistake(
                needed(abs(1 - lr * sp.lam_max), tol / e0),
                "that uses 1 − lr·λmax, the fast direction; ρ is the larger factor",
            ),
            Mistake(
                needed(rho**2, tol / e0),
                "that uses ρ², the rate of the loss; the bound on the distance shrinks by ρ per update",
            ),
        ],
        off_by_one="you need the smallest whole T with ρ^T |e_0| ≤ the tolerance, so round up",
    )


@checker
def check_lam_min_from_log(answer: object, lr: float = 0.001, x_seed: int = 1) -> Verdict:
    """λmin of the sum loss's Hessian on X2 = uniform_x(40, x_seed), y2 = true_line(X2), as read off two losses
    logged 25 updates apart at lr; to four significant digits (the log prints five)."""
    X2 = uniform_x(40, x_seed)
    sp = spectrum(X2)  # the targets, true_line(X2), do not enter the Hessian
    f = 1 - lr * sp.lam_min  # the slow direction's factor per update; the loss shrinks by f² per update
    return compare_number(
        answer,
        sp.lam_min,
        name="your λmin",
        mistakes=[
            Mistake(
                (1 - f**2) / lr,
                "that is about twice λmin: the loss is quadratic in the error, so it shrinks by "
                "(1 − ηλmin)² per update, and 25 updates make 50 such factors, not 25",
            ),
            Mistake(
                -math.log(f) / lr,
                "close, but ln(1 − ηλ) ≈ −ηλ is off by about ηλ/2 here: solve "
                "(1 − ηλmin)^50 = L_125 / L_100 for λmin exactly",
            ),
            Mistake(
                (1 - 1 / f) / lr,
                "your ratio is upside down: the later loss is the smaller one, L_125 = (1 − ηλmin)^50 · L_100",
            ),
            Mistake((1 - f**25) / lr, "that treats the ratio over 25 updates as the ratio of one: take its 50th root"),
            Mistake(f, "that is the factor 1 − ηλmin per update: solve it for λmin"),
            Mistake(
                sp.lam_max, "that is λmax, the steep direction; after 100 updates only the slow one is left in the loss"
            ),
        ],
    )


@checker
def check_predicted_end(
    answer_w: object, answer_b: object, lr: float = 0.001, num_updates: int = 300, seed: int = 0
) -> Verdict:
    """θ* + (1 - lr λmin)^T (vᵀe_0) v as floats w, b: the slow direction's prediction of where the run ends."""
    X, y = original_data()
    w_star, b_star = (v.item() for v in closed_form(X, y))
    lam, V = torch.linalg.eigh(hessian(X))  # ascending; V[:, 0] is the slow direction
    w0, b0 = (v.item() for v in init_params(seed))
    e0 = torch.tensor([w0 - w_star, b0 - b_star], dtype=torch.float64)

    def end(steps: int, k: int = 0, e: torch.Tensor = e0) -> tuple[float, float]:
        e_T = (1 - lr * lam[k].item()) ** steps * (V[:, k] @ e) * V[:, k]
        return w_star + e_T[0].item(), b_star + e_T[1].item()

    shrunk = (1 - lr * lam[0].item()) ** num_updates * e0
    return _pair(
        answer_w,
        answer_b,
        end(num_updates),
        [
            (
                (w_star, b_star),
                "that is θ*, where the run is heading; after the updates an error along the slow direction is "
                "still left: add it",
            ),
            (
                (w_star + shrunk[0].item(), b_star + shrunk[1].item()),
                "you shrank the whole starting error; only its part along v, (vᵀe_0) v, is left",
            ),
            (end(num_updates, e=-e0), "your error has the wrong sign: e_0 = θ_0 − θ*, the start minus the answer"),
            (end(num_updates + 1), "one update too many: the exponent is the number of updates"),
            (end(num_updates - 1), "one update too few: the exponent is the number of updates"),
        ],
    )
