"""`make html` and `make slides`: rendered, linked, and opened from disk in headless Chromium with no network.

Pages are rendered into a temporary folder with helpers.tools.site.build (what the make targets run). In the
browser every request is watched: one that fails, or that goes anywhere but file: or data:, fails the test.
Every slide of every deck is measured against RISE's slide at 1280x720 (helpers.tools.slides), one test a notebook.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup, SoupStrainer  # comes with nbconvert
from headless import SHOTS, chromium, watch_network

from helpers.tools.site import KINDS, STATIC, build, for_the_page, title
from helpers.tools.slides import WINDOW, check, layout, metadata_problems

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
# anything a page would load by itself from another machine (links a reader may click are fine)
REMOTE_LOAD = re.compile(
    r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//"
    r"|url\([\"']?(?:https?:)?//"
)


def _has_figure(name: str) -> bool:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return any("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))


def _has_math(name: str) -> bool:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return any(c.cell_type == "markdown" and "$" in c.source for c in nb.cells)


# the page a person opens: the first notebook that draws a figure
SHOWN = next((name for name in ALL if _has_figure(name)), None)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, list[Path]]:
    out = tmp_path_factory.mktemp("site")
    return {kind: build(kind, out / kind) for kind in KINDS}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with chromium() as b:
        yield b


def test_a_widget_panel_becomes_its_saved_figure_and_solutions_leave_the_deck():
    png = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_slider", "IPY_MODEL_out"]}},
        "slider": {"model_name": "FloatSliderModel", "state": {"value": 0.2}},
        "out": {"model_name": "OutputModel", "state": {"outputs": [{"output_type": "display_data", "data": png,
                                                                     "metadata": {}}]}},
    }  # fmt: skip
    nb = nbformat.v4.new_notebook(metadata={"widgets": {"application/vnd.jupyter.widget-state+json": {"state": state}}})
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2, "version_minor": 0}}
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"),
                nbformat.v4.new_code_cell("panel", outputs=[nbformat.v4.new_output("display_data", data=view)]),
                nbformat.v4.new_code_cell("answer = 1", metadata={"tags": ["solution"]})]  # fmt: skip
    page = for_the_page(nb, "slides")
    outputs = page.cells[1].outputs
    assert "widgets" not in page.metadata and page.metadata.title == "Title"
    assert "JupyterLab" in outputs[0].data["text/html"] and outputs[1].data["image/png"] == png["image/png"]
    assert page.cells[2].metadata["slideshow"]["slide_type"] == "skip"
    assert "widgets" in nb.metadata, "the notebook itself is left as it was"


@pytest.mark.parametrize("kind", KINDS)
def test_every_notebook_has_a_page_and_the_index_links_them_in_order(rendered, kind):
    index, *pages = rendered[kind]
    suffix = KINDS[kind][0]
    assert [p.name for p in pages] == [Path(n).stem + suffix for n in ALL]
    assert re.findall(r'<li><a href="([^"]+)"', index.read_text()) == [p.name for p in pages]
    if kind == "html":
        for k, page in enumerate(pages):
            soup = BeautifulSoup(page.read_text(), "html.parser", parse_only=SoupStrainer("a"))  # the links: 5x faster
            assert soup.find("a", href="index.html") is not None
            prev, nxt = (sorted({a["href"] for a in soup.find_all("a", rel=rel)}) for rel in ("prev", "next"))
            assert prev == ([pages[k - 1].name] if k else [])
            assert nxt == ([pages[k + 1].name] if k + 1 < len(pages) else [])


@pytest.mark.parametrize("kind", KINDS)
def test_pages_load_nothing_from_another_machine(rendered, kind):
    for page in rendered[kind]:
        found = REMOTE_LOAD.search(page.read_text())
        assert found is None, f"{page.name} loads {found.group(0)!r}"
    assert (rendered[kind][0].parent / STATIC / "mathjax" / "es5" / "tex-chtml-full.js").is_file()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    problems = watch_network(page)
    page.goto(url, wait_until="load")
    return page, problems


def _math_done(page, name: str) -> None:
    page.wait_for_function("() => window.MathJax && window.MathJax.startup && window.MathJax.startup.promise")
    page.evaluate("() => window.MathJax.startup.promise")
    if _has_math(name):
        assert page.locator("mjx-container").count() > 0, "MathJax typeset no formula"


def test_a_site_page_shows_its_title_and_a_figure_offline(rendered, browser):
    assert SHOWN is not None, "no notebook draws a figure, so no page can show one"
    path = next(p for p in rendered["html"] if p.name == Path(SHOWN).stem + ".html")
    page, problems = _open(browser, path.as_uri())
    try:
        expected = title(nbformat.read(NOTEBOOKS / SHOWN, as_version=4))
        assert page.title() == expected
        assert page.locator("h1").first.text_content().strip().startswith(expected)
        _math_done(page, SHOWN)
        figure = page.locator(".jp-OutputArea-output img").first
        figure.scroll_into_view_if_needed()
        assert figure.is_visible() and figure.evaluate("img => img.complete && img.naturalWidth > 0")
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "site-page.png"))
        if page.locator("a[rel=next]").count():
            page.locator("a[rel=next]").first.click()
            page.wait_for_load_state("load")
            assert page.url.endswith(".html") and page.url != path.as_uri()
        assert problems == []
    finally:
        page.close()


def test_a_slide_deck_shows_its_title_and_a_figure_offline(rendered, browser):
    assert SHOWN is not None, "no notebook draws a figure, so no page can show one"
    path = next(p for p in rendered["slides"] if p.name == Path(SHOWN).stem + ".slides.html")
    page, problems = _open(browser, path.as_uri())
    try:
        page.wait_for_function("() => window.Reveal && window.Reveal.isReady()")
        expected = title(nbformat.read(NOTEBOOKS / SHOWN, as_version=4))
        heading = page.locator("section.present h1").first
        assert heading.is_visible() and heading.text_content().strip().startswith(expected)
        _math_done(page, SHOWN)
        moved = page.evaluate("""() => {
          const slide = Reveal.getSlides().find(s => s.querySelector('.jp-OutputArea-output img'));
          if (!slide) return false;
          const at = Reveal.getIndices(slide); Reveal.slide(at.h, at.v); return true; }""")
        assert moved, "no slide shows a figure"
        figure = page.locator("section.present .jp-OutputArea-output img").first
        figure.wait_for(state="visible")
        assert figure.evaluate("img => img.complete && img.naturalWidth > 0")
        page.wait_for_timeout(800)  # let the slide transition finish for the screenshot
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "site-slide.png"))
        assert problems == []
    finally:
        page.close()


@pytest.mark.parametrize("kind", list(KINDS))
def test_build_never_writes_into_the_series(kind):
    for out in (NOTEBOOKS, NOTEBOOKS / "site"):
        with pytest.raises(ValueError, match="out must be outside .*notebooks: pages never go into the series"):
            build(kind, out)  # before anything is written
    assert not (NOTEBOOKS / "index.html").exists() and not (NOTEBOOKS / "site").exists()


def _cell(kind: str, source: str, slide_type: str = "-", tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    metadata = {"slideshow": {"slide_type": slide_type}, "tags": list(tags)}
    new = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
    return new(source, metadata=metadata)


def test_slides_are_numbered_as_rise_numbers_them_and_bad_metadata_is_named():
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell("md", "# 01 · Title", "slide"), _cell("md", "## Learning objectives", "slide"),
                _cell("code", "import torch", "skip"), _cell("code", "seed = 0", "skip", ("parameters",)),
                _cell("code", "check_parameters()"), _cell("md", "## A topic", "slide"), _cell("code", "x = 1"),
                _cell("md", "So x is 1.", "fragment"), _cell("md", "More text", "subslide"),
                _cell("code", "answer = 1", "-", ("solution",)), _cell("code", "y = 2", "slide")]  # fmt: skip
    slides = layout(nb, "nb.ipynb")
    assert [(s.h, s.v, s.cells) for s in slides] == [(0, 0, (0,)), (1, 0, (1, 4)), (2, 0, (5, 6, 7)), (2, 1, (8, 9)),
                                                      (3, 0, (10,))]  # fmt: skip
    assert str(slides[2]) == 'nb.ipynb slide 2.0 "A topic" (cells 5-7)' and slides[4].title == "y = 2"
    problems = metadata_problems(nb, "nb.ipynb")
    named = ["nb.ipynb cell 4 ('check_parameters()')", "nb.ipynb cell 9 ('answer = 1')", "nb.ipynb cell 10 ('y = 2')"]
    assert [p.split(":")[0] for p in problems] == named


@pytest.fixture(scope="module")
def deck_page(browser):
    """one page at 1280x720 for every deck: a page each would double the measuring's time."""
    page = browser.new_page(viewport=WINDOW)
    yield page
    page.close()


@pytest.mark.parametrize("name", ALL)
def test_every_slide_presents_cleanly_and_fits_rise_at_1280x720(rendered, deck_page, name):
    """the title, the objectives, a heading opening each slide, nothing to skip shown, and no slide taller than RISE's
    slide at 1280x720, as the static deck measures it (tests/test_browser.py checks RISE agrees, on one notebook)."""
    deck = next(p for p in rendered["slides"] if p.name == Path(name).stem + ".slides.html")
    problems = check(deck_page, deck, NOTEBOOKS / name)
    assert problems == [], f"{len(problems)} problems with the slides of {name}:\n" + "\n".join(problems)
