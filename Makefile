# Constellation: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers; "auto" uses every core.
WORKERS ?= auto

.PHONY: demo test serve deps dev-deps assets migrate seed lint format bench-import check-deploy ci clean

## make demo: venv, dependencies, assets, SQLite, migrations, demo data, server.
demo: deps assets
	DJANGO_DEBUG=true $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true $(PY) manage.py seed_demo
	@echo ""
	@echo "Serving Constellation on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	DJANGO_DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set).
test: dev-deps assets
	$(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

deps: $(VENV)/.runtime
dev-deps: $(VENV)/.dev

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

lint: dev-deps assets
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PY) manage.py makemigrations --check --dry-run --settings=mentoring.settings_test

format: dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## The production settings pass Django's deployment checklist.
check-deploy: deps assets
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	DJANGO_ALLOWED_HOSTS=constellation.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING

bench-import: dev-deps
	$(PY) bench/import_bench.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-* .pytest_cache .mypy_cache .ruff_cache
