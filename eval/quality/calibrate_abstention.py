"""Fit the abstention model (rag/abstention.json) on XQuAD: each question asked with and without its paragraph.

News collections are small and on one topic, so each question is asked against the paragraphs of
its own Wikipedia article only (a small single-topic corpus, through the article filter).
Positives: all of that article's paragraphs are searchable (the answer is there). Negatives: the
gold paragraph is filtered out, so only near-miss paragraphs on the same subject remain. A logistic
regression over the best sentence's evidence is fitted, and the threshold is the 5th percentile of
the positives' probabilities: at most 5% false abstentions on this data.

Run: python -m eval.quality.calibrate_abstention [--questions 300] [--embedder e5-small]
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from eval.quality.datasets import Dataset, Question, heldout_xquad_ids, load_xquad
from index.embed import get_embedder
from index.segment import ChunkerConfig
from rag.abstain import MODEL_FILE, fit_model
from rag.index_cache import cache_root, cached_index
from rag.pipeline import Pipeline
from rag.question import read_question
from rag.retrieve import Filters
from rag.stages.abstention import evidence
from rag.summarize import SummaryConfig

log = logging.getLogger(__name__)
FALSE_ABSTENTION = 0.05
# Raw similarities, not the per-question z-scores the ranking uses: a z-score depends on how many
# unrelated sentences the corpus holds, so a model fitted on small single-topic corpora did not
# transfer to a large one (XQuAD, gold paragraph removed from all 240: abstained on 0.8% with
# z-scores, 52% with raw cosine and sparse match, at the same 5% false abstentions).
USED = ("cosine", "sparse_dot", "names", "lexical", "context", "fits", "cross_language", "margin")


def xquad_pairs() -> tuple[Dataset, list[tuple[Question, Question]], dict[str, frozenset[str]]]:
    """The XQuAD dataset of the evaluation, (Arabic, English) pairs of its questions outside the
    evaluation's held-out ones, and the paragraphs of each paragraph's Wikipedia article (its topic)."""
    (arabic, _), (english, _) = load_xquad("ar"), load_xquad("en")
    heldout = heldout_xquad_ids()  # the evaluation's questions: never fit on them
    pairs = [(a, e) for a, e in zip(arabic.questions, english.questions, strict=True) if a.id not in heldout]
    topics: dict[str, set[str]] = {}
    for article in arabic.articles:
        topics.setdefault(article.title or article.doc_id, set()).add(article.doc_id)
    topic_of = {a.doc_id: frozenset(topics[a.title or a.doc_id]) for a in arabic.articles}
    return arabic, pairs, topic_of


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300, help="questions sampled per language")
    parser.add_argument("--embedder", default="e5-small", help="embedder to fit for (default %(default)s)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where the evaluation's XQuAD index is cached (default: as `sanad eval`)")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    data, pairs, topic_of = xquad_pairs()
    embedder = get_embedder(args.embedder)
    root = cache_root(args.cache_dir)
    cached = cached_index(root, data.corpus, data.articles, embedder, ChunkerConfig(), SummaryConfig())
    state = Pipeline(cached.path, embedder)._state()  # the calibration needs the ranked evidence
    rng = np.random.default_rng(0)
    sample = rng.choice(len(pairs), size=min(args.questions, len(pairs)), replace=False)
    rows, labels = [], []
    for i in sample:
        for asked in pairs[int(i)]:
            question = read_question(asked.question)
            (doc_id,) = asked.doc_ids
            topic = topic_of[doc_id]
            for filters, label in ((Filters(topic), 1.0), (Filters(topic - {doc_id}), 0.0)):
                ranked = state.asker.first_stage.rank(question, filters)
                found = evidence(ranked)
                rows.append([found[f] for f in USED])
                labels.append(label)
    x, y = np.array(rows), np.array(labels)
    model = fit_model(
        x, y == 1, USED, args.embedder,
        f"XQuAD ar+en, {len(sample)} questions each (none of the evaluation's held-out ones), "
        "against their own topic's paragraphs with/without the gold paragraph "
        f"({int(y.sum())} positives, {int((1 - y).sum())} negatives); threshold = {FALSE_ABSTENTION:.0%} "
        "false abstentions on the positives",
        FALSE_ABSTENTION,
    )
    threshold = model.threshold
    probs = np.array([model.probability(dict(zip(USED, r, strict=True))) for r in rows])
    recall = float((probs[y == 0] < threshold).mean())
    log.info("threshold %.3f: abstains on %.1f%% of negatives, %.1f%% of positives", threshold, 100 * recall,
             100 * float((probs[y == 1] < threshold).mean()))
    model.save(args.out)
    log.info("wrote the %s model into %s", args.embedder, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
