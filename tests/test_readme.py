"""The README is the map: every notebook and every helpers module is on it, and its figures exist."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MODULES = sorted(p.name for p in (ROOT / "helpers").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_every_notebook_is_in_the_readme_and_the_series_index(name):
    assert f"`{name}`" in README
    assert f"`{name}`" in (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", MODULES)
def test_every_helpers_module_is_in_the_readme(name):
    assert f"`{name}`" in README


def test_readme_figures_exist_and_are_png():
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", README)
    assert len(images) >= 2
    for image in images:
        assert (ROOT / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image


def test_readme_gives_the_two_commands_first():
    assert README.index("make run") < README.index("## The notebooks")
    assert README.index("make test") < README.index("## The notebooks")


def test_both_indexes_say_the_same_of_each_notebook():
    """README.md's table and notebooks/README.md's describe each notebook in the same words: one text, two places
    a reader starts from, so that they cannot drift apart."""
    series = (ROOT / "notebooks" / "README.md").read_text(encoding="utf-8")
    here = dict(re.findall(r"^\| \[`(\d\d_\w+\.ipynb)`\]\(notebooks/\1\) \| (.*) \|$", README, re.M))
    there = dict(re.findall(r"^\| `(\d\d_\w+\.ipynb)` \| (.*) \|$", series, re.M))
    assert sorted(here) == sorted(there) == NOTEBOOKS
    assert here == there
