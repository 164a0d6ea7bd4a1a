# Two commands on a fresh machine: `make run` and `make test`. Everything lands in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGIN_DIRS := $(sort $(dir $(wildcard plugins/*/setup.cfg)))
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test test-service lint format translations messages axe bench clean

install: $(STAMP) translations axe

# axe-core (npm) for the accessibility browser tests, in .venv/node. Without npm the step is
# skipped and those tests skip too (under CI=true they fail: .ci/run installs npm).
AXE_JS := $(VENV)/node/node_modules/axe-core/axe.min.js
axe: $(STAMP)
	@if [ -f $(AXE_JS) ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
		npm install --prefix $(VENV)/node --no-save --no-audit --no-fund --loglevel=error axe-core@4; \
	else echo "npm not found: the accessibility tests need axe-core (apt-get install npm)"; fi

$(STAMP): setup.cfg pyproject.toml $(wildcard plugins/*/setup.cfg)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
		|| { echo "Python 3.11 or newer is needed (set PYTHON=python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' $(foreach p,$(PLUGIN_DIRS),-e $(p))
	touch $(STAMP)

# Compile the Thai catalogues (core and plugins) into .mo files.
translations: $(STAMP)
	@for d in lms/translations plugins/*/*/translations; do \
		[ -d "$$d" ] && $(BIN)/pybabel compile -f -d "$$d" || true; done

# Extract the core's strings (lms/, mapping in babel.cfg) into lms/translations/messages.pot and
# merge them into the Thai catalogue. Then translate the new empty msgstrs in
# lms/translations/th/LC_MESSAGES/messages.po and run `make translations`.
# Keep the keywords in step with tests/unit/test_translations.py.
BABEL_KEYWORDS := -k _l -k lazy_gettext -k lazy_ngettext:1,2
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-wrap --sort-by-file \
		--project=lms --copyright-holder="LMS contributors" -o lms/translations/messages.pot lms
	$(BIN)/pybabel update -i lms/translations/messages.pot -d lms/translations -l th \
		--no-wrap --no-fuzzy-matching --ignore-obsolete

run: install
	$(BIN)/lms init < /dev/null
	$(BIN)/lms demo
	@echo "Serving the LMS on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(BIN)/lms run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/pytest

# The unit and service tests against the real PostgreSQL and Redis servers (CI runs this).
test-service: install
	LMS_TEST_DATABASE_URL=$${LMS_TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
	LMS_TEST_REDIS_URL=$${LMS_TEST_REDIS_URL:-redis://127.0.0.1:6379/15} \
		$(BIN)/pytest tests/unit tests/service

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache
