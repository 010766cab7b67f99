"""The data-parallel run as a program: start it with torchrun.

torchrun --standalone --nproc-per-node 2 -m helpers.tools.torchrun --points 4096 --batch-size 64 --epochs 2 --check
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch
import torch.distributed as dist

from helpers.further.distributed import TOLERANCE, data_parallel_sgd, max_difference, problem
from helpers.further.minibatch import MinibatchRun, minibatch_sgd
from helpers.tools import exit_without_collecting


def _report(run: dict, args: argparse.Namespace, reference: MinibatchRun | None) -> int:
    """rank 0: write the run as JSON, print one line, compare with the single-process run; -> exit status."""
    run.update(world_size=dist.get_world_size(), backend=dist.get_backend(), n=args.points, seed=args.seed,
               batch_size=args.batch_size, epochs=args.epochs, lr=args.lr, loss=args.loss,
               activation=args.activation)  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(run))
    line = (
        f"{run['world_size']} processes ({run['backend']}): {len(run['losses'])} updates, "
        f"w = {run['w_path'][-1]:.6f}, b = {run['b_path'][-1]:.6f}"
    )
    gap = max_difference(run, reference) if reference is not None else 0.0
    if reference is not None:
        line += f"; max |difference| from one process: {gap:.1e} (tolerance {TOLERANCE:.0e})"
    print(line, flush=True)
    return 0 if gap <= TOLERANCE else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Data-parallel minibatch SGD; start it with torchrun.")
    parser.add_argument("--points", type=int, default=4096, help="number of points n")
    parser.add_argument("--batch-size", type=int, default=64, help="global batch size (all ranks together)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--loss", choices=("mean", "sum"), default="mean")
    parser.add_argument("--activation", choices=("relu", "none"), default="relu")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--out", type=Path, help="rank 0 writes the run here as JSON")
    parser.add_argument("--check", action="store_true", help="rank 0 compares with one process; exit 1 if they differ")
    args = parser.parse_args(argv)
    use_cuda = args.device == "cuda" or (args.device == "auto" and torch.cuda.is_available())
    local_rank = int(os.environ.get("LOCAL_RANK", 0))
    if use_cuda:  # one process per GPU; nccl moves the gradients between GPUs directly
        torch.cuda.set_device(local_rank)
        dist.init_process_group("nccl", device_id=torch.device("cuda", local_rank))
    else:
        dist.init_process_group("gloo")
    try:
        device = torch.device("cuda", local_rank) if use_cuda else torch.device("cpu")
        X, y, w, b = problem(args.points, args.seed)
        settings = dict(lr=args.lr, batch_size=args.batch_size, epochs=args.epochs, loss=args.loss,
                        activation=args.activation, seed=args.seed)  # fmt: skip
        run = data_parallel_sgd(X.to(device), y.to(device), w.to(device), b.to(device), **settings)
        status = 0
        if dist.get_rank() == 0:
            status = _report(run, args, minibatch_sgd(X, y, w, b, **settings) if args.check else None)
        dist.barrier()  # the ranks leave together, after rank 0's report
        return status
    finally:
        dist.destroy_process_group()


if __name__ == "__main__":
    exit_without_collecting()
    raise SystemExit(main())
