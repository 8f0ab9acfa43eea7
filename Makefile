# Groundswell: `make demo` to run it, `make test` to test it. Both set themselves up first.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCALE ?= small
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve worker test test-fast lint messages bench clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv
	$(VENV)/bin/uv pip install --quiet --python $(PY) -r requirements.lock
	@touch $(STAMP)

install: $(STAMP)

# Migrates a SQLite database under var/, seeds the demo campaign, then serves the app with a
# Celery worker (running beat) on the embedded filesystem broker. Ctrl-C stops both.
demo: install
	mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --scale $(SCALE)
	@echo ""
	@echo "  Groundswell demo: http://$(HOST):$(PORT)/  (sign-in addresses are listed on that page)"
	@echo ""
	DEMO_MODE=1 $(VENV)/bin/celery -A config worker --beat --loglevel INFO --concurrency 1 \
	    --schedule var/celerybeat-schedule & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	DEMO_MODE=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not browser and not services and not slow" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djlint templates --lint

messages: install
	$(PY) manage.py makemessages --locale zh_Hans --locale en --ignore .venv --ignore var --ignore bench --ignore tests
	$(PY) manage.py compilemessages --ignore .venv

bench: install
	$(PY) bench/run.py --scale $(SCALE)

clean:
	rm -rf var .pytest_cache .ruff_cache .mypy_cache
