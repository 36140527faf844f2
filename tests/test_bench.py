"""The benchmark's instruments on real components: the stage clock, and a small synthetic scale corpus.

No assertion here is about time: these check that the instruments measure what they say
(every stage entered, answers unchanged, filters respected, recall against exact search).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

from eval.bench import scale
from eval.bench.stages import BACKGROUND, OTHER, StageClock
from index import vectors
from index.embed import Embedder
from index.store import open_index
from rag.pipeline import Pipeline
from rag.retrieve import Retriever
from rag.types import Answer

pytestmark = pytest.mark.slow

QUESTIONS = ["من يقود التحالف الدولي؟", "How many rockets hit Ain al-Asad?", "متى ستنسحب القوات الأمريكية؟"]


def test_stage_clock_times_every_stage_and_changes_no_answer(pipeline: Pipeline) -> None:
    plain = [pipeline.ask(q) for q in QUESTIONS]
    original = Retriever.__dict__["search"]
    clock = StageClock()
    timed: list[Answer] = []
    with clock.installed():
        for q in QUESTIONS:
            clock.measure(functools.partial(lambda q: timed.append(pipeline.ask(q)), q))
    assert timed == plain
    assert Retriever.__dict__["search"] is original  # the originals are back
    assert len(clock.totals) == len(QUESTIONS)
    for stage in ("query embedding (dense)", "BM25", "dense search (FAISS)", "sentence scoring", "formatting"):
        assert all(ms > 0 for ms in clock.samples[stage]), stage
    for i, total in enumerate(clock.totals):  # main-thread stages and "other" add up to the wall time
        inside = sum(ms[i] for stage, ms in clock.samples.items() if stage != BACKGROUND)
        assert inside == pytest.approx(total, rel=1e-6) or clock.samples[OTHER][i] == 0


def test_synthetic_corpus_is_a_real_index_searched_like_one(
    tmp_path: Path, seed_index: Path, e5: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3,000 synthetic chunks past a lowered exact threshold: IVF-fp16, published, opened, filtered."""
    snapshot = open_index(seed_index)
    texts = {d: snapshot.records.article(d).text for d in snapshot.manifest.documents}
    sentences = [texts[s.doc_id][s.start : s.end] for s in snapshot.records.sentences()]
    base = np.concatenate([snapshot.sentence_vectors.get(snapshot.sentence_vectors.ids()),
                           snapshot.chunk_vectors.get(snapshot.chunk_vectors.ids())])
    queries = [s for s in sentences if len(s.split()) > 6][:20]
    material = scale.Material(base, sentences, e5.embed_queries(queries), queries)
    monkeypatch.setattr(vectors, "EXACT_MAX", 1000)
    built = scale.build_corpus(tmp_path / "ix", material, 3000, "test")
    assert built["spec"]["kind"] == "ivf-fp16"
    result = scale.measure(tmp_path / "ix", material, built)
    assert result["chunks"] == 3000 and result["articles"] == 3000 // scale.CHUNKS_PER_ARTICLE + 1
    assert result["recall_at_10_vs_exact"] >= 0.9
    assert result["year_filter_respected"] and result["one_article_filter_respected"]
    assert 0 < result["year_filter_share"] < 0.2
    sweep = result["nprobe_sweep"]
    assert sweep and sweep[-1]["recall_at_10"] >= sweep[0]["recall_at_10"]  # probing more cells finds more
