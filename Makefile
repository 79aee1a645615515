# Two commands on a fresh machine: `make run` serves the app, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
TOOLS := .tools
BUN := $(TOOLS)/node_modules/.bin/bun
# axe-core: the accessibility checks the browser tests inject into every page they reach
AXE := $(TOOLS)/node_modules/axe-core/axe.min.js
export REFLEX_USE_SYSTEM_BUN := 1
export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
# Installs come from the lock files: every transitive package pinned with its hashes.
PIP_INSTALL := $(VENV)/bin/pip install --quiet --require-hashes
UV_COMPILE := $(VENV)/bin/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	--custom-compile-command "make lock"

.PHONY: run test test-fast bench lint lock setup setup-dev clean

run: setup                  ## serve the app on http://127.0.0.1:3000 (SQLite, mail to var/outbox)
	QUEUE_PREBUILT_FRONTEND=1 scripts/start.sh  # builds the frontend once; later runs reuse it

test: setup-dev             ## the whole suite (SQLite always; PostgreSQL/Redis when configured)
	scripts/test.sh

test-fast: setup-dev        ## unit + integration tests, no browser
	scripts/test.sh -m "not e2e"

bench: setup-dev            ## benchmarks (< 30 min; BENCH_ARGS=--quick: < 3 min); writes bench/results/
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

lint: setup-dev
	$(VENV)/bin/ruff check queue_app tests bench

lock: setup-dev             ## after editing requirements*.txt: regenerate both lock files (needs PyPI)
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -o requirements-dev.lock

setup: $(VENV)/.runtime $(BUN)
setup-dev: $(VENV)/.dev $(BUN) $(AXE)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet pip==26.3

$(VENV)/.runtime: requirements.lock | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements.lock
	touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(VENV)/bin/python
	$(PIP_INSTALL) -r requirements-dev.lock
	touch $(VENV)/.runtime $@

$(BUN):
	mkdir -p $(TOOLS)
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) bun@1.4.5
	$(BUN) --version

$(AXE):
	mkdir -p $(TOOLS)
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) axe-core@4.14.1

clean:
	rm -rf $(VENV) $(TOOLS) .web .states
