#!/usr/bin/env bash
# Create .venv and install Sanad with the given extras (e.g. "test"); cheap to re-run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
extras="${1:-}"
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
stamp=".venv/.sanad-installed${extras:+-$extras}"
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "Installing Sanad${extras:+ [$extras]} into .venv (first run takes a few minutes)..." >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # PyTorch first and pinned: an unpinned torch would pull gigabytes of CUDA packages.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt torch==2.13.0
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".${extras:+[$extras]}"
  echo "$want" > "$stamp"
fi
