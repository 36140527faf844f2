#!/usr/bin/env bash
# Set up (first time) and run everything CI runs: lint, type checks and the whole test suite.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh test
.venv/bin/ruff check index rag ui eval tests
status=0
.venv/bin/python -m pytest "$@" || status=$?
if [ "$status" -eq 5 ]; then
  echo "no tests were collected" >&2
fi
exit "$status"
