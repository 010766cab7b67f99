"""The training loop of notebook 05: forward, loss, gradient, update under no_grad, record; and the run's status.

method="autograd"  loss.backward(), exactly the original's loop
method="hand"      the gradients of helpers.gradients, 04's formulas, no graph recorded
method="blocked"   the same gradients in one cache-blocked pass over the data (helpers.further.blocked), for large N
method="stats"     sufficient statistics: one pass over the data, then O(1) per update (helpers.further.suffstats)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch

from helpers.checks import check_data, check_param, check_training
from helpers.further.blocked import blocked_step
from helpers.further.suffstats import stats_step
from helpers.gradients import loss_and_hand_grad
from helpers.losses import squared_error
from helpers.model import forward, relu_is_dead
from helpers.results import History
from helpers.solve import closed_form, spectrum

METHODS = ("autograd", "hand", "blocked", "stats")
CONVERGED_TOL = 1e-6  # |w - w*| and |b - b*| both within this: "converged"
BLOW_UP = 1e6  # stop once the loss exceeds this many times its start

Step = Callable[[torch.Tensor, torch.Tensor], tuple[float, torch.Tensor | float, torch.Tensor | float]]  # -> L, dw, db


class DivergenceError(FloatingPointError):
    """raised when training diverges; the message says why and what learning rate would be stable."""


def _autograd_step(X: torch.Tensor, y: torch.Tensor, loss: str, activation: str) -> Step:
    def step(w: torch.Tensor, b: torch.Tensor) -> tuple[float, torch.Tensor, torch.Tensor]:
        w, b = w.detach().requires_grad_(True), b.detach().requires_grad_(True)
        value = squared_error(forward(X, w, b, activation), y, loss)  # the original's forward pass, op for op
        value.backward()
        return value.item(), w.grad, b.grad  # type: ignore[return-value]

    return step


def _hand_step(X: torch.Tensor, y: torch.Tensor, loss: str, activation: str) -> Step:
    def step(w: torch.Tensor, b: torch.Tensor) -> tuple[float, torch.Tensor, torch.Tensor]:
        value, g = loss_and_hand_grad(X, y, w.to(X.dtype), b.to(X.dtype), loss, activation)  # 04's formulas
        return value.item(), g.w, g.b

    return step


STEPS = {"autograd": _autograd_step, "hand": _hand_step, "blocked": blocked_step, "stats": stats_step}  # -> its Step


def _limit_text(X: torch.Tensor, loss: str) -> str:
    try:
        limit = spectrum(X, loss).stability_limit
    except ValueError as e:  # x too large, or too ill-conditioned, for its Hessian
        return f"for this data and the {loss} loss, 2/lambda_max cannot be computed ({e})"
    return f"for this data and the {loss} loss, gradient descent is stable only for lr < 2/lambda_max = {limit:.5g}"


def train(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, *, lr: float, num_updates: int,
          loss: str = "sum", activation: str = "relu", method: str = "hand", log_every: int | None = None,
          on_divergence: str = "raise", progress: bool = False) -> History:  # fmt: skip
    """run num_updates steps of gradient descent from (w, b); the inputs are not modified.

    X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> History.  Prints the loss every log_every updates.
    on_divergence="raise" raises DivergenceError; "record" returns a History with status "diverged".
    X and y are used detached. An update that would make w or b non-finite in their dtype is not made: the run
    stops as "diverged" at the last finite parameters, and final_loss is their loss.
    """
    X, y = (t.detach() for t in check_data(X, y))  # views, no copy: a graph through the data has nothing to do here
    w, b = (check_param(name, t, X.device).detach().clone() for name, t in (("w", w), ("b", b)))
    lr, num_updates = check_training(lr, num_updates, loss, activation, method, METHODS, on_divergence, log_every)
    step = STEPS[method](X, y, loss, activation)
    x_min, x_max = (float(v) for v in X.aminmax())  # one pass over X for both ends, for the dead-ReLU check
    losses: list[float] = []
    w_path, b_path = [w.item()], [b.item()]
    stopped_at: int | None = None
    dead_at: int | None = None
    overflowed: list[str] = []  # w and/or b, if an update made them non-finite
    limit = math.inf
    from tqdm.auto import tqdm  # imported here, when a run starts: most imports of helpers never train

    bar = tqdm(total=num_updates, desc="training", unit="update", disable=not progress)  # shown only if asked for
    for t in range(1, num_updates + 2):  # the last pass only evaluates the final parameters
        value, dw, db = step(w, b)  # forward, loss, gradient
        if not math.isfinite(value) or value > limit:
            stopped_at = t
            break
        if t == 1:
            limit = BLOW_UP * max(value, 1e-12)  # "its start"; the floor guards a perfect start
        if activation == "relu" and dead_at is None and relu_is_dead(w_path[-1], x_min, x_max):
            dead_at = t
        if t > num_updates:
            break
        if log_every and t % log_every == 0:
            print(f"update {t:4d}   loss {value:.4e}")
        with torch.no_grad():  # the update: autograd must not record it (04)
            w -= lr * (dw.to(w.dtype) if isinstance(dw, torch.Tensor) else dw)
            b -= lr * (db.to(b.dtype) if isinstance(db, torch.Tensor) else db)
        w_next, b_next = w.item(), b.item()
        if not (math.isfinite(w_next) and math.isfinite(b_next)):  # past the dtype's range: undo, and stop here
            overflowed = [name for name, v in (("w", w_next), ("b", b_next)) if not math.isfinite(v)]
            w.fill_(w_path[-1])  # exact: the path holds each value of the dtype as a Python float
            b.fill_(b_path[-1])
            stopped_at = t
            break
        losses.append(value)  # record
        w_path.append(w_next)
        b_path.append(b_next)
        bar.update()
    bar.close()

    if stopped_at is not None:
        after = f"after {stopped_at - 1} of {num_updates} updates"
        why = (f"update {stopped_at} would make {' and '.join(overflowed)} non-finite in {str(w.dtype)[6:]}, so the "
               f"run stopped {after} at the last finite parameters" if overflowed
               else f"the loss became non-finite or grew past {BLOW_UP:g} times its start {after}")  # fmt: skip
        status, message = "diverged", f"diverged: with lr = {lr:g} {why}; {_limit_text(X, loss)}"
        if on_divergence == "raise":
            raise DivergenceError(message)
    elif dead_at is not None:
        status = "dead_relu"
        message = (f"dead ReLU: from update {dead_at} on, every pre-activation x*w was < 0 (w = {w.item():.4g}), "
                   "so w got no gradient and only b kept learning")  # fmt: skip
    else:
        status, message = _closeness(X, y, w, b)
    paths = tuple(losses), tuple(w_path), tuple(b_path)
    return History(*paths, w, b, value, lr, num_updates, status, stopped_at, dead_at, message)


def _closeness(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> tuple[str, str]:
    """ "converged" if |w - w*| and |b - b*| (w*, b*: the closed form) are both within CONVERGED_TOL."""
    try:
        w_star, b_star = closed_form(X.double(), y.double())
    except ValueError as e:
        return "not_converged", f"not converged: no unique least-squares line to compare with ({e})"
    gap = max(abs(w.item() - w_star.item()), abs(b.item() - b_star.item()))
    if gap <= CONVERGED_TOL:
        return "converged", f"converged: |w - w*| and |b - b*| are both within {gap:.1e}"
    return "not_converged", f"not converged: the larger of |w - w*| and |b - b*| is still {gap:.2e}"
