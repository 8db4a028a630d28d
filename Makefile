# smartdc developer entry points. Everything a fresh clone needs is installed from here.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
CACHE  := .cache
SHARED ?= ../shared
DEV_STAMP  := $(VENV)/.dev-installed
BASE_STAMP := $(VENV)/.installed

.PHONY: test demo lint typecheck generate check-generated pytest dist bench node-tools ssh-tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(BASE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(BASE_STAMP)

# Joyent's http-signature verifier (tests check our signatures with it), the official triton CLI
# (fidelity tests of the simulator), and node-triton 7.15's integration suite with the CLI it runs
# (triton 7.15.3 and tap; tests/conformance runs it against the simulator; 7.15 lacks commands the
# fidelity tests use, hence its own directory). Best effort: tests skip with a message if absent.
SUITE_NODE  := $(CACHE)/node-triton-7.15
SUITE_PKG   := $(SUITE_NODE)/node_modules/triton
CONFORMANCE := $(SHARED)/conformance/node-triton-7.15.0/test
node-tools:
	@if command -v npm >/dev/null 2>&1; then \
	  if [ ! -d $(CACHE)/httpsig/node_modules ] && [ -d $(SHARED)/tools ]; then \
	    mkdir -p $(CACHE)/httpsig && cp $(SHARED)/tools/package.json $(SHARED)/tools/verify-httpsig.js $(CACHE)/httpsig/ && \
	    (cd $(CACHE)/httpsig && npm install --silent --no-audit --no-fund >/dev/null 2>&1) || echo "warning: could not install the http-signature verifier"; \
	  fi; \
	  if [ ! -x $(CACHE)/node/node_modules/triton/bin/triton ]; then \
	    mkdir -p $(CACHE)/node && (cd $(CACHE)/node && npm install --silent --no-audit --no-fund triton >/dev/null 2>&1) || echo "warning: could not install the triton CLI"; \
	  fi; \
	  if ! grep -qs '"version": "7.15.3"' $(SUITE_PKG)/package.json || [ ! -d $(SUITE_NODE)/node_modules/tap ]; then \
	    mkdir -p $(SUITE_NODE) && (cd $(SUITE_NODE) && npm install --silent --no-audit --no-fund triton@7.15.3 tap@12.6.1 >/dev/null 2>&1) || echo "warning: could not install triton 7.15.3 and tap"; \
	  fi; \
	  if [ -d $(SUITE_PKG) ]; then \
	    if [ -d $(CONFORMANCE) ]; then rm -rf $(SUITE_PKG)/test && cp -R $(CONFORMANCE) $(SUITE_PKG)/test; \
	    else echo "note: $(CONFORMANCE) not found; the node-triton integration suite will be skipped"; fi; \
	  fi; \
	else echo "note: npm not found; signature-verifier, triton CLI and node-triton suite tests will be skipped"; fi

# ssh-agent tests need Debian's openssh-client.
ssh-tools:
	@command -v ssh-agent >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq >/dev/null 2>&1; apt-get install -y -qq openssh-client >/dev/null 2>&1) || \
	  echo "note: ssh-agent unavailable; agent tests will be skipped"; }

lint: $(DEV_STAMP)
	$(BIN)/ruff check smartdc codegen tests bench
	$(BIN)/ruff format --check smartdc codegen tests bench

typecheck: $(DEV_STAMP)
	$(BIN)/mypy --strict smartdc codegen

generate: $(DEV_STAMP)
	$(BIN)/python -m codegen

check-generated: $(DEV_STAMP)
	$(BIN)/python -m codegen --check

pytest: $(DEV_STAMP) node-tools ssh-tools
	$(BIN)/pytest

test: lint typecheck check-generated pytest

demo: $(BASE_STAMP)
	$(BIN)/smartdc demo

dist: $(DEV_STAMP)
	rm -rf dist
	$(BIN)/python -m build --sdist --wheel --outdir dist .

bench: $(DEV_STAMP) node-tools
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(CACHE) dist build *.egg-info
