"""helpers.tools.params: command-line parameters read as papermill reads them, then checked. No kernels here.

A stand-in notebook with a `parameters` cell (written to tmp_path) keeps these tests independent of
the series' notebooks; test_rerun_cli.py runs the real 05_training.ipynb. Named nb.ipynb it has no entry
in helpers.parameters (only the defaults' types are checked); named 05_training.ipynb it gets 05's
declared types and ranges.
"""

import math

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from papermill.cli import _resolve_type

from helpers.checks import MAX_SEED
from helpers.parameters import MAX_UPDATES
from helpers.tools.params import (
    UNKNOWN,
    ParameterError,
    check,
    collect,
    defaults,
    folder_name,
    parse_value,
)

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


@pytest.mark.parametrize(
    "text",
    [
        "True",
        "False",
        "None",
        "0",
        "-3",
        "150",
        "0.009",
        "1e-3",
        "-0.5",
        "inf",
        "nan",
        "relu",
        "1,2",
        "0x10",
        " 7 ",
        "1_000",
        "__import__('os').getcwd()",
    ],
)
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
        ("num_epochs", 10.0, "num_epochs must be an int like its default 150, got 10.0 (a float)"),
        ("seed", False, "seed must be an int like its default 0, got False (a bool)"),
        ("activation", None, "activation must be a str like its default 'relu', got None (a NoneType)"),
        ("verbose", 1, "verbose must be a bool like its default False, got 1 (an int)"),
    ],
)
def test_an_undeclared_notebook_checks_the_defaults_types(tmp_path, name, value, message):
    known, _ = defaults(_notebook(tmp_path))
    with pytest.raises(ParameterError) as e:
        check(name, value, known, "nb.ipynb")
    assert str(e.value) == message
    assert check("num_epochs", 10**9, known, "nb.ipynb") == 10**9  # no entry in helpers.parameters: no ranges


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("lr", 0.1, "unknown parameter 'lr' for 05_training.ipynb; known: " + ", ".join(KNOWN)),
        ("learning_rate", "abc", "learning_rate must be a float (a finite number > 0), got 'abc' (a str)"),
        ("learning_rate", True, "learning_rate must be a float (a finite number > 0), got True (a bool)"),
        ("learning_rate", 0.0, "learning_rate must be a finite number > 0, got 0.0"),
        ("learning_rate", -0.1, "learning_rate must be a finite number > 0, got -0.1"),
        ("learning_rate", math.inf, "learning_rate must be a finite number > 0, got inf"),
        ("learning_rate", math.nan, "learning_rate must be a finite number > 0, got nan"),
        ("learning_rate", None, "learning_rate must be a float (a finite number > 0), got None (a NoneType)"),
        pytest.param(
            "learning_rate",
            [1] * 10**5,
            "learning_rate must be a float (a finite number > 0), got [1, 1, 1, 1",
            id="learning_rate-huge-list",
        ),
        ("num_epochs", 10.0, f"num_epochs must be an int (an int in [1, {MAX_UPDATES + 1}]), got 10.0 (a float)"),
        ("num_epochs", -5, f"num_epochs must be an int in [1, {MAX_UPDATES + 1}], got -5"),
        ("num_epochs", 0, f"num_epochs must be an int in [1, {MAX_UPDATES + 1}], got 0"),
        ("num_epochs", 10**9, f"num_epochs must be an int in [1, {MAX_UPDATES + 1}], got 1000000000"),
        ("seed", -1, f"seed must be an int in [0, {MAX_SEED}], got -1"),
        ("seed", 2**64, f"seed must be an int in [0, {MAX_SEED}], got {2**64}"),
        ("seed", False, f"seed must be an int (an int in [0, {MAX_SEED}]), got False (a bool)"),
        ("activation", "tanh", "activation must be 'relu' or 'none', got 'tanh'"),
        pytest.param(
            "activation", "x" * 10**5, "activation must be 'relu' or 'none', got 'xxxxxxxxxx", id="activation-huge-str"
        ),
    ],
)
def test_a_declared_notebook_checks_types_and_ranges_in_one_line(tmp_path, name, value, message):
    known, _ = defaults(_notebook(tmp_path, name="05_training.ipynb"))
    with pytest.raises(ParameterError) as e:
        check(name, value, known, "05_training.ipynb")
    assert str(e.value).startswith(message) and "\n" not in str(e.value) and len(str(e.value)) < 300


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("learning_rate", 1, 1.0),
        ("num_epochs", MAX_UPDATES + 1, MAX_UPDATES + 1),
        ("seed", 2**64 - 1, 2**64 - 1),
        ("activation", "none", "none"),
        ("label", "free", "free"),
        ("scale", [1], [1]),
    ],
)
def test_a_declared_notebook_accepts(tmp_path, name, value, expected):
    """declared names get their declared check; names only in the cell (label, scale) their default's type."""
    known, _ = defaults(_notebook(tmp_path, name="05_training.ipynb"))
    got = check(name, value, known, "05_training.ipynb")
    assert got == expected and type(got) is type(expected)


def test_collect_precedence_is_papermills_file_yaml_p_r(tmp_path):
    nb = _notebook(tmp_path)
    f = tmp_path / "p.yaml"
    f.write_text("learning_rate: 0.002\nseed: 1\nlabel: from-file\nnum_epochs: 20\n")
    fixed, grid = collect(
        nb,
        p=[("seed", "2"), ("label", "from-p")],
        r=[("label", "from-r")],
        yaml_text=["{seed: 3, learning_rate: 0.003}"],
        yaml_files=[str(f)],
    )
    assert fixed == {"learning_rate": 0.003, "seed": 2, "label": "from-r", "num_epochs": 20} and grid == {}
    assert type(fixed["learning_rate"]) is float


def test_collect_sweep_grid_is_checked_and_ordered(tmp_path):
    fixed, grid = collect(
        _notebook(tmp_path), p=[("num_epochs", "5")], sweeps=["learning_rate=1e-3, 0.009,1", "activation=relu,none"]
    )
    assert fixed == {"num_epochs": 5}
    assert grid == {"learning_rate": [0.001, 0.009, 1.0], "activation": ["relu", "none"]}
    assert all(type(v) is float for v in grid["learning_rate"])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(sweeps=["learning_rate"]), "--sweep takes NAME=V1,V2,..., got 'learning_rate'"),
        (dict(sweeps=["learning_rate="]), "--sweep takes NAME=V1,V2,..., got 'learning_rate='"),
        (dict(sweeps=["seed=1,2,1"]), "--sweep seed: 1 and 1 are the same value (1) for the notebook"),
        (dict(sweeps=["learning_rate=1,2,1.0"]), "--sweep learning_rate: 1 and 1.0 are the same value (1.0)"),
        (dict(sweeps=["learning_rate=1e-3,0.001"]), "--sweep learning_rate: 1e-3 and 0.001 are the same value"),
        (dict(sweeps=["seed=1,-2"]), f"seed must be an int in [0, {MAX_SEED}], got -2"),
        (dict(sweeps=["num_epochs=2,1000000000"]), f"num_epochs must be an int in [1, {MAX_UPDATES + 1}], got 10"),
        (dict(yaml_text=["a: &x 1\nseed: *x"]), "anchors and aliases (&name, *name) are not allowed"),
        pytest.param(
            dict(yaml_text=["seed: 1\nlabel: " + "x" * (64 * 1024)]), "is larger than 64 KiB", id="yaml-64KiB"
        ),
        (dict(sweeps=["seed=1", "seed=2"]), "seed is given twice"),
        (dict(p=[("seed", "1")], sweeps=["seed=2"]), "seed is given twice"),
        (dict(sweeps=["lr=0.1"]), "unknown parameter 'lr' for 05_training.ipynb"),
        (dict(yaml_text=["[1, 2]"]), "-y '[1, 2]' must be a YAML mapping of NAME: VALUE, got list"),
        (dict(yaml_text=["{a: "]), "-y '{a: ' is not valid YAML"),
        (dict(yaml_text=["learning_rate: 1e-3"]), "in YAML write 1.0e-3"),  # YAML 1.1 reads 1e-3 as a string
        (dict(yaml_text=["learning_rate: !!python/object/apply:os.getcwd []"]), "is not valid YAML"),  # safe_load
        (dict(r=[("seed", "1")]), f"seed must be an int (an int in [0, {MAX_SEED}]), got '1' (a str); -r and YAML"),
        (dict(yaml_files=["/no/such/file.yaml"]), "cannot read parameters file /no/such/file.yaml"),
    ],
)
def test_collect_rejects(tmp_path, kwargs, message):
    with pytest.raises(ParameterError) as e:
        collect(_notebook(tmp_path, name="05_training.ipynb"), **kwargs)
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


def test_a_none_default_is_free_where_undeclared_and_checked_where_declared(tmp_path):
    known, _ = defaults(_notebook(tmp_path, "learning_rate = None\nseed = None\n"))
    assert check("learning_rate", "abc", known, "nb.ipynb") == "abc"  # no type to compare with, no declaration
    known, _ = defaults(_notebook(tmp_path, "learning_rate = None\nseed = None\n", name="05_training.ipynb"))
    with pytest.raises(ParameterError, match=r"learning_rate must be a float \(a finite number > 0\), got 'abc'"):
        check("learning_rate", "abc", known, "05_training.ipynb")
    assert check("learning_rate", 0.01, known, "05_training.ipynb") == 0.01


RULES_CELL = "sigma = 0.05\nseed = 0\nnum_seeds = 200\nnum_points = 200\nn_val = 100\nx_seed = 1\n"


@pytest.mark.parametrize(
    "kwargs, bad",
    [
        (dict(p=[("n_val", "191")]), "got n_val = 191"),  # with the default num_points = 200
        (dict(p=[("num_points", "50")]), "got n_val = 100"),  # the default n_val breaks the rule now
        (dict(p=[("num_points", "20")], sweeps=["n_val=5,10,11"]), "got n_val = 11 (in the run with n_val=11)"),
        (dict(sweeps=["num_points=200,20", "n_val=5,11"]), "got n_val = 11 (in the run with num_points=20, n_val=11)"),
        (dict(p=[("num_points", "20"), ("n_val", "10")]), None),
        (dict(sweeps=["num_points=20,30", "n_val=5,10"]), None),
    ],
)
def test_rules_are_checked_for_every_run_with_the_defaults_filled_in(tmp_path, kwargs, bad):
    nb = _notebook(tmp_path, RULES_CELL, name="10_noise_and_generalization.ipynb")
    if bad is None:
        collect(nb, **kwargs)
        return
    with pytest.raises(ParameterError) as e:
        collect(nb, **kwargs)
    assert "n_val must leave at least 10 training points" in str(e.value) and bad in str(e.value)
