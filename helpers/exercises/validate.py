"""Is the answer even the right kind of thing? A float, an int, a tensor of a shape, finite; else a clear Wrong.

Each as_* returns the answer in a form judge() can compare, or raises Wrong with one line that says what was
expected and what came instead ("expected a float (a number), got str"), never a traceback. call_hint does
the same for the call itself: one tuple passed to a checker of two answers, say.
"""

from __future__ import annotations

import inspect
import math
import numbers

import torch

ANSWER = "your answer"  # the default name of what is checked
NONE_HINT = ": did a function forget to return its result?"


class Wrong(Exception):
    """raise inside a checker to reject an answer with a hint; @checker turns it into a Verdict."""


def describe(x: object) -> str:
    """how to name what the learner passed: None, str, a torch.Tensor of shape (40, 1), ..."""
    shape = getattr(x, "shape", None)
    if shape is not None and not isinstance(x, numbers.Number):
        return f"a {type(x).__module__.split('.')[0]}.{type(x).__name__} of shape {tuple(shape)}"
    return "None" if x is None else type(x).__name__


def _for(name: str) -> str:
    return "" if name == ANSWER else f" for {name}"


def _finite(t: torch.Tensor, name: str, nan_hint: str | None) -> torch.Tensor:
    if not bool(torch.isfinite(t).all()):
        raise Wrong(
            f"{name} {'is' if t.numel() == 1 else 'contains'} NaN or inf"
            f"{nan_hint or ': a division by zero, or a run that diverged?'}"
        )
    return t


def as_number(answer: object, name: str = ANSWER, nan_hint: str | None = None) -> float:
    """answer as a finite float, or Wrong saying what it is instead (a tensor, a str, None, ...)."""
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        return _finite(torch.tensor(float(answer), dtype=torch.float64), name, nan_hint).item()
    hint = NONE_HINT if answer is None else ": write the number without quotes" if isinstance(answer, str) else ""
    shape = getattr(answer, "shape", None)
    if shape is not None and math.prod(shape) == 1:
        hint = ": use .item() to get the number out of a one-element tensor"
    raise Wrong(f"expected a float (a number){_for(name)}, got {describe(answer)}{hint}")


def as_count(answer: object, name: str = ANSWER) -> int:
    """answer as an int >= 0, or Wrong (a float count, even 150.0, is a slip worth naming)."""
    if isinstance(answer, numbers.Integral) and not isinstance(answer, bool):
        if answer < 0:
            raise Wrong(f"{name} is negative, and a count never is")
        return int(answer)
    if isinstance(answer, numbers.Real) and not isinstance(answer, bool):
        whole = math.isfinite(answer) and float(answer).is_integer()
        hint = (
            ": convert it with int(...)"
            if whole
            else (" with a fractional part: round on purpose, up or down, with math.ceil or math.floor")
        )
        raise Wrong(f"expected an int (a whole number){_for(name)}, got a float{hint}")
    hint = NONE_HINT if answer is None else ""
    shape = getattr(answer, "shape", None)
    if shape is not None and math.prod(shape) == 1:
        hint = ": use .item() to get the number out of a one-element tensor"
    raise Wrong(f"expected an int (a whole number){_for(name)}, got {describe(answer)}{hint}")


def as_tensor(
    answer: object,
    shape: tuple[int, ...],
    name: str = ANSWER,
    dtype: torch.dtype | None = None,
    shape_hints: dict[tuple[int, ...], str] | None = None,
    nan_hint: str | None = None,
) -> torch.Tensor:
    """answer as a finite float64 CPU tensor of the given shape (and dtype, if given), or Wrong."""
    if not isinstance(answer, torch.Tensor):
        hint = (
            NONE_HINT
            if answer is None
            else ": build it with torch.tensor(...)"
            if isinstance(answer, (list, tuple))
            else ": convert it with torch.from_numpy(...)"
            if type(answer).__module__ == "numpy"
            else ""
        )
        raise Wrong(f"expected a torch.Tensor of shape {shape}{_for(name)}, got {describe(answer)}{hint}")
    if not answer.is_floating_point():
        raise Wrong(f"{name} has dtype {answer.dtype}; expected a floating dtype such as torch.float64")
    got = tuple(answer.shape)
    if got != shape:
        if shape_hints and got in shape_hints:
            raise Wrong(shape_hints[got])
        if got == shape[::-1]:
            raise Wrong(f"{name} has shape {got}, the transpose of the expected {shape}: use .T")
        if answer.numel() == math.prod(shape):
            raise Wrong(
                f"{name} has shape {got}, expected {shape}: the right number of entries, in the wrong "
                f"shape; use .reshape{shape}"
            )
        raise Wrong(f"{name} has shape {got}, expected {shape}")
    if dtype is not None and answer.dtype != dtype:
        raise Wrong(
            f"{name} is {answer.dtype}, expected {dtype}: make it with dtype={dtype} (or .double() for float64)"
        )
    return _finite(answer.detach().cpu().double(), name, nan_hint)


def call_hint(name: str, signature: inspect.Signature, args: tuple, kwargs: dict) -> str:
    """how to call checker name if args and kwargs do not fit its signature ("" if they do): check_x(dw, db)."""
    answers = [p.name for p in signature.parameters.values() if p.default is p.empty]  # what the learner passes
    count = {1: "one answer", 2: "two answers", 3: "three answers"}.get(len(answers), f"{len(answers)} answers")
    usage = f"this checker takes {count}: {name}({', '.join(answers)})"
    packed = args[0] if args and isinstance(args[0], (tuple, list)) else None
    if len(answers) > 1 and packed is not None and len(packed) == len(answers):
        return f"{usage}, not one {type(packed).__name__} of them"
    try:
        signature.bind(*args, **kwargs)
    except TypeError:
        return usage
    return ""
