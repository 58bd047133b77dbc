# Every target creates .venv on first use and reuses it after.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/snapshots dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml

# Demo scale: override on the command line, e.g. `make demo USERS=500 DAYS=30`.
USERS ?= 2000
DAYS ?= 90
END ?= 2026-06-30
SEED ?= 7
BAD_RATE ?= 0.02

.PHONY: demo test test-long ui lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip check
	touch $(STAMP)

# The Dagster definitions read the dbt manifest; it is built here, never at import.
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	$(BIN)/python -c "from analytics_assets.dbt.project import prepare_manifest; prepare_manifest()"
	touch $(MANIFEST)

demo: $(MANIFEST)
	$(BIN)/analytics db start
	$(BIN)/analytics demo --users $(USERS) --days $(DAYS) --end $(END) --seed $(SEED) --bad-rate $(BAD_RATE)

# The 90-day whole-range vs day-by-day comparison (tests marked `long`) takes minutes on
# its own: it has its own target, and CI runs both.
test: $(MANIFEST)
	$(BIN)/pytest -m "not long"

test-long: $(MANIFEST)
	$(BIN)/pytest -m long

ui: $(MANIFEST)
	$(BIN)/analytics ui

lint: $(MANIFEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check_imports.py
	# The dbt templater compiles against the warehouse the project is configured for.
	eval "$$($(BIN)/python -m analytics_assets.dbt.profile_env)" && $(BIN)/sqlfluff lint dbt_project

bench: $(MANIFEST)
	$(BIN)/python -m benchmarks.run

clean:
	-$(BIN)/analytics db stop
	rm -rf .analytics dbt_project/target
