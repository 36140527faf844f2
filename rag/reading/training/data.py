"""Training and validation data for the reader, built from XQuAD and ARCD (never from the seeds).

Each question becomes a group of candidate sentences, as the reader meets them in ``ask``: the
sentence holding the answer span (positive, with the span), the other sentences of its paragraph
(hard negatives: same topic, no answer) and the sentences of other paragraphs that the embedder
ranks highest (retrieved negatives). A second group asks the same question with the gold paragraph
removed: every candidate is a negative, which is what abstention must learn. XQuAD gives four
question/passage language pairs from its parallel files (ar-ar, en-ar, en-en, ar-en).

Splits are by whole article: XQuAD topics in ``XQUAD_VALIDATION`` and ARCD articles of the held-out
fold (splits.py) never enter training.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.embed import Embedder
from index.segment import split_sentences
from rag.matching import fold
from rag.reading.training.splits import ARCD_FILE, XQUAD_DIR, arcd_fold, xquad_validation_topics
from rag.reading.training.squad import clean_question, read_json

RETRIEVED_NEGATIVES = 6


@dataclass(frozen=True)
class Passage:
    key: str  # e.g. "xquad.ar#17", "arcd#5"
    corpus: str  # "xquad.ar", "xquad.en", "arcd": retrieved negatives come from the same corpus
    topic: str
    title: str  # headline-like context in the passage's language ("" when unknown)
    text: str
    sentences: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Candidate:
    sentence: str
    context: str
    label: int  # 1: holds the answer
    span: tuple[int, int] | None  # the answer inside ``sentence`` (positives only)
    passage: str  # Passage.key it came from
    index: int  # sentence number in that passage


@dataclass(frozen=True)
class Group:
    qid: str
    question: str
    pair: str  # "ar-ar", "en-ar", "en-en", "ar-en", "arcd"
    split: str  # "train", "validation", or "fold<k>" for ARCD
    answer: str
    candidates: tuple[Candidate, ...]

    @property
    def answerable(self) -> bool:
        return any(c.label for c in self.candidates)


def _passages(raw: Any, corpus: str, titled: bool) -> list[tuple[Passage, list[dict[str, Any]]]]:
    out: list[tuple[Passage, list[dict[str, Any]]]] = []
    for article in raw["data"]:
        for paragraph in article["paragraphs"]:
            text = paragraph["context"]
            spans = tuple((s.start, s.end) for s in split_sentences(text))
            title = article["title"].replace("_", " ") if titled else ""
            passage = Passage(f"{corpus}#{len(out)}", corpus, article["title"], title, text, spans)
            out.append((passage, paragraph["qas"]))
    return out


def locate(text: str, answer: str, start: int) -> tuple[int, int] | None:
    """The answer's exact span in ``text``: at ``start`` if it is there, else the nearest copy."""
    answer = answer.strip()
    if not answer:
        return None
    if text[start : start + len(answer)] == answer:
        return start, start + len(answer)
    found = [i for i in _find_all(text, answer)]
    if not found:
        return None
    best = min(found, key=lambda i: abs(i - start))
    return best, best + len(answer)


def _find_all(text: str, needle: str) -> Iterable[int]:
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


class Builder:
    """Makes the groups of one corpus; ``vectors`` ranks retrieved negatives."""

    def __init__(self, passages: Sequence[Passage], embedder: Embedder) -> None:
        self.passages = {p.key: p for p in passages}
        self.units = [(p.key, i) for p in passages for i in range(len(p.sentences))]
        texts = [self.sentence(k, i) for k, i in self.units]
        self.vectors = embedder.embed_passages(texts)
        self.embedder = embedder

    def sentence(self, key: str, i: int) -> str:
        p = self.passages[key]
        s, e = p.sentences[i]
        return p.text[s:e]

    def candidate(self, key: str, i: int, label: int, span: tuple[int, int] | None) -> Candidate:
        return Candidate(self.sentence(key, i), self.passages[key].title, label, span, key, i)

    def groups(self, items: Sequence[tuple[str, str, str, str, str, tuple[int, int]]], split_of: dict[str, str]
               ) -> list[Group]:
        """``items``: (qid, question, pair, passage key, answer text, answer span in the passage)."""
        qvecs = self.embedder.embed_queries([q for _, q, *_ in items])
        out = []
        for (qid, question, pair, key, answer, (a, b)), qvec in zip(items, qvecs, strict=True):
            p = self.passages[key]
            gold = fold(answer)
            inside = [i for i, (s, e) in enumerate(p.sentences) if s <= a < e]
            if not inside or not gold:
                continue
            pos = inside[0]
            s, e = p.sentences[pos]
            span = (a - s, min(b, e) - s)
            own = [self.candidate(key, pos, 1, span)]
            for i in range(len(p.sentences)):
                if i != pos and gold not in fold(self.sentence(key, i)):
                    own.append(self.candidate(key, i, 0, None))
            ranked = np.argsort(-(self.vectors @ qvec))
            others: list[Candidate] = []
            for u in ranked:
                k, i = self.units[int(u)]
                if k == key or gold in fold(self.sentence(k, i)):
                    continue
                others.append(self.candidate(k, i, 0, None))
                if len(others) == RETRIEVED_NEGATIVES:
                    break
            split = split_of[key]
            out.append(Group(qid, question, pair, split, answer, tuple(own + others[: RETRIEVED_NEGATIVES // 2])))
            out.append(Group(qid + "~nogold", question, pair, split, answer, tuple(others)))
        return out


def build(embedder: Embedder, xquad: Path = XQUAD_DIR, arcd: Path = ARCD_FILE) -> list[Group]:
    """Every group of XQuAD (four language pairs) and ARCD, with its split."""
    validation = xquad_validation_topics(xquad)
    raw = {lang: read_json(xquad / f"xquad.{lang}.json") for lang in ("ar", "en")}
    passages = {lang: _passages(raw[lang], f"xquad.{lang}", titled=lang == "en") for lang in ("ar", "en")}
    questions = {lang: {qa["id"]: qa for _, qas in passages[lang] for qa in qas} for lang in ("ar", "en")}
    groups: list[Group] = []
    for side in ("ar", "en"):  # the passage language
        builder = Builder([p for p, _ in passages[side]], embedder)
        split_of = {p.key: "validation" if p.topic in validation else "train" for p, _ in passages[side]}
        items = []
        for passage, qas in passages[side]:
            for qa in qas:
                span = locate(passage.text, qa["answers"][0]["text"], qa["answers"][0]["answer_start"])
                if span is None:
                    continue
                answer = passage.text[span[0] : span[1]]
                for asked in ("ar", "en"):
                    question = questions[asked][qa["id"]]["question"]
                    items.append((f"{qa['id']}:{asked}-{side}", question, f"{asked}-{side}", passage.key, answer, span))
        groups += builder.groups(items, split_of)
    if arcd.exists():
        groups += _arcd_groups(read_json(arcd), embedder)
    return groups


def _arcd_groups(raw: Any, embedder: Embedder) -> list[Group]:
    pairs = _passages(raw, "arcd", titled=True)
    titles = sorted({p.topic for p, _ in pairs})
    builder = Builder([p for p, _ in pairs], embedder)
    split_of = {p.key: f"fold{arcd_fold(p.topic, titles)}" for p, _ in pairs}
    items = []
    for passage, qas in pairs:
        for qa in qas:
            answer = qa["answers"][0]
            span = locate(passage.text, answer["text"], answer["answer_start"])
            if span is None:
                continue
            items.append((qa["id"], clean_question(qa["question"]), "arcd", passage.key,
                          passage.text[span[0] : span[1]], span))
    return builder.groups(items, split_of)


def save(groups: Sequence[Group], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for g in groups:
            f.write(json.dumps(asdict(g), ensure_ascii=False) + "\n")


def load(path: Path) -> list[Group]:
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        candidates = tuple(
            Candidate(c["sentence"], c["context"], c["label"], tuple(c["span"]) if c["span"] else None,
                      c["passage"], c["index"])
            for c in raw.pop("candidates")
        )
        groups.append(Group(**raw, candidates=candidates))
    return groups
