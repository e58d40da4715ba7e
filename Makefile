# The order-style volunteer service platform. `make help` lists the targets.
.PHONY: help install run demo test test-unit test-faults loadtest lint format migrate \
	declare clean import-registry generate-registry bench-registry bench-floor

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# the official AsyncAPI 3.0.0 JSON Schema, for tests/unit/test_asyncapi.py
ASYNCAPI_SPECS := 6.11.1
ASYNCAPI_DIR := build/asyncapi
ASYNCAPI_SCHEMA := $(ASYNCAPI_DIR)/node_modules/@asyncapi/specs/schemas/3.0.0.json

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## create .venv with every dependency pinned

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade 'pip==26.3'
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,load]'
	touch $@

# refetched when the file is missing or the pin changes (a new stamp); npm would
# leave a damaged copy of the same version alone, so the old tree goes first
$(ASYNCAPI_SCHEMA): $(ASYNCAPI_DIR)/.specs-$(ASYNCAPI_SPECS)
	rm -rf $(ASYNCAPI_DIR)/node_modules
	npm install --silent --no-save --no-audit --no-fund --prefix $(ASYNCAPI_DIR) \
		@asyncapi/specs@$(ASYNCAPI_SPECS)
	test -s $@ && touch $@

$(ASYNCAPI_DIR)/.specs-%:
	mkdir -p $(@D)
	rm -f $(@D)/.specs-*
	touch $@

run: install ## run every service and the gateway (port 8000) until Ctrl-C
	$(BIN)/volunteer-platform run

demo: install ## start the system if needed, run a morning of the district through it
	$(BIN)/volunteer-platform demo

test: install $(ASYNCAPI_SCHEMA) ## the whole suite against the real RabbitMQ and PostgreSQL
	$(BIN)/pytest

test-faults: install ## kill, stop and corrupt things while orders flow; own RabbitMQ and PostgreSQL
	$(BIN)/pytest -m faults tests/faults

# the load test's length in seconds and target in complete flows per second
DURATION ?= 60
RATE ?= 50
REPLICAS ?=
loadtest: install ## Locust against a system of its own on 127.0.0.1; build/loadtest/report.*
	$(BIN)/python -m loadtest --duration $(DURATION) --rate $(RATE) \
		$(foreach r,$(REPLICAS),--replicas $(r))

test-unit: install $(ASYNCAPI_SCHEMA) ## the unit tests alone (no broker, no database)
	$(BIN)/pytest tests/unit

lint: install ## ruff's lint and format checks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## format the code
	$(BIN)/ruff format .

migrate: install ## bring every service's database to its newest schema
	$(BIN)/volunteer-platform migrate

declare: install ## declare every consumer queue on the broker
	$(BIN)/volunteer-platform declare

import-registry: install ## import DIR's teams/volunteers/memberships/stations.csv into teams
	@test -n "$(DIR)" || { echo "usage: make import-registry DIR=path/to/folder"; exit 2; }
	$(BIN)/volunteer-platform import-registry "$(DIR)"

generate-registry: install ## write a synthetic registry of the district's size into DIR
	@test -n "$(DIR)" || { echo "usage: make generate-registry DIR=path/to/folder"; exit 2; }
	$(BIN)/volunteer-platform generate-registry "$(DIR)"

bench-registry: install ## time importing 80,000 volunteers into PostgreSQL, and keyword search
	$(BIN)/python -m benchmarks.teams_registry

bench-floor: install ## what bare nameko (HTTP, RPC, events, no database) costs a flow here
	$(BIN)/python -m benchmarks.stack_floor

clean: ## remove local SQLite files and build output
	rm -rf var build
