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

# Joyent's http-signature verifier (tests check our signatures with it) and the official
# triton CLI (fidelity tests of the simulator). Best effort: tests skip with a message if absent.
node-tools:
	@if command -v npm >/dev/null 2>&1; then \
	  if [ ! -d $(CACHE)/httpsig/node_modules ] && [ -d $(SHARED)/tools ]; then \
	    mkdir -p $(CACHE)/httpsig && cp $(SHARED)/tools/package.json $(SHARED)/tools/verify-httpsig.js $(CACHE)/httpsig/ && \
	    (cd $(CACHE)/httpsig && npm install --silent --no-audit --no-fund >/dev/null 2>&1) || echo "warning: could not install the http-signature verifier"; \
	  fi; \
	  if [ ! -x $(CACHE)/node/node_modules/triton/bin/triton ]; then \
	    mkdir -p $(CACHE)/node && (cd $(CACHE)/node && npm install --silent --no-audit --no-fund triton >/dev/null 2>&1) || echo "warning: could not install the triton CLI"; \
	  fi; \
	else echo "note: npm not found; signature-verifier and triton CLI tests will be skipped"; fi

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
