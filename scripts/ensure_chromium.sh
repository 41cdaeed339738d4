#!/usr/bin/env bash
# Browser tests use Debian's Chromium; install it when missing and we are allowed to.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> Installing Debian's chromium for the browser tests"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
else
  echo "!! chromium is not installed and cannot be installed here (need root and apt-get)." >&2
  echo "!! Install it (e.g. 'sudo apt-get install chromium') to run the browser tests." >&2
fi
