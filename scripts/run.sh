#!/usr/bin/env bash
# Set up (first time) and run Sanad over seeds/: builds the index on first run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh
.venv/bin/sanad index seeds/
.venv/bin/sanad docs
