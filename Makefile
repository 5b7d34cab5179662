# Two commands on a fresh machine: `make demo` and `make test`.
# The virtual environment is rebuilt only when pyproject.toml changes, so a second run starts in seconds.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLES := corpus/samples
DEMO_OUT := out/demo

.PHONY: demo test lint samples model eval clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/migtag run $(SAMPLES) --out $(DEMO_OUT) --force

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

# Redraw the bundled sample reports from the text kept in the script.
samples: $(VENV)/.installed-test
	$(BIN)/python $(SAMPLES)/draw_samples.py

# Retrain the shipped default model from corpus/.
model: $(VENV)/.installed
	$(BIN)/migtag train --corpus corpus --out models/migtag-base --force

eval: $(VENV)/.installed
	$(BIN)/migtag evaluate --data corpus/passages --split test

$(VENV)/.installed-bench: pyproject.toml $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python benchmarks/bench_tagging.py
	$(BIN)/python benchmarks/bench_figures_speed.py
	$(BIN)/python benchmarks/bench_figures_quantulum.py
	$(BIN)/python benchmarks/quantity_specs.py
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_batch.py

clean:
	rm -rf $(VENV) out .pytest_cache
