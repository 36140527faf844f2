"""Whether a text holds a gold answer: the folding, containment, exact match and token F1 of answers.

Shared by the evaluation (eval/quality/metrics.py) and the reader's training and calibration
(rag/reading/training/), so both match answers the same way. Never used at serving time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from index.normalize import normalize, tokenize


def fold(text: str) -> str:
    """Search normalisation plus collapsed whitespace: the form answers are matched in."""
    return " ".join(normalize(text).split())


def contains_answer(excerpt: str, answers: Iterable[str]) -> bool:
    """Whether any gold answer appears in the excerpt, after Arabic normalisation of both."""
    folded = fold(excerpt)
    return any((gold := fold(a)) and gold in folded for a in answers)


def exact_match(prediction: str, answers: Iterable[str]) -> bool:
    """SQuAD-style exact match after Arabic normalisation and tokenisation (punctuation ignored)."""
    predicted = tokenize(prediction)
    return any(predicted == tokenize(a) for a in answers)


def token_f1(prediction: str, answers: Iterable[str]) -> float:
    """SQuAD-style token F1 (multiset overlap), best over the gold answers; tokens via ``tokenize``."""
    predicted = Counter(tokenize(prediction))
    best = 0.0
    for answer in answers:
        gold = Counter(tokenize(answer))
        overlap = sum((predicted & gold).values())
        if overlap:
            p, r = overlap / sum(predicted.values()), overlap / sum(gold.values())
            best = max(best, 2 * p * r / (p + r))
    return best
