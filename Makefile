# Two commands on a fresh machine: `make run` and `make test`.
# Everything else the project needs is installed by these targets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test setup lint format chromium clean bench

run: setup ## Serve the site on the reference diary at http://$(HOST):$(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup chromium ## Lint, then run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

setup: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo_diary

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# XStatic-Bootstrap ships only an sdist whose setup.py still imports
	@# pkg_resources, which setuptools 81 removed: build it with an older one.
	$(BIN)/python -m pip install --quiet 'setuptools<81' wheel
	$(BIN)/python -m pip install --quiet --no-build-isolation 'XStatic-Bootstrap==5.3.8.0'
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Browser tests drive Debian's Chromium (no browser download is possible).
# Installed when missing and we may; otherwise the browser tests say so
# (and fail under CI=true rather than skip).
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's Chromium for the browser tests..."; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
		echo "Chromium is missing and cannot be installed here (needs root and apt-get)."; \
	fi

# Every benchmark in bench/ (API calls per booking, server time per step,
# requests/s, load.sh, and bytes and Lighthouse where present), then one table:
# name | figure | target | met. A report: exits 0 when a target is missed,
# non-zero only when a benchmark crashed. See bench/run_all.py.
bench: setup chromium ## Run the benchmarks and print their figures against the targets
	$(BIN)/python bench/run_all.py

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts
