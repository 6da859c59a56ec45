# The two commands a newcomer needs: `make lab` and `make test`. Each sets up .venv by itself and
# skips that work when the requirements files and pyproject.toml have not changed. `make help` lists all.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HASH    = $(shell cat $(1) | sha1sum | cut -c1-12)
LAB_STAMP  := $(VENV)/.stamp-lab-$(call HASH,requirements.txt pyproject.toml)
TEST_STAMP := $(VENV)/.stamp-test-$(call HASH,requirements.txt requirements-dev.txt pyproject.toml)
ARGS   ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)   # containers and Binder-like machines run as root
OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
# Voilà pages (make app) load JupyterLab's extensions; those for notebooks and slides only log errors there.
VOILA_CONFIG := $(VENV)/etc/jupyter/voila.json
VOILA_SKIPS := ["jupyterlab-slideshow", "jupyterlab-rise", "jupyterlab-jupytext", "@deathbeds/jupyterlab-fonts", "@deathbeds/jupyterlab-font-dejavu-sans-mono", "@deathbeds/jupyterlab-font-atkinson-hyperlegible", "@deathbeds/jupyterlab-font-anonymous-pro", "@deathbeds/jupyterlab-font-fira-code"]
# PyTorch's index of CPU-only wheels: on Linux x86-64 the default index's torch is the CUDA build.
CPU_INDEX ?= https://download.pytorch.org/whl/cpu
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q

.PHONY: help setup setup-test lab test test-fast notebooks bench app slides freeze clean

help:                       ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):[^#]*## /  make \1\t/' | expand -t 20

setup: $(LAB_STAMP)         ## create .venv with what a student needs (requirements.txt); make lab does this

setup-test: $(TEST_STAMP)   ## add the test tools (requirements-dev.txt); make test does this

# pip install -r FILE. On Linux x86-64 torch comes from PyTorch's CPU index; where that index cannot be
# reached, from the default index instead (the pin without +cpu), and one line says so.
define pip_install
	@if [ "$$(uname -s)-$$(uname -m)" != "Linux-x86_64" ]; then \
	  $(PIP_INSTALL) -r $(1); \
	elif $(PY) -c "import urllib.request as u; u.urlopen('$(CPU_INDEX)/torch/', timeout=15)" 2>/dev/null; then \
	  $(PIP_INSTALL) --extra-index-url $(CPU_INDEX) -r $(1); \
	else \
	  echo "PyTorch's CPU index ($(CPU_INDEX)) cannot be reached: torch comes from the default index (on Linux x86-64 the CUDA build, about 3 GB more, unless a local CPU wheel is configured)."; \
	  sed 's/+cpu / /' $(1) > $(VENV)/requirements-default-index.txt; \
	  $(PIP_INSTALL) -r $(VENV)/requirements-default-index.txt; \
	fi
endef

$(LAB_STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if (3, 10) <= v <= (3, 13) else \
	  "mmviz is pinned for Python 3.10 to 3.13; $(PYTHON) is %d.%d. Choose another: make lab PYTHON=python3.12" % v)'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing what a student needs into $(VENV) (first time only) ..."
	$(call pip_install,requirements.txt)
	$(PIP_INSTALL) --no-deps -e .
	@# No "Jupyter news" pop-up over the first notebook in class.
	@mkdir -p $(dir $(OVERRIDES))
	@echo '{"@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": false}}' > $(OVERRIDES)
	@mkdir -p $(dir $(VOILA_CONFIG))
	@echo '{"VoilaConfiguration": {"extension_denylist": $(VOILA_SKIPS)}}' > $(VOILA_CONFIG)
	@rm -f $(VENV)/.stamp-lab-*
	@touch $@
	@echo "Environment ready in $(VENV)."

$(TEST_STAMP): $(LAB_STAMP) requirements-dev.txt
	$(PIP_INSTALL) -r requirements-dev.txt
	@rm -f $(VENV)/.stamp-test-*
	@touch $@
	@echo "Test tools ready in $(VENV)."

lab: setup                  ## open notebook 00 in JupyterLab; extra flags: make lab ARGS="--no-browser --port 8899"
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb $(ROOT_FLAG) $(ARGS)

# Two passes: everything but the browser on both cores (pytest-xdist: notebooks run in kernels of
# their own, two at a time), then the browser tests one after the other (each drives a JupyterLab
# in Chromium, which contends badly for two cores). Exit code 5 (no test selected, e.g. by -k) is
# not a failure of the second pass.
test: setup-test            ## lint, unit tests, every notebook in a fresh kernel, browser tests
	$(PY) -m ruff check mmviz tests tools benchmarks
	$(PY) -m pytest -n 2 -m "not browser" $(ARGS)
	$(PY) -m pytest -m browser $(ARGS) || [ $$? -eq 5 ]

test-fast: setup-test       ## unit tests only (no notebooks, no browser)
	$(PY) -m pytest -m "not notebook and not browser" $(ARGS)

notebooks: setup            ## rebuild notebooks/*.ipynb from notebooks/src/*.py, executed; one: make notebooks ARGS=05
	$(PY) tools/build_notebooks.py $(ARGS)

bench: setup-test           ## measure notebooks, explorers, environment; writes benchmarks/RESULTS.md
	$(PY) benchmarks/run.py $(ARGS)

app: setup                  ## the fusion playground as a page without code, for the projector
	$(VENV)/bin/voila app/playground.ipynb --no-browser $(ARGS)

slides: setup               ## offline reveal.js decks in build/slides/ (reveal.js from the npm registry); one: ARGS=05
	$(PY) tools/build_notebooks.py --slides build/slides $(ARGS)

freeze: setup-test          ## after changing versions on purpose: re-pin requirements*.txt from .venv
	$(PY) tools/freeze.py

clean:                      ## remove .venv, caches and build/
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts build
