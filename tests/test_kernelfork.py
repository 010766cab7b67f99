"""Kernels forked from one warm process (helpers.tools.kernelfork) behave as fresh ones; only their start is cheaper.

The suite runs every kernel through the fork server that tests/conftest.py starts; these tests compare a forked kernel
with a cold one started by the same provisioner (no server: the plain launch), and check interrupts, exit statuses,
the refusals that make a kernel start cold, and that a kernel dies with the manager that asked for it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import psutil
from conftest import FORK_PROVISIONER, FORK_SOCKET, INLINE
from jupyter_client.manager import KernelManager

from helpers.tools import kernelfork

ROOT = Path(__file__).resolve().parent.parent

# what a kernel reports of itself: everything a notebook could see of how it was started
PORTRAIT = """
import json, os, signal, sys
import matplotlib.pyplot as plt, numpy, torch
print(json.dumps({
    "executable": sys.executable, "argv": [sys.argv[0], sys.argv[1]], "path": sys.path, "cwd": os.getcwd(),
    "own_session": os.getsid(0) == os.getpid(), "signals": [str(signal.getsignal(s)) for s in
        (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)],
    "env": sorted(k for k in os.environ if k not in ("JPY_PARENT_PID",)), "backend": plt.get_backend(),
    "seed": torch.initial_seed(), "threads": torch.get_num_threads(), "draw": numpy.random.rand(),
    "names": sorted(k for k in globals() if not k.startswith("_")),
}))
"""


def _manager(tmp_path: Path) -> KernelManager:
    """a kernel manager on IPC sockets in a folder of its own: no TCP port that another process could take first."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    return KernelManager(kernel_name="python3", transport="ipc", ip=str(folder / "ipc"))


def _kernel(monkeypatch, tmp_path: Path, socket_path: str | None = None) -> KernelManager:
    """a started kernel; from the suite's fork server unless socket_path names another (missing: it starts cold)."""
    if socket_path is not None:
        monkeypatch.setenv(FORK_SOCKET, socket_path)
    km = _manager(tmp_path)
    km.start_kernel(cwd=str(ROOT / "notebooks"))
    return km


def _run(km: KernelManager, code: str, timeout: float = 60) -> tuple[list[dict], dict]:
    """(iopub messages with output, the execute reply) for code run in km's kernel."""
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        outputs: list[dict] = []
        reply = kc.execute_interactive(code, timeout=timeout, output_hook=outputs.append)
        return [m for m in outputs if m["msg_type"] in ("stream", "display_data", "error")], reply
    finally:
        kc.stop_channels()


def _portrait(km: KernelManager) -> dict:
    outputs, reply = _run(km, PORTRAIT + "plt.plot([0, 1]); plt.show()")
    assert reply["content"]["status"] == "ok", outputs
    text = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream")
    figures = [m for m in outputs if m["msg_type"] == "display_data" and "image/png" in m["content"]["data"]]
    return {**json.loads(text), "figures": len(figures)}


def test_the_suite_and_the_package_agree_on_the_names():
    assert (FORK_SOCKET, FORK_PROVISIONER, INLINE) == (kernelfork.SOCKET_VAR, kernelfork.NAME, kernelfork.INLINE)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    plugins = project["entry-points"]["jupyter_client.kernel_provisioners"]
    assert plugins == {kernelfork.NAME: "helpers.tools.kernelfork:ForkedProvisioner"}


def test_a_forked_kernel_sees_what_a_cold_one_sees(monkeypatch, tmp_path):
    forked = _kernel(monkeypatch, tmp_path)
    try:
        assert psutil.Process(forked.provisioner.pid).ppid() != os.getpid()  # the server's child, not ours
        warm = _portrait(forked)
    finally:
        forked.shutdown_kernel(now=True)
    cold_km = _kernel(monkeypatch, tmp_path, str(tmp_path / "no-server"))
    try:
        assert psutil.Process(cold_km.provisioner.pid).ppid() == os.getpid()  # a plain launch
        cold = _portrait(cold_km)
    finally:
        cold_km.shutdown_kernel(now=True)
    for fresh in ("draw", "seed"):  # numpy's and torch's global generators: fresh entropy in each kernel
        assert warm.pop(fresh) != cold.pop(fresh)
    differ = {k: (warm.get(k), cold.get(k)) for k in warm.keys() | cold.keys() if warm.get(k) != cold.get(k)}
    if "env" in differ:  # only the names either kernel lacks
        differ["env"] = (sorted(set(warm["env"]) - set(cold["env"])), sorted(set(cold["env"]) - set(warm["env"])))
    assert differ == {}, f"forked, then cold: {differ}"
    assert warm["backend"] == INLINE and warm["figures"] == 1 and warm["own_session"]


def test_two_forked_kernels_draw_different_numbers_and_stop_with_their_status(monkeypatch, tmp_path):
    kms = [_kernel(monkeypatch, tmp_path) for _ in range(2)]
    try:
        code = "import numpy, random, torch; print(numpy.random.rand(), random.random(), torch.rand(1).item())"
        draws = [_run(km, code)[0] for km in kms]
        texts = [m[0]["content"]["text"] for m in draws]
        assert all(a != b for a, b in zip(*(t.split() for t in texts), strict=True)), texts
        unclosed = tmp_path / "unclosed.txt"  # written, never closed: a fresh kernel's exit flushes it, so must this
        _run(kms[0], f"f = open({str(unclosed)!r}, 'w'); f.write('kept')")
        process = kms[0].provisioner.process
        kms[0].shutdown_kernel(now=False)  # a shutdown request: the kernel ends by itself
        assert process.returncode == 0 and unclosed.read_text() == "kept"
        process = kms[1].provisioner.process
        kms[1].shutdown_kernel(now=True)  # killed
        assert process.returncode == -signal.SIGKILL
    finally:
        for km in kms:
            if km.has_kernel:
                km.shutdown_kernel(now=True)


def test_an_interrupt_reaches_a_forked_kernel(monkeypatch, tmp_path):
    km = _kernel(monkeypatch, tmp_path)
    try:
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        msg_id = kc.execute("import time; time.sleep(60)")
        time.sleep(1.0)
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=20)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "KeyboardInterrupt"
        kc.stop_channels()
    finally:
        km.shutdown_kernel(now=True)


def test_a_kernel_dies_with_the_manager_that_asked_for_it():
    code = ("from jupyter_client.manager import KernelManager\nimport os\n"
            "km = KernelManager(kernel_name='python3'); km.start_kernel()\n"
            "print(km.provisioner.pid, type(km.provisioner).__name__, flush=True); os._exit(0)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    pid, provisioner = done.stdout.split()
    assert provisioner == "ForkedProvisioner"
    deadline = time.monotonic() + 10
    while psutil.pid_exists(int(pid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not psutil.pid_exists(int(pid)), f"kernel {pid} outlived its manager"


def test_what_cannot_be_forked_starts_cold(monkeypatch, tmp_path):
    derived = {"TORCHINDUCTOR_CACHE_DIR": "/tmp/x"}  # what a preloaded module set: a manager may have it too
    env = {k: v for k, v in os.environ.items() if k.startswith(kernelfork.AT_IMPORT) and k not in derived}
    baseline = kernelfork._at_import(env | {"MPLBACKEND": INLINE})
    launch = [sys.executable, "-m", "ipykernel_launcher", "-f", "x.json"]

    def refusal(argv: list[str], env: dict[str, str]) -> str | None:
        return kernelfork._refusal({"argv": argv, "env": env}, baseline, derived)

    assert refusal(launch, env) is None and refusal(launch, env | derived) is None
    assert "environment differs in TORCHINDUCTOR_CACHE_DIR" in refusal(launch, env | {"TORCHINDUCTOR_CACHE_DIR": "/y"})
    assert "environment differs in MPLBACKEND" in refusal(launch, env | {"MPLBACKEND": "agg"})
    assert "not `python -m ipykernel_launcher`" in refusal([sys.executable, "-m", "other"], env)
    assert "another Python" in refusal(["/bin/sh", *launch[1:]], env)
    monkeypatch.setenv("MPLBACKEND", "agg")  # a kernel that must not get the server's matplotlib
    km = _manager(tmp_path)
    km.start_kernel()
    try:
        assert psutil.Process(km.provisioner.pid).ppid() == os.getpid()
        outputs, _ = _run(km, "import matplotlib; print(matplotlib.get_backend())")
        assert outputs[0]["content"]["text"].strip() == "agg"
    finally:
        km.shutdown_kernel(now=True)
