"""The on-disk index: immutable version folders, an atomically switched CURRENT pointer, one writer.

Layout::

    <index_dir>/CURRENT              name of the live version (replaced atomically)
    <index_dir>/versions/<name>/     manifest.json, chunks.faiss, sentences.faiss, records.sqlite, bm25/
    <index_dir>/.lock                held by the single writer

A crash, SIGKILL or Ctrl-C at any point leaves CURRENT naming a complete version. Readers load a
version into memory and never see a half-written one. Does not decide what to (re-)embed; see build.py.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from index.errors import IndexBusyError, IndexCorruptError, IndexMissingError
from index.lexical import LexicalIndex
from index.manifest import MANIFEST_FILE, EmbedderSpec, Manifest, file_digest, verify_files
from index.records import RecordReader
from index.vectors import IndexSpec, SparseTable, VectorTable
from index.views import RecordSource, TermSource, VectorSource

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
VERSIONS = "versions"
LOCK = ".lock"
STAGING_PREFIX = ".staging-"
CHUNK_VECTORS = "chunks.faiss"
SENTENCE_VECTORS = "sentences.faiss"
SENTENCE_SPARSE = "sentences.sparse.npz"
RECORDS = "records.sqlite"
BM25_DIR = "bm25"


@dataclass
class IndexSnapshot:
    """One published version, loaded: safe to query from many threads while a writer publishes another."""

    version: str
    path: Path
    manifest: Manifest
    records: RecordSource
    chunk_vectors: VectorSource
    sentence_vectors: VectorTable  # every store loads these into memory: the first stage scans them all
    lexical: TermSource
    sentence_sparse: SparseTable | None = None  # when the embedder offers sparse latent terms

    def close(self) -> None:
        self.records.close()


def current_version(index_dir: Path) -> str | None:
    """The live version's name, or ``None`` when no index has been published here."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexCorruptError(
            f"{index_dir / CURRENT} is unreadable ({exc}); run `sanad index --rebuild`"
        ) from exc
    if not name or "/" in name or name.startswith("."):
        raise IndexCorruptError(f"{index_dir / CURRENT} is damaged; run `sanad index --rebuild`")
    return name


def open_index(index_dir: Path, expect: EmbedderSpec | None = None) -> IndexSnapshot:
    """Load and verify the live version; ``expect`` guards against a different embedding model."""
    for attempt in range(3):
        version = current_version(index_dir)
        if version is None:
            raise IndexMissingError(f"no index at {index_dir}; build one with `sanad index seeds/`")
        path = index_dir / VERSIONS / version
        try:
            return _load_version(version, path, expect)
        except IndexCorruptError:
            # A writer may have published and cleaned up between our two reads: look again.
            if attempt == 2 or current_version(index_dir) == version:
                raise
    raise AssertionError("unreachable")


def _load_version(version: str, path: Path, expect: EmbedderSpec | None) -> IndexSnapshot:
    if not path.is_dir():
        raise IndexCorruptError(f"the live index version {path} is missing; run `sanad index --rebuild`")
    manifest = Manifest.read(path / MANIFEST_FILE)
    if expect is not None:
        manifest.check_embedder(expect)
    verify_files(path, manifest.files)
    snapshot = IndexSnapshot(
        version=version,
        path=path,
        manifest=manifest,
        records=RecordReader(path / RECORDS),
        chunk_vectors=_read_vectors(path, CHUNK_VECTORS, manifest),
        sentence_vectors=_read_vectors(path, SENTENCE_VECTORS, manifest),
        lexical=LexicalIndex.load(path / BM25_DIR),
        sentence_sparse=SparseTable.read(path / SENTENCE_SPARSE) if SENTENCE_SPARSE in manifest.files else None,
    )
    expected = sum(d.chunks for d in manifest.documents.values())
    sentences = sum(d.sentences for d in manifest.documents.values())
    sparse_ok = snapshot.sentence_sparse is None or len(snapshot.sentence_sparse) == sentences
    if len(snapshot.chunk_vectors) != expected or len(snapshot.lexical.ids) != expected or not sparse_ok:
        snapshot.close()
        raise IndexCorruptError(
            f"index at {path} is inconsistent (chunk counts differ); run `sanad index --rebuild`"
        )
    return snapshot


def _read_vectors(path: Path, name: str, manifest: Manifest) -> VectorTable:
    try:
        spec = IndexSpec.from_dict(manifest.vectors.get(name))
    except (TypeError, ValueError) as exc:
        raise IndexCorruptError(f"{path / MANIFEST_FILE} records an unknown vector index ({exc}); "
                                "run `sanad index --rebuild`") from exc
    return VectorTable.read(path / name, manifest.embedder.dim, spec)


@contextlib.contextmanager
def writer_lock(index_dir: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the single-writer lock; raise ``IndexBusyError`` if another writer keeps it."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with (index_dir / LOCK).open("a") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise IndexBusyError(
                        f"another Sanad process is writing the index at {index_dir}; try again when it finishes"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def new_staging_dir(index_dir: Path) -> Path:
    """A private folder to write the next version into (invisible to readers)."""
    staging = index_dir / VERSIONS / f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    staging.mkdir(parents=True)
    return staging


def publish(index_dir: Path, staging: Path, manifest: Manifest) -> str:
    """Seal ``staging`` with a checksummed manifest and make it the live version atomically."""
    files = {str(p.relative_to(staging)): file_digest(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    manifest = Manifest(**{**manifest.__dict__, "files": files})
    (staging / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
    for p in staging.rglob("*"):
        _fsync(p)
    _fsync(staging)
    now = time.time_ns()  # names sort chronologically, which garbage collection relies on
    version = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f".{now % 10**9:09d}"
    final = index_dir / VERSIONS / version
    os.rename(staging, final)
    _fsync(final.parent)
    pointer = index_dir / f"{CURRENT}.{uuid.uuid4().hex[:8]}.tmp"
    pointer.write_text(version + "\n", encoding="utf-8")
    _fsync(pointer)
    os.replace(pointer, index_dir / CURRENT)
    _fsync(index_dir)
    return version


def collect_garbage(index_dir: Path) -> None:
    """Remove abandoned staging folders and all versions but the live one and its predecessor."""
    versions_dir = index_dir / VERSIONS
    if not versions_dir.is_dir():
        return
    live = current_version(index_dir)
    published = sorted(p for p in versions_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    keep = {live}
    older = [p.name for p in published if live is not None and p.name < live]
    if older:
        keep.add(older[-1])  # a reader that read CURRENT just before the switch may still be opening it
    for path in versions_dir.iterdir():
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    for stale in index_dir.glob(f"{CURRENT}.*.tmp"):
        stale.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
