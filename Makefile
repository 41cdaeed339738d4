.PHONY: run test setup

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
