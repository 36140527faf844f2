"""Fit the reader's calibration on held-out data: Platt scaling, the abstention threshold and the
answer-phrase confidence, from ``ask``'s own candidate pools.

Questions: XQuAD's validation topics (Arabic and English questions) and ARCD's held-out fold,
each asked against the whole corpus with and without its gold paragraph (as ``sanad eval`` asks
them), and the XQuAD ones also against their own topic's paragraphs only (a small single-topic
collection, like a newsroom's), with and without the gold one. None of them trained the reader;
the seeds are never used. The threshold keeps false abstentions at ``FALSE_ABSTENTION`` here.

Run: python -m eval.calibrate_reader [--reader sanad|st:NAME]
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval import datasets
from eval.cache import cache_root, eval_index
from eval.calibrate_abstention import fit_logistic
from eval.metrics import contains_answer, token_f1
from index.embed import Embedder, get_embedder
from index.errors import SanadError
from index.segment import ChunkerConfig
from rag.answer import Answerer
from rag.pipeline import Pipeline
from rag.question import read_question
from rag.reader import Reader, get_reader
from rag.reading import calibrations
from rag.reading.calibrations import Calibration
from rag.reading.cross_encoder import CrossEncoderReader
from rag.reading.shipped import SanadReader
from rag.retrieve import Filters
from rag.summarize import SummaryConfig

log = logging.getLogger(__name__)
FALSE_ABSTENTION = 0.05
PHRASE_PRECISION = 0.8  # share of given phrases that must match the gold answer (token F1 >= 0.5)


@dataclass(frozen=True)
class Run:
    """One question asked once: the reader's raw logit per pool sentence and what is true of them."""

    answerable: bool
    logits: np.ndarray
    labels: np.ndarray  # 1 where the sentence holds a gold answer
    phrase_f1: np.ndarray  # token F1 of each sentence's best span against the gold answers
    span_probability: np.ndarray


def runs(pipeline: Pipeline, reader: Reader, dataset: datasets.Dataset, topics: bool) -> Iterator[Run]:
    answerer = pipeline.answerer
    by_topic: dict[str, set[str]] = {}
    for a in dataset.articles:
        by_topic.setdefault(a.title or a.doc_id, set()).add(a.doc_id)
    topic_of = {a.doc_id: frozenset(by_topic[a.title or a.doc_id]) for a in dataset.articles}
    everything = frozenset(a.doc_id for a in dataset.articles)
    for q in dataset.questions:
        if not (q.ask and q.answerable):
            continue
        (gold,) = q.doc_ids
        scopes = [everything, topic_of[gold]] if topics else [everything]
        for scope in scopes:
            for allowed, answerable in ((scope, True), (scope - {gold}, False)):
                yield _run(answerer, reader, q, Filters(None if allowed == everything else allowed), answerable)


def _run(answerer: Answerer, reader: Reader, q: datasets.Question, filters: Filters, answerable: bool) -> Run:
    question = read_question(q.question)
    pool = answerer.rank_sentences(question, filters)[: answerer.config.reader_pool]
    passages = [answerer.passage(s.ref) for s in pool]
    texts = [p.sentence for p in passages]
    if isinstance(reader, SanadReader):
        logits, spans = reader.scores(question.search, passages)
        f1 = np.array([token_f1(t[s:e], q.answers) if answerable else 0.0 for t, (s, e, _) in zip(texts, spans,
                                                                                                 strict=True)])
        span_p = np.array([p for _, _, p in spans])
    elif isinstance(reader, CrossEncoderReader):
        logits, f1, span_p = reader.raw_logits(question.search, passages), np.zeros(len(pool)), np.zeros(len(pool))
    else:
        raise SanadError(f"cannot calibrate reader {reader.name!r}: it exposes no raw scores")
    labels = np.array([float(answerable and contains_answer(t, q.answers)) for t in texts])
    return Run(answerable, np.asarray(logits, dtype=float), labels, f1, span_p)


def fit(all_runs: Sequence[Run]) -> dict[str, float]:
    """Platt slope/intercept, the abstention threshold and the phrase threshold, with what they give."""
    x = np.concatenate([r.logits for r in all_runs])[:, None]
    y = np.concatenate([r.labels for r in all_runs])
    w, b = fit_logistic(x, y, l2=0.0)
    slope, intercept = float(w[0]), float(b)

    def prob(v: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-(slope * v + intercept)))

    best = np.array([prob(r.logits).max() if len(r.logits) else 0.0 for r in all_runs])
    answerable = np.array([r.answerable for r in all_runs])
    threshold = float(np.quantile(best[answerable], FALSE_ABSTENTION))
    tops = [(r.span_probability[int(np.argmax(r.logits))], r.phrase_f1[int(np.argmax(r.logits))])
            for r in all_runs if r.answerable and len(r.logits) and r.labels[int(np.argmax(r.logits))]]
    span_threshold = 1.01  # never, unless some confidence level is precise enough
    for t in sorted({round(float(p), 3) for p, _ in tops}):
        given = [f for p, f in tops if p >= t]
        if len(given) >= 20 and np.mean([f >= 0.5 for f in given]) >= PHRASE_PRECISION:
            span_threshold = t
            break
    given = [f for p, f in tops if p >= span_threshold]
    return {
        "slope": round(slope, 6), "intercept": round(intercept, 6), "threshold": round(threshold, 6),
        "span_threshold": round(span_threshold, 6),
        "abstain_recall": float((best[~answerable] < threshold).mean()),
        "false_abstention": float((best[answerable] < threshold).mean()),
        "phrase_given": len(given) / max(len(tops), 1),
        "phrase_precision": float(np.mean([f >= 0.5 for f in given])) if given else 0.0,
        "runs": float(len(all_runs)),
    }


def collect(reader: Reader, embedder: Embedder, cache: Path | None = None) -> list[Run]:
    out: list[Run] = []
    plan: tuple[tuple[tuple[datasets.DatasetName, ...], bool], ...] = ((("xquad-ar", "xquad-en"), True),
                                                                       (("arcd",), False))
    for names, topics in plan:
        for name in names:
            data = datasets.load(name)
            cached = eval_index(cache_root(cache), data.corpus, data.articles, embedder, ChunkerConfig(),
                                SummaryConfig())
            pipeline = Pipeline(cached.path, embedder, reader=None)
            found = list(runs(pipeline, reader, data, topics))
            log.info("%s: %d runs", name, len(found))
            out += found
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", default="sanad", help="sanad (default) or st:<CrossEncoder name or path>")
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    reader = get_reader(args.reader)
    if reader is None:
        parser.error("--reader none has nothing to calibrate")
    fitted = fit(collect(reader, get_embedder("e5-small"), args.cache_dir))
    log.info("fitted: %s", fitted)
    if isinstance(reader, SanadReader):
        write_calibration(reader.folder, fitted)
    else:
        calibrations.save(reader.name, Calibration(fitted["slope"], fitted["intercept"], fitted["threshold"]))
    return 0


def write_calibration(folder: Path, fitted: dict[str, float]) -> None:
    """Store the fitted values in the reader's ``reader.json``."""
    path = folder / "reader.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["calibration"] = {"slope": fitted["slope"], "intercept": fitted["intercept"]}
    meta["abstention"] = {"threshold": fitted["threshold"], "false_abstention_target": FALSE_ABSTENTION}
    meta["span"] = {"threshold": fitted["span_threshold"], "precision_target": PHRASE_PRECISION}
    meta["validation"] = {k: fitted[k] for k in ("abstain_recall", "false_abstention", "phrase_given",
                                                 "phrase_precision", "runs")}
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
