"""A sweep's outcome, one row per run: a table, a figure, and summary.csv / .md / .png for the CLI.

lr_sweep trains in-process (what 07_learning_rate.ipynb uses); helpers.tools.rerun runs the notebook with
papermill once per combination. Both give rows with the same keys, so both draw the same figure.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import torch

from helpers.checks import ACTIVATIONS, check_choice, check_count, check_data, check_lr
from helpers.model import init_params
from helpers.results import summarize
from helpers.training import train

FORMATS = {"final_loss": "{:.4e}", "w": "{:.6f}", "b": "{:.6f}", "distance": "{:.2e}", "seconds": "{:.1f}"}


def lr_sweep(
    X: torch.Tensor,
    y: torch.Tensor,
    lrs: Sequence[float],
    activations: Sequence[str] = ("relu", "none"),
    *,
    seed: int = 0,
    num_epochs: int = 150,
    loss: str = "sum",
    dtype: torch.dtype = torch.float32,
) -> list[dict[str, Any]]:
    """train once per (lr, activation), as 05_training.ipynb does (num_epochs - 1 updates from init_params(seed)).

    X, y: (n, 1) -> one row per run in grid order: summarize()'s dict plus "history", the run's History.
    """
    X, y = check_data(X, y)
    if not lrs or not activations:
        raise ValueError("lrs and activations must each hold at least one value")
    for lr in lrs:  # every value checked before the first run starts
        check_lr(lr)
    for activation in activations:
        check_choice("activation", activation, ACTIVATIONS)
    if check_count(num_epochs, "num_epochs") < 1:
        raise ValueError("num_epochs must be >= 1 (the loop makes num_epochs - 1 updates), got 0")
    w0, b0 = init_params(seed, dtype=dtype, device=X.device)
    rows = []
    for lr in lrs:
        for activation in activations:
            h = train(
                X,
                y,
                w0,
                b0,
                lr=lr,
                num_updates=num_epochs - 1,
                loss=loss,
                activation=activation,
                on_divergence="record",
            )
            rows.append({**summarize(h, X, y, activation=activation, seed=seed, num_epochs=num_epochs), "history": h})
    return rows


def _cell(row: Mapping[str, Any], key: str) -> str:
    v = row.get(key)
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "" if key in ("error", "folder") else "n/a"
    if key in FORMATS and isinstance(v, numbers.Real) and not isinstance(v, bool):
        return FORMATS[key].format(v)
    return str(v).replace("|", "/")


def sweep_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """a Markdown table of the rows, numbers at stable precision, one line per row."""
    lines = ["| " + " | ".join(c.replace("_", " ") for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(r, c) for c in columns) + " |" for r in rows]
    return "\n".join(lines)
