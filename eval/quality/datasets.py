"""The evaluation sets as plain values: a corpus of articles and gold questions over it.

Three sources: the hand-written seeds set (eval/data/seeds_*) over ``seeds/``, XQuAD's Arabic
paragraphs with their Arabic and English questions, and ARCD's paragraphs with its natural Arabic
questions. XQuAD and ARCD answers are measured on the articles the reader never trained on
(rag/reading/training/splits.py); every question is retrieved. Loads and shapes data only; does
not index, ask or score (see eval/quality/evaluate.py and eval/quality/metrics.py).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from index.documents import Article
from index.errors import SanadError
from index.ingest import load_articles
from rag.reading.training import squad
from rag.reading.training.splits import ARCD_FILE, ARCD_HELD_OUT, XQUAD_DIR
from rag.types import Language

EVAL = Path(__file__).resolve().parents[1]  # eval/: its data/ and reports/
DATA = EVAL / "data"
SEEDS = EVAL.parent / "seeds"

DatasetName = Literal["seeds", "varieties", "xquad-ar", "xquad-en", "arcd", "varieties-arcd"]
DATASETS: tuple[DatasetName, ...] = ("seeds", "varieties", "xquad-ar", "xquad-en", "arcd", "varieties-arcd")
ANSWER_SAMPLE: int | None = None  # held-out questions `ask` answers (None: all of them)
NOGOLD_SAMPLE = 400  # of those, asked again without their paragraph (the abstention test)
SAMPLE_SEED = 13
NOGOLD_SUFFIX = "~nogold"


@dataclass(frozen=True)
class Question:
    """One gold question. ``allowed`` set means: ask with ``doc_ids=allowed`` (a doc filter)."""

    id: str
    question: str
    language: Language
    answerable: bool
    doc_ids: tuple[str, ...]  # the gold articles (retrieval truth); empty when unanswerable
    answers: tuple[str, ...]  # gold strings, any one counts; empty when unanswerable
    kind: str = "fact"
    scope: str = "single"
    allowed: tuple[str, ...] | None = None
    source_id: str | None = None  # a derived variant: the id of the question it was made from
    ask: bool = True  # False: only the retrieval systems run (outside the answer sample)
    variety: str | None = None  # varieties set: "msa" for an original, else its dialect or "arabizi"
    original: str | None = None  # varieties set: the id of the MSA original a rewrite was made from


@dataclass(frozen=True)
class KeyFact:
    fact: str
    match: tuple[str, ...]  # verbatim phrases; any one in a summary covers the fact


@dataclass(frozen=True)
class Dataset:
    """Articles and questions; datasets with the same ``corpus`` share one evaluation index."""

    name: DatasetName
    corpus: str
    articles: tuple[Article, ...]
    questions: tuple[Question, ...]
    keyfacts: Mapping[str, tuple[KeyFact, ...]] = field(default_factory=dict)
    references: Mapping[str, str] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        return sorted({q.language for q in self.questions})


def names(choice: str) -> list[DatasetName]:
    """The datasets behind a ``--dataset`` choice (``all`` is every one)."""
    if choice == "all":
        return list(DATASETS)
    if choice not in DATASETS:
        raise SanadError(f"unknown dataset {choice!r}; choose from {[*DATASETS, 'all']}")
    return [choice]  # type: ignore[list-item]


def load(
    name: DatasetName,
    limit: int | None = None,
    answer_sample: int | None = ANSWER_SAMPLE,
    nogold_sample: int = NOGOLD_SAMPLE,
) -> Dataset:
    """Load ``name``; ``limit`` keeps the first N questions, before any sample is drawn.

    XQuAD and ARCD: every question is retrieved; the questions on held-out articles (the reader
    never trained on them; rag/reading/training/splits.py) are answered with ``ask`` (a fixed sample of
    ``answer_sample`` of them when given), and ``nogold_sample`` of those are asked again without
    their gold paragraph. The seeds set is small and always answered in full.
    """
    whole: dict[str, Callable[[], Dataset]] = {
        "seeds": load_seeds, "varieties": load_varieties, "varieties-arcd": load_arcd_varieties,
    }
    if name in whole:
        data = whole[name]()
        return replace(data, questions=data.questions[:limit])
    if name == "arcd":
        data, held_out = load_arcd()
    else:
        language: Language = "ar" if name == "xquad-ar" else "en"
        data, held_out = load_xquad(language)
    questions = data.questions[:limit]
    candidates = [i for i, q in enumerate(questions) if q.id in held_out]
    if answer_sample is not None:
        candidates = [candidates[i] for i in _sample(len(candidates), answer_sample)]
    chosen = set(candidates)
    questions = tuple(q if i in chosen else replace(q, ask=False) for i, q in enumerate(questions))
    asked = tuple(q for q in questions if q.ask)
    ids = tuple(a.doc_id for a in data.articles)
    return replace(data, questions=questions + nogold_variant(asked, ids, nogold_sample))


def _sample(population: int, n: int, seed: int = SAMPLE_SEED) -> list[int]:
    """``n`` sorted positions out of ``population``, the same for every language (fixed seed)."""
    return sorted(random.Random(seed).sample(range(population), min(n, population)))


def load_seeds(seeds: Path = SEEDS, data: Path = DATA) -> Dataset:
    """The seed articles (read as ``sanad index`` reads them) and their hand-written gold data."""
    articles, errors = load_articles([seeds])
    if errors or not articles:
        raise SanadError(f"cannot read the seed articles in {seeds}: {errors[0] if errors else 'none found'}")
    known = {a.doc_id for a in articles}
    path = data / "seeds_questions.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SanadError(f"cannot read evaluation data {path}: {exc}") from exc
    questions = []
    for line in lines:
        if not line.strip():
            continue
        row = json.loads(line)
        unknown = set(row["doc_ids"]) - known
        if unknown:
            raise SanadError(f"{path}: question {row['id']} names unknown articles {sorted(unknown)}")
        questions.append(
            Question(
                id=row["id"], question=row["question"], language=row["language"], answerable=row["answerable"],
                doc_ids=tuple(row["doc_ids"]), answers=tuple(row["answers"]), kind=row["kind"], scope=row["scope"],
            )
        )
    keyfacts = {
        doc: tuple(KeyFact(f["fact"], tuple(f["match"])) for f in facts)
        for doc, facts in squad.read_json(data / "seeds_keyfacts.json").items()
    }
    references = dict(squad.read_json(data / "seeds_reference_summaries.json"))
    return Dataset("seeds", "seeds", tuple(articles), tuple(questions), keyfacts, references)


def load_varieties(data: Path = DATA) -> Dataset:
    """The seeds set's Arabic questions as people type them (eval/data/varieties/README.md), each
    after its MSA original (variety "msa"), over the seed articles."""
    return _varieties("varieties", load_seeds(data=data), data / "varieties" / "seeds_varieties.jsonl")


def load_arcd_varieties(data: Path = DATA) -> Dataset:
    """Held-out ARCD questions as people type them, each after its MSA original, over ARCD's
    paragraphs: the same test as ``load_varieties`` on text the seeds set's writer never saw."""
    arcd, _ = load_arcd()
    return _varieties("varieties-arcd", arcd, data / "varieties" / "arcd_varieties.jsonl")


def _varieties(name: DatasetName, base: Dataset, path: Path) -> Dataset:
    """``base``'s questions that ``path`` rewrites, as variety "msa", followed by their rewrites."""
    originals = {q.id: q for q in base.questions}
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except (OSError, ValueError) as exc:
        raise SanadError(f"cannot read evaluation data {path}: {exc}") from exc
    unknown = [r["id"] for r in rows if r["original"] not in originals]
    if unknown:
        raise SanadError(f"{path}: {unknown[0]} rewrites a question the {base.name} set does not have")
    used = sorted({r["original"] for r in rows}, key=list(originals).index)
    questions = [replace(originals[o], id=f"msa-{o}", variety="msa") for o in used]
    questions += [replace(originals[r["original"]], id=r["id"], question=r["question"], variety=r["variety"],
                          original=f"msa-{r['original']}") for r in rows]
    return Dataset(name, base.corpus, base.articles, tuple(questions))


def load_xquad(language: Language, folder: Path = XQUAD_DIR) -> tuple[Dataset, frozenset[str]]:
    """The 240 Arabic paragraphs as articles, the ``language`` questions about them (with the Arabic
    gold answers), and the ids of the questions on held-out topics (rag/reading/training/squad.py)."""
    corpus = squad.xquad(language, folder)
    dataset = Dataset(f"xquad-{language}", corpus.name, corpus.articles, _questions(corpus, language))  # type: ignore[arg-type]
    return dataset, corpus.held_out


def load_arcd(path: Path = ARCD_FILE, fold: int = ARCD_HELD_OUT) -> tuple[Dataset, frozenset[str]]:
    """ARCD's 231 paragraphs as articles, its 693 natural Arabic questions, and the ids of those on
    the articles of the held-out fold."""
    corpus = squad.arcd(path, fold)
    return Dataset("arcd", corpus.name, corpus.articles, _questions(corpus, "ar")), corpus.held_out


def _questions(corpus: squad.Corpus, language: Language) -> tuple[Question, ...]:
    return tuple(Question(id=g.id, question=g.question, language=language, answerable=True, doc_ids=(g.doc_id,),
                          answers=g.answers) for g in corpus.questions)


def nogold_variant(
    questions: tuple[Question, ...], doc_ids: tuple[str, ...], n: int = NOGOLD_SAMPLE, seed: int = SAMPLE_SEED
) -> tuple[Question, ...]:
    """A fixed sample of answerable questions, asked with their gold articles filtered out.

    The filter restricts retrieval to the other articles, so the right response is to abstain:
    the answer is not in the allowed articles. The same seed picks the same ids in every language.
    """
    pool = [q for q in questions if q.answerable]
    out = []
    for i in _sample(len(pool), n, seed):
        q = pool[i]
        allowed = tuple(d for d in doc_ids if d not in q.doc_ids)
        out.append(replace(q, id=q.id + NOGOLD_SUFFIX, answerable=False, doc_ids=(), answers=(),
                           allowed=allowed, source_id=q.id))
    return tuple(out)


def heldout_xquad_ids(answer_sample: int | None = ANSWER_SAMPLE) -> frozenset[str]:
    """XQuAD question ids on which ``ask`` and abstention are evaluated (the same in both languages).

    Anything fitted on XQuAD (e.g. the abstention model) must leave these out, or the evaluation
    measures its own training data.
    """
    return frozenset(q.id for q in load("xquad-ar", answer_sample=answer_sample).questions
                     if q.ask and q.source_id is None)
