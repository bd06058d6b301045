# Zhichi — the two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.install-stamp
DEV_ENV := ZHICHI_DEBUG=1 ZHICHI_DEMO=1
PYTEST_ARGS ?= -n 2

.PHONY: install run dev test test-sqlite test-postgres lint format messages check clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	@touch $(STAMP)

# The demo as a deployment serves it, without debug (zhichi/localrun.py): migrate the SQLite
# database in var/, collect the static files, load the demo data, then gunicorn (WhiteNoise serves
# /static/) and a background worker on http://127.0.0.1:8000. Local keys are made once in var/
# (mode 0600). Options: make run RUN_ARGS="--port 8001 --leads 40 --data-dir /tmp/zhichi"
RUN_ARGS ?=
run: install
	$(BIN)/python -m zhichi.localrun $(RUN_ARGS)

# For developers: Django's debug server (ZHICHI_DEBUG=1: debug pages, autoreload, static files
# from the source tree) on the same data dir and keys as make run.
dev: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --no-input
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo "Zhichi (debug) is serving on http://127.0.0.1:8000 (Ctrl+C to stop); a background worker runs beside it"
	$(DEV_ENV) $(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# The whole default suite on SQLite, then on PostgreSQL when ZHICHI_TEST_DATABASE_URL is set.
test: install
	$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$ZHICHI_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "ZHICHI_TEST_DATABASE_URL is not set: PostgreSQL run skipped"; fi

test-sqlite: install
	env -u ZHICHI_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	@test -n "$$ZHICHI_TEST_DATABASE_URL" || { echo "set ZHICHI_TEST_DATABASE_URL"; exit 2; }
	ZHICHI_DATABASE_URL="$$ZHICHI_TEST_DATABASE_URL" $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff format --check .
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=tests
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis

# Performance bench (QUALITY.md P1-P7), one table, also written to bench/results/latest.md with
# the details (query plans, EXPLAIN (ANALYZE, BUFFERS) of each operation's slowest queries on
# PostgreSQL). Per size: the generator (P7), the probe (P4), the P2 operations under load (API and
# pages: cases, search, employer, statistics, workbench, transfers inbox, imports); P3 compares the
# smallest and the largest size; P6 (one gunicorn worker's memory over --p6-requests mixed
# requests) at the largest size; then P1 (the bulk import of a --p1-rows messy .xlsx) and P5
# (documents, a batch of --p5-count; also bench/results/documents.md). The bench-only
# dependencies (bench/requirements.txt) are installed first. The default is a quick pass of
# about 15-20 minutes here (SQLite, P6 over 3,000 requests, smaller P1 and P5 than QUALITY.md's).
# The province sizes, each a long run with the options' own defaults (P6 over 10,000 requests,
# P1 over 100,000 rows, P5 a batch of 100):
#   make bench BENCH_ARGS="--sizes 10000,200000"
#   make bench BENCH_ARGS="--sizes 10000,1000000 --database-url postgres://postgres@127.0.0.1/zhichi_bench"
BENCH_ARGS ?= --sizes 10000,100000 --seconds 9 --p1-rows 20000 --p5-count 20 --p6-requests 3000
.PHONY: bench bench-deps bench-import
bench-deps: install
	$(BIN)/python -m pip install --quiet --require-virtualenv -r bench/requirements.txt

bench: bench-deps
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# P1 only (written to bench/results/import.md): make bench-import BENCH_ARGS="--p1-rows 20000"
bench-import: bench-deps
	$(BIN)/python -m bench.run --p1-only $(BENCH_ARGS)

# Crash safety of the bulk import, the long pass (QUALITY.md R9): a 10,000-row list imported by a
# worker killed with SIGKILL at 50 random points and resumed each time (the default suite kills
# it 3 times). On PostgreSQL with ZHICHI_DATABASE_URL set.
.PHONY: import-crash
import-crash: install
	ZHICHI_KILL_POINTS=50 $(BIN)/python -m pytest tests/imports/test_resume.py -k sigkill -p no:randomly -q

# API fuzzing, the long pass (QUALITY.md R1, docs/api.md): schemathesis with random cases against
# every operation, as an officer, a department head, a partner and the three administrators
# (a token from before they were administrators, their session cookie: every operation 401), on
# the demo data. FUZZ_EXAMPLES generated cases per operation and mode (the default makes about
# 64,000 requests, 16,000 per identity, in about ten minutes on two cores; each unit adds about
# 2,000: FUZZ_EXAMPLES=45 makes about 123,000), FUZZ_ROUNDS sets of real ids per operation.
# Prints the requests, status codes, server errors, schema violations, undocumented status codes
# and administrators' answers other than 401; the findings are kept in var/fuzz/. The bounded
# pass is part of make test.
FUZZ_EXAMPLES ?= 15
FUZZ_ROUNDS ?= 2
.PHONY: fuzz
fuzz: install
	@rm -rf var/fuzz
	ZHICHI_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ZHICHI_FUZZ_ROUNDS=$(FUZZ_ROUNDS) ZHICHI_FUZZ_REPORT_DIR=var/fuzz \
	$(BIN)/python -m pytest tests/test_api_fuzz.py -k long_fuzz -n 2 -q -p no:cacheprovider; status=$$?; \
	$(BIN)/python -m tests.fuzzing var/fuzz; \
	exit $$status

# Load test (QUALITY.md R13): 50 staff sessions + 20 API clients for 10 minutes (locust, headless,
# 127.0.0.1) against a fresh demo served as make run serves it; bench/results/load.md.
# LOAD_MINUTES, LOAD_STAFF, LOAD_API; on PostgreSQL with ZHICHI_DATABASE_URL (database zhichi_load).
.PHONY: load
load: bench-deps
	$(BIN)/python -m bench.loadtest.run

# No lost updates, the long pass (QUALITY.md R8): 8 processes x 500 conflicting edits of one case
# through the API, on SQLite, then on PostgreSQL when ZHICHI_TEST_DATABASE_URL is set (the default
# suite runs 4 x 25). Prints the time, the writes (200) and the stale writes (409).
.PHONY: conflicts
conflicts: install
	ZHICHI_CONFLICT_PROCESSES=8 ZHICHI_CONFLICT_EDITS=500 env -u ZHICHI_DATABASE_URL $(BIN)/python -m pytest tests/cases/test_lost_updates.py -p no:randomly -q -s
	@if [ -n "$$ZHICHI_TEST_DATABASE_URL" ]; then \
	ZHICHI_CONFLICT_PROCESSES=8 ZHICHI_CONFLICT_EDITS=500 ZHICHI_DATABASE_URL="$$ZHICHI_TEST_DATABASE_URL" $(BIN)/python -m pytest tests/cases/test_lost_updates.py -p no:randomly -q -s; \
	else echo "ZHICHI_TEST_DATABASE_URL is not set: PostgreSQL run skipped"; fi

# The locked versions against the known vulnerabilities (QUALITY.md R12, docs/SECURITY.md):
# pip-audit in a venv of its own; it needs PyPI's JSON API or OSV on the network.
.PHONY: audit-deps
audit-deps:
	@test -x var/pip-audit/bin/pip-audit || { $(PYTHON) -m venv var/pip-audit && var/pip-audit/bin/pip install --quiet pip-audit==2.10.1; }
	var/pip-audit/bin/pip-audit -r requirements.lock --no-deps --progress-spinner off --strict
