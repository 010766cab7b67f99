"""reveal.js and MathJax for the offline slides and site, fetched once from the npm registry into build/vendor/.

    python -m helpers.tools.vendor

Pinned versions, checked against their npm integrity hashes; only the files the pages load are kept
(about 4 MB). After this has run once, building pages needs no network, and viewing them never does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from helpers.tools.execute import BUILD

VENDOR = BUILD / "vendor"
# npm package -> (version, npm's sha512 integrity, the paths inside the package that the pages load)
PACKAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "reveal.js": ("5.2.1",
                  "sha512-r7//6mIM5p34hFiDMvYfXgyjXqGRta+/psd9YtytsgRlrpRzFv4RbH76TXd2qD+7ZPZEbpBDhdRhJaFgfQ7zNQ==",
                  ("LICENSE", "dist/reveal.js", "dist/reveal.css", "dist/theme/", "plugin/notes/notes.js")),
    "mathjax": ("3.2.2",
                "sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
                ("LICENSE", "es5/tex-chtml-full.js", "es5/output/chtml/fonts/woff-v2/")),
}  # fmt: skip


def _stamp(name: str) -> str:
    return f".{name}-{PACKAGES[name][0]}"


def fetch(name: str, dest: Path = VENDOR) -> Path:
    """dest/name holding the pinned package's kept files; fetched with `npm pack` unless already there."""
    version, integrity, keep = PACKAGES[name]
    target = dest / name
    if (target / _stamp(name)).is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is needed once to fetch {name}@{version} (Debian: apt-get install npm)")
    with tempfile.TemporaryDirectory(prefix="vendor-") as tmp:
        done = subprocess.run([npm, "pack", "--silent", "--json", "--prefer-offline", "--pack-destination", tmp,
                               f"{name}@{version}"], capture_output=True, text=True, cwd=tmp)  # fmt: skip
        if done.returncode != 0:
            raise RuntimeError(f"npm pack {name}@{version} failed:\n{done.stderr.strip()[-2000:]}")
        packed = json.loads(done.stdout)[0]
        if packed["integrity"] != integrity:
            raise RuntimeError(f"{name}@{version}: integrity {packed['integrity']} is not the pinned {integrity}")
        shutil.rmtree(target, ignore_errors=True)
        with tarfile.open(Path(tmp) / packed["filename"]) as tar:
            members = [m for m in tar.getmembers()
                       if m.isfile() and m.name.removeprefix("package/").startswith(keep)]  # fmt: skip
            for m in members:
                m.name = m.name.removeprefix("package/")
            tar.extractall(target, members=members, filter="data")
    (target / _stamp(name)).touch()
    return target


def copy_assets(names: tuple[str, ...], static: Path, dest: Path = VENDOR) -> Path:
    """copy the named vendored packages into static/ (a site's own assets folder); return static."""
    for name in names:
        shutil.copytree(fetch(name, dest), static / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns(".*"))  # fmt: skip
    return static


def main() -> None:
    for name in PACKAGES:
        try:
            print(f"{name}@{PACKAGES[name][0]} in {fetch(name)}")
        except RuntimeError as e:  # no npm, no registry, a changed package: one line, not a traceback
            raise SystemExit(f"helpers.tools.vendor: {e}") from None


if __name__ == "__main__":
    main()
