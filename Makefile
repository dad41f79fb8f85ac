# The one entry point for people and CI. `make help` lists the targets.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
# a Windows venv keeps python.exe in Scripts, not bin
ifeq ($(OS),Windows_NT)
BIN     := $(VENV)/Scripts
endif
STAMP   := $(VENV)/.installed-stamp
PORT    ?= 60714
IANA_CSV ?= ../shared/data/service-names-port-numbers.csv
SHELL_FILES := $(wildcard shell/*.bash shell/*.sh)

.PHONY: help install run test test-fast lint format typecheck check docs man registry bench \
	os-tools smoke-powershell clean

help:  ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## create .venv with portwho (editable) and the dev tools

# portwho exits 1 for "free", an answer rather than a failure; anything else (2 and up) is one.
run: install  ## run portwho on PORT (default 60714): make run PORT=3000
	@$(BIN)/portwho $(PORT); code=$$?; [ $$code -le 1 ] || exit $$code

test: install  ## the whole test suite (live tests skip a missing OS tool unless PORTWHO_REQUIRE_TOOLS=1)
	$(BIN)/python -m pytest -q

test-fast: install  ## the tests that need no live sockets or OS tools
	$(BIN)/python -m pytest -q -m 'not live'

lint: install  ## ruff (lint and format check) and the shell linters
	$(BIN)/python -m ruff check portwho tests scripts
	$(BIN)/python -m ruff format --check portwho tests scripts
	$(BIN)/lint-imports
	$(BIN)/python scripts/import_graph.py --cycles
	$(BIN)/python scripts/import_graph.py --check

format: install  ## apply ruff's formatting and safe fixes
	$(BIN)/python -m ruff format portwho tests scripts
	$(BIN)/python -m ruff check --fix portwho tests scripts

typecheck: install  ## mypy --strict over the package, tests and scripts
	$(BIN)/python -m mypy

check: lint typecheck test  ## everything CI runs

docs: install  ## regenerate the import graph in docs/architecture.md
	$(BIN)/python scripts/import_graph.py --write

man: install  ## write the man page portwho.1 from cli/spec.py (shipped in the wheel)
	$(BIN)/python -m portwho.cli.man > portwho.1

registry: install  ## rebuild portwho/registry/iana.tsv from IANA's CSV (IANA_CSV=path)
	$(BIN)/python scripts/build_registry.py $(IANA_CSV)

smoke-powershell: install  ## load `portwho init powershell` in a real pwsh (Windows CI; needs pwsh)
	pwsh -NoProfile -NonInteractive -File tests/shells/smoke.ps1 -Exe $(BIN)/portwho

os-tools:  ## install the OS tools the live tests use (Debian/Ubuntu, as root)
	bash .ci/os-tools.sh

clean:  ## remove the venv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info

BENCH_PROCS ?= 400
BENCH_ROUNDS ?= 3
BENCH_ARGS ?=
# The benchmark times portwho as users get it: installed from a wheel (compiled, no editable
# import hook) by a current pip (older ones write a console script that imports `re`), in a
# venv of its own. build/ goes first: setuptools copies into it without removing what the
# tree no longer has, and the wheel would carry every module ever deleted.
BENCH_VENV ?= .venv-bench
bench: install  ## time portwho vs python -c pass, ss, lsof, psutil (BENCH_PROCS=400 BENCH_ROUNDS=3)
	rm -rf $(BENCH_VENV) build && $(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet .
	PORTWHO_BENCH_EXE=$(BENCH_VENV)/bin/portwho $(BIN)/python scripts/bench.py \
		--procs $(BENCH_PROCS) --rounds $(BENCH_ROUNDS) $(BENCH_ARGS)
