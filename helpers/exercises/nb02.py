"""Checkers for 02_tensors.ipynb: float32's spacing, the broadcasting bug's loss, a parameter as a numpy array."""

from __future__ import annotations

import numpy as np
import torch

from helpers.data import original_data
from helpers.exercises.core import Mistake, Verdict, checker, compare_number, compare_tensor
from helpers.exercises.validate import NONE_HINT, Wrong, describe
from helpers.losses import loss_value
from helpers.model import init_params, predict


def _spacing(value: float, dtype: torch.dtype = torch.float32) -> float:
    """the gap from value (rounded to dtype) to the next number of that dtype above it."""
    v = torch.tensor(value, dtype=dtype)
    return (torch.nextafter(v, torch.tensor(float("inf"), dtype=dtype)) - v).item()


@checker
def check_float32_spacing(answer: object, value: float = 0.4) -> Verdict:
    """the spacing of float32 numbers next to value: the next float32 up, minus value in float32."""
    eps = torch.finfo(torch.float32).eps
    return compare_number(
        answer,
        _spacing(value),
        name="your spacing",
        rtol=1e-9,
        mistakes=[
            Mistake(
                _spacing(0.175),
                f"that is the spacing next to 0.175; the exercise asks about the number next to the bias, {value:g}",
            ),
            Mistake(_spacing(value, torch.float64), "that is float64's spacing; the parameters are float32"),
            Mistake(
                eps,
                "that is float32's eps, the spacing next to 1; below 1 the spacing shrinks by half per power of two",
            ),
            Mistake(
                eps * value,
                "ε·|v| is only the order of magnitude; the exact spacing is a power of two, set by the "
                "power-of-two interval [2^k, 2^(k+1)) that holds the value",
            ),
        ],
    )


@checker
def check_bad_loss(answer: object, seed: int = 0) -> Verdict:
    """the sum of (y_hat.reshape(-1) - y)**2, broadcast to (40, 40), y_hat the line x w + b at init_params(seed)."""
    X, y = original_data()
    y_hat = predict(X, *init_params(seed), activation="none")  # (40, 1): 02 has no ReLU yet
    n = X.shape[0]
    bad = (y_hat.reshape(-1) - y).pow(2).sum().item()
    return compare_number(
        answer,
        bad,
        name="your loss",
        n=n,
        mistakes=[
            Mistake(
                loss_value(y_hat, y).item(),
                "that is the correct loss, with y_hat a column; flatten it with "
                f"reshape(-1) so that y_hat − y broadcasts to ({n}, {n})",
            ),
            Mistake(bad / n**2, f"that is the mean over all {n * n:,} pairs; the exercise asks for the sum"),
            Mistake(
                ((0.175 * X + 0.4).reshape(-1) - y).pow(2).sum().item(),
                "that is the bug for the perfect prediction 0.175 x + 0.4; use the predictions at the seeded start",
            ),
        ],
    )


@checker
def check_w_numpy(answer: object, seed: int = 0) -> Verdict:
    """w of init_params(seed) as a numpy array of shape (1, 1), taken from a tensor that requires grad."""
    if isinstance(answer, torch.Tensor):
        raise Wrong("that is still a torch.Tensor: finish the chain with .numpy()")
    if not isinstance(answer, np.ndarray) or answer.ndim == 0:
        hint = (
            NONE_HINT
            if answer is None
            else ": .item() gives a Python number; keep the array with .numpy()"
            if isinstance(answer, (float, np.floating))
            else ""
        )
        raise Wrong(f"expected a numpy array of shape (1, 1), got {describe(answer)}{hint}")
    if not np.issubdtype(answer.dtype, np.floating):
        raise Wrong(f"your array has dtype {answer.dtype}; w is a float32 number")
    w, b = init_params(seed)
    return compare_tensor(
        torch.from_numpy(answer.copy()),
        w,
        name="your array",
        rtol=1e-6,
        shape_hints={
            (1,): "your array has shape (1,): keep w's own shape (1, 1); the chain needs no reshape",
        },
        mistakes=[Mistake(b, "that holds b; the exercise asks for w")],
    )
