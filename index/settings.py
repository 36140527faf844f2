"""Where the index lives and which embedder builds it: the one place environment variables are read.

Does not validate the embedder name; see index/embed.py for the registry.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_EMBEDDER = "e5-small"
DEFAULT_READER = "sanad"


@dataclass(frozen=True)
class Settings:
    """Resolved locations and defaults; command-line flags override these."""

    index_dir: Path
    embedder: str
    reader: str  # the reading model that orders, cites and abstains (see rag/reading/registry.py)
    corpus_dir: Path  # the default folder indexed on first run
    eval_cache_dir: Path  # indexes and vectors the evaluation builds once and reuses
    root_path: str = ""  # the sub-path a reverse proxy serves the web app under ("" at the root)


def default_index_dir() -> Path:
    """``$XDG_DATA_HOME/sanad/index`` (``~/.local/share/sanad/index``), like other per-user tools."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sanad" / "index"


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """Read ``SANAD_INDEX_DIR``, ``SANAD_EMBEDDER``, ``SANAD_READER``, ``SANAD_CORPUS``, ``SANAD_EVAL_CACHE``
    and ``SANAD_ROOT_PATH``.

    The evaluation cache defaults to ``$XDG_CACHE_HOME/sanad/eval`` (``~/.cache/sanad/eval``).
    """
    env = os.environ if environ is None else environ
    index_dir, eval_cache = env.get("SANAD_INDEX_DIR"), env.get("SANAD_EVAL_CACHE")
    cache_base = Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Settings(
        index_dir=Path(index_dir).expanduser() if index_dir else default_index_dir(),
        embedder=env.get("SANAD_EMBEDDER") or DEFAULT_EMBEDDER,
        reader=env.get("SANAD_READER") or DEFAULT_READER,
        corpus_dir=Path(env.get("SANAD_CORPUS") or "seeds"),
        eval_cache_dir=Path(eval_cache).expanduser() if eval_cache else cache_base / "sanad" / "eval",
        root_path=env.get("SANAD_ROOT_PATH", ""),
    )
