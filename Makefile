# Two entry points a newcomer needs: `make demo` and `make test`.
# Both create .venv when it is missing and install the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint layers typecheck unit schemas bench quality clean fixtures js js-run types npm-pack docs web web-deps soak fuzz fuzz-ci load load-ci mutate mutate-ci mutate-own

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The cli extra (the interactive demo's prompts) comes with it: `make demo` and the tests use it.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,cli]'
	touch $(STAMP)

# Extras installed only for the targets that need them.
$(VENV)/.installed-%: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,$*]'
	touch $@

demo: $(STAMP)
	$(BIN)/kl-contact demo --all

# The reference web frontend (examples/web): its own requirements go into the same .venv.
WEB := examples/web
WEB_STAMP := $(VENV)/.web-installed

$(WEB_STAMP): $(STAMP) $(WEB)/requirements.txt $(WEB)/requirements-test.txt
	$(BIN)/python -m pip install --quiet -r $(WEB)/requirements.txt -r $(WEB)/requirements-test.txt
	touch $(WEB_STAMP)

web-deps: $(WEB_STAMP)

# Serves http://127.0.0.1:8000/ with a local SMTP server that accepts the registration e-mails,
# and a throwaway Request Tracker behind it when RT is installed (RT=no: the SQL table only).
web: $(WEB_STAMP)
	PYTHON=$(abspath $(BIN)/python) $(WEB)/serve

# Under CI=true the test target also fuzzes each harness for a minute, runs a short load and
# the short mutation check (mutate-ci). unit runs last so that the test runner's summary
# closes the output.
test: lint layers typecheck schemas js docs $(if $(filter true,$(CI)),fuzz-ci load-ci mutate-ci) unit

LINTED := src tests $(wildcard benchmarks examples fuzz mutation)

# Each stage prints one line when it passes and everything it printed when it fails.
QUIETLY := sh .ci/quietly
MAKEFLAGS += --no-print-directory

lint: $(STAMP)
	@$(QUIETLY) lint '$(BIN)/ruff check $(LINTED) && $(BIN)/ruff format --check $(LINTED)' \
		'All checks passed|already formatted'

# What may import what: the layers contract in pyproject.toml ([tool.importlinter]).
layers: $(STAMP)
	@$(QUIETLY) layers '$(BIN)/lint-imports' '^Contracts: '

typecheck: $(STAMP) $(WEB_STAMP)
	@$(QUIETLY) typecheck '$(BIN)/mypy --strict src && $(BIN)/mypy --strict $(WEB)/kl_contact_web' \
		'^Success'

# The suite runs on every core (pytest-xdist): each test has its own database, ports and files.
TEST_WORKERS ?= auto

# Under CI=true the definition tests run once more first, with PyYAML's pure-Python reader.
unit: $(STAMP) $(WEB_STAMP) $(if $(filter true,$(CI)),yaml-pure)
	@$(QUIETLY) unit '$(BIN)/pytest -n $(TEST_WORKERS) --cov --cov-report=term --cov-fail-under=85 -q' \
		'^SKIPPED|^Required test coverage|^[0-9]+ (passed|failed)'

schemas: $(STAMP)
	@$(QUIETLY) schemas '$(BIN)/kl-contact schemas check'

# The definition tests (and the docs' examples) with PyYAML's pure-Python reader, as on a
# machine without libyaml.
PURE_YAML_TESTS := tests/definition tests/articles tests/docs/test_docs.py
.PHONY: yaml-pure
yaml-pure: $(STAMP)
	@$(QUIETLY) yaml-pure \
		'KL_CONTACT_PURE_YAML=1 $(BIN)/pytest -q -p no:cacheprovider $(PURE_YAML_TESTS)' \
		'^[0-9]+ (passed|failed)'

# The model-based test with many thousands of random sessions (about 10 minutes).
SOAK_EXAMPLES ?= 5000
soak: $(STAMP)
	KL_STATEFUL_EXAMPLES=$(SOAK_EXAMPLES) $(BIN)/pytest -q -p no:cacheprovider tests/engine/test_stateful.py

# Every fuzz/fuzz_*.py harness runs for FUZZ_SECONDS; crashing inputs land in test-artifacts/fuzz/.
FUZZ_SECONDS ?= 120
fuzz: $(VENV)/.installed-fuzz
	@set -e; for harness in fuzz/fuzz_*.py; do \
		$(QUIETLY) "$$(basename "$$harness" .py)" \
			"$(BIN)/python $$harness -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1" \
			'^stat::number_of_executed_units'; \
	done

fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=60

# Mutation testing (mutation/run.py drives mutmut, from the `mutate` extra): each package runs
# a fixed sample of MUTATE_SAMPLE mutants (`all` for every one) for at most MUTATE_SECONDS,
# with MUTATE_WORKERS workers (one) at low priority. It prints a score per package and every
# survivor; results stay in mutants/, so the next run goes on where this one stopped.
MUTATE_SAMPLE ?= 200
MUTATE_SECONDS ?= 300
MUTATE_PACKAGES ?= engine,questionnaire,definition,tokens,channels,articles,ticket,wire
MUTATE_WORKERS ?= 1
mutate: $(VENV)/.installed-mutate
	nice -n 15 $(BIN)/python mutation/run.py --packages $(MUTATE_PACKAGES) \
		--sample $(MUTATE_SAMPLE) --seconds $(MUTATE_SECONDS) --workers $(MUTATE_WORKERS)

# A package's full score: every mutant (MUTATE_SAMPLE=all) or the fixed sample of each package
# in MUTATE_PACKAGES, checked against that package's own tests only (laid out like the code), in
# a fresh scratch copy per package (test-artifacts/mutate-PACKAGE): no whole-suite set-up.
mutate-own: $(VENV)/.installed-mutate
	@set -e; for package in $$(echo $(MUTATE_PACKAGES) | tr , ' '); do \
		nice -n 15 $(BIN)/python mutation/run.py --own-tests --packages $$package \
			--sample $(MUTATE_SAMPLE) --seconds $(MUTATE_SECONDS) --workers $(MUTATE_WORKERS); \
	done

# The short run under CI: up to MUTATE_CI_MUTANTS mutants of the functions changed since the
# merge base with MUTATE_BASE (of the fixed sample in mutation/run.py when none changed), in a
# scratch copy that mutates only their files and runs only their packages' tests, for at most
# MUTATE_CI_SECONDS; it fails when one survives that mutation/equivalent.yaml does not list.
MUTATE_BASE ?= main
MUTATE_CI_MUTANTS ?= 48
MUTATE_CI_SECONDS ?= 150
MUTATE_CI_WORKERS ?= 2
mutate-ci: $(VENV)/.installed-mutate
	@$(QUIETLY) mutate-ci 'nice -n 15 $(BIN)/python mutation/run.py --changed $(MUTATE_BASE) \
		--sample $(MUTATE_CI_MUTANTS) --seconds $(MUTATE_CI_SECONDS) \
		--workers $(MUTATE_CI_WORKERS) --check' '^short run: '

# The schemas through the tools frontend teams use: ajv on the shared fixtures, and the
# TypeScript declarations (current, and accepted by tsc). Under CI Node.js is required; on a
# machine without it the check is skipped with a note.
JS := tests/js
JS_STAMP := $(JS)/node_modules/.installed

js:
	@if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory js-run; \
	elif [ "$${CI:-}" = "true" ]; then \
		echo "js: Node.js and npm are required under CI" >&2; exit 1; \
	else \
		echo "js: SKIPPED, Node.js or npm not found (install Node.js 18+ to run it)"; \
	fi

# client.test.mjs drives the library over the wire process: it needs the project's venv.
js-run: $(JS_STAMP) $(STAMP)
	@$(QUIETLY) js 'cd $(JS) && KL_CONTACT_PYTHON=$(abspath $(BIN)/python) npm test' '^# (pass|fail|skipped) |^# .*[0-9]+ walks'

$(JS_STAMP): $(JS)/package.json $(JS)/package-lock.json
	@$(QUIETLY) npm-ci 'cd $(JS) && npm ci --no-audit --no-fund'
	@touch $@

# Regenerate schemas/kl_contact.d.ts after a schema change.
types: $(JS_STAMP)
	cd $(JS) && npm run types

# The npm package of the contract (npm/, @kl-contact/contract) as a tarball in dist/; packing
# lays the schemas in and refuses a version out of step with pyproject.toml's.
npm-pack:
	mkdir -p dist && cd npm && npm pack --pack-destination ../dist

# The documentation site (mkdocs, Material theme) into site/; any warning fails the build.
DOCS_STAMP := $(VENV)/.docs-installed

$(DOCS_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,docs]'
	touch $@

docs: $(DOCS_STAMP)
	@$(QUIETLY) docs 'NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet && echo "site/ built"'

# Rewrite the shared schema fixtures (tests/fixtures/documents/) from the library's output.
fixtures: $(STAMP)
	$(BIN)/python tests/fixtures/make_documents.py

# The reference host under load (benchmarks/load/run.py): locust's users walk whole sessions
# for LOAD_SECONDS on SQLite and PostgreSQL (KL_CONTACT_TEST_POSTGRES_URL, or a throwaway
# server when PostgreSQL is installed), 1 and 2 workers; then every confirmed session must have
# one ticket equal to what was sent and one letter. load-ci is the few-second version CI runs.
LOAD_STAMP := $(VENV)/.load-installed
LOAD_SECONDS ?= 15
LOAD_USERS ?= 4 16

$(LOAD_STAMP): $(WEB_STAMP) $(WEB)/requirements-load.txt
	$(BIN)/python -m pip install --quiet -r $(WEB)/requirements-load.txt
	touch $@

load: $(LOAD_STAMP)
	$(BIN)/python benchmarks/load/run.py --seconds $(LOAD_SECONDS) --users $(LOAD_USERS)

load-ci: $(LOAD_STAMP)
	$(BIN)/python benchmarks/load/run.py --seconds 3 --users 4

# Every benchmarks/bench_*.py prints its figures beside a baseline measured in the same run.
bench: $(VENV)/.installed-bench
	@set -e; for script in benchmarks/bench_*.py; do \
		[ -e "$$script" ] || continue; \
		echo "== $$script"; $(BIN)/python "$$script"; \
	done

# MRR@5 and recall@5 of the built-in article matcher on the labelled queries.
quality: $(VENV)/.installed-bench
	$(BIN)/python -m kl_contact.articles.quality

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .coverage mutants
