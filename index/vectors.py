"""FAISS vector tables keyed by stable int64 ids: exact search for small corpora, IVF-fp16 for large ones.

Does not embed or know what the ids mean; see index/store.py for how tables are persisted and
index/manifest.py for where the kind of each table is recorded.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy import sparse

from index.errors import IndexCorruptError
from index.openmp import passive_waiting

with passive_waiting():  # faiss-cpu's own OpenMP runtime starts when the module loads
    import faiss

# faiss's type stubs lack the search-parameter keywords (sel, nprobe) and the IVF attributes.
_faiss: Any = faiss

Kind = Literal["flat", "ivf-fp16"]
KINDS: tuple[Kind, ...] = ("flat", "ivf-fp16")

# Exact search up to this many vectors. Measured by `python -m eval.bench.run` on 2 cores (384 dims):
# exact search scans all vectors (1.5 KB each as float32), so its latency grows linearly, while
# IVF-fp16 stays at a few milliseconds with recall@10 >= 0.98 of exact from about this size on.
# Below it exact is both lossless and fast enough (txtai switches at 5,000, a more cautious choice).
EXACT_MAX = 50_000
TRAIN_POINTS_PER_LIST = 64  # k-means sample: enough for stable centroids, ~4x faster than faiss's 256
TRAIN_ITERATIONS = 10
MIN_PER_LIST = 39  # faiss warns below 39 training points per k-means cell
# A filter admitting at most this many rows of an inverted file is scored exactly from the stored
# vectors (4,096 x 384 dims: ~1 ms); scanning every cell for one article's chunks took 26 ms at 1M.
SUBSET_EXACT = 4096


@dataclass(frozen=True)
class IndexSpec:
    """Which FAISS index a table uses, and how an approximate one is searched.

    ``flat``: ``IndexFlatIP``, exact inner product (cosine over unit vectors), 4 bytes per dimension.
    ``ivf-fp16``: an inverted file of ``nlist`` k-means cells holding half-precision vectors (2 bytes
    per dimension, ~830 bytes per 384-dim vector with its ids); a search scans the ``nprobe`` cells
    nearest to the query. Half precision, not 8 bits: 8-bit codes capped recall@10 at 0.975 of
    exact on synthetic e5 vectors (300k, any nprobe), fp16 reached 0.999 (eval/bench/scale.py data).
    """

    kind: Kind = "flat"
    nlist: int = 0
    nprobe: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown vector index kind {self.kind!r}; choose from {KINDS}")
        if self.kind == "ivf-fp16" and not 1 <= self.nprobe <= self.nlist:
            raise ValueError(f"ivf-fp16 needs 1 <= nprobe <= nlist, got nprobe={self.nprobe}, nlist={self.nlist}")

    @classmethod
    def for_size(cls, n: int) -> IndexSpec:
        """Exact up to ``EXACT_MAX`` vectors; above, ~4·√n cells (a power of two), probing 1/32 of them.

        Cells keep at least ``MIN_PER_LIST`` vectors each, as k-means needs.
        """
        if n <= EXACT_MAX:
            return cls()
        nlist = max(1, min(2 ** round(math.log2(4 * math.sqrt(n))), n // MIN_PER_LIST))
        return cls("ivf-fp16", nlist=nlist, nprobe=min(nlist, max(8, nlist // 32)))

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> IndexSpec:
        """The spec a manifest recorded; indexes written before kinds were recorded are flat."""
        return cls(**raw) if raw else cls()

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def factory(self) -> str:
        return "IDMap2,Flat" if self.kind == "flat" else f"IDMap2,IVF{self.nlist},SQfp16"


class VectorTable:
    """A FAISS index wrapped in ``IndexIDMap2``: ids are stable, vectors can be read back by id.

    Example:
        >>> table = VectorTable.build(np.array([7, 9]), unit_vectors)  # exact below EXACT_MAX rows
        >>> scores, ids = table.search(query, k=1)
        >>> table.search(query, k=1, allowed=np.array([False, True]))  # only the row of id 9
    """

    def __init__(self, index: faiss.IndexIDMap2, spec: IndexSpec) -> None:
        self._index = index
        self.spec = spec
        self._inner = _faiss.downcast_index(index.index)
        self._ids: np.ndarray | None = None
        if spec.kind == "ivf-fp16":
            self._inner.nprobe = spec.nprobe

    @classmethod
    def empty(cls, dim: int) -> VectorTable:
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)), IndexSpec())

    @classmethod
    def build(
        cls, ids: np.ndarray, vectors: np.ndarray, spec: IndexSpec | None = None, previous: VectorTable | None = None
    ) -> VectorTable:
        """A table of ``vectors`` (unit rows) under ``ids``, of the kind ``spec`` (default: by size).

        An approximate index reuses ``previous``'s trained cells when it has the same spec, so an
        incremental update of a large index does not rerun k-means.
        """
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        ids = np.asarray(ids, dtype=np.int64)
        spec = spec or IndexSpec.for_size(len(ids))
        dim = vectors.shape[1]
        if spec.kind == "flat":
            table = cls.empty(dim)
        elif previous is not None and previous.spec == spec and previous.dim == dim:
            index = _owned(faiss.clone_index(previous._index))
            index.reset()
            table = cls(index, spec)
        else:
            table = cls(_trained_ivf(spec, vectors), spec)
        if len(ids):
            table._index.add_with_ids(vectors, ids)
        return table

    @classmethod
    def read(cls, path: Path, dim: int, spec: IndexSpec | None = None) -> VectorTable:
        """Load a table; a truncated, foreign, wrong-kind or wrong-dimension file raises ``IndexCorruptError``."""
        spec = spec or IndexSpec()
        try:
            index = _owned(faiss.read_index(str(path)))
        except RuntimeError as exc:
            raise IndexCorruptError(
                f"{path} is not a readable FAISS index ({str(exc).splitlines()[0]}); run `sanad index --rebuild`"
            ) from exc
        if not isinstance(index, faiss.IndexIDMap2) or index.d != dim:
            raise IndexCorruptError(
                f"{path} holds a {type(index).__name__} of dimension {index.d}, expected {dim}; "
                "run `sanad index --rebuild`"
            )
        inner = faiss.downcast_index(index.index)
        expected = faiss.IndexFlatIP if spec.kind == "flat" else faiss.IndexIVFScalarQuantizer
        nlist = getattr(inner, "nlist", 0)
        fp16 = isinstance(inner, faiss.IndexIVFScalarQuantizer) and inner.sq.qtype == _faiss.ScalarQuantizer.QT_fp16
        if not isinstance(inner, expected) or (spec.kind != "flat" and (nlist != spec.nlist or not fp16)):
            raise IndexCorruptError(
                f"{path} holds a {type(inner).__name__} but the manifest records {spec.kind}; "
                "run `sanad index --rebuild`"
            )
        return cls(index, spec)

    def write(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @property
    def dim(self) -> int:
        return int(self._index.d)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """The id of each row, in row order (the order ``allowed`` masks follow)."""
        if self._ids is None:
            self._ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
            self._ids.flags.writeable = False
        return self._ids

    def get(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (each must be present; rounded to half precision for ``ivf-fp16``)."""
        if not len(ids):
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64))

    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None, nprobe: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) for one query vector, best first; fewer if fewer rows qualify.

        ``allowed`` is a boolean mask over rows (see ``ids()``): FAISS skips the other rows inside
        its scan (an ``IDSelectorBitmap``). An inverted file probes enough cells to meet about
        ``4·k`` admitted rows (a filter on articles or dates is independent of where vectors lie),
        and scores a filter admitting at most ``SUBSET_EXACT`` rows exactly, from the stored vectors.
        ``nprobe`` overrides the spec's cells to probe (IVF only; the benchmark's recall curve).
        """
        probe = nprobe or self.spec.nprobe
        n_allowed = len(self) if allowed is None else int(np.count_nonzero(allowed))
        k = min(k, n_allowed)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        x = np.asarray(query, np.float32).reshape(1, -1)
        params: Any = _faiss.SearchParametersIVF(nprobe=probe) if nprobe and self.spec.kind != "flat" else None
        bits = None
        if allowed is not None:
            if len(allowed) != len(self):
                raise ValueError(f"allowed has {len(allowed)} entries for a table of {len(self)} rows")
            if self.spec.kind != "flat" and n_allowed <= SUBSET_EXACT:
                return self._search_rows(x[0], k, np.flatnonzero(allowed))
            bits = np.packbits(np.asarray(allowed, dtype=bool), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(bits), faiss.swig_ptr(bits))
            if self.spec.kind == "flat":
                params = _faiss.SearchParameters(sel=selector)
            else:
                wanted = math.ceil(self.spec.nlist * 4 * k / n_allowed)
                params = _faiss.SearchParametersIVF(sel=selector, nprobe=min(self.spec.nlist, max(probe, wanted)))
        scores, rows = self._inner.search(x, k, params=params)
        del bits  # the selector points into it until the search returns
        keep = rows[0] >= 0
        return scores[0][keep], self.ids()[rows[0][keep]]

    def _search_rows(self, query: np.ndarray, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact top-``k`` among ``rows``, scored from the stored vectors (the inner index's ids are rows)."""
        scores = self._inner.reconstruct_batch(rows.astype(np.int64)) @ query
        top = np.argsort(-scores, kind="stable")[:k]
        return scores[top].astype(np.float32), self.ids()[rows[top]]

    def memory_bytes(self) -> int:
        """Bytes of the serialised index: the vectors' codes, the ids and the cells (not the id hash map)."""
        return int(faiss.serialize_index(self._index).nbytes)


def _trained_ivf(spec: IndexSpec, vectors: np.ndarray) -> faiss.IndexIDMap2:
    """An empty ``IDMap2,IVF,SQfp16`` index whose k-means cells are trained on a sample of ``vectors``."""
    dim = vectors.shape[1]
    index = _owned(faiss.index_factory(dim, spec.factory(), faiss.METRIC_INNER_PRODUCT))
    ivf = faiss.extract_index_ivf(index)
    ivf.cp.niter = TRAIN_ITERATIONS
    ivf.cp.max_points_per_centroid = TRAIN_POINTS_PER_LIST
    sample_size = min(len(vectors), spec.nlist * TRAIN_POINTS_PER_LIST)
    sample = vectors[np.random.default_rng(0).choice(len(vectors), sample_size, replace=False)]
    index.train(sample)
    ivf.make_direct_map()  # lets ``get`` read a vector back by id
    return index


def _owned(index: Any) -> Any:
    """``index`` as its concrete class, owning the C++ object (a bare downcast would not, and the
    generic wrapper would free it when it goes out of scope)."""
    concrete: Any = faiss.downcast_index(index)
    if concrete is not index:
        index.this.disown()
        concrete.this.acquire()
    return concrete


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
