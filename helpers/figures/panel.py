"""A panel to play with one gradient step: sliders for w, b and lr redraw the line, the loss and the next step.

step = next_step(X, y, w, b, lr)        # the numbers, as a small frozen dataclass (no widgets involved)
plot_next_step(X, y, step)              # the figure: the line over the data, the step on the contours
build_panel(X, y, w, b, lr)             # the ipywidgets panel (the last expression of a cell shows it)
"""

from __future__ import annotations

import base64
import functools
import io
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

if TYPE_CHECKING:
    from ipywidgets import VBox
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from helpers.checks import ACTIVATIONS, LOSSES, check_choice, check_data, check_lr
from helpers.figures.plots import DATA_COLOR, FIT_COLOR, loss_grid, new_figure
from helpers.gradients import grad
from helpers.losses import loss_value
from helpers.model import predict, relu_is_dead
from helpers.solve import closed_form

W_RANGE, B_RANGE, LR_EXPONENTS = (-0.5, 1.0), (-0.2, 1.2), (-4.0, -1.5)  # the sliders' ranges (lr: powers of 10)
MIN_ARROW = 0.25  # plot_next_step: the step's arrow is at least this long, as a fraction of the axes


@dataclass(frozen=True)
class Step:
    """one gradient step from (w, b) at lr, in plain floats: the gradient, where it lands, and what went wrong."""

    w: float
    b: float
    lr: float
    loss: float  # at (w, b)
    grad_w: float
    grad_b: float
    w_next: float  # w - lr * grad_w
    b_next: float  # b - lr * grad_b
    loss_next: float
    overshoots: bool  # the gradient where it lands points back: the step went past the lowest point on its line
    kills_relu: bool  # the ReLU passes gradient to w now, and at no point after the step: w is frozen for good

    def __str__(self) -> str:
        lines = [
            f"at w = {self.w:.4f}, b = {self.b:.4f}: loss {self.loss:.6g}, "
            f"gradient (dL/dw, dL/db) = ({self.grad_w:.4f}, {self.grad_b:.4f})",
            f"one step at lr = {self.lr:.3g}: w = {self.w_next:.4f}, b = {self.b_next:.4f}, "
            f"loss {self.loss_next:.6g} ({'rises' if self.loss_next > self.loss else 'falls'})",
        ]
        if self.overshoots:
            lines.append(
                "it overshoots: it passes the lowest point along its direction (the next gradient points back)"
            )
        if self.kills_relu:
            lines.append("it kills the ReLU: every x w <= 0 after it, so w never gets a gradient again")
        return "\n".join(lines)


def next_step(
    X: torch.Tensor, y: torch.Tensor, w: float, b: float, lr: float, activation: str = "relu", loss: str = "sum"
) -> Step:
    """the gradient step from (w, b) (floats, or (1, 1) tensors) at lr, computed in float64.  X, y: (n, 1)"""
    X, y = (t.detach().cpu().double() for t in check_data(X, y))
    lr = check_lr(lr)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("loss", loss, LOSSES)
    w0, b0 = (torch.tensor([[float(v)]], dtype=torch.float64) for v in (w, b))
    g = grad(X, y, w0, b0, loss, activation)
    w1, b1 = w0 - lr * g.w, b0 - lr * g.b
    g1 = grad(X, y, w1, b1, loss, activation)
    back = float(g.w * g1.w + g.b * g1.b) < 0
    ends = [float(v) for v in X.aminmax()]  # min and max of x: the ReLU is dead as helpers.train counts it
    kills = activation == "relu" and not relu_is_dead(w0.item(), *ends) and relu_is_dead(w1.item(), *ends)
    L0, L1 = (loss_value(predict(X, w_, b_, activation), y, loss).item() for w_, b_ in ((w0, b0), (w1, b1)))
    return Step(w0.item(), b0.item(), lr, L0, g.w.item(), g.b.item(), w1.item(), b1.item(), L1, back, kills)


def plot_next_step(
    X: torch.Tensor,
    y: torch.Tensor,
    step: Step,
    activation: str = "relu",
    loss: str = "sum",
    grid: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
    min_arrow: float = MIN_ARROW,
) -> Figure:
    """the line at (w, b) and after the step (left); the step as an arrow on the loss's contours (right).

    grid: loss_grid(X, y, W_RANGE, B_RANGE, loss, activation), to reuse between redraws.
    min_arrow: the arrow's least length, in axes coordinates (1 = the axes' width or height). A shorter step (a small
    lr's) is drawn longer along its own direction, the legend says how many times, and a hollow circle marks where
    the step truly lands; min_arrow=0 draws every arrow to scale.
    """
    if not (isinstance(min_arrow, (int, float)) and 0 <= min_arrow <= 1):
        raise ValueError(f"min_arrow must be a fraction of the axes in [0, 1], got {min_arrow!r}")
    X, y = (t.detach().cpu().double() for t in check_data(X, y))
    W, B, L = grid if grid is not None else loss_grid(X, y, W_RANGE, B_RANGE, loss, activation, steps=101)
    fig = new_figure((10, 4))
    ax_fit, ax_step = fig.subplots(1, 2)
    x = torch.linspace(0.0, float(X.max()), 50, dtype=torch.float64).reshape(-1, 1)

    def line(w: float, b: float) -> np.ndarray:
        return predict(
            x, torch.tensor([[w]], dtype=torch.float64), torch.tensor([[b]], dtype=torch.float64), activation
        ).numpy()

    ax_fit.scatter(X.numpy(), y.numpy(), c=DATA_COLOR, s=30, alpha=0.6, label="data")
    ax_fit.plot(x.numpy(), line(step.w, step.b), color=FIT_COLOR, lw=2, label="now")
    ax_fit.plot(x.numpy(), line(step.w_next, step.b_next), color="tab:orange", lw=2, ls="--", label="after the step")
    ax_fit.set(
        xlabel="x", ylabel="y", ylim=(-0.5, 2.5), title=f"Loss now {step.loss:.4g}, after the step {step.loss_next:.4g}"
    )
    ax_fit.legend(loc="upper left", fontsize=8)
    levels = np.geomspace(max(float(L.min()), 1e-3), float(L.max()), 14)
    ax_step.contour(W.numpy(), B.numpy(), L.numpy(), levels=levels, cmap="viridis", norm=LogNorm(), linewidths=0.8)
    w_star, b_star = (v.item() for v in closed_form(X, y))
    ax_step.plot([w_star], [b_star], "r*", ms=12, zorder=5, label=r"minimum $\theta^\star$")
    ax_step.plot([step.w], [step.b], "o", color=FIT_COLOR, mec="black", ms=7, zorder=3, label="(w, b) now")
    dw, db = step.w_next - step.w, step.b_next - step.b
    length = math.hypot(dw / (W_RANGE[1] - W_RANGE[0]), db / (B_RANGE[1] - B_RANGE[0]))  # in axes coordinates
    stretch = min_arrow / length if 0 < length < min_arrow else 1.0
    ax_step.quiver(
        [step.w],
        [step.b],
        [stretch * dw],
        [stretch * db],
        angles="xy",
        scale_units="xy",
        scale=1,
        color="tab:orange",
        width=0.008,
        zorder=4,
        label=rf"step at $\eta$ = {step.lr:.3g}" + (f", arrow drawn ×{stretch:.2g}" if stretch > 1 else ""),
    )
    if stretch > 1:  # the arrow shows the direction; the circle, where the step truly lands
        ax_step.plot(
            [step.w_next],
            [step.b_next],
            "o",
            mfc="none",
            mec="black",
            mew=1.2,
            ms=4,
            zorder=6,
            label="where the step lands",
        )
    if activation == "relu":
        ax_step.axvspan(W_RANGE[0], 0, color="gray", alpha=0.1, label="w < 0: the ReLU is dead")
    warnings = [t for t, on in (("overshoots", step.overshoots), ("kills the ReLU", step.kills_relu)) if on]
    ax_step.set(
        xlabel="w",
        ylabel="b",
        xlim=W_RANGE,
        ylim=B_RANGE,
        title="The next step" + (f": it {' and '.join(warnings)}" if warnings else ""),
    )
    ax_step.legend(loc="lower right", fontsize=8)
    return fig


def _png_output(fig: Figure) -> dict:
    """fig as one Output-widget output: a PNG image (the same nbformat dict a cell's figure output has)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=72, facecolor="white")
    return {
        "output_type": "display_data",
        "metadata": {},
        "data": {"image/png": base64.b64encode(buffer.getvalue()).decode("ascii"), "text/plain": "<Figure>"},
    }


@functools.cache
def _step_panel() -> type:
    """the StepPanel class, made on first use: ipywidgets is imported only where a panel is built."""
    import ipywidgets as widgets

    class StepPanel(widgets.VBox):
        """sliders for w, b and lr above an Output that shows the next step; its text form says what it needs to run."""

        def __repr__(self) -> str:
            return "StepPanel: sliders for w, b and lr with a live figure (it needs a running kernel in JupyterLab)"

    StepPanel.__qualname__ = "StepPanel"
    return StepPanel


def __getattr__(name: str) -> object:
    """helpers.figures.panel.StepPanel, an ipywidgets.VBox, made when it is first asked for (PEP 562)."""
    if name == "StepPanel":
        return _step_panel()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def build_panel(
    X: torch.Tensor, y: torch.Tensor, w: float, b: float, lr: float, activation: str = "relu", loss: str = "sum"
) -> VBox:
    """the panel, starting at (w, b) and lr; moving a slider redraws the Output below the sliders.  X, y: (n, 1)"""
    import ipywidgets as widgets

    X, y = (t.detach().cpu().double() for t in check_data(X, y))
    w, b, lr = float(w), float(b), check_lr(lr)
    lr_range = (10 ** LR_EXPONENTS[0], 10 ** LR_EXPONENTS[1])
    for name, v, (lo, hi) in (("w", w, W_RANGE), ("b", b, B_RANGE), ("lr", lr, lr_range)):
        if not lo <= v <= hi:  # a slider would clamp it silently, and the panel would start elsewhere
            raise ValueError(f"{name} must lie in its slider's range [{lo:.4g}, {hi:.4g}], got {v!r}")
    grid = loss_grid(X, y, W_RANGE, B_RANGE, loss, activation, steps=101)
    # live while dragging: the frontend holds back all but the latest value while the kernel is still drawing
    common = dict(continuous_update=True, readout_format=".4f", layout=widgets.Layout(width="32%"))
    w_s = widgets.FloatSlider(value=w, min=W_RANGE[0], max=W_RANGE[1], step=1e-6, description="w", **common)
    b_s = widgets.FloatSlider(value=b, min=B_RANGE[0], max=B_RANGE[1], step=1e-6, description="b", **common)
    lr_s = widgets.FloatLogSlider(
        value=lr,
        base=10,
        min=LR_EXPONENTS[0],
        max=LR_EXPONENTS[1],
        step=1e-6,  # also w and b: so fine that the frontend's snapping to steps leaves the panel where it starts
        description="lr",
        **{**common, "readout_format": ".2e"},
    )
    out = widgets.Output()

    def redraw(change: object = None) -> None:
        step = next_step(X, y, w_s.value, b_s.value, lr_s.value, activation, loss)
        text = {"output_type": "stream", "name": "stdout", "text": f"{step}\n"}
        out.outputs = (_png_output(plot_next_step(X, y, step, activation, loss, grid)), text)

    for slider in (w_s, b_s, lr_s):
        slider.observe(redraw, names="value")
    redraw()
    panel = _step_panel()([widgets.HBox([w_s, b_s, lr_s]), out])
    panel.add_class("lr-panel")
    return panel
