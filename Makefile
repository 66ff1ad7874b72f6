# AGIR case management — the two commands of a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi
VENDOR := agir/static/vendor

.PHONY: run test test-fast install vendor translations fonts db demo lint types imports e2e test-pg backup-restore-test clean bench requirements

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# The pinned, hashed requirements*.txt are compiled from requirements*.in (what AGIR uses directly); the current
# pins are kept unless asked: make requirements UPGRADE="--upgrade-package flask".
PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links
requirements: $(VENV)/.installed
	$(PIP_COMPILE) $(UPGRADE) -o requirements.txt requirements.in
	$(PIP_COMPILE) $(UPGRADE) -o requirements-dev.txt requirements-dev.in

install: $(VENV)/.installed vendor translations fonts

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
	mkdir -p $(VENDOR)/dsfr-chart && cp -r node_modules/@gouvfr/dsfr-chart/dist/MapChart $(VENDOR)/dsfr-chart/
	touch $@

vendor: $(VENDOR)/.installed

# The engagement contract's PDF needs fonts for the Arabic and Ethiopic scripts (Debian's Noto, never committed)
# and its tests read the PDF with pdftotext (poppler-utils). Installed when missing and root; otherwise said.
NOTO := /usr/share/fonts/truetype/noto
CONTRACT_FONTS := $(NOTO)/NotoSans-Regular.ttf $(NOTO)/NotoNaskhArabic-Regular.ttf $(NOTO)/NotoSansEthiopic-Regular.ttf
fonts:
	@missing=0; for f in $(CONTRACT_FONTS); do [ -f "$$f" ] || missing=1; done; \
	command -v pdftotext >/dev/null 2>&1 || missing=1; \
	if [ $$missing = 0 ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "== installing Debian's fonts-noto-core and poppler-utils (engagement contract PDF)"; \
	  (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core poppler-utils >/dev/null; \
	else \
	  echo "Contrat d'engagement : installez les paquets Debian fonts-noto-core et poppler-utils" \
	       "(sudo apt-get install fonts-noto-core poppler-utils) ; sans eux, la page du PDF dit ce qui manque."; \
	fi

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) agir demo --if-empty

# The virus scanner of the documents (issue 18): clamd on instance/clamd/clamd.sock while the server runs; without
# signatures (offline) it says so loudly and the documents stay « en attente d'analyse » (the page says so too).
run: demo
	@$(BIN)/python tools/dev_clamd.py start
	@trap '$(BIN)/python tools/dev_clamd.py stop' EXIT; \
	export AGIR_CLAMD_SOCKET="$${AGIR_CLAMD_SOCKET:-$(CURDIR)/instance/clamd/clamd.sock}"; \
	$(FLASK) agir services; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest -q -n 2 tests

# The suite without the browser tests (tests/e2e): the quick loop while coding.
test-fast: install
	$(BIN)/python -m pytest -q -n 2 tests --ignore=tests/e2e

# The gates (also in .ci/run and .pre-commit-config.yaml): ruff's rules, mypy's errors that may only shrink
# (tools/mypy-baseline.json), the import contracts of .importlinter.
lint: install
	$(BIN)/ruff check agir blueprints models tests tools wsgi.py
	$(MAKE) --no-print-directory types imports

types: $(VENV)/.installed
	$(BIN)/python tools/mypy_baseline.py

imports: $(VENV)/.installed
	$(BIN)/lint-imports

# The suite again against a fresh PostgreSQL database (server on 127.0.0.1:5432).
test-pg: install
	.ci/test-pg

# The backup of docs/operations.md: pg_dump, pg_restore into a fresh database, the same `agir export`.
# PostgreSQL on 127.0.0.1:5432 unless TEST_DATABASE_URL says otherwise (on SQLite: the sqlite3 backup API).
backup-restore-test: install
	TEST_DATABASE_URL="$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/agir_backup}" \
	  $(BIN)/python -m pytest -q tests/operations/test_backup_restore.py

bench: install
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "== installing Debian's wrk (the pages' load generator)"; \
	    (apt-get update -qq || true) && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	  else echo "make bench needs wrk: sudo apt-get install wrk"; exit 1; fi; }
	$(BIN)/python tests/bench/run.py

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
