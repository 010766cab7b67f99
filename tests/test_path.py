"""The learner's path (issue 11), checked on the committed notebooks.

- each notebook imports only the helpers names that it or an earlier notebook introduces, as the table
  "Introduced in" in notebooks/README.md says, and each name in the table is used where it is introduced;
- the words Hessian and eigenvalue do not appear in 01-04 (curvature is taught once, in 05);
- each notebook fits one class session: at most 2,200 words of prose, the series at most 20,000;
- each key number is stated in the prose of one notebook only, the one that derives it;
- each exercise (its checker) is set in one notebook only.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
README = ROOT / "notebooks" / "README.md"
WORDS_PER_NOTEBOOK = 2200
WORDS_IN_ALL = 20000
FIRST_FOUR = [nb for nb in NOTEBOOKS if nb.name[:2] in {"01", "02", "03", "04"}]
# each derived once, in one notebook's prose; later notebooks link back, or compute the value with a helper
KEY_NUMBERS = ("22.79", "200.35", "0.0099824", "0.0089628", "0.97721", "0.006484", "8.79")


def _cells(nb: Path) -> list[dict]:
    return json.loads(nb.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def _markdown(nb: Path) -> list[str]:
    return [_source(c) for c in _cells(nb) if c["cell_type"] == "markdown"]


def words(markdown: str) -> int:
    """the words of one markdown cell, each $$...$$ or $...$ formula counting as one word."""
    text = re.sub(r"\$\$.+?\$\$", " FORMULA ", markdown, flags=re.S)
    text = re.sub(r"\$[^$]+\$", " FORMULA ", text)
    return len(text.split())


def _python(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _imported(nb: Path) -> set[str]:
    """the helpers names a notebook imports: `train` from helpers, `helpers.further.scaling.scaling` else."""
    names: set[str] = set()
    for cell in _cells(nb):
        if cell["cell_type"] != "code":
            continue
        for node in ast.walk(ast.parse(_python(_source(cell)))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("helpers"):
                if node.module.startswith("helpers.exercises"):
                    continue
                for alias in node.names:
                    names.add(alias.name if node.module == "helpers" else f"{node.module}.{alias.name}")
    return names


def _introduced() -> dict[str, int]:
    """name -> the number of the notebook that introduces it, from the README's table."""
    text = README.read_text(encoding="utf-8")
    table = text.split("## Introduced in", 1)[1]
    found: dict[str, int] = {}
    for line in table.splitlines():
        m = re.match(r"\|\s*`(\d\d)_\w+`\s*\|(.*)\|\s*$", line)
        if not m:
            continue
        for name in re.findall(r"`([\w.]+)`", m.group(2)):
            assert name not in found, f"{name} is introduced twice in the table"
            found[name] = int(m.group(1))
    return found


def test_the_table_covers_every_notebook():
    assert set(_introduced().values()) == {int(nb.name[:2]) for nb in NOTEBOOKS}


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_uses_only_what_it_or_an_earlier_one_introduced(nb):
    table, here = _introduced(), int(nb.name[:2])
    used = _imported(nb)
    unknown = sorted(n for n in used if n not in table)
    later = sorted(f"{n} (introduced in {table[n]:02d})" for n in used if n in table and table[n] > here)
    assert unknown == [], f"{nb.name} imports names the README's table does not list"
    assert later == [], f"{nb.name} uses names before the notebook that introduces them"


def test_each_name_is_used_in_the_notebook_that_introduces_it():
    by_number = {int(nb.name[:2]): _imported(nb) for nb in NOTEBOOKS}
    idle = sorted(f"{n} ({k:02d})" for n, k in _introduced().items() if n not in by_number.get(k, set()))
    assert idle == [], "introduced in the table, but not used by that notebook"


@pytest.mark.parametrize("nb", FIRST_FOUR, ids=lambda p: p.stem)
def test_no_hessian_or_eigenvalue_before_training(nb):
    text = json.dumps(_cells(nb)).lower()  # sources and outputs alike
    for word in ("hessian", "eigenvalue", "eigenvector"):
        assert word not in text, f"{nb.name} mentions {word}: curvature is taught in 05"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_fits_one_class_session(nb):
    count = sum(words(md) for md in _markdown(nb))
    assert count <= WORDS_PER_NOTEBOOK, f"{nb.name}: {count} words of prose > {WORDS_PER_NOTEBOOK}"


def test_the_series_fits_its_budget():
    count = sum(words(md) for nb in NOTEBOOKS for md in _markdown(nb))
    assert count <= WORDS_IN_ALL, f"{count} words of prose in all > {WORDS_IN_ALL}"


def test_the_word_count_counts_a_formula_as_one_word():
    assert words("the limit $2/\\lambda_{\\max}$ holds") == 4
    assert words("$$\nL = \\sum_i r_i^2\n$$ and $a + b$") == 3
    assert words("") == 0


@pytest.mark.parametrize("number", KEY_NUMBERS)
def test_each_key_number_is_stated_in_one_notebook(number):
    pattern = re.compile(rf"(?<![\d.]){re.escape(number)}")
    stating = [nb.name for nb in NOTEBOOKS if any(pattern.search(md) for md in _markdown(nb))]
    assert len(stating) <= 1, f"{number} is stated in the prose of {stating}: derive it once, link back elsewhere"


def test_each_exercise_is_set_once():
    setting: dict[str, list[str]] = {}
    for nb in NOTEBOOKS:
        for cell in _cells(nb):
            if cell["cell_type"] != "code":
                continue
            for node in ast.walk(ast.parse(_python(_source(cell)))):
                if isinstance(node, ast.ImportFrom) and node.module == "helpers.exercises":
                    for alias in node.names:
                        setting.setdefault(alias.name, []).append(nb.name)
    twice = {name: nbs for name, nbs in setting.items() if len(set(nbs)) > 1}
    assert twice == {}, "a checker is used by more than one notebook"
