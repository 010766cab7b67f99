"""The executed series as a static site and as reveal.js decks, both working offline (`make html`, `make slides`).

    python -m helpers.tools.site --html [--out build/html]      # index.html, then one page per notebook
    python -m helpers.tools.site --slides [--out build/slides]  # index.html, then one deck per notebook

Pages come from the committed notebooks, which are executed (tests/test_notebooks.py checks that they ran
top to bottom, nbval that their outputs are current), so no kernel runs here. Figures are the embedded PNGs;
reveal.js and MathJax are copied into the output's _static/ from build/vendor/ (see helpers/vendor.py). The decks
lay a slide out as RISE does in `make lab`, with the series' own rise.css, and `--slides` ends by measuring every
slide in headless Chromium where it can (helpers/tools/slides.py).
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import time
from pathlib import Path

import nbformat

from helpers.tools.execute import BUILD, NOTEBOOKS, in_series
from helpers.tools.vendor import copy_assets

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = "_static"
SERIES = "Linear regression in PyTorch, step by step"
WIDGET = "application/vnd.jupyter.widget-view+json"
PANEL_NOTE = ("<p><em>An interactive panel: open this notebook in JupyterLab (<code>make lab</code>) to move its "
              "sliders. This is the figure it starts with.</em></p>")  # fmt: skip
SLIDES_CSS = "rise.css"  # RISE loads it for every notebook beside it; the decks include it
KINDS = {"html": (".html", ("mathjax",)), "slides": (".slides.html", ("mathjax", "reveal.js"))}


def title(nb: nbformat.NotebookNode) -> str:
    """the notebook's `# ` title as plain text (no backticks or stars), or an empty string."""
    for cell in nb.cells:
        for line in cell.source.splitlines() if cell.cell_type == "markdown" else []:
            if line.startswith("# "):
                return re.sub(r"[`*]", "", line[2:]).strip()
    return ""


def _panel_outputs(state: dict, model_id: str, seen: set[str]) -> list[dict]:
    """the outputs held by the Output widgets inside widget model_id (recursively), in order."""
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id]
    found = list(model["state"].get("outputs", [])) if model.get("model_name") == "OutputModel" else []
    refs = [v for value in model["state"].values() for v in (value if isinstance(value, list) else [value])]
    for ref in refs:
        if isinstance(ref, str) and ref.startswith("IPY_MODEL_"):
            found += _panel_outputs(state, ref.removeprefix("IPY_MODEL_"), seen)
    return found


def for_the_page(nb: nbformat.NotebookNode, kind: str) -> nbformat.NotebookNode:
    """a copy of nb ready to render: widget panels as their saved figure, solutions out of the decks."""
    nb = copy.deepcopy(nb)
    state = nb.metadata.pop("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for cell in nb.cells:
        outputs = []
        for out in cell.get("outputs", []):
            if WIDGET not in out.get("data", {}):
                outputs.append(out)
                continue
            note = nbformat.v4.new_output("display_data", data={"text/html": PANEL_NOTE})
            saved = _panel_outputs(state, out["data"][WIDGET]["model_id"], set())
            outputs += [note, *(nbformat.from_dict(o) for o in saved)]
        if cell.cell_type == "code":
            cell.outputs = outputs
        if kind == "slides" and "solution" in cell.metadata.get("tags", []):
            cell.metadata.setdefault("slideshow", {})["slide_type"] = "skip"
    if kind == "slides" and not any("slideshow" in c.metadata for c in nb.cells):
        for cell in nb.cells:  # an author gave no slide metadata: each ## section makes a slide
            if cell.cell_type == "markdown" and cell.source.startswith(("# ", "## ")):
                cell.metadata["slideshow"] = {"slide_type": "slide"}
    nb.metadata["title"] = title(nb)
    return nb


# bleach's sanitising of each highlighted code cell is most of a build's time, and a pure function of its text: the
# site and the decks show the same cells, so each text is sanitised once per process (the pages stay byte-identical)
_CLEANED: dict[str, str] = {}


def _clean_html(element: str | bytes) -> str:
    from nbconvert.filters import clean_html

    key = element.decode() if isinstance(element, bytes) else str(element)
    if key not in _CLEANED:
        _CLEANED[key] = clean_html(key)
    return _CLEANED[key]


class _Highlight:
    """nbconvert's highlight_code filter, remembered per text: the one nbconvert makes for each notebook (its
    language_info's lexer), called once per cell source, lexer and magics language in this process."""

    def __init__(self, exporter) -> None:
        self.exporter, self.lexer = exporter, None
        self.made: dict[str | None, object] = {}

    def for_notebook(self, nb: nbformat.NotebookNode) -> None:
        langinfo = nb.metadata.get("language_info", {})  # as HTMLExporter.from_notebook_node picks it
        self.lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))

    def __call__(self, source: str, language: str | None = None, metadata: dict | None = None) -> str:
        from nbconvert.filters import Highlight2HTML

        magics = (metadata or {}).get("magics_language")
        key = (self.lexer, language, magics, source)
        if key not in _HIGHLIGHTED:
            if self.lexer not in self.made:
                self.made[self.lexer] = Highlight2HTML(pygments_lexer=self.lexer, parent=self.exporter)
            _HIGHLIGHTED[key] = self.made[self.lexer](source, language, metadata)  # type: ignore[operator]
        return _HIGHLIGHTED[key]


_HIGHLIGHTED: dict[tuple, str] = {}


def _exporter(kind: str):
    from nbconvert import HTMLExporter, SlidesExporter

    if kind == "html":
        exporter = HTMLExporter(template_name="lab", template_file="page.html.j2",
                                extra_template_paths=[str(TEMPLATES)])  # fmt: skip
    else:
        exporter = SlidesExporter(template_name="reveal", template_file="slides.html.j2",
                                  extra_template_paths=[str(TEMPLATES)], reveal_url_prefix=f"{STATIC}/reveal.js",
                                  reveal_theme="white")  # fmt: skip
    exporter.register_filter("clean_html", _clean_html)
    exporter.filters["highlight_code"] = _Highlight(exporter)  # from_notebook_node takes it from there
    return exporter


def index_page(entries: list[tuple[str, str]], heading: str) -> str:
    """a plain contents page: heading, then one link per (href, title)."""
    items = "\n".join(f'  <li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in entries)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<title>{html.escape(heading)}</title>\n'
            '<style>body { font: 18px/1.5 system-ui, sans-serif; max-width: 46em; margin: 3em auto; padding: 0 1em; }'
            ' ul { list-style: none; padding: 0; } li { margin: 0.5em 0; }</style>\n</head>\n<body>\n'
            f'<h1>{html.escape(heading)}</h1>\n<ul class="series">\n{items}\n</ul>\n</body>\n</html>\n')  # fmt: skip


def build(kind: str, out: Path, src: Path = NOTEBOOKS) -> list[Path]:
    """render every numbered notebook in src as kind ("html" or "slides") into out; return the pages, index first."""
    suffix, assets = KINDS[kind]
    if in_series(out):
        raise ValueError(f"out must be outside {NOTEBOOKS}: pages never go into the series, got {out}")
    paths = sorted(src.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no numbered notebooks in {src}")
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(assets, out / STATIC)
    notebooks = [for_the_page(nbformat.read(p, as_version=4), kind) for p in paths]
    pages = [(p.stem + suffix, title(nb) or p.stem) for p, nb in zip(paths, notebooks)]
    exporter, written = _exporter(kind), [out / "index.html"]
    css = src / SLIDES_CSS
    slides_css = css.read_text(encoding="utf-8") if kind == "slides" and css.is_file() else ""

    def link(j: int) -> dict[str, str] | None:
        return {"href": pages[j][0], "title": pages[j][1]} if 0 <= j < len(pages) else None

    for k, nb in enumerate(notebooks):
        exporter.filters["highlight_code"].for_notebook(nb)
        links = {"index": {"href": "index.html", "title": "Contents"}, "previous": link(k - 1), "next": link(k + 1)}
        resources = {"static": STATIC, "links": links, "slides_css": slides_css}
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        written.append(out / pages[k][0])
        written[-1].write_text(body, encoding="utf-8")
    heading = SERIES if kind == "html" else f"{SERIES}: slides"
    written[0].write_text(index_page(pages, heading), encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    kind = parser.add_mutually_exclusive_group(required=True)
    kind.add_argument("--html", action="store_const", const="html", dest="kind", help="the static site")
    kind.add_argument("--slides", action="store_const", const="slides", dest="kind", help="reveal.js decks")
    parser.add_argument("--out", type=Path, help="output folder (default: build/html or build/slides)")
    args = parser.parse_args(argv)
    out = (args.out or BUILD / args.kind).resolve()
    if in_series(out):
        parser.error(f"--out must be outside {NOTEBOOKS}")
    start = time.perf_counter()
    pages = build(args.kind, out)
    print(f"{len(pages) - 1} {'pages' if args.kind == 'html' else 'decks'} and an index in {out}/ "
          f"({time.perf_counter() - start:.1f} s); open {pages[0]}")  # fmt: skip
    if args.kind == "slides":
        from helpers.tools.slides import report  # which imports this module

        print(report(pages[1:], NOTEBOOKS))


if __name__ == "__main__":
    main()
