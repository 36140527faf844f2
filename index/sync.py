"""Keep the index in step with folders and files: add new, replace changed, drop deleted sources.

Does not embed or write itself; it decides what to upsert and remove and calls index/build.py.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from index.build import BuildReport, Enricher, Progress, update_index
from index.documents import Article
from index.embed import Embedder
from index.errors import IndexMissingError, IngestError
from index.ingest import load_articles
from index.manifest import DocumentEntry
from index.segment import ChunkerConfig
from index.stores import IndexStore, parse_store


def recorded_roots(index_dir: Path | IndexStore) -> list[Path]:
    """The files and folders earlier runs indexed (what ``sanad index`` with no PATH refreshes)."""
    store = parse_store(index_dir)
    if store.current_version() is None:
        return []
    snapshot = store.open()
    try:
        return [Path(r) for r in snapshot.manifest.roots]
    finally:
        snapshot.close()


def index_paths(
    index_dir: Path | IndexStore,
    paths: Sequence[Path],
    embedder: Embedder,
    chunker: ChunkerConfig,
    *,
    rebuild: bool = False,
    enrichers: Sequence[Enricher] = (),
    progress: Progress | None = None,
    wait_seconds: float = 0.0,
) -> BuildReport:
    """Index ``paths`` (files or folders) incrementally.

    Documents whose source lies under one of ``paths`` but is gone, and documents whose source file
    no longer exists anywhere, are dropped; documents from other sources are kept. The folders are
    read under the writer lock, so concurrent runs cannot drop each other's new files.
    """
    if not paths:
        paths = recorded_roots(index_dir)
        if not paths:
            raise IndexMissingError(
                f"no index at {index_dir} yet; give the folder to index, e.g. `sanad index seeds/`"
            )
    roots = [p.resolve() for p in paths]
    seen: set[str] = set()

    def load() -> tuple[list[Article], list[IngestError]]:
        articles, errors = load_articles(roots)
        seen.update(a.doc_id for a in articles)
        return articles, errors

    def stale(documents: Mapping[str, DocumentEntry]) -> Collection[str]:
        return [
            doc_id
            for doc_id, entry in documents.items()
            if doc_id not in seen and (_under(Path(entry.source), roots) or not Path(entry.source).exists())
        ]

    return update_index(
        index_dir,
        load,
        embedder,
        chunker,
        remove=stale,
        roots=[str(r) for r in roots],
        rebuild=rebuild,
        enrichers=enrichers,
        progress=progress,
        wait_seconds=wait_seconds,
    )


def _under(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)
