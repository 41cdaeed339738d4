#!/usr/bin/env bash
# `make run`: set up, load demo data (idempotent) and start the app.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
scripts/setup.sh
. scripts/env.sh
python -m portal_app.services.demo
FRONT="${PORTAL_FRONTEND_PORT:-3000}"
BACK="${PORTAL_BACKEND_PORT:-8000}"
export PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://localhost:$FRONT}"
export PORTAL_API_URL="${PORTAL_API_URL:-http://localhost:$BACK}"
cat <<MSG

  Lexportal — the client portal for law firms
  -------------------------------------------
  App:               $PORTAL_BASE_URL
  Staff login:       $PORTAL_BASE_URL/login
  Development mail:  $PORTAL_BASE_URL/dev/mail   (staff login needed)

  Demo logins (password for all: $(python -c 'from portal_app.services.demo import DEMO_PASSWORD; print(DEMO_PASSWORD)')):
$(python -c 'from portal_app.services.demo import DEMO_LOGINS
for e, who in DEMO_LOGINS: print(f"    {e:32} {who}")')

MSG
exec reflex run --frontend-port "$FRONT" --backend-port "$BACK"
