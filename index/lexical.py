"""BM25 over Arabic-normalised, stemmed tokens (bm25s), keyed by the same chunk ids as FAISS.

Does not fuse with dense scores; see rag/retrieve.py. The tokenizer is index/normalize.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
from scipy import sparse

from index.errors import IndexCorruptError
from index.normalize import search_tokens

log = logging.getLogger(__name__)
# bm25s sets its own logger to DEBUG on import, which would print build chatter through any root handler.
logging.getLogger("bm25s").setLevel(logging.WARNING)

IDS_FILE = "ids.npy"


class LexicalIndex:
    """A bm25s index whose rows map to stable chunk ids.

    Example:
        >>> lex = LexicalIndex.build([7, 9], ["انسحاب القوات الأميركية", "the coalition mission"])
        >>> lex.scores("القوات").round(2).tolist()  # one score per row, in ``ids`` order
        [0.25, 0.0]
    """

    def __init__(self, bm25: bm25s.BM25, ids: np.ndarray) -> None:
        self._bm25 = bm25
        self.ids = ids

    @classmethod
    def build(cls, ids: Sequence[int], texts: Sequence[str]) -> LexicalIndex:
        bm25 = bm25s.BM25()
        if texts:
            bm25.index([search_tokens(t) for t in texts], show_progress=False)
        return cls(bm25, np.asarray(ids, dtype=np.int64))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / IDS_FILE, self.ids, allow_pickle=False)
        if len(self.ids):
            self._bm25.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Load a saved index; damaged files raise ``IndexCorruptError``."""
        try:
            ids = np.load(directory / IDS_FILE, allow_pickle=False)
            bm25 = bm25s.BM25.load(str(directory), mmap=False) if len(ids) else bm25s.BM25()
        except (OSError, ValueError, KeyError, json.JSONDecodeError) as exc:
            raise IndexCorruptError(f"the BM25 index in {directory} is unreadable ({exc})") from exc
        return cls(bm25, ids)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row (aligned with ``self.ids``); zeros when no query term is known.

        Sums the query terms' precomputed posting weights from bm25s's sparse matrix with one
        ``np.bincount``: bm25s without numba uses ``np.add.at``, several times slower on the long
        posting lists of a million chunks (BM25 p50 25 ms there, measured by eval/bench/run.py).
        """
        token_ids = self._bm25.get_tokens_ids(search_tokens(query)) if len(self.ids) else []
        if not token_ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        matrix = self._bm25.scores
        indptr = matrix["indptr"]
        rows = [matrix["indices"][indptr[t] : indptr[t + 1]] for t in token_ids]
        weights = [matrix["data"][indptr[t] : indptr[t + 1]] for t in token_ids]
        summed = np.bincount(np.concatenate(rows), weights=np.concatenate(weights), minlength=len(self.ids))
        return summed.astype(np.float32)

    def term_weights(self) -> tuple[list[str], sparse.csr_matrix]:
        """The vocabulary (term ids in order) and each row's BM25 weight per term (rows x terms).

        A query's BM25 is the sum of its terms' weights: the sparse vectors another store searches.
        """
        if not len(self.ids):
            return [], sparse.csr_matrix((0, 0), dtype=np.float32)
        m = self._bm25.scores
        terms = [""] * (len(m["indptr"]) - 1)  # bm25s's vocabulary may hold an unused empty token past the matrix
        for term, i in self._bm25.vocab_dict.items():
            if i < len(terms):
                terms[i] = term
        by_term = sparse.csc_matrix((m["data"], m["indices"], m["indptr"]), shape=(len(self.ids), len(terms)))
        return terms, by_term.tocsr()

    def idf(self, tokens: Sequence[str]) -> np.ndarray:
        """Lucene BM25 idf of each token; a token absent from the corpus gets the largest possible idf."""
        return bm25_idf(len(self.ids), self.document_frequency(tokens))

    def document_frequency(self, tokens: Sequence[str]) -> np.ndarray:
        """How many chunks hold each token (a search term: see ``search_tokens``); 0 for unknown ones."""
        n = len(self.ids)
        vocab = self._bm25.vocab_dict if n else {}
        indptr = self._bm25.scores["indptr"] if n else np.zeros(1)
        return np.array([indptr[vocab[t] + 1] - indptr[vocab[t]] if t in vocab else 0 for t in tokens], dtype=np.int64)


def bm25_idf(n: int, df: np.ndarray) -> np.ndarray:
    """Lucene BM25 idf of terms held by ``df`` of ``n`` chunks (the largest possible for ``df`` 0)."""
    df = df.astype(np.float64)
    return np.log1p((n - df + 0.5) / (df + 0.5))
