"""Kernels forked from one warm process: the test suite imports torch once, not once per kernel.

    python -m helpers.tools.kernelfork SOCKET      (tests/conftest.py starts it for `make test`)

A fresh IPython kernel spends most of its first two seconds importing ipykernel, torch, matplotlib and helpers (about
1.6 s of CPU on a 2-core machine), and the suite starts about forty kernels. This server imports them once, listens on
the Unix socket SOCKET, and forks a kernel for each request: the child takes the streams, working folder, environment
and arguments it was asked for, then runs `ipykernel_launcher` as `python -m ipykernel_launcher -f ...` would. Its
namespace is empty, as a fresh kernel's, and numpy's and torch's global generators get fresh seeds, as a new
process's do; only the modules are already in memory.

ForkedProvisioner, a jupyter_client kernel provisioner (registered in pyproject.toml, chosen with
JUPYTER_DEFAULT_PROVISIONER_NAME=helpers-forked), asks for the fork wherever KERNEL_FORK_SOCKET names a server. It
falls back to a plain launch, as jupyter_client's LocalProvisioner does, when there is no server, when the kernel is
not this Python's ipykernel, or when an environment variable read while those modules were imported (PYTHON*, MPL*,
ATEN_*, OMP_*, ... below) differs from the server's: such a kernel would not be a fresh one's twin. Each fork (with
the test that asked for it), fallback and ending kernel (with the CPU it used) is one line in SOCKET.log.

The server forks each kernel into a session of its own (as start_new_session does), reports its exit status to the
manager that asked for it, kills the kernel's process group when that manager goes away without stopping it (a cold
kernel stops itself when its parent dies), and on SIGTERM, or when the process that started it is gone, kills every
kernel left and exits.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import resource
import selectors
import signal
import socket
import subprocess
import sys
import time
import traceback
from pathlib import Path
from typing import Any, NoReturn

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

SOCKET_VAR = "KERNEL_FORK_SOCKET"
NAME = "helpers-forked"  # the entry point in pyproject.toml
INLINE = "module://matplotlib_inline.backend_inline"  # ipykernel's MPLBACKEND when none is set, read at import
# variables read as Python, torch, numpy, matplotlib or IPython start: a kernel asked for with other values starts cold
AT_IMPORT = ("PYTHON", "MPL", "MATPLOTLIB", "ATEN_", "TORCH", "OMP_", "MKL_", "OPENBLAS", "KMP_", "CUDA", "LD_", "HOME",
             "XDG_", "LANG", "LC_", "TZ", "IPYTHON_SUPPRESS_CONFIG_ERRORS", "PYDEV", "DEBUGPY",
             "IDE_PROJECT_ROOTS")  # fmt: skip
# what the server imports before it forks. helpers itself (torch, numpy, matplotlib, the figures) came in with this
# module, as its package. STARTUP is what every kernel imports as it starts (about 160 modules, 0.1 s of CPU a kernel):
# ipykernel's channels and debugger, which loads debugpy's pydevd (it reads PYDEVD_* at import, sets
# PYDEVD_USE_FRAME_EVAL, which each kernel gets as a cold one would, and prints a warning about frozen modules, which
# the server's log gets), IPython's debugger and history (pdb, sqlite3), psutil and tornado's loop. NOTEBOOKS is what
# the notebooks import as they run (torch._dynamo, which torch.optim and FlopCounterMode load: a second of CPU in 08,
# 09 and 11). Never ipykernel.kernelapp, whose traits read JPY_PARENT_PID and JPY_INTERRUPT_EVENT at import; nor what
# registers itself with the running kernel at import (ipywidgets, tqdm.notebook, matplotlib_inline), or chooses
# matplotlib's backend: the kernel does those
STARTUP = ("ipykernel.ipkernel", "ipykernel.iostream", "ipykernel.zmqshell", "ipykernel.debugger",
           "ipykernel.heartbeat", "ipykernel.control", "ipykernel.shellchannel", "ipykernel.parentpoller",
           "IPython.core.pylabtools", "IPython.core.debugger", "IPython.core.shellapp", "IPython.core.completerlib",
           "IPython.core.crashhandler", "IPython.extensions.storemagic", "IPython.terminal.pt_inputhooks", "sqlite3",
           "psutil", "tornado.platform.asyncio", "tornado.queues", "faulthandler", "xmlrpc.server")  # fmt: skip
NOTEBOOKS = ("matplotlib.pyplot", "matplotlib.backends.backend_agg", "contourpy", "PIL.Image", "numpy.fft",
             "torch._dynamo", "torch.optim", "torch.utils.flop_counter", "cProfile", "pstats", "helpers.exercises",
             "helpers.figures.scaling", "helpers.further.distributed", "helpers.further.scaling")  # fmt: skip
LAUNCHER = ["-m", "ipykernel_launcher"]
MAX_MESSAGE = 1 << 20


def _at_import(env: dict[str, str]) -> dict[str, str]:
    """the variables of env a preloaded module has read, with the MPLBACKEND ipykernel sets when there is none."""
    found = {k: v for k, v in env.items() if k.startswith(AT_IMPORT)}
    found.setdefault("MPLBACKEND", INLINE)
    return found


def _log(path: str, line: str) -> None:
    with open(f"{path}.log", "a", encoding="utf-8") as f:  # one short line per write: appends do not interleave
        f.write(line + "\n")


# --- the server ------------------------------------------------------------------------------------------------------


def _refusal(request: dict[str, Any], baseline: dict[str, str], set_by_imports: dict[str, str]) -> str | None:
    """why this request must start cold, or None. set_by_imports: what the preloaded modules put in os.environ, which
    a manager that imported the same modules has as well."""
    argv, env = request["argv"], request["env"]
    if len(argv) < 3 or argv[1:3] != LAUNCHER or not os.path.exists(argv[0]):
        return f"not `python -m ipykernel_launcher`: {argv[:3]}"
    if not os.path.samefile(argv[0], sys.executable):
        return f"another Python: {argv[0]}"
    wanted = {k: v for k, v in _at_import(env).items() if set_by_imports.get(k) != v}
    differ = sorted(k for k in wanted.keys() | baseline.keys() if wanted.get(k) != baseline.get(k))
    return f"environment differs in {', '.join(differ)}" if differ else None


def _become_kernel(request: dict[str, Any], fds: list[int]) -> None:
    """in the forked child: take the request's session, streams, folder, environment and arguments, run the kernel."""
    import runpy

    import numpy
    import torch

    os.setsid()
    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.stdout.flush()
    sys.stderr.flush()
    for target, fd in zip((0, 1, 2), fds, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = os.getcwd()  # `python -m` puts the working folder first
    # fresh entropy for the global generators, as a new process has (Python's random reseeds itself after a fork)
    numpy.random.seed()
    torch.seed()
    sys.argv = [request["argv"][0], *request["argv"][3:]]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


def _preload(path: str, modules: tuple[str, ...]) -> None:
    """import modules; what they print on stderr goes to the log, as a kernel's goes to its manager's log, not to the
    terminal of the run that started the server."""
    with open(f"{path}.log", "a", encoding="utf-8") as log:
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)
        try:
            for name in modules:
                try:
                    importlib.import_module(name)
                except ImportError as e:  # a kernel that needs it imports it itself (and fails there, where it shows)
                    _log(path, f"not preloaded: {name} ({e})")
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def serve(path: str) -> tuple[dict[str, Any], list[int]] | None:
    """the server's loop. Returns only in a forked child, with the request it must become; None when it stops."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    listener.listen(64)  # managers may connect from now on: they wait for their fork until the imports are done
    # helpers (and so matplotlib, which reads MPLBACKEND) came in with this module: a server started without
    # MPLBACKEND set to ipykernel's INLINE (as conftest starts it) forks no kernel, as its matplotlib would differ
    baseline = {k: v for k, v in os.environ.items() if k.startswith(AT_IMPORT)}
    before = set(os.environ)
    _preload(path, STARTUP)
    set_at_start = {k: v for k, v in os.environ.items() if k not in before}  # what each kernel sets as it starts
    _preload(path, NOTEBOOKS)
    # torch._inductor sets TORCHINDUCTOR_CACHE_DIR to its default folder: a manager that imported it has it too, and
    # a kernel without it gets the same default (it is left out of the kernel's environment, as in a fresh kernel)
    set_by_imports = {k: v for k, v in os.environ.items() if k not in before}
    # what was imported stays put: the cyclic collector of a kernel never walks it (each full collection would copy
    # the server's pages into the kernel, and take a fraction of a second), as Python's gc.freeze documents for fork
    gc.collect()
    gc.freeze()

    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)
    for sig in (signal.SIGCHLD, signal.SIGTERM):
        signal.signal(sig, lambda *_: None)  # handled below: the wakeup fd carries the signal's number
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the test run, which stops the server with SIGTERM
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    sel.register(wake_r, selectors.EVENT_READ, "signal")
    kernels: dict[int, socket.socket | None] = {}  # pid -> the connection of the manager that asked for it
    parent, stopping = os.getppid(), False

    def close_all() -> None:
        sel.close()
        listener.close()
        for fd in (wake_r, wake_w):
            os.close(fd)
        for conn in kernels.values():
            if conn is not None:
                conn.close()

    while not stopping:
        for key, _ in sel.select(timeout=1.0):
            if key.data == "accept":
                conn, _ = listener.accept()
                try:
                    message, fds, _, _ = socket.recv_fds(conn, MAX_MESSAGE, 3)
                    request = json.loads(message)
                except (OSError, ValueError) as e:
                    conn.close()
                    _log(path, f"bad request: {e}")
                    continue
                why = _refusal(request, baseline, set_by_imports)
                why = why if len(fds) == 3 else f"{len(fds)} streams sent, not 3"
                if why:
                    for fd in fds:
                        os.close(fd)
                    with contextlib.suppress(OSError):
                        conn.send(json.dumps({"refused": why}).encode())
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    conn.close()
                    close_all()
                    request["env"] = set_at_start | request["env"]
                    return request, fds
                for fd in fds:
                    os.close(fd)
                kernels[pid] = conn
                sel.register(conn, selectors.EVENT_READ, pid)
                with contextlib.suppress(OSError):
                    conn.send(json.dumps({"pid": pid}).encode())
                asker = request["env"].get("PYTEST_CURRENT_TEST", "-")  # set by pytest while a test runs
                _log(path, f"forked {pid}: in {request['cwd']} for {asker}")
            elif key.data == "signal":
                with contextlib.suppress(BlockingIOError):
                    stopping = signal.SIGTERM in os.read(wake_r, 512)
            else:  # a manager's connection: readable only when it closed, so its kernel must go too
                pid = key.data
                sel.unregister(key.fileobj)
                key.fileobj.close()  # type: ignore[union-attr]
                kernels[pid] = None
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        while kernels:  # reap every kernel that ended, and tell its manager how
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            manager = kernels.pop(pid, None)
            cpu = usage.ru_utime + usage.ru_stime
            _log(path, f"ended {pid}: exit status {os.waitstatus_to_exitcode(status)}, {cpu:.2f} s of CPU")
            if manager is not None:
                sel.unregister(manager)
                with contextlib.suppress(OSError):
                    manager.send(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode())
                manager.close()
        stopping = stopping or os.getppid() != parent
    for pid in kernels:  # left running by a manager that never stopped them
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        _log(path, f"killed {pid}: still running when the server stopped")
    close_all()
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    _log(path, f"stopped: the kernels used {used.ru_utime + used.ru_stime:.1f} s of CPU")
    return None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m helpers.tools.kernelfork SOCKET", file=sys.stderr)
        return 2
    child = serve(args[0])
    if child is None:
        return 0
    code = 0
    try:
        _become_kernel(*child)
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
    except BaseException:
        traceback.print_exc()
        code = 1
    _end(code)
    return code  # not reached


def _end(code: int) -> NoReturn:
    """end a forked kernel as a fresh one ends, less the teardown of the modules the server handed it: the exit
    handlers run (IPython's saves the history and clears the namespace, so a learner's open files are flushed and
    closed), then the collector, then the process ends. Tearing those thousands of modules down object by object
    took 1.5 s of CPU per kernel."""
    atexit._run_exitfuncs()
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(code)


# --- the provisioner -------------------------------------------------------------------------------------------------


class Forked:
    """a forked kernel, seen from its manager as subprocess.Popen sees a child: pid, poll, wait, signals."""

    stdin = stdout = stderr = None

    def __init__(self, conn: socket.socket, pid: int) -> None:
        self.conn, self.pid = conn, pid
        self.returncode: int | None = None
        conn.setblocking(False)

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                message = self.conn.recv(4096)
            except BlockingIOError:
                return None
            except OSError:
                message = b""
            if message:
                self.returncode = json.loads(message)["exit"]
            else:  # the server is gone; its kernels end once they see it (their parent becomes init)
                try:
                    os.kill(self.pid, 0)
                    return None
                except ProcessLookupError:
                    self.returncode = 1
            self.conn.close()
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout or 0)
            time.sleep(0.05)
        return code

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _stream(value: Any, default: int) -> int:
    """the file descriptor Popen would give the kernel for stdout or stderr (None: this process's own)."""
    if value is None:
        return default
    return value if isinstance(value, int) else value.fileno()


def fork_kernel(path: str, cmd: list[str], kwargs: dict[str, Any]) -> Forked | str:
    """ask the server at path for a kernel running cmd; the Forked kernel, or why it must start cold."""
    env = dict(kwargs.get("env") or os.environ)
    env.setdefault("JPY_PARENT_PID", str(os.getpid()))  # as jupyter_client's launcher sets it
    request = {"argv": cmd, "cwd": str(kwargs.get("cwd") or os.getcwd()), "env": env}
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    null = os.open(os.devnull, os.O_RDONLY)  # a kernel reads nothing from stdin
    try:
        conn.settimeout(120)  # the server may still be importing
        conn.connect(path)
        fds = [null, _stream(kwargs.get("stdout"), 1), _stream(kwargs.get("stderr"), 2)]
        socket.send_fds(conn, [json.dumps(request).encode()], fds)
        reply = json.loads(conn.recv(MAX_MESSAGE) or b'{"refused": "the server closed the connection"}')
    except (OSError, ValueError) as e:
        conn.close()
        return f"no server at {path} ({type(e).__name__}: {e})"
    finally:
        os.close(null)
    if "pid" not in reply:
        conn.close()
        return str(reply.get("refused"))
    return Forked(conn, int(reply["pid"]))


class ForkedProvisioner(LocalProvisioner):
    """LocalProvisioner, but the kernel is forked by the server KERNEL_FORK_SOCKET names, where it can be."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        path = os.environ.get(SOCKET_VAR)
        forked = fork_kernel(path, cmd, kwargs) if path else "KERNEL_FORK_SOCKET is not set"
        if isinstance(forked, str):
            if path:
                with contextlib.suppress(OSError):
                    _log(path, f"cold: {forked}")
            return await super().launch_kernel(cmd, **kwargs)
        self.process = forked  # type: ignore[assignment]  # what LocalProvisioner uses of a Popen, Forked has
        self.pid = self.pgid = forked.pid  # its own session: pgid == pid
        self.cwd = kwargs.get("cwd") or Path.cwd()
        return self.connection_info


if __name__ == "__main__":
    sys.exit(main())
