"""The same fit the PyTorch way (notebook 08): nn.Linear, nn.MSELoss and optim.SGD, fed by a DataLoader."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

from helpers.checks import LOSSES, check_choice, check_count, check_data, check_lr, check_param, check_seed
from helpers.further.minibatch import batch_order


def linear_from(w: torch.Tensor, b: torch.Tensor) -> nn.Linear:
    """nn.Linear(1, 1) in w's dtype holding w and b: the start of a hand-written loop.  w, b: (1, 1)"""
    w, b = check_param("w", w), check_param("b", b)
    model = nn.Linear(1, 1, dtype=w.dtype, device=w.device)
    with torch.no_grad():
        model.weight.copy_(w)  # weight: (out, in) = (1, 1)
        model.bias.copy_(b.reshape(1))  # bias: (out,) = (1,)
    return model


@dataclass(frozen=True)
class SGDRun:
    """what one optim.SGD run did.  T = updates made, E = epochs."""

    losses: tuple[float, ...]  # (T,) the minibatch loss before each update, as the optimiser saw it
    full_losses: tuple[float, ...]  # (T + 1,) the loss on all the data, at the start and after each update
    w_path: tuple[float, ...]  # (T + 1,)
    b_path: tuple[float, ...]  # (T + 1,)
    updates_per_epoch: int
    model: nn.Module  # the trained copy

    @property
    def epoch_losses(self) -> tuple[float, ...]:
        """(E + 1,) the loss on all the data at the start and after each epoch."""
        return self.full_losses[:: self.updates_per_epoch]


def fit_sgd(
    model: nn.Module,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    lr: float,
    num_epochs: int,
    batch_size: int | None = None,
    loss: str = "sum",
    seed: int = 0,
) -> SGDRun:
    """optim.SGD on nn.MSELoss(reduction=loss) over a DataLoader, on a copy of model (the input is untouched).

    X, y: (n, 1). batch_size=None takes all n points in order (full batch); a smaller batch reshuffles every
    epoch, in the orders helpers.further.minibatch.batch_order draws from seed. The last batch may be smaller
    (drop_last=False, the DataLoader's default).
    """
    X, y = check_data(X, y)
    lr, num_epochs = check_lr(lr), check_count(num_epochs, "num_epochs")
    check_choice("loss", loss, LOSSES)
    seed = check_seed(seed)
    X, y = X.detach(), y.detach()  # the data are inputs, not parameters: no graph through them
    n = X.shape[0]
    batch_size = n if batch_size is None else check_count(batch_size, "batch_size")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and {n}, got {batch_size}")
    model = copy.deepcopy(model)
    params = list(model.parameters())
    if len(params) != 2 or any(p.numel() != 1 for p in params):
        raise ValueError(f"model must have two one-element parameters, w then b, got {len(params)} parameter(s)")
    elsewhere = [p.device for p in params if p.device != X.device]
    if elsewhere:
        raise ValueError(f"model must be on the data's device {X.device}, got its parameters on {elsewhere[0]}")
    w, b = params
    data = TensorDataset(X, y)
    if batch_size < n:  # the shuffled orders of helpers.further.minibatch, so that both see the same batches
        orders = batch_order(n, num_epochs, seed)  # one permutation of range(n) per epoch
        loaders = [DataLoader(data, batch_size=batch_size, sampler=order.tolist()) for order in orders]
    else:
        loaders = [DataLoader(data, batch_size=n)] * num_epochs  # all the points, in order
    loss_fn = nn.MSELoss(reduction=loss)
    opt = optim.SGD(model.parameters(), lr=lr)

    def full() -> float:
        with torch.no_grad():
            return loss_fn(model(X), y).item()

    losses, full_losses, w_path, b_path = [], [full()], [_value(w)], [_value(b)]
    for loader in loaders:  # one per epoch
        for X_batch, y_batch in loader:  # (B, 1) each
            opt.zero_grad()
            value = loss_fn(model(X_batch), y_batch)
            value.backward()
            opt.step()
            losses.append(value.item())
            full_losses.append(full())
            w_path.append(_value(w))
            b_path.append(_value(b))
    per_epoch = len(DataLoader(data, batch_size=batch_size))
    return SGDRun(tuple(losses), tuple(full_losses), tuple(w_path), tuple(b_path), per_epoch, model)


def _value(p: torch.Tensor) -> float:
    return p.detach().reshape(()).item()
