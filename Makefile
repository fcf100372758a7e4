# The two set-up commands of the README: `make run` and `make test`.
# Everything is installed into .venv from the locked requirements files, so a fresh
# clone needs nothing but Python 3.11+ and make.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
MANAGE := $(PY) manage.py

.PHONY: run test install install-dev lint format migrate lock messages clean pdf-libs

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install -q -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt | $(PY)
	$(PIP) install -q -r requirements-dev.txt
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed pdf-libs

install-dev: $(VENV)/.installed-dev pdf-libs

# The council reports' PDF (WeasyPrint) needs Pango and a font from Debian: installed when
# missing and run as root; otherwise said here (the report pages then explain how to print).
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@if ! /sbin/ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || ! /sbin/ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset.so.0 || [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
		else \
			echo "Pango absent : les PDF des rapports sont indisponibles (apt-get install $(PDF_PACKAGES))"; \
		fi; \
	fi

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

# The OpenID Connect provider that the ProConnect tests start (npm's oidc-provider, run by node),
# installed from its lock file.
OIDC_PROVIDER := tests/support/oidc_provider

$(OIDC_PROVIDER)/node_modules/.package-lock.json: $(OIDC_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund --loglevel=error

.PHONY: node-deps
node-deps: $(OIDC_PROVIDER)/node_modules/.package-lock.json

test: lint node-deps
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
	$(MANAGE) typeset_catalogue
	$(MANAGE) compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) .pytest_cache
