# The two commands a newcomer needs: `make lab` and `make test`. Each sets up .venv by itself and
# skips that work when requirements.txt and pyproject.toml have not changed.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.stamp-$(shell cat requirements.txt pyproject.toml | sha1sum | cut -c1-12)
ARGS   ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)   # containers and Binder-like machines run as root
OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: setup lab test test-fast notebooks bench app freeze clean

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	@# No "Jupyter news" pop-up over the first notebook in class.
	@mkdir -p $(dir $(OVERRIDES))
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(OVERRIDES)
	@rm -f $(VENV)/.stamp-*
	@touch $@
	@echo "Environment ready in $(VENV)."

lab: setup                  ## open the notebooks in JupyterLab; extra flags: make lab ARGS="--no-browser --port 8899"
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) $(ARGS)

test: setup                 ## lint, unit tests, every notebook in a fresh kernel, browser tests
	$(PY) -m ruff check mmviz tests tools benchmarks
	$(PY) -m pytest $(ARGS)

test-fast: setup            ## unit tests only (no notebooks, no browser)
	$(PY) -m pytest -m "not notebook and not browser" $(ARGS)

notebooks: setup            ## rebuild notebooks/*.ipynb from notebooks/src/*.py, executed; one: make notebooks ARGS=05
	$(PY) tools/build_notebooks.py $(ARGS)

bench: setup                ## measure notebooks, explorers, environment; writes benchmarks/RESULTS.md
	$(PY) benchmarks/run.py $(ARGS)

app: setup                  ## the fusion playground as a page without code, for the projector
	$(VENV)/bin/voila app/playground.ipynb --no-browser $(ARGS)

freeze:                     ## after changing versions on purpose: rewrite requirements.txt from .venv
	@grep '^#' requirements.txt > requirements.new   # keep the header that says why
	$(PY) -m pip freeze --exclude-editable | sed 's/^torch==\(.*\)+cpu/torch==\1/' >> requirements.new
	@mv requirements.new requirements.txt

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts
