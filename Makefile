# Portal clienți — `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
# Two workers: the suite takes about half as long on a 2-core machine.
PYTEST_ARGS ?= -n 2
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] && echo "" || (command -v sudo >/dev/null && sudo -n true 2>/dev/null && echo sudo) || echo NONE)
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext fonts-dejavu-core

.PHONY: run test venv system-deps messages lint bench drill clean

run: venv messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Portal: http://127.0.0.1:8000/   (administrare: http://127.0.0.1:8000/admin/)"
	$(PY) manage.py runserver 127.0.0.1:8000

test: venv messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt | system-deps
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Portal clienți needs Python 3.11 or newer (found: $$($(PYTHON) --version 2>&1)). Set PYTHON=python3.12 or install it."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# WeasyPrint needs Pango; compilemessages needs gettext's msgfmt. Install them where we can.
system-deps:
	@if ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 && command -v msgfmt >/dev/null; then exit 0; fi; \
	if [ "$(SUDO)" = NONE ] || ! command -v apt-get >/dev/null; then \
	  echo ""; echo "Missing system libraries. Install them, then run make again:"; \
	  echo "  sudo apt-get install -y $(SYSTEM_PACKAGES)"; \
	  echo "(macOS: brew install pango gettext)"; echo ""; exit 1; \
	fi; \
	echo "Installing $(SYSTEM_PACKAGES)"; \
	$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null

messages: venv
	$(PY) manage.py compilemessages --ignore=.venv -v0

# Refresh the catalogues after changing UI text (then translate the new entries in locale/*/django.po).
makemessages: venv
	$(PY) manage.py makemessages -l ro -l en --ignore=.venv --ignore=staticfiles --ignore=tests --ignore="*/tests" --no-obsolete --add-location=file --no-wrap

# Benchmark (not part of `make test`): the bench data on PostgreSQL, gunicorn -w 3, wrk; writes
# docs/PERFORMANCE.md. About 8 minutes the first time (seeding), 5 after. BENCH_DURATION=10 for 10 s runs.
# BENCH_ONLY=api make bench: only the ERP API part (10,000 invoices pushed in bulk, pushed again, a list's p50);
# BENCH_ONLY=downloads: only the download checks (every download route, a 50 MB download's cost).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/5
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) DJANGO_SETTINGS_MODULE=bench.settings

bench: venv messages
	@if [ -z "$$BENCH_ONLY" ] && ! command -v wrk >/dev/null; then \
	  if [ "$(SUDO)" = NONE ] || ! command -v apt-get >/dev/null; then \
	    echo ""; echo "The benchmark needs wrk. Install it, then run make bench again:"; \
	    echo "  sudo apt-get install -y wrk      (macOS: brew install wrk)"; echo ""; exit 1; \
	  fi; \
	  echo "Installing wrk"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; \
	fi
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.createdb
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py seed_bench
	$(BENCH_ENV) $(PY) -m bench.run

# Fault drill: SIGKILL a Celery worker mid-PDF and check exactly one file results (needs PostgreSQL and Redis).
drill: venv
	./drills/worker_kill.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
