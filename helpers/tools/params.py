"""Notebook parameters from the command line, read as papermill's CLI reads them, then checked.

    -p NAME VALUE   "True"/"False"/"None", an int, a float, else the string (papermill's rules)
    -r NAME VALUE   the raw string
    -y YAML, -f FILE   a YAML mapping of plain data: at most 64 KiB, UTF-8, no anchors or aliases
    --sweep NAME=V1,V2,...   a list of -p style values, none equal to another once read

Every value is checked before any kernel starts. The names come from the notebook's `parameters` cell
(papermill.inspect_notebook); a notebook declared in helpers.parameters gets its declared types and ranges
and its rules across parameters (checked for every combination of a sweep, the notebook's defaults filling
in the rest), any other notebook the type of each default. Nothing is ever passed to eval; defaults are
read with ast.literal_eval.
"""

from __future__ import annotations

import ast
import itertools
import logging
import logging.handlers
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from helpers import parameters as declared
from helpers.parameters import article, short

UNKNOWN = object()  # a default that is not a Python literal: any value is accepted
MAX_YAML = 64 * 1024  # bytes of YAML per -y or -f: parameters are a few lines
SCALARS = (bool, int, float, str, type(None))


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
    """ "NAME=V1,V2,..." -> (NAME, [values]), each value read by parse_value (duplicates: see collect)."""
    name, sep, values = text.partition("=")
    if not sep or not name.strip() or not values.strip():
        raise ParameterError(f"--sweep takes NAME=V1,V2,..., got {short(text)}")
    return name.strip(), [parse_value(v.strip()) for v in values.split(",")]


def _no_aliases_loader() -> type:
    """yaml.SafeLoader that refuses anchors and aliases (&a, *a, <<: *a): 300 bytes of them can expand to gigabytes."""
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise yaml.composer.ComposerError(
                    None, None, "anchors and aliases (&name, *name) are not allowed", event.start_mark
                )
            return super().compose_node(parent, index)

    return Loader


def read_yaml(text: str, origin: str) -> dict[str, Any]:
    """a YAML mapping of parameters: plain data only (safe), at most MAX_YAML bytes, no anchors or aliases."""
    import yaml

    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML:
        raise ParameterError(f"{origin} is larger than {MAX_YAML // 1024} KiB: parameters are a few lines")
    try:
        data = yaml.load(text, Loader=_no_aliases_loader())
    except yaml.YAMLError as e:
        raise ParameterError(f"{origin} is not valid YAML: {short(' '.join(str(e).split()), 160)[1:-1]}") from None
    except RecursionError:
        raise ParameterError(f"{origin} is nested too deeply") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ParameterError(f"{origin} must be a YAML mapping of NAME: VALUE, got {type(data).__name__}")
    for key, value in data.items():
        if not isinstance(value, SCALARS):
            raise ParameterError(
                f"{origin}: {short(key)} must be a single value, got {short(value)} ({type(value).__name__})"
            )
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


def _hint(value: Any) -> str:
    if isinstance(value, str) and not isinstance(parse_value(value), str):
        return "; -r and YAML keep it a string (use -p; in YAML write 1.0e-3, not 1e-3)"
    return ""


def check(name: str, value: Any, known: dict[str, Any], notebook: str, unread: Sequence[str] = ()) -> Any:
    """value for parameter name if the notebook accepts it (an int becomes a float where one is expected).

    notebook: its file name. The name must be in the notebook's parameters cell (known: name -> default); a
    notebook declared in helpers.parameters checks its declared type and range, any other the default's type.
    """
    if name not in known:
        names = ", ".join(known) or "none"
        lines = f"line{'s' * (len(unread) > 1)} {', '.join(unread)}"
        note = f" (papermill skipped {lines} of its parameters cell: more than one '=')" if unread else ""
        raise ParameterError(f"unknown parameter {short(name)} for {notebook}; known: {names}{note}")
    spec = declared.PARAMETERS.get(Path(notebook).stem, {}).get(name)
    if spec is not None:
        try:
            return declared.check_value(Path(notebook).stem, name, value)
        except (TypeError, ValueError) as e:  # one line, every value in it shortened
            raise ParameterError(f"{e}{_hint(value)}") from None
    default = known[name]
    if default is not UNKNOWN and default is not None:
        want = type(default)
        if want is float and type(value) is int:
            value = float(value)
        if type(value) is not want:
            got = article(type(value).__name__)
            raise ParameterError(
                f"{name} must be {article(want.__name__)} like its default {short(default)}, "
                f"got {short(value)} ({got}){_hint(value)}"
            )
    return value


def check_rules(notebook: str, known: dict[str, Any], fixed: dict[str, Any], grid: dict[str, list[Any]]) -> None:
    """the rules of helpers.parameters.RULES that tie the notebook's parameters together, for every run.

    Each run's values are the notebook's defaults, then fixed, then its combination of grid; a rule whose
    parameters have no literal default is skipped (the notebook checks it itself).
    """
    stem = Path(notebook).stem
    if stem not in declared.RULES:
        return
    names = list(grid)
    for combo in itertools.product(*grid.values()):
        values = {**known, **fixed, **dict(zip(names, combo))}
        if any(v is UNKNOWN for v in values.values()):
            return
        try:
            declared.check_rules(stem, values)
        except (KeyError, TypeError):  # a parameter the rule needs is missing from the notebook's cell
            return
        except ValueError as e:
            run = f" (in the run with {', '.join(f'{k}={v!r}' for k, v in zip(names, combo))})" if names else ""
            raise ParameterError(f"{e}{run}") from None


def collect(
    notebook: str | Path,
    p: Iterable[tuple[str, str]] = (),
    r: Iterable[tuple[str, str]] = (),
    yaml_text: Iterable[str] = (),
    yaml_files: Iterable[str] = (),
    sweeps: Iterable[str] = (),
) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """checked (fixed parameters, sweep grid); later sources win as in papermill: -f, -y, -p, -r."""
    name = Path(notebook).name
    known, unread = defaults(notebook)
    given: dict[str, Any] = {}
    for f in yaml_files:
        given.update(read_yaml(read_text(f), f"parameters file {f}"))
    for text in yaml_text:
        given.update(read_yaml(text, f"-y {short(text, 40)}"))
    given.update((k, parse_value(v)) for k, v in p)
    given.update(r)
    fixed = {k: check(k, v, known, name, unread) for k, v in given.items()}
    grid: dict[str, list[Any]] = {}
    for text in sweeps:
        key, values = parse_sweep(text)
        if key in grid or key in fixed:
            raise ParameterError(f"{key} is given twice: a swept name cannot be swept again or set by -p/-r/-y/-f")
        grid[key] = [check(key, v, known, name, unread) for v in values]
        seen: dict[str, Any] = {}
        texts = [v.strip() for v in text.partition("=")[2].split(",")]
        for raw, value in zip(texts, grid[key]):  # compared as the notebook reads them: 1 and 1.0 are one rate
            if repr(value) in seen:
                raise ParameterError(
                    f"--sweep {key}: {short(seen[repr(value)], 30)[1:-1]} and {short(raw, 30)[1:-1]} "
                    f"are the same value ({short(value)}) for the notebook: each run must differ"
                )
            seen[repr(value)] = raw
    check_rules(name, known, fixed, grid)
    return fixed, grid


def read_text(path: str | Path, limit: int = MAX_YAML) -> str:
    """a parameters file as text: at most limit bytes of UTF-8, else a ParameterError in one line."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise ParameterError(f"cannot read parameters file {path}: {e.strerror or type(e).__name__}") from None
    if len(data) > limit:
        raise ParameterError(f"parameters file {path} is larger than {limit // 1024} KiB: parameters are a few lines")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ParameterError(
            f"parameters file {path} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})"
        ) from None


def folder_name(values: dict[str, Any]) -> str:
    """a filesystem-safe folder name for one run, e.g. "learning_rate=0.001,activation=relu"."""
    text = ",".join(f"{k}={v!r}" if isinstance(v, float) else f"{k}={v}" for k, v in values.items())
    return re.sub(r"[^\w.=,+-]", "_", text) or "defaults"
