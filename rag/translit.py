"""Match names across scripts: "Ain al-Asad" ~ «عين الأسد», "Sudani" ~ «السوداني», by consonant skeletons.

Dense embeddings are vague about names asked in English against Arabic text, and word overlap is
nil, so both sides are reduced to the consonants a transliteration keeps (vowels, long-vowel
letters and hamza/ain carriers dropped, sound-alike letters merged). Pure functions; no ranking.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

MIN_SKELETON = 3  # two consonants match far too many unrelated words

_ARABIC = {
    **dict.fromkeys("اأإآٱءؤئىعويةـ", ""),
    "ب": "b", "پ": "b", "ت": "t", "ث": "t", "ج": "j", "ح": "h", "خ": "x", "د": "d", "ذ": "d",
    "ر": "r", "ز": "z", "س": "s", "ش": "S", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g",
    "ف": "f", "ڤ": "f", "ق": "k", "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h", "چ": "S",
}
_LATIN_DIGRAPHS = (("sh", "S"), ("ch", "S"), ("kh", "x"), ("gh", "g"), ("th", "t"), ("dh", "d"), ("ph", "f"),
                   ("ck", "k"), ("ou", "w"))
_LATIN = {**dict.fromkeys("aeiouyw'`’", ""), "q": "k", "c": "k", "p": "b", "v": "f", "x": "ks", "j": "j"}
_ARABIC_ARTICLE = re.compile(r"^(?:وال|بال|فال|كال|لل|ال)(?=\w{3})")
_LATIN_ARTICLES = frozenset({"al", "el", "ad", "as", "ash", "ar", "az", "at", "an", "ed", "es", "ez", "ul"})
_PROCLITIC = re.compile(r"^[وف]?[بلك]?(?=\w{3})|^[وف](?=\w{3})")
_ARABIC_WORD = re.compile(r"[\u0621-\u064a\u0671-\u06d3]+")
_LATIN_WORD = re.compile(r"[A-Za-z'’`]+(?:-[A-Za-z'’`]+)*")
_DIACRITICS = re.compile(r"[\u064b-\u0652\u0670\u0640]")


def _collapse(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def arabic_skeleton(word: str) -> str:
    word = _ARABIC_ARTICLE.sub("", _DIACRITICS.sub("", word))
    return _collapse("".join(_ARABIC.get(ch, "") for ch in word))


def latin_skeleton(word: str) -> str:
    word = word.lower()
    for digraph, sound in _LATIN_DIGRAPHS:
        word = word.replace(digraph, sound)
    return _collapse("".join(_LATIN.get(ch, ch) for ch in word if ch.isalpha() or ch in "'’`"))


def arabic_skeletons(text: str) -> frozenset[str]:
    """Skeletons of each Arabic word and of each adjacent pair (multi-word names).

    A word with a one-letter proclitic (و ب ل ف ك: «لكتائب», «وبغداد») also yields the skeleton
    without it; pairs use the stripped forms.
    """
    words = [_DIACRITICS.sub("", w) for w in _ARABIC_WORD.findall(text)]
    full = [arabic_skeleton(w) for w in words]
    stripped = [arabic_skeleton(_PROCLITIC.sub("", w)) for w in words]
    return _with_pairs(full) | _with_pairs(stripped)


def latin_name_skeletons(question: str, stopwords: Iterable[str] = ()) -> frozenset[str]:
    """Skeletons of the name-like words of an English question (capitalised, not sentence-initial)."""
    stop = {w.lower() for w in stopwords}
    words = _LATIN_WORD.findall(question)
    parts: list[str] = []
    names: list[bool] = []
    for i, raw in enumerate(words):
        pieces = [p for p in raw.split("-") if p]
        if len(pieces) > 1 and pieces[0].lower() in _LATIN_ARTICLES:
            pieces = pieces[1:]
        is_name = raw[0].isupper() and (i > 0) and raw.lower() not in stop
        for piece in pieces:
            parts.append(latin_skeleton(piece))
            names.append(is_name or (piece[0].isupper() and i > 0))
    keep = [p if n else "" for p, n in zip(parts, names, strict=True)]
    return _with_pairs(keep)


def _with_pairs(parts: list[str]) -> frozenset[str]:
    out = {p for p in parts if len(p) >= MIN_SKELETON}
    out |= {a + b for a, b in itertools.pairwise(parts) if a and b and len(a + b) >= MIN_SKELETON}
    return frozenset(out)
