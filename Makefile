# make run   — install into .venv, migrate, load demo data, serve http://127.0.0.1:8000
# make test  — the whole suite (DATABASE_URL picks the database; SQLite by default)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install clean help-screenshots

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	@# The worker sends the notification emails (into var/mail) and closes expired appeal windows.
	DEBUG=$${DEBUG:-1} $(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	@# Settings refuse DEBUG off with the development key; this check signs nothing.
	DEBUG=$${DEBUG:-1} $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@# The arrows between the apps (pyproject.toml, docs/architecture.md).
	$(VENV)/bin/lint-imports
	@# Security scanners: bandit over the production code (pyproject.toml [tool.bandit]) and semgrep with
	@# the project's own rules only (.semgrep.yml): nothing is fetched, nothing is sent.
	$(VENV)/bin/bandit -q -c pyproject.toml -r proteacher manage.py
	$(VENV)/bin/semgrep scan --config .semgrep.yml --error --metrics=off --disable-version-check --no-git-ignore --quiet proteacher templates manage.py

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) var

# Refresh the screenshots of 操作教學 (static/help/) from a run of the browser tests.
help-screenshots: $(STAMP)
	rm -rf var/screens
	SCREENSHOT_DIR=var/screens $(PY) -m pytest -q -m browser
	$(PY) -c "import shutil; from proteacher.portal.help_pages import SECTIONS; \
	[shutil.copy('var/screens/' + s['file'].split('/')[-1], 'static/' + s['file']) for x in SECTIONS for s in x['shots']]"
