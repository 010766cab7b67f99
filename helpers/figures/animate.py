"""One training run in motion: the fitted line and the (w, b) path side by side, as self-contained HTML.

    offline_html(animate_training(X, y, history))   # as the last expression of a cell: the player

The player is matplotlib's to_jshtml(), made to work offline (no CDN: the buttons are text) and deterministic
(its random element id becomes a hash of the frames), so a rerun gives the same HTML.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
import numbers
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from matplotlib.animation import FuncAnimation
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure
from PIL import Image

from helpers.checks import ACTIVATIONS, LOSSES, check_choice, check_count, check_data
from helpers.figures.plots import DATA_COLOR, FIT_COLOR, loss_grid, new_figure
from helpers.model import predict
from helpers.results import History
from helpers.solve import closed_form

BUTTONS = {"minus": "−", "fast-backward": "⇤", "step-backward": "◁", "play fa-flip-horizontal": "◀",
           "pause": "‖", "play": "▶", "step-forward": "▷", "fast-forward": "⇥", "plus": "+"}  # fmt: skip
FRAME_COLORS = ("C0", "C1", "C4", "C5", "C9")  # plot_training_frames: neither the data's green nor the star's red
Window = tuple[float, float]


@dataclass(frozen=True)
class Html:
    """HTML for a notebook output: rendered where HTML is (JupyterLab, an HTML export), its summary elsewhere."""

    html: str
    summary: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.summary


def frame_updates(num_updates: int, max_frames: int = 18) -> list[int]:
    """the updates to draw, 0 (the start) to num_updates, spaced quadratically: dense early, where the path moves."""
    T, F = check_count(num_updates), check_count(max_frames, "max_frames")
    if F < 2:
        raise ValueError(f"max_frames must be >= 2, got {F}")
    return sorted({round(T * (k / (F - 1)) ** 2) for k in range(F)})


def _line(X: torch.Tensor, w: float, b: float, activation: str) -> tuple[np.ndarray, np.ndarray]:
    """the model's line over the range of X, as (x, y_hat) arrays of 50 points."""
    grid = torch.linspace(float(X.min()), float(X.max()), 50, dtype=torch.float64).reshape(-1, 1)
    w_, b_ = torch.tensor([[w]], dtype=torch.float64), torch.tensor([[b]], dtype=torch.float64)
    return grid.numpy().ravel(), predict(grid, w_, b_, activation).numpy().ravel()


def _pad(values: Sequence[float]) -> Window:
    finite = [v for v in values if math.isfinite(v)]
    lo, hi = min(finite), max(finite)
    return lo - 0.15 * (hi - lo + 0.1), hi + 0.15 * (hi - lo + 0.1)


def _setup(
    X: torch.Tensor,
    y: torch.Tensor,
    history: History,
    loss: str,
    activation: str,
    w_range: Window | None,
    b_range: Window | None,
    figsize: tuple[float, float],
) -> tuple[torch.Tensor, Figure, Axes, Axes]:
    """X as float64, and a figure: the data (left), the loss's contours around the path and the minimum (right)."""
    X, y = (t.detach().cpu().double() for t in check_data(X, y))
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    if not isinstance(history, History):
        raise TypeError(f"history must be a helpers.History (from helpers.train), got {type(history).__name__}")
    w_star, b_star = (v.item() for v in closed_form(X, y))
    w_range, b_range = w_range or _pad([*history.w_path, w_star]), b_range or _pad([*history.b_path, b_star])
    fig = new_figure(figsize)
    ax_fit, ax_path = fig.subplots(1, 2)
    ax_fit.scatter(X.numpy().ravel(), y.numpy().ravel(), c=DATA_COLOR, s=40, alpha=0.6, label="data")
    start = _line(X, history.w_path[0], history.b_path[0], activation)[1]  # the window holds the start's line
    lo, hi = min(float(y.min()), float(start.min())), max(float(y.max()), float(start.max()))
    ax_fit.set(xlabel="x", ylabel="y", ylim=(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)))
    W, B, L = loss_grid(X, y, w_range, b_range, loss, activation, steps=81)
    levels = np.geomspace(max(float(L.min()), 1e-4), float(L.max()), 12)
    ax_path.contour(W.numpy(), B.numpy(), L.numpy(), levels=levels, cmap="viridis", norm=LogNorm(), linewidths=0.8)
    ax_path.plot(
        [w_star], [b_star], "r*", ms=13, mec="black", mew=0.6, zorder=7, label=r"minimum $\theta^\star$"
    )  # above the marks
    ax_path.set(xlabel="w", ylabel="b", xlim=w_range, ylim=b_range)
    for ax in (ax_fit, ax_path):
        ax.locator_params(nbins=5)  # fewer tick labels: less to read, and less to draw in every frame
    return X, fig, ax_fit, ax_path


def _loss_at(history: History, t: int) -> float:
    """the loss at w_path[t], b_path[t]."""
    return history.losses[t] if t < history.updates else history.final_loss


def plot_training_frames(
    X: torch.Tensor,
    y: torch.Tensor,
    history: History,
    updates: Sequence[int],
    loss: str = "sum",
    activation: str = "relu",
    w_range: Window | None = None,
    b_range: Window | None = None,
) -> Figure:
    """a few moments of one run overlaid: the line after each of updates (left), the path with them marked (right)."""
    X, fig, ax_fit, ax_path = _setup(X, y, history, loss, activation, w_range, b_range, (10, 4.2))
    if not updates or any(not isinstance(t, numbers.Integral) or not 0 <= t <= history.updates for t in updates):
        raise ValueError(f"updates must lie in 0..{history.updates}, got {list(updates)}")
    ax_path.plot(history.w_path, history.b_path, "-", color="gray", lw=1, label="path")
    for i, t in enumerate(updates):
        color = FRAME_COLORS[i % len(FRAME_COLORS)]
        w, b = history.w_path[t], history.b_path[t]
        label = f"update {t}: loss {_loss_at(history, t):.2e}"
        ax_fit.plot(*_line(X, w, b, activation), color=color, lw=2, label=label)
        ax_path.plot([w], [b], "o", color=color, mec="black", ms=7, zorder=5)
    ax_fit.set_title(rf"The line after some of the {history.updates} updates ($\eta$ = {history.lr:g})")
    ax_path.set_title("The same moments on the path of (w, b)")
    for ax in (ax_fit, ax_path):
        ax.legend(fontsize=8, loc="upper left")
    return fig


def animate_training(
    X: torch.Tensor,
    y: torch.Tensor,
    history: History,
    loss: str = "sum",
    activation: str = "relu",
    w_range: Window | None = None,
    b_range: Window | None = None,
    max_frames: int = 18,
    dpi: int = 72,
    interval_ms: int = 200,
) -> FuncAnimation:
    """a FuncAnimation of history: the line over the data (left) and the path on the contours (right)."""
    X, fig, ax_fit, ax_path = _setup(X, y, history, loss, activation, w_range, b_range, (9, 3.8))
    updates = frame_updates(history.updates, max_frames)
    fig.set_dpi(dpi)
    fig.set_facecolor("white")
    (line,) = ax_fit.plot(*_line(X, history.w_path[0], history.b_path[0], activation), color=FIT_COLOR, lw=2)
    (path,) = ax_path.plot([], [], ".-", color="C1", ms=3, lw=1)
    (point,) = ax_path.plot([], [], "o", color="C1", mec="black", ms=7)

    def draw(t: int) -> None:
        w, b = history.w_path[t], history.b_path[t]
        line.set_data(*_line(X, w, b, activation))
        path.set_data(history.w_path[: t + 1], history.b_path[: t + 1])
        point.set_data([w], [b])
        ax_fit.set_title(f"Update {t:3d} of {history.updates}: w = {w:.4f}, b = {b:.4f}", fontsize=10)
        ax_path.set_title(rf"Loss {_loss_at(history, t):.3e} ($\eta$ = {history.lr:g})", fontsize=10)

    draw(updates[-1])
    fig.draw_without_rendering()  # lay out once; a fixed layout keeps the frames still and saves time per frame
    fig.set_layout_engine("none")
    return FuncAnimation(fig, draw, frames=updates, interval=interval_ms, repeat=False)


def _palette_png(b64: str, colors: int) -> str:
    """a base64 PNG frame redrawn with a palette of colors, '/' escaped as '\\/' (the same in a JavaScript string).

    A palette PNG of line art like this is a quarter of the bytes; escaped, base64 never looks like a file path.
    """
    buffer = io.BytesIO()
    Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB").quantize(colors).save(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii").replace("/", "\\/")


def offline_html(anim: FuncAnimation, colors: int = 64) -> Html:
    """anim as self-contained HTML: frames embedded (palette PNGs), no URL, the same text for the same frames."""
    html = anim.to_jshtml(default_mode="once")
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*">', "", html)  # font-awesome, from a CDN
    html = re.sub(r'<i class="fa fa-([\w -]+)"></i>', lambda m: BUTTONS[m.group(1)], html)
    html = re.sub(r'(?<=base64,)[^"]*', lambda m: _palette_png(m.group(0).replace("\\\n", ""), colors), html)
    found = re.search(r"_anim_img([0-9a-f]{32})", html)
    if found is None or re.search(r"https?://", html):
        raise RuntimeError("matplotlib's to_jshtml() changed: its element id or its URLs are not what this expects")
    html = html.replace(found.group(1), "@ID@")
    frames = len(re.findall(r'frames\[\d+\] = "data:', html))
    summary = f"an animation of {frames} frames (it plays where HTML and JavaScript run)"
    return Html(html.replace("@ID@", hashlib.sha256(html.encode()).hexdigest()[:16]), summary)
