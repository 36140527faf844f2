"""Fit the reader's calibration on held-out data: Platt scaling, the abstention threshold, the
weight of the first-stage ranking beside the reader and the answer-phrase confidence, from
``ask``'s own candidate pools.

Questions: XQuAD's validation topics (Arabic and English questions) and ARCD's held-out fold,
each asked against the whole corpus with and without its gold paragraph (as ``sanad eval`` asks
them), and the XQuAD ones also against their own topic's paragraphs only (a small single-topic
collection, like a newsroom's), with and without the gold one. None of them trained the reader;
the seeds are never used. The threshold keeps false abstentions at ``FALSE_ABSTENTION`` here.

Run: python -m rag.reading.training.calibrate [--reader sanad|st:NAME]
"""

from __future__ import annotations

import argparse
import json
import logging
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from index.embed import Embedder, get_embedder
from index.errors import SanadError
from index.segment import ChunkerConfig
from rag.abstain import READER_EVIDENCE, AbstentionModel, fit_logistic, fit_model, reader_evidence
from rag.ask import Asker
from rag.index_cache import cache_root, cached_index
from rag.matching import contains_answer, token_f1
from rag.pipeline import Pipeline
from rag.question import read_question
from rag.reading import calibrations
from rag.reading.base import Reader
from rag.reading.calibrations import Calibration
from rag.reading.cross_encoder import CrossEncoderReader
from rag.reading.registry import get_reader
from rag.reading.shipped import SanadReader
from rag.reading.training import squad
from rag.reading.training.card import write_card
from rag.retrieve import Filters
from rag.scores import fused
from rag.summarize import SummaryConfig

log = logging.getLogger(__name__)
FALSE_ABSTENTION = 0.05
WEIGHT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0)
PHRASE_PRECISION = 0.8  # share of given phrases that must match the gold answer (token F1 >= 0.5)


@dataclass(frozen=True)
class Run:
    """One question asked once: the reader's raw logit per pool sentence and what is true of them."""

    question: str  # its id: runs of one question stay on one side of a split
    answerable: bool
    logits: np.ndarray
    labels: np.ndarray  # 1 where the sentence holds a gold answer
    phrase_f1: np.ndarray  # token F1 of each sentence's best span against the gold answers
    span_probability: np.ndarray
    first_stage: np.ndarray  # the first-stage scores of the pool, in its order


def runs(pipeline: Pipeline, reader: Reader, corpus: squad.Corpus, topics: bool) -> Iterator[Run]:
    """The runs of ``corpus``'s held-out questions, as the module docstring lists them."""
    asker = pipeline.asker
    by_topic: dict[str, set[str]] = {}
    for a in corpus.articles:
        by_topic.setdefault(a.title or a.doc_id, set()).add(a.doc_id)
    topic_of = {a.doc_id: frozenset(by_topic[a.title or a.doc_id]) for a in corpus.articles}
    everything = frozenset(a.doc_id for a in corpus.articles)
    for q in corpus.questions:
        if q.id not in corpus.held_out:
            continue
        gold = q.doc_id
        scopes = [everything, topic_of[gold]] if topics else [everything]
        for scope in scopes:
            for allowed, answerable in ((scope, True), (scope - {gold}, False)):
                yield _run(asker, reader, q, Filters(None if allowed == everything else allowed), answerable)


def _run(asker: Asker, reader: Reader, q: squad.Gold, filters: Filters, answerable: bool) -> Run:
    question = read_question(q.question)
    pool = asker.pool.take(asker.first_stage.rank(question, filters))
    passages = pool.passages
    texts = [p.sentence for p in passages]
    if isinstance(reader, SanadReader):
        logits, spans = reader.scores(question.search, passages)
        f1 = np.array([token_f1(t[s:e], q.answers) if answerable else 0.0 for t, (s, e, _) in zip(texts, spans,
                                                                                                 strict=True)])
        span_p = np.array([p for _, _, p in spans])
    elif isinstance(reader, CrossEncoderReader):
        logits = reader.raw_logits(question.search, passages)
        f1, span_p = np.zeros(len(passages)), np.zeros(len(passages))
    else:
        raise SanadError(f"cannot calibrate reader {reader.name!r}: it exposes no raw scores")
    labels = np.array([float(answerable and contains_answer(t, q.answers)) for t in texts])
    first_stage = np.array([c.score for c in pool.candidates])
    return Run(q.id, answerable, np.asarray(logits, dtype=float), labels, f1, span_p, first_stage)


@dataclass(frozen=True)
class Fitted:
    """What calibration fits, and what it gives on the runs it was fitted on."""

    slope: float
    intercept: float
    first_stage_weight: float
    span_threshold: float
    abstention: AbstentionModel
    figures: dict[str, float]
    pool: int  # sentences read per question: the evidence abstention reads depends on it


def fit(all_runs: Sequence[Run], embedder: str) -> Fitted:
    """Platt slope/intercept, the first-stage weight, the abstention model and the phrase threshold."""
    x = np.concatenate([r.logits for r in all_runs])[:, None]
    y = np.concatenate([r.labels for r in all_runs])
    w, b = fit_logistic(x, y, l2=0.0)
    slope, intercept = float(w[0]), float(b)

    def prob(v: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(slope * v + intercept)))

    read = [r for r in all_runs if len(r.logits)]
    weight, p_at_1 = fit_first_stage_weight([r for r in read if r.answerable], prob)
    abstention, abstain_figures = fit_abstention(read, prob, embedder)
    firsts = [int(np.argmax(fused(prob(r.logits), r.first_stage, weight))) for r in read]
    tops = [(r.span_probability[i], r.phrase_f1[i]) for r, i in zip(read, firsts, strict=True)
            if r.answerable and r.labels[i]]
    span_threshold = 1.01  # never, unless some confidence level is precise enough
    for t in sorted({round(float(p), 3) for p, _ in tops}):
        given = [f for p, f in tops if p >= t]
        if len(given) >= 20 and np.mean([f >= 0.5 for f in given]) >= PHRASE_PRECISION:
            span_threshold = t
            break
    given = [f for p, f in tops if p >= span_threshold]
    figures = {
        "first_reader_only": p_at_1[0.0], "first_fused": p_at_1[weight], **abstain_figures,
        "phrase_given": len(given) / max(len(tops), 1),
        "phrase_precision": float(np.mean([f >= 0.5 for f in given])) if given else 0.0,
        "runs": float(len(all_runs)),
    }
    pool = max(len(r.logits) for r in all_runs)  # shorter pools only where a scope has fewer sentences
    return Fitted(round(slope, 6), round(intercept, 6), weight, round(span_threshold, 6), abstention, figures, pool)


def fit_abstention(read: Sequence[Run], prob: Callable[[np.ndarray], np.ndarray], embedder: str
                   ) -> tuple[AbstentionModel, dict[str, float]]:
    """The logistic model over ``reader_evidence``, its threshold at ``FALSE_ABSTENTION`` false
    abstentions; figures out of fold (two halves by question) beside the best probability alone."""
    x = np.array([[reader_evidence(prob(r.logits), r.first_stage)[f] for f in READER_EVIDENCE] for r in read])
    y = np.array([r.answerable for r in read])
    half = np.array([zlib.crc32(r.question.encode()) % 2 for r in read])

    def model(rows: np.ndarray) -> AbstentionModel:
        return fit_model(x[rows], y[rows], READER_EVIDENCE, embedder,
                         "reader evidence on held-out XQuAD/ARCD ask runs (rag/reading/training/calibrate.py)",
                         FALSE_ABSTENTION)

    abstained = np.zeros(len(read), dtype=bool)
    for h in (0, 1):
        m = model(half != h)
        abstained[half == h] = [m.abstain(dict(zip(READER_EVIDENCE, row, strict=True))) for row in x[half == h]]
    best = x[:, 0]
    best_only = best < np.quantile(best[y], FALSE_ABSTENTION)
    return model(np.ones(len(read), dtype=bool)), {
        "abstain_recall": float(abstained[~y].mean()), "false_abstention": float(abstained[y].mean()),
        "abstain_recall_best_only": float(best_only[~y].mean()),
    }


def fit_first_stage_weight(answerable: Sequence[Run], prob: Callable[[np.ndarray], np.ndarray]
                            ) -> tuple[float, dict[float, float]]:
    """The weight of the first-stage score beside the reader that puts a sentence holding the answer
    first most often, on a grid (ties to the smaller weight), with each weight's first-excerpt rate."""
    rates = {w: float(np.mean([r.labels[int(np.argmax(fused(prob(r.logits), r.first_stage, w)))] for r in answerable]))
             for w in WEIGHT_GRID}
    return max(WEIGHT_GRID, key=lambda w: (rates[w], -w)), rates


def collect(reader: Reader, embedder: Embedder, cache: Path | None = None) -> list[Run]:
    out: list[Run] = []
    plan = (("xquad-ar", squad.xquad("ar"), True), ("xquad-en", squad.xquad("en"), True), ("arcd", squad.arcd(), False))
    for name, corpus, topics in plan:
        cached = cached_index(cache_root(cache), corpus.name, corpus.articles, embedder, ChunkerConfig(),
                              SummaryConfig())
        pipeline = Pipeline(cached.path, embedder, reader=None)
        found = list(runs(pipeline, reader, corpus, topics))
        log.info("%s: %d runs", name, len(found))
        out += found
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", default="sanad", help="sanad (default) or st:<CrossEncoder name or path>")
    parser.add_argument("--embedder", default="e5-small", help="the first-stage embedder (default %(default)s)")
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    reader = get_reader(args.reader)
    if reader is None:
        parser.error("--reader none has nothing to calibrate")
    fitted = fit(collect(reader, get_embedder(args.embedder), args.cache_dir), args.embedder)
    log.info("fitted: %s", fitted)
    if isinstance(reader, SanadReader):
        write_calibration(reader.folder, fitted)
        write_card(reader.folder)
    else:
        calibrations.save(reader.name, Calibration(fitted.slope, fitted.intercept, fitted.first_stage_weight,
                                                   fitted.abstention, fitted.pool))
    return 0


def write_calibration(folder: Path, fitted: Fitted) -> None:
    """Store the fitted values in the reader's ``reader.json``."""
    path = folder / "reader.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["calibration"] = {"slope": fitted.slope, "intercept": fitted.intercept, "pool": fitted.pool}
    meta["fusion"] = {"first_stage_weight": fitted.first_stage_weight}
    meta["abstention"] = {**asdict(fitted.abstention), "false_abstention_target": FALSE_ABSTENTION}
    meta["span"] = {"threshold": fitted.span_threshold, "precision_target": PHRASE_PRECISION}
    meta["validation"] = fitted.figures
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
