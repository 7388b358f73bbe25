# Two entry points (see README): `make serve` and `make test`. Everything else is set-up they call.
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed

.PHONY: serve test setup pg bench lint

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	bash scripts/setup-assets

serve: setup
	.venv/bin/duban serve --demo

# The lint and type gate (configuration in pyproject.toml), run by .ci/run before the tests.
lint: setup
	.venv/bin/ruff check .
	.venv/bin/mypy

pg:
	bash scripts/pg-test-server start

# The suite runs in TEST_WORKERS processes (pytest-xdist), a test file to a process: every test has
# its own SQLite file and PostgreSQL database, so files do not meet; module fixtures stay whole.
TEST_WORKERS ?= 2

test: setup pg
	bash scripts/setup-browser
	bash scripts/setup-documents
	DUBAN_TEST_PG_URL=$$(bash scripts/pg-test-server url) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --durations=40 $(PYTEST_ARGS)

bench: setup
	$(PY) bench/step_cost.py --json
	$(PY) bench/queue.py --json
