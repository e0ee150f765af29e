# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo needs the package alone; the tests also need their extras (pytest, dask, a
# notebook kernel), about 130 MB more. Each stamp says what is installed.
BASE := $(VENV)/.installed-base
TESTS := $(VENV)/.installed-test

.PHONY: demo test install bench clean

$(BIN)/python:
	@echo "make: creating $(VENV) with $(PYTHON)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(BASE): $(BIN)/python setup.cfg pyproject.toml
	@echo "make: installing basemesa and what it needs (numpy, numba, pandas, matplotlib, ...) into $(VENV); about half a minute the first time"
	$(BIN)/python -m pip install --quiet -e .
	touch $(BASE)

$(TESTS): $(BIN)/python setup.cfg pyproject.toml
	@echo "make: installing basemesa with its test extras (pytest, dask, nbclient, ...) into $(VENV); about a minute the first time"
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(BASE) $(TESTS)

install: $(TESTS)

demo: $(BASE)
	$(BIN)/evo demo

# pytest exits 5 when it collected nothing: a failure, never a pass.
test: $(TESTS)
	@$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

bench: $(BASE)
	$(BIN)/evo bench

clean:
	rm -rf $(VENV) build *.egg-info
