"""Exercises that check themselves: one checker per computable answer, one module per notebook.

    from helpers.exercises import check_num_updates
    check_num_updates(my_count)   # prints "✓ correct" or "✗ <a specific hint>" on one line, returns a Verdict

A checker never shows the expected answer and never raises: a str, None, a list, a tensor of the wrong
shape or dtype, NaN, each gets a one-line ✗ that says what was expected instead. It computes its expected
answer from helpers (no stored numbers, no stored solution code), so it follows the data and the helpers.

The convention, for every notebook's "## Exercises" section (2 to 4 exercises):

1. A markdown cell states the task and ends with which checker to call, e.g.
   "Write your answer in a new cell and check it with `check_num_updates(your_count)`."
   An optional markdown cell after it gives a hint.
2. The next cell is the worked solution: a code cell with metadata
   {"tags": ["solution"], "jupyter": {"source_hidden": true, "outputs_hidden": true},
   "slideshow": {"slide_type": "skip"}}: collapsed, code and output, so that no printed number gives it away.
   It may open with "# Hint: ..." lines, computes the answer into a variable named answer_<what>, and ends
   with the bare call `check_xxx(answer_<what>, <the task's parameters>)`, which prints "✓ correct". That
   cell is the one and only copy of the solution. nbval re-executes it and compares its output with the
   committed "✓ correct", and tests/test_exercises.py checks that every committed solution cell shows it, so
   CI proves that each checker accepts its solution. `make assignment` (helpers/tools/assignment.py) turns the
   cell into an nbgrader answer cell (its "# Hint:" lines kept, the rest between BEGIN/END SOLUTION, which the
   release replaces with a stub that raises NotImplementedError) and the checker call into a locked, autograded
   test cell, `assert check_xxx(answer_<what>, ...)`, worth one point.
   An open question (at most one per notebook) has no checker: its solution cell prints a short answer, and the
   release makes it an answer graded by hand.

Writing a checker, in helpers/exercises/nbNN.py (keep each module short):

    @checker                                   # prints the Verdict, turns any exception into a ✗ line
    def check_xxx(answer: object, <the task's parameters, with defaults>) -> Verdict:
        \"\"\"what the answer is, in one line.\"\"\"
        expected = <computed from helpers>
        return compare_number(answer, expected, name="your xxx", rtol=..., n=<n if a sum/mean slip is likely>,
                              mistakes=[Mistake(<a typical wrong answer, computed>, "<what went wrong and why>")])

compare_count (ints, exact; "off by one" named) and compare_tensor (type, shape, dtype, NaN, then values;
shape_hints={(40, 40): "..."} for telling shapes) work the same way; raise Wrong("...") for anything else
(see nb08._params). Known mistakes are tried first, at the check's own tolerance; then slips that need no
setup: a wrong sign, a factor of 2, of n or of a power of ten, a missing or extra square root, two entries
swapped, a transpose; then "close, but not within tolerance" (within 1 %, above or below alike); then "not
quite". Never "too large" or "too small": a direction for an arbitrary number would let a learner bisect to the
answer. A hint names the mistake, never the value. The default tolerance (PRINTED, four significant digits) accepts
the numbers a notebook prints; an exercise states its tolerance in words. Add each new checker to the imports and
__all__ below, and tests for it to tests/test_exercises.py (a right answer, two or three typical wrong ones with
their hints, garbage).
"""

from helpers.exercises.core import CORRECT, Mistake, Verdict, checker, compare_count, compare_number, compare_tensor
from helpers.exercises.nb01 import check_design_product, check_rescaled_line, check_wrong_line_loss
from helpers.exercises.nb02 import check_bad_loss, check_float32_spacing, check_w_numpy
from helpers.exercises.nb03 import check_dead_neuron, check_duplicated_losses, check_textbook_order
from helpers.exercises.nb04 import check_best_step, check_mean_factor, check_origin_grad
from helpers.exercises.nb05 import (
    check_fixed_loop,
    check_lam_min_from_log,
    check_predicted_end,
    check_updates_guaranteed,
)
from helpers.exercises.nb06 import check_one_step_lr, check_updates_per_decade, check_valley_floor
from helpers.exercises.nb07 import check_best_divisor, check_dead_threshold, check_fastest_count, check_mean_rates
from helpers.exercises.nb08 import check_forgotten_zero_grad, check_mean_loop, check_num_updates
from helpers.exercises.nb09 import check_normal_equations, check_prediction, check_slope_through_origin
from helpers.exercises.nb10 import check_fresh_mse, check_prediction_se, check_sigma_hat
from helpers.exercises.nb11 import check_floor_seconds, check_shard_average, check_stats_loss
from helpers.exercises.validate import Wrong

__all__ = [
    "CORRECT",
    "Mistake",
    "Verdict",
    "Wrong",
    "check_bad_loss",
    "check_best_divisor",
    "check_best_step",
    "check_dead_neuron",
    "check_dead_threshold",
    "check_design_product",
    "check_duplicated_losses",
    "check_fastest_count",
    "check_fixed_loop",
    "check_float32_spacing",
    "check_floor_seconds",
    "check_forgotten_zero_grad",
    "check_fresh_mse",
    "check_lam_min_from_log",
    "check_mean_factor",
    "check_mean_loop",
    "check_mean_rates",
    "check_normal_equations",
    "check_num_updates",
    "check_one_step_lr",
    "check_origin_grad",
    "check_predicted_end",
    "check_prediction",
    "check_prediction_se",
    "check_rescaled_line",
    "check_shard_average",
    "check_sigma_hat",
    "check_slope_through_origin",
    "check_stats_loss",
    "check_textbook_order",
    "check_updates_guaranteed",
    "check_updates_per_decade",
    "check_valley_floor",
    "check_w_numpy",
    "check_wrong_line_loss",
    "checker",
    "compare_count",
    "compare_number",
    "compare_tensor",
]  # fmt: skip
