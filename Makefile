# Two entry points a newcomer needs: `make demo` and `make test`.
# Both create .venv when it is missing and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit schemas bench soak fuzz fuzz-ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Extras installed only for the targets that need them.
$(VENV)/.installed-%: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,$*]'
	touch $@

demo: $(STAMP)
	$(BIN)/kl-contact demo --all

# Under CI=true the test target also fuzzes each harness for a minute.
test: lint typecheck unit schemas $(if $(filter true,$(CI)),fuzz-ci)

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

# The model-based test with many thousands of random sessions (about 10 minutes).
SOAK_EXAMPLES ?= 5000
soak: $(STAMP)
	KL_STATEFUL_EXAMPLES=$(SOAK_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider tests/test_stateful.py

# Every fuzz/fuzz_*.py harness runs for FUZZ_SECONDS; crashing inputs land in test-artifacts/fuzz/.
FUZZ_SECONDS ?= 120
fuzz: $(VENV)/.installed-fuzz
	@set -e; for harness in fuzz/fuzz_*.py; do \
		echo "== $$harness ($(FUZZ_SECONDS) s)"; \
		$(BIN)/python "$$harness" -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1; \
	done

fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=60

# Every benchmarks/bench_*.py prints its figures beside a baseline measured in the same run.
bench: $(VENV)/.installed-bench
	@set -e; for script in benchmarks/bench_*.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .coverage
