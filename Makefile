.PHONY: run test setup bench

# Set up (virtualenv, packages, JavaScript runtime, migrations), load demo data, start the app.
run:
	@scripts/run.sh

# The same set-up, then every test: unit tests and browser tests in headless Chromium.
test:
	@scripts/setup.sh
	@scripts/ensure_chromium.sh
	@bash -c '. scripts/env.sh && python -m pytest'

setup:
	@scripts/setup.sh

# Benchmarks (not part of `make test`): a big firm generated once into SQLite and PostgreSQL,
# then the portal's query times. Results and method: BENCHMARKS.md.
BENCH_SQLITE ?= sqlite:///$(CURDIR)/data/bench.db
BENCH_PG ?= postgresql+psycopg://postgres@127.0.0.1:5432/portal_bench
bench:
	@scripts/setup.sh
	@bash -c '. scripts/env.sh && python scripts/generate_data.py --if-missing $(BENCH_SQLITE) $(BENCH_PG) && python scripts/bench.py $(BENCH_SQLITE) $(BENCH_PG)'
