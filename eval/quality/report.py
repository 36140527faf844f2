"""The Markdown report (report.md) written from results.json's content: tables, gains, plots, glossary.

Formats only; every number comes from the results dictionary, so the report and the JSON agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eval.quality.easc_eval import AGREEMENT, AGREEMENT_LABELS, LENGTHS
from eval.quality.easc_eval import LABELS as EASC_LABELS
from eval.quality.easc_eval import SYSTEMS as EASC_SYSTEMS
from eval.quality.scoring import ANSWERED, dataset_groups
from eval.quality.summaries import SUMMARY_SYSTEMS
from eval.quality.systems import ANSWER_SYSTEM, ANSWER_SYSTEMS, LABELS, LITERAL, SYSTEMS

Table = Mapping[str, Mapping[str, float | None]]  # system -> metric -> value

MAIN_COLUMNS = [
    ("questions", "n"), ("recall@1", "R@1"), ("recall@5", "R@5"), ("recall@10", "R@10"), ("mrr", "MRR"),
    ("ndcg@10", "nDCG@10"),
    ("answer_in_first", "Ans@1"), ("answer_in_top3", "Ans@3"), ("token_f1", "F1"),
    ("citation_exact", "exact"), ("citation_support", "support"), ("first_excerpt_chars", "chars"),
    ("latency_p50_ms", "p50 ms"), ("latency_p95_ms", "p95 ms"),
]
ABSTAIN_COLUMNS = [("unanswerable", "unanswerable"), ("abstain_precision", "precision"),
                   ("abstain_recall", "recall"), ("abstain_f1", "F1"), ("false_abstention", "false abstention")]
POOL_COLUMNS = [("pool", "pool"), ("pool_recall", "pool recall"), ("pool_recall@24", "@24"),
                ("pool_recall@32", "@32"), ("pool_recall@48", "@48")]
PHRASE_COLUMNS = [("phrase_given", "phrase given"), ("phrase_em", "phrase EM"), ("phrase_f1", "phrase F1")]
SUMMARY_COLUMNS = [("keyfact_coverage", "key facts"), ("rouge1", "ROUGE-1"), ("rouge2", "ROUGE-2"),
                   ("rougeL", "ROUGE-L"), ("redundancy", "redundancy"), ("compression", "compression"),
                   ("sentences", "sentences"), ("citation_exact", "exact")]
GAINS = [  # (system, compared with, metric, what the difference isolates)
    ("hybrid", "rrf", "mrr", "score fusion (z-scored dense + weighted BM25) vs plain reciprocal-rank fusion"),
    ("hybrid", "bm25", "mrr", "adding dense retrieval to BM25"),
    ("hybrid", "dense", "mrr", "adding Arabic-normalised BM25 to dense retrieval"),
    ("hybrid", "langchain", "recall@1", "sentence-aligned ~120-word chunks + hybrid vs 1000-char splits + FAISS"),
    ("hybrid", "langchain", "mrr", "the same, as MRR"),
    ("sanad", "scorer", "answer_in_first", "the reader vs the hand-weighted first-stage scorer (first excerpt)"),
    ("sanad", "scorer", "answer_in_top3", "the same, first three excerpts"),
    ("sanad", "scorer", "abstain_f1", "the same, abstention F1"),
    ("sanad", "literal", "answer_in_first", "rewriting dialect and Arabizi questions into MSA (first excerpt)"),
    ("sanad", "hybrid", "answer_in_first", "choosing a sentence (`ask`) vs quoting the top hybrid chunk"),
    ("sanad", "hybrid", "token_f1", "the same, as token F1 of the first excerpt (precision of the quote)"),
    ("sanad", "langchain", "answer_in_top3", "Sanad's three cited sentences vs LangChain's top three chunks"),
    ("sanad", "langchain", "token_f1", "Sanad's first sentence vs LangChain's first chunk, token F1"),
]
GLOSSARY = """\
- **n**: answerable questions the system ran on (`ask` may run on a sample).
- **R@k**: the gold article (XQuAD: paragraph) holds one of the top k chunks; **MRR**: 1 / rank of the
  first chunk from a gold article; **nDCG@10**: binary, each gold article counted once at its first chunk.
  For `ask` these are left out: it returns sentences, not a ranking.
- **Ans@1 / Ans@3**: a gold answer string occurs in the first excerpt / in one of the first three, after
  Arabic normalisation (`index.normalize.normalize`: hamza, ta marbuta, alef maqsura, diacritics, digits
  folded). For retrieval systems an excerpt is a whole chunk, for `ask` a cited sentence, so the retrieval
  rows have an easier task (longer excerpts) and a much lower F1. Counted whether or not `ask` abstained.
- **F1**: SQuAD-style token F1 between the first excerpt and the best gold answer (`index.normalize.tokenize`).
- **exact**: share of excerpts whose text equals `article.text[start:end]` (`sanad show`'s text).
- **support**: share of the cited excerpts (first three) that hold a gold answer, on answers that did not abstain.
- **chars**: mean length of the first excerpt. **p50/p95 ms**: per question, in-process. `ask` is timed end
  to end (it embeds the question itself); retrieval rows time the ranking only, because the questions are
  embedded beforehand in batches (identical vectors; the per-question cost is in `results.json`,
  `datasets.*.query_embedding_ms`).
- **Abstention**: the positive class is "should abstain". Seeds: the hand-written unanswerable questions vs
  all answerable ones. XQuAD: the answered sample asked again with a doc filter that excludes each
  question's gold paragraph (the answer is not in the allowed articles) vs the same questions asked normally.
  **false abstention**: share of all answerable questions on which `ask` abstained.
- **Summaries**: key facts = share of an article's hand-picked facts with one of their phrases in the
  summary (normalised); ROUGE-1/2/L F-measure against the hand-written reference over normalised tokens
  (rouge-score's tokenizer drops Arabic, so ROUGE is computed in `eval/quality/metrics.py`); redundancy = mean
  pairwise Jaccard of content terms between chosen sentences; compression = summary chars / article chars.
  The lead baseline takes as many leading body sentences as Sanad's summary has.
"""


def fmt(value: float | None, metric: str = "") -> str:
    if value is None:
        return "—"
    if metric.endswith("_ms") or metric in {"first_excerpt_chars", "unanswerable", "questions", "pool"}:
        return f"{value:.0f}"
    if metric in {"sentences", "words"}:
        return f"{value:.1f}"
    return f"{value:.3f}"


def table(rows: Table, systems: Sequence[str], columns: Sequence[tuple[str, str]], labels: Mapping[str, str]) -> str:
    present = [s for s in systems if s in rows]
    lines = ["| system | " + " | ".join(h for _, h in columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for s in present:
        cells = [fmt(rows[s].get(m), m) for m, _ in columns]
        lines.append(f"| {labels.get(s, s)} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def gains(figures: Mapping[str, Table]) -> str:
    """Differences per dataset; those involving ``ask`` on the questions it answered (same questions)."""
    groups = [g for g in dataset_groups(figures) if figures[g]]
    lines = ["| design choice | difference | metric | " + " | ".join(groups) + " |",
             "|---|---|---|" + "---|" * len(groups)]
    for system, other, metric, what in GAINS:
        cells = []
        for g in groups:
            asks = {"sanad", "scorer", "st"} & {system, other}
            same = f"{g}/{ANSWERED}" if asks and f"{g}/{ANSWERED}" in figures else g
            a, b = figures[same].get(system, {}).get(metric), figures[same].get(other, {}).get(metric)
            cells.append("—" if a is None or b is None else f"{a - b:+.3f}")
        lines.append(f"| {what} | {system} − {other} | {metric} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


EASC_COLUMNS = [("rouge1", "R-1"), ("rouge2", "R-2"), ("rougeL", "R-L"), ("rouge1_max", "R-1 max"),
                ("rouge2_max", "R-2 max"), ("rougeL_max", "R-L max"), ("rouge1_recall", "R-1 recall"),
                ("rouge2_recall", "R-2 recall"), ("coverage", "covered"), ("words", "words")]
LENGTH_TITLES = {"reference": "the references' length", "default": "Sanad's default length (at most 5 sentences "
                 "and a quarter of the words; Lead-N under the same word budget)",
                 "3": "3 sentences", "5": "5 sentences"}


def summary_benchmark(name: str, bench: Mapping[str, Any]) -> list[str]:
    """The human-summary benchmark: systems at the references' length, the default one and 3 and 5, folds."""
    out = [f"## Summaries against human summaries ({name})", "",
           f"{bench['articles']} articles from `{bench['file']}`, five human extractive summaries each; "
           f"{bench['candidates']:.1f} candidate sentences per article. ROUGE F against each summary, mean over the "
           "five (R-n) and best of the five (max), on Arabic-normalised tokens, line breaks deleted as in the "
           "references. Every system picks the same number of the same candidate sentences (whole; at the default "
           "length, Sanad and Lead-N also keep within the word budget and Sanad cuts a run-on of 60+ words to its "
           "key clauses). covered: the share of each reference's sentences the summary holds, mean over the five. "
           f"Sanad's model is fitted on this set, so its figure is {bench['folds']}-fold cross-validated "
           "(folds dealt within topics).", ""]
    for length in LENGTHS:
        title = LENGTH_TITLES[length]
        rows = bench["figures"][length]
        out += [f"### At {title} ({bench['sentences'][length]:.2f} sentences on average)", "",
                table(rows, EASC_SYSTEMS, EASC_COLUMNS, EASC_LABELS), "",
                "Sanad (CV) − Lead-N: " + ", ".join(
                    f"{h} {rows['sanad'][m] - rows['lead'][m]:+.3f}" for m, h in EASC_COLUMNS[:3]), ""]
    if "agreement" in bench:
        out += ["### One person's summary against the other four", "",
                "Each of the five summaries scored against the other four (mean over them), beside Sanad (CV) and "
                "Lead-N making as many sentences as those four on average, against the same four: what one "
                "person's choice scores, and so how much consensus there is beyond the lead.", "",
                table(bench["agreement"], AGREEMENT, EASC_COLUMNS[:3], AGREEMENT_LABELS), ""]
    heads = [f"R-1 {system} ({length})" for length in LENGTHS for system in ("Sanad", "Lead")]
    out += ["### Sanad (CV) and Lead-N per fold (ROUGE-1 F)", "",
            "| fold | articles | " + " | ".join(heads) + " |", "|---" * (len(heads) + 2) + "|"]
    for i, fold in enumerate(bench["by_fold"], start=1):
        cells = [fold[f"{length}:{system}:rouge1"] for length in LENGTHS for system in ("sanad", "lead")]
        out.append(f"| {i} | {fold['articles']} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    err = bench["length_error_sentences"]
    out += ["", f"Default length (sentences people pick for an article's size), mean absolute error by CV: "
            f"{err['cv_mae']:.2f} sentences (a third of the candidates: {err['third_mae']:.2f}).", ""]
    return out


def abstention_section(figures: Mapping[str, Table]) -> list[str]:
    """Abstention and answer-phrase figures of every `ask` system, per group, and the reliability plot."""
    out = ["## Abstention and answer phrases (`ask`, per reader)", "",
           "| group | system | " + " | ".join(h for _, h in ABSTAIN_COLUMNS + PHRASE_COLUMNS) + " |",
           "|---|" + "---|" * (len(ABSTAIN_COLUMNS) + len(PHRASE_COLUMNS) + 1)]
    for group, rows in figures.items():
        if group.endswith(f"/{ANSWERED}"):
            continue
        for system in ANSWER_SYSTEMS:
            if system in rows and "abstain_recall" in rows[system]:
                cells = [fmt(rows[system].get(m), m) for m, _ in ABSTAIN_COLUMNS + PHRASE_COLUMNS]
                out.append(f"| {group} | {system} | " + " | ".join(cells) + " |")
    return [*out, "", "![Reliability of the reader's probability](reliability.png)"]


def pool_section(figures: Mapping[str, Table]) -> list[str]:
    """Pool recall of the product's ``ask`` per group: the share of answerable questions whose answer
    sentence is among the candidates the reader reads (its ceiling), and at larger pools."""
    out = ["## Reader's pool recall (`ask`)", "",
           "Share of answerable questions whose answer sentence is among the first-stage candidates the "
           "reader reads; the reader cannot cite what the pool lacks.", "",
           "| group | " + " | ".join(h for _, h in POOL_COLUMNS) + " |", "|---|" + "---|" * len(POOL_COLUMNS)]
    for group, rows in figures.items():
        sanad = rows.get(ANSWER_SYSTEM, {})
        if not group.endswith(f"/{ANSWERED}") and sanad.get("pool_recall") is not None:
            out.append(f"| {group} | " + " | ".join(fmt(sanad.get(m), m) for m, _ in POOL_COLUMNS) + " |")
    return [*out, ""]


def varieties_section(figures: Mapping[str, Table]) -> list[str]:
    """The same questions as typed in each variety beside their MSA originals, with the rewrite into
    MSA (``sanad``) and without it (``literal``)."""
    rows = {g.split("/", 1)[1]: figures[g] for g in figures if g.startswith("varieties/") and g.count("/") == 1}
    if not rows:
        return []
    out = ["## Dialects and Arabizi (`varieties`: the seeds questions as people type them)", "",
           "Ans@1 of each variety's questions beside that of their own MSA originals; \"as typed\": the "
           "same reader without the rewrite into MSA.", "",
           "| variety | n | Ans@1 | MSA originals | Ans@1 as typed | Ans@3 | false abstention | MSA originals "
           "| as typed |", "|---|---|---|---|---|---|---|---|---|"]
    for variety in sorted(rows, key=lambda v: (v != "msa", v)):
        sanad, literal = rows[variety].get(ANSWER_SYSTEM, {}), rows[variety].get(LITERAL, {})
        msa = figures.get(f"varieties/{variety}/msa", {}).get(ANSWER_SYSTEM, {})
        cells = [fmt(sanad.get("questions"), "questions"), fmt(sanad.get("answer_in_first")),
                 fmt(msa.get("answer_in_first")), fmt(literal.get("answer_in_first")),
                 fmt(sanad.get("answer_in_top3")), fmt(sanad.get("false_abstention")),
                 fmt(msa.get("false_abstention")), fmt(literal.get("false_abstention"))]
        out.append(f"| {variety} | " + " | ".join(cells) + " |")
    return [*out, ""]


def render(results: Mapping[str, Any]) -> str:
    run, figures = results["run"], results["figures"]
    out = [
        f"# Sanad evaluation — {run['date']}, commit {run['commit']}{' (uncommitted changes)' if run['dirty'] else ''}",
        "",
        f"`{run['command']}` · embedder `{results['settings']['embedder']}` · "
        f"{run['seconds'] / 60:.1f} min" + (f" · first {run['limit']} questions per dataset" if run["limit"] else ""),
        "",
        "## Datasets",
        "",
        "| dataset | articles | questions | answerable | unanswerable (no-gold variant) | answerable ones "
        "`ask` answered | seconds |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, d in results["datasets"].items():
        out.append(f"| {name} | {d['articles']} | {d['questions']} | {d['answerable']} | "
                   f"{d['unanswerable']} ({d['nogold_variant']}) | {d['answered']} | {d['seconds']:.0f} |")
    if any(d["answered"] < d["answerable"] for d in results["datasets"].values()):
        sample = results["settings"]["answer_sample"]
        which = "all" if sample is None else f"a fixed sample of {sample} of the"
        out.append(f"\n`ask` answers {which} XQuAD and ARCD questions on held-out articles (XQuAD: the validation "
                   "topics; ARCD: the held-out fold; the reader never trained on them; every question is retrieved); "
                   "the `/answered` tables compare every system on those questions, and the gains below that "
                   "involve `ask` use them.")
    for corpus, ix in results["indexes"].items():
        built = "reused from the cache" if ix["reused"] else f"built in {ix['build_seconds']:.0f} s"
        out.append(f"\nIndex `{corpus}`: {ix['articles']} articles, {ix['chunks']} chunks, {ix['sentences']} sentences "
                   f"({built}); LangChain baseline: {ix['langchain_chunks']} chunks.")
    out += ["", "## Retrieval and answers, system × metric", ""]
    for group, rows in figures.items():
        if group.endswith("/summaries"):
            continue
        n = max((r.get("questions") or 0 for r in rows.values()), default=0)
        out += [f"### {group} ({fmt(n, 'questions')} answerable questions)", "",
                table(rows, SYSTEMS, MAIN_COLUMNS, LABELS), ""]
    out += abstention_section(figures)
    out += pool_section(figures)
    out += varieties_section(figures)
    out += ["", "## What each design choice gains", "", "Differences on the same questions and index "
            "(positive: the first system is better).", "", gains(figures), ""]
    for group, rows in figures.items():
        if group.endswith("/summaries"):
            labels = {"sanad": "Sanad summary", "lead": "lead-n baseline"}
            out += [f"## Summaries ({group.removesuffix('/summaries')})", "",
                    table(rows, SUMMARY_SYSTEMS, SUMMARY_COLUMNS, labels), ""]
    for name, bench in results.get("summary_benchmarks", {}).items():
        out += summary_benchmark(name, bench)
    out += ["## Plots", "", "![Recall@k](recall_at_k.png)", "", "![Per language](by_language.png)", "",
            "![Latency](latency.png)", "", "## How the figures are measured", "", GLOSSARY,
            "Every figure and the settings used are in `results.json`; per-question outcomes in `questions.jsonl`."]
    return "\n".join(out) + "\n"
