"""Reading a run's outcome back from its executed notebook (the rerun CLI and make run)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helpers.tools.params import short

# the names of the results (helpers.results: KEYS, MIME, RESULTS_TAG, STATUSES) are imported where they are read,
# after a command has checked its arguments: helpers.results imports torch


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
    from helpers.results import STATUSES

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
        raise ValueError(
            f"{where}: results['status'] must be one of {', '.join(STATUSES)}, got {short(results['status'])}"
        )
    return results


def has_results(nb: Any) -> bool:
    """whether a notebook (as nbformat reads it) has a cell tagged "results"."""
    from helpers.results import RESULTS_TAG

    return any(RESULTS_TAG in c.get("metadata", {}).get("tags", []) for c in nb.get("cells", []))


def read_results(path: str | Path, nb: Any = None) -> dict[str, Any]:
    """the dict published by the cell tagged "results" of an executed notebook, with checked types.

    w, b, final_loss: float or None; learning_rate: float; updates: int; status: one of helpers.STATUSES.
    nb: the notebook already read (helpers.tools.execute returns the copy its run wrote), else it is read from path.
    Raises ValueError naming the notebook if it cannot be read, if its execution failed anywhere (an error
    output, or papermill's marks), if it has no such cell or the cell has no JSON output (the run stopped
    before it), or if a key is missing or of the wrong type.
    """
    import nbformat  # imported here: it costs a second at import, and only reading notebooks needs it

    from helpers.results import KEYS, MIME, RESULTS_TAG

    if nb is None:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as e:  # missing, unreadable, not JSON, not a notebook
            raise ValueError(
                f"{path}: cannot read it as a notebook: {type(e).__name__}: "
                f"{str(e).splitlines()[0][:80] if str(e) else ''}"
            ) from None
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
