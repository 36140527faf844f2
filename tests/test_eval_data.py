"""The hand-written evaluation data in eval/data/ agrees with the cleaned text of the seed articles.

Fast and model-free: reads the seeds with ``read_article`` and checks every gold string, key-fact
phrase and reference summary against them.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from index.ingest import read_article

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = ROOT / "eval" / "data"

FIELDS = {"id", "question", "language", "answerable", "doc_ids", "answers", "scope", "kind"}
KINDS = {"name", "figure", "date", "place", "fact"}
ID_PREFIX = {(True, "ar"): "ar-", (True, "en"): "en-", (False, "ar"): "ar-un-", (False, "en"): "en-un-"}


@cache
def texts() -> dict[str, str]:
    return {path.stem: read_article(path).text for path in sorted(SEEDS.glob("*.txt"))}


@cache
def questions() -> tuple[dict, ...]:
    lines = (DATA / "seeds_questions.jsonl").read_text(encoding="utf-8").splitlines()
    return tuple(json.loads(line) for line in lines if line.strip())


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _has_arabic(s: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in s)


def test_seeds_present() -> None:
    assert len(texts()) == 5


def test_question_fields_and_ids() -> None:
    rows = questions()
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    for row in rows:
        assert set(row) == FIELDS, row["id"]
        assert row["language"] in {"ar", "en"}, row["id"]
        assert row["scope"] in {"single", "cross"}, row["id"]
        assert row["kind"] in KINDS, row["id"]
        assert isinstance(row["answerable"], bool), row["id"]
        assert row["question"].strip(), row["id"]
        prefix = ID_PREFIX[(row["answerable"], row["language"])]
        rest = row["id"].removeprefix(prefix)
        assert row["id"].startswith(prefix) and rest.isdigit(), row["id"]
        assert _has_arabic(row["question"]) == (row["language"] == "ar"), row["id"]


def test_question_counts() -> None:
    rows = questions()
    langs = Counter(row["language"] for row in rows)
    assert len(rows) >= 40
    assert langs["ar"] >= 15 and langs["en"] >= 15, langs
    assert sum(not row["answerable"] for row in rows) >= 8
    assert sum(row["scope"] == "cross" for row in rows) >= 8
    assert {row["kind"] for row in rows if row["answerable"]} == KINDS


@pytest.mark.parametrize("row", [r for r in questions() if r["answerable"]], ids=lambda r: r["id"])
def test_answerable_gold_strings_are_verbatim(row: dict) -> None:
    docs = row["doc_ids"]
    assert docs and len(docs) == len(set(docs))
    assert set(docs) <= set(texts()), docs
    assert 1 <= len(row["answers"]) <= 3
    for gold in row["answers"]:
        assert gold == gold.strip() and 1 <= len(gold.split()) <= 6, gold
        assert any(gold in texts()[d] for d in docs), f"{gold!r} is in none of {docs}"
    for d in docs:
        assert any(gold in texts()[d] for gold in row["answers"]), f"no gold string in {d}"
    # Every article that contains a gold string is listed, so doc_ids can serve as retrieval truth.
    containing = {d for d, text in texts().items() if any(gold in text for gold in row["answers"])}
    assert containing == set(docs), sorted(containing)
    assert row["scope"] == ("cross" if len(docs) > 1 else "single")


def test_unanswerable_have_no_gold() -> None:
    for row in questions():
        if not row["answerable"]:
            assert row["doc_ids"] == [] and row["answers"] == [], row["id"]


def test_keyfacts() -> None:
    keyfacts = _load("seeds_keyfacts.json")
    assert set(keyfacts) == set(texts())
    for doc_id, facts in keyfacts.items():
        assert 3 <= len(facts) <= 6, doc_id
        for fact in facts:
            assert set(fact) == {"fact", "match"} and fact["fact"].strip(), doc_id
            assert 1 <= len(fact["match"]) <= 3, fact["fact"]
            for phrase in fact["match"]:
                assert 2 <= len(phrase.split()) <= 6, phrase
                assert phrase in texts()[doc_id], f"{doc_id}: {phrase!r}"


def test_reference_summaries() -> None:
    summaries = _load("seeds_reference_summaries.json")
    assert set(summaries) == set(texts())
    for doc_id, summary in summaries.items():
        assert _has_arabic(summary), doc_id
        assert summary.strip() not in texts()[doc_id], f"{doc_id}: summary copies the article"
        assert 2 <= summary.count(".") <= 4, doc_id
