"""XQuAD and ARCD, the SQuAD-format files the reader learns from, read as articles and gold questions.

The evaluation (eval/quality/datasets.py) and the reader's calibration (calibrate.py) both read
them here, so both index the same articles and share one cached index. Reads only: which articles
are held out is decided in splits.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.documents import Article
from index.errors import SanadError
from rag.reading.training.splits import ARCD_FILE, ARCD_HELD_OUT, XQUAD_DIR, arcd_fold, xquad_validation_topics


@dataclass(frozen=True)
class Gold:
    """One question, its gold answers (any one counts) and the article (a paragraph) holding them."""

    id: str
    question: str
    answers: tuple[str, ...]
    doc_id: str


@dataclass(frozen=True)
class Corpus:
    """A file's paragraphs as articles, its questions, and the ids of those on held-out articles."""

    name: str  # "xquad" or "arcd": the corpus name its cached index is kept under
    articles: tuple[Article, ...]
    questions: tuple[Gold, ...]
    held_out: frozenset[str]


def read_json(path: Path) -> Any:
    """A JSON data file, or a ``SanadError`` naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise SanadError(f"cannot read data file {path}: {exc}") from exc


def _paragraphs(language: str, folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(topic, paragraph) pairs of one XQuAD file, in file order."""
    raw = read_json(folder / f"xquad.{language}.json")
    return [(a["title"], p) for a in raw["data"] for p in a["paragraphs"]]


def _answers(qa: dict[str, Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"]))


def xquad(language: str, folder: Path = XQUAD_DIR) -> Corpus:
    """The 240 Arabic paragraphs as articles and the ``language`` questions about them; held out:
    the questions on the validation topics.

    English questions are matched to the Arabic ones by question id and keep the Arabic gold
    answers: Sanad quotes the articles, which are Arabic.
    """
    validation = xquad_validation_topics(folder)
    asked = {qa["id"]: qa["question"] for _, p in _paragraphs(language, folder) for qa in p["qas"]}
    articles: list[Article] = []
    questions: list[Gold] = []
    held_out: set[str] = set()
    for n, (topic, paragraph) in enumerate(_paragraphs("ar", folder)):
        doc_id = f"xquad-{n:03d}"
        articles.append(
            Article(doc_id=doc_id, text=paragraph["context"], source=f"xquad.ar.json#{n}",
                    title=topic.replace("_", " "))
        )
        for qa in paragraph["qas"]:
            if qa["id"] not in asked:
                raise SanadError(f"xquad.{language}.json lacks question {qa['id']}")
            questions.append(Gold(qa["id"], asked[qa["id"]], _answers(qa), doc_id))
            if topic in validation:
                held_out.add(qa["id"])
    return Corpus("xquad", tuple(articles), tuple(questions), frozenset(held_out))


def clean_question(question: str) -> str:
    """ARCD questions carry list dashes and stray spaces (' - من هو …؟ ')."""
    return " ".join(question.strip().lstrip("-–—").split())


def arcd(path: Path = ARCD_FILE, fold: int = ARCD_HELD_OUT) -> Corpus:
    """ARCD's 231 paragraphs as articles (titled by their Wikipedia article) and its 693 natural
    Arabic questions; held out: those on the articles of fold ``fold``."""
    raw = read_json(path)
    titles = [a["title"] for a in raw["data"]]
    articles: list[Article] = []
    questions: list[Gold] = []
    held_out: set[str] = set()
    for article in raw["data"]:
        for paragraph in article["paragraphs"]:
            doc_id = f"arcd-{len(articles):03d}"
            articles.append(Article(doc_id=doc_id, text=paragraph["context"], source=f"arcd-train.json#{len(articles)}",
                                    title=article["title"]))
            for qa in paragraph["qas"]:
                questions.append(Gold(f"arcd-{qa['id']}", clean_question(qa["question"]), _answers(qa), doc_id))
                if arcd_fold(article["title"], titles) == fold:
                    held_out.add(questions[-1].id)
    return Corpus("arcd", tuple(articles), tuple(questions), frozenset(held_out))
