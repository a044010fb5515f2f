# Platepilot: `make run` serves the API and a worker; `make test` runs the suite.
# Both build .venv from requirements.txt first (a no-op when nothing changed).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PORT ?= 8000
export HOST ?= 127.0.0.1
export DATA_DIR ?= $(CURDIR)/var
export PYTHONUNBUFFERED := 1

# The second test pass: the same suite's service-backed tests on real servers.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
TEST_CACHE_URL ?= redis://127.0.0.1:6379/14
# Test processes per pass (pytest-xdist): one per core of a CI machine. Each
# keeps its own data folder, database and Redis databases (tests/settings.py).
# worksteal: an idle process takes queued tests from the other, so the pass
# does not end on one process working through a queue of slow tests alone.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

.PHONY: run api worker test test-embedded test-services setup migrate preflight openapi clean

HONCHO := $(BIN)/honcho --no-prefix start --port $(PORT) --procfile Procfile

# The processes themselves are defined once, in the Procfile.
run: setup preflight
	$(HONCHO)

api: setup
	$(HONCHO) api

worker: setup preflight
	$(HONCHO) worker

test: test-embedded test-services

test-embedded: $(VENV)/.installed
	DATA_DIR=$(DATA_DIR)/test HF_HUB_OFFLINE=1 $(PYTEST)

test-services: $(VENV)/.installed
	@export HF_HUB_OFFLINE=1 DATA_DIR=$(DATA_DIR)/test-services DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) CACHE_URL=$(TEST_CACHE_URL); \
	$(BIN)/python -m tests.services_up; up=$$?; \
	if [ $$up -eq 2 ]; then exit 0; elif [ $$up -ne 0 ]; then exit $$up; fi; \
	echo "== service-backed tests on $$DATABASE_URL, $$CELERY_BROKER_URL and $$CACHE_URL"; \
	$(PYTEST) -m services

setup: $(VENV)/.installed migrate

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

migrate:
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

preflight:
	$(BIN)/python -m worker.preflight

# The committed OpenAPI schema the phone team generates its client from;
# tests/api/test_openapi_file.py fails when it is out of date.
openapi: $(VENV)/.installed
	$(BIN)/python manage.py spectacular --file openapi.yaml --validate --fail-on-warn

clean:
	rm -rf $(VENV) $(DATA_DIR)
