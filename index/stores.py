"""The store seam: what Sanad needs from a place that holds index versions, and how one is named.

Two stores satisfy it: version folders on local disk (index/store.py, the default) and Milvus
(index/milvus.py, from an embedded Milvus Lite file to a cluster). Both publish whole versions
atomically and keep one writer; index/build.py decides what a version holds and writes it through
this seam, so incremental updates, enrichers and duplicate checks are the same code on both.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Protocol, runtime_checkable

from index.errors import IndexMissingError
from index.manifest import MANIFEST_FILE, EmbedderSpec, Manifest
from index.store import (
    VERSIONS,
    IndexSnapshot,
    collect_garbage,
    current_version,
    new_staging_dir,
    open_index,
    publish,
    writer_lock,
)

MILVUS_SCHEMES = ("milvus:", "http://", "https://", "tcp://")


@runtime_checkable
class IndexStore(Protocol):
    """Published index versions: open the live one, or write the next one as one writer."""

    home: Path  # a local folder of this store's (lock, staging); what sits beside it survives rebuilds

    def current_version(self) -> str | None:
        """The live version's name, or ``None`` when nothing was published."""
        ...

    def open(self, expect: EmbedderSpec | None = None) -> IndexSnapshot:
        """Load the live version; ``expect`` refuses vectors of another embedding model."""
        ...

    def writer(self, wait_seconds: float = 0.0) -> contextlib.AbstractContextManager[None]:
        """Hold the single-writer lock (``IndexBusyError`` when another writer keeps it)."""
        ...

    def stage(self) -> Path:
        """A private local folder to write the next version into (version folder layout)."""
        ...

    def publish(self, staging: Path, manifest: Manifest) -> str:
        """Make the staged version live atomically and return its name."""
        ...

    def discard(self, staging: Path) -> None:
        """Forget a staged version that will not be published."""
        ...

    def collect_garbage(self) -> None:
        """Drop what no reader needs any more (all but the live version and its predecessor)."""
        ...


class FolderStore:
    """Version folders under one local directory: FAISS, SQLite and bm25s files (index/store.py)."""

    def __init__(self, index_dir: Path) -> None:
        self.index_dir = index_dir
        self.home = index_dir

    def __str__(self) -> str:
        return str(self.index_dir)

    def current_version(self) -> str | None:
        return current_version(self.index_dir)

    def open(self, expect: EmbedderSpec | None = None) -> IndexSnapshot:
        return open_index(self.index_dir, expect)

    def writer(self, wait_seconds: float = 0.0) -> contextlib.AbstractContextManager[None]:
        return writer_lock(self.index_dir, wait_seconds)

    def stage(self) -> Path:
        return new_staging_dir(self.index_dir)

    def publish(self, staging: Path, manifest: Manifest) -> str:
        return publish(self.index_dir, staging, manifest)

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def collect_garbage(self) -> None:
        collect_garbage(self.index_dir)


def parse_store(spec: str | Path | IndexStore) -> IndexStore:
    """The store a ``--store`` value (or ``--index-dir`` path) names.

    ``milvus:PATH.db`` is an embedded Milvus Lite file; ``milvus://HOST:PORT``, ``http(s)://...``
    and ``tcp://...`` are a Milvus server or cluster, whose token is read from
    ``SANAD_MILVUS_TOKEN`` (never from the command line, where it would show in ``ps`` and logs).
    Anything else is a local index folder.
    """
    if isinstance(spec, IndexStore):
        return spec
    text = str(spec)
    if text.startswith(MILVUS_SCHEMES):
        from index.milvus import MilvusStore  # pymilvus loads only for a Milvus store

        return MilvusStore.from_spec(text, token=os.environ.get("SANAD_MILVUS_TOKEN"))
    return FolderStore(Path(text).expanduser())


def copy_live_version(source: FolderStore, target: IndexStore) -> str:
    """Publish ``source``'s live version, as it is (no re-embedding), as ``target``'s next version.

    How the evaluation measures both stores on the very same version (eval/quality/store_parity.py).
    """
    version = source.current_version()
    if version is None:
        raise IndexMissingError(f"no index at {source} to copy")
    folder = source.index_dir / VERSIONS / version
    manifest = Manifest.read(folder / MANIFEST_FILE)
    with target.writer():
        staging = target.stage()
        try:
            shutil.copytree(folder, staging, dirs_exist_ok=True, ignore=shutil.ignore_patterns(MANIFEST_FILE))
            published = target.publish(staging, manifest)
        except BaseException:
            target.discard(staging)
            raise
        target.collect_garbage()
    return published
