"""The uploads folder: check uploaded files, store them under safe names, index them, remove them.

A file is stored only after ``read_article`` accepted a private copy and its text is not already
indexed, so a refused upload changes nothing. Does not render anything; see ui/library_tab.py.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from index.build import BuildReport, Progress
from index.errors import IngestError, SanadError, UnknownDocumentError
from index.ingest import SUFFIXES, read_article
from rag.pipeline import Pipeline

log = logging.getLogger(__name__)

UPLOADS = "uploads"
PARTIAL_PREFIX = ".partial-"
INTERRUPTED = ".interrupted"  # hidden: uploads whose indexing a crash cut short are kept here, not indexed
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # per file: a news article is rarely over 1 MB even as a saved web page
MAX_STEM_CHARS = 80
WAIT_SECONDS = 600.0  # how long an update waits for another writer (a second upload queues, it does not fail)
_UNSAFE = re.compile(r"[^\w.\- ]")
WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                             *(f"LPT{i}" for i in range(10))})


@dataclass(frozen=True)
class Outcome:
    """What happened to one uploaded file: indexed as ``doc_id``, or refused with ``message``."""

    name: str
    ok: bool
    message: str
    doc_id: str | None = None


def safe_name(original: str) -> str:
    """A file name that can only live directly inside the uploads folder.

    Directories (``/`` and ``\\``), ``..``, NUL, control and bidi-override characters are dropped,
    other punctuation becomes ``_``; Arabic letters stay; Windows device names (``CON``, ``NUL``…)
    get a ``_``. Raises ``IngestError`` when nothing
    usable is left or the extension is not one Sanad reads.
    """
    name = unicodedata.normalize("NFC", original).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", _UNSAFE.sub("_", name)).strip(" .-_")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = f".{suffix.lower()}" if suffix else ""
    if suffix not in SUFFIXES:
        raise IngestError(original, f"unsupported file type {suffix or '(none)'!r}; upload .txt, .md or .html files")
    stem = stem.strip(" .-_").replace(" ", "_")[:MAX_STEM_CHARS].strip(" .-_")
    if not stem:
        raise IngestError(original, "the file name has no usable characters; rename it")
    head, dot, rest = stem.partition(".")
    if head.upper() in WINDOWS_DEVICES:  # the corpus may be copied to Windows, where CON.txt names a device
        stem = f"{head}_{dot}{rest}"
    return f"{stem}{suffix}"


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` resolves to somewhere strictly inside ``folder`` (symlinks followed)."""
    return folder.resolve() in path.resolve().parents


class Library:
    """Adds uploaded files to the corpus folder's ``uploads/`` and the index; removes articles.

    One lock serialises this server's library changes; the index writer lock serialises them
    with other processes. Readers keep answering from the live index meanwhile.

    Example:
        >>> lib = Library(pipeline, Path("seeds"))
        >>> [o.message for o in lib.add([Path("/tmp/report.html")])]
    """

    def __init__(
        self,
        pipeline: Pipeline,
        corpus_dir: Path,
        max_bytes: int = MAX_UPLOAD_BYTES,
        wait_seconds: float = WAIT_SECONDS,
    ) -> None:
        self.pipeline = pipeline
        self.corpus_dir = corpus_dir
        self.uploads = corpus_dir / UPLOADS
        self.max_bytes = max_bytes
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._text_hashes: dict[str, tuple[str, str]] = {}  # doc_id -> (record sha256, text sha256)

    # -- adding ------------------------------------------------------------------------------

    def add(self, files: Sequence[Path], progress: Progress | None = None) -> list[Outcome]:
        """Check, store and index ``files``; each file gets one ``Outcome`` in order."""
        with self._lock:
            self.uploads.mkdir(parents=True, exist_ok=True)
            taken = self._taken_stems()
            indexed = self._indexed_texts()
            outcomes: list[Outcome | None] = []
            stored: dict[int, Path] = {}
            try:
                for i, path in enumerate(files):
                    if progress:
                        progress("checking", i, len(files))
                    original = Path(path).name
                    try:
                        name = self._unique(safe_name(original), taken)
                        text_hash = self._check(Path(path), name, indexed)
                        target = self._store(Path(path), name)
                    except IngestError as exc:
                        outcomes.append(Outcome(original, False, exc.reason))
                        continue
                    indexed[text_hash] = target.stem
                    taken.add(target.stem)
                    stored[i] = target
                    outcomes.append(None)
            except BaseException:  # e.g. a full disk on a later file: the earlier ones are not indexed either
                for target in stored.values():
                    target.unlink(missing_ok=True)
                raise
            if stored:
                self._index(stored, outcomes, [Path(f).name for f in files], progress)
            return [o for o in outcomes if o is not None]

    def _taken_stems(self) -> set[str]:
        """doc_ids already used by the index or by any article file in the corpus folder."""
        stems = set(self.pipeline.documents_by_id()) if self.pipeline.has_index() else set()
        if self.corpus_dir.is_dir():
            stems |= {p.stem for p in self.corpus_dir.rglob("*") if p.suffix.lower() in SUFFIXES}
        return stems

    def _indexed_texts(self) -> dict[str, str]:
        """Whitespace-normalised text hash -> doc_id for every indexed article (cached per version)."""
        if not self.pipeline.has_index():
            return {}
        docs = self.pipeline.documents_by_id()
        for doc_id, info in docs.items():
            cached = self._text_hashes.get(doc_id)
            if cached is None or cached[0] != info.sha256:
                self._text_hashes[doc_id] = (info.sha256, self.pipeline.article(doc_id).text_sha256)
        return {self._text_hashes[d][1]: d for d in docs}

    @staticmethod
    def _unique(name: str, taken: set[str]) -> str:
        """``name``, or ``name-2``, ``name-3``… so no upload replaces another article's file or doc_id."""
        stem, suffix = name.rsplit(".", 1)
        candidate, n = stem, 1
        while candidate in taken:
            n += 1
            candidate = f"{stem}-{n}"
        return f"{candidate}.{suffix}"

    def _check(self, path: Path, name: str, indexed: dict[str, str]) -> str:
        """Read a private copy named ``name`` as an article; returns its text hash or raises IngestError."""
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise IngestError(name, f"cannot read the upload ({exc.strerror or exc})") from None
        if size > self.max_bytes:
            limit = f"{self.max_bytes / 2**20:g} MB"
            raise IngestError(name, f"file is {size / 2**20:.1f} MB, over the {limit} upload limit")
        with tempfile.TemporaryDirectory(prefix="sanad-upload-") as tmp:
            copy = Path(tmp) / name
            shutil.copyfile(path, copy)
            article = read_article(copy)
        owner = indexed.get(article.text_sha256)
        if owner is not None:
            raise IngestError(name, f"same text as the indexed article {owner!r}; not added again")
        return article.text_sha256

    def _store(self, path: Path, name: str) -> Path:
        """Copy into the uploads folder without ever replacing an existing file."""
        target = self.uploads / name
        if not inside(target, self.uploads) or target.resolve().parent != self.uploads.resolve():
            raise IngestError(name, "the file name points outside the uploads folder")
        partial = self.uploads / f"{PARTIAL_PREFIX}{uuid.uuid4().hex}"  # hidden: never picked up by a scan
        try:
            shutil.copyfile(path, partial)
            os.link(partial, target)  # fails if target exists: no silent overwrite
        finally:
            partial.unlink(missing_ok=True)
        return target

    def _index(
        self, stored: dict[int, Path], outcomes: list[Outcome | None], names: list[str], progress: Progress | None
    ) -> None:
        """Index the uploads folder; undo the stored files if that fails, or for files it skipped."""
        try:
            report = self.pipeline.index([self.uploads], progress=progress, wait_seconds=self.wait_seconds)
        except BaseException:
            for target in stored.values():
                target.unlink(missing_ok=True)
            raise
        skipped = {Path(e.path).resolve(): e.reason for e in report.skipped}
        for i, target in stored.items():
            reason = skipped.get(target.resolve())
            if reason is not None:
                target.unlink(missing_ok=True)
                outcomes[i] = Outcome(names[i], False, reason)
            else:
                outcomes[i] = Outcome(names[i], True, _added_message(report, target), target.stem)
        log.info("uploads indexed: %d added, %d skipped", len(report.added), len(report.skipped))

    # -- after a crash -----------------------------------------------------------------------

    def recover(self, wait_seconds: float = 10.0) -> list[Path]:
        """Make the uploads folder agree with the index after a crash; returns the files set aside.

        An upload is stored before it is indexed and removed from the index before its file is
        deleted, so a killed server can leave a file the index does not list. Such a file never got
        its ✓ (or was being removed): it is moved to ``uploads/.interrupted/`` rather than deleted,
        so nothing a user gave is lost, and a later ``sanad index`` does not pick it up. Runs under
        the index writer lock, so no concurrent indexer sees the folder half-reconciled.
        """
        if not self.uploads.is_dir():
            return []
        try:
            with self.pipeline.store.writer(wait_seconds):
                return self._set_aside_unindexed()
        except (SanadError, OSError) as exc:  # busy, or a read-only index: serve anyway, say why
            log.warning("could not check the uploads folder against the index: %s", exc)
            return []

    def _set_aside_unindexed(self) -> list[Path]:
        for partial in self.uploads.glob(f"{PARTIAL_PREFIX}*"):
            partial.unlink(missing_ok=True)
        indexed = set()
        if self.pipeline.has_index():
            indexed = {Path(d.source).resolve() for d in self.pipeline.documents()}
        moved = []
        for path in sorted(self.uploads.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.suffix.lower() not in SUFFIXES:
                continue
            if path.resolve() in indexed:
                continue
            aside = self.uploads / INTERRUPTED
            aside.mkdir(exist_ok=True)
            target = aside / f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}-{path.name}"
            path.rename(target)
            moved.append(target)
            log.warning("%s was stored but not indexed when the server stopped; kept as %s (upload it again to "
                        "add it)", path.name, target)
        return moved

    # -- removing ----------------------------------------------------------------------------

    def remove(self, doc_id: str) -> str:
        """Drop ``doc_id`` from the index, and delete its file when it is an upload; returns a message."""
        with self._lock:
            info = self.pipeline.documents_by_id().get(doc_id)
            if info is None:
                raise UnknownDocumentError(f"no article with doc_id {doc_id!r}; it may have been removed already")
            self.pipeline.remove([doc_id], wait_seconds=self.wait_seconds)
            source = Path(info.source)
            if inside(source, self.uploads):
                source.unlink(missing_ok=True)
                return f"removed {doc_id!r} and its uploaded file"
            return (
                f"removed {doc_id!r} from the index (its source file {source.name} is kept, "
                "so re-indexing its folder brings it back)"
            )


def _added_message(report: BuildReport, target: Path) -> str:
    if target.stem in report.added or target.stem in report.updated:
        return f"indexed as {target.stem!r}"
    return f"stored as {target.name!r}"
