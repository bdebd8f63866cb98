# Two commands do all set-up on a fresh machine with Python >= 3.11:
#   make demo   create .venv, install exgen, generate a sample class set into output/ and grade it
#   make test   the same venv plus the test extras, then the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Byte-compiled once, as installing a wheel does: an editable install otherwise compiles every
# module again at each start where PYTHONDONTWRITEBYTECODE is set (a third of a second).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[serve]'
	$(BIN)/python -m compileall -q exgen > /dev/null
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m compileall -q exgen > /dev/null
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	$(BIN)/exgen generate examples/week3.toml --roster examples/roster.csv --out output --force
	$(BIN)/python examples/fill_sample_answers.py output/key.json output/answers.csv output/sample_submission.csv
	$(BIN)/exgen grade output/key.json output/sample_submission.csv --out output/graded --force
	@$(BIN)/exgen check "2x e^(x^2)" "e^(x^2)*2x" || true
	@echo
	@echo "Students can answer the demo set online; this writes their personal links to output/links.csv:"
	@echo "  $(BIN)/exgen serve output"

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check exgen tests bench

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_conformance.py
	$(BIN)/python bench/bench_adversarial.py
	$(BIN)/python bench/bench_generate.py
	$(BIN)/python bench/bench_worksheets.py
	$(BIN)/python bench/bench_grade.py
	$(BIN)/python bench/bench_serve.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
