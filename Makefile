# make run  — install what is missing, migrate, load the demo data once, serve (gunicorn + scheduler)
# make test — install what is missing and run every check: ruff, pytest on SQLite, pytest on
#             PostgreSQL (when one answers), the browser journeys
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_SERVER ?= postgresql+psycopg://root@127.0.0.1:5432/postgres
export LMS_INSTANCE_PATH ?= $(CURDIR)/instance

APT_RUN := fonts-noto-cjk fonts-noto-cjk-extra libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
APT_TEST := chromium

.PHONY: help run test install system-packages test-system-packages translations lint \
        test-sqlite test-postgres test-e2e extract-messages clean

help:
	@echo "make run   install, migrate, load demo data on first start, serve on http://127.0.0.1:$(PORT)/"
	@echo "make test  install and run every test (ruff, SQLite, PostgreSQL, browser journeys)"

$(BIN)/lms: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

# Debian packages, installed only when missing (apt-get as root, else through sudo).
define apt_install
	missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else \
	    echo "Please install:$$missing (needs root)"; exit 1; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-packages:
	@if command -v dpkg-query >/dev/null; then $(call apt_install,$(APT_RUN)); fi

test-system-packages: system-packages
	@if command -v dpkg-query >/dev/null; then $(call apt_install,$(APT_TEST)); fi

# Babel names Simplified Chinese zh_Hans_CN, whose gettext fallback is "zh": the zh_CN
# catalogue is compiled there too.
translations: $(BIN)/lms
	@$(BIN)/pybabel compile -d lms/translations >/dev/null
	@mkdir -p lms/translations/zh/LC_MESSAGES
	@$(BIN)/pybabel compile -i lms/translations/zh_CN/LC_MESSAGES/messages.po -o lms/translations/zh/LC_MESSAGES/messages.mo >/dev/null

install: $(BIN)/lms system-packages translations

run: install
	$(BIN)/lms db upgrade
	$(BIN)/lms demo --if-empty
	PORT=$(PORT) $(BIN)/lms serve --port $(PORT)

lint: $(BIN)/lms
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test-sqlite: install
	env -u LMS_TEST_DATABASE_URL $(BIN)/python -m pytest -m "not e2e" 2>&1 | sed -u 's/^/[sqlite] /'

test-postgres: install
	@url="$${LMS_TEST_DATABASE_URL:-}"; \
	if [ -z "$$url" ]; then \
	  if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2).close()" 2>/dev/null; then \
	    url="$(PG_SERVER)"; \
	  else \
	    echo ""; echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; \
	    echo "!! NO POSTGRESQL: nothing answers on 127.0.0.1:5432 and LMS_TEST_DATABASE_URL !!"; \
	    echo "!! is not set. The PostgreSQL half of the suite was NOT run.                  !!"; \
	    echo "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"; echo ""; \
	    exit 0; \
	  fi; \
	fi; \
	echo "PostgreSQL run against $$url (a throw-away database is created and dropped)"; \
	LMS_TEST_DATABASE_URL="$$url" $(BIN)/python -m pytest -m "not e2e" 2>&1 | sed -u 's/^/[postgresql] /'

test-e2e: install test-system-packages
	$(BIN)/python -m pytest -m e2e

# The SQLite and PostgreSQL halves run side by side (each spends much of its time waiting on
# locks, child processes and the database server); each line says which half it comes from.
test: install test-system-packages lint
	@$(MAKE) --no-print-directory -j2 test-sqlite test-postgres
	@$(MAKE) --no-print-directory test-e2e

extract-messages: $(BIN)/lms
	$(BIN)/pybabel extract -F lms/translations/babel.cfg -k _l -k lazy_gettext -o lms/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) build *.egg-info
