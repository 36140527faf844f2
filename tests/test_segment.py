"""Sentence segmentation and chunking: exact offsets, Arabic punctuation, quotes, chunk shape."""

from __future__ import annotations

import random
import re
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.documents import Chunk, Span, stable_id
from index.segment import ChunkerConfig, chunk_article, split_sentences

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u061c"
ARABIC_WORDS = ["القوات", "الأمريكية", "انسحاب", "العراق", "المفاوضات", "واشنطن", "بغداد", "الحكومة", "قاعدة"]


def _long_paragraph(chars: int = 50_000) -> str:
    rng = random.Random(7)
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < chars:
        words.append(rng.choice(ARABIC_WORDS))
    return " ".join(words)[:chars].rstrip()


HARD_TEXTS = {
    "empty": "",
    "whitespace": " \n\t\r\n \u00a0 ",
    "one_sentence": "انسحبت القوات الأمريكية من قاعدة عين الأسد.",
    "diacritics_tatweel": "إِنَّ الحُكُومَةَ العِرَاقِيَّةَ أعلنـــت انسحاب القوات. وانتهى الأمر",
    "mixed_scripts": "أعلن البنتاغون (Pentagon) أن 2.5 مليون دولار، أي $2,500,000، خُصصت لـ U.S. forces.",
    "long_paragraph": _long_paragraph(),
    "crlf": "العنوان\r\nالجملة الأولى. الجملة الثانية\r\n\r\nفقرة ثانية؟ نعم!\r\n",
    "punctuation_only": "... !!! ؟؟ . «» —",
    "quotes": 'قال «هذا "مهم. جداً» وانتهى. “Unbalanced. text\n«open. again" he said. “ok.” «a «b. c» d.» e',
    "invisible": "\u200fمرحبا.\u200b \ufeffجملة\u200e\n\u200b\n",
}
CASES = {**{p.name: p.read_text(encoding="utf-8") for p in SEEDS}, **HARD_TEXTS}


def _text(text: str, span: Span | Chunk) -> str:
    return text[span.start : span.end]


def _words(text: str) -> int:
    return len(text.split())


def check_sentences(text: str, spans: list[Span], max_words: int) -> None:
    """Ordered, disjoint, trimmed, one line each, capped, and covering every visible character."""
    covered = bytearray(len(text))
    last_end = 0
    for span in spans:
        piece = _text(text, span)
        assert span.start >= last_end
        assert piece and piece == piece.strip() and piece.strip(INVISIBLE) == piece
        assert not any(c in LINE_BREAKS for c in piece)
        assert _words(piece) <= max_words
        covered[span.start : span.end] = b"\x01" * len(piece)
        last_end = span.end
    for i, c in enumerate(text):
        if not covered[i]:
            assert c.isspace() or c in INVISIBLE, f"{c!r} at {i} is in no sentence"


def check_chunks(text: str, chunks: list[Chunk], config: ChunkerConfig, salt: str = "salt") -> None:
    """Exact text, word cap, whole consecutive sentences, full coverage, overlap, progress."""
    sentences = split_sentences(text, config.max_sentence_words)
    seen: list[Span] = []
    for n, chunk in enumerate(chunks):
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.id == stable_id(salt, chunk.start, chunk.end)
        assert chunk.sentences and chunk.start == chunk.sentences[0].start
        assert chunk.end == chunk.sentences[-1].end
        assert _words(chunk.text) <= config.max_words
        first = sentences.index(chunk.sentences[0])
        assert list(chunk.sentences) == sentences[first : first + len(chunk.sentences)]
        if n:
            prev = chunks[n - 1]
            shared = [s for s in chunk.sentences if s in prev.sentences]
            assert shared == list(prev.sentences[len(prev.sentences) - len(shared) :])
            assert len(shared) <= config.overlap_sentences
            assert len(shared) < len(chunk.sentences), "a chunk must add a new sentence"
        seen.extend(s for s in chunk.sentences if s not in seen)
    assert seen == sentences
    assert len({c.id for c in chunks}) == len(chunks)


@pytest.mark.parametrize("name", sorted(CASES))
def test_offset_invariants(name: str) -> None:
    text = CASES[name]
    config = ChunkerConfig()
    spans = split_sentences(text)
    check_sentences(text, spans, max_words=60)
    chunks = chunk_article("doc", text, config, salt="salt")
    check_chunks(text, chunks, config)
    assert all(c.doc_id == "doc" for c in chunks)
    for prev, chunk in pairwise(chunks):
        if len(prev.sentences) > 1 and len(chunk.sentences) > 1:
            assert len(set(prev.sentences) & set(chunk.sentences)) == config.overlap_sentences


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_chunks_are_sized_sensibly(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    config = ChunkerConfig()
    chunks = chunk_article(path.stem, text, config, salt="s")
    assert len(chunks) >= 3
    assert all(40 <= _words(c.text) <= config.max_words for c in chunks)


def _split(text: str, max_words: int = 60) -> list[str]:
    return [_text(text, s) for s in split_sentences(text, max_words)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("بلغ النمو 2.5% و٢٫٥ و3,000 دولار. ثم تراجع", ["بلغ النمو 2.5% و٢٫٥ و3,000 دولار.", "ثم تراجع"]),
        ("قال «انسحبنا. لن نعود؟ أبداً» ثم غادر. انتهى", ["قال «انسحبنا. لن نعود؟ أبداً» ثم غادر.", "انتهى"]),
        ("قال الوزير «انسحبنا. لن نعود؟» وغادر.", ["قال الوزير «انسحبنا. لن نعود؟»", "وغادر."]),
        ("هل انسحبت القوات؟ نعم؛ انسحبت! انتهى.", ["هل انسحبت القوات؟", "نعم؛", "انسحبت!", "انتهى."]),
        ("العنوان\nالجملة الأولى\n\n\nالجملة الثانية", ["العنوان", "الجملة الأولى", "الجملة الثانية"]),
        ('هل هذا صحيح؟! نعم...! قال: "انتهى". ثم', ["هل هذا صحيح؟!", "نعم...!", 'قال: "انتهى".', "ثم"]),
        ("انتظر… ثم تكلم", ["انتظر…", "ثم تكلم"]),
        ("زار د. أحمد بغداد. ثم عاد", ["زار د. أحمد بغداد.", "ثم عاد"]),
        ("The page sets window.__data. Then it loads.", ["The page sets window.__data.", "Then it loads."]),
        ("He met Gen. Smith and Mr. Jones in the U.S. capital. Then he left.",
         ["He met Gen. Smith and Mr. Jones in the U.S. capital.", "Then he left."]),
        ("Visit www.site.com today. Ok", ["Visit www.site.com today.", "Ok"]),
        ('"Why?" he asked. Fine.', ['"Why?" he asked.', "Fine."]),
        ("وقع ذلك عام 2021م. ثم عاد", ["وقع ذلك عام 2021م.", "ثم عاد"]),
        ("انتهى.وأضاف أن", ["انتهى.", "وأضاف أن"]),
        ("قال «لن ننسحب. ثم غادر. وانتهى", ["قال «لن ننسحب.", "ثم غادر.", "وانتهى"]),
        ('قال "بداية\nجملة. أخرى."', ['قال "بداية', "جملة.", 'أخرى."']),
        ("انتهى. !!! ثم", ["انتهى. !!!", "ثم"]),
    ],
)  # fmt: skip
def test_sentence_rules(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


def test_overlong_sentence_cut_at_clause_mark() -> None:
    words = [f"كلمة{i}" for i in range(70)]
    words[39] += "،"
    text = " ".join(words) + "."
    pieces = _split(text, max_words=60)
    assert [len(p.split()) for p in pieces] == [40, 30]
    assert pieces[0].endswith("،")


def test_overlong_sentence_without_marks_is_balanced_and_cut_between_words() -> None:
    text = " ".join(f"w{i}" for i in range(61))
    spans = split_sentences(text, max_words=60)
    assert [_words(_text(text, s)) for s in spans] == [31, 30]
    for span in spans[:-1]:
        assert text[span.end].isspace()


def test_max_words_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_words"):
        split_sentences("نص.", max_words=0)


def test_config_defaults_validation_and_manifest() -> None:
    config = ChunkerConfig()
    assert config.as_dict() == {
        "target_words": 120,
        "max_words": 150,
        "min_words": 80,
        "overlap_sentences": 1,
        "max_sentence_words": 60,
    }
    assert ChunkerConfig.for_target(120) == config
    small = ChunkerConfig.for_target(8, overlap_sentences=0)
    assert small.max_words == 10 and small.min_words == 5 and small.max_sentence_words == 10
    for bad in (
        {"min_words": 130},
        {"target_words": 200},
        {"min_words": 0},
        {"overlap_sentences": -1},
        {"max_sentence_words": 0},
        {"max_sentence_words": 151},
    ):
        with pytest.raises(ValueError):
            ChunkerConfig(**bad)
    with pytest.raises(ValueError):
        ChunkerConfig.for_target(0)


def _sentences(counts: list[int]) -> str:
    return " ".join(" ".join(["كلمة"] * (n - 1) + [f"نهاية{i}."]) for i, n in enumerate(counts))


def test_short_article_is_one_chunk_and_blank_text_none() -> None:
    config = ChunkerConfig()
    text = _sentences([10] * 14)  # 140 words: the tail is absorbed instead of split off
    assert [len(c.sentences) for c in chunk_article("d", text, config, "s")] == [14]
    assert chunk_article("d", "", config, "s") == []
    assert chunk_article("d", " \n\t ", config, "s") == []


def test_last_chunk_is_rebalanced_not_a_small_tail() -> None:
    config = ChunkerConfig()
    text = _sentences([10] * 17)  # greedy would leave 120 + 60 words
    chunks = chunk_article("d", text, config, "s")
    assert [_words(c.text) for c in chunks] == [90, 90]
    check_chunks(text, chunks, config, salt="s")


def test_overlap_two_sentences() -> None:
    config = ChunkerConfig(
        overlap_sentences=2, target_words=40, min_words=30, max_words=60, max_sentence_words=20
    )
    text = _sentences([10] * 30)
    chunks = chunk_article("d", text, config, "s")
    check_chunks(text, chunks, config, salt="s")
    assert all(len(set(a.sentences) & set(b.sentences)) == 2 for a, b in pairwise(chunks))


def test_chunk_ids_follow_content_hash() -> None:
    text = CASES[SEEDS[0].name]
    a = chunk_article("d", text, ChunkerConfig(), "hash1")
    assert [c.id for c in a] == [c.id for c in chunk_article("d", text, ChunkerConfig(), "hash1")]
    assert not {c.id for c in a} & {c.id for c in chunk_article("d", text, ChunkerConfig(), "hash2")}


FRAGMENTS = [
    *ARABIC_WORDS, "ِ", "ـ", "Pentagon", "U.S.", "Dr.", "د.", "www.site.com", "2.5", "٢٫٥", "3,000", "2021م",
    ".", "!", "?", "؟", "؛", "…", "...", "،", ",", ":", "«", "»", "“", "”", '"', "'", "(", ")", "—",
    " ", " ", " ", "  ", "\t", "\n", "\r\n", "\n\n", "\u00a0", "\u200b", "\u200f",
]  # fmt: skip
TEXTS = st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join)
FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(text=TEXTS, max_words=st.integers(1, 12))
def test_property_sentence_invariants(text: str, max_words: int) -> None:
    check_sentences(text, split_sentences(text, max_words), max_words)


@FAST
@given(
    text=TEXTS,
    overlap=st.integers(0, 3),
    sizes=st.tuples(st.integers(1, 6), st.integers(0, 6), st.integers(0, 8), st.integers(1, 14)).filter(
        lambda t: t[3] <= t[0] + t[1] + t[2]
    ),
)
def test_property_chunk_invariants(text: str, overlap: int, sizes: tuple[int, int, int, int]) -> None:
    low, to_target, to_max, sentence_cap = sizes
    config = ChunkerConfig(
        min_words=low,
        target_words=low + to_target,
        max_words=low + to_target + to_max,
        overlap_sentences=overlap,
        max_sentence_words=sentence_cap,
    )
    check_chunks(text, chunk_article("d", text, config, "salt"), config)


CONFIGS = st.builds(
    lambda low, to_target, to_max, cap, overlap: ChunkerConfig(
        min_words=low, target_words=low + to_target, max_words=low + to_target + to_max,
        max_sentence_words=min(cap, low + to_target + to_max), overlap_sentences=overlap,
    ),
    st.integers(1, 30), st.integers(0, 30), st.integers(0, 30), st.integers(1, 40), st.integers(0, 3),
)  # fmt: skip


@settings(max_examples=400, deadline=None, database=None)
@given(config=CONFIGS, counts=st.lists(st.integers(1, 40), max_size=40))
def test_property_chunking_over_sentence_lengths(config: ChunkerConfig, counts: list[int]) -> None:
    counts = [min(n, config.max_sentence_words) for n in counts]
    text = _sentences(counts)
    chunks = chunk_article("d", text, config, "salt")
    check_chunks(text, chunks, config)
    assert bool(chunks) == bool(counts)


def test_tail_is_absorbed_only_within_max_words() -> None:
    config = ChunkerConfig()
    text = _sentences([10] * 15 + [3])  # 153 words: one chunk would pass max_words
    chunks = chunk_article("d", text, config, "s")
    assert len(chunks) == 2
    check_chunks(text, chunks, config, salt="s")


def test_overlap_never_makes_a_chunk_without_new_sentences() -> None:
    config = ChunkerConfig(
        min_words=4, target_words=5, max_words=12, overlap_sentences=2, max_sentence_words=3
    )
    text = _sentences([3] * 8)  # the two overlap sentences alone reach the target
    check_chunks(text, chunk_article("d", text, config, "s"), config, salt="s")


def test_no_sentence_crosses_any_line_break() -> None:
    text = "أ\rب\vج\fد\x85هـ\u2028و\u2029ز"
    assert len(split_sentences(text)) == 7
    assert not re.search(f"[{LINE_BREAKS}]", "".join(_split(text)))
