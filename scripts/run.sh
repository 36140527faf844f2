#!/usr/bin/env bash
# Set up (first time) and run Sanad over seeds/: refreshes the index, then starts the web chat
# (http://127.0.0.1:7860 by default; extra arguments go to `sanad serve`, e.g. --port 8000).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
# Incremental: the first run embeds the seeds, later runs only pick up changed files.
.venv/bin/sanad index seeds/ || echo "sanad: some files were skipped (listed above); serving the rest" >&2
.venv/bin/sanad docs
exec .venv/bin/sanad serve --corpus seeds "$@"
