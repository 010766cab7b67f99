# Linear regression in PyTorch, step by step.
#   make run    build .venv if needed, execute every notebook into build/run/, print the fitted line
#   make test   build .venv (with the test tools) if needed, run the whole suite
#   make lab    open the series in JupyterLab (127.0.0.1 only, with a token)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# pytest workers: one per core (nbval runs each notebook in one worker, --dist loadscope)
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: help run test lab clean
.DEFAULT_GOAL := help

help:
	@sed -n '2,4p' Makefile | sed 's/^# *//'

# The environment is rebuilt when pyproject.toml changes, or when .venv is missing or broken
# (for example copied from another machine, or made by another Python).
$(VENV)/.base: pyproject.toml
	@$(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
	  || { $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' \
	         || { echo "Python 3.11 is required; set PYTHON=/path/to/python3.11"; exit 1; }; \
	       echo "Creating $(VENV) with $(PYTHON)"; rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.test: $(VENV)/.base
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

run: $(VENV)/.base
	$(BIN)/python -m helpers.run

test: $(VENV)/.test
	$(BIN)/python -m pytest -n $(JOBS) --dist loadscope --nbval notebooks tests

lab: $(VENV)/.base
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks \
	  --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
	  $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf build .pytest_cache
