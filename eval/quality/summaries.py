"""Per-article summaries scored against key facts and reference summaries, beside a lead-n baseline.

The lead baseline takes as many sentences as Sanad's summary of the same article, so the two
differ only in which sentences they choose.
"""

from __future__ import annotations

from collections.abc import Sequence

from eval.quality import metrics
from eval.quality.baselines import lead_summary
from eval.quality.datasets import Dataset
from eval.quality.scoring import Figures
from rag.pipeline import Pipeline

SUMMARY_SYSTEMS = ("sanad", "lead")


def summary_figures(sentences: Sequence[str], article: str, facts: Sequence[Sequence[str]], reference: str | None
                    ) -> Figures:
    """Figures of one summary given as its sentences."""
    text = " ".join(sentences)
    return {
        "keyfact_coverage": metrics.keyfact_coverage(text, facts) if facts else None,
        "rouge1": metrics.rouge_n(text, reference, 1) if reference else None,
        "rouge2": metrics.rouge_n(text, reference, 2) if reference else None,
        "rougeL": metrics.rouge_l(text, reference) if reference else None,
        "redundancy": metrics.redundancy(sentences),
        "compression": metrics.compression(text, article),
        "sentences": float(len(sentences)),
    }


def evaluate_summaries(
    pipeline: Pipeline, dataset: Dataset
) -> tuple[dict[str, Figures], dict[str, dict[str, Figures]]]:
    """(system -> mean figures, doc_id -> system -> figures) over articles that have gold data."""
    per_doc: dict[str, dict[str, Figures]] = {}
    for article in dataset.articles:
        facts = [f.match for f in dataset.keyfacts.get(article.doc_id, ())]
        reference = dataset.references.get(article.doc_id)
        if not facts and not reference:
            continue
        summary = pipeline.summarize(article.doc_id)
        indexed = pipeline.article(article.doc_id).text
        exact = [metrics.citation_exact(s.text, indexed, s.start, s.end) for s in summary.sentences]
        lead = [article.text[s.start : s.end] for s in lead_summary(article, len(summary.sentences))]
        per_doc[article.doc_id] = {
            "sanad": {**summary_figures([s.text for s in summary.sentences], article.text, facts, reference),
                      "citation_exact": metrics.mean(float(e) for e in exact)},
            "lead": summary_figures(lead, article.text, facts, reference),
        }
    means: dict[str, Figures] = {}
    for system in SUMMARY_SYSTEMS:
        rows = [docs[system] for docs in per_doc.values()]
        keys = dict.fromkeys(k for row in rows for k in row)
        means[system] = {k: metrics.mean(v for row in rows if (v := row.get(k)) is not None) for k in keys}
    return means, per_doc
