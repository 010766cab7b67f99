"""The step panel: next_step's numbers against a step computed here with autograd, its two warnings against the
geometry that defines them, and the ipywidgets panel without a frontend (a slider change redraws its image)."""

from __future__ import annotations

import dataclasses
import math
import subprocess
import sys

import ipywidgets as widgets
import pytest
import torch
from matplotlib.figure import Figure

from helpers import build_panel, hessian, init_params, next_step, plot_next_step
from helpers.figures.panel import StepPanel

TOL = 1e-12  # both sides compute in float64 from the same numbers; only the order of a few sums differs


def _autograd_step(X, y, w: float, b: float, lr: float, relu: bool = True):
    """(loss, dL/dw, dL/db, w_next, b_next, loss_next) of the original's model, by autograd."""

    def loss_at(w_, b_):
        z = X * w_
        return ((z.clamp(min=0) if relu else z) + b_ - y).pow(2).sum()

    w_t = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    b_t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    loss = loss_at(w_t, b_t)
    loss.backward()
    w1, b1 = w - lr * w_t.grad.item(), b - lr * b_t.grad.item()
    next_loss = loss_at(torch.tensor(w1, dtype=torch.float64), torch.tensor(b1, dtype=torch.float64))
    return loss.item(), w_t.grad.item(), b_t.grad.item(), w1, b1, next_loss.item()


def _best_lr(X, w: float, b: float, y) -> float:
    """eta_step = g.g / g H g: the step to the lowest point along -g (the linear model's exact line search)."""
    A = torch.cat([X, torch.ones_like(X)], dim=1)
    g = 2 * A.T @ (A @ torch.tensor([[w], [b]], dtype=torch.float64) - y)  # (2, 1)
    return (g.T @ g / (g.T @ hessian(X) @ g)).item()


@pytest.fixture
def start():
    w, b = init_params(0)
    return w.item(), b.item()


@pytest.mark.parametrize("lr", [0.001, 0.006, 0.009, 0.02])
@pytest.mark.parametrize("activation", ["relu", "none"])
def test_next_step_is_one_gradient_step(data, start, lr, activation):
    X, y = data
    step = next_step(X, y, *start, lr, activation)
    expected = _autograd_step(X, y, *start, lr, relu=activation == "relu")
    got = (step.loss, step.grad_w, step.grad_b, step.w_next, step.b_next, step.loss_next)
    assert all(math.isclose(g, e, rel_tol=TOL, abs_tol=TOL) for g, e in zip(got, expected)), (got, expected)
    assert (step.w, step.b, step.lr) == (*start, lr)
    assert next_step(X, y, *(torch.tensor([[v]]) for v in start), lr, activation) == step  # (1, 1) tensors too


def test_overshoot_is_passing_the_lowest_point_along_the_step(data, start):
    X, y = data
    eta = _best_lr(X, *start, y)  # about 0.004995 at the seeded start
    assert not next_step(X, y, *start, 0.99 * eta, "none").overshoots
    assert next_step(X, y, *start, 1.01 * eta, "none").overshoots
    short, far = next_step(X, y, *start, 1.9 * eta, "none"), next_step(X, y, *start, 2.1 * eta, "none")
    assert short.loss_next < short.loss < far.loss_next  # the loss rises only beyond 2 eta_step
    assert not next_step(X, y, *start, 0.001).overshoots  # the original's step stops short


def test_a_step_that_crosses_w_0_kills_the_relu(data, start):
    X, y = data
    step = next_step(X, y, *start, 0.009)  # the step 05_training.ipynb shows: w lands at -0.1926
    assert step.kills_relu and step.w_next < 0 and abs(step.w_next + 0.192600) < 5e-7
    assert not next_step(X, y, *start, 0.009, "none").kills_relu  # no ReLU, nothing to kill
    assert not next_step(X, y, *start, 0.006).kills_relu  # w stays positive
    dead = next_step(X, y, -0.2, start[1], 0.001)
    assert dead.grad_w == 0.0 and not dead.kills_relu  # dead already: this step kills nothing
    assert not next_step(X, y, 0.0, 0.5, 0.001).kills_relu  # at w = 0 the clamp still passes the gradient


def test_step_is_a_small_frozen_value_that_prints_its_story(data, start):
    X, y = data
    step = next_step(X, y, *start, 0.009)
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.w = 0.0  # type: ignore[misc]
    text = str(step)
    assert "loss 22.6257" in text and "(76.5396, 56.1143)" in text and "w = -0.1926" in text
    assert "overshoots" in text and "kills the ReLU" in text and "falls" in text
    assert "overshoots" not in str(next_step(X, y, *start, 0.001))


def test_next_step_checks_its_arguments(data):
    X, y = data
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        next_step(X, y, 0.5, 0.5, 0.0)
    with pytest.raises(ValueError, match="activation"):
        next_step(X, y, 0.5, 0.5, 0.001, activation="tanh")
    with pytest.raises(ValueError, match="must have shape"):
        next_step(X.reshape(-1), y, 0.5, 0.5, 0.001)


def test_plot_next_step_names_what_went_wrong(data, start):
    X, y = data
    fig = plot_next_step(X, y, next_step(X, y, *start, 0.009))
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[1].get_title() == "The next step: it overshoots and kills the ReLU"
    assert fig.axes[0].get_title() == "Loss now 22.63, after the step 4.927"
    assert plot_next_step(X, y, next_step(X, y, *start, 0.001)).axes[1].get_title() == "The next step"


def _image(panel: StepPanel) -> str:
    return panel.children[1].outputs[0]["data"]["image/png"]


def test_the_panel_builds_without_a_frontend_and_redraws_on_a_slider_change(data, start):
    X, y = data
    panel = build_panel(X, y, *start, 0.001)
    assert isinstance(panel, widgets.VBox) and "lr-panel" in panel._dom_classes
    w_s, b_s, lr_s = panel.children[0].children
    assert [s.description for s in (w_s, b_s, lr_s)] == ["w", "b", "lr"]
    assert isinstance(w_s, widgets.FloatSlider) and isinstance(lr_s, widgets.FloatLogSlider)
    assert (w_s.value, b_s.value, lr_s.value) == (*start, 0.001)
    out = panel.children[1]
    assert isinstance(out, widgets.Output) and [o["output_type"] for o in out.outputs] == ["display_data", "stream"]
    assert out.outputs[1]["text"] == f"{next_step(X, y, *start, 0.001)}\n"
    before = _image(panel)
    w_s.value = 0.3  # what moving the slider in JupyterLab does to the kernel's copy; observers run at once
    assert _image(panel) != before and "at w = 0.3000" in out.outputs[1]["text"]
    lr_s.value = 0.009
    assert "lr = 0.009" in out.outputs[1]["text"]


def test_the_panel_shows_one_line_of_text_where_widgets_do_not_run(data, start):
    X, y = data
    bundle = build_panel(X, y, *start, 0.001)._repr_mimebundle_()
    assert bundle["text/plain"] == (
        "StepPanel: sliders for w, b and lr with a live figure (it needs a running kernel in JupyterLab)"
    )
    assert "application/vnd.jupyter.widget-view+json" in bundle  # what JupyterLab renders as the live panel


def test_import_helpers_needs_no_ipywidgets():
    """a bare GPU box may lack ipywidgets: `import helpers` and next_step work there; only a panel needs it."""
    code = (
        "import sys; sys.modules['ipywidgets'] = None  # as if it were not installed\n"
        "import helpers\n"
        "from helpers import original_data, init_params, next_step\n"
        "X, y = original_data(); w, b = init_params(0)\n"
        "s = next_step(X, y, w.item(), b.item(), 0.001)\n"
        "print(repr(s.w_next - (s.w - 0.001 * s.grad_w)))\n"
        "import helpers.figures.panel\n"
        "try:\n    helpers.figures.panel.StepPanel\nexcept ImportError:\n    print('no panel')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    gap, last = done.stdout.split()[0], done.stdout.splitlines()[-1]
    assert abs(float(gap)) <= TOL and last == "no panel"  # the step itself: w_next = w - lr g, to rounding


def test_step_panel_is_one_vbox_class_made_on_first_use(data, start):
    import helpers.figures.panel

    assert StepPanel is helpers.figures.panel.StepPanel and issubclass(StepPanel, widgets.VBox)
    assert type(build_panel(*data, *start, 0.001)) is StepPanel
    with pytest.raises(AttributeError, match="no attribute 'StepPanels'"):
        helpers.figures.panel.StepPanels  # noqa: B018 - a misspelt name still fails as usual


@pytest.mark.parametrize("w, b, lr, text", [
    (1.5, 0.5, 0.001, r"w must lie in its slider's range \[-0\.5, 1\], got 1\.5"),
    (0.3, -0.5, 0.001, r"b must lie in its slider's range \[-0\.2, 1\.2\], got -0\.5"),
    (0.3, 0.5, 0.5, r"lr must lie in its slider's range \[0\.0001, 0\.03162\], got 0\.5"),
    (float("nan"), 0.5, 0.001, r"w must lie .* got nan"),
])  # fmt: skip
def test_a_start_outside_the_sliders_fails_instead_of_being_clamped(data, w, b, lr, text):
    with pytest.raises(ValueError, match=text):
        build_panel(*data, w, b, lr)
