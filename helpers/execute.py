"""Run notebooks headless: executed copies and HTML go to an output folder, never into notebooks/.

    python -m helpers.execute --refresh notebooks/05_training.ipynb   # maintainers: re-execute in place

`--refresh` is the one way anything here writes into notebooks/: an author re-executing the committed
copies from a fresh kernel after editing them (outputs replaced, sources untouched).
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"
KERNEL = "python3"


@dataclass(frozen=True)
class Executed:
    """one headless run of one notebook."""

    source: Path
    output: Path  # the executed copy (partial if it failed)
    html: Path | None
    seconds: float
    error: str | None  # None on success, else one line saying what failed


def in_series(path: str | Path) -> bool:
    """whether path is notebooks/ or lies inside it, where nothing but --refresh may write."""
    path = Path(path).resolve()
    return path == NOTEBOOKS or NOTEBOOKS in path.parents


def shown(path: str | Path) -> str:
    """path as a command line shows it: relative to the working folder where it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _one_line(e: BaseException) -> str:
    lines = [ln for ln in str(e).strip().splitlines() if ln.strip()]
    ename = getattr(e, "ename", type(e).__name__)
    evalue = getattr(e, "evalue", lines[-1] if lines else "")
    return f"{ename}: {evalue}".strip()


def to_html(ipynb: Path, html: Path) -> Path:
    """render an executed notebook as a standalone HTML page."""
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter().from_notebook_node(nbformat.read(ipynb, as_version=4))
    html.write_text(body, encoding="utf-8")
    return html


def execute(
    source: str | Path,
    out_dir: str | Path,
    parameters: dict[str, Any] | None = None,
    html: bool = True,
    km: Any = None,
) -> Executed:
    """execute source with papermill into out_dir/<name>.ipynb (+ .html); failures are recorded, not raised.

    By default in a fresh private kernel, shut down afterwards. km: a kernel manager whose started kernel the
    caller owns and has cleared (tests that rerun one notebook many times pay the kernel start and torch's
    import once); the run leaves it running.
    """
    import papermill

    source, out_dir = Path(source).resolve(), Path(out_dir).resolve()
    if in_series(out_dir):
        raise ValueError(f"out_dir must be outside {NOTEBOOKS}: executed copies never overwrite the series")
    output = out_dir / source.name
    if output == source:
        raise ValueError(f"out_dir must not be the folder of {source.name}: its executed copy would overwrite it")
    out_dir.mkdir(parents=True, exist_ok=True)
    start, error = time.perf_counter(), None
    try:
        with contextlib.nullcontext(km) if km is not None else private_kernel() as kernel:
            papermill.execute_notebook(
                str(source), str(output), parameters=parameters or {}, kernel_name=KERNEL,
                progress_bar=False, cwd=str(source.parent), km=kernel,
            )
    except Exception as e:  # a failing notebook is an outcome to report, with its partial copy kept
        error = _one_line(e)
    seconds = time.perf_counter() - start
    page = to_html(output, output.with_suffix(".html")) if html and output.exists() else None
    return Executed(source, output, page, seconds, error)


@contextlib.contextmanager
def private_kernel() -> Iterator[Any]:
    """a kernel manager on IPC sockets in a private temporary folder, whose kernel is shut down on exit.

    Unlike the default TCP transport, no port is open to other local users. papermill and nbclient leave
    a kernel they did not start running, so shutting it down is ours to do, on success and on error.
    """
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        km = AsyncKernelManager(kernel_name=KERNEL, transport="ipc", ip=f"{sockets}/ipc")
        try:
            yield km
        finally:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)


def _merge_streams(outputs: list) -> list:
    """join consecutive writes to one stream, which the kernel may split differently from run to run."""
    merged: list = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if prev is not None and out.output_type == prev.output_type == "stream" and out.name == prev.name:
            prev.text += out.text
        else:
            merged.append(out)
    return merged


def refresh(path: str | Path, timeout: int = 600) -> None:
    """re-execute a committed notebook in place from a fresh kernel, keeping its sources and metadata clean."""
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    with private_kernel() as km:
        NotebookClient(nb, km=km, timeout=timeout, kernel_name=KERNEL, record_timing=False,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                raise RuntimeError(f"{path}: cell {i} wrote to stderr, which the series never does:\n{out.get('text')}")
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
    nbformat.validate(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", nargs="+", metavar="NOTEBOOK", required=True,
                        help="re-execute these committed notebooks in place")
    args = parser.parse_args(argv)
    for nb in args.refresh:
        start = time.perf_counter()
        refresh(nb)
        print(f"refreshed {nb} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
