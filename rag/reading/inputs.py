"""How a (question, sentence, context) triple becomes the reader's token ids: one layout for
training and inference.

Layout: ``<s> query: QUESTION </s> SENTENCE </s> CONTEXT </s>``. The sentence comes right after
the question so that its tokens, whose offsets give the answer phrase, sit at a known place;
the context (the article's headline, when it has one) follows, cut first when space runs out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from rag.reading.tokenizer import Encoded, PieceTokenizer

MAX_QUESTION_TOKENS = 40
MAX_SENTENCE_TOKENS = 96
MAX_CONTEXT_TOKENS = 24


@dataclass(frozen=True)
class Pair:
    """One question and one candidate sentence (with optional context, e.g. the headline)."""

    question: str
    sentence: str
    context: str = ""


@dataclass(frozen=True)
class Batch:
    ids: torch.Tensor  # (n, length) int64, padded
    attention: torch.Tensor  # (n, length) 1 for real tokens
    sentence_start: np.ndarray  # (n,) position of each sentence's first token
    sentences: list[Encoded]  # each sentence's tokens, with offsets into the sentence text


class PairEncoder:
    """Turns pairs into padded tensors; the question is tokenised once per batch."""

    def __init__(self, tokenizer: PieceTokenizer) -> None:
        self.tokenizer = tokenizer
        v = tokenizer.vocabulary
        self.bos, self.eos, self.pad = v.bos, v.eos, v.pad

    def __call__(self, pairs: Sequence[Pair]) -> Batch:
        questions = {q: None for q in (p.question for p in pairs)}
        q_tokens = dict(zip(questions, self.tokenizer.encode_batch([f"query: {q}" for q in questions]), strict=True))
        sentences = self.tokenizer.encode_batch([p.sentence for p in pairs])
        contexts = self.tokenizer.encode_batch([p.context for p in pairs])
        rows, starts = [], []
        for pair, sentence, context in zip(pairs, sentences, contexts, strict=True):
            q = q_tokens[pair.question].ids[:MAX_QUESTION_TOKENS]
            s = sentence.ids[:MAX_SENTENCE_TOKENS]
            c = context.ids[:MAX_CONTEXT_TOKENS] if pair.context else []
            row = [self.bos, *q, self.eos, *s, self.eos]
            if c:
                row += [*c, self.eos]
            rows.append(row)
            starts.append(len(q) + 2)
        length = max(len(r) for r in rows)
        ids = torch.full((len(rows), length), self.pad, dtype=torch.long)
        attention = torch.zeros((len(rows), length), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row)
            attention[i, : len(row)] = 1
        kept = [Encoded(s.ids[:MAX_SENTENCE_TOKENS], s.offsets[:MAX_SENTENCE_TOKENS]) for s in sentences]
        return Batch(ids, attention, np.asarray(starts), kept)
