"""EASC, development half: Arabic articles with five human extractive summaries each.

Read from ``../shared/data/easc-dev/`` beside the repository (its licence does not allow copying
it into the project), read as ``sanad index`` reads a ``.txt`` file. Also says which of an
article's candidate sentences each summary picked. Loads and aligns only; see
eval/quality/easc_eval.py for the scores and eval/quality/fit_summary.py for the fitted models.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from eval.quality.datasets import EVAL
from index.documents import Article
from index.errors import SanadError
from index.ingest import article_from_text
from index.normalize import tokenize

NAME = "easc-dev"
FILE = EVAL.parent.parent / "shared" / "data" / "easc-dev" / "easc-dev.jsonl"  # ../shared/ of the repository
ENV = "SANAD_EASC"  # another file of the same format (e.g. the held-out half)
PICKED = 0.5  # a sentence is picked when at least half of its word bigrams are in the summary


@dataclass(frozen=True)
class Easc:
    """The articles and, per doc_id, the five human summaries."""

    file: Path
    articles: tuple[Article, ...]
    references: dict[str, tuple[str, ...]]


def location() -> Path:
    """``$SANAD_EASC`` when set, else ``../shared/data/easc-dev/easc-dev.jsonl`` beside the repository."""
    return Path(os.environ[ENV]) if os.environ.get(ENV) else FILE


def available() -> bool:
    return location().is_file()


def load(file: Path | None = None) -> Easc:
    """Every article of the JSONL file; a clear error when it is not there."""
    file = file or location()
    if not file.is_file():
        raise SanadError(f"the EASC development set is not at {file}: it is read from ../shared/ beside the "
                         f"repository and never copied into it (or set ${ENV} to a file of the same format)")
    articles, references = [], {}
    for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            doc_id, text, summaries = str(row["id"]), str(row["article"]), tuple(map(str, row["summaries"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise SanadError(f"{file}:{n}: not an EASC record ({exc})") from exc
        articles.append(article_from_text(text, doc_id, f"{file.name}#{doc_id}"))
        references[doc_id] = summaries
    return Easc(file, tuple(articles), references)


def as_written(text: str) -> str:
    """Summary text the way EASC's references were written: line breaks deleted, not spaced.

    The references join a hard-wrapped sentence's lines with nothing between them («التدريبية
    النسائية» became «التدريبيةالنسائية»), so a candidate is compared after the same step;
    otherwise every wrapped word pair counts as a miss for every system alike.
    """
    return text.replace("\n", "")


def picked(sentence: str, reference: str) -> float:
    """Share of the sentence's word bigrams (normalised tokens) that occur in ``reference``."""
    tokens = tokenize(as_written(sentence))
    grams = {tuple(tokens[i : i + 2]) for i in range(len(tokens) - 1)} or {tuple(tokens)}
    ref = tokenize(reference)
    have = {tuple(ref[i : i + 2]) for i in range(len(ref) - 1)} | {tuple(ref[i : i + 1]) for i in range(len(ref))}
    return len(grams & have) / len(grams) if tokens else 0.0


def pick_matrix(sentences: Sequence[str], references: Sequence[str]) -> list[list[bool]]:
    """``[i][j]``: did summary ``j`` pick sentence ``i``?"""
    return [[picked(s, r) >= PICKED for r in references] for s in sentences]
