# Quick start: `make run` serves the app, `make test` runs every test. Both set up .venv first.
# `make run` listens on this machine only; `make run HOST=0.0.0.0` shares it on the network
# (visitors from other machines are read-only; see the README, "Sharing with a study group").
PYTHON ?= python3
HOST ?= localhost
PORT ?= 8501
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench mutate messages clean

run: $(STAMP)
	$(BIN)/streamlit run serve.py --server.address $(HOST) --server.port $(PORT)

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Mutation testing, not part of `make test` (slow): every module of [tool.studylab.mutate] in turn,
# or one: `make mutate MODULE=core/urlparams.py`. MUTATE_JOBS=1 worker by default (a shared machine);
# survivors are retried on every run, FRESH=1 forgets all earlier results of the module(s).
# See docs/mutation.md for reading the survivors.
MODULE ?=
MUTATE_JOBS ?= 1
FRESH ?=
mutate: $(STAMP)
	MUTATE_JOBS=$(MUTATE_JOBS) FRESH=$(FRESH) $(BIN)/python tools/mutate.py $(MODULE)

bench: $(STAMP)
	for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# After wrapping new strings in _() / N_() / ngettext() / messages.count(): collect them into
# locales/messages.pot and merge it into each language's .po (then translate the new entries).
# The app compiles the .po files itself on first use (core/messages.py): no compile step.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output \
		-k _ -k N_ -k gettext -k ngettext:1,2 -k count:2,3 -o locales/messages.pot .
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info mutants
