# Co-crea: everyday commands. Needs only python3.11, make and WeasyPrint's system libraries
# (Pango, HarfBuzz, a font); see README.md. `make` alone lists the targets.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=
# Test processes (pytest-xdist): one per core by default; JOBS=0 runs the tests in this process.
JOBS ?= auto

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint worker messages clean

help:
	@echo "make run        set up .venv, migrate, load the PAGA 2017-2019 example, serve on 127.0.0.1:\$$PORT (8000)"
	@echo "make test       run the test suite in parallel (JOBS=auto; options with ARGS=\"...\")"
	@echo "make test-fast  the tests without a browser"
	@echo "make lint       ruff check, ruff format --check and lint-imports (the apps' layers)"
	@echo "make worker     Celery worker with its beat schedule (needs REDIS_URL)"
	@echo "make messages   update and compile the translations (needs gettext)"
	@echo "make clean      remove .venv, caches and collected static files (keeps db.sqlite3)"
	@echo "make backup     pg_dump of DATABASE_URL and the media files into backups/<timestamp>/"
	@echo "make restore    BACKUP=backups/<timestamp> into DATABASE_URL and the media folder (FORCE=1 to replace)"
	@echo "make bench      page benchmark against PostgreSQL, Redis, gunicorn and wrk (see bench/README.md)"
	@echo "make help       this list"

# The virtual environment, created once.
$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Dependencies, reinstalled only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@touch $@

# DJANGO_DEBUG=1 unless you set it: the local server needs no secret key and serves static files.
run: $(STAMP)
	export DJANGO_DEBUG="$${DJANGO_DEBUG-1}"; \
	$(BIN)/python manage.py migrate --no-input && \
	$(BIN)/python manage.py load_example && \
	exec $(BIN)/python manage.py runserver "127.0.0.1:$${PORT:-8000}"

# Each test process has its own test database (and Redis database: tests/settings.py); the ten slowest
# tests are listed at the end. Tests are handed out one at a time, in the suite's order (tests/conftest.py:
# rolled back first, then transactional, the browser's last): by default pytest-xdist hands out half of
# what is left at once, and one process was left with most of the browser tests while the other sat idle.
XDIST := -n $(JOBS) --dist load --maxschedchunk 1

test: $(STAMP)
	$(BIN)/pytest $(XDIST) --durations=10 $(ARGS)

test-fast: $(STAMP)
	$(BIN)/pytest $(XDIST) --durations=10 -m "not browser" $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

worker: $(STAMP)
	@test -n "$$REDIS_URL" || { echo "make worker needs REDIS_URL, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make worker" >&2; exit 2; }
	export DJANGO_DEBUG="$${DJANGO_DEBUG-1}"; \
	exec $(BIN)/celery -A paga worker -B -l info --schedule "$(VENV)/celerybeat-schedule"

messages: $(STAMP)
	export DJANGO_DEBUG="$${DJANGO_DEBUG-1}"; \
	$(BIN)/python manage.py makemessages -l es -l en --no-location -i $(VENV) && \
	$(BIN)/python manage.py compilemessages -i $(VENV)

clean:
	rm -rf $(VENV) staticfiles .ruff_cache .pytest_cache *.egg-info build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Page benchmark against PostgreSQL with gunicorn and wrk; see bench/README.md (options with ARGS="...").
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)

# Backup and restore of PostgreSQL and the media files; see "Backups" in README.md.
.PHONY: backup restore
backup: $(STAMP)
	export DJANGO_DEBUG="$${DJANGO_DEBUG-1}"; \
	$(BIN)/python ops/backup.py backup

restore: $(STAMP)
	@test -n "$(BACKUP)" || { echo "make restore needs BACKUP=backups/<timestamp>" >&2; exit 2; }
	export DJANGO_DEBUG="$${DJANGO_DEBUG-1}"; \
	$(BIN)/python ops/backup.py restore "$(BACKUP)" $(if $(filter 1 yes true,$(FORCE)),--force)
