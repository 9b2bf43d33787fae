# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
QUESTION ?= ¿Qué dijo Ucrania sobre la visita de Shoigu?

.PHONY: run test lint bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first and pinned: it is the CPU build on this machine's disk; an unpinned torch would
# pull a multi-GB CUDA build when sentence-transformers asks for it.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hemeroteca ingest corpus/samples --if-empty
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ]; then \
		$(BIN)/hemeroteca serve; \
	else \
		echo "TELEGRAM_BOT_TOKEN is not set: answering the example question in the terminal."; \
		$(BIN)/hemeroteca ask "$(QUESTION)"; \
	fi

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bot retrieval corpus tests
	$(BIN)/pytest -q

eval: $(STAMP)
	$(BIN)/hemeroteca eval ../shared/datasets/squad-es-dev.json --limit 600

clean:
	rm -rf $(VENV) data
