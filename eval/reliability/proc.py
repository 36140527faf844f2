"""Start the real ``sanad`` command line from this checkout as a child process.

Does not wait for it or read its output; callers decide (kills.py, server.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def sanad(*args: str, **popen: Any) -> subprocess.Popen[str]:
    """``python -m ui.cli ARGS`` with this checkout on the path (what the ``sanad`` script runs)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "ui.cli", *args], cwd=ROOT, env=env, text=True, **popen)
