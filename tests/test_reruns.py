"""papermill reruns of 05_training.ipynb with other parameters, checked against what theory predicts.

Each run executes the real notebook headless (into pytest's tmp_path, never notebooks/) and reads
the outcome back with helpers.read_results: the learning rate, seed, number of epochs and activation it
published must be the ones passed, and the number of updates the one the loop makes (num_epochs - 1, or
fewer for a run that diverged); a single update is checked against one gradient step done by hand.
For every run that neither diverged nor killed the ReLU,
gradient descent on this quadratic loss is linear in the error, so after T updates

    |theta_T - theta*| <= rho^T |theta_0 - theta*|,   rho = max |1 - lr lambda_i|.
"""

import math
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import closed_form, init_params, original_data, spectrum
from helpers.tools.execute import execute
from helpers.tools.results import read_results

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_training.ipynb"
X, y = original_data()
LIMIT = spectrum(X).stability_limit  # 0.0099824
FASTEST = spectrum(X).fastest_lr  # 0.0089628
SLACK = 1e-6  # float32 parameters round each update at ~6e-8 relative; the contraction keeps that below 1e-6

CASES = {  # id: (parameters, expected status)
    "original": (dict(), "not_converged"),
    "far_below_limit": (dict(learning_rate=1e-5, activation="none"), "not_converged"),
    "one_update": (dict(num_epochs=2, seed=1), "not_converged"),
    "many_updates": (dict(num_epochs=5000), "converged"),
    "fastest_rate_seed_1": (dict(learning_rate=round(FASTEST, 7), seed=1, activation="none"), "converged"),
    "kills_the_relu": (dict(learning_rate=0.009), "dead_relu"),
    "same_lr_without_relu": (dict(learning_rate=0.009, activation="none"), "converged"),
    "just_above_limit": (dict(learning_rate=round(LIMIT * 1.05, 6), num_epochs=400, activation="none"), "diverged"),
    "far_above_limit_relu": (dict(learning_rate=0.05, seed=1), "diverged"),
}


# everything the previous run defined deleted (imported modules stay loaded, as in any kernel); and figures are drawn
# and closed but not encoded as PNG: these runs are checked by their numbers, and the encoding was a third of each
# run's CPU (9.4 s against 5.8 s for the nine). nbval and the browser test run the notebook with its figures.
CLEAR = "%reset -f\n%config InlineBackend.figure_formats = set()"


def _cleared(km):
    """km, cleared for the next run (CLEAR)."""
    NotebookClient(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CLEAR)]), km=km).execute()
    return km


@pytest.mark.parametrize("case", CASES)
def test_rerun_reports_the_status_theory_predicts(case, tmp_path, kernel):
    parameters, expected = CASES[case]
    run = execute(NOTEBOOK, tmp_path, parameters, html=False, km=_cleared(kernel))
    assert run.error is None, run.error
    res = read_results(run.output, run.notebook)
    lr, seed = res["learning_rate"], res["seed"]
    assert res["status"] == expected, res["message"]
    # the run used every parameter it was given (and the notebook's defaults for the rest), as it published them
    assert lr == parameters.get("learning_rate", 0.001)
    assert seed == parameters.get("seed", 0)
    assert res["num_epochs"] == parameters.get("num_epochs", 150)
    assert res["activation"] == parameters.get("activation", "relu")
    asked = res["num_epochs"] - 1  # the original's loop: range(1, num_epochs)
    if expected == "diverged":  # stopped at update t: t - 1 were made, fewer than asked
        assert res["stopped_at"] is not None and res["updates"] == res["stopped_at"] - 1 < asked
    else:
        assert res["updates"] == asked and res["stopped_at"] is None
    if res["updates"] == 1:  # one update from init_params(seed), by hand: theta_1 = theta_0 - lr * grad
        w0, b0 = (v.item() for v in init_params(seed))
        relu = res["activation"] == "relu"
        z = [x * w0 for x in X.flatten().tolist()]
        r = [(max(zi, 0.0) if relu else zi) + b0 - yi for zi, yi in zip(z, y.flatten().tolist())]
        dw = sum(2 * ri * xi * (zi > 0 or not relu) for ri, xi, zi in zip(r, X.flatten().tolist(), z))
        db = sum(2 * ri for ri in r)
        assert res["w"] == pytest.approx(w0 - lr * dw, abs=SLACK) and res["b"] == pytest.approx(b0 - lr * db, abs=SLACK)

    w_star, b_star = (v.item() for v in closed_form(X, y))
    if expected in ("converged", "not_converged"):
        w0, b0 = (v.item() for v in init_params(seed))
        start = math.hypot(w0 - w_star, b0 - b_star)
        bound = spectrum(X).contraction(lr) ** res["updates"] * start
        error = math.hypot(res["w"] - w_star, res["b"] - b_star)
        assert error <= bound + SLACK, f"error {error:.3e} > bound {bound:.3e}"
    if expected == "converged":
        assert max(abs(res["w"] - w_star), abs(res["b"] - b_star)) <= 1e-6
    if expected == "dead_relu":  # w froze below 0; b alone fits the mean of y
        assert res["w"] < 0
        assert res["b"] == pytest.approx(y.mean().item(), abs=1e-6)
    if expected == "diverged":
        assert lr > LIMIT and res["stopped_at"] is not None
        assert f"{LIMIT:.5g}" in res["message"]
