"""Debian's Chromium driven by Playwright, shared by the browser tests: launch, watch the network, leave nothing behind.

Where /usr/bin/chromium is missing the tests skip with one line, unless CI is set: there a missing
browser fails the run (.ci/run installs it with apt-get).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import psutil  # a dependency of IPython
import pytest

from helpers.tools.slides import CHROMIUM, CHROMIUM_ARGS  # the browser `make slides` measures slides in

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "browser"
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def require_chromium() -> None:
    """skip (one line) where Chromium is missing; fail instead when the CI variable is set."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"{CHROMIUM} is missing (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI is set and {reason}", pytrace=False)
    pytest.skip(reason)


def descendants(pid: int | None = None) -> list[psutil.Process]:
    """every live process started, directly or not, by pid (default: this one)."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    out = []
    for p in procs:
        try:
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                out.append(p)
        except psutil.NoSuchProcess:
            pass
    return out


def reap(procs: list[psutil.Process], grace: float = 5.0) -> list[str]:
    """wait up to grace seconds for procs to end, kill the rest; return what had to be killed."""
    deadline = time.monotonic() + grace
    while _alive(procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    left, killed = _alive(procs), []
    for p in left:
        try:
            killed.append(f"{p.pid} ({p.name()})")
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(left, timeout=5)
    return killed


@contextmanager
def chromium() -> Iterator[object]:
    """a headless Chromium (a Playwright Browser), closed on success, failure and Ctrl-C, with no process left."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    before = {p.pid for p in descendants()}
    started: list[psutil.Process] = []
    pw = sync_playwright().start()
    try:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        started = [p for p in descendants() if p.pid not in before]
        yield browser
    finally:
        try:
            pw.stop()  # closes the browser and ends the driver
        finally:
            killed = reap(started)
    assert not killed, f"browser processes were still running after the test and had to be killed: {killed}"


def watch_network(page) -> list[str]:
    """collect, on page, every failed request and every request that leaves this machine (file:, data: and
    127.0.0.1 are fine); the returned list fills as the page loads."""
    problems: list[str] = []

    def on_request(request) -> None:
        url = urlparse(request.url)
        if url.scheme not in ("file", "data", "blob", "about") and url.hostname not in LOCAL_HOSTS:
            problems.append(f"external request: {request.url[:120]}")

    page.on("request", on_request)
    page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url[:120]} ({r.failure})"))
    return problems
