# Two commands on a fresh machine: `make run` and `make test`.
# Everything else the project needs is installed by these targets.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-quick setup lint format packages chromium services clean bench

# .env first, then setup: setup's manage.py commands read it.
run: .env setup ## Serve the site on the reference diary at http://$(HOST):$(PORT)
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# DJANGO_DEBUG defaults to false, so that a server started with a forgotten
# setting never runs in debug; a development checkout says true here, once,
# for `make run` and the README's `manage.py` commands. Never overwritten: a
# .env that exists is the developer's own (or production's). Git-ignored.
.env:
	@printf '%s\n' '# Development settings, written by `make run`; .env.example lists every variable.' \
		'DJANGO_DEBUG=true' > $@
	@echo "Wrote .env with DJANGO_DEBUG=true, for development."

# The tests, and the database setup they share, run with development's
# settings, given here: never from a .env, which CI's fresh clone does not
# have and a developer's may change (tests/development.py does the same for
# pytest's own process). The benchmarks' setup likewise.
test test-quick bench: export DJANGO_DEBUG = true
test test-quick bench: export DJANGO_ENV_FILE = /dev/null

test: setup packages ## Lint, then run every test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# The tests that need no browser, no other process, no live server and no
# Hypothesis: about half a minute, for while you work. `make test` runs them
# all. The tiers: README.md, "Tests".
test-quick: setup ## Run the quick tier of the tests
	$(BIN)/pytest -m "not browser and not deploy and not e2e and not slow"

# The translations are compiled in Python (no GNU gettext needed): bookings/translations.py.
setup: $(VENV)/.installed
	$(BIN)/python manage.py compiletranslations
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo_diary

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalled whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Debian's packages the tests drive: Chromium for the browser tests (no
# browser download is possible), and Redis, PostgreSQL and tinyproxy, which
# the deployment tests (tests/deploy/) start themselves on free ports with
# their files in temporary folders (a service a package's post-install may
# have started is never used). Installed when missing and we may, with one
# apt-get update for all; otherwise the tests that need them say so (and
# fail under CI=true rather than skip).
chromium services: packages
packages:
	@missing=""; \
	[ -x $(CHROMIUM) ] || missing="$$missing chromium"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v tinyproxy >/dev/null || missing="$$missing tinyproxy"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's$$missing for the tests..."; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	else \
		echo "Missing, and cannot be installed here (needs root and apt-get):$$missing"; \
	fi

# Every benchmark in bench/ (API calls per booking, server time per step,
# requests/s, load.sh, and bytes and Lighthouse where present), then one table:
# name | figure | target | met. A report: exits 0 when a target is missed,
# non-zero only when a benchmark crashed. See bench/run_all.py.
bench: setup chromium ## Run the benchmarks and print their figures against the targets
	$(BIN)/python bench/run_all.py

# Production on this machine: gunicorn (its settings and why: gunicorn.conf.py)
# serving the site, and through WhiteNoise its collected static files.
# Configured only by the environment or .env (docs/deploy.md): nothing here
# sets DJANGO_DEBUG or a key. `preflight` comes first so that a missing
# setting stops it with one line naming the variable, before migrate can
# print a traceback. createcachetable is for CACHE_URL=dbcache://… and does
# nothing for other caches.
.PHONY: serve preflight
serve: preflight setup ## Serve the site as production does, configured by the environment
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py check --deploy
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	exec $(BIN)/gunicorn --config gunicorn.conf.py

preflight: $(VENV)/.installed
	@$(BIN)/python -m booking_site.preflight

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts
