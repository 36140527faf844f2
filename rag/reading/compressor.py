"""The reader as a LangChain ``BaseDocumentCompressor``, to rerank documents in any LangChain
pipeline (e.g. inside a ``ContextualCompressionRetriever``).

Each kept document gets ``metadata["relevance_score"]`` (the reader's probability) and, when the
reader found one, ``metadata["answer_span"]`` (``[start, end)`` in ``page_content``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from pydantic import ConfigDict

from rag.reading.base import Passage


class ReaderCompressor(BaseDocumentCompressor):
    """Keep the ``top_n`` documents the reader finds most likely to answer the query.

    Example:
        >>> from rag.reading.shipped import SanadReader
        >>> compressor = ReaderCompressor(reader=SanadReader(), top_n=3)
        >>> compressor.compress_documents(docs, "كم عدد الجنود الأميركيين في العراق؟")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reader: Any  # rag.reading.base.Reader (typed loosely: pydantic cannot validate a Protocol)
    top_n: int = 3
    context_key: str | None = "title"  # metadata read with each document, like a headline

    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        passages = [Passage(d.page_content, str(d.metadata.get(self.context_key) or "") if self.context_key else "")
                    for d in documents]
        readings = self.reader.read(query, passages)
        ranked = sorted(zip(documents, readings, strict=True), key=lambda dr: -dr[1].probability)
        out = []
        for doc, reading in ranked[: self.top_n]:
            metadata = {**doc.metadata, "relevance_score": reading.probability}
            if reading.span is not None:
                metadata["answer_span"] = list(reading.span)
            out.append(Document(page_content=doc.page_content, metadata=metadata))
        return out
