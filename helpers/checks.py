"""Argument checks shared by every helper: fail fast, name the argument, say what was expected."""

from __future__ import annotations

import math
import numbers

import torch

ACTIVATIONS = ("relu", "none")
MAX_SEED = 2**64 - 1  # torch.Generator.manual_seed takes 0 .. 2**64 - 1
LOSSES = ("sum", "mean")


FLOATS = (torch.float32, torch.float64)  # float16 and bfloat16 round the data too coarsely; complex has no order


def _check_holds_values(name: str, t: torch.Tensor) -> None:
    """meta tensors have a shape and a dtype but no values: nothing can be computed from them."""
    if t.is_meta:
        raise ValueError(
            f"{name} is a meta tensor (device 'meta'), which holds no values; expected a tensor on 'cpu' or 'cuda'"
        )


def check_matrix(name: str, t: object, n: int | None = None) -> torch.Tensor:
    """check that t is a finite float32 or float64 tensor of shape (n, 1), with values (not on device 'meta')."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (n, 1), got {type(t).__name__}")
    if t.dtype not in FLOATS:
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {t.dtype}")
    if t.dim() != 2 or t.shape[1] != 1:
        raise ValueError(f"{name} must have shape (n, 1), got {tuple(t.shape)}")
    if n is not None and t.shape[0] != n:
        raise ValueError(f"{name} must have {n} rows to match X, got {t.shape[0]}")
    if t.shape[0] == 0:
        raise ValueError(f"{name} must have at least one row, got shape {tuple(t.shape)}")
    _check_holds_values(name, t)
    if math.isfinite(t.detach().sum().item()):  # NaN and inf spread into the sum: one read, no copy of t
        return t
    bad = ~torch.isfinite(t.detach())  # the sum was not finite: find the culprit (or an overflow of finite values)
    if bool(bad.any()):
        i = int(bad.nonzero()[0, 0])
        first = t[i, 0].item()
        raise ValueError(
            f"{name} must be finite, got {int(bad.sum())} NaN or inf value(s), the first at row {i}: {first}"
        )
    return t


def check_data(X: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """check a data pair X: (n, 1), y: (n, 1) of one floating dtype on one device."""
    X = check_matrix("X", X)
    y = check_matrix("y", y, n=X.shape[0])
    if X.dtype != y.dtype:
        raise TypeError(f"X and y must share a dtype, got X: {X.dtype} and y: {y.dtype}")
    if X.device != y.device:
        raise ValueError(f"X and y must be on one device, got X on {X.device} and y on {y.device}")
    return X, y


def check_prediction(y_hat: object, y: object) -> tuple[torch.Tensor, torch.Tensor]:
    """check y_hat: (n, 1) and y: (n, 1): an (n,) y_hat would broadcast y - y_hat to (n, n) without a word."""
    y_hat = check_matrix("y_hat", y_hat)
    y = check_matrix("y", y, n=y_hat.shape[0])
    if y.device != y_hat.device:
        raise ValueError(f"y_hat and y must be on one device, got y_hat on {y_hat.device} and y on {y.device}")
    return y_hat, y


def check_dtype(dtype: object, name: str = "dtype") -> torch.dtype:
    """check that dtype is torch.float32 or torch.float64 (an integer one would truncate the data, float16 round it)."""
    if not isinstance(dtype, torch.dtype) or dtype not in FLOATS:
        raise TypeError(f"{name} must be a floating torch.dtype (torch.float32 or torch.float64), got {dtype!r}")
    return dtype


def check_device(device: object, name: str = "device") -> torch.device | None:
    """check that device is None, a torch.device or a name like "cpu" or "cuda:0" that this machine has.

    -> torch.device, or None (None means: where the data already are).
    """
    if device is None:
        return None
    if not isinstance(device, (str, torch.device)):
        raise TypeError(f"{name} must be a torch.device or a name such as 'cpu' or 'cuda', got {device!r} "
                        f"({type(device).__name__})")  # fmt: skip
    try:
        device = torch.device(device)
    except RuntimeError:
        raise ValueError(f"{name} must name a device such as 'cpu' or 'cuda:0', got {device!r}") from None
    if device.type == "meta":
        raise ValueError(f"{name} must hold values; 'meta' holds none: expected a device such as 'cpu' or 'cuda'")
    try:
        torch.empty(0, device=device)
    except (RuntimeError, AssertionError) as e:  # no CUDA build, no driver, no such device index
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"{name} {str(device)!r} is not available on this machine: {reason}") from None
    return device


def check_seed(seed: object, name: str = "seed") -> int:
    """check a seed for torch.Generator.manual_seed: an int in [0, 2**64 - 1] (not a float, not a bool)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative int, got {seed!r} ({type(seed).__name__})")
    if not 0 <= int(seed) <= MAX_SEED:
        raise ValueError(f"{name} must be an int in [0, 2**64 - 1], got {seed}")
    return int(seed)


def check_param(name: str, t: object, device: torch.device | None = None) -> torch.Tensor:
    """check a (1, 1) finite float32 or float64 parameter tensor, with a value (not on device 'meta')."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor of shape (1, 1), got {type(t).__name__}")
    if t.dtype not in FLOATS:
        raise TypeError(f"{name} must have a floating dtype (float32 or float64), got {t.dtype}")
    if tuple(t.shape) != (1, 1):
        raise ValueError(f"{name} must have shape (1, 1), got {tuple(t.shape)}")
    _check_holds_values(name, t)
    if not bool(torch.isfinite(t.detach()).all()):
        raise ValueError(f"{name} must be finite, got {t.item()}")
    if device is not None and t.device != device:
        raise ValueError(f"{name} must be on the data's device {device}, got {t.device}")
    return t


def check_lr(lr: object, name: str = "lr") -> float:
    """check a learning rate: a real number, finite and > 0."""
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real):
        raise TypeError(f"{name} must be a positive number, got {lr!r} ({type(lr).__name__})")
    lr = float(lr)
    if not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {lr!r}")
    return lr


def check_count(n: object, name: str = "num_updates") -> int:
    """check a count of updates: an int >= 0 (not a float, not a bool)."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative int, got {n!r} ({type(n).__name__})")
    if n < 0:
        raise ValueError(f"{name} must be >= 0, got {n}")
    return int(n)


def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """check that value is one of the allowed strings."""
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; got {value!r}")
    return str(value)


CHUNK = 1 << 16  # rows per block where a pass over the data goes block by block: a block of x, y and r fits in cache


def check_training(
    lr: object, num_updates: object, loss: object, activation: object, method: object, methods: tuple[str, ...],
    on_divergence: object, log_every: object,
) -> tuple[float, int]:  # fmt: skip
    """check train's arguments besides the data and the parameters.  -> lr, num_updates"""
    lr, num_updates = check_lr(lr), check_count(num_updates)
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    check_choice("method", method, methods)
    check_choice("on_divergence", on_divergence, ("raise", "record"))
    if log_every is not None and check_count(log_every, "log_every") == 0:
        raise ValueError("log_every must be >= 1 or None, got 0")
    return lr, num_updates


def check_grad_args(
    X: object, y: object, w: object, b: object, loss: object, activation: object
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """check grad's arguments.  -> X, y, w, b detached (no graph is recorded), w and b in X's dtype"""
    X, y = check_data(X, y)
    w, b = check_param("w", w, X.device), check_param("b", b, X.device)
    check_choice("loss", loss, LOSSES)
    check_choice("activation", activation, ACTIVATIONS)
    return X.detach(), y.detach(), w.detach().to(X.dtype), b.detach().to(X.dtype)


def check_sigma(sigma: object) -> float:
    """check a noise level: a real number, finite and >= 0."""
    if isinstance(sigma, bool) or not isinstance(sigma, numbers.Real):
        raise TypeError(f"sigma must be a finite number >= 0, got {sigma!r} ({type(sigma).__name__})")
    if not (float(sigma) >= 0 and math.isfinite(sigma)):
        raise ValueError(f"sigma must be a finite number >= 0, got {sigma!r}")
    return float(sigma)


def check_noise(y: torch.Tensor, sigma: float, dtype: torch.dtype) -> None:
    """raise unless the noisy y, computed in float64, fits dtype."""
    if not bool(torch.isfinite(y.to(dtype)).all()):
        raise ValueError(f"sigma = {sigma!r} is too large: the noisy y overflows {_dtype_name(dtype)}")


MAX_POINTS = 2**40  # rows uniform_x may draw: 8 TB of float64, past any machine, yet far below int64's limit


def check_uniform(n: object, low: object, high: object) -> int:
    """check uniform_x's arguments: 1 <= n <= MAX_POINTS, low < high, both finite.  -> n"""
    n = check_count(n, "n")
    if n == 0:
        raise ValueError("n must be >= 1, got 0")
    if n > MAX_POINTS:
        raise ValueError(f"n must be at most 2**40 (8 TB of float64), got {n}")
    finite = all(isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v) for v in (low, high))
    if not (finite and low < high and math.isfinite(high - low)):  # type: ignore[operator]
        raise ValueError(f"low and high must be finite numbers with low < high, got low={low!r}, high={high!r}")
    return n


# Numeric guards for helpers.solve: data far from 1 in size are scaled by powers of two (exact) before their
# squares are formed, and a fit or an eigenvalue that the data's own rounding, or the dtype's range, makes
# meaningless is refused with a message that says why.

SAFE_EXPONENT = {torch.float32: 30, torch.float64: 250}  # data within 2**-e .. 2**e is used as it is, unscaled
TRUST = 1e-3  # refuse when one rounding error in x could move the answer by more than this, relative


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).replace("torch.", "")


def check_spread(X: torch.Tensor) -> tuple[float, float]:
    """raise unless X holds two different values; tested on X itself, as a rounded mean(x) hides equal x's.

    -> (min x, max x), found in the same pass.
    """
    low, high = (float(v) for v in X.aminmax())
    if high == low:
        raise ValueError(f"X must hold at least two different values to fit a line, got all x = {X[0, 0].item()}")
    return low, high


def _exponent(low: float, high: float, dtype: torch.dtype) -> int:
    """k such that values up to max(|low|, |high|) scaled by 2**-k lie in [0.5, 1); 0 if they need no scaling."""
    m = max(abs(low), abs(high))
    k = math.frexp(m)[1]
    return 0 if m == 0.0 or abs(k) <= SAFE_EXPONENT[dtype] else k


def _times_pow2(t: torch.Tensor, k: int) -> torch.Tensor:
    """t * 2**k, exact barring underflow: in two factors, as 2**k alone may not fit a float (|k| up to 1100)."""
    return t if k == 0 else t * 2.0 ** (k // 2) * 2.0 ** (k - k // 2)


def _sci(m: float, k: int) -> str:
    """m * 2**k to 3 digits, as 1.23e+456 where it lies past float64's range."""
    try:
        value = math.ldexp(m, k)
        if m == 0.0 or abs(value) >= torch.finfo(torch.float64).tiny:
            return f"{value:.3g}"
    except OverflowError:
        pass
    exponent10 = math.log10(abs(m)) + k * math.log10(2.0)
    e = math.floor(exponent10)
    mantissa = float(f"{math.copysign(10.0 ** (exponent10 - e), m):.3g}")
    if abs(mantissa) >= 10.0:  # 9.9996 rounded up
        mantissa, e = mantissa / 10.0, e + 1
    return f"{mantissa:g}e{e:+03d}"


def _condition(mean: float, sxx: float, n: int) -> float:
    """the condition number of the design matrix [x, 1] with each column scaled to length 1.

    mean, sxx: mean(x) and sum (x - mean)^2, in one scale. Its Gram matrix is [[1, c], [c, 1]] with
    c = mean / rms(x), so the condition number is sqrt((1 + |c|) / (1 - |c|)) = (1 + |c|) rms / sd,
    formed from the centred variance, not by cancellation.
    """
    var = sxx / n
    if not var > 0.0:
        return math.inf
    rms = math.sqrt(mean * mean + var)
    return (1.0 + abs(mean) / rms) * rms / math.sqrt(var)


def check_trust(mean: float, sxx: float, n: int, k: int, dtype: torch.dtype) -> None:
    """raise unless one rounding error of dtype in x moves the line by at most TRUST, relative.

    mean, sxx: of x * 2**-k. The error of w is about eps * condition (the data's own rounding, before any
    arithmetic), so a condition number past TRUST / eps leaves fewer than 3 digits that mean anything.
    """
    cond = _condition(mean, sxx, n)
    eps = torch.finfo(dtype).eps
    if cond * eps <= TRUST:
        return
    spread = math.sqrt(max(sxx, 0.0) / n)
    raise ValueError(
        f"X is too ill-conditioned to trust: the condition number of [x, 1] (columns scaled to length 1) is "
        f"{cond:.3g}, so one rounding error of {_dtype_name(dtype)} (eps {eps:.2g}) in x can move the line by "
        f"{cond * eps:.2g} relative, more than the {TRUST:g} trusted; the spread of x, {_sci(spread, k)}, is too "
        f"small next to its mean, {_sci(mean, k)}: centre or rescale x"
    )


def _in_range(name: str, m: float, k: int, dtype: torch.dtype, scale: int | None = None) -> float:
    """m * 2**k as a float that fits dtype, or a ValueError naming name if it overflows dtype, or underflows it
    while its natural size 2**scale (if given) is itself below dtype's smallest normal number."""
    info = torch.finfo(dtype)
    try:
        value = math.ldexp(m, k)
    except OverflowError:
        value = math.inf
    if not abs(value) <= info.max:
        raise ValueError(f"{name} = {_sci(m, k)} overflows {_dtype_name(dtype)} (its largest number is {info.max:.3g})")
    if scale is not None and m != 0.0 and math.ldexp(1.0, scale) < info.tiny:
        raise ValueError(
            f"{name} = {_sci(m, k)} underflows {_dtype_name(dtype)} (its smallest normal number is {info.tiny:.3g})"
        )
    return value


def check_fit_data(X: object, y: object) -> tuple[torch.Tensor, torch.Tensor, int, int]:
    """check closed_form's data and scale it: -> X * 2**-kx, y * 2**-ky, kx, ky.

    Data far from 1 in size (past 2**30 or below 2**-30 in float32, 2**250 in float64) are scaled by powers of
    two, which is exact, so their squares neither overflow nor underflow; ordinary data come back as they are
    (kx = ky = 0, no copy).
    """
    X, y = check_data(X, y)
    kx = _exponent(*check_spread(X), X.dtype)
    y_low, y_high = (float(v) for v in y.aminmax())
    ky = _exponent(y_low, y_high, y.dtype)
    return _times_pow2(X, -kx), _times_pow2(y, -ky), kx, ky


def check_line(
    w: torch.Tensor, b: torch.Tensor, x_mean: torch.Tensor, sxx: torch.Tensor, n: int, kx: int, ky: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """check closed_form's line (w, b) of the data scaled by check_fit_data, and scale it back.

    Raises ValueError if x is too ill-conditioned to trust (its spread too small next to its mean) or w or b does
    not fit the dtype. -> w, b: the formula's own tensors for ordinary data, bit for bit
    """
    check_trust(float(x_mean), float(sxx), n, kx, w.dtype)
    w_value = _in_range("w", float(w), ky - kx, w.dtype, scale=ky - kx)
    b_value = _in_range("b", float(b), ky, w.dtype)
    if kx == ky == 0:
        return w, b
    return tuple(torch.full((1, 1), v, dtype=w.dtype, device=w.device) for v in (w_value, b_value))  # type: ignore[return-value]


def check_spectrum_data(X: object, loss: object) -> tuple[torch.Tensor, int, float, float]:
    """check spectrum's data: -> X, k, and mean and sum (x - mean)^2 of x * 2**-k in float64.

    Raises ValueError if x is too ill-conditioned to trust (as closed_form).
    """
    X = check_matrix("X", X)
    k = _exponent(*check_spread(X), torch.float64)
    check_choice("loss", loss, LOSSES)
    n = X.shape[0]
    Xs = _times_pow2(X.double(), -k)
    mean = float(Xs.mean())
    sxx = math.fsum(float((Xs[i : i + CHUNK] - mean).pow(2).sum()) for i in range(0, n, CHUNK))
    check_trust(mean, sxx, n, k, X.dtype)
    return X, k, mean, sxx


def resolved(lam_min: float, lam_max: float, dtype: torch.dtype) -> bool:
    """whether eigvalsh's eigenvalues can be trusted: finite, lam_min > 0 and not lost in lam_max's rounding."""
    return math.isfinite(lam_max) and lam_min > 0.0 and torch.finfo(dtype).eps * lam_max <= TRUST * lam_min


def scaled_eigenvalues(n: int, k: int, mean: float, sxx: float, loss: str) -> tuple[float, float]:
    """lam_min, lam_max of the Hessian from its trace and determinant, det = s^2 n sum (x - mean)^2, on x scaled
    by 2**-k (mean, sxx: of the scaled x), where eigvalsh cannot resolve lam_min (entries out of range, or too far
    apart). Raises ValueError if an eigenvalue does not fit float64."""
    s = 2.0 if loss == "sum" else 2.0 / n
    # H = s [[sum x^2, sum x], [sum x, n]] = s [[2**2k a, 2**k c], [2**k c, n]] in the scaled sums a and c
    a, c = sxx + n * mean * mean, n * mean
    try:
        h00 = math.ldexp(s * a, 2 * k)
        lam_max = 0.5 * (h00 + s * n) + math.hypot(0.5 * (h00 - s * n), math.ldexp(s * c, k))
    except OverflowError:
        lam_max = math.inf
    if not math.isfinite(lam_max):
        raise ValueError(f"lambda_max = {_sci(s * a, 2 * k)} overflows float64: x is too large for its Hessian")
    # lam_min = det / lam_max = s^2 n sxx 2**2k / lam_max, with 2**2k applied where it cannot overflow
    q, e = (s * s * n * sxx / math.ldexp(lam_max, -2 * k), 0) if k > 0 else (s * s * n * sxx / lam_max, 2 * k)
    lam_min = math.ldexp(q, e)
    if not lam_min >= torch.finfo(torch.float64).tiny:
        raise ValueError(f"lambda_min = {_sci(q, e)} underflows float64: the spread of x is too small")
    return lam_min, lam_max
