"""A sweep's summary files: summary.csv, summary.md and summary.png, each written atomically."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from helpers.figures.sweep import plot_sweep
from helpers.further.sweep import sweep_table
from helpers.solve import Spectrum

RESULT_COLUMNS = ("status", "final_loss", "w", "b", "distance", "updates", "seconds", "error", "folder")


def summary_markdown(rows: Sequence[Mapping[str, Any]], names: Sequence[str], heading: str) -> str:
    """summary.md's text: the heading, then a table of the runs (the error column only if a run failed)."""
    columns = [*names, *RESULT_COLUMNS]
    shown = [c for c in columns if c != "folder" and (c != "error" or any(r.get("error") for r in rows))]
    return f"{heading}\n\n{sweep_table(rows, shown)}\n"


def write_summary(
    rows: Sequence[Mapping[str, Any]],
    out: str | Path,
    names: Sequence[str],
    heading: str,
    spec: Spectrum | None = None,
    title: str = "Distance to the closed form at the end of each run",
) -> list[Path]:
    """summary.csv (every value), summary.md (the table) and summary.png (plot_sweep) in out, each atomically.

    A reader sees each file whole or not at all. Raises OutputError (one line) if one cannot be written:
    the files written before it stay, the one that failed keeps its earlier version, if any.
    """
    from helpers.tools.execute import make_folder, replacing, write_atomic

    out = make_folder(out)
    columns = [*names, *RESULT_COLUMNS]
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, columns, extrasaction="ignore")
    writer.writeheader()
    writer.writerows({c: "" if r.get(c) is None else r[c] for c in columns} for r in rows)
    paths = [
        write_atomic(out / "summary.csv", text.getvalue()),
        write_atomic(out / "summary.md", summary_markdown(rows, names, heading)),
    ]
    if rows and names and any("w" in r for r in rows):  # runs with results to draw
        x = "learning_rate" if "learning_rate" in names else names[0]
        fig = plot_sweep(rows, x, [n for n in names if n != x], spec if x == "learning_rate" else None, title)
        with replacing(out / "summary.png") as tmp:
            fig.savefig(tmp, dpi=120, format="png")
        paths.append(out / "summary.png")
    return paths
