# Every target creates .venv on first use and reuses it after.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Demo scale: override on the command line, e.g. `make demo USERS=500 DAYS=30`.
USERS ?= 2000
DAYS ?= 90
END ?= 2026-06-30
SEED ?= 7
BAD_RATE ?= 0.02

.PHONY: demo test ui lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/analytics db start
	$(BIN)/analytics demo --users $(USERS) --days $(DAYS) --end $(END) --seed $(SEED) --bad-rate $(BAD_RATE)

test: $(STAMP)
	$(BIN)/pytest

ui: $(STAMP)
	$(BIN)/analytics ui

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

clean:
	-$(BIN)/analytics db stop
	rm -rf .analytics dbt_project/target
