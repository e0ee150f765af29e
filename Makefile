# Two commands for a newcomer: `make demo` and `make test`. Both create .venv when missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The demo needs the package alone; the tests also need their extras (pytest, dask, a
# notebook kernel), about 130 MB more. Each stamp says what is installed. (pip compiles every
# module's bytecode at install: where PYTHONDONTWRITEBYTECODE is set, nothing else would, and
# every process would compile pandas, numba and the rest anew.)
BASE := $(VENV)/.installed-base
TESTS := $(VENV)/.installed-test

.PHONY: demo test test-fast lint install bench clean

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

# pytest exits 5 when it collected nothing: a failure, never a pass. Tests run on
# pytest-xdist workers, one more than the cores: the SLURM tests' worker mostly waits for its
# jobs (TEST_WORKERS to change it; 0 runs every test in this process).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
PYTEST = @$(BIN)/python -m pytest -n $(TEST_WORKERS) $(1) $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "make: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

test: $(TESTS)
	$(call PYTEST,)

# Everyday work: everything but the statistical (`slow`) and the SLURM (`cluster`) tests.
test-fast: $(TESTS)
	$(call PYTEST,-m "not slow and not cluster")

lint: $(TESTS)
	$(BIN)/ruff check .

bench: $(BASE)
	$(BIN)/evo bench

clean:
	rm -rf $(VENV) build *.egg-info
