"""Loading the evaluation sets: seeds gold data, XQuAD Arabic/English, and the no-gold abstention variant."""

from __future__ import annotations

import pytest

from eval.quality import datasets
from index.errors import SanadError
from rag.reading.training.splits import xquad_validation_topics


@pytest.fixture(scope="module")
def xquad_ar() -> datasets.Dataset:
    return datasets.load("xquad-ar")


@pytest.fixture(scope="module")
def xquad_en() -> datasets.Dataset:
    return datasets.load("xquad-en")


def test_names() -> None:
    assert datasets.names("all") == ["seeds", "varieties", "xquad-ar", "xquad-en", "arcd", "varieties-arcd"]
    assert datasets.names("xquad-en") == ["xquad-en"]
    with pytest.raises(SanadError, match="unknown dataset"):
        datasets.names("squad")


def test_seeds() -> None:
    ds = datasets.load("seeds")
    assert len(ds.articles) == 5 and len(ds.questions) == 79
    assert ds.languages == ["ar", "en"]
    assert sum(not q.answerable for q in ds.questions) == 14
    texts = {a.doc_id: a.text for a in ds.articles}
    for q in ds.questions:
        assert all(any(g in texts[d] for g in q.answers) for d in q.doc_ids), q.id
    assert set(ds.keyfacts) == set(ds.references) == set(texts)
    assert datasets.load("seeds", limit=5).questions == ds.questions[:5]


def test_xquad_corpus_and_questions(xquad_ar: datasets.Dataset, xquad_en: datasets.Dataset) -> None:
    assert len(xquad_ar.articles) == 240
    assert xquad_ar.articles[0].doc_id == "xquad-000" and xquad_ar.articles[-1].doc_id == "xquad-239"
    assert xquad_ar.articles == xquad_en.articles  # one corpus, one index
    assert xquad_ar.corpus == xquad_en.corpus == "xquad"
    texts = {a.doc_id: a.text for a in xquad_ar.articles}
    for ds, language in ((xquad_ar, "ar"), (xquad_en, "en")):
        plain = [q for q in ds.questions if q.source_id is None]
        assert len(plain) == 1190
        assert {q.language for q in ds.questions} == {language}
        for q in plain:
            assert q.answerable and len(q.doc_ids) == 1 and q.answers
            assert all(a in texts[q.doc_ids[0]] for a in q.answers), q.id  # Arabic gold, in the paragraph


def test_english_questions_match_arabic_by_id(xquad_ar: datasets.Dataset, xquad_en: datasets.Dataset) -> None:
    ar = {q.id: q for q in xquad_ar.questions}
    en = {q.id: q for q in xquad_en.questions}
    assert ar.keys() == en.keys()
    sample = next(iter(en.values()))
    assert sample.question.isascii() and not ar[sample.id].question.isascii()
    assert all(en[i].answers == ar[i].answers and en[i].doc_ids == ar[i].doc_ids for i in ar)


def test_nogold_variant(xquad_ar: datasets.Dataset, xquad_en: datasets.Dataset) -> None:
    variant = [q for q in xquad_ar.questions if q.source_id is not None]
    asked = [q for q in xquad_ar.questions if q.ask and q.source_id is None]
    assert len(variant) == min(len(asked), datasets.NOGOLD_SAMPLE)
    sources = {q.id: q for q in xquad_ar.questions if q.source_id is None}
    for q in variant:
        assert q.source_id is not None and sources[q.source_id].ask  # drawn from the held-out questions
        gold = sources[q.source_id].doc_ids[0]
        assert not q.answerable and q.doc_ids == () and q.answers == ()
        assert q.allowed is not None and gold not in q.allowed and len(q.allowed) == 239
        assert q.question == sources[q.source_id].question
    en_sources = [q.source_id for q in xquad_en.questions if q.source_id is not None]
    assert en_sources == [q.source_id for q in variant]  # the same questions in both languages


def test_ask_answers_the_held_out_topics_only(xquad_ar: datasets.Dataset, xquad_en: datasets.Dataset) -> None:
    """`ask` is evaluated on the XQuAD topics the reader never trained on (rag/reading/training/splits.py)."""
    topics = {t.replace("_", " ") for t in xquad_validation_topics()}  # article titles have spaces
    title = {a.doc_id: a.title for a in xquad_ar.articles}
    for ds in (xquad_ar, xquad_en):
        plain = [q for q in ds.questions if q.source_id is None]
        asked = [q for q in plain if q.ask]
        assert 0 < len(asked) < len(plain)
        assert all(title[q.doc_ids[0]] in topics for q in asked)
        assert not any(title[q.doc_ids[0]] in topics for q in plain if not q.ask)
    assert [q.id for q in xquad_ar.questions if q.ask] == [q.id for q in xquad_en.questions if q.ask]
    assert datasets.heldout_xquad_ids() == {q.id for q in xquad_en.questions if q.ask and q.source_id is None}
    sample = datasets.load("xquad-ar", answer_sample=50)
    assert sum(q.ask and q.source_id is None for q in sample.questions) == 50


def test_limit_applies_before_the_variant() -> None:
    ds = datasets.load("xquad-en", limit=400)
    plain = [q for q in ds.questions if q.source_id is None]
    variant = [q for q in ds.questions if q.source_id is not None]
    assert len(plain) == 400 and 0 < len(variant) == sum(q.ask for q in plain)
    assert {q.source_id for q in variant} == {q.id for q in plain if q.ask}
    assert len([q for q in datasets.load("xquad-en", limit=400, nogold_sample=5).questions if q.source_id]) == 5


@pytest.mark.parametrize("name", ["varieties", "varieties-arcd"])
def test_varieties_pairs_each_rewrite_with_its_msa_original(name: str) -> None:
    from eval.quality.scoring import groups

    data = datasets.load(name)  # type: ignore[arg-type]
    rewrites = [q for q in data.questions if q.variety != "msa"]
    originals = {q.id: q for q in data.questions if q.variety == "msa"}
    assert {q.variety for q in rewrites} == {"iraqi", "gulf", "levantine", "egyptian", "maghrebi", "arabizi"}
    assert all(sum(q.variety == v for q in rewrites) >= 20 for v in {q.variety for q in rewrites})
    for q in rewrites:
        msa = originals[q.original or ""]
        assert (q.answers, q.doc_ids, q.answerable) == (msa.answers, msa.doc_ids, msa.answerable)
        assert q.question != msa.question
    grouped = groups(data)
    assert [q.original for q in grouped[f"{name}/iraqi"]] == [q.id for q in grouped[f"{name}/iraqi/msa"]]
