"""Data-parallel minibatch SGD on torch.distributed: every process keeps a copy of (w, b) and works on a shard.

The program that torchrun starts is helpers.tools.torchrun (see there).

Every rank draws the same global batches (helpers.further.minibatch.batch_order, same seed) and takes its shard of
each, rows rank, rank + world, ...; DistributedDataParallel all-reduces the gradients during backward(),
so every rank applies the same update. The backend is gloo on CPU and nccl on CUDA; the code is the same.
"""

from __future__ import annotations

import gc

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel

from helpers.checks import ACTIVATIONS, LOSSES, check_choice, check_count, check_data, check_lr, check_param, check_seed
from helpers.data import noisy_data, uniform_x
from helpers.further.minibatch import MinibatchRun, batch_order
from helpers.model import forward, init_params

SIGMA = 0.05  # the standard deviation of the noise problem() adds to y
TOLERANCE = 1e-10  # largest |difference| from the single-process run that --check accepts (float64)


class OneNeuron(torch.nn.Module):
    """y_hat = relu(X w) + b ("relu") or X w + b ("none"), with w and b as (1, 1) parameters."""

    def __init__(self, w: torch.Tensor, b: torch.Tensor, activation: str = "relu") -> None:
        super().__init__()
        self.w = torch.nn.Parameter(w.detach().clone())
        self.b = torch.nn.Parameter(b.detach().clone())
        self.activation = activation

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """X: (n, 1) -> y_hat: (n, 1)"""
        return forward(X, self.w, self.b, self.activation)


def problem(n: int, seed: int, dtype: torch.dtype = torch.float64) -> tuple[torch.Tensor, ...]:
    """11's data, which every rank rebuilds from seed: X, y (n, 1) noisy points on the true line; w, b (1, 1).

    x is uniform on the original's range, y the true line plus noise of standard deviation SIGMA, (w, b) is
    init_params(seed). x is drawn with the next seed: torch.rand and torch.randn on two generators seeded alike
    draw on the same stream of random numbers, so an x and a noise drawn from one seed are correlated (about -0.35),
    and the least-squares line then misses the truth by many times its standard error.
    """
    x_seed = (check_seed(seed) + 1) % 2**64  # another seed for x, so that x and the noise are independent
    X, y = noisy_data(SIGMA, seed, X=uniform_x(n, x_seed), dtype=dtype)
    w, b = init_params(seed, dtype=dtype)
    return X, y, w, b


def data_parallel_sgd(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    *,
    lr: float,
    batch_size: int,
    epochs: int,
    loss: str = "mean",
    activation: str = "relu",
    seed: int = 0,
) -> dict:
    """this rank's share of minibatch SGD in an initialised process group.  X, y: (n, 1) on this rank's device.

    -> {"w_path", "b_path", "losses", "device"}: the same on every rank, and equal to
    helpers.further.minibatch.minibatch_sgd with the same arguments up to rounding.
    """
    X, y = check_data(X, y)
    w, b = (check_param(name, t, X.device) for name, t in (("w", w), ("b", b)))
    lr, batch_size, epochs = check_lr(lr), check_count(batch_size, "batch_size"), check_count(epochs, "epochs")
    if batch_size == 0:
        raise ValueError("batch_size must be >= 1, got 0")
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    rank, world = dist.get_rank(), dist.get_world_size()
    device = X.device
    ids = [device.index] if device.type == "cuda" else None  # the one GPU this process drives, if any
    model = DistributedDataParallel(OneNeuron(w, b, activation).to(device), device_ids=ids)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    w_path, b_path, losses = [w.item()], [b.item()], []
    for perm in batch_order(X.shape[0], epochs, seed):
        for batch in perm.split(batch_size):
            shard = batch[rank::world].to(device)  # this rank's rows of the global batch
            sq = (model(X[shard]) - y[shard]).pow(2).sum()
            # DDP averages the ranks' gradients, so each rank scales its sum to give world * (its share)
            scale = world / len(batch) if loss == "mean" else world
            opt.zero_grad(set_to_none=True)
            (sq * scale).backward()  # the gradient all-reduce happens here, bucket by bucket
            opt.step()
            total = sq.detach().clone()
            dist.all_reduce(total)  # the loss of the whole global batch, for the record
            losses.append(total.item() / (len(batch) if loss == "mean" else 1))
            w_path.append(model.module.w.item())
            b_path.append(model.module.b.item())
    del model, opt
    gc.collect()  # free the DDP wrapper (it sits in a reference cycle) now, while its process group lives:
    # a DDP reducer torn down after the group, at exit, aborts the process
    return {"w_path": w_path, "b_path": b_path, "losses": losses, "device": device.type}


def max_difference(run: dict, reference: MinibatchRun) -> float:
    """the largest |difference| between two runs' parameter paths."""
    if len(run["w_path"]) != len(reference.w_path):
        raise ValueError(f"the runs made different numbers of updates: {len(run['losses'])} and {reference.updates}")
    pairs = list(zip(run["w_path"], reference.w_path)) + list(zip(run["b_path"], reference.b_path))
    return max(abs(u - v) for u, v in pairs)
