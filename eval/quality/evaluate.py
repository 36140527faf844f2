"""Evaluates datasets end to end: one cached index per corpus, every system on every question, summaries.

Returns plain data (figures, curves, per-question rows, what was built); writing the report is
eval/quality/run.py. Datasets that share a corpus (xquad-ar, xquad-en) share one index and one baseline.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from eval.quality import metrics
from eval.quality.baselines import SPLITTER, LangChainDefault
from eval.quality.datasets import Dataset
from eval.quality.scoring import ByQuestion, Figures, curves, groups, score_group
from eval.quality.summaries import evaluate_summaries
from eval.quality.systems import ANSWER_SYSTEM, DEPTH, LITERAL, Outcome, Systems
from index.embed import BATCH_SIZE, Embedder
from index.milvus import MilvusStore
from index.segment import ChunkerConfig
from index.stores import FolderStore, copy_live_version
from rag import matching
from rag.index_cache import cached_index
from rag.pipeline import Pipeline
from rag.progress import TqdmProgress
from rag.reading.base import Reader
from rag.reading.registry import get_reader
from rag.summarize import SummaryConfig


@dataclass
class Evaluation:
    """Everything measured in one run, as JSON-ready values."""

    figures: dict[str, dict[str, Figures]] = field(default_factory=dict)  # group -> system -> metric
    curves: dict[str, dict[str, list[float]]] = field(default_factory=dict)  # group -> system -> R@1..10
    summaries_per_doc: dict[str, dict[str, dict[str, Figures]]] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per question (questions.jsonl)
    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)  # corpus -> what was built or reused
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)  # dataset -> sizes and timing
    settings: dict[str, Any] = field(default_factory=dict)  # the configs the systems ran with


def evaluate(datasets: Sequence[Dataset], embedder: Embedder, cache: Path, readers: Mapping[str, str],
             store: MilvusStore | None = None) -> Evaluation:
    """``readers``: answer system -> reader name (``sanad`` first; e.g. ``{"sanad": "sanad", "scorer": "none"}``).

    With ``store``, Sanad's systems answer from a copy of each cached index in that Milvus database.
    """
    result = Evaluation()
    corpora: dict[str, list[Dataset]] = {}
    for ds in datasets:
        corpora.setdefault(ds.corpus, []).append(ds)
    built = {system: get_reader(name) for system, name in readers.items()}  # loaded once, shared by corpora
    for corpus, sets in corpora.items():
        _evaluate_corpus(corpus, sets, embedder, cache, built, result, store)
    return result


def _evaluate_corpus(corpus: str, sets: Sequence[Dataset], embedder: Embedder, cache: Path,
                     readers: Mapping[str, Reader | None], result: Evaluation, store: MilvusStore | None) -> None:
    articles = sets[0].articles
    chunker, summary = ChunkerConfig(), SummaryConfig()
    started = time.perf_counter()
    with TqdmProgress() as progress:
        cached = cached_index(cache, corpus, articles, embedder, chunker, summary, progress)
        lc_started = time.perf_counter()
        langchain = LangChainDefault.build(articles, embedder, cache, corpus, progress)
        lc_seconds = time.perf_counter() - lc_started
    location = cached.path if store is None else in_milvus(cached.path, store, corpus)
    askers = {system: Pipeline(location, embedder, chunker=chunker, summary=summary, reader=reader)
              for system, reader in readers.items()}
    if any(q.variety for ds in sets for q in ds.questions):  # with and without the rewrite into MSA
        askers[LITERAL] = Pipeline(location, embedder, chunker=chunker, summary=summary,
                                   reader=readers[ANSWER_SYSTEM], varieties=False)
    pipeline = askers[ANSWER_SYSTEM]
    systems = Systems(askers, pipeline.retriever, langchain)
    docs = pipeline.documents()
    result.indexes[corpus] = {
        "path": str(cached.path),
        "store": str(location),
        "reused": cached.reused,
        "build_seconds": round(cached.seconds, 2),
        "articles": len(docs),
        "chunks": sum(d.chunks for d in docs),
        "sentences": sum(e.sentences for e in pipeline.retriever.snapshot.manifest.documents.values()),
        "langchain_chunks": len(langchain.chunks),
        "langchain_seconds": round(lc_seconds, 2),
        "prepare_seconds": round(time.perf_counter() - started, 2),
    }
    result.settings = {
        "chunker": chunker.as_dict(),
        "retrieval": asdict(pipeline.retrieval),
        "answering": asdict(pipeline.answering),
        "readers": {system: (r.name if r is not None else "none") for system, r in readers.items()},
        "summary": asdict(summary),
        "langchain_splitter": SPLITTER,
        "depth": DEPTH,
    }
    for ds in sets:
        _evaluate_dataset(ds, systems, pipeline, result)


def in_milvus(cached: Path, store: MilvusStore, corpus: str) -> MilvusStore:
    """The cached version of ``corpus``, copied into ``store`` unless that copy is already live there."""
    target = store.with_prefix("eval_" + re.sub(r"[^0-9A-Za-z]", "_", corpus))
    source = FolderStore(cached)
    if target.current_version() is None or target.open().manifest.built_at != source.open().manifest.built_at:
        copy_live_version(source, target)
    return target


def _evaluate_dataset(ds: Dataset, systems: Systems, pipeline: Pipeline, result: Evaluation) -> None:
    started = time.perf_counter()
    vectors = _embed_questions(ds, pipeline.embedder)
    embed_seconds = time.perf_counter() - started
    outcomes: dict[str, dict[str, Outcome]] = {}
    for q in tqdm(ds.questions, desc=ds.name, unit="q", file=sys.stderr, dynamic_ncols=True, mininterval=0.5):
        outcomes[q.id] = {o.system: o for o in systems.run(q, vectors.get(q.id))}
    for name, questions in groups(ds).items():
        result.figures[name] = score_group(questions, outcomes)
        result.curves[name] = curves(questions, outcomes)
    if ds.keyfacts or ds.references:
        means, per_doc = evaluate_summaries(pipeline, ds)
        result.figures[f"{ds.name}/summaries"] = means
        result.summaries_per_doc[ds.name] = per_doc
    result.rows.extend(_rows(ds, outcomes))
    result.datasets[ds.name] = {
        "corpus": ds.corpus,
        "articles": len(ds.articles),
        "questions": len(ds.questions),
        "answerable": sum(q.answerable for q in ds.questions),
        "unanswerable": sum(not q.answerable for q in ds.questions),
        "answered": sum(q.ask and q.answerable for q in ds.questions),  # answerable questions `ask` answered
        "nogold_variant": sum(q.source_id is not None for q in ds.questions),
        "languages": ds.languages,
        "query_embedding_ms": round(1000 * embed_seconds / max(len(vectors), 1), 1),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _embed_questions(ds: Dataset, embedder: Embedder) -> dict[str, np.ndarray]:
    """Query vectors of the questions the retrieval systems run on, embedded in batches."""
    todo = [q for q in ds.questions if q.answerable and q.allowed is None]
    out: dict[str, np.ndarray] = {}
    bar = tqdm(total=len(todo), desc=f"{ds.name}: embedding questions", unit="q", file=sys.stderr,
               dynamic_ncols=True, leave=False)
    with bar:
        for i in range(0, len(todo), BATCH_SIZE):
            batch = todo[i : i + BATCH_SIZE]
            out.update(zip([q.id for q in batch], embedder.embed_queries([q.question for q in batch]), strict=True))
            bar.update(len(batch))
    return out


def _rows(ds: Dataset, outcomes: ByQuestion) -> list[dict[str, Any]]:
    """Compact per-question results, for finding which questions a change won or lost."""
    rows = []
    for q in ds.questions:
        done = outcomes[q.id]
        rows.append({
            "id": q.id,
            "dataset": ds.name,
            "language": q.language,
            "answerable": q.answerable,
            "rank": {s: metrics.first_rank(o.docs, q.doc_ids) for s, o in done.items() if q.answerable},
            "answer_in_first": {
                s: matching.contains_answer(o.excerpts[0], q.answers) if o.excerpts else False
                for s, o in done.items() if q.answerable
            },
            "abstained": {s: o.abstained for s, o in done.items() if o.abstained is not None},
            "confidence": {s: round(o.confidence, 4) for s, o in done.items() if o.confidence is not None},
            "ms": {s: round(o.seconds * 1000, 1) for s, o in done.items()},
        })
    return rows
