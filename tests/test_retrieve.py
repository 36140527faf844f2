"""Retrieval on a real index: fusion never worse than its parts where one side is blind, diversity, filters."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embed import Embedder
from index.store import open_index
from rag.retrieve import Filters, RetrievalConfig, Retriever

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def retriever(seed_index: Path, e5: Embedder) -> Retriever:
    return Retriever(open_index(seed_index), e5)


def test_lexically_blind_query_falls_back_to_dense(retriever: Retriever) -> None:
    """English against Arabic articles: BM25 matches nothing, so hybrid must rank exactly like dense."""
    query = "Which paramilitary force was credited with defeating the terrorist group?"
    assert not retriever.lexical_scores(query).any()
    plain = RetrievalConfig(diversity=0)
    dense = Retriever(retriever.snapshot, retriever.embedder, RetrievalConfig(mode="dense", diversity=0))
    hybrid = Retriever(retriever.snapshot, retriever.embedder, plain)
    assert [h.chunk.id for h in hybrid.search(query, 5)] == [h.chunk.id for h in dense.search(query, 5)]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25", "rrf"])
def test_every_mode_returns_distinct_chunks(retriever: Retriever, mode: str) -> None:
    hits = retriever.search("انسحاب القوات الأمريكية من العراق", k=5, mode=mode)  # type: ignore[arg-type]
    assert 1 <= len(hits) <= 5
    assert len({h.chunk.id for h in hits}) == len(hits)


def test_exact_match_lexical_evidence_lifts_the_right_chunk(retriever: Retriever) -> None:
    hits = retriever.search("ثابت العباسي", k=3)
    assert "ثابت العباسي" in hits[0].chunk.text and hits[0].lexical > 0


def test_per_article_cap(retriever: Retriever) -> None:
    capped = Retriever(retriever.snapshot, retriever.embedder, RetrievalConfig(max_per_doc=1))
    hits = capped.search("المفاوضات بين بغداد وواشنطن", k=5)
    assert len({h.chunk.doc_id for h in hits}) == len(hits) == 5


def test_filters(retriever: Retriever) -> None:
    doc = "001_9ab64c683f1565c2"
    assert {h.chunk.doc_id for h in retriever.search("الانسحاب", 5, Filters(frozenset({doc})))} == {doc}
    dated = retriever.search("الانسحاب", 5, Filters(date_from="2024-01-01"))
    assert dated and {h.chunk.doc_id for h in dated} == {"002_167104a5c28d01cf"}
    assert retriever.search("الانسحاب", 5, Filters(date_from="2030-01-01")) == []


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="mode"):
        RetrievalConfig(mode="magic")  # type: ignore[arg-type]
