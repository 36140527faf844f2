"""What a Milvus version looks like to the answer path: chunk search and records, read from Milvus.

The index/views.py protocols, over the collections index/milvus_upload.py writes. Chunk search and
chunk texts are queries to Milvus; the articles and sentences are held in memory, as for every store.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from scipy import sparse

from index.documents import Article, Chunk, Span
from index.errors import IndexCorruptError, StoreUnavailableError, UnknownDocumentError
from index.lexical import bm25_idf
from index.records import DocumentInfo, Sentence
from index.vectors import IndexSpec, SparseTable, VectorTable

# Milvus refuses an all-zero sparse vector; a row without terms gets this one term, which no query has.
NO_TERMS = 2**32 - 2
# Exact search up to this many rows; an HNSW graph past it (Milvus's default choice for memory indexes).
FLAT_UNTIL = 100_000


class MilvusChunks:
    """The chunks collection of one version: search and vectors by id, pushed down to Milvus."""

    def __init__(self, client: Any, collection: str, ids: np.ndarray, dim: int) -> None:
        self.client = client
        self.collection = collection
        self._ids = ids
        self._ids.flags.writeable = False
        self.dim = dim

    def __len__(self) -> int:
        return len(self._ids)

    def ids(self) -> np.ndarray:
        return self._ids

    def get(self, ids: np.ndarray) -> np.ndarray:
        """The dense vectors of ``ids``, in that order."""
        rows = self.fetch(ids, ["dense"])
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.array([rows[int(i)]["dense"] for i in ids], dtype=np.float32)

    def fetch(self, ids: Iterable[int], fields: Sequence[str]) -> dict[int, dict[str, Any]]:
        """Rows of ``ids`` by id with ``fields`` (batched ``id in [...]`` queries)."""
        wanted = [int(i) for i in ids]
        out = rows_by_id(self.client, self.collection, wanted, ["id", *fields])
        missing = [i for i in wanted if i not in out]
        if missing:
            raise IndexCorruptError(
                f"chunk {missing[0]} is missing from {self.collection}; run `sanad index --rebuild`"
            )
        return out

    def search(self, query: np.ndarray | dict[int, float], k: int, where: str = "") -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) by inner product: a dense vector, or BM25 terms for a sparse query.

        ``where`` is a Milvus filter expression (articles, dates): Milvus applies it inside the scan.
        """
        field = "bm25" if isinstance(query, dict) else "dense"
        data = query if isinstance(query, dict) else np.asarray(query, np.float32).tolist()
        if k <= 0 or (isinstance(query, dict) and not query):
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        # HNSW's ef = 4·k: on 120,000 e5-like vectors in Milvus Lite, recall of the top 100 was 0.985 at
        # ef 400 against 0.942 at ef 200, for about the same time (eval/bench/milvus_ann.py).
        params = {"metric_type": "IP", "params": {"ef": max(64, 4 * k)} if len(self) > FLAT_UNTIL else {}}
        hits = self.client.search(self.collection, data=[data], anns_field=field, limit=k, filter=where,
                                  search_params=params)[0]
        scores = np.array([h["distance"] for h in hits], dtype=np.float32)
        ids = np.array([h["id"] for h in hits], dtype=np.int64)
        keep = scores > 0 if field == "bm25" else np.ones(len(ids), dtype=bool)
        return scores[keep], ids[keep]


class TermStats:
    """BM25 statistics of a version's chunks, for the client-side query vector and its normalisation."""

    def __init__(self, ids: np.ndarray, terms: Sequence[str], df: np.ndarray) -> None:
        self.ids = ids
        self._term_ids = {t: i for i, t in enumerate(terms)}
        self._df = df

    def query_terms(self, tokens: Sequence[str]) -> dict[int, float]:
        """The sparse query of search tokens: each known term's count (bm25s sums repeated terms)."""
        out: dict[int, float] = {}
        for token in tokens:
            if token in self._term_ids:
                out[self._term_ids[token]] = out.get(self._term_ids[token], 0.0) + 1.0
        return out

    def document_frequency(self, tokens: Sequence[str]) -> np.ndarray:
        return np.array([self._df[self._term_ids[t]] if t in self._term_ids else 0 for t in tokens], dtype=np.int64)

    def idf(self, tokens: Sequence[str]) -> np.ndarray:
        return bm25_idf(len(self.ids), self.document_frequency(tokens))


class MilvusRecords:
    """Articles (from the blobs) and sentences in memory; chunk texts read from Milvus by id."""

    def __init__(self, client: Any, chunks: str, blobs: dict[tuple[str, str], str]) -> None:
        self.client = client
        self.collection = chunks
        self._docs: dict[str, dict[str, Any]] = {
            key: json.loads(text) for (kind, key), text in sorted(blobs.items()) if kind == "article"
        }
        self._owners: tuple[list[int], list[str]] | None = None
        self._sentences: dict[str, list[Sentence]] = {
            doc: [Sentence(*s) for s in record["sentences"]] for doc, record in self._docs.items()
        }

    def documents(self) -> list[DocumentInfo]:
        return [DocumentInfo(**record["info"]) for record in self._docs.values()]

    def doc_ids(self) -> list[str]:
        return list(self._docs)

    def _record(self, doc_id: str) -> dict[str, Any]:
        if doc_id not in self._docs:
            raise UnknownDocumentError(f"no article with doc_id {doc_id!r}; list them with `sanad docs`")
        return self._docs[doc_id]

    def article(self, doc_id: str) -> Article:
        raw = dict(self._record(doc_id)["article"])
        raw["header"] = tuple(Span(s, e) for s, e in raw["header"])
        return Article(**raw)

    def extras(self, doc_id: str) -> dict[str, Any]:
        return dict(self._record(doc_id)["extras"])

    def chunks(self, ids: Sequence[int] | None = None) -> list[Chunk]:
        """The chunks with ``ids`` in that order, or every chunk ordered by (doc_id, start)."""
        fields = ["id", "doc_id", "start", "end", "text", "spans"]
        if ids is None:
            rows = sorted(_iterate(self.client, self.collection, fields), key=lambda r: (r["doc_id"], r["start"]))
        else:
            found = rows_by_id(self.client, self.collection, [int(i) for i in ids], fields)
            rows = [found[i] for i in ids if i in found]
        return [
            Chunk(int(r["id"]), r["doc_id"], int(r["start"]), int(r["end"]), r["text"],
                  tuple(Span(s, e) for s, e in json.loads(r["spans"])))
            for r in rows
        ]

    def chunk_owners(self) -> tuple[list[int], list[str]]:
        """(chunk id, doc_id) of every chunk: read once (a version's collections never change)."""
        if self._owners is None:
            rows = list(_iterate(self.client, self.collection, ["id", "doc_id"]))
            self._owners = ([int(r["id"]) for r in rows], [r["doc_id"] for r in rows])
        return list(self._owners[0]), list(self._owners[1])

    def sentences(self, doc_id: str | None = None) -> list[Sentence]:
        if doc_id is not None:
            return list(self._sentences[doc_id]) if doc_id in self._sentences else []
        return [s for doc in self._docs for s in self._sentences[doc]]

    def close(self) -> None:
        """Nothing to release: the client belongs to the store."""


def rows_by_id(client: Any, collection: str, ids: Sequence[int], fields: Sequence[str]) -> dict[int, dict[str, Any]]:
    """The rows of ``ids`` that exist, by id (``id in [...]`` queries of 1,000 ids)."""
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 1000):
        for row in client.query(collection, filter=f"id in {list(ids[i : i + 1000])}", output_fields=list(fields)):
            out[int(row["id"])] = row
    return out


def _iterate(client: Any, collection: str, fields: Sequence[str], where: str = "") -> Iterator[dict[str, Any]]:
    from pymilvus.exceptions import MilvusException

    iterator = client.query_iterator(collection, batch_size=1000, filter=where, output_fields=list(fields))
    try:
        while batch := iterator.next():
            yield from batch
    except MilvusException as exc:  # the iterator's own calls bypass the client's error reporting
        raise StoreUnavailableError(f"Milvus refused reading {collection} ({exc.message})") from exc
    finally:
        iterator.close()


def read_blobs(client: Any, collection: str) -> dict[tuple[str, str], str]:
    parts: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for row in _iterate(client, collection, ["kind", "key", "part", "text"]):
        parts.setdefault((row["kind"], row["key"]), []).append((int(row["part"]), row["text"]))
    return {key: "".join(text for _, text in sorted(chunks)) for key, chunks in parts.items()}


def sentence_tables(
    client: Any, collection: str, dim: int, sparse_dim: int | None
) -> tuple[VectorTable, SparseTable | None]:
    rows = sorted(_iterate(client, collection, ["id", "doc_id", "start", "dense", "latent"]),
                  key=lambda r: (r["doc_id"], r["start"]))
    ids = np.array([int(r["id"]) for r in rows], dtype=np.int64)
    vectors = np.array([r["dense"] for r in rows], dtype=np.float32).reshape(len(rows), dim)
    table = VectorTable.build(ids, vectors, spec=IndexSpec())
    if sparse_dim is None:
        return table, None
    data: list[float] = []
    indices: list[int] = []
    indptr = [0]
    for r in rows:
        terms = {k: v for k, v in sparse_dict(r["latent"]).items() if k != NO_TERMS}
        indices.extend(terms)
        data.extend(terms.values())
        indptr.append(len(indices))
    return table, SparseTable(ids, sparse.csr_matrix((data, indices, indptr), shape=(len(rows), sparse_dim)))


def sparse_dict(raw: Any) -> dict[int, float]:
    """A sparse field as the client returns it: a dict, or scipy-like rows (pymilvus versions differ)."""
    if isinstance(raw, dict):
        return {int(k): float(v) for k, v in raw.items()}
    coo = sparse.coo_matrix(raw)
    return {int(c): float(v) for c, v in zip(coo.col, coo.data, strict=True)}
