"""The LangChain-default baseline (offsets, FAISS top-k vs brute force, vector cache) and the lead summary."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from eval.quality import datasets
from eval.quality.baselines import LangChainDefault, lead_summary
from index.documents import Article, Span
from index.embed import Embedder, LangChainEmbeddings, l2_normalise


class HashEmbedder(LangChainEmbeddings):
    """Deterministic SHA-256-seeded vectors; LangChain's Embeddings interface comes from the project adapter."""

    name = "hash"
    model_id = "hash-16"
    dim = 16

    def __init__(self) -> None:
        self.calls = 0

    def _vec(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
        return np.random.default_rng(seed).standard_normal(self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        return l2_normalise(np.array([self._vec(t) for t in texts]).reshape(len(texts), self.dim))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.embed_passages(texts)


def test_hash_embedder_honours_the_protocol() -> None:
    assert isinstance(HashEmbedder(), Embedder)


@pytest.mark.parametrize("name", ["seeds", "xquad-ar"])
def test_splitter_offsets_point_into_the_article(name: datasets.DatasetName) -> None:
    ds = datasets.load(name, limit=1)
    texts = {a.doc_id: a.text for a in ds.articles}
    chunks = LangChainDefault.split(ds.articles)
    assert len(chunks) >= len(ds.articles)
    for c in chunks:
        assert 0 < len(c.text) <= 1000
        assert texts[c.doc_id][c.start : c.start + len(c.text)] == c.text


def _articles() -> list[Article]:
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
    return [Article(doc_id=f"d{i}", text=" ".join(words[i:] + words[:i]) * 30, source=f"d{i}") for i in range(6)]


def test_search_matches_brute_force() -> None:
    embedder = HashEmbedder()
    lc = LangChainDefault.build(_articles(), embedder)
    vectors = embedder.embed_passages([c.text for c in lc.chunks])
    query = embedder.embed_queries(["gamma delta"])[0]
    expected = np.argsort(((vectors - query) ** 2).sum(axis=1), kind="stable")[:5]
    assert [lc.chunks.index(c) for c in lc.search(query, 5)] == expected.tolist()
    assert len(lc.search(query, 1000)) == len(lc.chunks)


def test_vector_cache_is_reused_and_checked(tmp_path: Path) -> None:
    embedder = HashEmbedder()
    articles = _articles()
    LangChainDefault.build(articles, embedder, cache=tmp_path, corpus="t")
    first = embedder.calls
    assert first > 0
    [folder] = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert {p.name for p in folder.iterdir()} == {"chunks.jsonl", "vectors.npy"}
    LangChainDefault.build(articles, embedder, cache=tmp_path, corpus="t")
    assert embedder.calls == first  # reused, nothing embedded
    (folder / "vectors.npy").write_bytes(b"garbage")
    LangChainDefault.build(articles, embedder, cache=tmp_path, corpus="t")
    assert embedder.calls > first  # damaged cache: re-embedded and rewritten
    assert np.load(folder / "vectors.npy", allow_pickle=False).shape[1] == embedder.dim


def test_lead_summary_skips_header_and_short_lines() -> None:
    text = (
        "العنوان\nبغداد\nالجملة الأولى في المتن طويلة بما يكفي. الجملة الثانية أيضا طويلة بما يكفي. "
        "الثالثة هنا كذلك طويلة جدا."
    )
    article = Article(doc_id="a", text=text, source="a", header=(Span(0, 7),))
    lead = [text[s.start : s.end] for s in lead_summary(article, 2)]
    assert lead == ["الجملة الأولى في المتن طويلة بما يكفي.", "الجملة الثانية أيضا طويلة بما يكفي."]
    assert len(lead_summary(article, 10)) == 3
    # Under a word budget: in order, each sentence that still fits (the second does not, the third does).
    budgeted = [text[s.start : s.end] for s in lead_summary(article, 3, words=12)]
    assert budgeted == ["الجملة الأولى في المتن طويلة بما يكفي.", "الثالثة هنا كذلك طويلة جدا."]
    assert [text[s.start : s.end] for s in lead_summary(article, 3, words=2)] == [lead[0]]  # none fits: the first
