# The project's verbs. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
WORKERS ?= 2
export FLASK_APP := wsgi

.PHONY: install run test test-fast lint format translations compile-translations bench wheel clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Compiled catalogues (.mo) are built here, never committed.
compile-translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -D messages
	$(BIN)/pybabel compile --use-fuzzy -d app/translations -D wtforms

install: $(STAMP) compile-translations

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	PUBLIC_URL="$${PUBLIC_URL:-http://127.0.0.1:$(PORT)}" $(BIN)/gunicorn --config gunicorn.conf.py --workers $(WORKERS) --bind 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not browser" -x -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-extract every _() string and merge it into the catalogues; then translate the .po files.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot --no-location --omit-header --sort-output --no-wrap .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -D messages --no-fuzzy-matching --ignore-obsolete --no-wrap
	$(MAKE) compile-translations

# A wheel for servers: setup.py compiles the catalogues and ships the migrations inside it.
wheel: install
	$(BIN)/python -m pip wheel --no-deps -w dist .

bench: install
	$(BIN)/python bench/catalogue.py
	$(BIN)/python bench/feeds.py
	$(BIN)/python bench/rush.py
	$(BIN)/python bench/slow_clients.py
	$(BIN)/python bench/figures.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build dist
