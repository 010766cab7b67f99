"""The training loop: gradient descent on (w, b), with a history, divergence and dead-ReLU checks.

method="autograd"  loss.backward(), exactly the original's loop
method="hand"      the gradients of helpers.gradients, no graph recorded
method="stats"     sufficient statistics: one pass over the data, then O(1) per update
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from helpers.checks import ACTIVATIONS, LOSSES, check_choice, check_count, check_data, check_lr, check_param
from helpers.gradients import loss_and_grad
from helpers.solve import closed_form, hessian

METHODS = ("autograd", "hand", "stats")
STATUSES = ("converged", "not_converged", "diverged", "dead_relu")
CONVERGED_TOL = 1e-6  # |w - w*| and |b - b*| both within this: "converged"
BLOW_UP = 1e6  # stop once the loss exceeds this many times its start

Step = Callable[
    [torch.Tensor, torch.Tensor], tuple[float, torch.Tensor | float, torch.Tensor | float]
]  # -> loss, dw, db


class DivergenceError(FloatingPointError):
    """raised when training diverges; the message says why and what learning rate would be stable."""


@dataclass(frozen=True)
class History:
    """what one training run did.  T = number of updates made (fewer than asked if it diverged)."""

    losses: tuple[float, ...]  # (T,) loss at the parameters before update 1..T
    w_path: tuple[float, ...]  # (T + 1,) w at the start and after each update
    b_path: tuple[float, ...]  # (T + 1,)
    w: torch.Tensor  # (1, 1) final weight, in the initial w's dtype
    b: torch.Tensor  # (1, 1) final bias
    final_loss: float  # loss at the final (w, b)
    lr: float
    num_updates: int  # updates asked for
    status: str  # one of STATUSES
    stopped_at: int | None  # t: the loss at the start of update t was non-finite or too large (t - 1 were made)
    dead_at: int | None  # the first t at which the ReLU was dead before update t (w_path[t - 1]); T + 1 = at the end
    message: str  # one line for people: what happened and, if it broke, why

    @property
    def updates(self) -> int:
        """number of updates actually made."""
        return len(self.losses)


def _autograd_step(X: torch.Tensor, y: torch.Tensor, loss: str, activation: str) -> Step:
    def step(w: torch.Tensor, b: torch.Tensor) -> tuple[float, torch.Tensor, torch.Tensor]:
        w, b = w.detach().requires_grad_(True), b.detach().requires_grad_(True)
        z = X.mm(w.to(X.dtype))  # the original's forward pass, op for op
        y_pred = (z.clamp(min=0) if activation == "relu" else z).add(b.to(X.dtype))
        sq = (y - y_pred).pow(2)
        value = sq.sum() if loss == "sum" else sq.mean()
        value.backward()
        return value.item(), w.grad, b.grad

    return step


def _hand_step(X: torch.Tensor, y: torch.Tensor, loss: str, activation: str) -> Step:
    def step(w: torch.Tensor, b: torch.Tensor) -> tuple[float, torch.Tensor, torch.Tensor]:
        value, g = loss_and_grad(X, y, w, b, loss, activation)
        return value.item(), g.w, g.b

    return step


def _stats_step(X: torch.Tensor, y: torch.Tensor, loss: str, activation: str) -> Step:
    from helpers.further.suffstats import stats_step

    return stats_step(X, y, loss, activation)


STEPS = {"autograd": _autograd_step, "hand": _hand_step, "stats": _stats_step}  # method -> its step builder


def _limit_text(X: torch.Tensor, loss: str) -> str:
    lam_max = float(torch.linalg.eigvalsh(hessian(X, loss).double())[-1])
    if not (math.isfinite(lam_max) and lam_max > 0):  # x too large for a float64 Hessian
        return f"for this data and the {loss} loss, 2/lambda_max cannot be computed (lambda_max = {lam_max})"
    return (
        f"for this data and the {loss} loss, gradient descent is stable only for lr < 2/lambda_max = {2 / lam_max:.5g}"
    )


def _is_dead(w: float, x_min: float, x_max: float) -> bool:
    """every pre-activation x_i w <= 0 (with w != 0): the clamp passes w no gradient, now or ever."""
    return (w > 0 and x_max <= 0) or (w < 0 and x_min >= 0)


def train(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    *,
    lr: float,
    num_updates: int,
    loss: str = "sum",
    activation: str = "relu",
    method: str = "hand",
    log_every: int | None = None,
    on_divergence: str = "raise",
    progress: bool = False,
) -> History:
    """run num_updates steps of gradient descent from (w, b); the inputs are not modified.

    X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> History.  Prints the loss every log_every updates.
    on_divergence="raise" raises DivergenceError; "record" returns a History with status "diverged".
    X and y are used detached: train never differentiates the data, so a requires_grad X trains as X does.
    An update that would make w or b non-finite in their dtype (lr = 1e37 on float32 parameters, say) is not made:
    the run stops as "diverged" at the last finite parameters, the ones before that update, and final_loss is
    their loss; w, b, w_path and b_path hold finite numbers only.
    """
    X, y = check_data(X, y)
    X, y = X.detach(), y.detach()  # views, no copy: a graph through the data has nothing to do with (w, b)
    w = check_param("w", w, X.device).detach().clone()
    b = check_param("b", b, X.device).detach().clone()
    lr = check_lr(lr)
    num_updates = check_count(num_updates)
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("method", method, METHODS)
    check_choice("on_divergence", on_divergence, ("raise", "record"))
    if log_every is not None and check_count(log_every, "log_every") == 0:
        raise ValueError("log_every must be >= 1 or None, got 0")

    step = STEPS[method](X, y, loss, activation)
    x_min, x_max = (float(v) for v in X.aminmax())  # one pass over X for both ends
    losses: list[float] = []
    w_path, b_path = [w.item()], [b.item()]
    stopped_at = dead_at = overflowed = None
    limit = math.inf
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=num_updates, desc="training", unit="update")
    for t in range(1, num_updates + 2):  # the last pass only evaluates the final parameters
        value, dw, db = step(w, b)
        if not math.isfinite(value) or value > limit:
            stopped_at = t
            break
        if t == 1:
            limit = BLOW_UP * max(value, 1e-12)  # "its start"; the floor guards a perfect start
        if activation == "relu" and dead_at is None and _is_dead(w_path[-1], x_min, x_max):
            dead_at = t
        if t > num_updates:
            break
        if log_every and t % log_every == 0:
            print(f"update {t:4d}   loss {value:.4e}")
        losses.append(value)
        # w and b are detached copies, so no graph is recorded: no torch.no_grad() needed (it costs ~4 us)
        w.sub_(lr * (dw.to(w.dtype) if isinstance(dw, torch.Tensor) else dw))
        b.sub_(lr * (db.to(b.dtype) if isinstance(db, torch.Tensor) else db))
        w_next, b_next = w.item(), b.item()
        if not (math.isfinite(w_next) and math.isfinite(b_next)):  # past the dtype's range: undo, and stop here
            overflowed = [name for name, v in (("w", w_next), ("b", b_next)) if not math.isfinite(v)]
            w.fill_(w_path[-1])  # exact: the path holds each value of the dtype as a Python float
            b.fill_(b_path[-1])
            losses.pop()
            stopped_at = t
            break
        w_path.append(w_next)
        b_path.append(b_next)
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()

    final_loss = value
    if overflowed is not None:
        status = "diverged"
        message = (
            f"diverged: with lr = {lr:g} update {stopped_at} would make {' and '.join(overflowed)} non-finite in "
            f"{str(w.dtype).replace('torch.', '')}, so the run stopped after {stopped_at - 1} of {num_updates} updates "
            f"at the last finite parameters; {_limit_text(X, loss)}"
        )
        if on_divergence == "raise":
            raise DivergenceError(message)
    elif stopped_at is not None:
        status = "diverged"
        message = (
            f"diverged: with lr = {lr:g} the loss became non-finite or grew past {BLOW_UP:g} times its start "
            f"after {stopped_at - 1} of {num_updates} updates; {_limit_text(X, loss)}"
        )
        if on_divergence == "raise":
            raise DivergenceError(message)
    elif dead_at is not None:
        status = "dead_relu"
        message = (
            f"dead ReLU: from update {dead_at} on, every pre-activation x*w was <= 0 (w = {w.item():.4g}), "
            f"so w got no gradient and only b kept learning"
        )
    else:
        status, message = _closeness(X, y, w, b)
    return History(
        tuple(losses),
        tuple(w_path),
        tuple(b_path),
        w,
        b,
        final_loss,
        lr,
        num_updates,
        status,
        stopped_at,
        dead_at,
        message,
    )


def _closeness(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> tuple[str, str]:
    """ "converged" if |w - w*| and |b - b*| are both within CONVERGED_TOL, else "not_converged".

    (w*, b*) is the closed form; the message gives max(|w - w*|, |b - b*|), not the Euclidean distance.
    """
    try:
        w_star, b_star = closed_form(X.double(), y.double())
    except ValueError as e:
        return "not_converged", f"not converged: no unique least-squares line to compare with ({e})"
    gap = max(abs(w.item() - w_star.item()), abs(b.item() - b_star.item()))
    if gap <= CONVERGED_TOL:
        return "converged", f"converged: |w - w*| and |b - b*| are both within {gap:.1e}"
    return "not_converged", f"not converged: the larger of |w - w*| and |b - b*| is still {gap:.2e}"
