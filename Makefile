# Two entry points a newcomer needs: `make demo` and `make test`.
# Both create .venv when it is missing and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit schemas bench quality clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kl-contact demo --all

test: lint typecheck unit schemas

LINTED := src tests $(wildcard benchmarks examples fuzz)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy --strict src

unit: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=85 -q

schemas: $(STAMP)
	$(BIN)/kl-contact schemas check

# Every benchmarks/bench_*.py prints its figures beside a baseline measured in the same run.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@set -e; for script in benchmarks/bench_*.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

# MRR@5 and recall@5 of the built-in article matcher on the labelled queries.
quality: $(STAMP)
	$(BIN)/python -m kl_contact.articles.quality

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .coverage
