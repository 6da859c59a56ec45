# The two commands a newcomer needs: `make lab` and `make test`. Each sets up .venv by itself and
# skips that work when the lock (requirements*.txt) and pyproject.toml have not changed. `make help` lists all.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# A portable hash (hashlib: macOS has no sha1sum) of the files that decide what .venv holds.
HASH    = $(shell $(PYTHON) -c "import hashlib, sys; print(hashlib.sha1(b''.join(open(f, 'rb').read() for f in sys.argv[1:])).hexdigest()[:12])" $(1) 2>/dev/null)
LAB_STAMP  := $(VENV)/.stamp-lab-$(call HASH,requirements.txt pyproject.toml)
TEST_STAMP := $(VENV)/.stamp-test-$(call HASH,requirements.txt requirements-dev.txt pyproject.toml)
ARGS   ?=
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)   # containers and Binder-like machines run as root
OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json
# Voilà pages (make app) load JupyterLab's extensions; those for notebooks and slides only log errors there.
VOILA_CONFIG := $(VENV)/etc/jupyter/voila.json
VOILA_SKIPS := ["jupyterlab-slideshow", "jupyterlab-rise", "jupyterlab-jupytext", "@deathbeds/jupyterlab-fonts", "@deathbeds/jupyterlab-font-dejavu-sans-mono", "@deathbeds/jupyterlab-font-atkinson-hyperlegible", "@deathbeds/jupyterlab-font-anonymous-pro", "@deathbeds/jupyterlab-font-fira-code"]
# PyTorch's index of CPU-only wheels: on Linux (x86-64 and aarch64) the default index's torch is the CUDA build.
CPU_INDEX ?= https://download.pytorch.org/whl/cpu
PIP_INSTALL := $(PY) -m pip install --disable-pip-version-check -q
# The Pythons the lock is made and tested for (tests/test_install_plans.py resolves it on each).
PYTHONS_OK := (3, 10) <= sys.version_info[:2] <= (3, 14)
LOCK_ARGS ?=
UV_COMPILE := $(PY) -m uv pip compile --quiet pyproject.toml --universal --python-version 3.10 --custom-compile-command "make lock" $(LOCK_ARGS)

# PYTHON=... chooses the Python that makes .venv; once .venv exists it is that venv's Python. Asked for
# another one, make stops and says how to switch, instead of silently using the old one.
ifneq ($(filter command line environment,$(origin PYTHON)),)
ifneq ($(wildcard $(PY)),)
ifeq ($(filter clean help,$(MAKECMDGOALS)),)
VERSION_OF = $(shell $(1) -c "import sys; print('%d.%d.%d' % sys.version_info[:3])" 2>/dev/null)
VENV_PYTHON := $(call VERSION_OF,$(PY))
ASKED_PYTHON := $(call VERSION_OF,$(PYTHON))
ifneq ($(VENV_PYTHON),$(ASKED_PYTHON))
$(error .venv was made by Python $(VENV_PYTHON), but PYTHON=$(PYTHON) is Python $(or $(ASKED_PYTHON),not found). To switch: make clean, then make lab PYTHON=$(PYTHON))
endif
endif
endif
endif

.PHONY: help setup setup-test lab test test-fast notebooks assignments bench app book slides lock clean

help:                       ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):[^#]*## /  make \1\t/' | expand -t 20

setup: $(LAB_STAMP)         ## create .venv with what a student needs (requirements.txt); make lab does this

setup-test: $(TEST_STAMP)   ## add the test tools (requirements-dev.txt); make test does this

# pip install -r FILE (a lock made by `make lock`). On Linux, x86-64 and aarch64 alike, torch's CPU build
# (+cpu) comes from PyTorch's CPU index; where that index cannot be reached, the same pin without +cpu
# comes from the default index instead, and one line says so (once: requirements-dev.txt repeats torch's
# pin, already installed by then, so its install passes "quiet"). macOS and Windows take PyPI's torch.
FALLBACK_SAID = PyTorch's CPU index ($(CPU_INDEX)) cannot be reached: torch comes from the default index (on Linux the CUDA build, about 3 GB more, unless a local CPU wheel is configured).
define pip_install
	@if [ "$$(uname -s)" != "Linux" ]; then \
	  $(PIP_INSTALL) -r $(1); \
	elif $(PY) -c "import urllib.request as u; u.urlopen('$(CPU_INDEX)/torch/', timeout=15)" 2>/dev/null; then \
	  $(PIP_INSTALL) --extra-index-url $(CPU_INDEX) -r $(1); \
	else \
	  $(if $(2),,echo "$(FALLBACK_SAID)";) \
	  sed 's/+cpu / /' $(1) > $(VENV)/$(basename $(1))-default-index.txt; \
	  $(PIP_INSTALL) -r $(VENV)/$(basename $(1))-default-index.txt; \
	fi
endef

$(LAB_STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "mmviz needs Python 3.10 to 3.14; PYTHON=$(PYTHON) is not found. Choose one: make lab PYTHON=python3.12" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(0 if $(PYTHONS_OK) else \
	  "mmviz is locked for Python 3.10 to 3.14; $(PYTHON) is %d.%d. Choose another: make lab PYTHON=python3.12" % sys.version_info[:2])'
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
	$(call pip_install,requirements-dev.txt,quiet)
	@rm -f $(VENV)/.stamp-test-*
	@touch $@
	@echo "Test tools ready in $(VENV)."

lab: setup                  ## open notebook 00 in JupyterLab; extra flags: make lab ARGS="--no-browser --port 8899"
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb $(ROOT_FLAG) $(ARGS)

# Two passes: everything but the browser on both cores (pytest-xdist: notebooks run in kernels of
# their own, two at a time), then the browser tests one after the other (each drives a JupyterLab
# in Chromium, which contends badly for two cores). Exit code 5 (no test selected, e.g. by -k) is
# not a failure of the second pass.
test: setup-test            ## lint, type check, unit tests, every notebook in a fresh kernel, browser tests
	$(PY) -m ruff check mmviz tests tools benchmarks
	$(PY) -m mypy
	$(PY) -m pytest -n 2 -m "not browser" $(ARGS)
	$(PY) -m pytest -m browser $(ARGS) || [ $$? -eq 5 ]

test-fast: setup-test       ## unit tests only (no notebooks, no browser)
	$(PY) -m pytest -m "not notebook and not browser" $(ARGS)

notebooks: setup            ## rebuild notebooks/*.ipynb from notebooks/src/*.py, executed; one: make notebooks ARGS=05
	$(PY) tools/build_notebooks.py $(ARGS)

# nbgrader comes with the test tools (the dev extra); outside make: pip install "mmviz[teach]".
assignments: setup-test     ## the exercises as an nbgrader course in build/course/ (docs/teaching.md); one: ARGS=05
	$(PY) tools/build_assignments.py $(ARGS)

bench: setup-test           ## measure notebooks, explorers, environment; writes benchmarks/RESULTS.md
	$(PY) benchmarks/run.py $(ARGS)

app: setup                  ## the fusion playground as a page without code, for the projector
	$(VENV)/bin/voila app/playground.ipynb --no-browser $(ARGS)

# The book's and the decks' tools (Sphinx, MyST-NB, sphinx-revealjs) are locked for Python 3.11+ only.
NEEDS_311 = @$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "make $(1) needs Python 3.11 or newer (MyST-NB 1.4 needs myst-parser 5); .venv is Python %d.%d: make clean, then make $(1) PYTHON=python3.12" % sys.version_info[:2])'

book: setup-test            ## the collection as a static site, offline: open build/book/index.html
	$(call NEEDS_311,book)
	$(PY) tools/build_book.py

slides: setup-test          ## reveal.js decks for the projector in build/slides/, offline, no Node; one: ARGS=05
	$(call NEEDS_311,slides)
	$(PY) tools/build_slides.py $(ARGS)

# The lock: one universal resolution (every Python 3.10-3.14, Linux, macOS, Windows) by uv, which
# requirements-dev.txt brings. Versions already locked are kept unless pyproject.toml's bounds exclude
# them; LOCK_ARGS="--upgrade" (or --upgrade-package NAME) moves them. torch's index per platform is
# pyproject.toml's [tool.uv.sources]. Where PyTorch's CPU index cannot be reached, name a stand-in made
# from one local CPU wheel (tools/standin_cpu_index.py WHEEL DIR): LOCK_ARGS="--index pytorch-cpu=file://DIR".
lock: setup-test            ## after changing pyproject.toml: re-lock requirements.txt and requirements-dev.txt (uv)
	UV_PYTHON_DOWNLOADS=never $(UV_COMPILE) -o requirements.txt
	UV_PYTHON_DOWNLOADS=never $(UV_COMPILE) --extra dev -c requirements.txt -o requirements-dev.txt

clean:                      ## remove .venv, caches and build/
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .hypothesis test-artifacts build
