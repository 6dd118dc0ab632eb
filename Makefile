# rejoinder — two commands: `make run` and `make test`. Everything else is set-up they call.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test lint typecheck test-deps bench screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(RUN_STAMP)

## make run: set up, create the demo site and key, serve on http://127.0.0.1:8080 until Ctrl-C
run: $(RUN_STAMP)
	$(BIN)/rejoinder serve --demo

## make test: set up everything the tests need (Debian/npm packages, services) and run the suite
test: $(TEST_STAMP) test-deps
	bash scripts/run-tests.sh

test-deps:
	bash scripts/test-deps.sh

lint: $(TEST_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(TEST_STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

## make bench: comment-check throughput against a bare baseline (docs/performance.md)
bench: $(TEST_STAMP)
	bash scripts/bench-deps.sh
	$(BIN)/python bench/akismet_throughput.py
	$(BIN)/python bench/thread_read.py

## make screenshots: the demo, the no-JS thread and the admin at 1280/390 px, light and dark
screenshots: $(TEST_STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
