"""helpers.exercises: every checker accepts the right answer, names typical mistakes, and survives garbage.

Expected answers are computed here independently of the checkers (autograd, lstsq, the formulas), so a
checker whose expected value drifts fails here. Tolerances: the checkers' own (1e-9 to 1e-6 relative).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import nbformat
import numpy as np
import pytest
import torch
from torch import nn, optim

import helpers.exercises as ex
from helpers import RAW_X, design_matrix, init_params, noisy_data, original_data, true_line, uniform_x
from helpers.exercises import Mistake, Verdict, checker, compare_count, compare_number, compare_tensor

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


# ---------------------------------------------------------------- independent expected answers and mistakes


def _X_y():
    return original_data()


def _loop(steps=149, lr=0.04, reduction="mean", zero_grad=True, dtype=torch.float64) -> nn.Linear:
    """the exercise's loop, written out, with the knobs a learner gets wrong."""
    X, y = (t.to(dtype) for t in _X_y())
    w, b = init_params(0, dtype=dtype)
    model = nn.Linear(1, 1, dtype=dtype)
    with torch.no_grad():
        model.weight.copy_(w)
        model.bias.copy_(b.reshape(1))
    loss_fn, opt = nn.MSELoss(reduction=reduction), optim.SGD(model.parameters(), lr=lr)
    for _ in range(steps):
        if zero_grad:
            opt.zero_grad()
        loss_fn(model(X), y).backward()
        opt.step()
    return model


def _gram():
    X, y = _X_y()
    A = design_matrix(X)
    return A.T @ A, A.T @ y


def _lam():
    return torch.linalg.eigvalsh(2 * _gram()[0]).tolist()  # lam_min, lam_max of the sum loss's Hessian


def _inv_gram():
    return torch.linalg.inv(_gram()[0])


def _quad_gram():
    """AᵀA and Aᵀy of the quadratic, A = [x², x, 1], from the sums of powers of x."""
    X, y = _X_y()
    s = [(X**k).sum().item() for k in range(5)]  # s[k] = Σ x_i^k, s[0] = n
    t = [(X**k * y).sum().item() for k in range(3)]  # t[k] = Σ x_i^k y_i
    gram = torch.tensor([[s[4], s[3], s[2]], [s[3], s[2], s[1]], [s[2], s[1], s[0]]], dtype=torch.float64)
    return gram, torch.tensor([[t[2]], [t[1]], [t[0]]], dtype=torch.float64)


def _pred_se(x0: float = 2.0, sigma: float = 0.05, cov: bool = True) -> float:
    """the standard error of the fitted line at x0: sigma sqrt(x0² C_ww + 2 x0 C_wb + C_bb), C = (AᵀA)⁻¹."""
    C = _inv_gram()
    return sigma * math.sqrt(x0**2 * C[0, 0].item() + 2 * x0 * C[0, 1].item() * cov + C[1, 1].item())


def _residual_sse(seed: int = 0, sigma: float = 0.05) -> tuple[float, float]:
    """(SSE of the lstsq line, SSE of the true line) on noisy_data(sigma, seed)."""
    X, y = noisy_data(sigma, seed)
    A = design_matrix(X)
    theta = torch.linalg.lstsq(A, y).solution
    return (y - A @ theta).pow(2).sum().item(), (y - true_line(X)).pow(2).sum().item()


# ---------------------------------------------------------------- 01 to 06: independent expected answers


def _eig(X: torch.Tensor, loss: str = "sum") -> list[float]:
    """lam_min, lam_max of the Hessian 2 AᵀA (divided by n for the mean), A = [x, 1]."""
    A = torch.cat([X, torch.ones_like(X)], dim=1)
    return (torch.linalg.eigvalsh(2 * A.T @ A) / (len(X) if loss == "mean" else 1)).tolist()


def _cond(X: torch.Tensor) -> float:
    lo, hi = _eig(X)
    return hi / lo


def _limit(X: torch.Tensor, loss: str = "sum") -> float:
    return 2 / _eig(X, loss)[1]


def _best_rho(X: torch.Tensor) -> float:
    kappa = _cond(X)
    return (kappa - 1) / (kappa + 1)


def _rho(X: torch.Tensor, lr: float) -> float:
    return max(abs(1 - lr * lam) for lam in _eig(X))


def _raw() -> torch.Tensor:
    return _X_y()[0] * 100


def _line_sse(w: float, b: float, raw: bool = False) -> float:
    """the sum of squared residuals of the line w x + b on the 40 points (x divided by 100, or raw)."""
    X, y = _X_y()
    X = X * 100 if raw else X
    return float(((w * X + b - y) ** 2).sum())


def _numpy_start():
    """y and the line's predictions x w + b at init_params(0), as numpy arrays (40, 1)."""
    X, y = _X_y()
    w, b = init_params(0)
    y_hat = X.numpy() * np.float64(w.item()) + np.float64(b.item())
    return y.numpy(), y_hat


def _bad_loss(flat_prediction=None) -> float:
    y, y_hat = _numpy_start()
    flat = (y_hat if flat_prediction is None else flat_prediction).reshape(-1)
    return float(((y - flat) ** 2).sum())  # (40, 1) - (40,) broadcasts to (40, 40)


def _w_numpy():
    w, _ = init_params(0)
    return w.requires_grad_(True).detach().cpu().numpy()


def _origin_grad(loss: str = "mean") -> tuple[float, float]:
    X, y = _X_y()
    w = torch.zeros(1, 1, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, 1, dtype=torch.float64, requires_grad=True)
    sq = (X.mm(w).clamp(min=0) + b - y).pow(2)
    (sq.mean() if loss == "mean" else sq.sum()).backward()
    return w.grad.item(), b.grad.item()


def _eta_step() -> float:
    X, y = _X_y()
    w, b = (t.double().requires_grad_(True) for t in init_params(0))
    (X.mm(w).clamp(min=0) + b - y).pow(2).sum().backward()
    g = torch.cat([w.grad, b.grad])  # (2, 1)
    A = torch.cat([X, torch.ones_like(X)], dim=1)
    return (g.T @ g / (g.T @ (2 * A.T @ A) @ g)).item()


def _duplicated_losses(copies: int, w: float = 0.1, b: float = 0.5) -> tuple[float, float]:
    """the sum and the mean loss of relu(w x) + b on the 40 points repeated copies times."""
    X, y = (torch.cat([t] * copies) for t in _X_y())
    sq = ((w * X).clamp(min=0) + b - y).pow(2)
    return sq.sum().item(), sq.mean().item()


def _order_losses(w: float = -0.3) -> tuple[float, float, float]:
    """the sum losses of relu(x w + b) (the textbook order), relu(x w) + b and x w + b, with the seeded b."""
    X, y = _X_y()
    z, b = X * w, init_params(0)[1].item()
    predictions = ((z + b).clamp(min=0), z.clamp(min=0) + b, z + b)
    return tuple((p - y).pow(2).sum().item() for p in predictions)


def _original_loop(num_updates: int) -> tuple[float, float]:
    """the original's loop, in its own style (float32 leaves, float64 forward pass), for num_updates updates."""
    X, y = _X_y()
    w, b = (t.clone().requires_grad_(True) for t in init_params(0))
    for _ in range(num_updates):
        (y - X.mm(w.double()).clamp(min=0).add(b.double())).pow(2).sum().backward()
        with torch.no_grad():
            w -= 0.001 * w.grad
            b -= 0.001 * b.grad
            w.grad.zero_()
            b.grad.zero_()
    return w.item(), b.item()


def _e0() -> torch.Tensor:
    w, b = init_params(0)
    return torch.tensor([w.item() - 0.175, b.item() - 0.4], dtype=torch.float64)


def _guaranteed(rho: float, target: float) -> int:
    return math.ceil(math.log(target) / math.log(rho))


def _end(steps: int = 149, e0=None) -> tuple[float, float]:
    """0.175, 0.4 plus (I - lr H)^steps e_0: the run's end predicted by the matrix power (both directions)."""
    A = torch.cat([_X_y()[0], torch.ones_like(_X_y()[0])], dim=1)
    step = torch.eye(2, dtype=torch.float64) - 0.001 * 2 * A.T @ A
    e_T = torch.linalg.matrix_power(step, steps) @ (_e0() if e0 is None else e0)
    return 0.175 + e_T[0].item(), 0.4 + e_T[1].item()


def _per_decade(rho: float) -> float:
    return math.log(10) / (-2 * math.log(rho))


def _across_along() -> float:
    """|v_max·e_0| / |v_min·e_0| from seed 0: the error across the valley over the error along it."""
    A = torch.cat([_X_y()[0], torch.ones_like(_X_y()[0])], dim=1)
    _, V = torch.linalg.eigh(2 * A.T @ A)
    return abs((V[:, 1] @ _e0()).item()) / abs((V[:, 0] @ _e0()).item())


def _floor_q(lr: float) -> float:
    lo, hi = _eig(_X_y()[0])
    return abs(1 - lr * hi) / abs(1 - lr * lo)


def _first_below(ratio: float, q: float, share: float = 0.01) -> int:
    """the first t with ratio * q^t < share, counted update by update."""
    t = 0
    while ratio * q**t >= share:
        t += 1
    return t


def _standardised(correction: int = 0) -> torch.Tensor:
    X = _X_y()[0]
    return (X - X.mean()) / X.std(correction=correction)


# ---------------------------------------------------------------- 07 and 11: independent expected answers


def _threshold(seed: int, loss: str = "sum") -> float:
    """w_0 / dL/dw at init_params(seed), the gradient from autograd on the original's model (ReLU, float64)."""
    X, y = _X_y()
    w, b = (t.double().requires_grad_(True) for t in init_params(seed))
    sq = (X.mm(w).clamp(min=0) + b - y).pow(2)
    (sq.mean() if loss == "mean" else sq.sum()).backward()
    return w.item() / w.grad.item()


def _start_grads(seed: int) -> tuple[float, float, float, float]:
    """w_0, b_0 and the autograd gradient (dL/dw, dL/db) of the sum loss there (ReLU, float64)."""
    X, y = _X_y()
    w, b = (t.double().requires_grad_(True) for t in init_params(seed))
    (X.mm(w).clamp(min=0) + b - y).pow(2).sum().backward()
    return w.item(), b.item(), w.grad.item(), b.grad.item()


def _raw_x() -> torch.Tensor:
    return torch.tensor(RAW_X, dtype=torch.float64).reshape(-1, 1)


def _best_divisor() -> float:
    """the s with the smallest κ of x / s: it balances AᵀA/n's diagonal, mean (x/s)² = 1, so s = RMS of x."""
    return _raw_x().pow(2).mean().sqrt().item()


def _counts(target: float | None = None, square: bool = False) -> tuple[int, int]:
    """updates the bound guarantees at lr = 0.001 and at 2/(λmin + λmax), from seed 0 to within target."""
    X = _X_y()[0]
    target = 1e-6 / _e0().norm().item() if target is None else target
    rhos = [_rho(X, lr) ** (2 if square else 1) for lr in (0.001, 2 / sum(_eig(X)))]
    return _guaranteed(rhos[0], target), _guaranteed(rhos[1], target)


def _big(n: int = 100_000):
    """the points of 11_scaling_up.ipynb: noisy_data(0.05, 0) on uniform_x(n, 1) (the next seed); the float64 start."""
    X, y = noisy_data(0.05, 0, X=uniform_x(n, 1))
    return X, y, *init_params(0, dtype=torch.float64)


def _big_grad(
    loss: str = "mean", rows: slice = slice(None), at: tuple[float, float] | None = None
) -> tuple[float, float]:
    """autograd's (dL/dw, dL/db) of the linear model's loss on some of the points, at the start or at (w, b)."""
    X, y, w, b = _big()
    if at is not None:
        w, b = (torch.tensor([[v]], dtype=torch.float64) for v in at)
    w, b = w.clone().requires_grad_(True), b.clone().requires_grad_(True)
    sq = (X[rows] * w + b - y[rows]).pow(2)
    (sq.mean() if loss == "mean" else sq.sum()).backward()
    return w.grad.item(), b.grad.item()


def _stats_loss(slip: str = "") -> float:
    """the summed loss at the points' lstsq solution, straight from the data; or the expanded form with a slip."""
    X, y, _, _ = _big()
    w, b = torch.linalg.lstsq(design_matrix(X), y).solution.flatten().tolist()
    loss = (X * w + b - y).pow(2).sum().item()
    x, t, n = X[:, 0], y[:, 0], len(X)
    if slip == "no S_yy":
        return loss - t.dot(t).item()
    if slip == "b² for N b²":
        return loss - (n - 1) * b * b
    if slip == "single cross terms":
        return (w * w * x.dot(x) + w * b * x.sum() - w * x.dot(t) + n * b * b - b * t.sum() + t.dot(t)).item()
    return loss


def _lstsq_big() -> tuple[float, float]:
    """(w*, b*) of the points of 11, by lstsq."""
    X, y, _, _ = _big()
    w, b = torch.linalg.lstsq(design_matrix(X), y).solution.flatten().tolist()
    return w, b


def _shards_average(scale, divide: float, sizes=(30, 20, 14)) -> tuple[float, float]:
    """sum_k scale(size_k) * (shard k's summed-loss gradient), divided by divide: the ranks' average, or a slip."""
    ends = [0, *np.cumsum(sizes).tolist()]
    parts = [_big_grad("sum", slice(i, j)) for i, j in itertools.pairwise(ends)]
    return tuple(sum(scale(size) * g[k] for size, g in zip(sizes, parts)) / divide for k in (0, 1))


# name -> (call, right answer, [(wrong answer, words its hint must contain), ...])
CASES = {
    "check_design_product": (
        lambda a: ex.check_design_product(a, w=0.2, b=0.3),
        lambda: 0.2 * _X_y()[0] + 0.3,
        [
            (lambda: 0.3 * _X_y()[0] + 0.2, "w and b are swapped"),
            (lambda: 0.2 * _raw() + 0.3, "you used the raw inputs"),
            (lambda: _X_y()[1], "the targets y"),
            (lambda: (0.2 * _X_y()[0] + 0.3).reshape(40), "that is flat"),
            (lambda: torch.cat([0.2 * _X_y()[0], torch.full((40, 1), 0.3)], dim=1), "like A"),
            (lambda: (0.2 * _X_y()[0] + 0.3).T, "the transpose of the expected (40, 1)"),
            (lambda: -(0.2 * _X_y()[0] + 0.3), "wrong sign"),
        ],
    ),
    "check_wrong_line_loss": (
        lambda a: ex.check_wrong_line_loss(a, w=0.2, b=0.3),
        lambda: _line_sse(0.2, 0.3),
        [
            (lambda: _line_sse(0.2, 0.3) / 40, "a mean where a sum belongs"),
            (lambda: _line_sse(0.2, 0.3, raw=True), "you used the raw inputs"),
            (lambda: _line_sse(0.3, 0.2), "w and b are swapped"),
            (lambda: float((0.2 * _X_y()[0] + 0.3 - _X_y()[1]).sum()), "square each residual"),
            (lambda: float((_X_y()[1] - 0.2 * _X_y()[0] - 0.3).sum()), "square each residual"),
            (lambda: math.sqrt(_line_sse(0.2, 0.3)), "square root"),
            (lambda: 0.0, "the loss of the true line"),
        ],
    ),
    "check_rescaled_line": (
        lambda a: ex.check_rescaled_line(*a, divisor=1000),
        lambda: (0.175 * 1000 / 100, float(np.mean(RAW_X)) / 1000),
        [
            (lambda: (0.175 * 1000 / 100 / 100, 0.5), "you divided the slope"),
            (lambda: (0.175, 0.5), "slope per unit of x = raw / 100"),
            (lambda: (0.00175, 0.5), "slope per raw unit"),
            (lambda: (1.75, float(np.mean(RAW_X)) / 100), "mean of x = raw / 100"),
            (lambda: (1.75, float(np.mean(RAW_X))), "mean of the raw inputs"),
            (lambda: (1.75, float(np.mean(RAW_X)) / 10), "you multiplied where a division belongs"),
            (lambda: (1.75 * (1 + 2e-3), 0.5), "close, but not within"),
        ],
    ),
    "check_float32_spacing": (
        lambda a: ex.check_float32_spacing(a, value=0.4),
        lambda: 2.0**-2 * 2.0**-23,  # 0.4 lies in [2^-2, 2^-1); float32 has 23 fraction bits
        [
            (lambda: 2.0**-3 * 2.0**-23, "spacing next to 0.175"),
            (lambda: 2.0**-2 * 2.0**-52, "float64's spacing"),
            (lambda: 2.0**-23, "float32's eps"),
            (lambda: 0.4 * 2.0**-23, "order of magnitude"),
        ],
    ),
    "check_bad_loss": (
        lambda a: ex.check_bad_loss(a, seed=0),
        _bad_loss,
        [
            (lambda: float(((_numpy_start()[0] - _numpy_start()[1]) ** 2).sum()), "that is the correct loss"),
            (lambda: _bad_loss() / 1600, "mean over all 1,600 pairs"),
            (lambda: 40 * _bad_loss(), "n = 40 times too large"),
            (lambda: _bad_loss(0.175 * _X_y()[0].numpy() + 0.4), "perfect prediction"),
        ],
    ),
    "check_w_numpy": (
        lambda a: ex.check_w_numpy(a, seed=0),
        _w_numpy,
        [
            (lambda: init_params(0)[0], "still a torch.Tensor"),
            (lambda: init_params(0)[0].item(), ".item() gives a Python number"),
            (lambda: init_params(0)[1].numpy(), "that holds b"),
            (lambda: _w_numpy().reshape(1), "shape (1,)"),
            (lambda: np.zeros((1, 1), dtype=np.int64), "dtype int64"),
        ],
    ),
    "check_duplicated_losses": (
        lambda a: ex.check_duplicated_losses(*a, copies=2, w=0.1, b=0.5),
        lambda: _duplicated_losses(2),
        [
            (lambda: (_duplicated_losses(1)[0], 0.0), "the sum over the original 40 points"),
            (lambda: (_duplicated_losses(2)[1], 0.0), "that is the mean loss"),
            (lambda: (_duplicated_losses(2)[0], _duplicated_losses(2)[0] / 40), "now 80"),
            (lambda: (_duplicated_losses(2)[0], _duplicated_losses(2)[1] / 2), "does not change"),
        ],
    ),
    "check_dead_neuron": (
        lambda a: ex.check_dead_neuron(*a),
        lambda: (_X_y()[1].mean().item(), ((_X_y()[1] - _X_y()[1].mean()) ** 2).sum().item()),
        [
            (lambda: (0.4, 0.0), "true line's intercept"),
            (lambda: (_X_y()[0].mean().item(), 0.0), "mean of x"),
            (lambda: (_X_y()[1].mean().item(), _X_y()[1].var(correction=0).item()), "mean of the squared"),
            (lambda: (_X_y()[1].mean().item(), ((_X_y()[1] - 0.4) ** 2).sum().item()), "loss at b = 0.4"),
        ],
    ),
    "check_textbook_order": (
        lambda a: ex.check_textbook_order(a, w=-0.3, seed=0),
        lambda: _order_losses()[0],
        [
            (lambda: _order_losses()[1], "the original's order"),
            (lambda: _order_losses()[2], "plain linear regression"),
            (lambda: _order_losses()[0] / 40, "that is the mean loss"),
        ],
    ),
    "check_origin_grad": (
        lambda a: ex.check_origin_grad(*a, loss="mean"),
        _origin_grad,
        [
            (lambda: (0.0, 0.0), "clamp passes the gradient there"),
            (lambda: (-_origin_grad()[0], 0.0), "wrong sign"),
            (lambda: (-2 * (_X_y()[0].mean() * _X_y()[1].mean()).item(), 0.0), "average the products"),
            (lambda: _origin_grad("sum"), "gradient of the sum loss"),
            (lambda: (_origin_grad()[0], _origin_grad("sum")[1]), "gradient of the sum loss"),
        ],
    ),
    "check_mean_factor": (
        lambda a: ex.check_mean_factor(a, chunks=2),
        lambda: 20 / 40,  # each half's mean divides by 20; the full mean by 40
        [
            (lambda: 2.0, "upside down"),
            (lambda: 1.0, "accumulated means are not the full mean"),
            (lambda: 1 / 40, "already a mean"),
        ],
    ),
    "check_best_step": (
        lambda a: ex.check_best_step(a, seed=0),
        _eta_step,
        [
            (lambda: 2 * _eta_step(), "twice the lowest point"),
            (lambda: 22.625682 / (76.539579**2 + 56.114330**2), "where the tangent"),
            (lambda: 0.496257 / 76.539579, "where w reaches 0"),
            (lambda: 40 * _eta_step(), "the mean loss"),
            (lambda: 1 / _eta_step(), "upside down"),
        ],
    ),
    "check_fixed_loop": (
        lambda a: ex.check_fixed_loop(*a, num_epochs=150, lr=0.001, seed=0),
        lambda: _original_loop(150),
        [
            (lambda: _original_loop(149), "one update short"),
            (lambda: _original_loop(151), "one update too many"),
            (lambda: _original_loop(0), "that is the start"),
            (lambda: (_original_loop(150)[0], 0.4), "the true line"),
            (lambda: (_original_loop(150)[0], 0.5), "not quite"),
        ],
    ),
    "check_updates_guaranteed": (
        lambda a: ex.check_updates_guaranteed(a, tol=1e-6, lr=0.001, seed=0),
        lambda: _guaranteed(_rho(_X_y()[0], 0.001), 1e-6 / _e0().norm().item()),
        [
            (lambda: _guaranteed(_rho(_X_y()[0], 0.001), 1e-6), "ignores where the run starts"),
            (lambda: _guaranteed(_rho(_X_y()[0], 0.001), 1e-6 / _e0().norm().item()) - 1, "round up"),
            (lambda: _guaranteed(abs(1 - 0.001 * _eig(_X_y()[0])[1]), 1e-6 / _e0().norm().item()), "fast direction"),
            (lambda: float(_guaranteed(_rho(_X_y()[0], 0.001), 1e-6 / _e0().norm().item())), "convert it with int"),
        ],
    ),
    "check_lam_min_from_log": (
        lambda a: ex.check_lam_min_from_log(a, lr=0.001, x_seed=1),
        lambda: _eig(uniform_x(40, 1))[0],
        [
            (lambda: (1 - (1 - 0.001 * _eig(uniform_x(40, 1))[0]) ** 2) / 0.001, "quadratic in the error"),
            (lambda: -math.log(1 - 0.001 * _eig(uniform_x(40, 1))[0]) / 0.001, "ln(1 − ηλ) ≈ −ηλ"),
            (lambda: (1 - 1 / (1 - 0.001 * _eig(uniform_x(40, 1))[0])) / 0.001, "upside down"),
            (lambda: 1 - 0.001 * _eig(uniform_x(40, 1))[0], "solve it for λmin"),
            (lambda: _lam()[0], "not a slip"),  # the original data's λmin is not these inputs'
        ],
    ),
    "check_predicted_end": (
        lambda a: ex.check_predicted_end(*a, lr=0.001, num_updates=300, seed=0),
        lambda: _end(300),
        [
            (lambda: (0.175, 0.4), "that is θ*, where the run is heading"),
            (lambda: (0.175 + _rho(_X_y()[0], 0.001) ** 300 * _e0()[0].item(), 0.4), "only its part along v"),
            (lambda: _end(300, e0=-_e0()), "wrong sign"),
            (lambda: _end(301), "one update too many"),
            (lambda: _end(149), "not quite"),  # where the original's 149 updates end: printed before the exercise
        ],
    ),
    "check_updates_per_decade": (
        lambda a: ex.check_updates_per_decade(a, lr=0.001),
        lambda: _per_decade(_rho(_X_y()[0], 0.001)),
        [
            (lambda: 2 * _per_decade(_rho(_X_y()[0], 0.001)), "2 log ρ"),
            (lambda: _per_decade(_rho(_X_y()[0], 0.001)) / math.log(10), "per factor of e"),
            (lambda: round(_per_decade(_rho(_X_y()[0], 0.001))), "rounded"),
            (lambda: _per_decade(abs(1 - 0.001 * _eig(_X_y()[0])[1])), "fast direction"),
        ],
    ),
    "check_valley_floor": (
        lambda a: ex.check_valley_floor(a, lr=0.001, share=0.01, seed=0),
        lambda: _first_below(_across_along(), _floor_q(0.001)),
        [
            (lambda: _first_below(1.0, _floor_q(0.001)), "as much error across the valley as along it"),
            (lambda: _first_below(1 / _across_along(), _floor_q(0.001)), "swapped"),
            (lambda: _first_below(1.0, abs(1 - 0.001 * _eig(_X_y()[0])[1])), "its own start"),
            (lambda: _first_below(_across_along(), _floor_q(0.001)) - 1, "off by one"),
            (lambda: float(_first_below(_across_along(), _floor_q(0.001))), "convert it with int"),
        ],
    ),
    "check_one_step_lr": (
        lambda a: ex.check_one_step_lr(a),
        lambda: 1 / (2 * 40),  # standardised: AᵀA = n I, so H = 2n I and one step of 1/(2n) lands
        [
            (lambda: 2 / (2 * 40), "flips the error's sign without shrinking it"),
            (lambda: 2.0 * 40, "the eigenvalue itself"),
            (lambda: 1 / _eig(_X_y()[0])[1], "before standardising"),
            (lambda: 1 / _eig(_standardised(correction=1))[0], "sample standard deviation"),
            (lambda: 1 / 2, "mean loss"),
        ],
    ),
    "check_mean_rates": (
        lambda a: ex.check_mean_rates(*a),
        lambda: (_limit(_X_y()[0], "mean"), 2 / sum(_eig(_X_y()[0], "mean"))),
        [
            (lambda: (_limit(_X_y()[0]), 0.0), "limit for the sum loss"),
            (lambda: (2 / _eig(_X_y()[0], "mean")[0], 0.0), "uses λmin"),
            (lambda: (_limit(_X_y()[0], "mean"), 2 / sum(_eig(_X_y()[0]))), "fastest rate for the sum loss"),
            (lambda: (_limit(_X_y()[0], "mean"), _limit(_X_y()[0], "mean")), "stability limit again"),
            (lambda: (_limit(_X_y()[0], "mean"), 1 / _eig(_X_y()[0], "mean")[1]), "balance the two factors"),
        ],
    ),
    "check_dead_threshold": (
        lambda a: ex.check_dead_threshold(a, seed=4),
        lambda: _threshold(4),
        [
            (lambda: _threshold(0), "threshold from seed 0"),
            (lambda: 1 / _threshold(4), "upside down"),
            (lambda: _start_grads(4)[1] / _start_grads(4)[3], "uses b and its gradient"),
            (lambda: _threshold(4, "mean"), "gradient of the mean loss"),
            (lambda: _limit(_X_y()[0]), "stability limit"),
        ],
    ),
    "check_fastest_count": (
        lambda a: ex.check_fastest_count(a, tol=1e-6, seed=0),
        lambda: _counts()[1],
        [
            (lambda: _counts(target=1e-6)[1], "ignores where the run starts"),
            (lambda: _counts()[1] - 1, "round up"),
            (lambda: _counts()[1] + 1, "off by one"),
            (lambda: _counts()[0], "the original's η = 0.001"),
            (lambda: _counts(square=True)[1], "uses ρ²"),
            (lambda: _guaranteed(_rho(_X_y()[0], 1 / _eig(_X_y()[0])[1]), 1e-6 / _e0().norm().item()), "1/λmax"),
            (lambda: float(_counts()[1]), "convert it with int"),
        ],
    ),
    "check_best_divisor": (
        lambda a: ex.check_best_divisor(a),
        _best_divisor,
        [
            (lambda: 100.0, "01_data.ipynb chose"),
            (lambda: sum(RAW_X) / len(RAW_X), "the mean of x / s equal to 1"),
            (lambda: float(np.std(RAW_X)), "standard deviation"),
            (lambda: max(RAW_X), "into [0, 1]"),
            (lambda: _cond(_raw_x() / _best_divisor()), "the smallest κ itself"),
            (lambda: _best_divisor() * 1.003, "close, but not within"),
        ],
    ),
    "check_forgotten_zero_grad": (
        lambda a: ex.check_forgotten_zero_grad(a, lr=0.001, seed=0),
        lambda: _loop(steps=2, lr=0.001, reduction="sum", zero_grad=False).weight.item(),
        [
            (lambda: _loop(steps=2, lr=0.001, reduction="sum").weight.item(), "the correct loop"),
            (lambda: _loop(steps=1, lr=0.001, reduction="sum").weight.item(), "after the first update"),
            (lambda: _loop(steps=2, lr=0.001, zero_grad=False).weight.item(), "uses the mean loss"),
            (lambda: _loop(steps=2, lr=0.001, reduction="sum", zero_grad=False).bias.item(), "looks like b"),
            (lambda: _loop(steps=2, lr=0.001, reduction="sum", zero_grad=False).weight.item() * 1.003, "close, but"),
        ],
    ),
    "check_mean_loop": (
        lambda a: ex.check_mean_loop(a, lr_sum=0.001, num_updates=149, seed=0),
        _loop,
        [
            (lambda: _loop(steps=150), "one update too many"),
            (lambda: _loop(steps=148), "one update too few"),
            (lambda: _loop(lr=0.001), "the sum's learning rate"),
            (lambda: _loop(zero_grad=False), "never zeroes the gradients"),
            (lambda: _loop(reduction="sum"), "diverged"),
            (lambda: _loop(dtype=torch.float32), "float32"),
            (lambda: nn.Linear(1, 1, dtype=torch.float64), "Check the start"),
            (lambda: nn.Linear(2, 1, dtype=torch.float64), "nn.Linear(1, 1) has (1, 1) and (1,)"),
        ],
    ),
    "check_num_updates": (
        lambda a: ex.check_num_updates(a, n=40, batch_size=7, num_epochs=25),
        lambda: math.ceil(40 / 7) * 25,
        [
            (lambda: 40 // 7 * 25, "drop_last"),
            (lambda: math.ceil(40 * 25 / 7), "every epoch starts a fresh pass"),
            (lambda: math.ceil(40 / 7), "the count for one epoch"),
            (lambda: math.ceil(40 / 7) * 25 + 1, "off by one"),
            (lambda: 40 * 25 / 7, "fractional part"),
        ],
    ),
    "check_normal_equations": (
        lambda a: ex.check_normal_equations(*a),
        _quad_gram,
        [
            (lambda: (2 * _quad_gram()[0], _quad_gram()[1]), "Hessian"),
            (lambda: (_quad_gram()[0].flip(0, 1), _quad_gram()[1]), "order [1, x, x²]"),
            (lambda: (_quad_gram()[0], _quad_gram()[1].flip(0)), "Aty has the columns of A in the order [1, x, x²]"),
            (lambda: (torch.ones(40, 40, dtype=torch.float64), _quad_gram()[1]), "that is A Aᵀ"),
            (lambda: _gram(), "that is the line's"),
            (lambda: (_quad_gram()[0], _gram()[1]), "that is the line's"),
            (lambda: (_quad_gram()[0], _quad_gram()[1].reshape(3)), ".reshape(3, 1)"),
            (lambda: (_quad_gram()[0] / 40, _quad_gram()[1]), "n = 40 times too small"),
        ],
    ),
    "check_prediction": (
        lambda a: ex.check_prediction(a, raw_x=250.0),
        lambda: 0.175 * 2.5 + 0.4,
        [
            (lambda: 0.175 * 250 + 0.4, "divide it by 100"),
            (lambda: 0.4 * 2.5 + 0.175, "swapped w and b"),
            (lambda: 0.175 * 2.5, "the bias b is missing"),
        ],
    ),
    "check_slope_through_origin": (
        lambda a: ex.check_slope_through_origin(a),
        lambda: torch.linalg.lstsq(_X_y()[0], _X_y()[1]).solution.item(),  # A = x alone: no column of ones
        [
            (lambda: 0.175, "the line with a bias"),
            (lambda: (_X_y()[1].mean() / _X_y()[0].mean()).item(), "point of means"),
            (lambda: (_X_y()[1] / _X_y()[0]).mean().item(), "averages the slopes"),
            (lambda: 1 / torch.linalg.lstsq(_X_y()[0], _X_y()[1]).solution.item(), "upside down"),
        ],
    ),
    "check_prediction_se": (
        lambda a: ex.check_prediction_se(a, sigma=0.05, raw_x=200.0),
        _pred_se,
        [
            (lambda: _pred_se(cov=False), "the covariance of ŵ and b̂ is missing"),
            (lambda: _pred_se() ** 2, "the variance"),
            (lambda: _pred_se(x0=200.0), "divide it by 100"),
            (lambda: math.sqrt(0.05**2 + _pred_se() ** 2), "noise σ² of a new measurement"),
            (lambda: _pred_se() / math.sqrt(2), "Hessian"),
            (lambda: 0.05 / math.sqrt(40), "σ/√n"),
        ],
    ),
    "check_sigma_hat": (
        lambda a: ex.check_sigma_hat(a, sigma=0.05, seed=0),
        lambda: math.sqrt(_residual_sse()[0] / 38),
        [
            (lambda: math.sqrt(_residual_sse()[0] / 40), "you divided by n"),
            (lambda: math.sqrt(_residual_sse()[0] / 39), "n − 1 corrects for one"),
            (lambda: _residual_sse()[0] / 38, "take its square root"),
            (lambda: math.sqrt(_residual_sse()[1] / 38), "residuals are from the true line"),
            (lambda: 0.05, "the σ the data was made with"),
        ],
    ),
    "check_fresh_mse": (
        lambda a: ex.check_fresh_mse(a, sigma=0.05, n=40),
        lambda: 0.05**2 * 42 / 40,  # σ² (the fresh noise) + 2σ²/n (the fitted values' own error, p = 2)
        [
            (lambda: 0.05**2 * 38 / 40, "the expected training loss"),
            (lambda: 0.05**2, "expected loss of the true line"),
            (lambda: 2 * 0.05**2 / 40, "own error alone"),
            (lambda: 0.05**2 * 41 / 40, "off by one"),
            (lambda: 0.05**2 * 40 / 38, "n/(n − 2)"),
            (lambda: 0.05 * 42 / 40, "σ enters squared"),
            (lambda: 0.05**2 * 42, "n = 40 times too large"),
        ],
    ),
    "check_floor_seconds": (
        lambda a: ex.check_floor_seconds(a, n=10**7, bandwidth=2e10),
        lambda: 2 * 8 * 10**7 / 2e10,  # x and y, 8 bytes each in float64, over 2e10 bytes per second
        [
            (lambda: 8 * 10**7 / 2e10, "half the bytes"),
            (lambda: 2 * 8 * 10**7 / 2e10 * 1e3, "milliseconds"),
            (lambda: 2 * 64 * 10**7 / 2e10, "counts bits"),
            (lambda: 2 * 8 * 10**7 / (20 * 2**30), "10^9 bytes"),
            (lambda: 2 * 8 * 10**6 / 2e10, "10 times too small"),
        ],
    ),
    "check_stats_loss": (
        lambda a: ex.check_stats_loss(a, n=100_000, seed=0),
        _stats_loss,
        [
            (lambda: _stats_loss("no S_yy"), "S_yy is missing"),
            (lambda: _stats_loss("b² for N b²"), "N b², not b²"),
            (lambda: _stats_loss("single cross terms"), "each cross term of the square comes twice"),
            (lambda: (_big()[0] * _big()[2] + _big()[3] - _big()[1]).pow(2).sum().item(), "loss at the start"),
            (lambda: 100_000 * 0.05**2, "N σ²"),
            (lambda: _stats_loss() / 100_000, "a mean where a sum belongs"),
            (lambda: _stats_loss() * (1 + 2e-3), "close, but not within"),
        ],
    ),
    "check_shard_average": (
        lambda a: ex.check_shard_average(*a, shards=(30, 20, 14), n=100_000, seed=0),
        lambda: _big_grad("mean", slice(0, 64)),
        [
            (lambda: _shards_average(lambda size: 1 / size, 3), "each shard's own mean"),
            (lambda: _shards_average(lambda size: 3 / 64, 1), "divide by K"),
            (lambda: _big_grad("sum", slice(0, 64)), "batch's summed loss"),
            (lambda: _shards_average(lambda size: 1 / 64, 3), "not 1/B"),
            (lambda: _big_grad("mean"), "all 100,000 points"),
            (lambda: _big_grad("mean", slice(0, 64), at=(0.2, 0.3)), "not at (0.2, 0.3)"),
            (lambda: _big_grad("mean", slice(0, 64), at=_lstsq_big()), "not at the least-squares θ*"),
        ],
    ),
}

PAIRED = {
    "check_normal_equations",
    "check_rescaled_line",
    "check_duplicated_losses",
    "check_dead_neuron",
    "check_origin_grad",
    "check_fixed_loop",
    "check_predicted_end",
    "check_mean_rates",
    "check_shard_average",
}  # checkers of two answers
MISTAKES = [(name, i) for name, (_, _, wrong) in CASES.items() for i in range(len(wrong))]
GARBAGE = {
    "None": None, "str": "0.5", "list": [0.5], "dict": {"w": 1.0}, "bool": True, "NaN": float("nan"),
    "inf": float("inf"), "tensor (3, 3)": torch.zeros(3, 3), "int tensor": torch.tensor([1, 2]),
    "numpy array": np.zeros((2, 2)), "object": object(),
}  # fmt: skip


def _one_line(capsys) -> str:
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.endswith("\n"), f"not one line: {out!r}"
    return out[:-1]


def test_every_exported_checker_is_tested_here():
    exported = {name for name in ex.__all__ if name.startswith("check_")}
    assert exported == set(CASES)


@pytest.mark.parametrize("name", list(CASES))
def test_the_right_answer_is_correct(name, capsys):
    call, right, _ = CASES[name]
    verdict = call(right())
    assert verdict == Verdict(True, "correct") and bool(verdict)
    assert _one_line(capsys) == "✓ correct"


@pytest.mark.parametrize("name, i", MISTAKES)
def test_a_typical_mistake_gets_its_hint(name, i, capsys):
    call, _, wrong = CASES[name]
    answer, words = wrong[i]
    verdict = call(answer())
    assert not verdict and words in verdict.message, verdict.message
    assert _one_line(capsys) == f"✗ {verdict.message}"


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("kind", list(GARBAGE))
def test_garbage_gets_a_clear_message_and_never_a_traceback(name, kind, capsys):
    call = CASES[name][0]
    answer = GARBAGE[kind]
    verdict = call((answer, answer) if name in PAIRED else answer)
    line = _one_line(capsys)
    assert not verdict and line.startswith("✗ ")
    assert "could not check" not in verdict.message, f"{kind}: a generic message, not a clear one"
    if kind in ("None", "str", "list", "dict", "object"):
        assert f"got {kind}" in verdict.message or "got None" in verdict.message


def test_garbage_messages_say_what_was_expected():
    assert ex.check_prediction("0.8").message == (
        "expected a float (a number) for your prediction, got str: write the number without quotes"
    )
    assert "got None: did a function forget to return" in ex.check_sigma_hat(None).message
    assert "use .item()" in ex.check_fresh_mse(torch.tensor(0.002)).message
    assert "got a float: convert it with int(...)" in ex.check_num_updates(150.0).message
    assert "NaN or inf" in ex.check_prediction_se(float("nan")).message
    assert "transpose of the expected (3, 1)" in ex.check_normal_equations(*_quad_gram()[:1], _quad_gram()[1].T).message
    assert "got a torch.Tensor of shape (40, 1)" in ex.check_fresh_mse(torch.zeros(40, 1)).message
    bad = _loop()
    with torch.no_grad():
        bad.bias.fill_(float("nan"))
    assert "diverged" in ex.check_mean_loop(bad).message


def test_bad_task_parameters_give_a_verdict_too():
    assert not ex.check_prediction_se(0.01, sigma=-1.0) and not ex.check_prediction_se(0.01, raw_x=math.nan)
    assert not ex.check_num_updates(6, batch_size=0)  # the DataLoader rejects it; the checker does not raise
    assert not ex.check_floor_seconds(0.008, bandwidth=0)
    assert not ex.check_shard_average(1.0, 1.0, shards=())


def _digit_strings(value) -> set[str]:
    """ways a message could spell an expected value: several roundings of each entry (counts: the number)."""
    values = (
        value.flatten().tolist() if isinstance(value, torch.Tensor) else value if isinstance(value, list) else [value]
    )
    out = set()
    for v in values:
        if float(v).is_integer():  # a count (n = 40 inside A^T A is a shape, and may be named)
            out |= {str(int(v))} if abs(v) >= 10 and not isinstance(value, torch.Tensor) else set()
            continue
        out |= {s for s in (f"{v:.3f}", f"{v:.4g}", f"{v:.3g}", f"{v:.2e}") if sum(c in "123456789" for c in s) >= 2}
    return out


@pytest.mark.parametrize("name", list(CASES))
def test_no_message_reveals_the_expected_value(name, capsys):
    call, right, wrong = CASES[name]
    expected = right()
    if isinstance(expected, nn.Module):  # the loop's answer is the model; its expected values are its parameters
        expected = torch.cat([expected.weight.detach().reshape(1), expected.bias.detach().reshape(1)])
    elif isinstance(expected, tuple) and all(isinstance(t, int) for t in expected):
        expected = list(expected)  # two counts: each is spelled as the number it is
    elif isinstance(expected, tuple):
        expected = torch.cat([torch.as_tensor(t, dtype=torch.float64).flatten() for t in expected])
    elif isinstance(expected, np.ndarray):
        expected = torch.from_numpy(expected)
    messages = [call(answer()).message for answer, _ in wrong]
    messages += [call((g, g) if name in PAIRED else g).message for g in GARBAGE.values()]
    capsys.readouterr()
    spelled = _digit_strings(expected)
    assert spelled
    for message in messages:
        leaked = [s for s in spelled if s in message]
        assert not leaked, f"{message!r} shows {leaked}"


# ---------------------------------------------------------------- the shared machinery


def test_verdict_is_a_small_frozen_value():
    v = Verdict(False, "hint")
    assert str(v) == "✗ hint" and str(Verdict(True, "correct")) == "✓ correct"
    assert not v and Verdict(True, "correct")
    with pytest.raises(AttributeError):
        v.ok = True  # type: ignore[misc]
    assert v._ipython_display_() is None  # the checker printed it already; a notebook shows nothing more


def test_generic_slips_need_no_setup(capsys):
    e = 0.3
    cases = {
        2 * e: "twice too large",
        e / 2: "half of what it should be",
        -e: "wrong sign",
        40 * e: "n = 40 times too large",
        e / 40: "n = 40 times too small",
        100 * e: "100 times too large",
        e * e: "looks squared",
        math.sqrt(e): "square root",
        e * (1 + 1e-4): "close, but not within",
        e * 1.3: "not a slip this check recognises",
        e * 0.7: "not a slip this check recognises",
    }
    for answer, words in cases.items():
        assert words in compare_number(answer, e, n=40, rtol=1e-9).message
    assert compare_number(e, e)


def test_no_direction_for_an_arbitrary_number_so_no_bisection():
    """above and below the answer, by any amount outside the named slips, get the same message."""
    e = 0.0089628
    above = {compare_number(e * f, e).message for f in (1.003, 1.3, 1.7, 3.3)}
    below = {compare_number(e / f, e).message for f in (1.003, 1.3, 1.7, 3.3)}
    assert above == below
    assert not any(("large" in m or "small" in m) for m in above)


def test_the_default_tolerance_accepts_four_printed_significant_digits():
    """0.0089628, 1.4015, 0.004995, 49.93: each rounded print of a value is accepted by default."""
    for true in (0.008962820, 1.401549, 0.0049954, 49.9349, 0.0247324, 0.9861312):
        printed = float(f"{true:.4g}")
        assert compare_number(printed, true), (printed, true)
        assert not compare_number(true * 1.002, true)  # 0.2 % off is not four digits


def test_tensor_slips_and_shapes():
    e = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    assert "is transposed" in compare_tensor(e.T.clone(), e).message
    one_off = e + torch.tensor([[0.0, 5.0], [0.0, 0.0]], dtype=torch.float64)
    assert "1 of the 4 entries of your answer is off" in compare_tensor(one_off, e).message
    assert "shape (4,), expected (2, 2)" in compare_tensor(e.flatten(), e).message
    assert "shape (3,), expected (2, 2)" in compare_tensor(torch.ones(3), e).message
    assert "expected torch.float64" in compare_tensor(e.float(), e, dtype=torch.float64).message
    assert "floating dtype" in compare_tensor(e.long(), e).message
    v = torch.tensor([[1.0], [2.0]], dtype=torch.float64)
    assert "two entries the wrong way round" in compare_tensor(v.flip(0), v).message
    assert compare_tensor(e.clone().requires_grad_(True), e)  # a tensor that needs grad is fine


def test_counts_are_exact_and_name_off_by_one():
    assert compare_count(12, 12) and not compare_count(13, 12)
    assert "one too many" in compare_count(13, 12).message and "one too few" in compare_count(11, 12).message
    assert "negative" in compare_count(-1, 12).message
    assert compare_count(np.int64(12), 12)  # numpy ints are ints


def test_a_checker_is_written_in_a_few_lines(capsys):
    @checker
    def check_double(answer: object, x: float = 3.0) -> Verdict:
        return compare_number(answer, 2 * x, mistakes=[Mistake(x + 2, "you added 2 instead of doubling")])

    assert check_double(6.0) and capsys.readouterr().out == "✓ correct\n"
    assert check_double(5.0).message == "you added 2 instead of doubling"

    @checker
    def check_broken(answer: object) -> Verdict:
        raise KeyError("a bug in the checker")

    verdict = check_broken(1.0)  # even a broken checker answers with a line, not a traceback
    assert not verdict and verdict.message.startswith("could not check this (KeyError)")


def test_every_solution_cell_that_calls_a_checker_shows_correct():
    found = 0
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" not in cell.metadata.get("tags", []) or "check_" not in cell.source:
                continue
            text = "".join(out.get("text", "") for out in cell.get("outputs", []))
            assert "✓ correct" in text and "✗" not in text, f"{path.name}: a solution cell is not accepted"
            found += 1
    assert found >= 34  # three in each of 01 to 04 and 06 to 11; four in 05


@pytest.mark.parametrize("name", sorted(PAIRED))
def test_one_tuple_for_a_two_answer_checker_says_how_to_call_it(name, capsys):
    call = getattr(ex, name)
    verdict = call((0.5, 0.5))
    assert not verdict and verdict.message.startswith("this checker takes two answers: " + name + "(")
    assert verdict.message.endswith("), not one tuple of them") and _one_line(capsys) == f"✗ {verdict.message}"
    assert call([0.5, 0.5]).message.endswith("not one list of them")


def test_a_call_that_does_not_fit_names_the_answers():
    assert ex.check_shard_average((1.0, 2.0)).message == (
        "this checker takes two answers: check_shard_average(dw, db), not one tuple of them"
    )
    assert ex.check_num_updates().message == "this checker takes one answer: check_num_updates(answer)"
    assert ex.check_num_updates(6, 40, 7, 25, 1).message == "this checker takes one answer: check_num_updates(answer)"
    assert ex.check_origin_grad(1.0).message == "this checker takes two answers: check_origin_grad(dw, db)"
    assert "could not check" in ex.check_num_updates(6, batch_size=0).message  # a call that fits is checked as before
