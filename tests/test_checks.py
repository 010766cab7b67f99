"""helpers.checks, through the public functions: every bad input fails fast with an error that names the
argument, shows what was given and says what was expected. Each `match` below requires the argument's
name and the given value (or shape, dtype, row) to appear in the message."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import (
    autograd_grad,
    closed_form,
    design_matrix,
    fit_sgd,
    fits_over_seeds,
    grad,
    hessian,
    init_params,
    linear_from,
    loss_value,
    minibatch_sgd,
    noisy_data,
    original_data,
    path_losses,
    predict,
    spectrum,
    train,
    true_line,
    uniform_x,
)
from helpers.further.minibatch import batch_order
from helpers.further.suffstats import sums

X0, Y0 = original_data()
W0, B0 = init_params(0)


NAN = float("nan")
MIXED = r"X and y must share a dtype, got X: torch\.float32 and y: torch\.float64"


def with_value(t, row, value):
    t = t.clone()
    t[row, 0] = value
    return t


def fit(X=X0, y=Y0, w=W0, b=B0, **kw):
    """train with sane defaults, any one argument replaced."""
    return train(X, y, w, b, **{"lr": 0.001, "num_updates": 3, **kw})


# (X, y) pairs that are wrong, each with the error and the text it must show
BAD_DATA = {
    "y too short": (X0, Y0[:39], ValueError, r"y must have 40 rows to match X, got 39"),
    "X too short": (X0[:39], Y0, ValueError, r"y must have 39 rows to match X, got 40"),
    "X of shape (40,)": (X0[:, 0], Y0, ValueError, r"X must have shape \(n, 1\), got \(40,\)"),
    "X of shape (40, 2)": (X0.repeat(1, 2), Y0, ValueError, r"X must have shape \(n, 1\), got \(40, 2\)"),
    "X of shape (1, 40)": (X0.t(), Y0, ValueError, r"X must have shape \(n, 1\), got \(1, 40\)"),
    "y of shape (40,)": (X0, Y0[:, 0], ValueError, r"y must have shape \(n, 1\), got \(40,\)"),
    "y of shape (1, 40)": (X0, Y0.t(), ValueError, r"y must have shape \(n, 1\), got \(1, 40\)"),
    "X empty": (X0[:0], Y0[:0], ValueError, r"X must have at least one row, got shape \(0, 1\)"),
    "X int64": (torch.arange(40).reshape(40, 1), Y0, TypeError, r"X must have a floating dtype .*got torch\.int64"),
    "y int32": (X0, torch.ones(40, 1, dtype=torch.int32), TypeError, r"y must have a floating dtype .*torch\.int32"),
    "X float32, y float64": (X0.float(), Y0, TypeError, MIXED),
    "NaN in X": (with_value(X0, 7, float("nan")), Y0, ValueError, r"X must be finite, got 1 NaN or inf .* row 7: nan"),
    "inf in X": (with_value(X0, 0, float("inf")), Y0, ValueError, r"X must be finite, got 1 NaN or inf .* row 0: inf"),
    "-inf in y": (X0, with_value(Y0, 39, -float("inf")), ValueError, r"y must be finite, got 1 NaN .* row 39: -inf"),
    "two NaN in y": (X0, with_value(with_value(Y0, 12, NAN), 5, NAN), ValueError, r"y must be finite, got 2 .* 5: nan"),
    "X a list": (X0.tolist(), Y0, TypeError, r"X must be a torch\.Tensor of shape \(n, 1\), got list"),
    "X a numpy array": (X0.numpy(), Y0, TypeError, r"X must be a torch\.Tensor of shape \(n, 1\), got ndarray"),
    "y a float": (X0, 0.5, TypeError, r"y must be a torch\.Tensor of shape \(n, 1\), got float"),
}


@pytest.mark.parametrize("case", list(BAD_DATA))
@pytest.mark.parametrize("call", ["train", "grad", "closed_form"])
def test_bad_data(case, call):
    X, y, error, pattern = BAD_DATA[case]
    run = {
        "train": lambda: fit(X, y),
        "grad": lambda: grad(X, y, W0, B0),
        "closed_form": lambda: closed_form(X, y),
    }[call]
    with pytest.raises(error, match=pattern):
        run()


X_ONLY = ["X of shape (40,)", "X of shape (40, 2)", "X of shape (1, 40)", "X empty", "X int64", "NaN in X", "inf in X"]
X_ONLY += ["X a list", "X a numpy array"]


@pytest.mark.parametrize("case", X_ONLY)
@pytest.mark.parametrize("call", ["predict", "hessian", "spectrum", "true_line"])
def test_bad_x_alone(case, call):
    X, _, error, pattern = BAD_DATA[case]
    run = {
        "predict": lambda: predict(X, W0, B0),
        "hessian": lambda: hessian(X),
        "spectrum": lambda: spectrum(X),
        "true_line": lambda: true_line(X),
    }[call]
    with pytest.raises(error, match=pattern):
        run()


BAD_PARAMS = {
    "w of shape (1,)": ("w", torch.ones(1), ValueError, r"w must have shape \(1, 1\), got \(1,\)"),
    "w of shape ()": ("w", torch.tensor(0.5), ValueError, r"w must have shape \(1, 1\), got \(\)"),
    "b of shape (2, 1)": ("b", torch.ones(2, 1), ValueError, r"b must have shape \(1, 1\), got \(2, 1\)"),
    "b of shape (40, 1)": ("b", torch.ones(40, 1), ValueError, r"b must have shape \(1, 1\), got \(40, 1\)"),
    "w a float": ("w", 0.5, TypeError, r"w must be a torch\.Tensor of shape \(1, 1\), got float"),
    "b a numpy array": ("b", np.ones((1, 1)), TypeError, r"b must be a torch\.Tensor of shape \(1, 1\), got ndarray"),
    "w int64": (
        "w",
        torch.ones(1, 1, dtype=torch.int64),
        TypeError,
        r"w must have a floating dtype \(float32 or float64\), got torch\.int64",
    ),
    "w NaN": ("w", torch.full((1, 1), float("nan")), ValueError, r"w must be finite, got nan"),
    "b inf": ("b", torch.full((1, 1), float("inf")), ValueError, r"b must be finite, got inf"),
}


@pytest.mark.parametrize("case", list(BAD_PARAMS))
@pytest.mark.parametrize("call", ["train", "predict", "grad"])
def test_bad_params(case, call):
    name, value, error, pattern = BAD_PARAMS[case]
    params = {"w": W0, "b": B0, name: value}
    run = {
        "train": lambda: fit(**params),
        "predict": lambda: predict(X0, params["w"], params["b"]),
        "grad": lambda: grad(X0, Y0, params["w"], params["b"]),
    }[call]
    with pytest.raises(error, match=pattern):
        run()


BAD_NUMBERS = [
    ("lr", 0, ValueError, r"lr must be a finite number > 0, got 0\.0"),
    ("lr", -0.001, ValueError, r"lr must be a finite number > 0, got -0\.001"),
    ("lr", float("nan"), ValueError, r"lr must be a finite number > 0, got nan"),
    ("lr", float("inf"), ValueError, r"lr must be a finite number > 0, got inf"),
    ("lr", "0.001", TypeError, r"lr must be a positive number, got '0\.001' \(str\)"),
    ("lr", True, TypeError, r"lr must be a positive number, got True \(bool\)"),
    ("lr", None, TypeError, r"lr must be a positive number, got None \(NoneType\)"),
    ("lr", torch.tensor(0.001), TypeError, r"lr must be a positive number, got tensor\(0\.0010\) \(Tensor\)"),
    ("num_updates", -1, ValueError, r"num_updates must be >= 0, got -1"),
    ("num_updates", 5.0, TypeError, r"num_updates must be a non-negative int, got 5\.0 \(float\)"),
    ("num_updates", 5.5, TypeError, r"num_updates must be a non-negative int, got 5\.5 \(float\)"),
    ("num_updates", True, TypeError, r"num_updates must be a non-negative int, got True \(bool\)"),
    ("num_updates", "5", TypeError, r"num_updates must be a non-negative int, got '5' \(str\)"),
    ("log_every", 0, ValueError, r"log_every must be >= 1 or None, got 0"),
    ("log_every", 2.5, TypeError, r"log_every must be a non-negative int, got 2\.5 \(float\)"),
    ("activation", "sigmoid", ValueError, r"activation must be one of 'relu', 'none'; got 'sigmoid'"),
    ("activation", "ReLU", ValueError, r"activation must be one of 'relu', 'none'; got 'ReLU'"),
    ("activation", None, ValueError, r"activation must be one of 'relu', 'none'; got None"),
    ("loss", "l1", ValueError, r"loss must be one of 'sum', 'mean'; got 'l1'"),
    ("method", "adam", ValueError, r"method must be one of 'autograd', 'hand', 'blocked', 'stats'; got 'adam'"),
    ("on_divergence", "ignore", ValueError, r"on_divergence must be one of 'raise', 'record'; got 'ignore'"),
]


@pytest.mark.parametrize("name, value, error, pattern", BAD_NUMBERS, ids=lambda v: repr(v)[:20])
def test_bad_train_arguments(name, value, error, pattern):
    with pytest.raises(error, match=pattern):
        fit(**{name: value})


def test_numpy_scalars_are_accepted():
    # numpy numbers are real numbers: the checks must not reject np.float64 lr or np.int64 counts
    h1 = fit(lr=np.float64(0.001), num_updates=np.int64(3))
    h2 = fit()
    assert h1.w_path == h2.w_path and h1.lr == 0.001 and h1.num_updates == 3


@pytest.mark.parametrize(
    "run, error, pattern",
    [
        (lambda: predict(X0, W0, B0, activation="tanh"), ValueError, r"activation must be one of .*; got 'tanh'"),
        (lambda: grad(X0, Y0, W0, B0, loss="median"), ValueError, r"loss must be one of .*; got 'median'"),
        (lambda: grad(X0, Y0, W0, B0, activation="none "), ValueError, r"activation must be one of .*; got 'none '"),
        (lambda: loss_value(Y0, Y0, "max"), ValueError, r"loss must be one of .*; got 'max'"),
        (lambda: hessian(X0, "huber"), ValueError, r"loss must be one of .*; got 'huber'"),
        (lambda: spectrum(X0).contraction(0.0), ValueError, r"lr must be a finite number > 0, got 0\.0"),
        (lambda: spectrum(X0).contraction("fast"), TypeError, r"lr must be a positive number, got 'fast' \(str\)"),
        (lambda: original_data(dtype=torch.int64), TypeError, r"dtype must be a floating torch\.dtype .*torch\.int64"),
        (lambda: original_data(dtype="float64"), TypeError, r"dtype must be a floating torch\.dtype .*got 'float64'"),
        (lambda: init_params(0, dtype=torch.int32), TypeError, r"dtype must be a floating torch\.dtype .*torch\.int32"),
        (lambda: init_params(-1), ValueError, r"seed must be an int in \[0, 2\*\*64 - 1\], got -1"),
        (lambda: init_params(1.0), TypeError, r"seed must be a non-negative int, got 1\.0 \(float\)"),
        (lambda: init_params(True), TypeError, r"seed must be a non-negative int, got True \(bool\)"),
        (lambda: init_params("0"), TypeError, r"seed must be a non-negative int, got '0' \(str\)"),
        (lambda: uniform_x(10.0, seed=0), TypeError, r"n must be a non-negative int, got 10\.0 \(float\)"),
    ],
    ids=lambda v: "" if callable(v) else repr(v)[:30],
)
def test_bad_arguments_elsewhere(run, error, pattern):
    with pytest.raises(error, match=pattern):
        run()


def test_float32_w_with_float64_data_is_allowed():
    # the original's mixed precision is not an error: (1, 1) float32 parameters on float64 data
    y_hat = predict(X0, W0, B0)
    assert y_hat.dtype == torch.float64 and W0.dtype == torch.float32
    assert fit().status == "not_converged"


# ---- the API's other bad inputs: huge seeds, unknown devices, meta tensors, half precision, complex -------------

SEED_TOO_BIG = r"seed must be an int in \[0, 2\*\*64 - 1\], got 18446744073709551616"
META = r"is a meta tensor \(device 'meta'\), which holds no values"
API_CASES = {
    # seeds: torch.Generator.manual_seed takes 0 .. 2**64 - 1, and said "Overflow when unpacking long long" past it
    "init_params(2**64)": (lambda: init_params(2**64), ValueError, SEED_TOO_BIG),
    "noisy_data(seed=2**64)": (lambda: noisy_data(0.1, 2**64), ValueError, SEED_TOO_BIG),
    "uniform_x(seed=2**64)": (lambda: uniform_x(5, 2**64), ValueError, SEED_TOO_BIG),
    "batch_order(seed=2**64)": (lambda: batch_order(5, 1, 2**64), ValueError, SEED_TOO_BIG),
    "minibatch_sgd(seed=-3)": (
        lambda: minibatch_sgd(X0, Y0, W0, B0, lr=0.01, batch_size=8, seed=-3),
        ValueError,
        r"seed must be an int in \[0, 2\*\*64 - 1\], got -3",
    ),
    "fit_sgd(seed=2**64)": (
        lambda: fit_sgd(linear_from(W0.double(), B0.double()), X0, Y0, lr=0.001, num_epochs=1, seed=2**64),
        ValueError,
        SEED_TOO_BIG,
    ),
    "fits_over_seeds([0, 2**64])": (
        lambda: fits_over_seeds(X0, 0.1, [0, 2**64]),
        ValueError,
        r"every seed in seeds must be an int in \[0, 2\*\*64 - 1\], got 1844",
    ),
    "fits_over_seeds(5)": (
        lambda: fits_over_seeds(X0, 0.1, 5),
        TypeError,
        r"seeds must be a sequence of ints.*got int",
    ),
    "init_params(seed=np.float64)": (
        lambda: init_params(np.float64(1)),
        TypeError,
        r"seed must be a non-negative int, got np\.float64\(1\.0\) \(float64\)",
    ),
    # devices
    "init_params(device='bogus')": (
        lambda: init_params(0, device="bogus"),
        ValueError,
        r"device must name a device such as 'cpu' or 'cuda:0', got 'bogus'",
    ),
    "original_data(device=3.5)": (
        lambda: original_data(device=3.5),
        TypeError,
        r"device must be a torch\.device or a name such as 'cpu' or 'cuda', got 3\.5 \(float\)",
    ),
    "noisy_data(device='meta')": (
        lambda: noisy_data(0.1, 0, device="meta"),
        ValueError,
        r"device must hold values; 'meta' holds none",
    ),
    # meta tensors: a shape and a dtype, no values (before: "Tensor.item() cannot be called on meta tensors")
    "predict(meta X)": (lambda: predict(X0.to("meta"), W0, B0), ValueError, "X " + META),
    "closed_form(meta y)": (lambda: closed_form(X0, Y0.to("meta")), ValueError, "y " + META),
    "grad(meta w)": (lambda: grad(X0, Y0, W0.to("meta"), B0), ValueError, "w " + META),
    "loss_value(meta y_hat)": (lambda: loss_value(Y0.to("meta"), Y0), ValueError, "y_hat " + META),
    "spectrum(meta X)": (lambda: spectrum(X0.to("meta")), ValueError, "X " + META),
    "sums(meta X)": (lambda: sums(X0.to("meta"), Y0), ValueError, "X " + META),
    "linear_from(meta b)": (lambda: linear_from(W0, B0.to("meta")), ValueError, "b " + META),
    # dtypes: only float32 and float64 (float16 used to be accepted though the message said otherwise)
    "init_params(dtype=float16)": (
        lambda: init_params(0, dtype=torch.float16),
        TypeError,
        r"dtype must be a floating torch\.dtype \(torch\.float32 or torch\.float64\), got torch\.float16",
    ),
    "original_data(dtype=bfloat16)": (
        lambda: original_data(dtype=torch.bfloat16),
        TypeError,
        r"dtype must be .*torch\.float64\), got torch\.bfloat16",
    ),
    "noisy_data(dtype=complex64)": (
        lambda: noisy_data(0.1, 0, dtype=torch.complex64),
        TypeError,
        r"dtype must be .*, got torch\.complex64",
    ),
    "predict(float16 X)": (
        lambda: predict(X0.half(), W0, B0),
        TypeError,
        r"X must have a floating dtype \(float32 or float64\), got torch\.float16",
    ),
    "closed_form(bfloat16)": (
        lambda: closed_form(X0.bfloat16(), Y0.bfloat16()),
        TypeError,
        r"X must have a floating dtype \(float32 or float64\), got torch\.bfloat16",
    ),
    "hessian(complex128 X)": (
        lambda: hessian(X0.to(torch.complex128)),
        TypeError,
        r"X must have a floating dtype \(float32 or float64\), got torch\.complex128",
    ),
    "grad(float16 b)": (
        lambda: grad(X0, Y0, W0, B0.half()),
        TypeError,
        r"b must have a floating dtype \(float32 or float64\), got torch\.float16",
    ),
    "minibatch_sgd(float16 X)": (
        lambda: minibatch_sgd(X0.half(), Y0.half(), W0, B0, lr=0.01, batch_size=8),
        TypeError,
        r"X must have a floating dtype \(float32 or float64\), got torch\.float16",
    ),
    # huge ints and ranges
    "uniform_x(2**64)": (
        lambda: uniform_x(2**64, 0),
        ValueError,
        r"n must be at most 2\*\*40 .*got 18446744073709551616",
    ),
    "uniform_x(low=-1e308, high=1e308)": (
        lambda: uniform_x(3, 0, -1e308, 1e308),
        ValueError,
        r"low and high must be finite numbers with low < high, got low=-1e\+308",
    ),
    "batch_order(2**62)": (
        lambda: batch_order(2**62, 1, 0),
        ValueError,
        r"n must be at most 2\*\*40 .*got 4611686018427387904",
    ),
    "noisy_data(sigma=1e308)": (
        lambda: noisy_data(1e308, 0),
        ValueError,
        r"sigma = 1e\+308 is too large: the noisy y overflows float64",
    ),
    "noisy_data(sigma='0.1')": (
        lambda: noisy_data("0.1", 0),
        TypeError,
        r"sigma must be a finite number >= 0, got '0\.1' \(str\)",
    ),
    "noisy_data(sigma=nan)": (
        lambda: noisy_data(float("nan"), 0),
        ValueError,
        r"sigma must be a finite number >= 0, got nan",
    ),
    "noisy_data(sigma=True)": (
        lambda: noisy_data(True, 0),
        TypeError,
        r"sigma must be a finite number >= 0, got True \(bool\)",
    ),
    # other public functions that took anything
    "sums(list)": (lambda: sums([1.0], [2.0]), TypeError, r"X must be a torch\.Tensor of shape \(n, 1\), got list"),
    "sums(short y)": (lambda: sums(X0, Y0[:3]), ValueError, r"y must have 40 rows to match X, got 3"),
    "sums(NaN in y)": (lambda: sums(X0, with_value(Y0, 2, NAN)), ValueError, r"y must be finite, got 1 NaN .* row 2"),
    "sums(0 rows)": (lambda: sums(X0[:0], Y0[:0]), ValueError, r"X must have at least one row"),
    "path_losses(['a'])": (
        lambda: path_losses(X0, Y0, ["a"], [1.0]),
        TypeError,
        r"w_path must hold numbers, got 'a' \(str\)",
    ),
    "path_losses([nan])": (
        lambda: path_losses(X0, Y0, [0.1], [NAN]),
        ValueError,
        r"b_path must hold finite numbers, got nan",
    ),
    "path_losses(w_path=3)": (
        lambda: path_losses(X0, Y0, 3, [1.0]),
        TypeError,
        r"w_path must be a sequence of numbers, got int",
    ),
    "true_line(float16)": (
        lambda: true_line(X0.half()),
        TypeError,
        r"X must have a floating dtype \(float32 or float64\)",
    ),
    "autograd_grad(bool X)": (
        lambda: autograd_grad(X0.bool(), Y0, W0, B0),
        TypeError,
        r"X must have a floating dtype .*torch\.bool",
    ),
    "design_matrix(0 rows)": (lambda: design_matrix(X0[:0]), ValueError, r"X must have at least one row"),
}


@pytest.mark.parametrize("case", list(API_CASES))
def test_api_bad_inputs_get_one_line_naming_the_argument(case):
    run, error, pattern = API_CASES[case]
    with pytest.raises(error, match=pattern) as info:
        run()
    assert "\n" not in str(info.value)


def test_check_seed_takes_the_whole_range_of_manual_seed():
    from helpers.checks import MAX_SEED, check_seed

    assert MAX_SEED == 2**64 - 1 and check_seed(0) == 0 and check_seed(MAX_SEED) == MAX_SEED
    assert check_seed(np.uint64(2**64 - 1)) == 2**64 - 1
    w, b = init_params(MAX_SEED)  # the largest seed torch accepts works end to end
    assert w.shape == b.shape == (1, 1)
    for bad in (-1, MAX_SEED + 1, 2**100):
        with pytest.raises(ValueError, match=rf"seed must be an int in \[0, 2\*\*64 - 1\], got {bad}"):
            check_seed(bad)


def test_requires_grad_data_is_used_detached():
    # documented: the functions that never differentiate the data (train, grad, minibatch_sgd, sums, fit_sgd)
    # use it detached; predict and the losses keep the graph, as the notebooks differentiate through them
    Xg = X0.clone().requires_grad_(True)
    assert torch.equal(grad(Xg, Y0, W0, B0).w, grad(X0, Y0, W0, B0).w)
    run = minibatch_sgd(Xg, Y0, W0, B0, lr=0.01, batch_size=8)
    assert run.w_path == minibatch_sgd(X0, Y0, W0, B0, lr=0.01, batch_size=8).w_path
    assert sums(Xg, Y0) == sums(X0, Y0)
    assert predict(Xg, W0, B0).requires_grad and Xg.grad is None


def test_cpu_is_a_valid_device_everywhere():
    for device in ("cpu", torch.device("cpu"), None):
        w, _ = init_params(0, device=device)
        assert w.device.type == "cpu"
        assert original_data(device=device)[0].device.type == "cpu"
