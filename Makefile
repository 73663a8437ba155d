# One entry point per task. `make` alone sets everything up; each target installs what it needs.
# Installs are keyed on stamp files, so a second `make test` with nothing changed reinstalls nothing.

VENV    := .venv
PY      := $(VENV)/bin/python
PY_OK   := $(VENV)/.installed
NODE_OK := node_modules/.installed
WHEELS  := .pyodide-wheels
WHEELS_OK := $(WHEELS)/.downloaded
BROWSER := /usr/bin/chromium
BWRAP := /usr/bin/bwrap
export NO_MKDOCS_2_WARNING := 1
# With Agg forced, notebook plots silently vanish from the site.
unexport MPLBACKEND

.PHONY: all install check test notebooks serve docs audit bench lint mutation clean help
all: install help

help:
	@echo "make check  the unit tests, without the site or a browser: the quick inner loop"
	@echo "make test   run every check (unit, derivations, strict site build, browser)"
	@echo "make serve  build the site and serve it on http://127.0.0.1:8000, rebuilt on edits"
	@echo "make docs   build the site strictly into site/"
	@echo "make notebooks  execute the notebook pages that changed into build/notebooks/"
	@echo "make audit  Lighthouse (mobile) and axe-core scores of the built site, per page"
	@echo "make bench  time a training step: mlp vs autograd vs the matmul floor"
	@echo "make lint   ruff; zizmor and the workflow JSON schema on .github/workflows"
	@echo "make mutation  mutmut over the hand-written network, then the score (not in make test)"

# The four installs are independent (.venv, node_modules, .pyodide-wheels, Debian's chromium):
# they run side by side, each waiting on its own downloads.
install:
	@$(MAKE) --no-print-directory -j4 $(PY_OK) $(NODE_OK) $(WHEELS_OK) $(BROWSER) $(BWRAP)

$(PY_OK): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# --omit=dev: Lighthouse (a devDependency, 140 packages) only for `make audit`, which adds it.
$(NODE_OK): package.json package-lock.json
	npm ci --omit=dev --no-audit --no-fund --loglevel=error
	touch $@

# The pure-Python wheels Pyodide installs in the browser on the "Derive your own" page: the
# sympy and mpmath the venv pins, so the page runs the SymPy the tests run. The system's pip
# fetches them, so this need not wait for the venv.
$(WHEELS_OK): constraints.txt
	rm -rf $(WHEELS)
	python3 -m pip download -q --no-deps --only-binary=:all: -d $(WHEELS) \
	    $(shell grep -iE '^(sympy|mpmath)==' constraints.txt)
	touch $@

# Debian's chromium drives the browser tests; no browser is ever downloaded by a test tool.
# The package lists are fetched only when apt does not know the package yet.
$(BROWSER):
	apt-cache show chromium >/dev/null 2>&1 || \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

# Debian's bubblewrap sandboxes the files mlp-check grades. After chromium (order only): two
# apt-get calls at once would fight over apt's lock.
$(BWRAP): | $(BROWSER)
	apt-cache show bubblewrap >/dev/null 2>&1 || \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null

# The inner loop: the unit, property and derivation tests in two workers, test by test; no
# site, notebook or browser (`site`), and not the few that take seconds each (`slow`, listed
# in tests/conftest.py). `make test` runs those too.
check: $(PY_OK)
	$(PY) -m pytest -n 2 --dist load -m "not site and not slow" -q

# Two workers run the tests while the site builds in the background (tests/conftest.py: the
# notebooks step, then mkdocs); the tests that read the site run last.
test: install
	$(PY) -m pytest -n 2

# Each page docs/notebooks/<name>.py executed into build/notebooks/<name>.ipynb, the folder
# the site renders; a page runs again only when it or the code it imports changed
# (tools/notebooks.py).
notebooks: $(PY_OK)
	$(PY) -m tools.notebooks

# Strict, into site/: every notebook executed afresh, one kernel per core, every formula
# typeset by KaTeX, every internal link followed (tools/check_links.py).
docs: $(PY_OK) $(NODE_OK) $(WHEELS_OK)
	$(PY) -m tools.notebooks --fresh
	$(PY) -m mkdocs build --strict

# Lighthouse's mobile scores on the main pages and axe-core's serious violations on every page,
# light and dark, of the site in site/ (built first if missing), served gzip-compressed as GitHub
# Pages serves it (tools/audit.py). Lighthouse is npm's, installed here only (a devDependency).
audit: $(PY_OK) $(NODE_OK) $(BROWSER)
	npm install --include=dev --no-audit --no-fund --loglevel=error
	test -f site/index.html || $(MAKE) --no-print-directory docs
	CHROME_PATH=$(BROWSER) $(PY) -m tools.audit site

# Two processes: the notebooks step runs a page again whenever it or the code it imports
# changes, and mkdocs rebuilds on edits to docs/, to the code and to build/notebooks/.
serve: notebooks $(NODE_OK) $(WHEELS_OK)
	$(PY) -m tools.notebooks --watch & watcher=$$!; \
	trap 'kill $$watcher 2>/dev/null' EXIT INT TERM; \
	$(PY) -m mkdocs serve --dev-addr 127.0.0.1:8000 --watch build/notebooks

lint: $(PY_OK)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/zizmor --offline --quiet .github/workflows
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml

clean:
	rm -rf site build .pytest_cache .hypothesis

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
