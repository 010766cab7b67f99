"""Run notebooks headless: executed copies and HTML go to an output folder, never into notebooks/.

    python -m helpers.tools.execute --refresh notebooks/05_training.ipynb   # maintainers: re-execute in place

`--refresh` is the one way anything here writes into notebooks/: an author re-executing the committed
copies from a fresh kernel after editing them (outputs replaced, sources untouched).
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import nbformat

ROOT = Path(__file__).resolve().parents[2]  # helpers/tools/execute.py -> the repository
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
    notebook: Any = field(default=None, repr=False, compare=False)  # the executed copy as this run wrote it


class OutputError(OSError):
    """an output that cannot be written (a full disk, no permission, not a folder); the message is one line."""


# errors of writing, as opposed to a failing notebook: a run that meets one cannot keep its outputs
WRITE_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.EIO,
    errno.EFBIG,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.EEXIST,
}
_UMASK = os.umask(0o022)  # the process umask: reading it means setting it, so it is put back at once
os.umask(_UMASK)


def in_series(path: str | Path) -> bool:
    """whether path is notebooks/ or lies inside it, where nothing but --refresh may write."""
    path = Path(path).resolve()
    return path == NOTEBOOKS or NOTEBOOKS in path.parents


def check_target(path: str | Path) -> Path:
    """path if the tooling may write there: followed through every symlink, it must not lie in notebooks/.

    Raises ValueError with one line; the one exception is `--refresh`, which writes the series on purpose.
    """
    path = Path(path)
    resolved = path.resolve()
    if in_series(resolved):
        via = "" if resolved == path.absolute() else f" (it resolves to {resolved.relative_to(ROOT)})"
        raise ValueError(f"refusing to write {shown(path)}{via}: nothing but --refresh writes into notebooks/")
    return path


def output_error(e: OSError, path: str | Path, doing: str = "write") -> OutputError:
    """e as one line: what could not be done to which path, and the system's reason."""
    lines = str(e).strip().splitlines()
    reason = e.strerror or (lines[0] if lines else type(e).__name__)
    return OutputError(f"cannot {doing} {shown(path)}: {reason}")


def make_folder(path: str | Path) -> Path:
    """path as a folder we may write into (created if missing); OutputError or ValueError in one line."""
    path = check_target(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{shown(path)} is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise output_error(e, path, "create the folder") from None
    return path


def temporary_path(dest: Path) -> Path:
    """a new empty file next to dest (same folder, so os.replace is atomic), with the permissions of a plain one."""
    try:
        fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=f".tmp{dest.suffix}", dir=dest.parent)
        os.close(fd)
        os.chmod(name, 0o666 & ~_UMASK)
    except OSError as e:
        raise output_error(e, dest) from None
    return Path(name)


@contextlib.contextmanager
def replacing(dest: str | Path, series: bool = False) -> Iterator[Path]:
    """a temporary file to write in dest's folder, renamed over dest when the block ends without an error.

    Readers see the old file or the new one, never half of one; os.replace swaps a symlink at dest for
    the file, never writing through it. On an error the temporary file is removed and the error raised,
    an OSError as an OutputError in one line. series: allow dest in notebooks/ (for --refresh only).
    """
    dest = Path(dest) if series else check_target(dest)
    tmp = temporary_path(dest)
    try:
        yield tmp
        os.replace(tmp, dest)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise output_error(e, dest) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(dest: str | Path, data: str | bytes) -> Path:
    """write data (text as UTF-8) to dest through a temporary file and a rename; return dest."""
    with replacing(dest) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(dest)


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


# nbconvert's lab page without anything from the network: no require.js, mermaid or widget manager from a CDN,
# and MathJax only from the copy `make html` vendors into build/vendor (else formulas stay as TeX source)
PAGE = """{%- extends 'lab/index.html.j2' -%}
{%- from 'mathjax3.html.j2' import mathjax3 -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_js_mathjax -%}{%- if resources.static -%}{{ mathjax3(resources.static) }}{%- endif -%}
{%- endblock html_head_js_mathjax -%}
"""


def html_page(nb: nbformat.NotebookNode) -> str:
    """an executed notebook as a standalone HTML page that loads nothing from the network.

    Widget panels become their saved figure (as in `make html`); MathJax is linked from build/vendor/ when
    `make html` has fetched it there, as a file: URL.
    """
    import jinja2
    from nbconvert import HTMLExporter

    from helpers.tools.site import TEMPLATES, for_the_page
    from helpers.tools.vendor import VENDOR

    mathjax = VENDOR / "mathjax" / "es5" / "tex-chtml-full.js"
    exporter = HTMLExporter(
        template_name="lab",
        template_file="run_page.html.j2",
        extra_template_paths=[str(TEMPLATES)],
        extra_loaders=[jinja2.DictLoader({"run_page.html.j2": PAGE})],
    )
    static = VENDOR.as_uri() if mathjax.is_file() else ""
    body, _ = exporter.from_notebook_node(for_the_page(nb, "html"), resources={"static": static})
    return body


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

    Every file is written atomically: papermill saves its progress into a temporary file in out_dir, renamed
    to <name>.ipynb at the end (a failed run's partial copy too, for the user to inspect). A copy or page left
    by an earlier run is removed first, so what is there afterwards is this run's; the returned `notebook`
    is the executed copy as this run wrote it, for reading its results without opening the file again.
    Raises ValueError (a path into notebooks/, or onto the source) and OutputError (the outputs cannot be
    written: a full disk, no permission), each in one line; a failing notebook is not an exception.
    """
    import nbformat
    import papermill

    source, out_dir = Path(source).resolve(), Path(out_dir).resolve()
    if in_series(out_dir):
        raise ValueError(f"out_dir must be outside {NOTEBOOKS}: executed copies never overwrite the series")
    output, page = out_dir / source.name, out_dir / (source.stem + ".html")
    for path in (output, page):
        check_target(path)  # a symlink left there that leads into notebooks/ is refused, before any kernel starts
    if output.resolve() == source:
        raise ValueError(f"out_dir must not be the folder of {source.name}: its executed copy would overwrite it")
    make_folder(out_dir)
    for stale in (output, page):
        try:
            stale.unlink(missing_ok=True)  # a symlink is removed, not what it points to
        except OSError as e:
            raise output_error(e, stale, "remove the earlier") from None
    tmp = temporary_path(output)
    start, error, nb = time.perf_counter(), None, None
    try:
        try:
            with contextlib.nullcontext(km) if km is not None else private_kernel() as kernel:
                papermill.execute_notebook(
                    str(source),
                    str(tmp),
                    parameters=parameters or {},
                    kernel_name=KERNEL,
                    progress_bar=False,
                    cwd=str(source.parent),
                    km=kernel,
                    # written once at the end, or at the failing cell: saving after every cell costs ~1 s a run
                    request_save_on_cell_execute=False,
                )
        except OSError as e:
            if e.errno in WRITE_ERRNOS:  # papermill could not save the notebook: nothing of it can be trusted
                raise output_error(e, output) from None
            error = _one_line(e)
        except Exception as e:  # a failing notebook is an outcome to report, with its partial copy kept
            error = _one_line(e)
        seconds = time.perf_counter() - start
        try:
            nb = nbformat.read(tmp, as_version=4)
        except Exception:  # papermill wrote nothing (the kernel never started) or not all of it
            tmp.unlink(missing_ok=True)
        else:
            try:
                os.replace(tmp, output)
            except OSError as e:
                raise output_error(e, output) from None
    finally:
        tmp.unlink(missing_ok=True)
    written = write_atomic(page, html_page(nb)) if html and nb is not None else None
    return Executed(source, output, written, seconds, error, nb)


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
    import nbformat
    from nbclient import NotebookClient

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    with private_kernel() as km:
        NotebookClient(
            nb,
            km=km,
            timeout=timeout,
            kernel_name=KERNEL,
            record_timing=False,
            resources={"metadata": {"path": str(path.parent)}},
        ).execute()
    for i, cell in enumerate(nb.cells):
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = _merge_streams(cell.outputs)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                raise RuntimeError(f"{path}: cell {i} wrote to stderr, which the series never does:\n{out.get('text')}")
    nb.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": KERNEL}
    nbformat.validate(nb)
    with replacing(path, series=True) as tmp:  # the one writer allowed into notebooks/
        nbformat.write(nb, tmp)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--refresh", nargs="+", metavar="NOTEBOOK", required=True, help="re-execute these committed notebooks in place"
    )
    args = parser.parse_args(argv)
    for nb in args.refresh:
        start = time.perf_counter()
        refresh(nb)
        print(f"refreshed {nb} in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
