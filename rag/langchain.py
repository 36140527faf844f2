"""Sanad's hybrid retrieval as a LangChain ``BaseRetriever``, for use in LangChain chains.

Each returned ``Document`` is a chunk's exact text with its article and character span in
``metadata``. Does not answer or abstain; see rag/ask.py.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieve import Filters


class SanadRetriever(BaseRetriever):
    """LangChain view of ``Pipeline.search``.

    Example:
        >>> retriever = SanadRetriever(pipeline=Pipeline(index_dir), k=4)
        >>> retriever.invoke("من يقود التحالف الدولي؟")[0].metadata["doc_id"]
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    pipeline: Any  # rag.pipeline.Pipeline (typed loosely: pydantic cannot validate it)
    k: int = 4
    doc_ids: frozenset[str] | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.pipeline.search(query, k=self.k, filters=Filters(self.doc_ids))
        documents = self.pipeline.documents_by_id()
        return [
            Document(
                page_content=hit.chunk.text,
                metadata={
                    "doc_id": hit.chunk.doc_id,
                    "title": documents[hit.chunk.doc_id].title,
                    "date": documents[hit.chunk.doc_id].date,
                    "start": hit.chunk.start,
                    "end": hit.chunk.end,
                    "score": hit.score,
                },
            )
            for hit in hits
        ]
