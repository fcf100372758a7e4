# The two set-up commands of the README: `make run` and `make test`.
# Everything is installed into .venv from the locked requirements files, so a fresh
# clone needs nothing but Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py

.PHONY: run test install install-dev lint format migrate lock messages clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

migrate: install
	$(MANAGE) migrate --noinput

run: migrate
	$(MANAGE) load_roadmap
	$(MANAGE) seed_demo
	@echo "Service ouvert sur http://127.0.0.1:8000 ; connectez-vous sur http://127.0.0.1:8000/accounts/login/ avec un compte de démonstration ci-dessus."
	$(MANAGE) runserver 127.0.0.1:8000

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The browser tests (tests/browser, marked `browser`) drive Debian's Chromium: without it they are
# skipped, and said so here; in CI (CI=true) they fail instead (.ci/run installs Chromium).
CHROMIUM := /usr/bin/chromium
# The reverse-proxy test (tests/accounts/test_throttling_proxy.py) puts Debian's nginx in front of
# gunicorn: without it that test is skipped, and said so here; in CI it fails (.ci/run installs it).
NGINX := /usr/sbin/nginx

# The suite runs on every core (pytest-xdist); `make test PYTEST_WORKERS=0` runs it in one process.
# Work stealing keeps both cores busy to the end. Order does not matter: a test that needs the
# seed asks for the `roadmap` fixture, which loads it again after a transactional test's flush.
PYTEST_WORKERS ?= auto

test: lint
	$(MANAGE) makemigrations --check --dry-run
	@test -x $(CHROMIUM) || echo "Chromium absent : tests navigateur ignorés ($(CHROMIUM) introuvable ; apt-get install chromium)"
	@test -x $(NGINX) || echo "nginx absent : test du reverse proxy ignoré ($(NGINX) introuvable ; apt-get install nginx)"
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# Speed of the public pages beside a bare Django view, at the seed and a large size: a throwaway
# PostgreSQL, gunicorn and wrk (installed from Debian when missing); writes docs/benchmarks.md.
# Options through BENCH_ARGS, e.g. `make bench BENCH_ARGS=--seed-only`.
.PHONY: bench
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# Recompile the locked requirements after editing pyproject.toml.
lock: install-dev
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.txt pyproject.toml

# Refresh the translation catalogues; the compiled .mo files are committed so that a
# fresh clone needs no gettext.
messages: install-dev
	$(MANAGE) makemessages -l en -l fr --ignore=.venv
	$(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache
