"""The training animation: self-contained HTML (no URL, so it plays offline), the same text on every build, one
frame per chosen update; and its static companion figure."""

from __future__ import annotations

import base64
import io
import itertools
import re

import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

from helpers import (
    animate_training,
    frame_updates,
    init_params,
    offline_html,
    original_data,
    plot_training_frames,
    train,
)
from helpers.figures.animate import Html

FRAME = re.compile(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"')
# the notebook tests' pattern for an absolute path a machine would print (tests/test_notebooks.py)
MACHINE_PATH = re.compile(r"(?<![\w.:/\\])/(?:[\w.-]+/){2,}|[A-Za-z]:\\\\")


@pytest.fixture(scope="module")
def run():
    """the original run: seed 0, lr 0.001, 149 updates, with its data."""
    X, y = original_data()
    return X, y, train(X, y, *init_params(0), lr=0.001, num_updates=149)


FRAMES = 6  # enough to test the player and every frame; the notebook's animation has 18


@pytest.fixture(scope="module")
def html(run) -> Html:
    X, y, history = run
    return offline_html(animate_training(X, y, history, max_frames=FRAMES, dpi=40))


def test_frame_updates_run_from_the_start_to_the_end_and_crowd_early():
    t = frame_updates(149, 25)
    assert t[0] == 0 and t[-1] == 149 and len(t) <= 25
    assert all(a < b for a, b in itertools.pairwise(t))
    assert t[1] - t[0] < t[-1] - t[-2]  # the path moves fastest at the start
    assert frame_updates(3, 40) == [0, 1, 2, 3]  # never more frames than updates + 1
    with pytest.raises(ValueError, match="max_frames must be >= 2"):
        frame_updates(149, 1)


def test_the_html_is_self_contained(html):
    assert not re.search(r"https?://", html.html), "a URL: the player would need the network"
    assert "<link" not in html.html and not re.search(r"<script[^>]*\bsrc=", html.html)
    assert "<script" in html.html and "fa fa-" not in html.html  # inline player; buttons are text, not an icon font
    assert MACHINE_PATH.search(html.html) is None  # the base64 frames are escaped, so they never look like paths


def test_the_html_has_one_frame_per_update_drawn(run, html):
    _, _, history = run
    frames = FRAME.findall(html.html)
    assert [int(i) for i, _ in frames] == list(range(len(frame_updates(history.updates, FRAMES))))
    image = Image.open(io.BytesIO(base64.b64decode(frames[0][1].replace("\\/", "/"))))
    assert image.format == "PNG" and image.mode == "P"  # a palette PNG, for size
    assert image.size == (9 * 40, int(3.8 * 40))  # figsize (9, 3.8) inches at dpi 40
    assert repr(html) == f"an animation of {len(frames)} frames (it plays where HTML and JavaScript run)"
    assert html._repr_html_() is html.html


def test_the_html_is_the_same_on_every_build_and_follows_the_run(run, html):
    X, y, history = run
    again = offline_html(animate_training(X, y, history, max_frames=FRAMES, dpi=40))
    assert again == html  # matplotlib's random element id became a hash of the content
    ids = set(re.findall(r"_anim_img(\w+)", html.html))
    assert len(ids) == 1 and re.fullmatch(r"[0-9a-f]{16}", next(iter(ids)))
    faster = train(X, y, *init_params(0), lr=0.009, num_updates=149, activation="none")
    other = offline_html(animate_training(X, y, faster, activation="none", max_frames=FRAMES, dpi=40))
    assert other.html != html.html and set(re.findall(r"_anim_img(\w+)", other.html)).isdisjoint(ids)


def test_static_frames_show_the_chosen_updates(run):
    X, y, history = run
    fig = plot_training_frames(X, y, history, updates=(0, 10, 149))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    ax_fit, ax_path = fig.axes
    labels = [line.get_label() for line in ax_fit.get_lines()]
    assert labels == ["update 0: loss 2.26e+01", "update 10: loss 3.62e-01", "update 149: loss 1.73e-04"]
    marked = [tuple(line.get_xydata()[0]) for line in ax_path.get_lines() if line.get_marker() == "o"]
    assert marked == [(history.w_path[t], history.b_path[t]) for t in (0, 10, 149)]
    with pytest.raises(ValueError, match="updates must lie in 0..149"):
        plot_training_frames(X, y, history, updates=(0, 150))
    with pytest.raises(ValueError, match=r"updates must lie in 0..149, got \[0, 2\.5\]"):
        plot_training_frames(X, y, history, updates=(0, 2.5))  # not an update number, though in range


def test_bad_arguments_fail_clearly(run):
    X, y, history = run
    with pytest.raises(TypeError, match="history must be a helpers.History"):
        animate_training(X, y, {"w_path": [0.0]})
    with pytest.raises(ValueError, match="activation"):
        animate_training(X, y, history, activation="tanh")
    with pytest.raises(ValueError, match="must have shape"):
        plot_training_frames(X.reshape(-1), y, history, updates=(0,))
    assert torch.equal(X, original_data()[0])  # nothing was changed in place
