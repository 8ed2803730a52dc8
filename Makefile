# Two commands do all set-up on a fresh machine: `make run` and `make test`.
# Only python3 and pip are assumed; uv is installed into the user site when missing.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
PYTEST_ARGS ?=

.PHONY: uv install run test lint typecheck pytest migrate demo worker bench clean chromium

uv:
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || \
		$(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv

# Bytecode is compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines)
# Python never writes it, and every process — each test worker, worker and server the tests
# start — compiled every module again (importing the app took 9 s instead of 4.4 s).
install: uv
	$(UV) sync --frozen --compile-bytecode
	$(UV) run --frozen python -m compileall -q src

run: install
	$(UV) run --frozen postwright migrate
	$(UV) run --frozen postwright demo
	$(UV) run --frozen postwright serve

migrate: install
	$(UV) run --frozen postwright migrate

demo: install
	$(UV) run --frozen postwright demo

worker: install
	$(UV) run --frozen postwright worker

lint: install
	$(UV) run --frozen ruff check src tests bench
	$(UV) run --frozen ruff format --check src tests bench

typecheck: install
	$(UV) run --frozen mypy

pytest: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: install
	$(UV) run --frozen python -m bench.run_all

# The dashboard's browser tests drive Debian's chromium (Playwright's own download does not
# work offline); without it they skip.
chromium:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

clean:
	rm -rf .venv var .pytest_cache .mypy_cache .ruff_cache
