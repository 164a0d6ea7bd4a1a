# Two commands on a fresh machine: `make run` and `make test`. Everything lands in .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGIN_DIRS := $(sort $(dir $(wildcard plugins/*/setup.cfg)))
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: install run test test-service lint format translations bench clean

install: $(STAMP) translations

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

run: install
	$(BIN)/lms init
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
