# Two entry points a newcomer needs: `make demo` and `make test`.
# Both create .venv when it is missing and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit schemas bench clean web web-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kl-contact demo --all

# The reference web frontend (examples/web): its own requirements go into the same .venv.
WEB := examples/web
WEB_STAMP := $(VENV)/.web-installed

$(WEB_STAMP): $(STAMP) $(WEB)/requirements.txt $(WEB)/requirements-test.txt
	$(BIN)/python -m pip install --quiet -r $(WEB)/requirements.txt -r $(WEB)/requirements-test.txt
	touch $(WEB_STAMP)

web-deps: $(WEB_STAMP)

# Serves http://127.0.0.1:8000/ with a local SMTP server that accepts the registration e-mails.
web: $(WEB_STAMP)
	PYTHONPATH=$(WEB) $(BIN)/python -m kl_contact_web --smtp-sink

test: lint typecheck unit schemas

LINTED := src tests $(wildcard benchmarks examples fuzz)

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP) $(WEB_STAMP)
	$(BIN)/mypy --strict src
	$(BIN)/mypy --strict $(WEB)/kl_contact_web

unit: $(STAMP) $(WEB_STAMP)
	$(BIN)/pytest --cov --cov-report=term --cov-fail-under=85 -q

schemas: $(STAMP)
	$(BIN)/kl-contact schemas check

# Every benchmarks/bench_*.py prints its figures beside a baseline measured in the same run.
bench: $(STAMP)
	@set -e; for script in benchmarks/bench_*.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .coverage
