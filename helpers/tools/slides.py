"""Does every slide fit? Each notebook's slides from its cells' slide metadata, checked and measured (`make slides`).

RISE, the live slides of `make lab`, shows a slide in the 1280 x 648 area that reveal.js keeps in a 1280 x 720
window; below it are the controls and the progress bar, and what is taller than the window is cut off. The static
decks of `make slides` lay a slide out as RISE does (JupyterLab's font sizes, the same notebooks/rise.css), so one
headless Chromium measures every slide of the series from them, with no kernel and no server, in a few seconds.
tests/test_browser.py presents a notebook in RISE itself and checks that the two agree.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from helpers.tools.site import for_the_page

if TYPE_CHECKING:  # Playwright comes with make test's tools; report() says so where it is missing
    from playwright.sync_api import Browser, Page, ViewportSize

WINDOW: ViewportSize = {"width": 1280, "height": 720}
LIMIT = 648  # px: a slide's height in RISE at WINDOW, 90% of the window's (the margin holds the controls)
# Debian's Chromium, as the browser tests use it (tests/headless.py); --headless is Playwright's, the rest keep it
# off the (closed) network and quiet
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]  # fmt: skip
SKIPPED_TAGS = ("colab", "parameters", "solution")  # cells that never show on a slide
HIDDEN = ("skip", "notes")  # slide types whose cells take no room on a slide

# every slide of a static deck, laid out at once: after MathJax has typeset and the figures have loaded, every
# <section> is shown at its natural height (reveal.js hides the far ones) and each innermost one is measured
MEASURE = """async () => {
  await window.MathJax.startup.promise;
  await document.fonts.ready;
  await Promise.all(Array.from(document.images).map(
    img => img.complete ? null : new Promise(done => { img.onload = img.onerror = done; })));
  const style = document.createElement('style');
  style.textContent = '.reveal .slides section { display: block !important; height: auto !important; }';
  document.head.appendChild(style);
  const slides = Array.from(document.querySelectorAll('.reveal .slides section'))
    .filter(s => !s.querySelector('section'));
  const heights = slides.map(s => s.getBoundingClientRect().height / Reveal.getScale());
  style.remove();
  return heights;
}"""


@dataclass(frozen=True)
class Slide:
    """one slide as RISE and reveal.js number it (h.v: the v-th subslide of the h-th slide) and the cells on it."""

    notebook: str
    h: int
    v: int
    cells: tuple[int, ...]  # the cells' indices in the notebook, from 0; fragments and notes included
    title: str

    def __str__(self) -> str:
        cells = f"cell {self.cells[0]}" if len(self.cells) == 1 else f"cells {self.cells[0]}-{self.cells[-1]}"
        return f'{self.notebook} slide {self.h}.{self.v} "{self.title}" ({cells})'


def slide_type(cell: nbformat.NotebookNode) -> str:
    """the cell's slide type: "slide", "subslide", "fragment", "skip", "notes" or "-" (on the slide before)."""
    return cell.metadata.get("slideshow", {}).get("slide_type", "-")


def _title(nb: nbformat.NotebookNode, cells: list[int]) -> str:
    """the slide's first heading, else the start of its first line of text, else of code."""
    text = [line for i in cells if nb.cells[i].cell_type == "markdown" for line in nb.cells[i].source.splitlines()]
    code = [line for i in cells if nb.cells[i].cell_type == "code" for line in nb.cells[i].source.splitlines()]
    lines = [line.strip() for line in text + code if line.strip()]
    line = next((line.lstrip("#").strip() for line in text if line.startswith("#")), lines[0] if lines else "")
    return line if len(line) <= 50 else line[:49] + "…"


def layout(nb: nbformat.NotebookNode, name: str) -> list[Slide]:
    """the slides of nb as nbconvert and RISE group its cells: the first shown cell opens slide 0.0, a "slide" cell
    opens the next slide, a "subslide" cell the next subslide of the current one; "skip" cells are on none."""
    groups: list[tuple[int, int, list[int]]] = []
    for i, cell in enumerate(nb.cells):
        kind = slide_type(cell)
        if kind == "skip" or (kind == "notes" and not groups):
            continue
        if not groups or kind == "slide":
            groups.append((len({h for h, _, _ in groups}), 0, [i]))
        elif kind == "subslide":
            h, v, _ = groups[-1]
            groups.append((h, v + 1, [i]))
        else:
            groups[-1][2].append(i)
    return [Slide(name, h, v, tuple(cells), _title(nb, cells)) for h, v, cells in groups]


def metadata_problems(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """what keeps nb from presenting cleanly, whatever the slides' heights: a title slide, then the objectives,
    every heading opening a slide or subslide and code never opening a slide (a new idea starts with its heading;
    code opens a subslide only where it does not fit beside its text), and the cells no audience needs (Colab's,
    the parameters and their check, the solutions) skipped."""
    problems = []

    def problem(i: int, what: str) -> None:
        first = next((line for line in nb.cells[i].source.splitlines() if line.strip()), "")[:60]
        problems.append(f"{name} cell {i} ({first!r}): {what}")

    shown = [i for i, cell in enumerate(nb.cells) if slide_type(cell) not in HIDDEN]
    if not shown or not nb.cells[shown[0]].source.startswith("# "):
        problems.append(f"{name}: the first cell on a slide is not the notebook's # title")
    if not any(nb.cells[i].source.startswith("## Learning objectives") for i in shown[1:2]):
        problems.append(f"{name}: the second slide is not the learning objectives")
    after_parameters = False
    for i, cell in enumerate(nb.cells):
        kind, tags = slide_type(cell), cell.metadata.get("tags", [])
        hidden = [t for t in tags if t in SKIPPED_TAGS] or (["the parameters' check"] if after_parameters else [])
        if hidden and kind != "skip":
            problem(i, f"slide type {kind!r}, not 'skip': no slide shows {hidden[0]!r} cells")
        elif cell.cell_type == "markdown" and cell.source.startswith("#") and kind not in ("slide", "subslide"):
            problem(i, f"a heading, of slide type {kind!r}: it opens a 'slide' or a 'subslide'")
        elif cell.cell_type == "code" and kind == "slide":
            problem(i, "code opening a slide: a slide starts with the heading or the text that explains the code")
        after_parameters = "parameters" in tags
    return problems


def deck_slides(notebook: Path) -> list[Slide]:
    """the slides of notebook's static deck: its layout once helpers.tools.site has skipped the solutions."""
    return layout(for_the_page(nbformat.read(notebook, as_version=4), "slides"), notebook.name)


def measure(page: Page, deck: Path) -> list[float]:
    """the height in px of every slide of a static deck, in order, as page (a Playwright Page of the size WINDOW,
    which may go on to the next deck: one page for all is twice as fast as a page each) lays it out."""
    page.goto(deck.as_uri(), wait_until="load")
    return page.evaluate(MEASURE)


def check(page: Page, deck: Path, notebook: Path) -> list[str]:
    """every way the notebook's slides fail to present cleanly: its metadata, then each slide of its deck (built by
    helpers.tools.site) that is taller than LIMIT, named with its number, title and cells. page: as for measure."""
    slides, heights = deck_slides(notebook), measure(page, deck)
    problems = metadata_problems(nbformat.read(notebook, as_version=4), notebook.name)
    if len(heights) != len(slides):
        return [*problems, f"{deck.name} has {len(heights)} slides, {notebook.name}'s metadata {len(slides)}"]
    return problems + [f"{slide}: {height:.0f} px, over the {LIMIT} px of a slide at 1280x720"
                       for slide, height in zip(slides, heights) if height > LIMIT]  # fmt: skip


@contextmanager
def chromium() -> Iterator[Browser]:
    """a headless Chromium (a Playwright Browser) for the command line; the tests use tests/headless.py's."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def report(decks: list[Path], src: Path) -> str:
    """a few lines on the decks' slides (each decks[k] built from src/<its stem>.ipynb): every problem, or that every
    slide fits; or why they could not be measured (Playwright comes with `make test`'s tools, Chromium from apt)."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Slides not measured: Playwright is missing (make test installs it)"
    if not CHROMIUM.is_file():
        return f"Slides not measured: {CHROMIUM} is missing (Debian: apt-get install chromium)"
    start, problems, count = time.perf_counter(), [], 0
    with chromium() as browser:
        page = browser.new_page(viewport=WINDOW)
        for deck in decks:
            notebook = src / (deck.name.removesuffix(".slides.html") + ".ipynb")
            problems += check(page, deck, notebook)
            count += len(deck_slides(notebook))
    took = f"measured at 1280x720 in {time.perf_counter() - start:.1f} s"
    if not problems:
        return f"Every slide fits RISE at 1280x720 ({count} slides, {took})"
    return "\n".join([f"{len(problems)} problems with the slides ({took}):", *(f"  {p}" for p in problems)])
