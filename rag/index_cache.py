"""Where evaluation indexes are cached, their keys, and building or reusing one for a corpus.

An evaluation index lives in ``<cache root>/<corpus>-<embedder>-<key>``, the key hashing the
articles and every setting that shapes the index, so a changed corpus or setting gets a new folder
and an unchanged one is reused without re-embedding. Used offline by the evaluation (eval/) and the
reader's calibration (rag/reading/training/), which share these indexes; never at serving time, and
never touches the user's own index.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import index
from index.build import Progress, update_index
from index.documents import Article
from index.embed import Embedder
from index.errors import IndexCorruptError, IndexMismatchError, SanadError
from index.normalize import NORMALIZER_VERSION
from index.segment import ChunkerConfig
from index.settings import from_env
from rag import summarize, summary_model, summary_units
from rag.summarize import SummaryConfig, SummaryEnricher

log = logging.getLogger(__name__)

CACHE_FORMAT = 1  # bump when the layout of cached evaluation data changes
KEEP = 3  # cached versions kept per corpus and embedder (e.g. while switching branches)


def cache_root(override: Path | None = None) -> Path:
    """``override``, else ``$SANAD_EVAL_CACHE``, else ``~/.cache/sanad/eval`` (see index/settings.py)."""
    return override if override is not None else from_env().eval_cache_dir


def cache_key(articles: Sequence[Article], settings: Mapping[str, Any]) -> str:
    """12 hex digits of SHA-256 over every article's content hash and the settings."""
    payload = {
        "format": CACHE_FORMAT,
        "settings": settings,
        "articles": sorted((a.doc_id, a.sha256) for a in articles),
    }
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(raw).hexdigest()[:12]


def slug(name: str) -> str:
    """A file-name-safe form of an embedder name such as ``st:intfloat/multilingual-e5-small``."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "embedder"


@dataclass(frozen=True)
class CachedIndex:
    path: Path
    reused: bool
    seconds: float


def _digest(files: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def code_digest() -> str:
    """Hash of the code that decides what an index holds besides its summaries (index/*.py).

    Conservative on purpose: a change there may alter the stored data without bumping any
    recorded setting, and a stale cached index would silently measure the old code.
    """
    return _digest(sorted(Path(index.__file__).parent.glob("*.py")))


def summary_version(summary: SummaryConfig) -> int:
    """The stored summaries' version in a cached index: derived from the summariser's code and settings.

    Stored summaries are recomputed from the stored vectors when they change (``update_index``
    compares enricher versions), so a new summary model does not re-embed the corpus.
    """
    files = [Path(summarize.__file__), Path(summary_model.__file__), Path(summary_units.__file__)]
    payload = json.dumps([SummaryEnricher.version, asdict(summary), _digest(files)], sort_keys=True)
    return int(hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12], 16)


def index_settings(embedder: Embedder, chunker: ChunkerConfig) -> dict[str, Any]:
    """Everything besides the articles and the summaries that decides what an evaluation index contains."""
    return {
        "code": code_digest(),
        "embedder": embedder.name,
        "model_id": embedder.model_id,
        "dim": embedder.dim,
        "chunker": chunker.as_dict(),
        "normalizer_version": NORMALIZER_VERSION,
    }


def cached_index(
    root: Path,
    corpus: str,
    articles: Sequence[Article],
    embedder: Embedder,
    chunker: ChunkerConfig,
    summary: SummaryConfig,
    progress: Progress | None = None,
) -> CachedIndex:
    """Build the index of ``articles`` in the cache, or reuse it when it is present and valid.

    ``update_index`` does the validity check: it opens and verifies the cached version and
    re-embeds only what differs from ``articles``; changed summary code or settings only
    recompute the stored summaries (``summary_version``). A damaged cache is deleted and rebuilt.
    """
    key = cache_key(articles, index_settings(embedder, chunker))
    enricher = SummaryEnricher(summary)
    enricher.version = summary_version(summary)
    path = root / f"{corpus}-{slug(embedder.name)}-{key}"
    started = time.perf_counter()
    wanted = {a.doc_id for a in articles}

    def build(rebuild: bool) -> Any:
        return update_index(
            path, list(articles), embedder, chunker,
            remove=lambda docs: [d for d in docs if d not in wanted],
            rebuild=rebuild, enrichers=[enricher], progress=progress,
        )

    try:
        report = build(rebuild=False)
    except (IndexCorruptError, IndexMismatchError) as exc:
        log.warning("evaluation index %s is unusable (%s); rebuilding it", path, exc)
        shutil.rmtree(path, ignore_errors=True)
        report = build(rebuild=True)
    if report.skipped:
        raise SanadError(f"evaluation corpus {corpus!r}: {report.skipped[0]}")
    reused = report.version is None
    if not reused:
        prune(root, f"{corpus}-{slug(embedder.name)}-")
    log.info("evaluation index %s: %s", path, "reused" if reused else "built")
    return CachedIndex(path, reused, time.perf_counter() - started)


def prune(root: Path, prefix: str, keep: int = KEEP) -> None:
    """Delete all but the ``keep`` most recently written cache folders named ``<prefix><key>``."""
    pattern = re.compile(re.escape(prefix) + r"[0-9a-f]{12}")
    found = sorted(
        (p for p in root.iterdir() if p.is_dir() and pattern.fullmatch(p.name)),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in found[keep:]:
        log.info("removing old evaluation cache %s", old)
        shutil.rmtree(old, ignore_errors=True)
