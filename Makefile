# Courseline developer commands. Two to remember: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/courseline/web/static/govuk/govuk-frontend.min.css
DEV_ENV := COURSELINE_ENVIRONMENT=development COURSELINE_DEMO=1

.PHONY: install run test lint pytest bench clean

install: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(ASSETS): package.json package-lock.json scripts/build_assets.py
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	$(BIN)/python scripts/build_assets.py

run: install
	@$(DEV_ENV) $(BIN)/courseline demo seed
	@echo
	@echo "Courseline demo: http://127.0.0.1:8000/"
	@echo "Demo logins (password: demo-only-not-a-secret; fictional people, demo mode skips 2FA):"
	@echo "  supervisor@demo.example.org  alice@demo.example.org  bob@demo.example.org"
	@echo "  admin@demo.example.org  vic@demo.example.org (victim portal)"
	@echo
	@$(DEV_ENV) $(BIN)/courseline serve --host 127.0.0.1 --port 8000

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	COURSELINE_ENVIRONMENT=development $(BIN)/mypy src/courseline
	$(BIN)/lint-imports

pytest: install
	scripts/ensure_system_deps.sh
	COURSELINE_ENVIRONMENT=development $(BIN)/pytest

test: lint pytest

bench: install
	scripts/ensure_bench_deps.sh
	scripts/ensure_network_bench_deps.sh
	COURSELINE_ENVIRONMENT=development $(BIN)/python bench/web_load.py
	COURSELINE_ENVIRONMENT=development $(BIN)/python bench/photos.py
	COURSELINE_ENVIRONMENT=development $(BIN)/python bench/network.py
	COURSELINE_ENVIRONMENT=development $(BIN)/python bench/evidence.py

clean:
	rm -rf $(VENV) node_modules src/courseline/web/static/govuk var/static
