"""papermill reruns of 05_training.ipynb with other parameters, checked against what theory predicts.

Each run executes the real notebook headless (into pytest's tmp_path, never notebooks/) and reads
the outcome back with helpers.read_results. For every run that neither diverged nor killed the ReLU,
gradient descent on this quadratic loss is linear in the error, so after T updates

    |theta_T - theta*| <= rho^T |theta_0 - theta*|,   rho = max |1 - lr lambda_i|.
"""

import math
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from helpers import closed_form, init_params, original_data, read_results, spectrum
from helpers.execute import execute

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


def _cleared(km):
    """km, with everything the previous run defined deleted (imported modules stay loaded, as in any kernel)."""
    NotebookClient(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("%reset -f")]), km=km).execute()
    return km


@pytest.mark.parametrize("case", CASES)
def test_rerun_reports_the_status_theory_predicts(case, tmp_path, kernel):
    parameters, expected = CASES[case]
    run = execute(NOTEBOOK, tmp_path, parameters, html=False, km=_cleared(kernel))
    assert run.error is None, run.error
    res = read_results(run.output)
    lr, seed = res["learning_rate"], res["seed"]
    assert res["status"] == expected, res["message"]
    assert res["updates"] <= res["num_epochs"] - 1
    assert lr == parameters.get("learning_rate", 0.001)

    w_star, b_star = (v.item() for v in closed_form(X, y))
    if expected in ("converged", "not_converged"):
        assert res["updates"] == res["num_epochs"] - 1
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
