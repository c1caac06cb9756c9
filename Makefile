# The template's own tasks. Every target documents itself: `make help` lists the `## ` lines.
.DEFAULT_GOAL := help
.PHONY: help install test test-fast test-newest lint format render bench clean

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

lint: ## Check style and formatting of the hooks and tests
	uv run ruff check hooks tests local_extensions.py
	uv run ruff format --check hooks tests local_extensions.py

format: ## Fix what ruff can fix in the hooks and tests, and format them
	uv run ruff check --fix hooks tests local_extensions.py
	uv run ruff format hooks tests local_extensions.py

render: ## Render the template with its defaults into build/ for a quick look
	uv run cookiecutter --no-input -f -o build .

bench: ## Render the defaults, install, run its make bench (slow, not in test; BENCH_ARGS=)
	uv run python scripts/bench_generated.py $(BENCH_ARGS)

clean: ## Remove rendered output and caches
	rm -rf build .pytest_cache .ruff_cache
