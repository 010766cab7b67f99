"""The series as a learner meets it: JupyterLab in a real Chromium, Run All on every notebook; and as a teacher
presents it: a notebook as live slides in RISE.

One JupyterLab server and one browser serve every test here (tests/conftest.py groups this module on one
worker). The server comes from the environment running the tests, listens on 127.0.0.1 at a free port with a
random token, serves a temporary copy of notebooks/ (autosave never touches the real files), and keeps its
settings, workspaces and runtime files in private folders. Screenshots and timings go to build/browser/ (RISE's:
rise-title.png, rise-figure.png, rise-code.png).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from headless import ROOT, SHOTS, chromium, descendants, reap, require_chromium, watch_network

from helpers.tools.lab import first_page, lab_args, write_settings
from helpers.tools.site import SLIDES_CSS, build
from helpers.tools.slides import LIMIT, WINDOW, layout, measure, slide_type

NOTEBOOKS = ROOT / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
WIDGET = "application/vnd.jupyter.widget-view+json"
IMAGES = ("image/png", "image/jpeg", "image/gif")
RUN_TIMEOUT_MS = 120_000  # one notebook's Run All; each takes a few seconds
# pytest-timeout's limit here, over the suite's 120 s: a test may wait 60 s for a kernel and twice RUN_TIMEOUT_MS for
# Run All, and the first test also starts the server and the browser; those waits fail first, saying what hung
pytestmark = pytest.mark.timeout(360)
VIEWPORT = {"width": 1280, "height": 900}
PRESENTED = "03_forward_pass.ipynb"  # shown in RISE: figures, formulas, fragments, subslides, a Run All of seconds
# the notebook whose Run All passed and stays open for the RISE test, which presents it rather than running it again
_RUN_FOR_RISE: set[str] = set()

# JavaScript run in the page; window.jupyterapp is there because of --LabApp.expose_app_in_browser
# start the next notebook's kernel while this one runs; JupyterLab finds its session when it opens the notebook
PRESTART = """(path) => {
  window.__prestart = window.__prestart || {};
  window.__prestart[path] = window.jupyterapp.serviceManager.sessions
    .startNew({path, name: path, type: 'notebook', kernel: {name: 'python3'}})
    .then(session => session.dispose(), e => console.error('prestart:', e));  // the kernel goes on
}"""
OPEN = """async (path) => {
  const app = window.jupyterapp;
  await (window.__prestart || {})[path];
  const nb = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await nb.context.ready;
  await nb.sessionContext.ready;
  app.shell.activateById(nb.id);
  window.__nb = nb;
  return nb.sessionContext.session?.kernel?.name ?? null;
}"""
# what the open notebook's kernel prints for code run outside the notebook (no cell, no execution count)
ASK_KERNEL = """async (code) => {
  const future = window.__nb.sessionContext.session.kernel.requestExecute({code, store_history: false});
  let out = '';
  future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') out += msg.content.text; };
  await future.done;
  return out;
}"""
IDLE = "() => window.__nb.sessionContext.session?.kernel?.status === 'idle'"
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  await app.commands.execute('notebook:clear-all-cell-outputs');  // execution counts back to none
  app.commands.execute('notebook:run-all-cells');
}"""
CODE_CELLS = """Array.from(window.__nb.content.model.cells).map((c, i) => [c, i])
  .filter(([c]) => c.type === 'code' && c.sharedModel.getSource().trim())"""
# every code cell has an execution count, or an error appeared (polled: it reads output types, never serializes them)
DONE = f"""() => {{
  const code = {CODE_CELLS};
  return code.every(([c]) => c.executionCount !== null)
    || code.some(([c]) => Array.from({{length: c.outputs.length}}, (_, i) => c.outputs.get(i).type).includes('error'));
}}"""
IMAGE_SELECTOR = ", ".join(f'.jp-OutputArea-output[data-mime-type="{m}"]' for m in IMAGES)
IMAGE_OUTPUTS = f"""Array.from(window.__nb.content.node.querySelectorAll({json.dumps(IMAGE_SELECTOR)}))
  .filter(node => !node.closest('.jupyter-widgets'))"""
# as many figures in the page as expected (outputs render a moment after the kernel sends them), each loaded
IMAGES_LOADED = f"""(expected) => {{ const nodes = {IMAGE_OUTPUTS};
  return nodes.length >= expected && nodes.every(node => {{
    const img = node.querySelector('img'); return img && img.complete && img.naturalWidth > 0; }}); }}"""
RESULTS = f"""() => {{
  const out = {{counts: [], errors: [], stderr: [], figures: 0, widgets: 0}};
  for (const [c, i] of {CODE_CELLS}) {{
    out.counts.push(c.executionCount);
    for (const o of c.outputs.toJSON()) {{
      if (o.output_type === 'error') out.errors.push(`cell ${{i}}: ${{o.ename}}: ${{o.evalue}}`);
      if (o.output_type === 'stream' && o.name === 'stderr') out.stderr.push(`cell ${{i}}: ${{o.text}}`.slice(0, 300));
      const data = o.data || {{}};
      if ({list(IMAGES)}.some(m => m in data)) out.figures += 1;
      if ('{WIDGET}' in data) out.widgets += 1;
    }}
  }}
  const nodes = {IMAGE_OUTPUTS};
  out.rendered = nodes.filter(n => (n.querySelector('img')?.naturalWidth ?? 0) > 0).length;
  out.panels = Array.from(window.__nb.content.node.querySelectorAll('.jp-OutputArea-output'))
    .filter(n => n.querySelector('.jupyter-widgets [role=slider]')).length;
  return out;
}}"""
PANEL_IMAGES = """() => Array.from(window.__nb.content.node.querySelectorAll('.jupyter-widgets.widget-output img'))
  .map(img => img.complete && img.naturalWidth > 0 ? img.src : 'loading')"""
# the kernel's shutdown goes on in the server while the next notebook opens (the server ends any left at the end)
CLOSE = """() => {
  const nb = window.__nb; window.__nb = null;
  if (!nb) return;
  nb.sessionContext.shutdown().catch(e => console.error('kernel shutdown:', e));
  nb.context.model.dirty = false;  // no "save your work?" dialog: the copy is thrown away
  nb.close();
}"""
LOADED = """(first) => { const app = window.jupyterapp;
  return app && app.started && app.shell.currentWidget?.context?.path === first; }"""
POPUPS = """() => ({dialogs: document.querySelectorAll('.jp-Dialog').length,
  toasts: Array.from(document.querySelectorAll('.Toastify__toast')).map(t => t.innerText.split('\\n')[0]),
  markdown_rendered: !!window.jupyterapp.shell.currentWidget.node.querySelector('.jp-RenderedMarkdown')})"""


@dataclass(frozen=True)
class Lab:
    """a starting JupyterLab: where it is, how to get in, what it serves."""

    url: str
    token: str
    root: Path
    proc: subprocess.Popen
    log: Path

    def wait_until_up(self, timeout: float = 60) -> None:
        """return once the server answers; fail with the end of its log if it exits or never answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            request = urllib.request.Request(f"{self.url}/api/status", headers={"Authorization": f"token {self.token}"})
            try:
                with urllib.request.urlopen(request, timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        pytest.fail(f"JupyterLab did not answer within {timeout:.0f} s:\n{self.log.read_text()[-3000:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def jupyterlab(tmp: Path) -> Iterator[Lab]:
    """JupyterLab starting on a copy of notebooks/, stopped (with its kernels) on success, failure and Ctrl-C."""
    root = tmp / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    private = tmp / "jupyter"
    # the test run's kernel provisioner goes on (tests/conftest.py: kernels forked from one warm process)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER") or k.endswith("_PROVISIONER_NAME")}
    env.update(JUPYTER_CONFIG_DIR=str(private / "config"), JUPYTER_DATA_DIR=str(private / "data"),
               JUPYTER_RUNTIME_DIR=str(private / "runtime"), IPYTHONDIR=str(private / "ipython"))  # fmt: skip
    port, token = _free_port(), secrets.token_urlsafe(24)
    cmd = [sys.executable, "-m", "jupyter", "lab", *lab_args(root, write_settings(private / "settings")),
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           "--no-browser", "--LabApp.expose_app_in_browser=True"]  # fmt: skip
    log = private / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        yield Lab(f"http://127.0.0.1:{port}", token, root, proc, log)  # still starting: see Lab.wait_until_up
    finally:
        started = descendants(proc.pid)  # kernels run in sessions of their own: the server stops them on SIGTERM
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        killed = reap(started)
    assert not killed, f"JupyterLab left processes behind that had to be killed: {killed}"


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[Lab]:
    require_chromium()
    with jupyterlab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@pytest.fixture(scope="module")
def loaded(lab):
    """the page a learner sees after `make lab` loads: (page, popups seen once it settled)."""
    with chromium() as browser:  # launched while the server starts
        page = browser.new_page(viewport=VIEWPORT)
        lab.wait_until_up()
        page.goto(f"{lab.url}/?token={lab.token}")
        first = first_page(lab.root)
        _wait(page, LOADED, f"JupyterLab did not open {first}", 60_000, arg=first)
        if first.endswith(".ipynb"):
            page.evaluate(OPEN, first)
            _wait(page, IDLE, f"the kernel of {first} did not become idle", 60_000)
        page.wait_for_timeout(1000)  # late pop-ups (news, updates) appear within a moment of the restore
        popups = page.evaluate(POPUPS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "first-page.png"))
        yield page, popups
        with contextlib.suppress(Exception):  # a page the browser lost needs no closing
            page.close()


@pytest.fixture(scope="module")
def timings() -> Iterator[dict[str, float]]:
    """seconds per notebook, written to build/browser/timings.json at the end."""
    seconds: dict[str, float] = {}
    yield seconds
    if seconds:
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "timings.json").write_text(json.dumps({**seconds, "total": sum(seconds.values())}, indent=1))


def _expected(name: str) -> tuple[int, int]:
    """(figures, widget views) in the committed notebook's outputs."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    outs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    figures = sum(any(m in o.get("data", {}) for m in IMAGES) for o in outs)
    return figures, sum(WIDGET in o.get("data", {}) for o in outs)


def test_first_page_is_the_readme_then_an_index_then_the_first_notebook(tmp_path):
    for name in ("02_b.ipynb", "01_a.ipynb"):
        (tmp_path / name).write_text("{}")
    assert first_page(tmp_path) == "01_a.ipynb"
    (tmp_path / "00_index.ipynb").write_text("{}")
    assert first_page(tmp_path) == "00_index.ipynb"
    (tmp_path / "README.md").write_text("# The series\n")
    assert first_page(tmp_path) == "README.md"


def test_lab_options_are_local_quiet_and_open_the_first_page(tmp_path):
    (tmp_path / "01_a.ipynb").write_text("{}")
    settings = write_settings(tmp_path / "settings", {"@jupyterlab/apputils-extension:notification": {"x": 1}})
    args = lab_args(tmp_path, settings)
    assert "--ServerApp.ip=127.0.0.1" in args and "--LabApp.news_url=None" in args
    assert "--LabApp.default_url=/lab/tree/01_a.ipynb" in args
    assert any("NeverCheckForUpdate" in a for a in args)
    overrides = json.loads((settings / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {
        "fetchNews": "false", "checkForUpdates": False, "x": 1}  # fmt: skip


def test_lab_opens_on_the_first_page_with_no_popup(loaded, lab):
    page, popups = loaded
    first = first_page(lab.root)
    assert page.url.split("?")[0].endswith(f"/lab/tree/{first}")
    assert (popups["dialogs"], popups["toasts"]) == (0, []), popups
    if first.endswith(".md"):
        assert popups["markdown_rendered"], f"{first} opened as source, not rendered"


def test_lab_kernel_is_this_environments_python(loaded, lab):
    page, _ = loaded
    if not first_page(lab.root).endswith(".ipynb"):
        page.evaluate(OPEN, ALL[0])
        _wait(page, IDLE, f"the kernel of {ALL[0]} did not become idle", 60_000)
    executable = page.evaluate(ASK_KERNEL, "import sys; print(sys.executable, end='')")
    assert Path(executable).parent == Path(sys.executable).parent, executable


def _wait(page, js: str, what: str, timeout: int = 30_000, arg: object = None) -> None:
    """wait until js is true in the page, or fail saying what did not happen."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(js, arg=arg, timeout=timeout, polling=100)
    except PlaywrightTimeout:
        pytest.fail(f"{what} (waited {timeout / 1000:.0f} s)", pytrace=False)


def _drag(page, handle, tries: int = 3) -> bool:
    """move a slider's handle the way a person does: press, drag 40 px towards the farther end, release. True once
    its value changed. A press can miss when the page shifts under it (figures above still loading on a busy
    machine), so the handle must hold still for a moment first, and a missed drag is tried again, up to tries."""
    before = handle.get_attribute("aria-valuenow")
    for _ in range(tries):
        handle.hover()  # scrolls it into view and waits until it stops moving (cells above may still be laying out)
        box = handle.bounding_box()
        page.wait_for_timeout(100)
        if handle.bounding_box() != box:
            continue  # still moving: look again
        low, now, high = (float(handle.get_attribute(f"aria-value{k}")) for k in ("min", "now", "max"))
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        dx = 40 if high - now > now - low else -40
        page.mouse.move(x, y)  # where the handle is now: the page may have shifted since hover() placed the mouse
        page.mouse.down()
        page.mouse.move(x + dx, y, steps=5)
        page.mouse.up()
        page.mouse.move(x + dx, y + 80, steps=2)  # and moves on: the slider sees the release with the next move
        if handle.get_attribute("aria-valuenow") != before:
            return True
    return False


@pytest.mark.parametrize("name", ALL)
def test_run_all_in_jupyterlab(loaded, timings, name):
    page, _ = loaded
    figures, widgets = _expected(name)
    start = time.perf_counter()
    try:
        assert page.evaluate(OPEN, name) == "python3"
        later = ALL[ALL.index(name) + 1 :]
        if later:
            page.evaluate(PRESTART, later[0])
        _wait(page, IDLE, "the kernel did not become idle", 60_000)
        page.evaluate(RUN_ALL)
        _wait(page, DONE, "Run All did not finish: some code cell has no execution count", RUN_TIMEOUT_MS)
        _wait(page, IDLE, "the kernel stayed busy after Run All", RUN_TIMEOUT_MS)
        if widgets:
            _wait(page, f"() => ({RESULTS})().panels >= {widgets}", f"{widgets} widget panel(s) did not render")
        _wait(page, IMAGES_LOADED, f"{figures} figures did not all appear and load as images", arg=figures)
        res = page.evaluate(RESULTS)
        assert res["errors"] == [], f"error outputs after Run All: {res['errors']}"
        assert res["stderr"] == [], f"stderr outputs after Run All: {res['stderr']}"
        assert res["counts"] == list(range(1, len(res["counts"]) + 1)), f"execution counts {res['counts']}"
        assert res["figures"] == figures, f"{res['figures']} figures drawn, {figures} in the committed notebook"
        assert res["rendered"] == res["figures"], f"{res['rendered']} of {res['figures']} figures rendered as images"
        assert res["widgets"] == widgets and res["panels"] >= widgets, f"widget views: {res}"
        if res["panels"]:
            _wait(page, f"() => ({PANEL_IMAGES})().length > 0", "the widget panel shows no figure")
            before = page.evaluate(PANEL_IMAGES)
            panel_id = page.evaluate("() => window.__nb.id")
            handle = page.locator(f'[id="{panel_id}"] .jupyter-widgets [role=slider]').first
            assert _drag(page, handle), "the slider did not move after three drags"
            _wait(page, f"(before) => {{ const now = ({PANEL_IMAGES})(); return now.length > 0 && "
                  "!now.includes('loading') && JSON.stringify(now) !== JSON.stringify(before); }",
                  "the widget panel did not redraw its figure after a slider move", arg=before)  # fmt: skip
            _wait(page, IDLE, "the kernel stayed busy after the slider move")  # the last redraw, for the screenshot
            _wait(page, f"() => !({PANEL_IMAGES})().includes('loading')", "the redrawn figure did not load")
            page.evaluate(
                "() => window.__nb.node.querySelector('.jupyter-widgets.widget-output').scrollIntoView({block: 'end'})"
            )  # the redrawn panel, for the screenshot
        timings[name] = round(time.perf_counter() - start, 2)
        if name == PRESENTED:
            _RUN_FOR_RISE.add(name)
    finally:
        SHOTS.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):  # a lost page must not hide why the test failed
            page.screenshot(path=str(SHOTS / f"{Path(name).stem}.png"))
            if name not in _RUN_FOR_RISE:
                page.evaluate(CLOSE)


def test_the_series_has_an_interactive_panel():
    assert any(_expected(name)[1] for name in ALL), "no notebook shows an ipywidgets panel (sliders for w, b, lr)"


# --- RISE: a notebook as live slides ---------------------------------------------------------------------------------

# RISE runs its own JupyterLab app in the page it opens (no window.jupyterapp there); reveal.js keeps the slide shown
# in the URL's hash, #/slide-h-v, then /f for its f-th fragment
RISE_SLIDE = """() => {
  const slide = document.querySelector('.reveal .slides section.present:not(.stack)');
  const code = Array.from(slide.querySelectorAll('.jp-CodeCell')).filter(c => c.offsetHeight > 0);
  const top = document.querySelector('.reveal .slides').getBoundingClientRect().top;  // the slide's own moves aside
  return {hash: location.hash, id: slide.id, height: slide.offsetHeight,
    bottom: top + slide.offsetTop + slide.offsetHeight,
    images: Array.from(slide.querySelectorAll('.jp-OutputArea-output img')).filter(i => i.offsetHeight > 0)
      .map(i => i.complete && i.naturalWidth > 0),
    code: code.map(c => ({prompt: c.querySelector('.jp-InputPrompt').innerText,
                          output: c.querySelector('.jp-OutputArea')?.innerText ?? ''}))};
}"""
CELL = """(cell) => ({prompt: cell.querySelector('.jp-InputPrompt').innerText,
  output: cell.querySelector('.jp-OutputArea')?.innerText ?? ''})"""
# the slide's transition is over (CSS animations may loop for ever: a busy kernel's indicator)
SETTLED = "() => document.getAnimations().every(a => !(a instanceof CSSTransition) || a.playState !== 'running')"


def _static_heights(tmp: Path, page, name: str) -> list[float]:
    """the heights make slides measures for name's slides (a deck of that notebook alone, in a page of its own)."""
    src = tmp / "src"
    src.mkdir()
    shutil.copy(NOTEBOOKS / name, src)
    shutil.copy(NOTEBOOKS / SLIDES_CSS, src)
    _, deck = build("slides", tmp / "deck", src)
    measuring = page.context.browser.new_page(viewport=WINDOW)
    try:
        return measure(measuring, deck)
    finally:
        measuring.close()


def test_present_a_notebook_live_in_rise(loaded, lab, tmp_path):
    """a teacher's lesson: Run All in JupyterLab, open the notebook as a slideshow (RISE) at 1280x720, step through
    every slide, none cut off, each as tall as make slides measured it; run a code cell from its slide. The Run All
    is test_run_all_in_jupyterlab's where it passed (the notebook stayed open, its kernel running), else its own."""
    page, _ = loaded
    nb = nbformat.read(NOTEBOOKS / PRESENTED, as_version=4)
    assert page.evaluate("() => window.jupyterapp.commands.hasCommand('RISE:slideshow')"), "RISE is not in the lab"
    rise = None
    try:
        assert page.evaluate(OPEN, PRESENTED) == "python3"  # or, where it is open, brings it to the front
        _wait(page, IDLE, "the kernel did not become idle", 60_000)
        if PRESENTED not in _RUN_FOR_RISE:
            page.evaluate(RUN_ALL)  # as a teacher does first: the slides show and share this kernel
        slides, static = layout(nb, PRESENTED), _static_heights(tmp_path, page, PRESENTED)  # while the kernel runs
        _wait(page, DONE, "Run All did not finish: some code cell has no execution count", RUN_TIMEOUT_MS)
        _wait(page, IDLE, "the kernel stayed busy after Run All", RUN_TIMEOUT_MS)
        last = max(page.evaluate(RESULTS)["counts"])
        page.evaluate("() => { window.__nb.content.activeCellIndex = 0; }")  # RISE starts at the selected cell
        with page.context.expect_page(timeout=30_000) as opened:  # View > Open as Reveal Slideshow: a new tab
            page.evaluate("() => window.jupyterapp.commands.execute('RISE:slideshow')")
        rise = opened.value
        rise.set_viewport_size(WINDOW)
        problems = watch_network(rise)  # from its first request after the page itself
        _wait(rise, "() => !!document.querySelector('.reveal.ready .slides section.present')",
              "RISE did not show a slide", 60_000)  # fmt: skip
        _wait(rise, SETTLED, "the first slide did not settle")
        rise.screenshot(path=str(SHOTS / "rise-title.png"))

        # every slide and fragment, forwards with the space bar, as a presenter does
        steps = len(slides) - 1 + sum(slide_type(nb.cells[i]) == "fragment" for s in slides for i in s.cells)
        seen, figure = [rise.evaluate(RISE_SLIDE)], False
        for _ in range(steps):
            rise.keyboard.press("Space")
            _wait(rise, "(hash) => location.hash !== hash", f"the space bar did not move on from {seen[-1]['hash']}",
                  arg=seen[-1]["hash"])  # fmt: skip
            seen.append(rise.evaluate(RISE_SLIDE))
            if seen[-1]["images"] and not figure:
                _wait(rise, f"() => ({RISE_SLIDE})().images.every(Boolean)", "a figure did not load")
                _wait(rise, SETTLED, "the figure's slide did not settle")
                rise.screenshot(path=str(SHOTS / "rise-figure.png"))
                figure = True
        shown = {v["id"]: v for v in seen}  # a slide again for each of its fragments: the same height
        assert list(shown) == [f"slide-{s.h}-{s.v}" for s in slides], "RISE's slides are not the metadata's"
        too_tall = [f"{s}: {v['height']} px, its bottom at {v['bottom']:.0f} of {WINDOW['height']}"
                    for s, v in zip(slides, shown.values()) if v["bottom"] > WINDOW["height"]]  # fmt: skip
        assert too_tall == [], "slides cut off in RISE at 1280x720:\n" + "\n".join(too_tall)
        # the cheap check of every notebook (tests/test_site.py) measures the static deck: it must see what RISE shows
        off = [f"{s}: {v['height']} px in RISE, {h:.0f} in the deck" for s, v, h in zip(slides, shown.values(), static)
               if v["height"] > 1.03 * h + 4]  # fmt: skip
        assert off == [], f"RISE lays out taller than make slides measures (limit {LIMIT} px):\n" + "\n".join(off)

        # run a code cell from its slide: click it, shift+enter, and its output comes back from the shared kernel
        target = next(s for s, v in zip(slides, shown.values()) if any(c["output"].strip() for c in v["code"]))
        index = next(i for i in target.cells if nb.cells[i].cell_type == "code" and nb.cells[i].outputs)
        rise.evaluate(f"() => {{ location.hash = '#/slide-{target.h}-{target.v}'; }}")
        _wait(rise, f"() => location.hash === '#/slide-{target.h}-{target.v}'", f"RISE did not go back to {target}")
        cell = rise.locator(f'.jp-CodeCell[data-windowed-list-index="{index}"]')
        before = cell.evaluate(CELL)
        cell.locator(".jp-InputPrompt").click()
        rise.keyboard.press("Shift+Enter")  # RISE then moves to the next cell, or the next slide
        _wait(rise, f"([index, before]) => {{ const now = ({CELL})(document.querySelector("
              f"`.jp-CodeCell[data-windowed-list-index='${{index}}']`));"
              " return now.prompt !== before.prompt && /\\d/.test(now.prompt) && now.output.trim().length > 0; }",
              f"running cell {index} from its slide gave no new output", 60_000, arg=[index, before])  # fmt: skip
        after = cell.evaluate(CELL)
        assert after["output"] == before["output"], f"cell {index} printed something else: {before} {after}"
        assert after["prompt"].strip() == f"[{last + 1}]:", f"cell {index} ran as {after['prompt']}, not after Run All"
        rise.evaluate(f"() => {{ location.hash = '#/slide-{target.h}-{target.v}'; }}")  # back to it for the picture
        _wait(rise, SETTLED, "the code's slide did not settle")
        rise.screenshot(path=str(SHOTS / "rise-code.png"))
        assert figure, f"no slide of {PRESENTED} showed a figure in RISE"
        own_css = f"/files/{Path(PRESENTED).stem}.css "  # RISE asks for a stylesheet per notebook; the series has none
        assert [p for p in problems if own_css not in p] == [], problems
    finally:
        if rise is not None:
            with contextlib.suppress(Exception):
                rise.close()
        with contextlib.suppress(Exception):
            page.evaluate(CLOSE)
