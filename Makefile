# The one entry point for people and CI. `make demo` and `make test` set everything up
# themselves: virtualenv, pinned packages, browser, database migrations.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
PG_URL ?= postgres://postgres@127.0.0.1:5432/mekong
export PYTHONDONTWRITEBYTECODE := 1
export UV_PYTHON := $(BIN)/python
export UV_NO_PROGRESS := 1

.PHONY: help demo test install install-dev browser lint typecheck check-migrations \
        check-openapi openapi messages compilemessages test-sqlite test-postgres test-fast \
        bench lock clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.base-installed: requirements/base.txt pyproject.toml | $(BIN)/python
	$(UV) pip install --quiet -r requirements/base.txt
	$(UV) pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev-installed: requirements/dev.txt $(VENV)/.base-installed
	$(UV) pip install --quiet -r requirements/dev.txt
	touch $@

install: $(VENV)/.base-installed ## create .venv and install the platform

install-dev: $(VENV)/.dev-installed ## also install test and lint tools

demo: install compilemessages ## run the platform with demo data at http://127.0.0.1:8000
	@# One witness per member country (127.0.0.1:7381-7385) cosigns the log's checkpoints; they run
	@# detached and a second run reuses them. Stop them with: pkill -f "mekong.cli witness serve"
	$(BIN)/mekong witness demo --no-wait >/dev/null
	$(BIN)/mekong demo

browser: ## install Debian chromium and Noto fonts for browser tests (when root and missing)
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans Thai"; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "installing chromium and fonts-noto-core from Debian"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core >/dev/null; \
	  else \
	    echo "browser tests need /usr/bin/chromium and fonts-noto-core: sudo apt-get install chromium fonts-noto-core" >&2; \
	  fi; \
	fi

lint: install-dev ## ruff, import contracts, module boundaries
	$(BIN)/ruff check src bench
	$(BIN)/ruff format --check src bench
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_module_boundaries.py

typecheck: install-dev ## mypy --strict with django-stubs
	DEBUG=true $(BIN)/mypy src

check-migrations: install-dev ## fail if a model change has no migration
	DEBUG=true DATABASE_URL=sqlite:///:memory: $(BIN)/mekong manage makemigrations --check --dry-run

openapi: install-dev ## rewrite docs/openapi.json from the code
	DEBUG=true $(BIN)/mekong openapi -o docs/openapi.json

check-openapi: install-dev ## fail if docs/openapi.json differs from the code
	DEBUG=true $(BIN)/mekong openapi --check docs/openapi.json

messages: install-dev ## extract translatable strings into the .po catalogues
	cd src/mekong && DEBUG=true ../../$(BIN)/mekong manage makemessages --no-location -l th -l vi -l km -l lo -l my --ignore "*/tests/*"

compilemessages: install ## compile the .po catalogues (and check they are complete)
	$(BIN)/python -m mekong.core.i18n_check --compile src/mekong/locale

test-sqlite: install-dev browser compilemessages ## the whole suite on SQLite
	@echo "=== test suite on SQLite ==="
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup

test-postgres: install-dev browser compilemessages ## the whole suite on PostgreSQL
	@echo "=== test suite on PostgreSQL ($(PG_URL)) ==="
	$(BIN)/python scripts/ensure_postgres.py "$(PG_URL)"
	DATABASE_URL="$(PG_URL)" $(BIN)/pytest -p no:cacheprovider -n 2 --dist loadgroup

test: lint typecheck check-migrations check-openapi compilemessages test-sqlite test-postgres ## everything CI runs
	@echo "=== make test: all checks passed on SQLite and PostgreSQL ==="

test-fast: install-dev ## the suite on SQLite without browser tests
	env -u DATABASE_URL $(BIN)/pytest -p no:cacheprovider -n 2 -m "not browser"

bench: install-dev ## run every benchmark (prints tables)
	for f in bench/[a-z]*.py; do m=$$(basename $$f .py); echo "== bench.$$m"; $(BIN)/python -m bench.$$m; done

lock: | $(BIN)/python ## re-pin requirements/*.txt from pyproject.toml
	$(UV) pip compile --quiet --python-version 3.11 pyproject.toml -o requirements/base.txt
	$(UV) pip compile --quiet --python-version 3.11 --extra dev pyproject.toml -o requirements/dev.txt

clean: ## remove the virtualenv and local state
	rm -rf $(VENV) var .mypy_cache .ruff_cache
