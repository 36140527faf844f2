"""Fit the summary model (rag/summary_model.json) on EASC's development half, with cross-validation.

The sentence score is a ridge regression of how many of the five human summaries picked each
candidate sentence on ``rag.summary_model.FEATURES``; the default length is a power law of the
number of candidates, fitted on the lengths people chose. Folds are whole articles, dealt round
robin within each topic, so every fold has every topic. Never fitted on the seeds.

    python -m eval.quality.fit_summary [--folds 5] [--cache-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.quality import easc
from index.documents import Span
from index.embed import Embedder, get_embedder
from index.errors import SanadError
from index.segment import ChunkerConfig
from rag.index_cache import cache_root, cached_index
from rag.pipeline import Pipeline
from rag.summarize import SummaryConfig
from rag.summary_model import FEATURES, MODEL_FILE, LengthModel, SentenceModel, SummaryModel, features
from rag.summary_units import summary_units, unit_vectors

log = logging.getLogger(__name__)

FOLDS = 5
RIDGE = 10.0  # weight penalty; 0.1-10 give the same CV figures on easc-dev
REDUNDANCY = SentenceModel().redundancy  # not fitted: 0 and 0.2 give the same CV figures


@dataclass(frozen=True)
class Example:
    """One article's candidates: features, the share of summaries that picked each, lengths chosen."""

    doc_id: str
    x: np.ndarray
    y: np.ndarray
    lengths: tuple[int, ...]  # candidates each human summary picked

    @property
    def topic(self) -> str:
        return self.doc_id.rsplit("-", 1)[0].casefold()


def examples(pipeline: Pipeline, data: easc.Easc) -> list[Example]:
    """Training rows from the index of ``data`` (its stored sentence vectors)."""
    corpus = pipeline.corpus
    out = []
    for article in data.articles:
        refs = corpus.by_doc[article.doc_id]
        units = summary_units(article, [Span(r.start, r.end) for r in refs])
        vectors = unit_vectors(units, corpus.vectors[[r.pos for r in refs]])
        texts = [article.text[u.start : u.end] for u in units]
        picks = np.array(easc.pick_matrix(texts, data.references[article.doc_id]), dtype=float)
        out.append(Example(article.doc_id, features(texts, [u.paragraph_start for u in units], vectors),
                           picks.mean(axis=1), tuple(int(c) for c in picks.sum(axis=0))))
    return out


def folds(rows: Sequence[Example], k: int = FOLDS) -> list[list[int]]:
    """``k`` lists of positions in ``rows`` (fewer for fewer articles): each topic's articles dealt round robin."""
    out: list[list[int]] = [[] for _ in range(max(1, min(k, len(rows))))]
    dealt = 0
    for topic in sorted({r.topic for r in rows}):
        for i, row in enumerate(rows):
            if row.topic == topic:
                out[dealt % len(out)].append(i)
                dealt += 1
    return out


def fit(rows: Sequence[Example], ridge: float = RIDGE) -> SummaryModel:
    """The sentence weights and the length model from ``rows``."""
    x = np.vstack([r.x for r in rows])
    y = np.concatenate([r.y for r in rows])
    design = np.column_stack([x, np.ones(len(x))])
    penalty = ridge * np.eye(design.shape[1])
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    coef = np.linalg.solve(design.T @ design + penalty, design.T @ y)
    weights = {f: round(float(w), 6) for f, w in zip(FEATURES, coef[:-1], strict=True)}
    sentence = SentenceModel(weights, round(float(coef[-1]), 6), REDUNDANCY)
    return SummaryModel(sentence, fit_length(rows))


def fit_length(rows: Sequence[Example]) -> LengthModel:
    """Least squares of log(mean length chosen) on log(candidates)."""
    n = np.array([len(r.y) for r in rows], dtype=float)
    chosen = np.array([max(float(np.mean(r.lengths)), 0.5) for r in rows])
    if np.ptp(n) == 0:  # one article size: a plain ratio
        power, log_scale = 1.0, float(np.log(chosen.mean() / n[0]))
    else:
        power, log_scale = np.polyfit(np.log(n), np.log(chosen), 1)
    return LengthModel(round(math.exp(log_scale), 4), round(float(power), 4), int(n.min()), int(n.max()))


def cross_validated(rows: Sequence[Example], k: int = FOLDS) -> list[tuple[list[int], SummaryModel]]:
    """Per fold: its articles and the model fitted on the other folds."""
    out = []
    for held in folds(rows, k):
        train = [r for i, r in enumerate(rows) if i not in set(held)]
        out.append((held, fit(train)))
    return out


def length_errors(rows: Sequence[Example], k: int = FOLDS) -> dict[str, float]:
    """Mean absolute error of the default length, by CV and of a fixed 1/3 ratio, in sentences."""
    cv, ratio = [], []
    for held, model in cross_validated(rows, k):
        for i in held:
            wanted, n = float(np.mean(rows[i].lengths)), len(rows[i].y)
            cv.append(abs(model.length(n) - wanted))
            ratio.append(abs(max(1, round(n / 3)) - wanted))
    return {"cv_mae": float(np.mean(cv)), "third_mae": float(np.mean(ratio))}


def build(embedder: Embedder, cache: Path, data: easc.Easc, summary: SummaryConfig) -> Pipeline:
    """A pipeline over the cached evaluation index of ``data`` (built on first use)."""
    chunker = ChunkerConfig()
    cached = cached_index(cache, easc.NAME, data.articles, embedder, chunker, summary)
    return Pipeline(cached.path, embedder, chunker=chunker, summary=summary)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=FOLDS)
    parser.add_argument("--cache-dir", type=Path, default=None)
    parser.add_argument("--embedder", default="e5-small")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    data = easc.load()
    try:
        summary = SummaryConfig()
    except SanadError:  # no model yet (or an unreadable one): the index needs some summary model
        summary = SummaryConfig(model=SummaryModel())
    rows = examples(build(get_embedder(args.embedder), cache_root(args.cache_dir), data, summary), data)
    model = fit(rows)
    record = {
        "about": "Fitted by `python -m eval.quality.fit_summary` on EASC's development half (../shared/data/easc-dev, "
                 f"{len(rows)} articles, five human extractive summaries each); never on the seeds.",
        "embedder": args.embedder,
        "features": list(FEATURES),
        "ridge": RIDGE,
        "length_error_sentences": {k: round(v, 3) for k, v in length_errors(rows, args.folds).items()},
        "model": model.to_dict(),
    }
    args.out.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
