"""A training notebook's outcome, published as a JSON cell output and read back with nbformat."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import torch

from .checks import check_data
from .params import short
from .solve import closed_form
from .training import STATUSES, History

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


def _failure(nb: Any) -> str | None:
    """where an executed notebook failed, in one line, or None: an error output, or papermill's error marks."""
    for i, cell in enumerate(nb.get("cells", [])):
        for out in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if out.get("output_type") == "error":
                return f"cell {i} raised {out.get('ename', '?')}: {str(out.get('evalue', ''))[:80]}"
        if cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return f"cell {i} raised an exception (papermill marked it)"
    if nb.get("metadata", {}).get("papermill", {}).get("exception") is True:
        return "papermill recorded an exception"
    return None


def _checked(results: dict[str, Any], where: str) -> dict[str, Any]:
    """results with the types read_results promises, or a ValueError naming where and the key."""

    def number(key: str, optional: bool) -> None:
        v = results[key]
        if v is None and optional:
            return
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            want = "a number or null" if optional else "a number"
            raise ValueError(f"{where}: results[{key!r}] must be {want}, got {short(v)} ({type(v).__name__})")
        results[key] = float(v)

    for key in ("w", "b", "final_loss"):
        number(key, optional=True)
    number("learning_rate", optional=False)
    updates = results["updates"]
    if isinstance(updates, bool) or not isinstance(updates, int) or updates < 0:
        raise ValueError(f"{where}: results['updates'] must be an int >= 0, got {short(updates)}")
    if not isinstance(results["status"], str) or results["status"] not in STATUSES:
        raise ValueError(f"{where}: results['status'] must be one of {', '.join(STATUSES)}, "
                         f"got {short(results['status'])}")
    return results


def has_results(nb: Any) -> bool:
    """whether a notebook (as nbformat reads it) has a cell tagged "results"."""
    return any(RESULTS_TAG in c.get("metadata", {}).get("tags", []) for c in nb.get("cells", []))


def read_results(path: str | Path, nb: Any = None) -> dict[str, Any]:
    """the dict published by the cell tagged "results" of an executed notebook, with checked types.

    w, b, final_loss: float or None; learning_rate: float; updates: int; status: one of helpers.STATUSES.
    nb: the notebook already read (helpers.execute returns the copy its run wrote), else it is read from path.
    Raises ValueError naming the notebook if it cannot be read, if its execution failed anywhere (an error
    output, or papermill's marks), if it has no such cell or the cell has no JSON output (the run stopped
    before it), or if a key is missing or of the wrong type.
    """
    import nbformat  # imported here: it costs a second at import, and only reading notebooks needs it

    if nb is None:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as e:  # missing, unreadable, not JSON, not a notebook
            raise ValueError(f"{path}: cannot read it as a notebook: {type(e).__name__}: "
                             f"{str(e).splitlines()[0][:80] if str(e) else ''}") from None
    failed = _failure(nb)
    if failed is not None:
        raise ValueError(f"{path}: its execution failed: {failed}")
    cells = [c for c in nb.cells if RESULTS_TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{path}: expected one cell tagged {RESULTS_TAG!r}, found {len(cells)}")
    for out in cells[0].get("outputs", []):
        data = out.get("data", {})
        if MIME in data:
            value = data[MIME]
            try:
                results = json.loads(value) if isinstance(value, str) else dict(value)
            except (ValueError, TypeError):
                raise ValueError(f"{path}: the results output is not a JSON object") from None
            if not isinstance(results, dict):
                raise ValueError(f"{path}: the results output is not a JSON object")
            missing = [k for k in KEYS if k not in results]
            if missing:
                raise ValueError(f"{path}: the results output lacks {', '.join(missing)}")
            return _checked(results, str(path))
    raise ValueError(f"{path}: the cell tagged {RESULTS_TAG!r} has no {MIME} output; did the notebook run to the end?")
