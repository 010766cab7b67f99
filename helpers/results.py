"""A training notebook's outcome, published as a JSON cell output and read back with nbformat."""

from __future__ import annotations

import math
from typing import Any

import torch

from helpers.checks import check_data
from helpers.solve import closed_form
from helpers.training import History

RESULTS_TAG = "results"
MIME = "application/json"
KEYS = ("w", "b", "final_loss", "updates", "learning_rate", "status")


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
