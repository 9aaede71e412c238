# dge-graph: `make run` sets up, builds and serves; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STORE  ?= var/store
SHARED ?= ../shared
EXTRAS ?= test
TEST_WORKERS ?= 2

.PHONY: run build validate serve test test-virtuoso virtuoso install shared-check clean help generate bench bench-smoke screenshot-analytics conformance fuzz screenshot clients chromium

help:
	@echo "make run [PORT=8000] [STORE=var/store]  set up .venv, build the graph, validate it, serve it on http://$(HOST):$(PORT)"
	@echo "make test                               set up .venv if needed and run the whole test suite"
	@echo "make test-virtuoso                      the remote-backend tests (store, named queries, validate, API) on Virtuoso"
	@echo "make generate                           regenerate rule shapes, safeguard shapes, docs/rules.md, docs/legal-status.md"
	@echo "make shared-check                       checks that need ../shared (register import counts, ...)"
	@echo "make bench [SIZES=\"10 50 300\"] [RUNS=3]  benchmarks (default: size 10, 1 run); table -> docs/benchmarks.md"
	@echo "make bench-smoke                        the benchmark harness at a tiny size (every stage; CI runs it)"
	@echo "make conformance [BACKEND=remote]       W3C SPARQL Protocol, Graph Store Protocol, Service Description (needs ../shared)"
	@echo "make clients                            install Comunica (npm) into var/clients for tests/test_clients.py"
	@echo "make fuzz [FUZZ_TIME=300]               schemathesis on every route, store up and store down (no 500)"
	@echo "make screenshot                         pages and the council report PDF in headless Chromium, checked (var/screenshots)"
	@echo "make chromium                           install Debian's chromium and poppler-utils when chromium is missing (root)"
	@echo "make screenshot-analytics               profile/comparison pages in headless Chromium (PNGs in var/screenshots)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Re-install when pyproject.toml changes.
$(VENV)/.installed-$(EXTRAS): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[$(EXTRAS)]'
	touch $@

install: $(VENV)/.installed-$(EXTRAS)

build: install
	$(BIN)/dge-graph build --store $(STORE)

serve: install
	$(BIN)/dge-graph serve --store $(STORE) --host $(HOST) --port $(PORT)

# Validate the built store and store the result (the profiles and analysts' queries read it). Exit 1 means
# "findings", not failure; the findings are also written to var/validation.csv.
validate: install
	@mkdir -p var
	$(BIN)/dge-graph validate --store $(STORE) --format csv > var/validation.csv || [ $$? -eq 1 ]
	@echo "validation stored in $(STORE); findings in var/validation.csv ($$(($$(wc -l < var/validation.csv) - 1)) rows)"

run: build validate serve

# --dist loadgroup: each work unit (a test module, or an xdist_group of its own: tests/conftest.py) runs on one
# worker, so that its module-scoped set-ups are made once. --no-loadscope-reorder keeps the order of
# tests/conftest.py (the long units first); xdist's default order (most tests first) left them to the end, where one
# worker ran them while the other was idle for two minutes.
test: install
	$(BIN)/python -m pytest -m "not shared and not browser" -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# The second real remote store of the tests: OpenLink Virtuoso (Debian; needs root, or a Virtuoso on PATH).
virtuoso:
	command -v virtuoso-t >/dev/null || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends virtuoso-opensource-7-bin)

# The tests of the remote backend (every test with "remote" in its name or parameters) with Virtuoso behind it
# (make test runs them on `oxigraph serve`); the fixture starts and stops Virtuoso itself.
REMOTE_TESTS ?= tests/test_store.py tests/test_named_queries.py tests/test_analytics_queries.py tests/test_shapes_cli.py \
	tests/test_caching.py tests/test_algoritmeregister.py tests/test_clients.py $(wildcard tests/test_api_*.py)
test-virtuoso: install virtuoso
	$(BIN)/python -m pytest -m "not shared" --remote-store=virtuoso -k remote $(REMOTE_TESTS)

# What restates data/requirements.ttl (shapes/rules.ttl, shapes/safeguards.ttl, docs/rules.md, docs/legal-status.md);
# tests/test_rules_generated.py fails while one of them is stale.
generate: install
	$(BIN)/dge-graph rules generate

# Checks against the data in ../shared (not needed by `make test`; CI calls this when ../shared exists).
shared-check: install
	DGE_SHARED=$(SHARED) $(BIN)/python -m pytest -m shared -p no:cacheprovider tests/shared

# Benchmarks (docs/benchmarks.md). SIZES = deployments per municipality over all 342 municipalities.
SIZES ?= 10
RUNS  ?= 1
# Caps so that SIZES="10 50 300" RUNS=1 stays within about 45 minutes on 2 cores (22 on 2026-12-02): 10 calls (at
# most 5 s of them) per query case and engine, the query cases within 5 min, HTTP query cases within 2.5 min per
# server, the project build and rdflib only at size 10, pyshacl on 100 deployments, 3 re-validations of one
# deployment, 5 s of dereference load.
BENCH_ARGS ?= --repetitions 10 --pyshacl-sample 100 --http-duration-s 5 --query-timeout-s 10 --query-cap-s 5 \
	--queries-budget-s 300 --http-query-budget-s 150 --build-max-deployments 5000 --rdflib-max-deployments 5000 \
	--incremental-runs 3 --deref-repetitions 30 --stage-budget-s 120
# Every worker under py-spy (20 Hz): where each stage's time goes, per size (python -m benchmarks.profile_summary FILE).
BENCH_PROFILE ?= --py-spy-dir var/bench/py-spy
# The load test (docs/benchmarks.md, "Load test"): 342 x 10 deployments, 4 clients, 30 s, a runaway every 10 requests.
LOAD_ARGS ?= --clients 4 --duration-s 30 --timeout-s 5 --runaway-every 10
bench:
	$(MAKE) install EXTRAS=bench
	$(BIN)/python -m benchmarks.run --sizes $(SIZES) --runs $(RUNS) $(BENCH_ARGS) $(BENCH_PROFILE) --write-doc
	$(BIN)/python -m benchmarks.load_test $(LOAD_ARGS) --write-doc

# The same harness at a tiny size (every stage, a few deployments), results in var/bench-smoke: CI runs it so the
# harness cannot rot. No figures from it go into docs/benchmarks.md.
bench-smoke:
	$(MAKE) install EXTRAS=bench
	$(BIN)/python -m benchmarks.run --sizes 1 --municipalities 4 --runs 1 --repetitions 1 --pyshacl-sample 4 \
		--http-duration-s 1 --query-timeout-s 10 --query-workers shared --incremental-runs 1 --deref-repetitions 3 \
		--http-query-budget-s 30 --rdflib-timeout-s 2 \
		--work-dir var/bench-smoke --results-dir var/bench-smoke/results

clean:
	rm -rf $(VENV) var .pytest_cache

# The analysts' profile and comparison pages rendered in headless Chromium with their charts, and their CSV
# checked as a plain table (needs chromium: apt-get install -y chromium). Screenshots: var/screenshots/*.png
screenshot-analytics: install
	$(BIN)/python tests/api_checks/screenshot_analytics.py --out var/screenshots

# W3C SPARQL 1.1 Protocol (34), Graph Store Protocol (13) and Service Description (3) conformance over a real socket
# (manifests read from $(SHARED) at run time); exits non-zero on any failure.
# BACKEND=remote runs them with `dge-graph serve --store` a real `oxigraph serve` instead of the embedded store.
BACKEND ?= embedded
conformance: install
	DGE_SHARED=$(SHARED) $(BIN)/python tests/conformance/protocol_runner.py --backend $(BACKEND)

# Third-party clients for tests/test_clients.py: Comunica from npm into var/clients (never committed). Major 4: the
# newest major needs Node 22. Without it (or without Node) the Comunica tests skip with the reason.
COMUNICA_VERSION ?= 4
clients: install
	@command -v npm >/dev/null || { echo "npm not found: the Comunica tests will skip"; exit 0; }
	mkdir -p var/clients
	npm install --no-audit --no-fund --prefix var/clients @comunica/query-sparql@$(COMUNICA_VERSION)

# Property-based fuzzing of the HTTP API from its OpenAPI spec (schemathesis; bounded examples and time), twice:
# store up (fails on any 5xx) and store down (fails on any 5xx but the 502/503 every store call must answer).
FUZZ_EXAMPLES ?= 30
FUZZ_TIME ?= 300
fuzz:
	$(MAKE) install EXTRAS=test,fuzz
	$(BIN)/python tests/api_checks/fuzz.py --max-examples $(FUZZ_EXAMPLES) --max-time $(FUZZ_TIME)
	$(BIN)/python tests/api_checks/fuzz.py --store-down --max-examples $(FUZZ_EXAMPLES) --max-time $(FUZZ_TIME)

# Headless Chromium (Debian's package) for the browser checks; needs root where it is missing.
chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium poppler-utils; }

# The pages as a reader sees them in headless Chromium: the query editor, resource pages, the ontology and the API
# docs rendered (tests/api_checks/screenshot.py), then the browser checks (tests/browser, marker `browser`): home
# page, profile, comparison, editor with a result, council report (screen and PDF pages) and /check, nl and en, at
# 1280 px and a phone's width. Screenshots and PDFs: var/screenshots.
screenshot: install
	$(BIN)/python tests/api_checks/screenshot.py --out var/screenshots
	DGE_SCREENSHOTS=var/screenshots $(BIN)/python -m pytest -m browser -p no:cacheprovider -rxX tests/browser
