"""environment.yml (conda, Binder) and pyproject.toml (pip, make) must install the same packages."""

import re
import sys
import tomllib
from pathlib import Path

import yaml  # PyYAML comes with papermill

ROOT = Path(__file__).resolve().parent.parent


def _name(req: str) -> str:
    return re.split(r"[=<>!~\[; ]", req, maxsplit=1)[0].lower().replace("_", "-")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment() -> tuple[list[str], list[str]]:
    """(conda dependencies, pip requirements) of environment.yml."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [r for d in env["dependencies"] if isinstance(d, dict) for r in d["pip"]]
    return conda, pip


def test_environment_names_python_311_and_only_pip_from_conda():
    conda, _ = _environment()
    assert conda == ["python=3.11", "pip"], conda


def test_environment_pins_exactly_what_pyproject_pins():
    _, pip = _environment()
    reqs = [r for r in pip if not r.startswith("-")]  # options such as --extra-index-url and "-e ." aside
    assert sorted(reqs) == sorted(_pyproject()["project"]["dependencies"])


def test_environment_installs_the_helpers_package_itself():
    _, pip = _environment()
    assert "-e ." in pip


def test_every_dependency_is_pinned_and_torch_is_2_13_0():
    deps = _pyproject()["project"]["dependencies"] + _pyproject()["project"]["optional-dependencies"]["test"]
    unpinned = [d for d in deps if "==" not in d]
    assert not unpinned, f"unpinned: {unpinned}"
    assert "torch==2.13.0" in deps
    assert len({_name(d) for d in deps}) == len(deps), "a package is named twice"


def test_running_python_is_the_one_pyproject_asks_for():
    assert sys.version_info[:2] == (3, 11)
    assert _pyproject()["project"]["requires-python"] == ">=3.11,<3.12"
