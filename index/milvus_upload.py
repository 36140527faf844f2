"""Upload one staged version folder (index/store.py's layout) into a new set of Milvus collections.

Rows: chunks (ids, article id, exact offsets, text, outlet, author, date as sortable integers, the
dense vector and Sanad's BM25 weights as a sparse vector), sentences (offsets, dense vector, latent
terms) and blobs (manifest, BM25 vocabulary, whole articles with their stored extras, in parts).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from index.dates import day_number
from index.documents import stable_id
from index.errors import IndexCorruptError
from index.lexical import LexicalIndex
from index.manifest import Manifest
from index.milvus_views import FLAT_UNTIL, NO_TERMS
from index.records import RecordReader
from index.store import BM25_DIR, CHUNK_VECTORS, RECORDS, SENTENCE_SPARSE, SENTENCE_VECTORS
from index.vectors import IndexSpec, SparseTable, VectorTable

PART_CHARS = 16_000  # a VARCHAR holds 65,535 bytes: 16,000 characters of any script fit
TEXT_BYTES = 65_535
BATCH = 512
HNSW = {"M": 16, "efConstruction": 200}


class Upload:
    """One staged version folder into three new collections (created, filled, indexed, flushed)."""

    def __init__(
        self, client: Any, names: dict[str, str], staging: Path, manifest: Manifest, previous: str | None
    ) -> None:
        self.previous = previous  # the version this one replaces: kept while readers may still use it
        self.client = client
        self.names = names
        self.staging = staging
        self.manifest = manifest
        self.dim = manifest.embedder.dim

    def run(self) -> None:
        records = RecordReader(self.staging / RECORDS)
        try:
            lexical = LexicalIndex.load(self.staging / BM25_DIR)
            chunk_vectors = VectorTable.read(self.staging / CHUNK_VECTORS, self.dim,
                                             IndexSpec.from_dict(self.manifest.vectors.get(CHUNK_VECTORS)))
            sentence_vectors = VectorTable.read(self.staging / SENTENCE_VECTORS, self.dim,
                                                IndexSpec.from_dict(self.manifest.vectors.get(SENTENCE_VECTORS)))
            has_sparse = (self.staging / SENTENCE_SPARSE).is_file()
            latent = SparseTable.read(self.staging / SENTENCE_SPARSE) if has_sparse else None
            sparse_dim = latent.matrix.shape[1] if latent is not None else None
            terms, weights = lexical.term_weights()
            self._create(len(chunk_vectors))
            self._chunks(records, chunk_vectors, lexical.ids, weights)
            self._sentences(records, sentence_vectors, latent)
            self._blobs(records, terms, weights, sparse_dim)
            for name in self.names.values():
                self.client.flush(name)
        finally:
            records.close()

    def _create(self, chunks: int) -> None:
        from pymilvus import DataType, MilvusClient

        dense_index = ("FLAT", {}) if chunks <= FLAT_UNTIL else ("HNSW", HNSW)
        shapes: dict[str, list[tuple[str, Any, dict[str, Any]]]] = {
            "chunks": [("doc_id", DataType.VARCHAR, {"max_length": 1024}), ("start", DataType.INT64, {}),
                       ("end", DataType.INT64, {}), ("text", DataType.VARCHAR, {"max_length": TEXT_BYTES}),
                       ("spans", DataType.VARCHAR, {"max_length": TEXT_BYTES}),
                       ("outlet", DataType.VARCHAR, {"max_length": 1024}),
                       ("author", DataType.VARCHAR, {"max_length": 1024}),
                       ("day_lo", DataType.INT64, {}), ("day_hi", DataType.INT64, {}),
                       ("dense", DataType.FLOAT_VECTOR, {"dim": self.dim}), ("bm25", DataType.SPARSE_FLOAT_VECTOR, {})],
            "sentences": [("doc_id", DataType.VARCHAR, {"max_length": 1024}), ("start", DataType.INT64, {}),
                          ("end", DataType.INT64, {}), ("dense", DataType.FLOAT_VECTOR, {"dim": self.dim}),
                          ("latent", DataType.SPARSE_FLOAT_VECTOR, {})],
            # Milvus wants a vector field in every collection; blobs are read by key, never searched.
            "blobs": [("kind", DataType.VARCHAR, {"max_length": 64}), ("key", DataType.VARCHAR, {"max_length": 1024}),
                      ("part", DataType.INT64, {}), ("text", DataType.VARCHAR, {"max_length": TEXT_BYTES}),
                      ("unused", DataType.FLOAT_VECTOR, {"dim": 2})],
        }
        for kind, fields in shapes.items():
            schema = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            schema.add_field("id", DataType.INT64, is_primary=True)
            for name, dtype, options in fields:
                schema.add_field(name, dtype, **options)
            index = self.client.prepare_index_params()
            for name, dtype, _ in fields:
                if dtype == DataType.FLOAT_VECTOR:
                    index_type, params = dense_index if kind == "chunks" else ("FLAT", {})
                    index.add_index(name, index_type=index_type, metric_type="IP", params=params)
                elif dtype == DataType.SPARSE_FLOAT_VECTOR:
                    index.add_index(name, index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
            self.client.create_collection(self.names[kind], schema=schema, index_params=index)

    def _insert(self, kind: str, rows: Iterator[dict[str, Any]]) -> None:
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                self.client.insert(self.names[kind], batch)
                batch = []
        if batch:
            self.client.insert(self.names[kind], batch)

    def _chunks(self, records: RecordReader, vectors: VectorTable, lexical_ids: np.ndarray,
                weights: sparse.csr_matrix) -> None:
        docs = {d.doc_id: d for d in records.documents()}
        row_of = {int(i): r for r, i in enumerate(lexical_ids)}

        def rows() -> Iterator[dict[str, Any]]:
            chunks = records.chunks()
            for start in range(0, len(chunks), BATCH):
                part = chunks[start : start + BATCH]
                dense = vectors.get(np.array([c.id for c in part], dtype=np.int64))
                for chunk, vector in zip(part, dense, strict=True):
                    info = docs[chunk.doc_id]
                    yield {
                        "id": chunk.id, "doc_id": chunk.doc_id, "start": chunk.start, "end": chunk.end,
                        "text": _fits(chunk.text, f"chunk {chunk.id} of {chunk.doc_id}"),
                        "spans": json.dumps([[s.start, s.end] for s in chunk.sentences]),
                        "outlet": info.outlet or "", "author": info.author or "",
                        "day_lo": day_number(info.date, "0"), "day_hi": day_number(info.date, "9"),
                        "dense": vector.tolist(), "bm25": _sparse_row(weights, row_of[chunk.id]),
                    }

        self._insert("chunks", rows())

    def _sentences(self, records: RecordReader, vectors: VectorTable, latent: SparseTable | None) -> None:
        def rows() -> Iterator[dict[str, Any]]:
            sentences = records.sentences()
            for start in range(0, len(sentences), BATCH):
                part = sentences[start : start + BATCH]
                ids = np.array([s.id for s in part], dtype=np.int64)
                dense = vectors.get(ids)
                terms = latent.get(ids) if latent is not None else None
                for j, (s, vector) in enumerate(zip(part, dense, strict=True)):
                    yield {"id": s.id, "doc_id": s.doc_id, "start": s.start, "end": s.end, "dense": vector.tolist(),
                           "latent": _sparse_row(terms, j) if terms is not None else {NO_TERMS: 1.0}}

        self._insert("sentences", rows())

    def _blobs(
        self, records: RecordReader, terms: list[str], weights: sparse.csr_matrix, sparse_dim: int | None
    ) -> None:
        manifest = Manifest(**{**self.manifest.__dict__, "files": {}})
        df = np.diff(weights.tocsc().indptr).tolist()
        texts: list[tuple[str, str, str]] = [
            ("manifest", "", manifest.to_json()),
            ("vocab", "", json.dumps({"terms": terms, "df": df}, ensure_ascii=False)),
            ("layout", "", json.dumps({"sentence_sparse": sparse_dim, "previous": self.previous})),
        ]
        for info in records.documents():
            article = records.article(info.doc_id)
            record = {
                "info": asdict(info),
                "article": {**asdict(article), "header": [[s.start, s.end] for s in article.header]},
                "extras": records.extras(info.doc_id),
                "sentences": [[s.id, s.doc_id, s.start, s.end] for s in records.sentences(info.doc_id)],
            }
            texts.append(("article", info.doc_id, json.dumps(record, ensure_ascii=False)))

        def rows() -> Iterator[dict[str, Any]]:
            for kind, key, text in texts:
                for part, at in enumerate(range(0, max(len(text), 1), PART_CHARS)):
                    yield {"id": stable_id("blob", kind, key, part), "kind": kind, "key": key, "part": part,
                           "text": text[at : at + PART_CHARS], "unused": [1.0, 0.0]}

        self._insert("blobs", rows())


def _fits(text: str, what: str) -> str:
    if len(text.encode("utf-8")) > TEXT_BYTES:
        raise IndexCorruptError(f"{what} is longer than Milvus's {TEXT_BYTES}-byte text field; "
                                "use smaller chunks (--chunk-words)")
    return text


def _sparse_row(matrix: sparse.csr_matrix, row: int) -> dict[int, float]:
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    found = {int(t): float(w) for t, w in zip(matrix.indices[start:end], matrix.data[start:end], strict=True) if w}
    return found or {NO_TERMS: 1.0}
