# AGIR case management — the two commands of a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
VENDOR := agir/static/vendor

.PHONY: run test install vendor translations db demo lint e2e test-pg backup-restore-test clean bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed vendor translations

# English UI: the .po files are committed, the .mo files are compiled here (git-ignored).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d agir/translations -f

# Front-end libraries come from npm (package-lock.json) and are copied, never committed.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)
	cp -r node_modules/@gouvfr/dsfr/dist $(VENDOR)/dsfr
	mkdir -p $(VENDOR)/chartjs && cp node_modules/chart.js/dist/chart.umd.min.js $(VENDOR)/chartjs/
	mkdir -p $(VENDOR)/axe && cp node_modules/axe-core/axe.min.js $(VENDOR)/axe/
	touch $@

vendor: $(VENDOR)/.installed

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) agir demo --if-empty

run: demo
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest -q -n 2 tests

lint: install
	$(BIN)/ruff check agir blueprints models tests

# The suite again against a fresh PostgreSQL database (server on 127.0.0.1:5432).
test-pg: install
	.ci/test-pg

# The backup of docs/operations.md: pg_dump, pg_restore into a fresh database, the same `agir export`.
# PostgreSQL on 127.0.0.1:5432 unless TEST_DATABASE_URL says otherwise (on SQLite: the sqlite3 backup API).
backup-restore-test: install
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/agir_backup}" \
	  $(BIN)/python -m pytest -q tests/operations/test_backup_restore.py

bench: install
	$(BIN)/python tests/bench/run.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
