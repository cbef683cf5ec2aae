# Two commands on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test migrate seed reconcile messages clean-db superuser bench bench-load bench-topology serve assets lighthouse

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed /usr/bin/chromium /usr/sbin/nginx /usr/bin/soffice /usr/bin/java node_modules/.installed \
		/usr/share/doc/postgresql/copyright
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# The browser tests drive Debian's Chromium: Playwright cannot download its own browser builds here.
/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null

# The workbook tests recalculate every workbook's formulas in LibreOffice, as a reader's spreadsheet would, and the
# open-data tests open the Danish CSV in it as a Danish spreadsheet would.
/usr/bin/soffice:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-calc-nogui > /dev/null

# The npm packages: axe-core and the Nu HTML Checker (vnu-jar) for the tests, lighthouse, and what `make assets`
# builds the front end from (dkfds, plotly.js, esbuild, sass). A stamp file: npm keeps its packages' 1985 dates.
node_modules/.installed: package.json package-lock.json
	npm ci --silent --no-audit --no-fund
	touch $@

# The Nu HTML Checker runs on Debian's Java.
/usr/bin/java:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless > /dev/null

# Rebuilds static/vendor/ (Det Fælles Designsystem's CSS, fonts and icons; the Plotly bundle) from the npm packages,
# after an upgrade in package.json. The output is committed, so `make run` needs Python alone.
assets: node_modules/.installed
	node assets/build.mjs

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	DJANGO_DEBUG=1 $(PY) manage.py migrate --noinput
	DJANGO_DEBUG=1 $(PY) manage.py createcachetable

seed: migrate
	DJANGO_DEBUG=1 $(PY) manage.py seed_strategies

run: seed
	DJANGO_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

reconcile: install
	DJANGO_DEBUG=1 $(PY) manage.py reconcile

# One pytest worker per core (pytest-xdist), at most TEST_WORKERS: each first migrates and seeds a test database of
# its own, and starts a Chromium and a LibreOffice of its own.
TEST_WORKERS ?= 4
test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SECRET_KEY=test-only-secret DJANGO_SSL_REDIRECT=0 $(PY) -m pytest --numprocesses=auto --maxprocesses=$(TEST_WORKERS)

# Maintainers: after changing a visible string, refresh the Danish catalogue (needs GNU gettext).
messages: install
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --locale da --ignore '.venv/*' --ignore 'build/*'
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --locale da --ignore '.venv/*'

# Removes the embedded database with every edit in it.
clean-db:
	rm -rf .pgdata

superuser: migrate
	DJANGO_DEBUG=1 $(PY) manage.py createsuperuser

# Production serving: nginx on $(HOST):$(PORT) in front of gunicorn, which listens on the loopback interface only
# (deploy/serve.py). Set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and (normally) DATABASE_URL first. Never expose
# gunicorn itself: three slow clients would take its three workers (README.md, "Running in production").
serve: migrate /usr/sbin/nginx
	$(PY) manage.py collectstatic --noinput
	$(PY) deploy/serve.py --listen $(HOST):$(PORT)

# Lighthouse (mobile, its default throttling) on every public page of `make serve`'s set-up, DEBUG off; the scores
# go to lighthouse-results/scores.md (docs/benchmarks.md keeps the reviewed copy).
lighthouse: seed install-test
	$(PY) benchmarks/lighthouse.py

# Debian's PostgreSQL server, for the tests and the benchmark of more than one machine (benchmarks/topology.py), which
# start it in a directory of their own and reach it as a managed server, over TLS through DATABASE_URL. A file of the
# `postgresql` package stands for it: the server's programs are in a directory named by its version.
/usr/share/doc/postgresql/copyright:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql > /dev/null

# Debian's nginx; the tests of `make serve` need it too.
/usr/sbin/nginx:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx > /dev/null

# Benchmarks: ratios against baselines measured in the same run, never wall-clock limits (docs/benchmarks.md).
# Each step is a manage.py command run with benchmarks/settings.py, which points at a database of the
# benchmark's own (never the developer's); add a command to BENCH_STEPS to extend make bench.
BENCH_STEPS := bench bench_grid bench_imports bench_pages bench_downloads bench_scale
bench: install-test /usr/bin/wrk
	$(foreach step,$(BENCH_STEPS),DJANGO_SETTINGS_MODULE=benchmarks.settings $(PY) manage.py $(step) && ) true
	$(MAKE) bench-load

# More than one machine: Debian's PostgreSQL, two gunicorn instances (deploy/gunicorn.conf.py) and nginx (deploy/site.conf)
# round-robin in front; 8 editors x 200 saves with an instance stopped half-way, a save seen on the other instance at
# once, a backup over TLS, PostgreSQL restarted mid-load, throughput of 2 instances against 1. Rows PASS or FAIL,
# also in bench-results/topology.md (docs/benchmarks.md keeps the reviewed copy); `make test` runs the short form.
bench-topology: install-test /usr/bin/wrk
	$(PY) -m benchmarks.topology --saves 200 --out bench-results/topology.md

# The throughput benchmark drives gunicorn with Debian's wrk.
/usr/bin/wrk:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk > /dev/null

# 8 editors x 200 saves through gunicorn (`make test` runs 8 x 20), in pytest's own test database.
bench-load: install-test
	LOAD_SAVES=200 DJANGO_SECRET_KEY=test-only-secret DJANGO_SSL_REDIRECT=0 $(PY) -m pytest -q -s -p no:cacheprovider \
		tests/test_concurrent_editors.py -k eight_concurrent_editors
