# Linear regression in PyTorch, step by step.
#   make run      build .venv if needed, execute every notebook into build/run/, print the fitted line
#   make test     build .venv (with the test tools) if needed, run the whole suite
#   make test-portable  nbval over every notebook with torch's portable CPU kernels (ATEN_CPU_CAPABILITY=default)
#   make lab      open the series in JupyterLab (127.0.0.1 only, with a token)
#   make sweep    rerun 05_training.ipynb over 12 learning rates x 2 activations into build/sweep/
#   make assignment  the exercises as an nbgrader course (build/nbgrader/) and its release (build/assignment/)
#   make grade SUBMISSIONS=dir  autograde dir/<student>/<notebook>.ipynb: build/grades/grades.csv and feedback
#   make slides   reveal.js decks in build/slides/;  make html: the series as a static site in build/html/
#   make bench    the performance table (ratios against baselines timed in the same run)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# pytest workers: one per core plus one, as many tests wait on a kernel, a subprocess or the browser (3 on 2 cores;
# 2 and 4 were no faster on 2026-12-03); tests spread one by one, a notebook and a few shared-fixture modules as
# one unit each. Kernels are forked from one warm process, every process on one torch thread (tests/conftest.py)
CORES  := $(shell nproc 2>/dev/null || echo 2)
JOBS   ?= $(shell echo $$(( $(CORES) + 1 )))

.PHONY: help run test lab clean sweep
.DEFAULT_GOAL := help

help:
	@sed -n '2,11p' Makefile | sed 's/^# *//'

# The environment is rebuilt when pyproject.toml changes, or when .venv is missing or broken
# (for example copied from another machine, or made by another Python).
$(VENV)/.base: pyproject.toml
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
	  || { $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	         || { echo "Python 3.11 is required; set PYTHON=/path/to/python3.11"; exit 1; }; \
	       echo "Creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	@# torch's CPU build from download.pytorch.org on Linux without CUDA, else pip's own configuration: one line says which
	@torch_args=$$($(BIN)/python tools/torch_index.py || true); \
	  echo "$(BIN)/python -m pip install --quiet --disable-pip-version-check $${torch_args:+$$torch_args }-e ." \
	  && $(BIN)/python -m pip install --quiet --disable-pip-version-check $$torch_args -e .
	@touch $@

# and what the tests read but never change, prepared with them: reveal.js and MathJax from the npm registry for the
# slides and site (nothing downloads while the tests run), and mypy's reading of the packages helpers imports
# (tools/mypy_cache.py: in a fresh clone the type check then reads helpers alone, 1.3 s of CPU against 9.4 s)
$(VENV)/.test: $(VENV)/.base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m helpers.tools.vendor || echo "(the slide and site tests will try again)"
	$(BIN)/python tools/mypy_cache.py
	@touch $@

run: $(VENV)/.base
	$(BIN)/python -m helpers.tools.run

# 05_training.ipynb at 12 learning rates from 1e-4 to just past 2/lambda_max = 0.0099824, with and without the ReLU
SWEEP_LRS := 0.0001,0.0002,0.0005,0.001,0.002,0.003,0.005,0.007,0.008,0.009,0.0095,0.0105
sweep: $(VENV)/.base
	$(BIN)/python -m helpers.tools.rerun notebooks/05_training.ipynb --out build/sweep --jobs $(CORES) \
	  --sweep learning_rate=$(SWEEP_LRS) --sweep activation=relu,none

test: $(VENV)/.test
	$(BIN)/python -m pytest -n $(JOBS) --dist loadgroup --nbval notebooks tests

# nbval again over every notebook, with torch's portable kernels instead of the CPU's vector ones (AVX2, AVX-512):
# what nbval compares must not depend on the CPU. One notebook per worker (--dist loadfile: its cells in order).
PORTABLE ?= notebooks
.PHONY: test-portable
test-portable: $(VENV)/.test
	ATEN_CPU_CAPABILITY=default $(BIN)/python -m pytest -n $(JOBS) --dist loadfile -p no:cacheprovider --nbval $(PORTABLE)

# README or index first, no news or update pop-ups: helpers/tools/lab.py (tests/test_browser.py checks both)
lab: $(VENV)/.base
	$(BIN)/python -m helpers.tools.lab

.PHONY: assignment grade student slides html
# The exercises as an nbgrader course in build/nbgrader/ (one assignment per notebook, its gradebook) and each release
# in build/assignment/: answers stubbed by nbgrader, checker calls as autograded test cells (helpers/tools/assignment.py)
assignment: $(VENV)/.base
	$(BIN)/python -m helpers.tools.assignment

# Autograde SUBMISSIONS/<student>/<notebook>.ipynb with nbgrader (a fresh kernel each, 60 s a cell; GRADE_ARGS="--timeout
# 120"): build/grades/grades.csv, build/grades/feedback/<student>/<notebook>.html, the gradebook in build/nbgrader/
grade: $(VENV)/.base
	$(BIN)/python -m helpers.tools.grade $(SUBMISSIONS) $(GRADE_ARGS)

# what `make student` wrote before nbgrader did the job: the release is the student's copy
student: assignment

# The executed series as reveal.js decks (build/slides/) and as a linked site (build/html/), both offline;
# reveal.js and MathJax come once from the npm registry into build/vendor/ (helpers/vendor.py)
slides: $(VENV)/.base
	$(BIN)/python -m helpers.tools.site --slides

html: $(VENV)/.base
	$(BIN)/python -m helpers.tools.site --html

.PHONY: bench
# One table of ratios, each against a baseline timed in the same run (helpers/tools/bench.py): a minute or two.
# `make bench BENCH_ARGS=--quick` measures small N in seconds; BENCH_ARGS="--threads 1" pins torch to one thread.
bench: $(VENV)/.base
	$(BIN)/python -m helpers.tools.bench $(BENCH_ARGS)

clean:
	rm -rf build .pytest_cache
