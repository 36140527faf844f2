"""What the answer path reads from a loaded index version, whichever store holds it (index/stores.py).

The folder store's classes (RecordReader, VectorTable, LexicalIndex) and Milvus's (index/milvus_views.py)
both satisfy these; searching is the store's own (rag/retrieve.py, rag/milvus_retrieve.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from index.documents import Article, Chunk
from index.records import DocumentInfo, Sentence


class RecordSource(Protocol):
    """Articles, their chunks and sentences, by id."""

    def documents(self) -> list[DocumentInfo]: ...

    def doc_ids(self) -> list[str]: ...

    def article(self, doc_id: str) -> Article: ...

    def extras(self, doc_id: str) -> dict[str, Any]: ...

    def chunks(self, ids: Sequence[int] | None = None) -> list[Chunk]: ...

    def chunk_owners(self) -> tuple[list[int], list[str]]: ...

    def sentences(self, doc_id: str | None = None) -> list[Sentence]: ...

    def close(self) -> None: ...


class VectorSource(Protocol):
    """Unit vectors by id."""

    @property
    def dim(self) -> int: ...

    def __len__(self) -> int: ...

    def ids(self) -> np.ndarray: ...

    def get(self, ids: np.ndarray) -> np.ndarray: ...


class TermSource(Protocol):
    """BM25 statistics of the chunks (``ids`` in row order)."""

    ids: np.ndarray

    def idf(self, tokens: Sequence[str]) -> np.ndarray: ...

    def document_frequency(self, tokens: Sequence[str]) -> np.ndarray: ...
