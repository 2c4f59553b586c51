# The interpreter the virtualenv is made from: the system's Python 3.11 where there is one
# (Debian's and Ubuntu's are built with profile-guided and link-time optimisation, pyenv's
# default build is not: the test suite took 22% less CPU on Debian's), else python3.
PYTHON ?= $(or $(wildcard /usr/bin/python3.11),python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint messages migrate demo reset clean chromium audit screenshots bench bench-floor vendor \
	bench-newsletter bench-newsletter-kill bench-federation bench-search bench-crawl bench-schedule bench-templates prod nginx hugo

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py rerender --if-outdated

# The demo content goes only into a site with no articles, never over an edit.
demo: migrate
	$(BIN)/python manage.py load_demo_site

# `make run` shows what readers see: the site's own 404 and 500 pages, not Django's debug
# pages (`make run DEBUG=true` brings those back); `make run DEMO=0` starts with no content.
DEBUG ?= false
DEMO ?= 1
# The server and the task worker share Django's cache in files (.django-cache), so a change
# the worker announces reaches the pages the server keeps; emptied at each start, since a
# page kept by an earlier run may come from another database (`make reset`).
RUN_ENV := LOCAL_RUN=true DEBUG=$(DEBUG) CACHE_DIR=$(CURDIR)/.django-cache

# The task worker (newsletter emails) runs beside the server and stops with it;
# pages never wait for it.
run: migrate
	rm -rf .django-cache
	@if [ "$(DEMO)" != "0" ]; then $(RUN_ENV) $(BIN)/python manage.py load_demo_site; fi
	$(RUN_ENV) $(BIN)/python manage.py run_worker --no-reload --interval 0.2 & worker=$$!; \
	trap 'kill $$worker' EXIT INT TERM; \
	$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Start over: an empty database and no uploaded media (`make run` then loads the demo again).
reset:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
	rm -rf media .django-cache

# nginx from Debian's package, for make prod and its test, with Debian's cache-purge module so
# a change purges the pages that show it (needs root when either is missing).
PURGE_MODULE := /usr/lib/nginx/modules/ngx_http_cache_purge_module.so
nginx:
	@{ command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } && [ -f $(PURGE_MODULE) ] || \
		{ apt-get update -qq && apt-get install -y -qq nginx libnginx-mod-http-cache-purge; }

# The production topology on this machine: nginx on http://127.0.0.1:8080 caching in front of
# two gunicorn app servers, PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), the task worker.
# A Redis without a memory cap gets one (PROD_REDIS_MAXMEMORY, evicting least recently used).
PROD_REDIS_MAXMEMORY ?= 256mb
prod: install nginx
	$(BIN)/python deploy/prod.py --demo --redis-maxmemory $(PROD_REDIS_MAXMEMORY)

# Browser tests drive Debian's Chromium headless shell, screenshots and Lighthouse the whole
# browser; install them when missing (needs root).
chromium:
	@{ command -v chromium && command -v chromium-headless-shell; } >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq chromium chromium-headless-shell; }

# Our copy of Mermaid (static/vendor/mermaid/) from the npm package pinned in package.json.
vendor: node_modules/.installed
	cp node_modules/mermaid/dist/mermaid.min.js static/vendor/mermaid/mermaid.min.js
	cp node_modules/mermaid/LICENSE static/vendor/mermaid/LICENSE.txt

# Debian's hugo builds fixture sites (the addresses Hugo really served) and the exported site;
# install it when missing (needs root).
hugo:
	@command -v hugo >/dev/null || { apt-get update -qq && apt-get install -y -qq hugo; } || \
		echo "hugo could not be installed: the tests that build with Hugo will be skipped"

# axe-core for the accessibility checks in the browser tests.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# One pytest worker per core (pytest-xdist; tests/conftest.py says why not more); a module
# runs on one worker, so what it sets up once (an import, a server) is set up once. Modules
# start longest first, by the last run's times (tests/module_order.py), not by xdist's count of
# tests. PYTEST_WORKERS= runs in one process.
PYTEST_WORKERS ?= -n auto --dist loadscope --no-loadscope-reorder

# Compiled modules are kept for the test run even where PYTHONDONTWRITEBYTECODE is set (as on
# the shared machines): every worker and every process a test starts would otherwise compile
# the project, and pytest rewrite every test module, again.
test: install chromium hugo node_modules/.installed
	$(BIN)/ruff check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

APPS := sitewide articles series newsletter federation hugo_import portability

# Each app keeps its own catalogue in APP/locale; locale/ holds the site-wide strings. One
# catalogue per language of settings.LANGUAGES but the default one (the source texts').
LOCALE_FLAGS = $(shell DJANGO_SETTINGS_MODULE=blogsite.settings $(BIN)/python -c \
	"from django.conf import settings as s; print(*(f'-l {c}' for c, _ in s.LANGUAGES if c != s.LANGUAGE_CODE))")
messages: install
	for app in $(APPS); do \
		mkdir -p $$app/locale && (cd $$app && $(BIN)/python ../manage.py makemessages $(LOCALE_FLAGS) --no-location --no-obsolete) || exit 1; \
	done
	$(BIN)/python manage.py makemessages $(LOCALE_FLAGS) --no-location --no-obsolete --ignore ".venv/*" \
		--ignore "node_modules/*" --ignore "audit/*" --ignore "screenshots/*" \
		--ignore "staticfiles/*" $(foreach app,$(APPS),--ignore "$(app)/*")
	$(BIN)/python manage.py compilemessages $(LOCALE_FLAGS) --ignore ".venv/*" --ignore "node_modules/*" \
		--ignore "audit/*"

# Lighthouse on a production-like local build; scores land in audit/RESULTS.md.
audit/node_modules/.installed: audit/package.json
	cd audit && npm install --no-audit --no-fund --loglevel=error
	touch $@

audit: install chromium audit/node_modules/.installed
	cd audit && $(BIN)/python lighthouse.py

# Pages per second and latency against a static-file baseline; results in bench/RESULTS.md.
# Then the crawl and the publish under load (bench-crawl).
bench: install nginx
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/run.py
	$(BIN)/python bench/crawl.py

# Every public address of the 10,000-article site once through make prod's topology, then 50
# connections on the hottest pages while an editor publishes every 5 s (bench/crawl.py); its
# own section of bench/RESULTS.md. BENCH_DATABASE_URL as for make bench.
bench-crawl: install nginx
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/crawl.py

# A scheduled article through make prod's topology, round after round, with wrk on the hub and
# with or without its own address (bench/schedule.py): when nginx first answers it after its
# second. Prints the figures; BENCH_SCHEDULE_DATABASE_URL names a database of yours.
bench-schedule: install nginx
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/schedule.py

# One issue to 10,000 readers through db_worker and a local SMTP sink; its own section of
# bench/RESULTS.md. Give it a PostgreSQL database of its own in DATABASE_URL.
bench-newsletter: install
	$(BIN)/python bench/newsletter.py

# The newsletter's worker killed with -9 mid-sending, a few rounds (bench/newsletter_kill.py).
bench-newsletter-kill: install
	$(BIN)/python bench/newsletter_kill.py

# One article to 2,000 fediverse followers on 200 inboxes (fake servers on loopback) through
# db_worker, with the page latency measured meanwhile; its own section of bench/RESULTS.md.
bench-federation: install
	$(BIN)/python bench/federation.py

# Search over 10,000 generated articles on SQLite and PostgreSQL (BENCH_POSTGRES_URL names an
# empty database of yours); p50/p99 per query in the Search section of bench/RESULTS.md.
bench-search: install
	$(BIN)/python bench/search.py

# The floor under an uncached page: the middleware stack alone and the site's base template
# alone, against a static file of their size (bench/floor.py; the bench data set loaded).
bench-floor: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(BIN)/python bench/floor.py

# Django's template engine against Jinja2 on the hub and article (bench/templates.py): give it
# DATABASE_URL with the bench data set. Jinja2 is installed for the bench only.
bench-templates: install
	$(BIN)/pip install --quiet "Jinja2>=3.1"
	$(BIN)/python bench/templates.py

# Every page type at 375 and 1280 px, light and dark, into screenshots/.
screenshots: install chromium
	$(BIN)/python audit/screenshots.py

clean: reset
	rm -rf $(VENV) staticfiles .pytest_cache .prod
