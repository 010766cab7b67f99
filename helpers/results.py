"""What one training run did (History), and its outcome as a JSON cell output that helpers.tools.results reads back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from helpers.checks import check_data
from helpers.solve import closed_form

RESULTS_TAG = "results"
MIME = "application/json"
KEYS = ("w", "b", "final_loss", "updates", "learning_rate", "status")
STATUSES = ("converged", "not_converged", "diverged", "dead_relu")
# each status as a title, a table or a sentence shows it to a learner (the codes are for the code)
STATUS_WORDS = {
    "converged": "converged",
    "not_converged": "not converged",
    "diverged": "diverged",
    "dead_relu": "dead ReLU",
}


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


def _num(v: float, digits: int = 10) -> float | None:
    """round to a stable number of significant digits; None for inf and NaN (JSON has neither)."""
    return float(f"{v:.{digits}g}") if math.isfinite(v) else None


def summarize(history: History, X: torch.Tensor, y: torch.Tensor, **parameters: Any) -> dict[str, Any]:
    """the outcome of one run as a flat JSON-ready dict; parameters are copied in as given.  X, y: (n, 1)"""
    if not isinstance(history, History):
        raise TypeError(f"history must be a helpers.History (from helpers.train), got {type(history).__name__}")
    X, y = check_data(X, y)  # bad data must fail here, not pass as "no unique line" below
    w, b = history.w.item(), history.b.item()
    try:
        w_star, b_star = (v.item() for v in closed_form(X.double(), y.double()))
        distance = math.hypot(w - w_star, b - b_star)
    except ValueError:
        w_star = b_star = distance = math.nan
    return {
        **parameters,
        "w": _num(w),
        "b": _num(b),
        "final_loss": _num(history.final_loss),
        "updates": history.updates,
        "learning_rate": history.lr,
        "status": history.status,
        "w_star": _num(w_star),
        "b_star": _num(b_star),
        "distance": _num(distance, 4),
        "stopped_at": history.stopped_at,
        "dead_at": history.dead_at,
        "message": history.message,
    }


def publish(results: dict[str, Any]) -> None:
    """display results as a JSON output (for read_results) with a short text rendering (for people)."""
    from IPython.display import display

    text = "\n".join(f"{k:>13}: {v:.6g}" if isinstance(v, float) else f"{k:>13}: {v}" for k, v in results.items())
    display({MIME: results, "text/plain": text}, raw=True)
