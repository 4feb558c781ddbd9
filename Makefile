# The two commands a newcomer needs: `make run` and `make test`. Only Python 3.11+ is required.
# `make run` serves the demo without requiring two-step verification of staff (README, "Two-step verification").
PYTHON ?= python3
# `make run PORT=8001` serves on another port.
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-requirements
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

.PHONY: run test install lint format clean backup restore

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "Voorsprong back office: http://127.0.0.1:$(PORT)/ (log in with one of the demo log-ins above)"
	@echo "Health: http://127.0.0.1:$(PORT)/health/"
	@echo "Two-step verification is not required here (DJANGO_TWO_FACTOR_REQUIRED=false); production requires it."
	DJANGO_TWO_FACTOR_REQUIRED=false $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# A module's tests stay on one worker (loadfile): the modules that seed the demo data seed it once. Modules go
# out in the order of collection, the ones marked slow first (tests/conftest.py).
test: install
	$(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder

install: $(INSTALLED) $(CATALOGUES)

# A developer's machine gets the production requirements and the test and lint tools on top.
$(INSTALLED): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=python3.11).")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Babel compiles the Dutch catalogues (django, and djangojs for the admin's scripts), so GNU gettext is
# not needed to run the project.
%.mo: %.po $(INSTALLED)
	$(BIN)/pybabel compile --domain $(basename $(notdir $<)) --input-file $< --output-file $@

# ruff, the import contract of the layers (pyproject.toml), and no model change without its migration.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Backup and restore of the PostgreSQL database of DATABASE_URL and the media files (README, "Backup and
# restore"). `make backup [BACKUP_DIR=var/backups]`; `make restore BACKUP=var/backups/<folder> [FORCE=1]`.
backup:
	bin/backup

restore:
	@test -n "$(BACKUP)" || { echo "Name the backup folder: make restore BACKUP=var/backups/<folder> [FORCE=1]" >&2; exit 2; }
	bin/restore $(if $(FORCE),--force) "$(BACKUP)"

clean:
	rm -rf $(VENV) var
	find . -name '*.mo' -path './locale/*' -delete
