"""What every checker shares: the Verdict, the @checker decorator, and typical mistakes turned into hints.

A checker is a function decorated with @checker that returns compare_number / compare_count /
compare_tensor(answer, expected, ...) (which never raise), or raises Wrong("hint"). The decorator prints one line,
"✓ correct" or "✗ <hint>", returns the Verdict, and turns any exception into a ✗ line (a call with the wrong
arguments, such as one tuple for two answers, into a line that shows how to call it).
No message ever contains the expected value. Type and shape checks live in validate.py.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from helpers.exercises.validate import ANSWER, Wrong, as_count, as_number, as_tensor, call_hint

CORRECT = "correct"
PRINTED = 5e-4  # the default tolerance: an answer that agrees to the four significant digits a notebook prints
LOOSE = 1e-3  # relative tolerance for recognising a generic slip (factor 2, sign, ...)
NEAR = 1e-2  # within 1 % but outside the tolerance: "close", said the same way whether above or below


@dataclass(frozen=True)
class Verdict:
    """the outcome of one check: ok, and one line for the learner.  bool(verdict) is verdict.ok."""

    ok: bool
    message: str

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.message}"

    def _ipython_display_(self) -> None:
        """show nothing in a notebook: the checker has printed this verdict already."""


@dataclass(frozen=True)
class Mistake:
    """a typical wrong answer, computed by the checker, and the whole line to show a learner who gives it."""

    value: float | torch.Tensor
    hint: str


def checker(fn: Callable[..., Verdict]) -> Callable[..., Verdict]:
    """print the Verdict that fn returns on one line and return it; never raise, whatever the answer."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def check(*args: object, **kwargs: object) -> Verdict:
        try:
            hint = call_hint(fn.__name__, signature, args, kwargs)
            verdict = Verdict(False, hint) if hint else fn(*args, **kwargs)
        except Wrong as e:
            verdict = Verdict(False, str(e))
        except Exception as e:
            verdict = Verdict(
                False, f"could not check this ({type(e).__name__}): is it the type and shape the exercise asks for?"
            )
        print(verdict)
        return verdict

    return check


def _generic(e: torch.Tensor, name: str, n: int | None) -> list[Mistake]:
    """slips anyone can make, in any exercise: a sign, a factor of 2 or of n, a power of ten, a root."""
    if not bool(e.abs().gt(0).any()):
        return []
    out = [
        Mistake(-e, f"{name} has the wrong sign"),
        Mistake(2 * e, f"{name} is twice too large (off by a factor of 2)"),
        Mistake(e / 2, f"{name} is half of what it should be (off by a factor of 2)"),
    ]
    if n is not None and n > 2:
        out += [
            Mistake(n * e, f"{name} is n = {n} times too large: a sum where a mean belongs?"),
            Mistake(e / n, f"{name} is n = {n} times too small: a mean where a sum belongs?"),
        ]
    for k in (10, 100, 1000, 10000):
        out += [
            Mistake(k * e, f"{name} is {k:,} times too large: a slip in scaling or units?"),
            Mistake(e / k, f"{name} is {k:,} times too small: a slip in scaling or units?"),
        ]
    if bool((e > 0).all()) and not torch.allclose(e, torch.ones_like(e), rtol=0.05):
        out += [
            Mistake(e * e, f"{name} looks squared: is a square root missing?"),
            Mistake(e.sqrt(), f"{name} looks like a square root: one root too many?"),
        ]
    swapped = e.reshape(-1).flip(0).reshape(e.shape)
    if e.numel() == 2 and not torch.allclose(swapped, e):
        out.append(Mistake(swapped, f"{name} has its two entries the wrong way round"))
    if e.dim() == 2 and e.shape[0] == e.shape[1] > 1 and not torch.allclose(e, e.T):
        out.append(Mistake(e.T, f"{name} is transposed"))
    return out


def _matches(a: torch.Tensor, value: float | torch.Tensor, rtol: float, atol: float) -> bool:
    if isinstance(value, torch.Tensor):
        v = value.detach().cpu().double()
    else:
        v = torch.tensor(float(value), dtype=torch.float64)
    if v.numel() != a.numel() or not bool(torch.isfinite(v).all()):
        return False
    return bool(torch.allclose(a, v.reshape(a.shape), rtol=rtol, atol=atol))


def judge(
    a: torch.Tensor,
    e: torch.Tensor,
    *,
    name: str = ANSWER,
    rtol: float,
    atol: float,
    n: int | None = None,
    mistakes: Sequence[Mistake] = (),
    otherwise: str | None = None,
    near: bool = True,
) -> Verdict:
    """a (valid, float64) against e: correct, a named mistake, a generic slip, close, or just off."""
    if _matches(a, e, rtol, atol):
        return Verdict(True, CORRECT)
    for m in mistakes:  # the checker's own, at its own tolerance
        if _matches(a, m.value, rtol, atol):
            return Verdict(False, m.hint)
    for m in _generic(e, name, n):
        if _matches(a, m.value, LOOSE, atol):
            return Verdict(False, m.hint)
    if near and _matches(a, e, max(NEAR, 10 * rtol), atol):
        return Verdict(
            False,
            f"close, but not within this check's tolerance (relative {rtol:g}): "
            "float32 arithmetic, or a rounded value along the way?",
        )
    # No "too large" or "too small": a direction for an arbitrary number would let a learner bisect to the answer.
    if e.numel() == 1:
        detail = f"{name} is not a slip this check recognises"
    else:
        off = int((~torch.isclose(a, e, rtol=rtol, atol=atol)).sum())
        detail = f"{off} of the {e.numel()} entries of {name} {'is' if off == 1 else 'are'} off"
    return Verdict(False, f"not quite: {detail}" + (f". {otherwise}" if otherwise else ""))


def compare_number(
    answer: object,
    expected: float,
    *,
    name: str = ANSWER,
    rtol: float = PRINTED,
    atol: float = 0.0,
    n: int | None = None,
    mistakes: Sequence[Mistake] = (),
    otherwise: str | None = None,
    nan_hint: str | None = None,
) -> Verdict:
    """check a float answer against expected (never shown), naming the mistake if it is a known one."""
    try:
        a = torch.tensor(as_number(answer, name, nan_hint), dtype=torch.float64)
    except Wrong as e:
        return Verdict(False, str(e))
    want = torch.tensor(float(expected), dtype=torch.float64)
    return judge(a, want, name=name, rtol=rtol, atol=atol, n=n, mistakes=mistakes, otherwise=otherwise)


def compare_count(
    answer: object,
    expected: int,
    *,
    name: str = ANSWER,
    mistakes: Sequence[Mistake] = (),
    off_by_one: str = "count the first and the last step once each",
) -> Verdict:
    """check an int answer exactly; one off is named as such."""
    try:
        a, e = float(as_count(answer, name)), float(expected)
    except Wrong as err:
        return Verdict(False, str(err))
    ones = [
        Mistake(e - 1, f"{name} is off by one (one too few): {off_by_one}"),
        Mistake(e + 1, f"{name} is off by one (one too many): {off_by_one}"),
    ]
    return judge(
        torch.tensor(a, dtype=torch.float64),
        torch.tensor(e, dtype=torch.float64),
        name=name,
        rtol=0.0,
        atol=0.0,
        mistakes=[*mistakes, *ones],
        near=False,
    )


def compare_tensor(
    answer: object,
    expected: torch.Tensor,
    *,
    name: str = ANSWER,
    rtol: float = 1e-6,
    atol: float = 0.0,
    dtype: torch.dtype | None = None,
    n: int | None = None,
    mistakes: Sequence[Mistake] = (),
    shape_hints: dict[tuple[int, ...], str] | None = None,
    otherwise: str | None = None,
    nan_hint: str | None = None,
) -> Verdict:
    """check a tensor answer: type, shape, dtype, NaN, then values (expected is never shown)."""
    try:
        a = as_tensor(answer, tuple(expected.shape), name, dtype, shape_hints, nan_hint)
    except Wrong as e:
        return Verdict(False, str(e))
    return judge(
        a,
        expected.detach().cpu().double(),
        name=name,
        rtol=rtol,
        atol=atol,
        n=n,
        mistakes=mistakes,
        otherwise=otherwise,
    )
