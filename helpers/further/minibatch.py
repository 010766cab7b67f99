"""Minibatch SGD for the one-neuron model: each epoch one pass over the data in shuffled batches.

    loader="slices"      index X and y with slices of a shuffled permutation, batch by batch
    loader="dataloader"  torch.utils.data.DataLoader over a TensorDataset, in the same shuffled order

Both draw their order from one seeded torch.Generator (batch_order), so they see the same batches and
give the same parameters; only the cost differs. Each update uses the hand gradient of the batch's loss.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch.utils.data import DataLoader, TensorDataset

from helpers.checks import ACTIVATIONS, LOSSES, check_choice, check_count, check_data, check_lr, check_param, check_seed
from helpers.further.blocked import loss_and_grad

LOADERS = ("slices", "dataloader")
MAX_ROWS = 2**40  # batch_order's n: past this a permutation (8 bytes a row) fits no machine


@dataclass(frozen=True)
class MinibatchRun:
    """what one minibatch SGD run did.  T = epochs * ceil(n / batch_size) updates."""

    losses: tuple[float, ...]  # (T,) loss of each batch at the parameters before its update
    w_path: tuple[float, ...]  # (T + 1,) w at the start and after each update
    b_path: tuple[float, ...]  # (T + 1,)
    w: torch.Tensor  # (1, 1) final weight, in the initial w's dtype
    b: torch.Tensor  # (1, 1) final bias
    lr: float
    batch_size: int
    epochs: int
    loader: str

    @property
    def updates(self) -> int:
        """number of updates made."""
        return len(self.losses)


def batch_order(n: int, epochs: int, seed: int) -> list[torch.Tensor]:
    """one shuffled permutation of range(n) per epoch, from a generator seeded with seed.  -> epochs x (n,) int64"""
    n, epochs = check_count(n, "n"), check_count(epochs, "epochs")
    if n > MAX_ROWS:
        raise ValueError(f"n must be at most 2**40 (a permutation of n int64 indices must fit memory), got {n}")
    g = torch.Generator().manual_seed(check_seed(seed))
    return [torch.randperm(n, generator=g) for _ in range(epochs)]


def _slices(X: torch.Tensor, y: torch.Tensor, order: list[torch.Tensor], batch_size: int):
    for perm in order:
        for idx in perm.to(X.device).split(batch_size):
            yield X[idx], y[idx]  # (B, 1) each: a gather of B rows


def _dataloader(X: torch.Tensor, y: torch.Tensor, order: list[torch.Tensor], batch_size: int):
    data = TensorDataset(X, y)
    for perm in order:  # a list of indices is a valid sampler: the DataLoader fetches rows one by one, then stacks them
        yield from DataLoader(data, batch_size=batch_size, sampler=perm.tolist())


def minibatch_sgd(
    X: torch.Tensor,
    y: torch.Tensor,
    w: torch.Tensor,
    b: torch.Tensor,
    *,
    lr: float,
    batch_size: int,
    epochs: int = 1,
    loss: str = "mean",
    activation: str = "relu",
    seed: int = 0,
    loader: str = "slices",
    progress: bool = False,
) -> MinibatchRun:
    """epochs passes of minibatch SGD from (w, b); the inputs are not modified.

    X: (n, 1), y: (n, 1), w: (1, 1), b: (1, 1) -> MinibatchRun.  The last batch of an epoch holds the
    n mod batch_size leftover points (if any). A diverging run is not stopped: its losses become inf or nan.
    progress=True shows a tqdm progress bar (off by default, so notebook outputs stay the same).
    X and y are used detached (as in train): the hand gradient never differentiates the data.
    """
    X, y = check_data(X, y)
    X, y = X.detach(), y.detach()
    w = check_param("w", w, X.device).detach().clone()
    b = check_param("b", b, X.device).detach().clone()
    lr = check_lr(lr)
    if check_count(batch_size, "batch_size") == 0:
        raise ValueError("batch_size must be >= 1, got 0")
    epochs = check_count(epochs, "epochs")
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("loader", loader, LOADERS)

    batches = (_slices if loader == "slices" else _dataloader)(X, y, batch_order(X.shape[0], epochs, seed), batch_size)
    losses: list[float] = []
    w_path, b_path = [w.item()], [b.item()]
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs * -(-X.shape[0] // batch_size), desc="minibatch SGD", unit="update")
    for xb, yb in batches:
        value, g = loss_and_grad(xb, yb, w, b, loss, activation)
        losses.append(value.item())
        w.sub_(lr * g.w.to(w.dtype))
        b.sub_(lr * g.b.to(b.dtype))
        w_path.append(w.item())
        b_path.append(b.item())
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.close()
    return MinibatchRun(tuple(losses), tuple(w_path), tuple(b_path), w, b, lr, batch_size, epochs, loader)
