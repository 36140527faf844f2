"""The reader's model card (rag/reading/weights/MODEL_CARD.md), written from its reader.json.

Formats only: every figure comes from the metadata the training and calibration wrote.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CARD = """\
# Sanad reader — model card

A multilingual cross-encoder that reads a question together with one candidate sentence (and the
article's headline) and says how likely the sentence answers it, and where the answer phrase is.
`sanad ask` orders, cites and abstains by it (rag/reading/).

## Weights
- Base: `{base_model}` as shipped (4-bit) in the `{base_package}` package (MIT), file `{base_file}`
  (SHA-256 `{base_sha}`). The word-embedding table is read from that file at load time and was not
  trained; the position embeddings, the 12 transformer layers and two heads were fine-tuned.
- Shipped: `{weights}` ({size_mb:.1f} MB, SHA-256 `{sha}`), {format}. Loading checks both hashes and
  refuses a missing or damaged file with a one-line fix.
- Heads: relevance (a linear layer on the first token's state; one logit per pair) and answer span
  (start/end logits over the sentence's tokens).
- Input: `<s> query: QUESTION </s> SENTENCE </s> HEADLINE </s>`, at most {max_q} / {max_s} / {max_c} tokens.

## Data (never the seeds questions)
- XQuAD (Artetxe et al., 2019; CC BY-SA 4.0; eval/data/xquad/), Arabic and English paragraphs and
  questions, in four question/passage language pairs (ar-ar, en-ar, en-en, ar-en). Held out for
  validation: the whole topics {topics}.
- ARCD training split (Mozannar et al., 2019; MIT, Arabic Wikipedia text CC BY-SA; eval/data/arcd/),
  natural Arabic questions. Held out: article fold {fold} of 5.
- Per question: the sentence holding the answer span (positive), the other sentences of its
  paragraph (hard negatives) and the embedder's best sentences of other paragraphs; and the same
  question with the gold paragraph removed (all negatives). Groups: {n_train} train, {n_val} validation.

## Training
`{command}` — {config}. Listwise (softmax over a question's candidates) plus pointwise
(binary cross-entropy) relevance loss, plus the span loss; AdamW with warm-up and linear decay.
{machine}; {seconds_h:.1f} h here. Loss by epoch: {history}.

## Validation (held-out topics and fold; groups as built for training)
| pair | positive ranked first | AUC answerable vs no-answer | groups |
|---|---|---|---|
{group_rows}

## Calibration (held-out `ask` runs; rag/reading/training/calibrate.py)
Fitted on pools of the {pool} best first-stage sentences, the pool `ask` reads.
Platt scaling p = sigmoid({slope:.3f} × logit + {intercept:.3f}).

Abstention: a logistic model over the reader's best log-odds in the pool, its lead over the second,
the first-stage best score and its lead over the pool's median (weights {abstain_weights} on
standardised values), abstaining below {threshold:.3f}, set at {fa_target:.0%} false abstentions. Fitted on
one half of the questions and tried on the other, it abstains on {recall:.1%} of the no-answer runs at
{false:.1%} false abstentions (the reader's best probability alone: {recall_best:.1%}).

Answer phrase: given at span probability ≥ {span_threshold:.3f} (precision target {precision_target:.0%}:
{phrase_given:.1%} of correct first excerpts get a phrase, {phrase_precision:.1%} of them match). {runs:.0f} runs.

Ordering: the calibrated log-odds plus {weight:g} × the first-stage score standardised within the
pool (fitted on those runs: the sentence cited first holds the answer on {first_fused:.1%} of the
answerable runs, against {first_reader:.1%} by the reader alone).

Product-level figures (seeds, XQuAD validation topics, ARCD held-out fold, side by side with the
first-stage scorer) are in the latest `sanad eval` report under eval/reports/.

## Limits
Trained on encyclopaedic text (Wikipedia) and its translation; news and natural questions written
without the passage in view are harder. One sentence is read at a time, with the headline only:
an answer that needs two sentences together is found by its best sentence at most.
"""


def write_card(folder: Path) -> None:
    meta: dict[str, Any] = json.loads((folder / "reader.json").read_text(encoding="utf-8"))
    t, c, v = meta["training"], meta["calibration"], meta.get("validation", {})
    rows = "\n".join(f"| {pair} | {f['first']:.3f} | {f['auc']:.3f} | {f['groups']:.0f} |"
                     for pair, f in meta["groups_validation"].items())
    text = CARD.format(
        base_model=meta["base"]["model"], base_package=meta["base"]["package"], base_file=meta["base"]["file"],
        base_sha=meta["base"]["sha256"], weights=meta["weights"], sha=meta["sha256"], format=meta["format"],
        size_mb=(folder / meta["weights"]).stat().st_size / 1e6, max_q=meta["input"]["max_question_tokens"],
        max_s=meta["input"]["max_sentence_tokens"], max_c=meta["input"]["max_context_tokens"],
        topics=", ".join(t["held_out"]["xquad_topics"]), fold=t["held_out"]["arcd_fold"],
        n_train=t["groups"]["train"], n_val=t["groups"]["validation"], command=t["command"],
        config=", ".join(f"{k} {val}" for k, val in t["config"].items()), machine=t["machine"],
        seconds_h=t["seconds"] / 3600, history="; ".join(f"{h['loss']:.3f}" for h in t["history"]),
        group_rows=rows, slope=c["slope"], intercept=c["intercept"], threshold=meta["abstention"]["threshold"],
        fa_target=meta["abstention"]["false_abstention_target"], recall=v["abstain_recall"],
        false=v["false_abstention"], recall_best=v["abstain_recall_best_only"],
        abstain_weights=", ".join(f"{w:+.2f}" for w in meta["abstention"]["weights"]),
        span_threshold=meta["span"]["threshold"], precision_target=meta["span"].get("precision_target", 0.8),
        phrase_given=v.get("phrase_given", 0.0), phrase_precision=v.get("phrase_precision", 0.0),
        pool=c["pool"], runs=v.get("runs", 0.0), weight=meta.get("fusion", {}).get("first_stage_weight", 0.0),
        first_fused=v.get("first_fused", 0.0), first_reader=v.get("first_reader_only", 0.0),
    )
    (folder / "MODEL_CARD.md").write_text(text, encoding="utf-8")
