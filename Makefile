# LeadFlow developer commands (GNU make). A newcomer needs two: `make run` and `make test`.
# Everything installs into ./.venv from the pinned requirements files. Configuration comes
# from environment variables (see .env.example); DATABASE_URL, REDIS_URL and friends pass
# through unchanged, so the same commands run on PostgreSQL + Redis.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Python 3.12+ to build the virtualenv with: the first of python3.12, python3, python3.13,
# python3.14 on PATH that runs and is >= 3.12 (a pyenv shim may exist yet not run).
# Override with make PYTHON=/path/to/python3.12 ...
IS_PY312 := -c 'import sys; sys.exit(sys.version_info < (3, 12))'
ifeq ($(origin PYTHON),undefined)
PYTHON := $(shell for p in python3.12 python3 python3.13 python3.14; do \
  if command -v $$p >/dev/null 2>&1 && $$p $(IS_PY312) >/dev/null 2>&1; then command -v $$p; break; fi; done)
endif
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=

.PHONY: help venv .venv node_modules run test lint bench clean

help: ## list the commands
	@echo "LeadFlow. Start with: make run   (then open http://127.0.0.1:$(PORT)/)   and   make test"
	@grep -hE '^[a-z.]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-6s %s\n", $$1, $$2}'

# --- virtualenv ------------------------------------------------------------------------
# Rebuilt (pip install) whenever a requirements file changes; the stamp records the install.
venv: $(STAMP) ## create .venv and install requirements-dev.txt (again when they change)
.venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@if [ -z "$(PYTHON)" ]; then \
	  echo "error: LeadFlow needs Python >= 3.12; none found on PATH (python3 is: $$(python3 --version 2>&1 | head -n1))." >&2; \
	  echo "       Install Python 3.12+, or run make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi
	@if ! "$(PYTHON)" $(IS_PY312) 2>/dev/null; then \
	  echo "error: LeadFlow needs Python >= 3.12, but $(PYTHON) is: $$("$(PYTHON)" --version 2>&1 | head -n1)" >&2; \
	  echo "       Install Python 3.12+, or run make PYTHON=/path/to/python3.12 ..." >&2; exit 1; fi
	@if [ -x $(BIN)/python ] && ! $(BIN)/python $(IS_PY312); then \
	  echo "error: $(VENV) was built with $$($(BIN)/python --version 2>&1); remove it (rm -rf $(VENV)) and retry." >&2; exit 1; fi
	@if [ ! -x $(BIN)/python ]; then echo "Creating $(VENV) with $$("$(PYTHON)" --version)"; "$(PYTHON)" -m venv $(VENV); fi
	@echo "Installing requirements-dev.txt into $(VENV) (the first time takes a minute)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@

# --- node_modules (test tools only) ----------------------------------------------------
# axe-core, pinned in package.json / package-lock.json, checks accessibility in the browser
# tests. `make test` installs it when npm is on PATH; without npm those checks skip (and fail
# under LEADFLOW_REQUIRE_SERVICES=1). npm ci again whenever the lock file changes.
NPM := $(shell command -v npm 2>/dev/null)
NODE_STAMP := node_modules/.installed
node_modules: $(NODE_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# --- the two commands ------------------------------------------------------------------
# Dev demo: DEBUG on (no SECRET_KEY needed); SQLite + on-disk broker in ./var unless
# DATABASE_URL / REDIS_URL are set. seed_demo is idempotent and prints the demo logins.
# (An empty variable counts as unset, as in the settings.)
RUN_ENV := DJANGO_DEBUG="$${DJANGO_DEBUG:-1}"
run: $(STAMP) ## migrate, load demo data, start web + worker + beat on http://127.0.0.1:8000/
	@mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py seed_demo
	@echo
	@echo "LeadFlow runs at http://127.0.0.1:$(PORT)/ (web, worker and beat below; Ctrl-C stops all three)"
	@echo
	$(RUN_ENV) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start --env /dev/null -f Procfile.dev -p $(PORT)

# Tests run with DEBUG off over plain HTTP (the settings turn HTTPS hardening on whenever
# DEBUG is off). DATABASE_URL, REDIS_URL and LEADFLOW_REQUIRE_SERVICES pass through: with
# none set, tests needing PostgreSQL, Redis, Chromium or axe-core (npm) skip;
# LEADFLOW_REQUIRE_SERVICES=1 makes them fail instead (CI).
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-test-only-insecure-key}" \
  DJANGO_HTTPS="$${DJANGO_HTTPS:-0}"
test: $(STAMP) $(if $(NPM),$(NODE_STAMP)) ## run the test suite (make test PYTEST_ARGS="-k routing -x")
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# --- the rest --------------------------------------------------------------------------
# check --deploy runs with production-like settings: DEBUG off, HTTPS on, a random key,
# a real host name and the SMTP mail backend.
lint: $(STAMP) ## ruff, import contracts, missing migrations, check --deploy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_DEBUG=0 DJANGO_HTTPS=1 DJANGO_ALLOWED_HOSTS=leadflow.example.com \
	  EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend \
	  DJANGO_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	  $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: $(STAMP) ## run the benchmarks in bench/ (numbers, not pass/fail)
	@if [ -f bench/__main__.py ]; then \
	  $(BIN)/python -m bench $(BENCH_ARGS); \
	else echo "bench/__main__.py does not exist yet: no benchmarks to run."; fi

clean: ## delete local data: var/ (SQLite databases, on-disk broker, cache), staticfiles/
	rm -rf var staticfiles
