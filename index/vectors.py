"""FAISS vector tables keyed by stable int64 ids: exact inner-product search over unit vectors.

Does not embed or know what the ids mean; see index/store.py for how tables are persisted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy import sparse

from index.errors import IndexCorruptError
from index.openmp import passive_waiting

with passive_waiting():  # faiss-cpu's own OpenMP runtime starts when the module loads
    import faiss

# Exact search is fast and lossless at news-collection scale (txtai also keeps exact search up to
# thousands of vectors); an approximate index only pays off far beyond the corpora Sanad targets.


class VectorTable:
    """An ``IndexIDMap2(IndexFlatIP)``: ids survive removals of other ids and can be reconstructed."""

    def __init__(self, index: faiss.IndexIDMap2) -> None:
        self._index = index

    @classmethod
    def empty(cls, dim: int) -> VectorTable:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def read(cls, path: Path, dim: int) -> VectorTable:
        """Load a table; a truncated, foreign or wrong-dimension file raises ``IndexCorruptError``."""
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexCorruptError(
                f"{path} is not a readable FAISS index ({str(exc).splitlines()[0]})"
            ) from exc
        if not isinstance(index, faiss.IndexIDMap2) or index.d != dim:
            raise IndexCorruptError(
                f"{path} holds a {type(index).__name__} of dimension {index.d}, expected {dim}"
            )
        return cls(index)

    def write(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, np.int64)
            )

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            # faiss's stubs know only the IDSelector overload; its Python wrapper also takes an id array.
            self._index.remove_ids(np.asarray(ids, dtype=np.int64))  # type: ignore[arg-type]

    def get(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (each must be present)."""
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) for one query vector, best first; fewer if the table is smaller."""
        k = min(k, len(self))
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        scores, ids = self._index.search(np.asarray(query, np.float32).reshape(1, -1), k)
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]


class SparseTable:
    """Sparse rows keyed by stable ids, persisted as plain arrays in one ``.npz`` (no pickle)."""

    def __init__(self, ids: np.ndarray, matrix: sparse.csr_matrix) -> None:
        self.ids = np.asarray(ids, dtype=np.int64)
        self.matrix = sparse.csr_matrix(matrix, dtype=np.float32)
        self._pos = {int(i): p for p, i in enumerate(self.ids)}

    @classmethod
    def empty(cls, dim: int) -> SparseTable:
        return cls(np.zeros(0, np.int64), sparse.csr_matrix((0, dim), dtype=np.float32))

    @classmethod
    def read(cls, path: Path) -> SparseTable:
        try:
            with np.load(path, allow_pickle=False) as z:
                matrix = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
                return cls(z["ids"], matrix)
        except (OSError, ValueError, KeyError) as exc:
            raise IndexCorruptError(f"{path} is not a readable sparse table ({exc})") from exc

    def write(self, path: Path) -> None:
        m = self.matrix
        with path.open("wb") as f:
            np.savez(f, ids=self.ids, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.array(m.shape))

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, ids: np.ndarray) -> sparse.csr_matrix:
        """Rows of ``ids`` in that order (each must be present)."""
        return self.matrix[[self._pos[int(i)] for i in ids]]

    def add(self, ids: np.ndarray, rows: sparse.csr_matrix) -> SparseTable:
        return SparseTable(np.concatenate([self.ids, ids]), sparse.vstack([self.matrix, rows], format="csr"))
