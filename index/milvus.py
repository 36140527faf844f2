"""Milvus as an index store (the seam is index/stores.py): one client code from Milvus Lite to a cluster.

A version is three collections, ``<prefix>_chunks_<v>``, ``<prefix>_sentences_<v>`` and
``<prefix>_blobs_<v>`` (the manifest, the BM25 vocabulary and whole articles, cut into parts), and the
alias ``<prefix>_live`` names the live version's blobs collection. The alias is switched in one call
once every row of the version is in and flushed, so a reader sees the old version or the new one,
never a half-written one. A killed writer leaves collections that no alias names; the next write
drops them, as index/store.py drops abandoned staging folders.

What a version holds is decided by index/build.py, which writes it into a local staging folder
first (the same code as for the folder store); ``publish`` uploads that folder. Chunk search (dense,
BM25, filters) runs in Milvus; a snapshot holds in memory only what the answer path reads for every
question anyway: the articles, their sentences with their vectors, and the chunk ids.

BM25: a chunk's sparse vector holds Sanad's own BM25 term weights (index/lexical.py: Arabic letter
normalisation, clitics and stems), computed on the client, so both stores rank alike. Milvus's
built-in full-text search is not used: its standard analyzer splits on ``\\w+`` and lowercases, so
«وقالت» and «والولايات» stay whole words and أ/ا, ة/ه are different letters.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from index.errors import (
    IndexCorruptError,
    IndexMissingError,
    StoreUnavailableError,
)
from index.manifest import EmbedderSpec, Manifest
from index.milvus_upload import Upload
from index.milvus_views import MilvusChunks, MilvusRecords, TermStats, read_blobs, sentence_tables
from index.store import (
    IndexSnapshot,
    writer_lock,
)

log = logging.getLogger(__name__)

KINDS = ("chunks", "sentences", "blobs")


class MilvusStore:
    """Index versions in a Milvus database: ``milvus:PATH.db`` (embedded) or a server's URI."""

    def __init__(self, uri: str, token: str | None = None, prefix: str = "sanad") -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,63}", prefix):
            raise ValueError(f"a Milvus collection prefix is letters, digits and _ (got {prefix!r})")
        self.uri = uri
        self._token = token
        self.prefix = prefix
        self._client: Any = None
        self._lock = threading.Lock()
        self.local = not uri.startswith(("http://", "https://", "tcp://"))  # a Milvus Lite file
        # The writer lock, staging folders and feedback live here (beside a Milvus Lite file).
        host = urlsplit(uri).netloc.replace(":", "-")
        server_home = Path("~/.local/share/sanad").expanduser() / f"milvus-{host}-{prefix}"
        self.home = Path(uri + ".sanad") if self.local else server_home

    @classmethod
    def from_spec(cls, spec: str, token: str | None = None) -> MilvusStore:
        """``milvus:PATH.db``, ``milvus://HOST:PORT`` or an ``http(s)://``/``tcp://`` URI."""
        if spec.startswith("milvus://"):
            parts = urlsplit(spec)
            if not parts.hostname:
                raise StoreUnavailableError(f"{spec!r} names no host; use milvus://HOST:PORT")
            return cls(f"http://{parts.hostname}:{parts.port or 19530}", token)
        if spec.startswith("milvus:"):
            path = Path(spec.removeprefix("milvus:")).expanduser()
            if path.suffix != ".db":
                raise StoreUnavailableError(f"a Milvus Lite file must end in .db (got {str(path)!r})")
            return cls(str(path.resolve()), token)
        return cls(spec, token)

    def with_prefix(self, prefix: str) -> MilvusStore:
        """Another index in the same database (collection names start with ``prefix``)."""
        return MilvusStore(self.uri, self._token, prefix)

    def __str__(self) -> str:
        return f"milvus:{self.uri}" if not self.uri.startswith(("http", "tcp")) else self.uri

    # -- connection ----------------------------------------------------------------------------

    @property
    def client(self) -> Any:
        """The MilvusClient, connected on first use; a failure is one clear ``StoreUnavailableError``."""
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        try:
            from pymilvus import MilvusClient
            from pymilvus.exceptions import MilvusException
        except ImportError as exc:
            raise StoreUnavailableError("Milvus support is not installed: pip install -e '.[milvus]'") from exc

        if self.local:
            Path(self.uri).parent.mkdir(parents=True, exist_ok=True)
            # Milvus Lite's in-process server lacks the timestamp call pymilvus's query iterator tries
            # first, and logs a traceback for it; the iterator then reads at the client's time, which is
            # exact here (a published version's collections never change).
            logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
            logging.getLogger("pymilvus.client.iterator.query_iterator").setLevel(logging.ERROR)
            # A file another process holds is logged with a traceback before the error we turn into one line.
            logging.getLogger("milvus_lite.server_manager").setLevel(logging.CRITICAL)
        try:
            # The embedded server accepts no keepalive pings (it answers GOAWAY "too_many_pings" on stderr).
            options = {"grpc.keepalive_time_ms": 2**31 - 1, "grpc.keepalive_permit_without_calls": 0} if (
                self.local) else {}
            client = MilvusClient(uri=self.uri, token=self._token or "", timeout=10, grpc_options=options)
            client.list_collections()
        except MilvusException as exc:
            if self.local:
                raise StoreUnavailableError(
                    f"cannot open the Milvus Lite file {self.uri} ({exc.message}); Milvus Lite opens a file in "
                    "one process at a time: stop the other Sanad process, or use a Milvus server for several"
                ) from exc
            hint = "check SANAD_MILVUS_TOKEN" if exc.code in (2, 1800, 401) or "auth" in str(exc).lower() else (
                "is the server running and reachable?"
            )
            raise StoreUnavailableError(f"cannot reach Milvus at {self} ({exc.message}); {hint}") from exc
        return Reporting(client, str(self))

    def close(self) -> None:
        """Disconnect; an embedded file is then free for another process to open."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
                if self.local:
                    from milvus_lite.server_manager import server_manager_instance

                    server_manager_instance.release_server(self.uri)

    def _name(self, kind: str, version: str) -> str:
        return f"{self.prefix}_{kind}_{version}"

    @property
    def _alias(self) -> str:
        return f"{self.prefix}_live"

    # -- the seam ------------------------------------------------------------------------------

    def current_version(self) -> str | None:
        if self._alias not in self.client.list_aliases().get("aliases", []):
            return None
        target = str(self.client.describe_alias(self._alias)["collection_name"])
        head = f"{self.prefix}_blobs_"
        if not target.startswith(head):
            raise IndexCorruptError(f"the alias {self._alias} in {self} names {target!r}, not a Sanad version")
        return target.removeprefix(head)

    def open(self, expect: EmbedderSpec | None = None) -> IndexSnapshot:
        for attempt in range(3):
            version = self.current_version()
            if version is None:
                raise IndexMissingError(f"no index in {self}; build one with `sanad index --store {self} seeds/`")
            try:
                return self._load(version, expect)
            except (IndexCorruptError, StoreUnavailableError):
                # A writer may have published and dropped this version between our two reads.
                if attempt == 2 or self.current_version() == version:
                    raise
        raise AssertionError("unreachable")

    def writer(self, wait_seconds: float = 0.0) -> contextlib.AbstractContextManager[None]:
        # One writer per machine. Milvus itself has no lock: two machines writing one server are
        # not excluded (see README); each still publishes whole versions.
        return writer_lock(self.home, wait_seconds)

    def stage(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=".staging-", dir=self.home))

    def discard(self, staging: Path) -> None:
        shutil.rmtree(staging, ignore_errors=True)

    def publish(self, staging: Path, manifest: Manifest) -> str:
        """Upload the staged version into new collections, flush them, then switch the alias."""
        now = time.time_ns()
        version = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f"_{now % 10**9:09d}"
        live = self.current_version()
        try:
            Upload(self.client, {k: self._name(k, version) for k in KINDS}, staging, manifest, live).run()
            if self._alias in self.client.list_aliases().get("aliases", []):
                self.client.alter_alias(self._name("blobs", version), self._alias)
            else:
                self.client.create_alias(self._name("blobs", version), self._alias)
        except BaseException:
            for kind in KINDS:
                with contextlib.suppress(Exception):
                    self.client.drop_collection(self._name(kind, version))
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        return version

    def versions(self) -> dict[str, list[str]]:
        """Every version with collections in this database (complete or not), with their names."""
        found: dict[str, list[str]] = {}
        for name in self.client.list_collections():
            for kind in KINDS:
                if name.startswith(f"{self.prefix}_{kind}_"):
                    found.setdefault(name.removeprefix(f"{self.prefix}_{kind}_"), []).append(name)
        return found

    def kept(self) -> set[str]:
        """The live version and the one it replaced (a reader may have opened it just before the switch)."""
        live = self.current_version()
        if live is None:
            return set()
        blobs = self._name("blobs", live)
        self.client.load_collection(blobs)  # collections come back released when a database is reopened
        layout = self.client.query(blobs, filter='kind == "layout"', output_fields=["text"])
        previous = json.loads(layout[0]["text"]).get("previous") if layout else None
        return {live, previous} if previous else {live}

    def collect_garbage(self) -> None:
        """Drop every version's collections but the kept ones: half-written uploads and older versions."""
        for staging in self.home.glob(".staging-*"):  # a killed writer's (this runs under the writer lock)
            shutil.rmtree(staging, ignore_errors=True)
        keep = self.kept()
        for version, names in self.versions().items():
            if version not in keep:
                for name in names:
                    self.client.drop_collection(name)

    # -- reading -------------------------------------------------------------------------------

    def _load(self, version: str, expect: EmbedderSpec | None) -> IndexSnapshot:
        names = {k: self._name(k, version) for k in KINDS}
        try:
            for name in names.values():
                self.client.load_collection(name)
            blobs = read_blobs(self.client, names["blobs"])
            manifest = Manifest.parse(blobs[("manifest", "")], f"{self} version {version}")
            if expect is not None:
                manifest.check_embedder(expect)
            layout = json.loads(blobs[("layout", "")])
            records = MilvusRecords(self.client, names["chunks"], blobs)
            sentence_vectors, sentence_sparse = sentence_tables(
                self.client, names["sentences"], manifest.embedder.dim, layout["sentence_sparse"]
            )
            chunk_ids, _ = records.chunk_owners()
        except (KeyError, ValueError) as exc:
            raise IndexCorruptError(f"version {version} in {self} lacks {exc}; run `sanad index --rebuild`") from exc
        ids = np.array(chunk_ids, dtype=np.int64)
        chunks = sum(d.chunks for d in manifest.documents.values())
        sentences = sum(d.sentences for d in manifest.documents.values())
        if len(ids) != chunks or len(sentence_vectors) != sentences:
            raise IndexCorruptError(f"version {version} in {self} is incomplete ({len(ids)} of {chunks} chunks, "
                                    f"{len(sentence_vectors)} of {sentences} sentences); run `sanad index --rebuild`")
        vocab = json.loads(blobs[("vocab", "")])
        return IndexSnapshot(
            version=version,
            path=self.home,
            manifest=manifest,
            records=records,
            chunk_vectors=MilvusChunks(self.client, names["chunks"], ids, manifest.embedder.dim),
            sentence_vectors=sentence_vectors,
            lexical=TermStats(ids, vocab["terms"], np.array(vocab["df"], dtype=np.int64)),
            sentence_sparse=sentence_sparse,
        )


class Reporting:
    """A MilvusClient whose failures are one clear ``StoreUnavailableError`` (a server gone, a refused call).

    Without it a server that goes away after connecting would end a command with a pymilvus traceback.
    """

    def __init__(self, client: Any, where: str) -> None:
        from pymilvus.exceptions import MilvusException

        self._client = client
        self._where = where
        self._failure = MilvusException

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._client, name)
        if not callable(found):
            return found

        def call(*args: Any, **kwargs: Any) -> Any:
            try:
                return found(*args, **kwargs)
            except self._failure as exc:
                raise StoreUnavailableError(f"Milvus at {self._where} refused {name} ({exc.message})") from exc

        return call
