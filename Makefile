# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.run-deps: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-test.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "Jejak is serving on http://$(HOST):$(PORT)/ (demo logins above; Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
