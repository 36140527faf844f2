"""Where the index lives and which embedder builds it: the one place environment variables are read.

Does not validate the embedder name; see index/embed.py for the registry.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EMBEDDER = "e5-small"


@dataclass(frozen=True)
class Settings:
    """Resolved locations and defaults; command-line flags override these."""

    index_dir: Path
    embedder: str
    corpus_dir: Path  # the default folder indexed on first run


def default_index_dir() -> Path:
    """``$XDG_DATA_HOME/sanad/index`` (``~/.local/share/sanad/index``), like other per-user tools."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sanad" / "index"


def from_env(environ: dict[str, str] | None = None) -> Settings:
    """Read ``SANAD_INDEX_DIR``, ``SANAD_EMBEDDER`` and ``SANAD_CORPUS`` (the only env reads)."""
    env = os.environ if environ is None else environ
    index_dir = env.get("SANAD_INDEX_DIR")
    return Settings(
        index_dir=Path(index_dir).expanduser() if index_dir else default_index_dir(),
        embedder=env.get("SANAD_EMBEDDER") or DEFAULT_EMBEDDER,
        corpus_dir=Path(env.get("SANAD_CORPUS") or "seeds"),
    )
