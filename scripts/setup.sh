#!/usr/bin/env bash
# Idempotent set-up for a fresh machine: virtualenv, Python packages, a JavaScript runtime Reflex
# accepts, and the database schema. Safe to run before every `make run` / `make test`.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  echo "==> Creating the virtualenv (.venv)"
  "$PYTHON" -m venv .venv
fi
stamp=".venv/.requirements.sha"
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> Installing Python packages"
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r requirements.txt
  echo "$want" > "$stamp"
fi

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
js_ok=no
if command -v bun >/dev/null 2>&1 && version_ge "$(bun --version)" 1.4.4; then js_ok=yes; fi
if command -v node >/dev/null 2>&1 && version_ge "$(node --version | tr -d v)" 22.22.0; then js_ok=yes; fi
if [ "$js_ok" = no ] && [ ! -x .tools/bun/node_modules/.bin/bun ]; then
  echo "==> Installing bun from the npm registry into .tools/bun (no Node >= 22.22 or bun >= 1.4.4 here)"
  mkdir -p .tools/bun
  (cd .tools/bun && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --silent --no-audit --no-fund bun@1.4.5)
fi

# shellcheck source=scripts/env.sh
. scripts/env.sh
mkdir -p data
echo "==> Applying database migrations"
alembic upgrade head 2>&1 | grep -v "^INFO  \[alembic.runtime.migration\] \(Context impl\|Will assume\)" || true
