# One entry point per task. `make` alone sets everything up; each target installs what it needs.
# Installs are keyed on stamp files, so a second `make test` with nothing changed reinstalls nothing.

VENV    := .venv
PY      := $(VENV)/bin/python
PY_OK   := $(VENV)/.installed
NODE_OK := node_modules/.installed
WHEELS  := .pyodide-wheels
WHEELS_OK := $(WHEELS)/.downloaded
BROWSER := /usr/bin/chromium
export NO_MKDOCS_2_WARNING := 1
# With Agg forced, notebook plots silently vanish from the site.
unexport MPLBACKEND

.PHONY: all install test serve docs bench lint mutation clean help
all: install help

help:
	@echo "make test   run every check (unit, derivations, strict site build, browser)"
	@echo "make serve  build the site and serve it on http://127.0.0.1:8000"
	@echo "make docs   build the site strictly into site/"
	@echo "make bench  time a training step: mlp vs autograd vs the matmul floor"
	@echo "make lint   ruff; zizmor and the workflow JSON schema on .github/workflows"
	@echo "make mutation  mutmut over the hand-written network, then the score (not in make test)"

install: $(PY_OK) $(NODE_OK) $(WHEELS_OK) $(BROWSER)

$(PY_OK): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

$(NODE_OK): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The pure-Python wheels Pyodide installs in the browser on the "Derive your own" page: the
# sympy and mpmath the venv pins, so the page runs the SymPy the tests run.
$(WHEELS_OK): constraints.txt | $(PY_OK)
	rm -rf $(WHEELS)
	$(PY) -m pip download -q --no-deps --only-binary=:all: -d $(WHEELS) \
	    $(shell grep -iE '^(sympy|mpmath)==' constraints.txt)
	touch $@

# Debian's chromium drives the browser tests; no browser is ever downloaded by a test tool.
$(BROWSER):
	DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# Two workers run the tests while the site builds in the background (tests/conftest.py); a
# notebook page runs again unless its run is cached under the same key (NOTEBOOK_CACHE=false: all).
test: install
	$(PY) -m pytest -n 2

# Strict, into site/: every notebook executed afresh, one kernel per core (tools/notebooks.py),
# every formula typeset by KaTeX, every internal link followed (tools/check_links.py).
docs: $(PY_OK) $(NODE_OK) $(WHEELS_OK)
	NOTEBOOK_CACHE=false $(PY) -m mkdocs build --strict

# Live rebuilds on edits to docs/ and the packages; a notebook re-runs only when it or the code
# it imports changes (.cache/notebooks/ is keyed on both, see tools/notebooks.py).
serve: $(PY_OK) $(NODE_OK) $(WHEELS_OK)
	NOTEBOOK_CACHE=true $(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000

lint: $(PY_OK)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/zizmor --offline --quiet .github/workflows
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

clean:
	rm -rf site .pytest_cache .hypothesis

bench: $(PY_OK)
	$(PY) -m benchmarks

# Mutation testing of mlp/'s network code ([tool.mutmut] in pyproject.toml says which files and
# tests): mutmut copies both into mutants/, runs the tests once per mutant, and the score is
# what they kill. Equivalent mutants and their reasons: tools/mutation_equivalent.txt.
mutation: $(PY_OK)
	rm -rf mutants
	# One thread: mutmut forks its runners from a process that has started torch's OpenMP pool,
	# and a forked child that enters a parallel region hangs (read as a timeout).
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(VENV)/bin/mutmut run --max-children $$(nproc)
	$(PY) tools/mutation_score.py
