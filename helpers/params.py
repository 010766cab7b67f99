"""Notebook parameters from the command line, read as papermill's CLI reads them, then checked.

    -p NAME VALUE   "True"/"False"/"None", an int, a float, else the string (papermill's rules)
    -r NAME VALUE   the raw string
    -y YAML, -f FILE   a YAML mapping (yaml.safe_load)
    --sweep NAME=V1,V2,...   a list of -p style values

Every value is checked against the notebook's `parameters` cell (papermill.inspect_notebook) before
any kernel starts: the name must exist, the type must match the default's, and the value must be in
range. Nothing is ever passed to eval; defaults are read with ast.literal_eval.
"""

from __future__ import annotations

import ast
import logging
import logging.handlers
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Callable

from .checks import ACTIVATIONS

UNKNOWN = object()  # a default that is not a Python literal: any value is accepted
RANGES: dict[str, tuple[Callable[[Any], bool], str]] = {
    "learning_rate": (lambda v: math.isfinite(v) and v > 0, "a finite number > 0"),
    "num_epochs": (lambda v: v >= 1, "an int >= 1"),
    "seed": (lambda v: 0 <= v < 2**64, "an int in [0, 2**64)"),  # what torch.Generator.manual_seed takes
    "activation": (lambda v: v in ACTIVATIONS, f"one of {', '.join(map(repr, ACTIVATIONS))}"),
}


class ParameterError(ValueError):
    """a parameter that the notebook would not accept; the message is one line."""


def parse_value(text: str) -> Any:
    """a -p value as papermill's CLI reads it: True, False, None, an int, a float, else the string."""
    if text in (constants := {"True": True, "False": False, "None": None}):
        return constants[text]
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_sweep(text: str) -> tuple[str, list[Any]]:
    """"NAME=V1,V2,..." -> (NAME, [values]), each value read by parse_value."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip() or not values.strip():
        raise ParameterError(f"--sweep takes NAME=V1,V2,..., got {text!r}")
    parsed = [parse_value(v.strip()) for v in values.split(",")]
    if len({repr(v) for v in parsed}) < len(parsed):
        raise ParameterError(f"--sweep {name.strip()}: a value is repeated in {values!r}")
    return name.strip(), parsed


def read_yaml(text: str, origin: str) -> dict[str, Any]:
    """a YAML mapping of parameters (safe_load: plain data only)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ParameterError(f"{origin} is not valid YAML: {' '.join(str(e).split())}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ParameterError(f"{origin} must be a YAML mapping of NAME: VALUE, got {type(data).__name__}")
    return data


def defaults(notebook: str | Path) -> tuple[dict[str, Any], list[str]]:
    """the notebook's parameters -> default values (UNKNOWN if not a literal), and the lines papermill skipped."""
    import papermill

    path = Path(notebook)
    if not path.is_file():
        raise ParameterError(f"no such notebook: {notebook}")
    log = logging.getLogger("papermill.translators")  # it warns about each line it cannot read
    catch, propagate = logging.handlers.BufferingHandler(1000), log.propagate
    log.addHandler(catch)
    log.propagate = False
    try:
        found = papermill.inspect_notebook(str(path))
    except Exception as e:  # not JSON, not a notebook
        raise ParameterError(f"cannot read {path.name}: {type(e).__name__}: {e}".splitlines()[0]) from None
    finally:
        log.removeHandler(catch)
        log.propagate = propagate
    unread = [m.group(1) for r in catch.buffer if (m := re.match(r"Unable to parse line (\d+)", r.getMessage()))]
    return {name: _literal(p["default"]) for name, p in found.items()}, unread


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return UNKNOWN


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def check(name: str, value: Any, known: dict[str, Any], notebook: str, unread: Sequence[str] = ()) -> Any:
    """value for parameter name if the notebook accepts it (an int becomes a float where one is expected)."""
    if name not in known:
        names = ", ".join(known) or "none"
        lines = f"line{'s' * (len(unread) > 1)} {', '.join(unread)}"
        note = f" (papermill skipped {lines} of its parameters cell: more than one '=')" if unread else ""
        raise ParameterError(f"unknown parameter {name!r} for {notebook}; known: {names}{note}")
    default = known[name]
    if default is not UNKNOWN and default is not None:
        want = type(default)
        if want is float and type(value) is int:
            value = float(value)
        if type(value) is not want:
            hint = ""
            if isinstance(value, str) and not isinstance(parse_value(value), str):
                hint = "; -r and YAML keep it a string (use -p; in YAML write 1.0e-3, not 1e-3)"
            got = _a(type(value).__name__)
            raise ParameterError(
                f"{name} must be {_a(want.__name__)} like its default {default!r}, got {value!r} ({got}){hint}")
    if name in RANGES and default is not UNKNOWN and not (value is None and default is None):
        ok, expected = RANGES[name]
        try:
            fine = bool(ok(value))
        except TypeError:  # ok cannot even compare it: a str where the default is None, say
            fine = False
        if not fine:
            raise ParameterError(f"{name} must be {expected}, got {value!r}")
    return value


def collect(
    notebook: str | Path, p: Iterable[tuple[str, str]] = (), r: Iterable[tuple[str, str]] = (),
    yaml_text: Iterable[str] = (), yaml_files: Iterable[str] = (), sweeps: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """checked (fixed parameters, sweep grid); later sources win as in papermill: -f, -y, -p, -r."""
    name = Path(notebook).name
    known, unread = defaults(notebook)
    given: dict[str, Any] = {}
    for f in yaml_files:
        try:
            text = Path(f).read_text(encoding="utf-8")
        except OSError as e:
            raise ParameterError(f"cannot read parameters file {f}: {e.strerror}") from None
        given.update(read_yaml(text, f"parameters file {f}"))
    for text in yaml_text:
        given.update(read_yaml(text, f"-y {text!r}"))
    given.update((k, parse_value(v)) for k, v in p)
    given.update(r)
    fixed = {k: check(k, v, known, name, unread) for k, v in given.items()}
    grid: dict[str, list[Any]] = {}
    for text in sweeps:
        key, values = parse_sweep(text)
        if key in grid or key in fixed:
            raise ParameterError(f"{key} is given twice: a swept name cannot be swept again or set by -p/-r/-y/-f")
        grid[key] = [check(key, v, known, name, unread) for v in values]
    return fixed, grid


def folder_name(values: dict[str, Any]) -> str:
    """a filesystem-safe folder name for one run, e.g. "learning_rate=0.001,activation=relu"."""
    text = ",".join(f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
    return re.sub(r"[^\w.=,+-]", "_", text) or "defaults"
