# ReflectBot: every target sets itself up (virtual environment and dependencies).
#   make chat   reflect in the terminal, no Telegram needed
#   make run    run the Telegram bot (needs TELEGRAM_BOT_TOKEN)
#   make test   install with test extras and run the whole suite

PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# CPU build of PyTorch; installed before sentence-transformers so no CUDA build is pulled in.
TORCH_SPEC ?= torch==2.13.0

.PHONY: install install-test chat run test test-fast lint format benchmark model clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet "$(TORCH_SPEC)"
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

chat: install
	$(VENV)/bin/reflectbot chat

run: install
	$(VENV)/bin/reflectbot run

test: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

# The quick loop while developing: no real model, no end-to-end runs.
test-fast: install-test
	$(VENV)/bin/pytest -m "not slow and not e2e"

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Rebuild the suggestion model from framework/data (deterministic, about 25 minutes on
# 2 cores): the tuned encoder, a head and shown-set rule for it and for the stock model,
# and the shipped reference vectors. Run after changing the examples or the framework.
model: install
	$(PY) -m framework.tune_encoder
	$(PY) -m framework.train_head
	$(PY) -m framework.train_head --model stock
	$(PY) -m framework.ship_vectors

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
