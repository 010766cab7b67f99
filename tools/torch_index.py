"""Which torch build `make` installs: prints the extra pip arguments on stdout and one line saying why on stderr.

    pip install $(python tools/torch_index.py) -e .

On Linux x86-64, PyPI's torch is the CUDA build: a 527 MB wheel that pulls 2.2 GB of nvidia-*, cuda-* and
triton wheels, 2.7 GB to download. A machine without CUDA needs only the CPU build (a 192 MB wheel) from
PyTorch's own index, which this adds with --extra-index-url (pip then prefers 2.13.0+cpu, which satisfies
torch==2.13.0). In order:

1. a torch wheel of the pinned version lies in one of pip's find-links folders: pip's own configuration
   already has a build, so nothing is added and nothing is probed (these CI machines: /opt/wheels);
2. not Linux x86-64 (macOS, Windows, ARM): PyPI's build is the right one, nothing is added;
3. a CUDA driver (/proc/driver/nvidia, or a working nvidia-smi): the default CUDA build, nothing is added;
4. the CPU index answers within TIMEOUT seconds: --extra-index-url https://download.pytorch.org/whl/cpu;
5. it does not (offline, a firewall, a proxy that refuses it): nothing is added, pip goes on as configured.

Only the standard library, no network beyond one HEAD request to the index, and it never fails: whatever goes
wrong ends in "nothing added" with the reason, so `make` works wherever pip alone would.
"""

from __future__ import annotations

import ast
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import tomllib
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PROBE_URL = CPU_INDEX + "/torch/"
TIMEOUT = 4.0  # seconds, for the whole probe: DNS, connection and the answer's status line
ROOT = Path(__file__).resolve().parent.parent
# download sizes for torch 2.13.0, cp311, Linux x86-64, measured 2026-12-03 (pip's resolution, the files' sizes);
# torch's other dependencies (sympy, networkx, jinja2, ...) add 10 MB to either
CPU_SIZE = "a 192 MB wheel"
CUDA_SIZE = "a 527 MB wheel and 2.2 GB of nvidia-*, cuda-* and triton wheels"


def torch_pin(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """the version pyproject.toml pins torch to: '2.13.0'."""
    for dep in tomllib.loads(pyproject.read_text())["project"]["dependencies"]:
        if m := re.fullmatch(r"torch\s*==\s*([\w.]+)", dep.strip()):
            return m.group(1)
    raise ValueError(f"{pyproject} pins no torch==<version>")


def pip_find_links(python: str = sys.executable) -> list[str]:
    """every find-links entry pip is configured with (its config files and PIP_FIND_LINKS), as pip lists them."""
    try:
        out = subprocess.run([python, "-m", "pip", "config", "list"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    # one line per setting, its value as a Python literal: global.find-links='/opt/wheels\n/srv/more'
    values = [ast.literal_eval(m.group(1)) for m in re.finditer(r"^\S*find-links=('.*')$", out, re.M)]
    links = [v for value in values for v in value.split()]
    links += os.environ.get("PIP_FIND_LINKS", "").split()  # pip lists it too; a duplicate does no harm
    return links


def local_wheel(links: list[str], version: str, python_tag: str | None = None) -> Path | None:
    """a torch-<version> wheel for this Python in one of the find-links folders (local paths and file: URLs)."""
    tag = python_tag or f"cp{sys.version_info.major}{sys.version_info.minor}"
    for link in links:
        path = Path(unquote(urlparse(link).path)) if link.startswith("file:") else Path(link)
        if "://" in link and not link.startswith("file:"):
            continue  # a remote find-links page: pip reads it, we do not
        if path.is_dir():
            wheels = sorted(path.glob(f"torch-{version}[+-]*.whl"))
        elif path.is_file() and path.name.startswith(f"torch-{version}"):
            wheels = [path]
        else:
            continue
        for wheel in wheels:
            if f"-{tag}-" in wheel.name:
                return wheel
    return None


def cuda_driver() -> str | None:
    """what shows an NVIDIA driver here ('/proc/driver/nvidia', 'nvidia-smi'), or None."""
    if Path("/proc/driver/nvidia").exists():
        return "/proc/driver/nvidia"
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            if subprocess.run([smi, "-L"], capture_output=True, timeout=10).returncode == 0:
                return "nvidia-smi"
        except (OSError, subprocess.SubprocessError):
            pass
    return None


def probe(url: str = PROBE_URL, timeout: float = TIMEOUT) -> str | None:
    """None if `url` answers (any HTTP status below 400) within `timeout` seconds in all, else why not.

    The request runs in a daemon thread that is given up on after `timeout`: urllib's own timeout covers each
    socket operation but not the DNS lookup, which on a machine without a resolver can take much longer.
    """
    result: list[str | None] = []

    def ask() -> None:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout) as answer:
                result.append(None if answer.status < 400 else f"HTTP {answer.status}")
        except Exception as e:
            reason = getattr(e, "reason", None) or e
            result.append(f"{type(e).__name__}: {reason}")

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    thread.join(timeout)
    return result[0] if result else f"no answer within {timeout:g} s"


def choose(
    version: str,
    links: list[str],
    system: str,
    machine: str,
    cuda: Callable[[], str | None],
    reach: Callable[[], str | None],
) -> tuple[list[str], str]:
    """(extra pip arguments, the one line that says which build and why). cuda and reach are called only if needed."""
    wheel = local_wheel(links, version)
    if wheel is not None:
        return [], f"torch: a local wheel is configured ({wheel.name} in {wheel.parent}); using pip's own configuration"
    if system != "Linux" or machine not in ("x86_64", "AMD64"):
        return [], f"torch: {system} {machine}, PyPI's default build (it has no CUDA libraries to download)"
    driver = cuda()
    if driver:
        return [], f"torch: CUDA machine ({driver}), default build from PyPI ({CUDA_SIZE})"
    why = reach()
    host = CPU_INDEX.split("://", 1)[1]
    if why is None:
        return ["--extra-index-url", CPU_INDEX], f"torch: CPU build from {host} ({CPU_SIZE}; no CUDA driver here)"
    return [], (
        f"torch: the index at {host} cannot be reached ({why}); using pip's own configuration "
        f"(from PyPI alone that is the CUDA build: {CUDA_SIZE})"
    )


def main() -> int:
    try:
        args, line = choose(torch_pin(), pip_find_links(), platform.system(), platform.machine(), cuda_driver, probe)
    except Exception as e:
        args, line = [], f"torch: could not choose a build ({type(e).__name__}: {e}); using pip's own configuration"
    print(line, file=sys.stderr, flush=True)
    print(" ".join(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
