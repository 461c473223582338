# Two commands do everything on a fresh clone:
#   make extract DEPT=caidian      convert samples/caidian/ into out/
#   make test                      run the test suite
# Both create .venv and install the pinned dependencies (constraints.txt) first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEPT ?= caidian
IN ?= samples/$(DEPT)
OUT ?= out
WORKERS ?= 0
ARGS ?=

.PHONY: extract test bench clean venv

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

extract: $(VENV)/.installed
	$(BIN)/juesuan extract "$(IN)" --out "$(OUT)" --workers $(WORKERS) $(ARGS)

test: $(VENV)/.installed
	$(BIN)/python -m pytest

# Speed and memory figures (one run; ends in `key: value` lines). Each script takes its own options.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/pdfium_source.py
	$(BIN)/python benchmarks/ocr.py
	$(BIN)/python benchmarks/cluster.py
	$(BIN)/python benchmarks/scale.py

clean:
	rm -rf $(VENV) out .pytest_cache
