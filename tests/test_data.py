"""helpers.data: the original's 40 points bit for bit, and reproducible noisy variants."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import RAW_X, TRUE_B, TRUE_W, noisy_data, original_data, true_line, uniform_x


def numpy_original() -> tuple[np.ndarray, np.ndarray]:
    """the original's own normalisation: a (40, 1) float64 array, and y = x * 0.175 + 0.4."""
    X_train = np.array([[v / 100] for v in RAW_X])
    return X_train, X_train * 0.175 + 0.4


# the raw inputs as FACTS.md lists them, typed in again here so that a slip in helpers.data shows up
FACTS_RAW_X = [
    1.0, 20.4, 30.5, 7.5, 9.9, 100.9, 200.1, 45.1, 150.1, 7.0,
    29.4, 31.5, 157.3, 10.9, 120.6, 16.9, 201.1, 21.1, 300.1, 21.0,
    120.4, 230.5, 37.5, 49.9, 230.0, 109.9, 121.1, 145.1, 157.1, 17.0,
    219.4, 131.5, 187.3, 210.9, 290.6, 126.9, 71.1, 91.1, 19.1, 100.0,
]  # fmt: skip


def test_raw_x_is_the_original_list():
    # exact, in order: the same decimal literals give the same doubles
    assert list(RAW_X) == FACTS_RAW_X
    assert (TRUE_W, TRUE_B) == (0.175, 0.4)


def test_original_data_equals_numpy_normalisation_exactly():
    # exact (torch.equal): the same float64 divisions and the same multiply-add must give the same bits
    X_np, y_np = numpy_original()
    X, y = original_data()
    assert X.shape == y.shape == (40, 1)
    assert X.dtype == y.dtype == torch.float64
    assert torch.equal(X, torch.from_numpy(X_np))
    assert torch.equal(y, torch.from_numpy(y_np))


def test_original_data_float32_is_a_cast_of_the_float64_values():
    # exact: y is computed in float64 (as the original does) and only then rounded to float32
    X64, y64 = original_data()
    X32, y32 = original_data(dtype=torch.float32)
    assert X32.dtype == y32.dtype == torch.float32
    assert torch.equal(X32, X64.float())
    assert torch.equal(y32, y64.float())


def test_original_data_summary_stats_match_facts():
    # FACTS gives mean x 1.0372, min 0.01, max 3.001, mean y 0.58151: tolerance is half a unit in the last
    # digit FACTS prints, so a single wrong or missing point (which moves mean x by >= 0.00025) fails
    X, y = original_data()
    assert abs(X.mean().item() - 1.0372) <= 0.5e-4
    assert X.min().item() == 0.01  # exact: 1.0 / 100 rounds to the same double as the literal 0.01
    assert abs(X.max().item() - 3.001) <= 0.5e-3
    assert abs(y.mean().item() - 0.58151) <= 0.5e-5
    assert bool((X > 0).all())  # the dead-ReLU story in FACTS relies on every x being positive


def test_fresh_tensors_every_call():
    # a caller that edits the returned data in place must not change the next call's data
    X, y = original_data()
    X.add_(1.0)
    y.zero_()
    X2, y2 = original_data()
    assert torch.equal(X2, torch.from_numpy(numpy_original()[0]))
    assert torch.equal(y2, torch.from_numpy(numpy_original()[1]))


def test_true_line_values():
    # exact: 0.175 * 2 + 0.4 and 0.175 * 0 + 0.4 in float64, computed the same way
    X = torch.tensor([[0.0], [2.0], [-1.0]], dtype=torch.float64)
    assert torch.equal(true_line(X), torch.tensor([[0.4], [0.175 * 2 + 0.4], [0.4 - 0.175]], dtype=torch.float64))


def test_noisy_data_zero_sigma_is_the_exact_line(data):
    # exact: adding 0 * noise must leave the float64 line untouched, bit for bit
    X, y = data
    Xn, yn = noisy_data(0.0, seed=3)
    assert torch.equal(Xn, X)
    assert torch.equal(yn, y)


def test_noisy_data_is_reproducible_and_seed_dependent():
    X1, y1 = noisy_data(0.1, seed=7)
    X2, y2 = noisy_data(0.1, seed=7)
    _, y3 = noisy_data(0.1, seed=8)
    # exact: same seed, same generator, same arithmetic
    assert torch.equal(X1, X2) and torch.equal(y1, y2)
    # a different seed must change every point: two N(0, 0.01) draws coincide with probability 0
    assert bool((y1 != y3).all())


def test_noisy_data_noise_is_the_seeded_normal_draw(data):
    # the residual divided by sigma must be exactly what a generator seeded with `seed` draws;
    # tolerance 1e-12: (y - line) / sigma undoes one float64 multiply-add, so only ~1e-15 rounding remains
    _, y = data
    sigma, seed = 0.05, 11
    _, yn = noisy_data(sigma, seed)
    expected = torch.randn((40, 1), generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    torch.testing.assert_close((yn - y) / sigma, expected, rtol=0, atol=1e-12)


def test_noisy_data_custom_x_and_dtype():
    X = torch.tensor([[0.0], [1.0], [2.0]], dtype=torch.float32)
    Xn, yn = noisy_data(0.0, seed=0, X=X, dtype=torch.float32)
    assert Xn.dtype == yn.dtype == torch.float32 and Xn.shape == yn.shape == (3, 1)
    assert torch.equal(Xn, X)
    # exact: the line is computed in float64 from the float32 inputs, then rounded once
    assert torch.equal(yn, (X.double() * 0.175 + 0.4).float())
    assert X.dtype == torch.float32 and torch.equal(X, torch.tensor([[0.0], [1.0], [2.0]]))  # input untouched


def test_uniform_x_range_and_seed():
    X = uniform_x(1000, seed=1)
    assert X.shape == (1000, 1) and X.dtype == torch.float64
    assert X.min().item() >= 0.01 and X.max().item() < 3.001
    # 1000 uniform draws reach within 1% of each end with probability > 1 - 2 * 0.99**1000 (about 1 - 1e-4)
    assert X.min().item() < 0.04 and X.max().item() > 2.97
    assert torch.equal(X, uniform_x(1000, seed=1))
    assert not torch.equal(X, uniform_x(1000, seed=2))


@pytest.mark.parametrize(
    "sigma, seed, error, pattern",
    [
        (-0.1, 0, ValueError, r"sigma.*-0\.1"),
        (float("nan"), 0, ValueError, r"sigma.*nan"),
        (float("inf"), 0, ValueError, r"sigma.*inf"),
        (0.1, True, TypeError, r"seed.*True"),
        (0.1, -1, ValueError, r"seed.*-1"),
        (0.1, 1.5, TypeError, r"seed.*1\.5"),
    ],
)
def test_noisy_data_rejects_bad_inputs(sigma, seed, error, pattern):
    with pytest.raises(error, match=pattern):
        noisy_data(sigma, seed)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.bool, "float64"])
def test_data_rejects_non_floating_dtype(dtype):
    # an integer dtype would silently truncate 0.01 .. 3.001 to 0 .. 3
    with pytest.raises(TypeError, match=r"dtype.*" + str(dtype).replace(".", r"\.")):
        original_data(dtype=dtype)
    with pytest.raises(TypeError, match=r"dtype.*" + str(dtype).replace(".", r"\.")):
        noisy_data(0.1, 0, dtype=dtype)


def test_uniform_x_rejects_zero_and_negative_n():
    with pytest.raises(ValueError, match=r"n must be >= 1, got 0"):
        uniform_x(0, seed=0)
    with pytest.raises(ValueError, match=r"n must be >= 0, got -3"):
        uniform_x(-3, seed=0)


@pytest.mark.parametrize(
    "low, high", [(1.0, 1.0), (2.0, 1.0), (float("nan"), 1.0), (0.0, float("inf")), ("0", 1.0), (True, 2.0)]
)
def test_uniform_x_rejects_a_bad_range(low, high):
    with pytest.raises(ValueError, match=r"low and high must be finite numbers with low < high, got low="):
        uniform_x(10, seed=0, low=low, high=high)


def test_uniform_x_honours_a_range():
    X = uniform_x(1000, seed=3, low=-1.0, high=2.0)
    assert X.min().item() >= -1.0 and X.max().item() < 2.0
    # the same draws as the default range, moved: exact up to one rounding of the affine map
    U = (uniform_x(1000, seed=3) - 0.01) / (3.001 - 0.01)
    torch.testing.assert_close(X, -1.0 + 3.0 * U, rtol=0, atol=1e-14)


DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


@pytest.mark.parametrize("device", DEVICES)
def test_noisy_data_returns_on_the_device_of_the_x_it_is_given(device, data):
    """without device=..., the data stay where X is; the noise is drawn on the CPU, the same everywhere."""
    X, _ = data
    Xd, yd = noisy_data(0.05, 7, X=X.to(device))
    assert Xd.device.type == yd.device.type == device
    _, y_cpu = noisy_data(0.05, 7)
    torch.testing.assert_close(yd.cpu(), y_cpu, rtol=0, atol=0)  # the very same numbers
    assert noisy_data(0.05, 7, X=X.to(device), device="cpu")[1].device.type == "cpu"  # an explicit device wins
