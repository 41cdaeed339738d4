# Sourced by the Makefile's recipes: the project's virtualenv and JavaScript runtime on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.venv/bin:$ROOT/.tools/bun/node_modules/.bin:$PATH"
export REFLEX_TELEMETRY_ENABLED=false
if [ -x "$ROOT/.tools/bun/node_modules/.bin/bun" ]; then
  export REFLEX_USE_SYSTEM_BUN=1
fi
# The database, the mail worker and test screenshots write there: never let that restart the dev server.
mkdir -p "$ROOT/data" "$ROOT/test-artifacts"  # Reflex requires excluded paths to exist
export REFLEX_HOT_RELOAD_EXCLUDE_PATHS="$ROOT/data:$ROOT/test-artifacts"
