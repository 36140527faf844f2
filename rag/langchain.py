"""Sanad's hybrid retrieval as a LangChain ``BaseRetriever``, for use in LangChain chains.

Each returned ``Document`` is a chunk's exact text with its article and character span in
``metadata``. Does not answer or abstain; see rag/ask.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict, Field, model_validator

from index.errors import IndexMissingError, UnknownDocumentError
from index.settings import DEFAULT_EMBEDDER
from index.store import current_version
from rag.pipeline import Pipeline
from rag.retrieve import Filters

MAX_K = 100


class SanadRetriever(BaseRetriever):
    """LangChain view of ``Pipeline.search``; ``k`` and the filters may also be given per call.

    Example:
        >>> retriever = SanadRetriever(index_dir=Path("~/.local/share/sanad/index").expanduser(), k=4)
        >>> retriever.invoke("من يقود التحالف الدولي؟", k=1)[0].metadata["doc_id"]
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index_dir: Path | None = None
    embedder: str = DEFAULT_EMBEDDER
    pipeline: Any = None  # rag.pipeline.Pipeline, for callers that hold one (pydantic cannot validate it)
    k: int = Field(default=4, ge=1, le=MAX_K)
    doc_ids: frozenset[str] | None = None
    date_from: str | None = None  # ISO date, inclusive
    date_to: str | None = None

    @model_validator(mode="after")
    def _open(self) -> SanadRetriever:
        """Open the index at ``index_dir`` unless a pipeline was given (a missing index fails here, not at
        the first question)."""
        if self.pipeline is not None:
            return self
        if self.index_dir is None:
            raise ValueError("give index_dir (the folder `sanad index` wrote) or pipeline")
        if current_version(self.index_dir) is None:
            raise IndexMissingError(f"no index at {self.index_dir}; build one with `sanad index FOLDER`")
        self.pipeline = Pipeline(self.index_dir, self.embedder, reader=None)  # retrieval only: no reader
        return self

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        doc_ids: frozenset[str] | list[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> list[Document]:
        """Per-call ``k`` and filters replace the constructor's."""
        k = self.k if k is None else k
        if not 1 <= k <= MAX_K:
            raise ValueError(f"k must be between 1 and {MAX_K}, not {k}")
        chosen = self.doc_ids if doc_ids is None else frozenset(doc_ids)
        filters = Filters(chosen, date_from or self.date_from, date_to or self.date_to)
        documents = self.pipeline.documents_by_id()
        unknown = sorted((chosen or frozenset()) - documents.keys())
        if unknown:
            raise UnknownDocumentError(f"no article with doc_id {unknown[0]!r}; list them with `sanad docs`")
        hits = self.pipeline.search(query, k=k, filters=filters)
        return [
            Document(
                page_content=hit.chunk.text,
                metadata={
                    "doc_id": hit.chunk.doc_id,
                    "title": documents[hit.chunk.doc_id].title,
                    "outlet": documents[hit.chunk.doc_id].outlet,
                    "date": documents[hit.chunk.doc_id].date,
                    "start": hit.chunk.start,
                    "end": hit.chunk.end,
                    "score": hit.score,
                },
            )
            for hit in hits
        ]
