"""helpers.results: a run's summary survives the trip through a notebook's JSON output (no kernel needed)."""

from __future__ import annotations

import dataclasses
import json
import math
import re

import nbformat
import pytest
import torch

from helpers import init_params, publish, summarize, train
from helpers.results import KEYS, MIME, RESULTS_TAG
from helpers.tools.results import read_results


def output(results=None, text="w: 0.17", as_string=False):
    """a display_data output as publish() leaves it in an executed notebook."""
    data = {"text/plain": text}
    if results is not None:
        data[MIME] = json.dumps(results) if as_string else results
    return {"output_type": "display_data", "data": data, "metadata": {}}


def write_notebook(path, *cells):
    """cells: (tags, outputs) pairs -> an nbformat v4 notebook at path, validated as nbformat writes it."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("# a training notebook"))
    for i, (tags, outputs) in enumerate(cells, start=1):
        cell = nbformat.v4.new_code_cell("publish(summarize(history, X, y))", execution_count=i)
        cell.metadata["tags"] = list(tags)
        cell.outputs = [nbformat.from_dict(o) for o in outputs]
        nb.cells.append(cell)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def summary(data):
    X, y = data
    h = train(X, y, *init_params(0), lr=0.001, num_updates=149)
    return summarize(h, X, y, seed=0, activation="relu")


def test_summarize_values(data, summary):
    X, y = data
    h = train(X, y, *init_params(0), lr=0.001, num_updates=149)
    assert summary["seed"] == 0 and summary["activation"] == "relu"  # parameters copied in as given
    assert set(KEYS) <= set(summary)
    # numbers rounded to 10 significant digits: within half a unit in the 10th digit (5e-10 relative)
    assert math.isclose(summary["w"], h.w.item(), rel_tol=5e-10) and summary["w"] == float(f"{h.w.item():.10g}")
    assert math.isclose(summary["b"], h.b.item(), rel_tol=5e-10)
    assert math.isclose(summary["final_loss"], h.final_loss, rel_tol=5e-10)
    assert (summary["updates"], summary["learning_rate"], summary["status"]) == (149, 0.001, "not_converged")
    # the closed form on exact data is (0.175, 0.4) to 1e-12, and 10 digits keep that
    assert (summary["w_star"], summary["b_star"]) == (0.175, 0.4)
    # distance to it: hypot of the gaps, 4 significant digits (FACTS-style 3.2e-3, see test_training)
    assert summary["distance"] == float(f"{math.hypot(h.w.item() - 0.175, h.b.item() - 0.4):.4g}")
    assert (summary["stopped_at"], summary["dead_at"], summary["message"]) == (None, None, h.message)
    json.dumps(summary, allow_nan=False)  # valid JSON: no NaN or inf anywhere


def test_non_finite_values_become_none(data, summary):
    X, y = data
    h = train(X, y, *init_params(0), lr=0.001, num_updates=3)
    nan, inf = torch.full((1, 1), math.nan), torch.full((1, 1), math.inf)
    broken = dataclasses.replace(h, w=nan, b=inf, final_loss=-math.inf)
    s = summarize(broken, X, y)
    assert (s["w"], s["b"], s["final_loss"], s["distance"]) == (None, None, None, None)
    assert (s["w_star"], s["b_star"]) == (0.175, 0.4)  # the closed form does not depend on the run
    json.dumps(s, allow_nan=False)


def test_summarize_without_a_unique_line():
    # every x equal: no closed form, so w_star, b_star and distance are None, not garbage
    X = torch.full((10, 1), 0.7, dtype=torch.float64)
    h = train(X, 2 * X, *init_params(0), lr=0.001, num_updates=2, activation="none")
    s = summarize(h, X, 2 * X)
    assert (s["w_star"], s["b_star"], s["distance"]) == (None, None, None)
    assert s["w"] == float(f"{h.w.item():.10g}")


@pytest.mark.parametrize("as_string", [False, True])
def test_read_results_round_trip(tmp_path, summary, as_string):
    # exact: JSON keeps every float's repr, None and strings, so the dict comes back unchanged
    published = output(summary, as_string=as_string)
    path = write_notebook(tmp_path / "05.ipynb", ([], []), ([RESULTS_TAG, "hide-input"], [published]))
    assert read_results(path) == summary
    assert read_results(str(path)) == summary


def test_read_results_skips_outputs_without_json(tmp_path, summary):
    # a stream or text-only output before the JSON one is passed over
    stream = {"output_type": "stream", "name": "stdout", "text": "update   25   loss 5.5481e-02\n"}
    path = write_notebook(tmp_path / "nb.ipynb", ([RESULTS_TAG], [stream, output(None), output(summary)]))
    assert read_results(path) == summary


def error_pattern(path, text):
    return re.escape(str(path)) + ".*" + text


def test_read_results_missing_tag(tmp_path, summary):
    path = write_notebook(tmp_path / "untagged.ipynb", (["other"], [output(summary)]))
    with pytest.raises(ValueError, match=error_pattern(path, r"expected one cell tagged 'results', found 0")):
        read_results(path)


def test_read_results_two_tagged_cells(tmp_path, summary):
    tagged = ([RESULTS_TAG], [output(summary)])
    path = write_notebook(tmp_path / "twice.ipynb", tagged, tagged)
    with pytest.raises(ValueError, match=error_pattern(path, r"expected one cell tagged 'results', found 2")):
        read_results(path)


ERROR = {"output_type": "error", "ename": "DivergenceError", "evalue": "diverged", "traceback": []}


@pytest.mark.parametrize(
    "outputs",
    [
        [],  # the run stopped before the cell: no outputs at all
        [output(None)],  # text only
    ],
)
def test_read_results_no_json_output(tmp_path, outputs):
    path = write_notebook(tmp_path / "stopped.ipynb", ([RESULTS_TAG], outputs))
    with pytest.raises(ValueError, match=error_pattern(path, r"has no application/json output; did the notebook run")):
        read_results(path)


def test_read_results_missing_keys(tmp_path, summary):
    partial = {k: v for k, v in summary.items() if k not in ("w", "status")}
    path = write_notebook(tmp_path / "partial.ipynb", ([RESULTS_TAG], [output(partial)]))
    with pytest.raises(ValueError, match=error_pattern(path, r"the results output lacks w, status$")):
        read_results(path)


def test_publish_displays_json_and_text(monkeypatch):
    # publish hands IPython one raw bundle: the dict itself under application/json, and aligned text
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj, raw=False: shown.append((obj, raw)))
    publish({"w": 0.1727911532, "status": "converged", "stopped_at": None})
    assert len(shown) == 1
    bundle, raw = shown[0]
    assert raw is True
    assert bundle[MIME] == {"w": 0.1727911532, "status": "converged", "stopped_at": None}
    assert bundle["text/plain"] == "            w: 0.172791\n       status: converged\n   stopped_at: None"


def test_summarize_rejects_bad_data_instead_of_reporting_no_line(data):
    """closed_form's ValueError means "no unique line" only for good data: bad data must not hide behind it."""
    X, y = data
    h = train(X, y, *init_params(0), lr=0.001, num_updates=3)
    with pytest.raises(ValueError, match=r"y must have 40 rows to match X, got 39"):
        summarize(h, X, y[:39])
    with pytest.raises(ValueError, match=r"X must be finite, got 1 NaN"):
        summarize(h, X.clone().index_fill_(0, torch.tensor([5]), float("nan")), y)
    with pytest.raises(TypeError, match=r"history must be a helpers\.History .*got dict"):
        summarize({"w": h.w}, X, y)
    assert summarize(h, X, y)["w_star"] == pytest.approx(0.175, abs=1e-12)  # the noise-free data: the truth


def test_a_failure_anywhere_is_reported_even_after_the_results(tmp_path, summary):
    """the results cell ran, then a later cell failed: the run failed, and read_results says so."""
    path = write_notebook(tmp_path / "late.ipynb", ([RESULTS_TAG], [output(summary)]), ([], [ERROR]))
    with pytest.raises(
        ValueError,
        match=error_pattern(
            path,
            r"its execution failed: cell 2 raised DivergenceError: "
            r"diverged",
        ),
    ):
        read_results(path)
    path = write_notebook(tmp_path / "in_cell.ipynb", ([RESULTS_TAG], [output(summary), ERROR]))
    with pytest.raises(ValueError, match="its execution failed: cell 1 raised DivergenceError"):
        read_results(path)


def test_papermills_error_marks_are_a_failure(tmp_path, summary):
    path = write_notebook(tmp_path / "marked.ipynb", ([RESULTS_TAG], [output(summary)]), ([], []))
    nb = nbformat.read(path, as_version=4)
    nb.cells[2].metadata["papermill"] = {"exception": True, "status": "failed"}
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="cell 2 raised an exception \\(papermill marked it\\)"):
        read_results(path)
    nb.cells[2].metadata["papermill"] = {"exception": False}
    nb.metadata["papermill"] = {"exception": True}
    nbformat.write(nb, path)
    with pytest.raises(ValueError, match="papermill recorded an exception"):
        read_results(path)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("w", "abc", "results['w'] must be a number or null, got 'abc' (str)"),
        ("b", [0.4], "results['b'] must be a number or null, got [0.4] (list)"),
        ("final_loss", True, "results['final_loss'] must be a number or null, got True (bool)"),
        ("learning_rate", None, "results['learning_rate'] must be a number, got None (NoneType)"),
        ("updates", 1.5, "results['updates'] must be an int >= 0, got 1.5"),
        ("updates", -1, "results['updates'] must be an int >= 0, got -1"),
        ("status", "fine", "must be one of converged, not_converged, diverged, dead_relu, got 'fine'"),
        ("status", "x" * 10**6, "got 'xxxxxxxx"),
    ],
)
def test_read_results_checks_the_types_it_returns(tmp_path, summary, key, value, message):
    path = write_notebook(tmp_path / "typed.ipynb", ([RESULTS_TAG], [output({**summary, key: value})]))
    with pytest.raises(ValueError) as e:
        read_results(path)
    assert str(e.value).startswith(f"{path}: ") and message in str(e.value) and len(str(e.value)) < 300


def test_read_results_returns_the_promised_types(tmp_path, summary):
    path = write_notebook(
        tmp_path / "ints.ipynb", ([RESULTS_TAG], [output({**summary, "w": 0, "learning_rate": 1, "final_loss": None})])
    )
    res = read_results(path)
    assert (res["w"], res["learning_rate"], res["final_loss"]) == (0.0, 1.0, None)
    assert type(res["w"]) is float and type(res["learning_rate"]) is float and type(res["updates"]) is int


def test_read_results_never_returns_a_stale_result(tmp_path, summary):
    """two notebooks of one file name in two folders, then one rewritten in place: each read is of the file as it is."""
    first, second = tmp_path / "a" / "05_training.ipynb", tmp_path / "b" / "05_training.ipynb"
    first.parent.mkdir()
    second.parent.mkdir()
    write_notebook(first, ([RESULTS_TAG], [output({**summary, "seed": 1, "w": 0.1})]))
    write_notebook(second, ([RESULTS_TAG], [output({**summary, "seed": 2, "w": 0.2})]))
    assert (read_results(first)["seed"], read_results(first)["w"]) == (1, 0.1)
    assert (read_results(second)["seed"], read_results(second)["w"]) == (2, 0.2)
    write_notebook(first, ([RESULTS_TAG], [output({**summary, "seed": 3, "w": 0.3})]))  # a new run, same path
    assert (read_results(first)["seed"], read_results(first)["w"]) == (3, 0.3)
    write_notebook(first, ([RESULTS_TAG], []))  # a later run that stopped before its results
    with pytest.raises(ValueError, match="has no application/json output"):
        read_results(first)
    nb = nbformat.read(second, as_version=4)  # the notebook a run returns is read as given, not from the path
    nb.cells[1].outputs[0]["data"][MIME]["seed"] = 4
    assert read_results(second, nb)["seed"] == 4 and read_results(second)["seed"] == 2


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"cells": []}', b"\xff\xfe"])
def test_read_results_on_a_broken_file_is_one_line(tmp_path, content):
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=error_pattern(path, "")) as e:
        read_results(path)
    assert "\n" not in str(e.value)


def test_every_status_has_its_words_for_a_learner():
    from helpers.results import STATUS_WORDS, STATUSES

    assert list(STATUS_WORDS) == list(STATUSES)
    assert all(words and "_" not in words for words in STATUS_WORDS.values())
