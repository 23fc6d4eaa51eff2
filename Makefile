# The two commands of README.md. Both set everything up on a fresh machine.
VENV   ?= .venv
PYTHON ?= python3
FLASK  := $(VENV)/bin/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: run serve test bench chromium

## run: install, migrate, seed the demo catalog (once) and serve on http://127.0.0.1:5000
run: $(VENV)/.runtime
	$(FLASK) seed-demo --if-empty
	PORTAL_WARM_UP=true $(FLASK) run --host $(HOST) --port $(PORT)

## serve: production: migrate, then gunicorn (gunicorn.conf.py: checks the deployment first)
serve: $(VENV)/.runtime
	$(FLASK) init-db
	exec $(VENV)/bin/gunicorn --config gunicorn.conf.py --bind $(HOST):$(PORT) app:app

## test: install what the tests need (Chromium included), lint, and run the whole suite
test: $(VENV)/.test chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n auto --dist loadfile

## bench: 10,000 capabilities: issue 14's speed table, then search, graph, metrics, governance,
## reviews, business scenarios, history and Backstage API figures
bench: $(VENV)/.test chromium
	$(VENV)/bin/python -m bench.estate
	$(VENV)/bin/python -m bench.search
	$(VENV)/bin/python -m bench.graph
	$(VENV)/bin/python -m bench.metrics
	$(VENV)/bin/python -m bench.governance
	$(VENV)/bin/python -m bench.reviews
	$(VENV)/bin/python -m bench.business
	$(VENV)/bin/python -m bench.history
	$(VENV)/bin/python -m bench.load
	$(VENV)/bin/python -m bench.backstage_api

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.test: requirements.txt requirements-test.txt | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@ $(VENV)/.runtime

chromium:
	@./scripts/ensure-chromium
