PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint messages migrate demo clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's Chromium; install it when it is missing (needs root).
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }

test: install chromium
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

APPS := articles series newsletter

# Each app keeps its own catalogue in APP/locale; locale/ holds the site-wide strings.
messages: install
	for app in $(APPS); do \
		mkdir -p $$app/locale && (cd $$app && ../$(BIN)/python ../manage.py makemessages -l ru --no-location) || exit 1; \
	done
	$(BIN)/python manage.py makemessages -l ru --no-location --ignore ".venv/*" \
		--ignore "staticfiles/*" $(foreach app,$(APPS),--ignore "$(app)/**")
	$(BIN)/python manage.py compilemessages -l ru --ignore ".venv/*"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache db.sqlite3
