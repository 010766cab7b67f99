"""The linters run clean, as `make test` runs them: ruff (lint and format), mypy, the import contracts, and ruff over
the notebooks through nbqa. Each runs as a subprocess of this Python (the .venv's), with its configuration from
pyproject.toml; a failure shows the tool's own report.

They write only their caches, all ignored by git: .ruff_cache/ and .mypy_cache/ (lint-imports runs without its
cache); nbqa's temporary copies of the notebooks (notebooks/*_nbqa_ipynb.py) are gone when it ends.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"

TOOLS = {
    "ruff_check": ["-m", "ruff", "check", "--no-fix", "."],
    "ruff_format": ["-m", "ruff", "format", "--check", "."],
    # cold about 9 s of CPU, most of it reading torch (pyproject.toml says which parts it skips); `make`'s set-up has
    # read the installed packages once (tools/mypy_cache.py), so in a fresh clone it reads helpers alone, about 1 s
    "mypy": ["-m", "mypy"],
    "lint_imports": ["-c", LINT_IMPORTS, "--no-cache"],
    "nbqa_ruff": ["-m", "nbqa", "ruff", "notebooks"],
}


@pytest.mark.parametrize("tool", TOOLS)
def test_the_tool_finds_nothing(tool):
    done = subprocess.run(
        [sys.executable, *TOOLS[tool]], cwd=ROOT, capture_output=True, text=True, timeout=110,
        env=os.environ | {"NO_COLOR": "1"},
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"{' '.join(TOOLS[tool])} exited {done.returncode}:\n{done.stdout}\n{done.stderr}", pytrace=False)


def test_the_set_up_caches_the_types_of_what_helpers_imports_and_nothing_else():
    spec = importlib.util.spec_from_file_location("mypy_cache", ROOT / "tools" / "mypy_cache.py")
    mypy_cache = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mypy_cache)
    names = mypy_cache.third_party_imports()
    assert {"torch", "numpy", "matplotlib.pyplot", "nbformat", "papermill"} <= set(names), names
    assert [n for n in names if n.split(".")[0] in ("helpers", *sys.stdlib_module_names)] == []
