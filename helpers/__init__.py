"""Linear regression in PyTorch, step by step: the training core and the public API the notebooks import.

    from helpers import original_data, init_params, train, closed_form, plot_fit

The core is one module per lesson: data (01), model and losses (03), gradients (04), training (05), solve (05,
07 and 09), with checks and parameters beside them. helpers.figures draws, helpers.further goes further (the
blocked gradient, sufficient statistics, minibatches, the PyTorch way, noise, timings, the distributed run),
helpers.exercises checks the exercises, and helpers.tools is run, never imported by a notebook.
"""

from helpers.data import RAW_X, TRUE_B, TRUE_W, noisy_data, original_data, true_line, uniform_x
from helpers.figures.animate import animate_training, frame_updates, offline_html, plot_training_frames
from helpers.figures.batches import plot_batch_sizes
from helpers.figures.generalization import plot_bias_variance, plot_overfitting
from helpers.figures.landscape import plot_contours, plot_step
from helpers.figures.panel import build_panel, next_step, plot_next_step
from helpers.figures.plots import loss_grid, plot_data, plot_fit, plot_losses, plot_scales
from helpers.figures.spread import plot_spread
from helpers.figures.surfaces import plot_contours_by_activation, plot_rate_vs_lr, plot_relu_vs_linear
from helpers.figures.sweep import plot_sweep
from helpers.further.blocked import loss_and_grad
from helpers.further.minibatch import minibatch_sgd
from helpers.further.noise import fits_over_seeds, path_losses, train_val_split
from helpers.further.sweep import lr_sweep, sweep_table
from helpers.further.timing import ratios
from helpers.further.torch_way import fit_sgd, linear_from
from helpers.gradients import autograd_grad, grad
from helpers.losses import loss_value, mse, sse
from helpers.model import init_params, predict
from helpers.parameters import check_parameters
from helpers.results import STATUS_WORDS, publish, summarize
from helpers.solve import closed_form, design_matrix, hessian, spectrum
from helpers.training import train

# what the notebooks import, and nothing else (tests/test_layout.py checks both ways)
__all__ = [
    "RAW_X",
    "STATUS_WORDS",
    "TRUE_B",
    "TRUE_W",
    "animate_training",
    "autograd_grad",
    "build_panel",
    "check_parameters",
    "closed_form",
    "design_matrix",
    "fit_sgd",
    "fits_over_seeds",
    "frame_updates",
    "grad",
    "hessian",
    "init_params",
    "linear_from",
    "loss_and_grad",
    "loss_grid",
    "loss_value",
    "lr_sweep",
    "minibatch_sgd",
    "mse",
    "next_step",
    "noisy_data",
    "offline_html",
    "original_data",
    "path_losses",
    "plot_batch_sizes",
    "plot_bias_variance",
    "plot_contours",
    "plot_contours_by_activation",
    "plot_data",
    "plot_fit",
    "plot_losses",
    "plot_next_step",
    "plot_overfitting",
    "plot_rate_vs_lr",
    "plot_relu_vs_linear",
    "plot_scales",
    "plot_spread",
    "plot_step",
    "plot_sweep",
    "plot_training_frames",
    "predict",
    "publish",
    "ratios",
    "spectrum",
    "sse",
    "summarize",
    "sweep_table",
    "train",
    "train_val_split",
    "true_line",
    "uniform_x",
]  # fmt: skip
