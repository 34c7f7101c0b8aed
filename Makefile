# e-ISO: the two commands of the README, and a few more for maintainers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
ADDR   ?= 127.0.0.1:8000
# The demo agency's own repository, made from procedures/, docs/… with a real approval trail.
DEMO   := .demo

.PHONY: install demo serve build build-public check test test-fast browser clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	@# Compiled once: the editable package is otherwise compiled again at every start (0.4 s of each command
	@# where PYTHONDONTWRITEBYTECODE is set); a stale file is ignored by Python, never used.
	$(BIN)/python -m compileall -q src >/dev/null
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python scripts/make_demo.py $(DEMO)

serve: demo
	cd $(DEMO) && $(CURDIR)/$(BIN)/eiso serve --dev-addr $(ADDR)

build: demo
	cd $(DEMO) && $(CURDIR)/$(BIN)/eiso build -d $(CURDIR)/site

build-public: demo
	cd $(DEMO) && $(CURDIR)/$(BIN)/eiso build --public -d $(CURDIR)/site-public

check: $(STAMP)
	$(BIN)/eiso check

browser:
	@sh scripts/ensure-chromium.sh

# Two workers, one test file each at a time (a file's module fixtures are built once): most tests wait on
# a build or a browser in a subprocess, so the suite takes about half its serial time on 2 cores.
TEST_WORKERS ?= 2

test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not browser and not slow"

clean:
	rm -rf site site-public .pytest_cache $(DEMO)
