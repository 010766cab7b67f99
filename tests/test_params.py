"""helpers.params: command-line parameters read as papermill reads them, then checked. No kernels here.

A stand-in notebook with a `parameters` cell (written to tmp_path) keeps these tests independent of
the series' notebooks; test_rerun_cli.py runs the real 05_training.ipynb.
"""

import math

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from papermill.cli import _resolve_type

from helpers.params import UNKNOWN, ParameterError, check, collect, defaults, folder_name, parse_sweep, parse_value

CELL = """learning_rate = 0.001  # step size
num_epochs = 150  # num_epochs - 1 updates
seed = 0  # seeds w and b
activation = "relu"  # relu or none
label = "run"  # any string
verbose = False  # a flag
scale = make_scale()  # not a literal: its type is unknown
"""
KNOWN = ["learning_rate", "num_epochs", "seed", "activation", "label", "verbose", "scale"]


def _notebook(tmp_path, source=CELL, name="nb.ipynb"):
    nb = new_notebook(cells=[new_code_cell(source, metadata={"tags": ["parameters"]}), new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("text", ["True", "False", "None", "0", "-3", "150", "0.009", "1e-3", "-0.5", "inf", "nan",
                                  "relu", "1,2", "0x10", " 7 ", "1_000", "__import__('os').getcwd()"])
def test_parse_value_follows_papermill_cli(text):
    ours, theirs = parse_value(text), _resolve_type(text)
    assert type(ours) is type(theirs)
    assert ours == theirs or (isinstance(ours, float) and math.isnan(ours) and math.isnan(theirs))


def test_parse_value_never_evaluates():
    assert parse_value("__import__('os').getcwd()") == "__import__('os').getcwd()"
    assert parse_value("[1, 2]") == "[1, 2]"  # a string, not a list


def test_defaults_reads_the_parameters_cell_without_eval(tmp_path):
    known, unread = defaults(_notebook(tmp_path))
    assert list(known) == KNOWN and unread == []
    assert known["learning_rate"] == 0.001 and known["num_epochs"] == 150 and known["activation"] == "relu"
    assert known["scale"] is UNKNOWN  # make_scale() is not called


def test_defaults_names_the_lines_papermill_skips(tmp_path):
    nb = _notebook(tmp_path, 'seed = 0  # a seed\nactivation = "relu"  # relu(x w) with min=0\n')
    known, unread = defaults(nb)
    assert list(known) == ["seed"] and unread == ["2"]
    with pytest.raises(ParameterError, match=r"known: seed \(papermill skipped line 2 of its parameters cell"):
        collect(nb, p=[("activation", "none")])


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("learning_rate", 0.009, 0.009),
        ("learning_rate", 1, 1.0),  # an int where a float is expected becomes a float
        ("num_epochs", 3, 3),
        ("seed", 0, 0),
        ("activation", "none", "none"),
        ("label", "anything at all", "anything at all"),
        ("verbose", True, True),
        ("scale", [1, 2], [1, 2]),  # unknown type: papermill would pass it on
    ],
)
def test_check_accepts(tmp_path, name, value, expected):
    known, _ = defaults(_notebook(tmp_path))
    got = check(name, value, known, "nb.ipynb")
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("lr", 0.1, "unknown parameter 'lr' for nb.ipynb; known: " + ", ".join(KNOWN)),
        ("learning_rate", "abc", "learning_rate must be a float like its default 0.001, got 'abc' (a str)"),
        ("learning_rate", True, "learning_rate must be a float like its default 0.001, got True (a bool)"),
        ("learning_rate", 0.0, "learning_rate must be a finite number > 0, got 0.0"),
        ("learning_rate", -0.1, "learning_rate must be a finite number > 0, got -0.1"),
        ("learning_rate", math.inf, "learning_rate must be a finite number > 0, got inf"),
        ("learning_rate", math.nan, "learning_rate must be a finite number > 0, got nan"),
        ("num_epochs", 10.0, "num_epochs must be an int like its default 150, got 10.0 (a float)"),
        ("num_epochs", -5, "num_epochs must be an int >= 1, got -5"),
        ("num_epochs", 0, "num_epochs must be an int >= 1, got 0"),
        ("seed", -1, "seed must be an int in [0, 2**64), got -1"),
        ("seed", 2**64, f"seed must be an int in [0, 2**64), got {2**64}"),
        ("seed", False, "seed must be an int like its default 0, got False (a bool)"),
        ("activation", "tanh", "activation must be one of 'relu', 'none', got 'tanh'"),
        ("activation", None, "activation must be a str like its default 'relu', got None (a NoneType)"),
        ("verbose", 1, "verbose must be a bool like its default False, got 1 (an int)"),
    ],
)
def test_check_rejects_with_one_line(tmp_path, name, value, message):
    known, _ = defaults(_notebook(tmp_path))
    with pytest.raises(ParameterError) as e:
        check(name, value, known, "nb.ipynb")
    assert str(e.value) == message


def test_collect_precedence_is_papermills_file_yaml_p_r(tmp_path):
    nb = _notebook(tmp_path)
    f = tmp_path / "p.yaml"
    f.write_text("learning_rate: 0.002\nseed: 1\nlabel: from-file\nnum_epochs: 20\n")
    fixed, grid = collect(nb, p=[("seed", "2"), ("label", "from-p")], r=[("label", "from-r")],
                          yaml_text=["{seed: 3, learning_rate: 0.003}"], yaml_files=[str(f)])
    assert fixed == {"learning_rate": 0.003, "seed": 2, "label": "from-r", "num_epochs": 20} and grid == {}
    assert type(fixed["learning_rate"]) is float


def test_collect_sweep_grid_is_checked_and_ordered(tmp_path):
    fixed, grid = collect(_notebook(tmp_path), p=[("num_epochs", "5")],
                          sweeps=["learning_rate=1e-3, 0.009,1", "activation=relu,none"])
    assert fixed == {"num_epochs": 5}
    assert grid == {"learning_rate": [0.001, 0.009, 1.0], "activation": ["relu", "none"]}
    assert all(type(v) is float for v in grid["learning_rate"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(sweeps=["learning_rate"]), "--sweep takes NAME=V1,V2,..., got 'learning_rate'"),
        (dict(sweeps=["learning_rate="]), "--sweep takes NAME=V1,V2,..., got 'learning_rate='"),
        (dict(sweeps=["seed=1,2,1"]), "--sweep seed: a value is repeated in '1,2,1'"),
        (dict(sweeps=["seed=1,-2"]), "seed must be an int in [0, 2**64), got -2"),
        (dict(sweeps=["seed=1", "seed=2"]), "seed is given twice"),
        (dict(p=[("seed", "1")], sweeps=["seed=2"]), "seed is given twice"),
        (dict(sweeps=["lr=0.1"]), "unknown parameter 'lr' for nb.ipynb"),
        (dict(yaml_text=["[1, 2]"]), "-y '[1, 2]' must be a YAML mapping of NAME: VALUE, got list"),
        (dict(yaml_text=["{a: "]), "-y '{a: ' is not valid YAML"),
        (dict(yaml_text=["learning_rate: 1e-3"]), "in YAML write 1.0e-3"),  # YAML 1.1 reads 1e-3 as a string
        (dict(yaml_text=["learning_rate: !!python/object/apply:os.getcwd []"]), "is not valid YAML"),  # safe_load
        (dict(r=[("seed", "1")]), "seed must be an int like its default 0, got '1' (a str)"),
        (dict(yaml_files=["/no/such/file.yaml"]), "cannot read parameters file /no/such/file.yaml"),
    ],
)
def test_collect_rejects(tmp_path, kwargs, message):
    with pytest.raises(ParameterError) as e:
        collect(_notebook(tmp_path), **kwargs)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_collect_rejects_a_missing_or_broken_notebook(tmp_path):
    with pytest.raises(ParameterError, match="no such notebook"):
        collect(tmp_path / "missing.ipynb")
    (tmp_path / "broken.ipynb").write_text("not json")
    with pytest.raises(ParameterError, match="cannot read broken.ipynb"):
        collect(tmp_path / "broken.ipynb")


def test_folder_names_are_safe_and_distinct():
    assert folder_name({"learning_rate": 1e-4, "activation": "relu"}) == "learning_rate=0.0001,activation=relu"
    assert folder_name({"learning_rate": 0.0105, "seed": 2}) == "learning_rate=0.0105,seed=2"
    assert folder_name({"label": "../../etc x"}) == "label=.._.._etc_x"
    assert folder_name({}) == "defaults"
    lrs = [1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 3e-3, 5e-3, 7e-3, 8e-3, 9e-3, 9.5e-3, 1.05e-2]
    assert len({folder_name({"learning_rate": v}) for v in lrs}) == len(lrs)


def test_a_none_default_keeps_its_range_check_and_never_crashes(tmp_path):
    """with a None default the type is free, but the range still holds: "abc" is no learning rate."""
    known, _ = defaults(_notebook(tmp_path, "learning_rate = None\nseed = None\n"))
    with pytest.raises(ParameterError) as e:
        check("learning_rate", "abc", known, "nb.ipynb")
    assert str(e.value) == "learning_rate must be a finite number > 0, got 'abc'"
    with pytest.raises(ParameterError, match=r"seed must be an int in \[0, 2\*\*64\), got \[1\]"):
        check("seed", [1], known, "nb.ipynb")
    assert check("learning_rate", None, known, "nb.ipynb") is None  # the notebook's own default
    assert check("learning_rate", 0.01, known, "nb.ipynb") == 0.01
