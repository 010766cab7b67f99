"""A training notebook's outcome, published as a JSON cell output and read back with nbformat."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch

from .checks import check_data
from .solve import closed_form
from .training import History

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


def read_results(path: str | Path) -> dict[str, Any]:
    """the dict published by the cell tagged "results" of an executed notebook.

    Raises ValueError naming the notebook if it has no such cell or the cell has no JSON output
    (the run stopped before it).
    """
    import nbformat  # imported here: it costs a second at import, and only reading notebooks needs it

    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if RESULTS_TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{path}: expected one cell tagged {RESULTS_TAG!r}, found {len(cells)}")
    for out in cells[0].get("outputs", []):
        data = out.get("data", {})
        if MIME in data:
            value = data[MIME]
            results = json.loads(value) if isinstance(value, str) else dict(value)
            missing = [k for k in KEYS if k not in results]
            if missing:
                raise ValueError(f"{path}: the results output lacks {', '.join(missing)}")
            return results
    raise ValueError(f"{path}: the cell tagged {RESULTS_TAG!r} has no {MIME} output; did the notebook run to the end?")
