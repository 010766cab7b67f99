"""Each notebook's parameters, declared once: their types and ranges.

The notebook checks its own values right after its `parameters` cell,

    check_parameters("05_training", learning_rate=learning_rate, num_epochs=num_epochs, seed=seed,
                     activation=activation)

and the rerun CLI checks the same declarations before any kernel starts, so a learner who edits the
cell and a teacher who reruns with `-p` get the same one-line message.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from helpers.checks import ACTIVATIONS, MAX_SEED

MAX_UPDATES = 100_000  # about 4 s of the hand-written loop on the 40 points; the histories stay a few MB


@dataclass(frozen=True)
class Parameter:
    """one notebook parameter: its type (int, float or str) and the values it may take."""

    kind: type
    ok: Callable[[Any], bool]
    expected: str  # what ok accepts, for the message: "an int in [1, 100000]"


def _int(low: int, high: int) -> Parameter:
    return Parameter(int, lambda v: low <= v <= high, f"an int in [{low}, {high}]")


def _positive(high: float = math.inf) -> Parameter:
    bound = "" if high == math.inf else f" and <= {high:g}"
    return Parameter(float, lambda v: math.isfinite(v) and 0 < v <= high, f"a finite number > 0{bound}")


def _between(low: float, high: float) -> Parameter:
    return Parameter(float, lambda v: math.isfinite(v) and low <= v <= high, f"a number in [{low:g}, {high:g}]")


SEED = _int(0, MAX_SEED)
LR = _positive()
UPDATES = _int(1, MAX_UPDATES)
EPOCHS = _int(1, MAX_UPDATES + 1)  # the original's loop makes num_epochs - 1 updates
SIGMA = _between(1e-6, 10.0)  # noise: 01 and 10 are about it; below 1e-6 it drowns in the rounding of y
ACTIVATION = Parameter(str, lambda v: v in ACTIVATIONS, " or ".join(map(repr, ACTIVATIONS)))

# notebook (its file name without .ipynb) -> its parameters, in the order of its parameters cell
PARAMETERS: dict[str, dict[str, Parameter]] = {
    "01_data": {"seed": SEED, "sigma": SIGMA},
    "02_tensors": {"seed": SEED},
    "03_forward_pass": {"seed": SEED},
    "04_backprop": {"seed": SEED, "lr": LR},
    "05_training": {"learning_rate": LR, "num_epochs": EPOCHS, "seed": SEED, "activation": ACTIVATION},
    "06_visualization": {
        # lam_min = 22.79 and lam_max = 200.35 are the sum loss's Hessian eigenvalues on the original data.
        # slow: fast enough that by update 30 the error across the valley is below 1% of the error along it, as
        # the cell after the still asserts: from seed 0 that needs ((1 - lr lam_max) / (1 - lr lam_min))^30
        # < 0.01 * 0.1208 / 0.4735, i.e. lr >= 0.00099; slow enough that its loss stays clear of the float32 floor
        # (~1e-13) through update 149, where its slope is fitted: 1/2 lam_min c_min^2 (1 - lr lam_min)^298 =
        # 0.166 (1 - lr lam_min)^298 > 1e-10 needs lr <= 0.0033
        "seed": SEED, "lr_slow": _between(0.001, 0.003),
        # fast: overshoots every update (lr > 1/lam_max = 0.00499), zig-zags, and stays stable
        # (lr < 2/lam_max = 0.00998)
        "lr_fast": _between(0.005, 0.0099),
        # the checks read fixed stretches of the runs, up to the original's 149 updates: the slow slope over
        # updates 50 to 149, the late direction over 100 to 149
        "num_updates": _int(149, MAX_UPDATES),
    },
    # the sweep's 1.05e-2 grows the steep error by |1 - 0.0105 lam_max| = 1.1037 per update, its loss by 1.2181:
    # to pass BLOW_UP = 1e6 times its start takes at least log(1e6) / log(1.2181) = 70.03, so 71 updates, from any
    # start (more from a start with little steep error; the notebook computes that). 71 updates: num_epochs 72
    "07_learning_rate": {"seed": SEED, "num_epochs": _int(72, MAX_UPDATES + 1)},
    "08_pytorch_way": {
        # lr: the loops agree to 1e-12 because gradient descent contracts: below 2/lam_max = 0.0099824
        "seed": SEED, "lr": _positive(0.0099), "num_updates": UPDATES,
        # lr_minibatch: below the one-sample safe rate 1 / (x_max^2 + 1) = 0.09994, where no step stretches the error;
        # at least 0.01, so that the noise check's 4 ceil(1/lr) epochs of one-sample steps take seconds, not minutes
        "lr_minibatch": _between(0.01, 0.099), "num_epochs": _int(1, 10_000),
        "batch_seed": SEED,
    },
    "09_closed_form": {"seed": SEED, "lr": LR, "num_updates": UPDATES},
    "10_noise_and_generalization": {
        "sigma": SIGMA, "seed": SEED, "num_seeds": _int(2, 10_000), "num_points": _int(11, 1_000_000),
        "n_val": _int(1, 1_000_000), "x_seed": SEED,
    },
    "11_scaling_up": {
        "seed": SEED, "threads": _int(1, 256), "repeats": _int(1, 100), "largest_n": _int(1_000, 100_000_000),
    },
}  # fmt: skip

# 10: fewer training points than this make rare draws so ill-conditioned that the fit needs 10^5 updates and more
MIN_TRAIN = 10

# rules that tie parameters of one notebook together: a message if broken, else None
RULES: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    "10_noise_and_generalization": lambda p: (
        None
        if p["n_val"] <= p["num_points"] - MIN_TRAIN
        else f"n_val must leave at least {MIN_TRAIN} training points: "
        f"n_val <= num_points - {MIN_TRAIN} = {p['num_points'] - MIN_TRAIN}, "
        f"got n_val = {p['n_val']}"
    ),
}


def article(noun: str) -> str:
    """ "a float", "an int": a type's name as a message says it."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def short(value: Any, width: int = 80) -> str:
    """repr of value for a message, at most width characters, never building the repr of a huge structure."""
    shorter = reprlib.Repr()
    shorter.maxlevel, shorter.maxstring, shorter.maxother, shorter.maxlong = 3, width, width, width
    text = shorter.repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def check_value(notebook: str, name: str, value: Any) -> Any:
    """value if parameter name of notebook accepts it (an int becomes a float where one is expected).

    Raises TypeError or ValueError with one line naming the parameter, what it must be and what it got.
    """
    spec = PARAMETERS[notebook].get(name)
    if spec is None:
        raise ValueError(f"unknown parameter {name!r} for {notebook}; known: {', '.join(PARAMETERS[notebook])}")
    if spec.kind is float and type(value) is int:
        value = float(value)
    if type(value) is not spec.kind:
        raise TypeError(f"{name} must be {article(spec.kind.__name__)} ({spec.expected}), got {short(value)} "
                        f"({article(type(value).__name__)})")  # fmt: skip
    if not spec.ok(value):
        raise ValueError(f"{name} must be {spec.expected}, got {short(value)}")
    return value


def check_rules(notebook: str, values: Mapping[str, Any]) -> None:
    """the rules that tie notebook's parameters together (values: every parameter, each already checked)."""
    rule = RULES.get(notebook)
    message = rule(values) if rule is not None else None
    if message is not None:
        raise ValueError(message)


def check_parameters(notebook: str, **values: Any) -> None:
    """check every parameter of notebook ("05_training") as its parameters cell set it; one-line errors.

    Every declared parameter must be given, and nothing else.
    """
    if notebook not in PARAMETERS:
        raise ValueError(f"no parameters are declared for {notebook!r}; known: {', '.join(PARAMETERS)}")
    missing = [n for n in PARAMETERS[notebook] if n not in values]
    if missing:
        raise ValueError(f"{notebook} declares {', '.join(missing)}, which the call did not pass")
    checked = {name: check_value(notebook, name, v) for name, v in values.items()}
    check_rules(notebook, checked)
