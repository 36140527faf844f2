#!/usr/bin/env bash
# Set up (first time) and run everything CI runs: lint, type checks and the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh test,eval
# The browser tests drive Debian's Chromium (never a downloaded one); install it once if missing.
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests..." >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o Dpkg::Use-Pty=0 chromium >/dev/null
fi
.venv/bin/ruff check index rag ui eval tests
.venv/bin/mypy index rag ui eval
.venv/bin/lint-imports  # the layer and no-circle contracts in pyproject.toml
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "no tests were collected" >&2
fi
# Regression guard: the seeds evaluation must stay above the committed floors (eval/quality/floors.json).
floors_out="$(mktemp -d)"
.venv/bin/sanad eval --dataset seeds --check-floors --out "$floors_out" || status=1
exit "$status"
