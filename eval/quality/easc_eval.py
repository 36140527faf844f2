"""Per-article summaries against EASC's human summaries: Sanad beside Lead-N, centrality and random.

Every system chooses from the same candidate sentences (rag/summary_units.py) and makes the same
number of them, at four lengths: the references' (the mean number of candidates the five people
picked), Sanad's default rule (at most 5 sentences and a quarter of the words; Lead-N then keeps
within the same word budget, centrality and random make as many sentences), and 3 and 5 sentences.
ROUGE-1/2/L F against each of the five summaries (mean and max over them), ROUGE-1/2 recall, the
share of each reference's sentences held, on Arabic-normalised tokens. Sanad's model is fitted on
easc-dev itself, so its headline figure is cross-validated: each article is summarised by the
model fitted on the other folds; the shipped model (fitted on all of it) is shown beside it.
How far any system can rise is shown by the references themselves: each person's summary scored
against the other four, beside Sanad and Lead-N scored against the same four (``leave_one_out``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from eval.quality import easc, fit_summary, metrics
from eval.quality.baselines import centrality_summary, lead_summary
from index.documents import Article, Span
from index.embed import Embedder
from rag.pipeline import Pipeline
from rag.summarize import SummaryConfig, default_words
from rag.summary_units import summary_units

SYSTEMS = ("sanad", "sanad_shipped", "lead", "centrality", "random")
LABELS = {
    "sanad": "Sanad (5-fold CV)",
    "sanad_shipped": "Sanad as shipped (fitted on all of easc-dev: in-sample)",
    "lead": "Lead-N",
    "centrality": "centrality alone",
    "random": "random (mean of 10 draws)",
}
LENGTHS = ("reference", "default", "3", "5")  # the references' mean, Sanad's default rule, fixed short ones
METRICS = ("rouge1", "rouge2", "rougeL", "rouge1_max", "rouge2_max", "rougeL_max", "rouge1_recall",
           "rouge2_recall", "coverage", "words")
ROUGE = METRICS[:3]
AGREEMENT = ("human", "sanad", "lead")  # a person's summary, then the systems, against the other four
AGREEMENT_LABELS = {"human": "one person's summary", "sanad": LABELS["sanad"], "lead": LABELS["lead"]}
RANDOM_DRAWS = 10
SEED = 13

Chooser = Callable[[int], list[Span]]  # n sentences -> the spans a system picks


def rouge(sentences: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """ROUGE-1/2/L F of one summary against every reference (mean and max over them), R-1/2 recall."""
    text = easc.as_written(" ".join(sentences))
    scores = {
        "rouge1": [metrics.rouge_n(text, r, 1) for r in references],
        "rouge2": [metrics.rouge_n(text, r, 2) for r in references],
        "rougeL": [metrics.rouge_l(text, r) for r in references],
    }
    out = {k: float(np.mean(v)) for k, v in scores.items()}
    recall = {f"rouge{n}_recall": float(np.mean([metrics.rouge_n_recall(text, r, n) for r in references]))
              for n in (1, 2)}
    return out | {f"{k}_max": float(np.max(v)) for k, v in scores.items()} | recall


def coverage(chosen: Sequence[Span], units: Sequence[Span], picks: Sequence[Sequence[bool]]) -> float:
    """Mean over the references of the share of the sentences each picked that the summary holds.

    ``picks[i][j]``: reference ``j`` picked candidate ``units[i]`` (``easc.pick_matrix``); a chosen
    span counts for the candidate it lies in (a long sentence's key clauses count for the sentence).
    """
    held = {i for s in chosen for i, u in enumerate(units) if u.start <= s.start and s.end <= u.end}
    shares = [sum(picks[i][j] for i in held) / total
              for j in range(len(picks[0]) if picks else 0) if (total := sum(row[j] for row in picks))]
    return float(np.mean(shares)) if shares else 0.0


def figures_of(article: Article, chosen: Sequence[Span], units: Sequence[Span], picks: Sequence[Sequence[bool]],
               references: Sequence[str]) -> dict[str, float]:
    """Every ``METRICS`` figure of one summary given as spans of ``article``."""
    texts = _texts(article, chosen)
    return rouge(texts, references) | {"coverage": coverage(chosen, units, picks),
                                       "words": float(sum(len(t.split()) for t in texts))}


def evaluate_easc(embedder: Embedder, cache: Path, k: int = fit_summary.FOLDS) -> dict[str, Any]:
    """Every figure of the EASC summary benchmark, as JSON-ready values."""
    started = time.perf_counter()
    data = easc.load()
    summary = SummaryConfig()
    pipeline = fit_summary.build(embedder, cache, data, summary)
    rows = fit_summary.examples(pipeline, data)
    models = fit_summary.cross_validated(rows, k)
    model_of = {i: model for held, model in models for i in held}
    corpus = pipeline.corpus
    per_doc: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    sizes: dict[str, list[int]] = {length: [] for length in LENGTHS}
    agreement: list[dict[str, dict[str, float]]] = []
    for i, article in enumerate(data.articles):
        model = model_of[i]
        cv = replace(summary, model=model)
        refs = corpus.by_doc[article.doc_id]
        spans = [Span(r.start, r.end) for r in refs]
        units = [Span(u.start, u.end) for u in summary_units(article, spans)]
        references = data.references[article.doc_id]
        picks = easc.pick_matrix(_texts(article, units), references)
        vectors = corpus.vectors[[r.pos for r in refs]]
        choosers: dict[str, Chooser] = {
            "sanad": partial(_sanad, pipeline, article.doc_id, cv),
            "sanad_shipped": partial(_sanad, pipeline, article.doc_id, None),
            "lead": partial(lead_summary, article),
            "centrality": partial(centrality_summary, article, spans, vectors),
        }
        default = _sanad(pipeline, article.doc_id, cv, None)  # the default rule, sentences and words
        lengths = {"reference": max(1, round(float(np.mean(rows[i].lengths)))), "default": len(default),
                   "3": 3, "5": 5}
        per_doc[article.doc_id] = {}
        for length, n in lengths.items():
            sizes[length].append(min(n, len(units)))
            chosen = {name: choose(n) for name, choose in choosers.items()}
            if length == "default":  # Sanad's default rule, and Lead-N under the same word budget
                chosen |= {"sanad": default, "lead": lead_summary(article, n, default_words(article))}
            figures = {name: figures_of(article, c, units, picks, references) for name, c in chosen.items()}
            figures["random"] = _random(article, units, picks, n, references)
            per_doc[article.doc_id][length] = figures
        agreement.append(leave_one_out(references, rows[i].lengths, {
            name: partial(_chosen_texts, article, choosers[name]) for name in AGREEMENT[1:]}))
    return {
        "file": str(data.file),
        "articles": len(data.articles),
        "folds": len(models),
        "seconds": round(time.perf_counter() - started, 1),
        "sentences": {length: float(np.mean(v)) for length, v in sizes.items()},
        "candidates": float(np.mean([len(r.y) for r in rows])),
        "figures": {length: _means(per_doc, length) for length in LENGTHS},
        "agreement": {name: {m: float(np.mean([a[name][m] for a in agreement])) for m in ROUGE}
                      for name in AGREEMENT},
        "by_fold": [_fold_figures(per_doc, [data.articles[i].doc_id for i in held]) for held, _ in models],
        "length_error_sentences": fit_summary.length_errors(rows, k),
        "shipped_model": summary.model.to_dict(),
        "per_doc": per_doc,
    }


def leave_one_out(references: Sequence[str], lengths: Sequence[int],
                  choosers: dict[str, Callable[[int], list[str]]]) -> dict[str, dict[str, float]]:
    """ROUGE-1/2/L F (mean over the others) of each reference against the other references, and of
    each system, making as many sentences as those others on average, against the same ones.

    The references disagree; a summary that scores above what one person scores against the
    others has learnt their consensus, not one person's taste. Means over the references.
    """
    if len(references) < 2:
        raise ValueError("leave-one-out agreement needs at least two references")
    scores: dict[str, list[dict[str, float]]] = {"human": [], **{name: [] for name in choosers}}
    for j, own in enumerate(references):
        others = [r for k, r in enumerate(references) if k != j]
        n = max(1, round(float(np.mean([c for k, c in enumerate(lengths) if k != j]))))
        scores["human"].append(rouge([own], others))
        for name, choose in choosers.items():
            scores[name].append(rouge(choose(n), others))
    return {name: {m: float(np.mean([r[m] for r in rows])) for m in ROUGE} for name, rows in scores.items()}


def _chosen_texts(article: Article, choose: Chooser, n: int) -> list[str]:
    return _texts(article, choose(n))


def _sanad(pipeline: Pipeline, doc_id: str, config: SummaryConfig | None, n: int | None) -> list[Span]:
    """Sanad's summary of ``n`` sentences (None: the default rule) with ``config`` (None: the shipped model)."""
    return [Span(s.start, s.end) for s in pipeline.summarize(doc_id, sentences=n, config=config).sentences]


def _texts(article: Article, spans: Sequence[Span]) -> list[str]:
    return [article.text[s.start : s.end] for s in spans]


def _random(article: Article, units: Sequence[Span], picks: Sequence[Sequence[bool]], n: int,
            references: Sequence[str]) -> dict[str, float]:
    """Mean figures of ``RANDOM_DRAWS`` random choices of ``n`` candidates (seeded per article)."""
    rng = random.Random(f"{SEED}:{article.doc_id}")
    draws = [figures_of(article, [units[j] for j in sorted(rng.sample(range(len(units)), min(n, len(units))))],
                        units, picks, references) for _ in range(RANDOM_DRAWS)]
    return {m: float(np.mean([d[m] for d in draws])) for m in METRICS}


def _means(per_doc: dict[str, Any], length: str, docs: Sequence[str] | None = None) -> dict[str, dict[str, float]]:
    docs = list(per_doc) if docs is None else docs
    return {s: {m: float(np.mean([per_doc[d][length][s][m] for d in docs])) for m in METRICS} for s in SYSTEMS}


def _fold_figures(per_doc: dict[str, Any], docs: Sequence[str]) -> dict[str, Any]:
    """Sanad (CV) and Lead-N on one fold's articles, at both lengths."""
    out: dict[str, Any] = {"articles": len(docs)}
    for length in LENGTHS:
        means = _means(per_doc, length, docs)
        for system in ("sanad", "lead"):
            for metric in ("rouge1", "rouge2"):
                out[f"{length}:{system}:{metric}"] = means[system][metric]
    return out
