# The README's two commands: `make run` and `make test`. Both set up .venv when needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= all

.PHONY: setup run report test lint dry-run clean

setup: $(STAMP)

# torch first and pinned: an unpinned torch pulled in by anything else is a multi-GB CUDA build.
$(STAMP): envs/requirements.txt envs/requirements-dev.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r envs/requirements.txt -r envs/requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

run: setup
	$(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default
	$(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default --report results/report.html

dry-run: setup
	$(BIN)/snakemake --cores $(CORES) --profile workflow/profiles/default --dry-run

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src tests bench workflow/scripts
	$(BIN)/snakemake --lint

clean:
	rm -rf results logs benchmarks .snakemake data/demo
