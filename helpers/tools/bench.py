"""Performance, measured (this is `make bench`): one table, every figure a ratio against a baseline timed in the
same run.

    python -m helpers.tools.bench                 # the full run: a minute or two
    python -m helpers.tools.bench --quick         # small N, a few seconds (the test suite runs it)
    python -m helpers.tools.bench --json out.json # also write every ratio as JSON

A figure is the median, over repeated rounds, of a timing divided by its baseline's timed just before it,
so that a busy machine slows both alike. No absolute time is printed.

torch and the helpers it times are imported by the functions that use them, after the command line is checked.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    import torch


class Sizes(TypedDict):
    sizes: tuple[int, ...]  # the N of section 2
    repeats: int
    rows: int  # a timing of a small N repeats each call until it has covered about this many rows
    memory_n: int
    minibatch_n: int


FULL: Sizes = {"sizes": (10**4, 10**5, 10**6, 10**7), "repeats": 11, "rows": 10**5, "memory_n": 10**7,
               "minibatch_n": 10**6}  # fmt: skip
QUICK: Sizes = {"sizes": (10**3, 10**4), "repeats": 3, "rows": 10**4, "memory_n": 10**5, "minibatch_n": 10**4}
MINIBATCH_REPEATS = 3
BATCH = 64
# the issue's, all "at most": the update and memory targets are judged on method="blocked", the hand gradient
# arranged for large N (the readable "hand" is printed beside them)
TARGETS = {"original": 1.10, "blocked": 4.0, "stats_1000": 3.0, "memory_blocked": 1.5}


def plain_loop(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor, b: torch.Tensor, lr: float = 0.001) -> tuple:
    """the original's loop as a learner writes it: autograd, float32 (w, b) cast to float64, 149 updates.

    -> the final w, b: (1, 1) each, the same bits as train(..., method="autograd") (tests/test_bench.py)
    """
    import torch

    from helpers.model import forward

    w1, b1 = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    for i in range(1, 150):
        loss = (y - forward(X, w1, b1)).pow(2).sum()  # forward: X.mm(w1.double()).clamp(min=0).add(b1.double())
        loss.backward()
        with torch.no_grad():  # the grads exist after backward(): mypy cannot know it, a learner's loop asserts nothing
            w1 -= lr * w1.grad  # type: ignore[operator]
            b1 -= lr * b1.grad  # type: ignore[operator]
            w1.grad.zero_()  # type: ignore[union-attr]
            b1.grad.zero_()  # type: ignore[union-attr]
        if i % 25 == 0:
            loss.item()  # where the original prints the loss
    return w1.detach(), b1.detach()


def original_problem(repeats: int) -> dict[str, float]:
    """train(method=m) on the 40 points (149 updates, lr 0.001), over the plain loop."""
    from helpers.data import original_data
    from helpers.further.timing import ratios
    from helpers.model import init_params
    from helpers.training import METHODS, train

    X, y = original_data()
    w, b = init_params(0)
    fns: dict[str, Callable[[], object]] = {
        m: partial(train, X, y, w, b, lr=0.001, num_updates=149, method=m) for m in METHODS
    }
    return ratios(fns, partial(plain_loop, X, y, w, b), repeats)[0]


def minibatch(n: int, repeats: int, seed: int = 1) -> float:
    """one epoch of minibatch SGD (batch 64): a DataLoader over a TensorDataset, over slices of the tensors."""
    import torch

    from helpers.data import noisy_data, uniform_x
    from helpers.further.minibatch import minibatch_sgd
    from helpers.further.timing import ratios
    from helpers.model import init_params

    X = uniform_x(n, seed)
    _, y = noisy_data(0.05, seed, X=X)
    w, b = init_params(seed, dtype=torch.float64)
    epoch = partial(minibatch_sgd, X, y, w, b, lr=0.1, batch_size=BATCH, seed=seed)
    slices, dataloader = (partial(epoch, loader=k) for k in ("slices", "dataloader"))
    return ratios({"dataloader": dataloader}, slices, repeats)[0]["dataloader"]


def run(quick: bool = False) -> dict:
    """every measurement of the table, as plain numbers."""
    import torch

    from helpers.further.scaling import scaling
    from helpers.tools.bench_memory import peak_extras

    c = QUICK if quick else FULL
    return {
        "quick": quick, "threads": torch.get_num_threads(), "repeats": c["repeats"], "sizes": list(c["sizes"]),
        "original": original_problem(2 * c["repeats"] - 1),
        "scaling": {str(n): scaling(n, c["repeats"], c["rows"]) for n in c["sizes"]},
        "memory_n": c["memory_n"],
        "memory": peak_extras(c["memory_n"]),
        "minibatch_n": c["minibatch_n"], "minibatch_repeats": MINIBATCH_REPEATS,
        "minibatch": minibatch(c["minibatch_n"], MINIBATCH_REPEATS),
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time the helpers' training paths; print one table of ratios.")
    parser.add_argument("--quick", action="store_true", help="small N and few repeats: seconds, not minutes")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads, 0 for torch's choice (default 1: a second thread makes every ratio "
                             "hostage to whatever else runs on a shared machine)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the measurements here")
    args = parser.parse_args(argv)
    if args.threads < 0:
        parser.error(f"--threads must be >= 0, got {args.threads}")
    import torch

    from helpers.tools.bench_report import cpu_name, table

    before = torch.get_num_threads()
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        result = run(args.quick)
    finally:
        torch.set_num_threads(before)
    result |= {"date": datetime.date.today().isoformat(), "cpu": cpu_name(), "cores": os.cpu_count()}
    result["torch"] = torch.__version__
    print(table(result, TARGETS))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
