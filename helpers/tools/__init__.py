"""The tooling, run and never imported by a notebook: execution, make run, reruns and sweeps, the nbgrader
assignments and their grading, slides and site, the JupyterLab start, the benchmark."""

import atexit
import gc


def exit_without_collecting() -> None:
    """called first by a command: at its exit, what it imported stays out of the cyclic collector (gc.freeze). The
    interpreter's last collections would otherwise walk torch's and matplotlib's objects again, about 0.5 s of CPU,
    to free memory the process is about to hand back; objects are still freed as their last reference goes."""
    atexit.register(gc.freeze)
