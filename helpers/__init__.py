"""Linear regression in PyTorch, step by step: the tested core that every notebook imports.

    from helpers import original_data, init_params, train, closed_form, plot_fit

Tools that are run rather than imported live in their own modules: `python -m helpers.run` (make run),
`helpers.rerun` (reruns and sweeps), `helpers.bench`, `helpers.distributed`, `helpers.student`,
`helpers.site`, `helpers.lab`; the exercise checkers are in `helpers.exercises`.
"""

# the model and its training
from .checks import ACTIVATIONS, LOSSES
from .data import RAW_X, TRUE_B, TRUE_W, noisy_data, original_data, true_line, uniform_x
from .gradients import Gradients, autograd_grad, grad, loss_and_grad
from .losses import loss_value, mse, sse
from .minibatch import MinibatchRun, batch_order, minibatch_sgd
from .model import init_params, pre_activation, predict
from .parameters import check_parameters
from .results import publish, read_results, summarize
from .solve import Solution, Spectrum, closed_form, contraction, design_matrix, hessian, spectrum, stability_limit
from .timing import ratios
from .training import CONVERGED_TOL, METHODS, STATUSES, DivergenceError, History, train

# what the later notebooks add: the PyTorch way (08), noise (10), sweeps (07)
from .noise import Fits, fits_over_seeds, path_losses, plot_spread, train_val_split
from .sweep import lr_sweep, plot_sweep, sweep_table
from .torch_way import SGDRun, fit_sgd, linear_from, params_of, plot_batch_sizes

# figures, the animation and the interactive panel
from .animate import Html, animate_training, frame_updates, offline_html, plot_training_frames
from .landscape import plot_contours, plot_step
from .panel import Step, build_panel, next_step, plot_next_step  # StepPanel: see __getattr__ below
from .plots import loss_grid, new_figure, plot_data, plot_fit, plot_losses
from .surfaces import plot_contours_by_activation, plot_rate_vs_lr, plot_relu_vs_linear

__all__ = [
    "ACTIVATIONS", "LOSSES", "METHODS", "STATUSES", "CONVERGED_TOL",
    "RAW_X", "TRUE_W", "TRUE_B", "original_data", "noisy_data", "true_line", "uniform_x",
    "check_parameters",
    "init_params", "pre_activation", "predict",
    "sse", "mse", "loss_value",
    "Gradients", "grad", "autograd_grad", "loss_and_grad",
    "Solution", "Spectrum", "closed_form", "design_matrix", "hessian", "spectrum", "stability_limit", "contraction",
    "History", "DivergenceError", "train", "ratios",
    "MinibatchRun", "minibatch_sgd", "batch_order",
    "summarize", "publish", "read_results",
    "linear_from", "params_of", "SGDRun", "fit_sgd", "plot_batch_sizes",
    "Fits", "fits_over_seeds", "train_val_split", "path_losses", "plot_spread",
    "lr_sweep", "plot_sweep", "sweep_table",
    "new_figure", "plot_data", "plot_fit", "plot_losses", "loss_grid", "plot_contours", "plot_step",
    "plot_rate_vs_lr", "plot_relu_vs_linear", "plot_contours_by_activation",
    "Html", "animate_training", "frame_updates", "offline_html", "plot_training_frames",
    "Step", "StepPanel", "build_panel", "next_step", "plot_next_step",
]  # fmt: skip


def __getattr__(name: str) -> object:
    """helpers.StepPanel on first use: it subclasses ipywidgets.VBox, and `import helpers` must not need ipywidgets."""
    if name == "StepPanel":
        from .panel import StepPanel

        return StepPanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
