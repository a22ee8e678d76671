# Two commands for a newcomer: `make run` and `make test`. Both set everything up first.
# CONSENT_* variables already in the environment are honoured by every target.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test bench install node chromium libreoffice wrk servers bench-peer clean widget screenshots

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(VENV)/.installed

# esbuild, axe-core, chart.js and vanilla-cookieconsent (for comparison), exact versions.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

node: node_modules/.package-lock.json

# Debian's Chromium: Playwright cannot download its own browser on this network.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# LibreOffice Calc: tests/test_spreadsheet_injection.py opens our CSV files in a real spreadsheet.
libreoffice:
	@command -v soffice >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc >/dev/null; }

wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# PostgreSQL 15 and redis-server: the tests start throwaway ones of their own (tests/servers.py).
PG_BIN := /usr/lib/postgresql/15/bin
servers:
	@{ test -x $(PG_BIN)/initdb && command -v redis-server >/dev/null; } || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql redis-server >/dev/null; }

# The c15t backend, the receipts benchmark's peer (bench only; better-sqlite3 compiles for minutes).
bench/peers/c15t/node_modules/.package-lock.json: bench/peers/c15t/package.json bench/peers/c15t/package-lock.json
	cd bench/peers/c15t && npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench-peer: bench/peers/c15t/node_modules/.package-lock.json

run: install
	$(FLASK) consent init
	@# The demo's dashboard (/admin) needs figures: 90 days of made-up receipts, seeded once.
	@if [ "$${CONSENT_MODE:-demo}" = demo ]; then $(FLASK) consent seed --if-empty; fi
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production-style serving: granian, a worker per core (consent/cli/serve.py; CONSENT_BIND,
# WEB_CONCURRENCY, CONSENT_THREADS). gunicorn -c gunicorn.conf.py app:app still works.
serve: install
	$(FLASK) consent init
	$(FLASK) consent serve

test: install node chromium libreoffice servers
	$(PY) -m pytest

# Every figure of docs/performance.md, side by side in one run (about 30 minutes).
bench: install node chromium wrk servers bench-peer
	$(PY) -m bench.run

# The widget bundles are committed; rebuild them after changing static/js/src or static/css/widget*.css.
widget: node
	npm run --silent build:widget

# docs/widget-banner.png and docs/widget-dialog.png, from the real demo in Chromium.
screenshots: install chromium
	$(PY) scripts/screenshot_banner.py

clean:
	rm -rf $(VENV) .pytest_cache test-results
