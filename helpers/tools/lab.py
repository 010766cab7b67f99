"""Open the series in JupyterLab for a pleasant first minute: the README or index first, and no pop-ups (`make lab`).

    python -m helpers.tools.lab [--root notebooks] [jupyter lab options ...]

The server listens on 127.0.0.1 only and asks for a token. tests/test_browser.py starts JupyterLab with the
same options (`lab_args`), so the browser test checks exactly what a learner gets. RISE, installed with the
series (jupyterlab-rise), presents a notebook as live slides that run in its kernel: View > Render as Reveal
Slideshow (Alt+R), then View > Full screen slideshow; its setting below, its style in notebooks/rise.css.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import quote

from helpers.tools.execute import BUILD, NOTEBOOKS

# Defaults for this lab only (JupyterLab's "overrides.json"); a learner's own settings still win.
OVERRIDES: dict[str, dict[str, object]] = {
    # no "Would you like to get notified about official Jupyter news?" toast, no update check
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
    # a README opens rendered, not as source
    "@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Markdown Preview"}},
    # RISE's live slides in reveal.js's "white" theme, whose fonts come with it: "simple", RISE's default, fetches
    # its fonts from Google (notebooks/rise.css sets the sizes, so a slide fits the same in either)
    "jupyterlab-rise:plugin": {"theme": "white"},
}
# the pages a series can open with, best first; else its first numbered notebook (00_index.ipynb, say)
FIRST_PAGES = ("README.md", "index.ipynb")


def first_page(root: Path = NOTEBOOKS) -> str:
    """the file (relative to root) that the lab opens first: a README or index, else the first notebook."""
    for name in FIRST_PAGES:
        if (root / name).is_file():
            return name
    numbered = sorted(p.name for p in root.glob("[0-9][0-9]_*.ipynb"))
    if not numbered:
        raise FileNotFoundError(f"no README.md, index or numbered notebook in {root}")
    return numbered[0]


def write_settings(folder: Path, extra: dict[str, dict[str, object]] | None = None) -> Path:
    """write OVERRIDES (merged with extra, per plugin) to folder/overrides.json; return folder."""
    settings = {plugin: dict(values) for plugin, values in OVERRIDES.items()}
    for plugin, values in (extra or {}).items():
        settings.setdefault(plugin, {}).update(values)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "overrides.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    return folder


def lab_args(root: Path, settings: Path) -> list[str]:
    """the jupyter lab options that make lab and the browser test share: local, quiet, README first."""
    args = [
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.default_url=/lab/tree/{quote(first_page(root))}",
        f"--LabApp.app_settings_dir={settings}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--allow-root")  # JupyterLab refuses root without it (containers, CI)
    return args


def main(argv: list[str] | None = None) -> None:
    """exec jupyter lab on the series; options it does not know are passed on to jupyter lab."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=NOTEBOOKS, help="folder to serve (default: notebooks/)")
    args, rest = parser.parse_known_args(argv)
    settings = write_settings(BUILD / "lab" / "settings")
    jupyter = shutil.which("jupyter", path=str(Path(sys.executable).parent)) or "jupyter"
    os.execv(jupyter, [jupyter, "lab", *lab_args(args.root.resolve(), settings), *rest])


if __name__ == "__main__":
    main()
