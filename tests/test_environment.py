"""environment.yml (conda, Binder) and pyproject.toml (pip, make) must install the same packages."""

import os
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


# --- tools/torch_index.py: which torch build `make` installs (the Makefile's $(VENV)/.base) -------------------

import importlib.util  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402

import pytest  # noqa: E402

_spec = importlib.util.spec_from_file_location("torch_index", ROOT / "tools" / "torch_index.py")
torch_index = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(torch_index)

CPU_ARGS = ["--extra-index-url", "https://download.pytorch.org/whl/cpu"]


def _never(what: str):
    def called():
        raise AssertionError(f"{what} must not be consulted here")

    return called


def test_the_pin_it_reads_is_pyprojects():
    assert torch_index.torch_pin() == "2.13.0"


def test_a_linux_machine_without_cuda_gets_the_cpu_index_when_it_answers():
    args, line = torch_index.choose("2.13.0", [], "Linux", "x86_64", cuda=lambda: None, reach=lambda: None)
    assert args == CPU_ARGS
    assert line == "torch: CPU build from download.pytorch.org/whl/cpu (a 192 MB wheel; no CUDA driver here)"


def test_an_unreachable_index_leaves_pip_as_configured_and_says_why():
    args, line = torch_index.choose("2.13.0", [], "Linux", "x86_64", cuda=lambda: None,
                                    reach=lambda: "no answer within 4 s")  # fmt: skip
    assert args == []
    assert line.startswith("torch: the index at download.pytorch.org/whl/cpu cannot be reached (no answer within 4 s)")
    assert "using pip's own configuration" in line and "\n" not in line


def test_a_cuda_machine_gets_the_default_build_without_a_probe():
    args, line = torch_index.choose("2.13.0", [], "Linux", "x86_64", cuda=lambda: "/proc/driver/nvidia",
                                    reach=_never("the index"))  # fmt: skip
    assert args == [] and line.startswith("torch: CUDA machine (/proc/driver/nvidia), default build from PyPI")


@pytest.mark.parametrize("system, machine", [("Darwin", "arm64"), ("Windows", "AMD64"), ("Linux", "aarch64")])
def test_elsewhere_pypis_build_is_the_right_one(system, machine):
    args, line = torch_index.choose("2.13.0", [], system, machine, cuda=_never("CUDA"), reach=_never("the index"))
    assert args == []
    assert line == f"torch: {system} {machine}, PyPI's default build (it has no CUDA libraries to download)"


@pytest.mark.parametrize("as_url", [False, True])
def test_a_local_wheel_in_find_links_wins_without_probing(tmp_path, as_url):
    wheel = tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl"
    wheel.write_bytes(b"")
    (tmp_path / "torch-2.12.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")  # another version
    link = tmp_path.as_uri() if as_url else str(tmp_path)
    args, line = torch_index.choose("2.13.0", ["https://example.invalid/links", link], "Linux", "x86_64",
                                    cuda=_never("CUDA"), reach=_never("the index"))  # fmt: skip
    assert args == []
    assert line == f"torch: a local wheel is configured ({wheel.name} in {tmp_path}); using pip's own configuration"


def test_a_local_wheel_of_another_version_or_python_does_not_count(tmp_path):
    (tmp_path / "torch-2.12.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")
    (tmp_path / "torch-2.13.0+cpu-cp312-cp312-manylinux_2_28_x86_64.whl").write_bytes(b"")
    (tmp_path / "torch-2.13.01-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")
    assert torch_index.local_wheel([str(tmp_path), str(tmp_path / "missing")], "2.13.0", "cp311") is None
    args, _ = torch_index.choose("2.13.0", [str(tmp_path)], "Linux", "x86_64", cuda=lambda: None, reach=lambda: None)
    assert args == CPU_ARGS


def test_pips_find_links_are_read_from_its_configuration(tmp_path, monkeypatch):
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nfind-links = {tmp_path / 'a'}\n    {tmp_path / 'b'}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "c"))
    links = torch_index.pip_find_links()
    assert {str(tmp_path / n) for n in "abc"} <= set(links), links


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when this returns: a connection to it is refused


def test_a_refused_connection_is_reported_at_once():
    start = time.monotonic()
    why = torch_index.probe(f"http://127.0.0.1:{_closed_port()}/whl/cpu/torch/", timeout=3)
    assert time.monotonic() - start < 3
    assert why is not None and "refused" in why.lower(), why


def test_an_index_that_never_answers_costs_at_most_the_timeout():
    with socket.socket() as server:  # accepts connections (the kernel completes them) and never answers
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        start = time.monotonic()
        why = torch_index.probe(f"http://127.0.0.1:{server.getsockname()[1]}/whl/cpu/torch/", timeout=0.5)
        elapsed = time.monotonic() - start
    assert why is not None and 0.4 < elapsed < 1.5, (why, elapsed)


def test_an_index_that_answers_is_reachable(tmp_path):
    import http.server
    import threading

    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            assert torch_index.probe(f"http://127.0.0.1:{server.server_port}/", timeout=3) is None
            assert torch_index.probe(f"http://127.0.0.1:{server.server_port}/missing/", timeout=3) is not None
        finally:
            server.shutdown()


def test_the_script_prints_the_args_on_stdout_and_one_line_on_stderr(tmp_path):
    """as the Makefile runs it, here with only a local wheel configured: no probe, no arguments."""
    (tmp_path / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_FIND_LINKS": str(tmp_path)}
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "torch_index.py")], capture_output=True, text=True,
                          env=env, timeout=60)  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip() == ""
    assert done.stderr.splitlines() == [
        f"torch: a local wheel is configured (torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl in {tmp_path}); "
        "using pip's own configuration"
    ]


def test_the_makefile_installs_with_the_scripts_args():
    makefile = (ROOT / "Makefile").read_text()
    assert "torch_args=$$($(BIN)/python tools/torch_index.py || true);" in makefile  # it can never stop the install
    assert "pip install --quiet --disable-pip-version-check $$torch_args -e ." in makefile


def test_conda_takes_the_same_cpu_index():
    _, pip = _environment()
    assert f"--extra-index-url {torch_index.CPU_INDEX}" in pip


# --- pytest-timeout: the suite cannot hang -------------------------------------------------------------------

HANGS = """
import multiprocessing
import os
from pathlib import Path

import pytest


@pytest.fixture
def resource():
    yield
    Path(os.environ["TORN_DOWN"]).write_text("yes")


def test_a_sweep_whose_worker_died(resource):
    # what tests/test_rerun_cli.py met: a multiprocessing.Pool whose worker dies waits for its result forever
    with multiprocessing.get_context("fork").Pool(1) as pool:
        pool.apply_async(os._exit, (1,)).get()


def test_the_next_one():
    pass
"""


def test_the_suite_has_a_time_limit_per_test(pytestconfig):
    ini = _pyproject()["tool"]["pytest"]["ini_options"]
    assert ini["timeout"] == 120 and "timeout_method" not in ini  # signal where it exists: see pyproject.toml
    assert float(pytestconfig.getini("timeout")) == 120


def test_a_hung_test_fails_alone_and_its_worker_goes_on(tmp_path):
    """under xdist, as `make test` runs: the hung test fails with a timeout, its fixture tears down, the next test
    runs in the same worker (no crash, no replacement worker), and the run ends soon after the limit."""
    (tmp_path / "test_hangs.py").write_text(HANGS)
    env = os.environ | {"TORN_DOWN": str(tmp_path / "torn_down")}
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "1", "-p", "no:cacheprovider", "--timeout", "2", "test_hangs.py"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=90,
    )  # fmt: skip
    elapsed = time.monotonic() - start
    out = done.stdout + done.stderr
    assert done.returncode == 1 and "1 failed, 1 passed" in out, out[-3000:]
    assert "Timeout (>2.0s) from pytest-timeout" in out, out[-3000:]
    assert "crashed" not in out and "replacing" not in out, out[-3000:]
    assert (tmp_path / "torn_down").read_text() == "yes"
    assert elapsed < 60, elapsed


def test_make_test_portable_runs_nbval_with_the_portable_kernels_and_ci_runs_it_after_make_test():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\ntest-portable:", 1)[1].split("\n\n", 1)[0]
    assert "ATEN_CPU_CAPABILITY=default $(BIN)/python -m pytest" in recipe and "--nbval $(PORTABLE)" in recipe
    assert "--dist loadfile" in recipe  # tests/conftest.py (the groups) is not loaded for notebooks/ alone
    assert "-p no:cacheprovider" in recipe and "PORTABLE ?= notebooks" in makefile
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert ci.index("make test") < next(i for i, line in enumerate(ci) if line.startswith("make test-portable"))
    assert any("git status --porcelain" in line for line in ci)
