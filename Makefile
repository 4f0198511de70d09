# `make run` and `make test` each do their own set-up on a fresh machine.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
PORT ?= 8000
# Debian packages the code and its tests use: file-type detection, OCR in the four languages,
# PDF rasterising, message catalogues, and the browser the UI tests drive.
DEBIAN_PACKAGES := libmagic1 tesseract-ocr tesseract-ocr-sqi tesseract-ocr-srp \
	tesseract-ocr-srp-latn poppler-utils fonts-dejavu-core gettext chromium
# python-ldap (signing in with the directory) has no wheel: it is built against these.
DEBIAN_PACKAGES += libldap2-dev libsasl2-dev gcc
# The production profile of the test run: PostgreSQL and Redis on loopback, installed and
# started by `python -m tests.services` when they do not answer (the role is the suite's own).
TEST_DATABASE_URL ?= postgres://coordination:coordination@127.0.0.1:5432/coordination
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
# pytest-xdist's workers per profile (one per core); the tests sharing one costly resource keep
# to one worker (tests/conftest.py's groups).
PYTEST_WORKERS ?= auto
BENCH_DATABASE_URL ?= postgres://coordination:coordination@127.0.0.1:5432/coordination_bench
# The bench runs the production profile: Redis as broker and (next database number) as the
# shared cache the public endpoints' throttles count in. No worker consumes its messages; the
# bench purges them when it starts.
BENCH_BROKER_URL ?= redis://127.0.0.1:6379/13

.PHONY: run test test-embedded test-production lint bench setup system-packages messages services

$(VENV)/.installed: pyproject.toml
	python3.11 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e '.[dev]'
	touch $@

system-packages:
	@missing=$$(for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:" $$missing; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

messages: $(VENV)/.installed
	$(PYTHON) manage.py compilemessages -v0 --ignore "$(VENV)" --ignore var --ignore "tests"

setup: system-packages $(VENV)/.installed messages

run: setup
	$(PYTHON) manage.py migrate --noinput -v1
	$(PYTHON) manage.py seed_demo
	$(PYTHON) manage.py collectstatic --noinput -v0
	@echo "Serving on http://127.0.0.1:$(PORT)/ (demo users, password: $${DEMO_PASSWORD:-demo})"
	export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(PYTHON) -m config.background --concurrency=2 & background=$$!; \
	trap 'kill $$background 2>/dev/null; wait $$background' EXIT INT TERM; \
	$(VENV)/bin/gunicorn config.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --threads 4 \
		--access-logfile -

test: setup lint test-embedded test-production

# Each profile runs the whole suite but for two parts that need one profile only: the pages in
# Chromium run on the embedded default, the Elasticsearch backend beside PostgreSQL (production).
test-embedded:
	env -u DATABASE_URL -u CELERY_BROKER_URL $(PYTHON) -m pytest \
		-n $(PYTEST_WORKERS) --dist loadgroup -k "not elasticsearch and not live_cluster" $(PYTEST_ARGS)

services: $(VENV)/.installed
	$(PYTHON) -m tests.services $(TEST_DATABASE_URL) $(TEST_BROKER_URL)

test-production: services
	DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) \
		$(PYTHON) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not browser" $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(VENV)/bin/lint-imports --no-cache

bench: setup
	$(PYTHON) -m tests.services $(BENCH_DATABASE_URL) $(BENCH_BROKER_URL)
	DATABASE_URL=$(BENCH_DATABASE_URL) CELERY_BROKER_URL=$(BENCH_BROKER_URL) \
		$(PYTHON) -m tests.bench $(BENCH_ARGS)

# Backups that restore (config/backup.py): the database, the stored files and the audit anchors,
# with a manifest of SHA-256 sums. `make restore BACKUP=var/backups/<when>` into an empty
# database and storage, then verifies the audit chain and rebuilds the search index.
.PHONY: backup restore
BACKUP_DIR ?= var/backups/$(shell date -u +%Y%m%dT%H%M%SZ)
backup: $(VENV)/.installed
	$(PYTHON) manage.py backup $(BACKUP_DIR)

restore: $(VENV)/.installed
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=<backup folder>"; exit 2; }
	$(PYTHON) manage.py restore $(BACKUP)
	$(PYTHON) manage.py verify_audit
	$(PYTHON) manage.py rebuild_search_index --restart
