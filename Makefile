# Quick start: `make run` serves the app, `make test` runs every test. Both set up .venv first.
# `make run` listens on this machine only; `make run HOST=0.0.0.0` shares it on the network
# (visitors from other machines are read-only; see the README, "Sharing with a study group").
PYTHON ?= python3
HOST ?= localhost
PORT ?= 8501
# `make test` spreads the tests over this many processes (pytest-xdist); each has its own browser and app server.
TEST_WORKERS ?= 2
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

run: $(STAMP)
	$(BIN)/streamlit run serve.py --server.address $(HOST) --server.port $(PORT)

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist load

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
