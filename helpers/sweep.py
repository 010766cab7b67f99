"""A sweep's outcome, one row per run: a table, a figure, and summary.csv / .md / .png for the CLI.

lr_sweep trains in-process (what 07_learning_rate.ipynb uses); helpers.rerun runs the notebook with
papermill once per combination. Both give rows with the same keys, so both draw the same figure.
"""

from __future__ import annotations

import csv
import io
import math
import numbers
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from .checks import ACTIVATIONS, check_choice, check_count, check_data, check_lr
from .model import init_params
from .plots import new_figure
from .results import summarize
from .solve import Spectrum
from .training import CONVERGED_TOL, train

RESULT_COLUMNS = ("status", "final_loss", "w", "b", "distance", "updates", "seconds", "error", "folder")
FORMATS = {"final_loss": "{:.4e}", "w": "{:.6f}", "b": "{:.6f}", "distance": "{:.2e}", "seconds": "{:.1f}"}
MARKERS = {"converged": "o", "not_converged": "o", "dead_relu": "X"}


def lr_sweep(
    X: torch.Tensor, y: torch.Tensor, lrs: Sequence[float], activations: Sequence[str] = ("relu", "none"), *,
    seed: int = 0, num_epochs: int = 150, loss: str = "sum", dtype: torch.dtype = torch.float32,
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
            h = train(X, y, w0, b0, lr=lr, num_updates=num_epochs - 1, loss=loss, activation=activation,
                      on_divergence="record")
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


def plot_sweep(
    rows: Sequence[Mapping[str, Any]], x: str = "learning_rate", by: Sequence[str] = ("activation",),
    spec: Spectrum | None = None, title: str = "Distance to the closed form at the end of each run",
) -> Figure:
    """final distance to the closed form against x (log-log for lr), one series per value of `by`.

    Diverged or failed runs sit as triangles on the top edge; spec marks 2/lam_max and 2/(lam_min + lam_max).
    """
    if not rows:
        raise ValueError("rows must hold at least one run")
    xs = [r[x] for r in rows]
    numeric = all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in xs)
    cats = list(dict.fromkeys(map(str, xs)))
    pos = (lambda v: float(v)) if numeric else (lambda v: float(cats.index(str(v))))
    fig = new_figure((9, 4.5))
    ax = fig.subplots()
    top = blended_transform_factory(ax.transData, ax.transAxes)
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for r in rows:
        groups.setdefault(", ".join(f"{k}={r[k]}" for k in by) or "runs", []).append(r)
    for i, (label, group) in enumerate(groups.items()):
        color = f"C{i}"
        done = [r for r in group if r["status"] in MARKERS and r.get("distance") is not None]
        ax.plot([pos(r[x]) for r in done], [max(r["distance"], 1e-16) for r in done], "-", color=color, lw=1.5,
                label=label)
        for status, marker in MARKERS.items():
            pts = [r for r in done if r["status"] == status]
            ax.plot([pos(r[x]) for r in pts], [max(r["distance"], 1e-16) for r in pts], marker, color=color,
                    ms=9 if marker == "X" else 5, mec="black" if marker == "X" else color, ls="none")
        broken = [r for r in group if r["status"] not in MARKERS or r.get("distance") is None]
        ax.plot([pos(r[x]) for r in broken], [0.96 - 0.05 * i] * len(broken), "^", color=color, ms=9, mec="black",
                transform=top, clip_on=False, ls="none")
    ax.plot([], [], "X", color="gray", mec="black", ms=9, ls="none", label="dead ReLU")
    ax.plot([], [], "^", color="gray", mec="black", ms=9, ls="none", label="diverged or failed (drawn at the top)")
    ax.axhline(CONVERGED_TOL, color="gray", lw=0.8, ls=":", label=f"converged: within {CONVERGED_TOL:g}")
    if spec is not None and numeric:
        ax.axvline(spec.stability_limit, color="tab:red", ls="--", lw=1,
                   label=f"stability limit 2/λmax = {spec.stability_limit:.5f}")
        ax.axvline(spec.fastest_lr, color="tab:green", ls="-.", lw=1,
                   label=f"fastest rate 2/(λmin+λmax) = {spec.fastest_lr:.5f}")
    if numeric and x == "learning_rate":
        ax.set_xscale("log")
    if not numeric:
        ax.set_xticks(range(len(cats)), cats)
    ax.set_yscale("log")
    finite = [r["distance"] for r in rows if r["status"] in MARKERS and r.get("distance") is not None]
    ax.set_ylim(top=max([1.0, *finite]) * 30)  # room above the runs for the diverged markers
    ax.set(xlabel=x + (" (log scale)" if ax.get_xscale() == "log" else ""),
           ylabel="distance to the closed form (log)", title=title)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def summary_markdown(rows: Sequence[Mapping[str, Any]], names: Sequence[str], heading: str) -> str:
    """summary.md's text: the heading, then a table of the runs (the error column only if a run failed)."""
    columns = [*names, *RESULT_COLUMNS]
    shown = [c for c in columns if c != "folder" and (c != "error" or any(r.get("error") for r in rows))]
    return f"{heading}\n\n{sweep_table(rows, shown)}\n"


def write_summary(
    rows: Sequence[Mapping[str, Any]], out: str | Path, names: Sequence[str], heading: str,
    spec: Spectrum | None = None, title: str = "Distance to the closed form at the end of each run",
) -> list[Path]:
    """summary.csv (every value), summary.md (the table) and summary.png (plot_sweep) in out, each atomically.

    A reader sees each file whole or not at all. Raises OutputError (one line) if one cannot be written:
    the files written before it stay, the one that failed keeps its earlier version, if any.
    """
    from .execute import make_folder, replacing, write_atomic

    out = make_folder(out)
    columns = [*names, *RESULT_COLUMNS]
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({c: "" if r.get(c) is None else r[c] for c in columns} for r in rows)
    paths = [write_atomic(out / "summary.csv", text.getvalue()), write_atomic(out / "summary.md",
                                                                            summary_markdown(rows, names, heading))]
    if rows and names and any("w" in r for r in rows):  # runs with results to draw
        x = "learning_rate" if "learning_rate" in names else names[0]
        fig = plot_sweep(rows, x, [n for n in names if n != x], spec if x == "learning_rate" else None, title)
        with replacing(out / "summary.png") as tmp:
            fig.savefig(tmp, dpi=120, format="png")
        paths.append(out / "summary.png")
    return paths
