# The template's own tasks. Every target documents itself: `make help` lists the `## ` lines.
.DEFAULT_GOAL := help
.PHONY: help install test test-fast test-newest lint format render bench clean
PYTHON_SOURCES := hooks tests scripts bench local_extensions.py

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

install: ## Install the template's dev tools (cookiecutter, pytest-cookies, ruff) with uv
	uv sync

test: ## Run the whole template test suite, slow tests included (bakes and tests projects)
	uv run pytest

test-fast: ## Run the template tests without the slow ones
	uv run pytest -m "not slow"

test-newest: ## The slow bakes against today's newest releases, not the tested date (nightly job)
	TEST_NEWEST_RELEASES=1 uv run pytest -m slow

lint: ## Check style and formatting of the hooks, tests, scripts and benchmarks
	uv run ruff check $(PYTHON_SOURCES)
	uv run ruff format --check $(PYTHON_SOURCES)

format: ## Fix what ruff can fix in the hooks, tests, scripts and benchmarks, and format them
	uv run ruff check --fix $(PYTHON_SOURCES)
	uv run ruff format $(PYTHON_SOURCES)

render: ## Render the template with its defaults into build/ for a quick look
	uv run cookiecutter --no-input -f -o build .

bench: ## Render a project, install it, run the benchmark suite on it (slow; BENCH_ARGS="--quick agent=rag")
	uv run python bench/bench_generated.py $(BENCH_ARGS)

clean: ## Remove rendered output and caches
	rm -rf build .pytest_cache .ruff_cache
