"""Cache mypy's reading of the installed packages that helpers imports, once, as the test environment is built.

    python tools/mypy_cache.py     # run by `make .venv/.test`; writes only .mypy_cache/ (ignored by git)

Before mypy can check helpers it reads the types of torch, numpy, matplotlib and the Jupyter packages: in a fresh
clone that is most of the type check in `make test` (9.4 s of CPU cold, 1.3 s once they are cached, on the 2-core
AMD machine). They change only when the environment does, so they are cached with it, as pip compiles their
bytecode; helpers itself is read and checked by the test (tests/test_lint.py), as on any later run. mypy's cache
is keyed by each file's contents and the options, so a package upgraded later is read again.

Standard library only, and it never fails the build: the imports are found by reading helpers/ (ast), written to a
temporary file, and checked with the project's own configuration; whatever mypy reports there is the test's to say.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "helpers"


def third_party_imports(package: Path = PACKAGE) -> list[str]:
    """every module package/**/*.py imports by absolute name, but its own and the standard library's."""
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    own = {package.name, *sys.stdlib_module_names}
    return sorted(name for name in names if name.split(".")[0] not in own)


def main() -> int:
    modules = third_party_imports()
    with tempfile.TemporaryDirectory(prefix="mypy-cache-") as tmp:
        probe = Path(tmp) / "imports.py"
        probe.write_text("".join(f"import {name}\n" for name in modules), encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "mypy", str(probe)], cwd=ROOT, capture_output=True, text=True)
    print(f"mypy's cache: the types of {len(modules)} modules helpers imports read once "
          f"({'done' if done.returncode in (0, 1) else 'mypy failed; the test will read them'})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
