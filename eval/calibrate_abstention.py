"""Fit the abstention model (rag/abstention.json) on XQuAD: each question asked with and without its paragraph.

News collections are small and on one topic, so each question is asked against the paragraphs of
its own Wikipedia article only (a small single-topic corpus, through the article filter).
Positives: all of that article's paragraphs are searchable (the answer is there). Negatives: the
gold paragraph is filtered out, so only near-miss paragraphs on the same subject remain. A logistic
regression over the best sentence's evidence is fitted, and the threshold is the 5th percentile of
the positives' probabilities: at most 5% false abstentions on this data.

Run: python -m eval.calibrate_abstention [--questions 300] [--embedder e5-small]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from eval.cache import slug
from eval.datasets import heldout_xquad_ids
from index.documents import Article
from index.embed import get_embedder
from index.segment import ChunkerConfig
from index.settings import from_env
from index.store import current_version
from rag.abstain import MODEL_FILE, AbstentionModel
from rag.answer import evidence
from rag.pipeline import Pipeline
from rag.question import read_question
from rag.retrieve import Filters

log = logging.getLogger(__name__)
DATA = Path(__file__).resolve().parent / "data" / "xquad"
FALSE_ABSTENTION = 0.05
# Raw similarities, not the per-question z-scores the ranking uses: a z-score depends on how many
# unrelated sentences the corpus holds, so a model fitted on small single-topic corpora did not
# transfer to a large one (XQuAD, gold paragraph removed from all 240: abstained on 0.8% with
# z-scores, 52% with raw cosine and sparse match, at the same 5% false abstentions).
USED = ("cosine", "sparse_dot", "names", "lexical", "context", "fits", "cross_language", "margin")


def xquad(data: Path = DATA) -> tuple[list[Article], list[tuple[str, str, str, str]], list[set[str]]]:
    """Paragraphs as articles (doc_id xquad-NNN), (question id, doc_id, arabic, english question), paragraphs
    per topic."""
    ar = json.loads((data / "xquad.ar.json").read_text(encoding="utf-8"))["data"]
    en = json.loads((data / "xquad.en.json").read_text(encoding="utf-8"))["data"]
    articles: list[Article] = []
    questions: list[tuple[str, str, str, str]] = []
    topics: list[set[str]] = []
    for a_ar, a_en in zip(ar, en, strict=True):
        topics.append(set())
        for p_ar, p_en in zip(a_ar["paragraphs"], a_en["paragraphs"], strict=True):
            doc_id = f"xquad-{len(articles):03d}"
            topics[-1].add(doc_id)
            articles.append(Article(doc_id=doc_id, text=p_ar["context"].strip(), source=f"xquad:{doc_id}"))
            questions += [
                (q["id"], doc_id, q["question"], e["question"]) for q, e in zip(p_ar["qas"], p_en["qas"], strict=True)
            ]
    return articles, questions, topics


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 4000) -> tuple[np.ndarray, float]:
    """Plain gradient descent on the log loss (no scikit-learn dependency for ~1,000 rows)."""
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 0.5 * (x.T @ (p - y) / len(y) + l2 * w)
        b -= 0.5 * float((p - y).mean())
    return w, b


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300, help="questions sampled per language")
    parser.add_argument("--embedder", default="e5-small", help="embedder to fit for (default %(default)s)")
    parser.add_argument("--index-dir", type=Path, default=None, help="XQuAD index (default: in the eval cache)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    articles, questions, topics = xquad()
    heldout = heldout_xquad_ids()  # the evaluation's questions: never fit on them
    questions = [q for q in questions if q[0] not in heldout]
    topic_of = {doc_id: frozenset(t) for t in topics for doc_id in t}
    index_dir = args.index_dir or from_env().eval_cache_dir.parent / f"calibration-xquad-{slug(args.embedder)}"
    pipeline = Pipeline(index_dir, get_embedder(args.embedder), chunker=ChunkerConfig())
    if current_version(index_dir) is None:
        from index.build import update_index
        from rag.summarize import SummaryEnricher

        update_index(index_dir, articles, pipeline.embedder, pipeline.chunker, enrichers=[SummaryEnricher()])
    state = pipeline._state()  # the calibration needs the ranked evidence, below the public API
    rng = np.random.default_rng(0)
    sample = rng.choice(len(questions), size=min(args.questions, len(questions)), replace=False)
    rows, labels = [], []
    for i in sample:
        _, doc_id, arabic, english = questions[int(i)]
        for text in (arabic, english):
            question = read_question(text)
            topic = topic_of[doc_id]
            for filters, label in ((Filters(topic), 1.0), (Filters(topic - {doc_id}), 0.0)):
                ranked = state.answerer.rank_sentences(question, filters)
                found = evidence(ranked)
                rows.append([found[f] for f in USED])
                labels.append(label)
    x, y = np.array(rows), np.array(labels)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    w, b = fit_logistic((x - mean) / scale, y)
    model = AbstentionModel(args.embedder, USED, tuple(mean), tuple(scale), tuple(w), b, 0.0)
    probs = np.array([model.probability(dict(zip(USED, r, strict=True))) for r in rows])
    threshold = float(np.quantile(probs[y == 1], FALSE_ABSTENTION))
    model = AbstentionModel(
        args.embedder,
        USED, tuple(mean.round(6)), tuple(scale.round(6)), tuple(w.round(6)), round(b, 6), round(threshold, 6),
        fitted_on=f"XQuAD ar+en, {len(sample)} questions each (none of the evaluation's held-out ones), "
        "against their own topic's paragraphs with/without the gold paragraph "
        f"({int(y.sum())} positives, {int((1 - y).sum())} negatives); threshold = {FALSE_ABSTENTION:.0%} "
        "false abstentions on the positives",
    )
    recall = float((probs[y == 0] < threshold).mean())
    log.info("threshold %.3f: abstains on %.1f%% of negatives, %.1f%% of positives", threshold, 100 * recall,
             100 * float((probs[y == 1] < threshold).mean()))
    model.save(args.out)
    log.info("wrote the %s model into %s", args.embedder, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
