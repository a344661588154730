# Every target installs what it needs first, so `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run sandbox test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: install
	$(BIN)/autoposter run

sandbox: install
	$(BIN)/autoposter sandbox

# One test process per CPU, each taking whole files (module fixtures start once); every test
# keeps to its own ports, database schema and queue name, so they run side by side.
test: install
	$(BIN)/python -m pytest -n auto --dist loadfile

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/sandbox_upload.py
	$(BIN)/python bench/upload.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/cli_startup.py
	$(BIN)/python bench/web.py

.PHONY: docs
docs: install
	$(BIN)/python -m autoposter.config_docs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
