# smartdc developer entry points. Everything a fresh clone needs is installed from here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CACHE  := .cache
SHARED ?= ../shared
DEV_STAMP  := $(VENV)/.dev-installed
BASE_STAMP := $(VENV)/.installed
# Every Python the package claims (requires-python >= 3.10): the full suite runs on $(PYTHON), the
# unit tests on each of these, from pyenv ($(PYENV_ROOT)/versions), in .venv-<version>.
PYENV_ROOT    ?= $(HOME)/.pyenv
OTHER_PYTHONS ?= 3.10 3.12 3.13
# Unit tests: everything but the end-to-end runs (CLI, simulator, property, streaming, benchmarks,
# packaging) and the conformance suites (node-triton's, triton-go's).
UNIT_TESTS := tests --ignore=tests/cli --ignore=tests/simulator --ignore=tests/property \
	--ignore=tests/conformance --ignore=tests/streaming \
	--ignore=tests/bench --ignore=tests/test_packaging.py --ignore=tests/test_seed_readme.py \
	--ignore=tests/ansible/test_inventory.py --ignore=tests/ansible/test_playbooks.py \
	--ignore=tests/ansible/test_readme.py --ignore=tests/ansible/test_sanity.py \
	--ignore=tests/ansible/test_modules.py
CHECKED := smartdc codegen tests bench
# The Ansible collection (ansible/ansible_collections/smartdc/triton): linted with the rest, and
# type-checked on its own (its imports are ansible_collections.*, found from ansible/).
COLLECTION_ROOT := ansible
# pytest workers (pytest-xdist); each test file stays on one worker (module fixtures, test order).
PYTEST_JOBS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_JOBS) --dist loadfile

.PHONY: test demo lint fmt typecheck generate check-generated docs docs-strict pytest pythons dist bench node-tools go-tools ssh-tools cloudapi-history ansible-sanity clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(BASE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(BASE_STAMP)

# Our signature harness (tests/httpsig: http-signature 1.4.0 as CloudAPI 9.20 runs it; tests check
# our signatures with it), the official triton CLI, pinned (tests/cli_parity compares smartdc with
# that version, bench 4 times it)
# (fidelity tests of the simulator), and node-triton 7.15's integration suite with the CLI it runs
# (triton 7.15.3 and tap; tests/conformance runs it against the simulator; 7.15 lacks commands the
# fidelity tests use, hence its own directory). Best effort: tests skip with a message if absent.
TRITON_VERSION := 7.17.0
SUITE_NODE  := $(CACHE)/node-triton-7.15
SUITE_PKG   := $(SUITE_NODE)/node_modules/triton
CONFORMANCE := $(SHARED)/conformance/node-triton-7.15.0/test
node-tools:
	@if command -v npm >/dev/null 2>&1; then \
	  mkdir -p $(CACHE)/httpsig && cp tests/httpsig/package.json tests/httpsig/verify.js $(CACHE)/httpsig/; \
	  if [ ! -d $(CACHE)/httpsig/node_modules/http-signature ]; then \
	    (cd $(CACHE)/httpsig && npm install --silent --no-audit --no-fund >/dev/null 2>&1) || echo "warning: could not install the http-signature harness"; \
	  fi; \
	  if ! grep -qs '"version": "$(TRITON_VERSION)"' $(CACHE)/node/node_modules/triton/package.json; then \
	    mkdir -p $(CACHE)/node && (cd $(CACHE)/node && npm install --silent --no-audit --no-fund triton@$(TRITON_VERSION) >/dev/null 2>&1) || echo "warning: could not install the triton CLI $(TRITON_VERSION)"; \
	  fi; \
	  if ! grep -qs '"version": "7.15.3"' $(SUITE_PKG)/package.json || [ ! -d $(SUITE_NODE)/node_modules/tap ]; then \
	    mkdir -p $(SUITE_NODE) && (cd $(SUITE_NODE) && npm install --silent --no-audit --no-fund triton@7.15.3 tap@12.6.1 >/dev/null 2>&1) || echo "warning: could not install triton 7.15.3 and tap"; \
	  fi; \
	  if [ ! -x $(CACHE)/pyright/node_modules/.bin/pyright ]; then \
	    mkdir -p $(CACHE)/pyright && (cd $(CACHE)/pyright && npm install --silent --no-audit --no-fund pyright@1.1.414 >/dev/null 2>&1) || echo "warning: could not install pyright; its check of the editable install is skipped"; \
	  fi; \
	  if [ -d $(SUITE_PKG) ]; then \
	    if [ -d $(CONFORMANCE) ]; then rm -rf $(SUITE_PKG)/test && cp -R $(CONFORMANCE) $(SUITE_PKG)/test; \
	    else echo "note: $(CONFORMANCE) not found; the node-triton integration suite will be skipped"; fi; \
	  fi; \
	else echo "note: npm not found; signature-verifier, triton CLI and node-triton suite tests will be skipped"; fi

# triton-go's acceptance suite (tests/conformance/test_triton_go.py runs it against the simulator):
# Go from Debian's golang-go, installed with apt where we are root; the suite, its dependencies
# vendored, copied from $(SHARED) and run offline (GOFLAGS=-mod=vendor, GOPROXY=off). Best effort:
# the tests skip with a message without Go or the suite.
TRITON_GO     := $(CACHE)/triton-go
TRITON_GO_SRC := $(SHARED)/conformance/triton-go
go-tools:
	@if ! command -v go >/dev/null 2>&1 && ! ls /usr/lib/go-1.*/bin/go >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq golang-go >/dev/null 2>&1) || echo "warning: could not install golang-go"; \
	  else echo "note: Go is not installed and apt-get is unavailable (or not root); triton-go's suite will be skipped"; fi; \
	fi
	@if [ -f $(TRITON_GO_SRC)/run.sh ]; then \
	  rm -rf $(TRITON_GO) && mkdir -p $(CACHE) && cp -R $(TRITON_GO_SRC) $(TRITON_GO); \
	else echo "note: $(TRITON_GO_SRC) not found; triton-go's suite will be skipped"; fi

# The CloudAPI server's lib/, plugins/ and docs at 9.15.0 and 9.20.0 (MPL-2.0, copied unchanged from
# TritonDataCenter/sdc-cloudapi): tests/generator/test_server_diff.py replays that release on the
# spec with `python -m codegen server-diff`. Best effort: the tests skip with a message without it.
HISTORY     := $(CACHE)/cloudapi-history
HISTORY_SRC := $(SHARED)/cloudapi/history
cloudapi-history:
	@if [ -d $(HISTORY_SRC)/9.20.0/lib ]; then \
	  rm -rf $(HISTORY) && mkdir -p $(CACHE) && cp -R $(HISTORY_SRC) $(HISTORY); \
	else echo "note: $(HISTORY_SRC) not found; the server-diff replay tests will be skipped"; fi

# ssh-agent tests need Debian's openssh-client.
ssh-tools:
	@command -v ssh-agent >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq openssh-client >/dev/null 2>&1) || \
	  echo "note: ssh-agent unavailable; agent tests will be skipped"; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check $(CHECKED) $(COLLECTION_ROOT)
	$(BIN)/ruff format --check $(CHECKED) $(COLLECTION_ROOT)

# Rewrite the sources the way `make lint` wants them (import order, safe fixes, formatting).
fmt: $(DEV_STAMP)
	$(BIN)/ruff check --fix $(CHECKED) $(COLLECTION_ROOT)
	$(BIN)/ruff format $(CHECKED) $(COLLECTION_ROOT)

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict $(CHECKED)
	MYPYPATH=$(COLLECTION_ROOT) $(BIN)/mypy --strict --explicit-package-bases $(COLLECTION_ROOT)/ansible_collections

generate: $(DEV_STAMP)
	$(BIN)/python -m codegen

check-generated: $(DEV_STAMP)
	$(BIN)/python -m codegen --check

# ansible-test sanity's per-test environments for the collection (tests/ansible/test_sanity.py):
# ansible-test would bootstrap pip from a host we cannot reach; these are made the same way here.
ansible-sanity: $(DEV_STAMP)
	@$(BIN)/python -m tests.ansible.sanity_venvs $(CACHE)/ansible-test-home || \
	  echo "warning: could not prepare ansible-test's environments; test_sanity runs without them"

pytest: $(DEV_STAMP) node-tools go-tools ssh-tools cloudapi-history ansible-sanity
	SMARTDC_ORACLE=$${SMARTDC_ORACLE:-$(abspath $(SHARED))/oracle} $(BIN)/pytest $(PYTEST_PARALLEL)

# The unit tests on every other claimed Python. A version pyenv lacks is installed with
# `pyenv install` when possible, else skipped with a message (the run still fails if tests fail).
pythons:
	@for v in $(OTHER_PYTHONS); do \
	  py=$$(ls -d $(PYENV_ROOT)/versions/$$v.* 2>/dev/null | sort -V | tail -n 1); \
	  if [ -z "$$py" ] && command -v pyenv >/dev/null 2>&1; then \
	    echo "installing Python $$v with pyenv"; \
	    pyenv install -s "$$v" >/dev/null 2>&1 || pyenv install -s "$$v:latest" >/dev/null 2>&1; \
	    py=$$(ls -d $(PYENV_ROOT)/versions/$$v.* 2>/dev/null | sort -V | tail -n 1); \
	  fi; \
	  if [ -z "$$py" ] || [ ! -x "$$py/bin/python" ]; then \
	    echo "note: Python $$v not found under $(PYENV_ROOT)/versions and pyenv could not install it; its unit tests are skipped"; \
	    continue; \
	  fi; \
	  venv=.venv-$$v; \
	  if [ ! -f $$venv/.dev-installed ] || [ pyproject.toml -nt $$venv/.dev-installed ]; then \
	    "$$py/bin/python" -m venv $$venv && $$venv/bin/pip install -q -e '.[dev]' && touch $$venv/.dev-installed || exit 1; \
	  fi; \
	  echo "unit tests on Python $$($$venv/bin/python -c 'import platform; print(platform.python_version())')"; \
	  $$venv/bin/pytest -q $(PYTEST_PARALLEL) $(UNIT_TESTS) || exit 1; \
	done

# The documentation site (mkdocs.yml: the guide, the facade, the client from the spec, the CLI, the
# simulator and its pytest fixtures, the errors) into site/; `make test` builds it with --strict
# (any warning fails it) and tests/test_docs.py runs its examples.
docs: $(DEV_STAMP)
	$(BIN)/mkdocs build

docs-strict: $(DEV_STAMP)
	$(BIN)/mkdocs build --strict -q -d $(CACHE)/site-strict

test: lint typecheck check-generated docs-strict pytest pythons

demo: $(BASE_STAMP)
	$(BIN)/smartdc demo

dist: $(DEV_STAMP)
	rm -rf dist
	$(BIN)/python -m build --sdist --wheel --outdir dist .

bench: $(DEV_STAMP) node-tools
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(addprefix .venv-,$(OTHER_PYTHONS)) $(CACHE) dist build site *.egg-info
