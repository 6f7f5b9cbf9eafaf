# Constellation: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
# Constellation runs on Python 3.11 only (pyproject.toml); no silent fallback to another python3.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers; "auto" uses every core.
WORKERS ?= auto

.PHONY: demo up down test serve deps dev-deps assets migrate seed lint format bench-import bench-matching bench-sweeps bench-web screenshots check-deploy check-static ci clean

## make demo: venv, dependencies, assets, SQLite, migrations, demo data, server.
demo: deps assets
	DJANGO_DEBUG=true ADMIN_MFA_REQUIRED=false $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=true ADMIN_MFA_REQUIRED=false $(PY) manage.py seed_demo
	@echo ""
	@echo "Serving Constellation on http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@echo "Reminder sweeps run every minute alongside it; their e-mails print here."
	@echo "Demo only: admins and staff may use admin pages without two-factor (ADMIN_MFA_REQUIRED=false)."
	DJANGO_DEBUG=true ADMIN_MFA_REQUIRED=false $(PY) manage.py run_sweeps --every 60 & sweeps=$$!; \
	trap 'kill $$sweeps 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=true ADMIN_MFA_REQUIRED=false $(PY) manage.py runserver $(HOST):$(PORT)

## make up: the production stack in the background (gunicorn, 2 Celery workers, one beat,
## via honcho and the Procfile) against PostgreSQL and Redis; `make down` stops it.
## DATABASE_URL, REDIS_URL, PORT ... as in scripts/stack.sh and docs/deploy.md.
up: deps assets
	PORT=$(PORT) HOST=$(HOST) scripts/stack.sh up

down:
	scripts/stack.sh down

## make test: the whole suite (PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set).
test: dev-deps assets
	$(PY) -m pytest -n $(WORKERS) $(PYTEST_ARGS)

$(VENV)/.runtime: requirements.txt
	@test -x $(PY) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
	  echo "error: '$(PYTHON)' is missing or is not Python 3.11, which Constellation needs." >&2; \
	  echo "       Install it (Debian 12: apt-get install python3.11 python3.11-venv) or run make PYTHON=/path/to/python3.11" >&2; \
	  exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	@# psycopg2 (a source build) gave way to psycopg2-binary; both own the module psycopg2,
	@# so an old venv drops both and gets the binary one back from requirements.txt.
	@if $(PIP) show --quiet psycopg2 >/dev/null 2>&1; then $(PIP) uninstall --quiet -y psycopg2 psycopg2-binary; fi
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
	$(VENV)/bin/mypy
	$(PY) manage.py makemigrations --check --dry-run --settings=mentoring.settings_test

format: dev-deps
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

## The production settings pass Django's deployment checklist.
check-deploy: deps assets
	DJANGO_DEBUG=false DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	DJANGO_ALLOWED_HOSTS=constellation.example.org \
	$(PY) manage.py check --deploy --fail-level WARNING

## Production static files: collectstatic into a temporary STATIC_ROOT, then real pages
## rendered with debug off must answer 200 with hashed static URLs (.ci/check_static.py).
check-static: deps assets
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	env -u REDIS_URL -u DJANGO_SECURE_SSL_REDIRECT -u DJANGO_BEHIND_TLS_PROXY \
	  DJANGO_DEBUG=false \
	  DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))') \
	  DJANGO_ALLOWED_HOSTS=testserver,localhost \
	  DJANGO_STATIC_ROOT="$$tmp/static" \
	  DATABASE_URL="sqlite:///$$tmp/db.sqlite3" \
	  $(PY) .ci/check_static.py

bench-import: dev-deps
	$(PY) bench/import_bench.py

# The matching engine against plain capacity expansion + SciPy, on nine
# generated cases (about ten minutes on two cores).
bench-matching: deps
	$(PY) bench/matching_bench.py

# The reminder sweeps on 10,000 and 1,000,000 meetings with the same number due, on
# PostgreSQL (DATABASE_URL; it creates and drops its own database), handing the e-mails
# to Redis when REDIS_URL is set (about four minutes on two cores).
bench-sweeps: deps
	$(PY) bench/sweeps_bench.py

# The main pages under load: gunicorn (production settings) serving 20,000 users and
# 100,000+ meetings on PostgreSQL, each page driven by wrk (Debian package) against a bare
# /healthz on the same server, in rounds. Target: every ratio page/healthz >= 0.25 and the
# same query count at a small size. Seeds and then reuses its own two databases (a few
# minutes the first time; BENCH_ARGS=--reseed seeds again), then about six minutes on two
# cores. DATABASE_URL names the server (default: the local one).
bench-web: deps assets
	DATABASE_URL="$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}" \
	  $(PY) bench/web_bench.py $(BENCH_ARGS)

## The README's screenshots (docs/*.png) from the demo, taken in Debian's Chromium.
screenshots: dev-deps assets
	$(PY) docs/screenshots.py

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-* .pytest_cache .mypy_cache .ruff_cache
