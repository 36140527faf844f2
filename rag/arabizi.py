"""Arabizi (Arabic typed in Latin letters and digits) back into Arabic script.

"kam 3adad el jnood el amrikan bel 3iraq?" is Arabic; an English reader of it would find nothing.
Each Latin word is spelled out letter by letter into every Arabic spelling it could stand for (a
digit is a letter Latin lacks: 3 ع, 7 ح, 2 ء, 5 خ, 9 ق/ص, 6 ط, 8 غ; a short vowel may or may not be
written), and the spelling kept is the one the collection itself uses most: the index's BM25 terms
are exactly the words that can match. Question words, which the collection seldom has, are kept when
they are a dialect word rag/dialect.py knows or an MSA stopword. A word with no known spelling is
left in Latin letters (names and acronyms often are).

The letter values follow the common chat conventions described by Yaghan, "Arabizi: A Contemporary
Style of Arabic Slang", *Design Issues* 24(2), 2008, and Darwish, "Arabizi Detection and
Conversion to Arabic", ANLP workshop, 2014 (whose approach, candidates filtered by a lexicon, this is
in its simplest form).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import product

from index.normalize import ARABIC_STOPWORDS, ENGLISH_STOPWORDS, normalize, search_tokens
from rag.dialect import MSA, key

# Units are read longest first. Vowels: "" where a short vowel is not written.
_CONSONANTS: dict[str, tuple[str, ...]] = {
    # "sh", "th", "dh" may also be two letters: s/t/d before the suffix "-ha", "-hom" ("qawa3edhom" قواعدهم)
    "sh": ("ش", "سه"), "ch": ("ش",), "kh": ("خ",), "gh": ("غ",), "th": ("ث", "ذ", "ته"), "dh": ("ذ", "ض", "ظ", "ده"),
    "b": ("ب",), "p": ("ب",), "t": ("ت", "ط"), "j": ("ج",), "d": ("د", "ض"), "r": ("ر",), "z": ("ز", "ظ"),
    "s": ("س", "ص"), "f": ("ف",), "v": ("ف",), "q": ("ق",), "k": ("ك",), "g": ("ق", "ج", "غ"), "l": ("ل",),
    "m": ("م",), "n": ("ن",), "h": ("ه", "ح"), "w": ("و",), "y": ("ي",), "x": ("كس",), "c": ("ك", "س"),
    "2": ("ء", "أ", "ئ", "ؤ", "ق"), "3": ("ع",), "5": ("خ",), "6": ("ط",), "7": ("ح",), "8": ("غ",), "9": ("ق", "ص"),
}
_INITIAL_HAMZA = ("أ", "إ", "ق")  # a word starts with a hamza on alif, never on waw or ya ("2alet" قالت)
_LONG = {"aa": "ا", "ee": "ي", "ii": "ي", "ei": "ي", "ai": "ي", "ay": "ي", "oo": "و", "ou": "و", "uu": "و",
         "aw": "و"}
_SHORT = {"a": "ا", "e": "ي", "i": "ي", "o": "و", "u": "و"}
_UNITS = sorted([*_CONSONANTS, *_LONG, *_SHORT], key=len, reverse=True)
# Particles written apart or glued on, as chat writers do: "el jnood", "bel 3iraq", "w shu".
_ARTICLES = {"el": "ال", "al": "ال", "il": "ال", "l": "ال", "bel": "بال", "bil": "بال", "bl": "بال",
             "fel": "في ال", "fil": "في ال", "lel": "لل", "lil": "لل", "wel": "وال", "wil": "وال"}
_PREFIXES = (("bel", "بال"), ("bil", "بال"), ("fel", "في ال"), ("fil", "في ال"), ("lel", "لل"), ("lil", "لل"),
             ("wel", "وال"), ("wil", "وال"), ("el", "ال"), ("al", "ال"), ("il", "ال"))
_PARTICLES = {"w": "و", "wa": "و", "we": "و", "fi": "في", "fe": "في", "fee": "في", "b": "ب", "bi": "ب",
              "3ala": "على", "3al": "على", "3a": "على", "men": "من", "mn": "من", "ma": "ما", "la": "لا", "ya": "يا",
              "lal": "لل", "lil": "لل", "aw": "أو",
              # pronouns and the relative, which chat writers spell many ways and the index seldom has
              **dict.fromkeys(("huwa", "huwwa", "howa", "howwa", "hwa", "houwa", "huwe", "huwweh"), "هو"),
              **dict.fromkeys(("hiya", "hiyya", "heya", "heyya", "hiye", "hiyye", "hya", "hia"), "هي"),
              **dict.fromkeys(("homa", "humma", "hum", "hom", "henne", "hinne"), "هم"),
              **dict.fromkeys(("eh", "eih", "eeh", "shinu", "shnu", "chnou", "shnou"), "ما"),
              **dict.fromkeys(("elli", "illi", "yalli", "yelli", "illy", "elly"), "اللي")}
_MAX_CANDIDATES = 4096
_WORD = re.compile(r"[A-Za-z0-9']+|[^A-Za-z0-9'\s]+")
_LETTER_DIGIT = "[235679]"  # digits that chat writers use for letters
_MIXED = re.compile(rf"(?<![0-9]){_LETTER_DIGIT}(?=[a-z])|(?<=[a-z]){_LETTER_DIGIT}(?=[a-z])", re.IGNORECASE)
_ORDINAL = re.compile(r"\d+(?:st|nd|rd|th|s)$", re.IGNORECASE)
_REPEATS = re.compile(r"([a-z])\1{2,}")  # "kteeeer": more than two of a letter is emphasis


def is_arabizi(text: str) -> bool:
    """Latin-script text that is Arabic: a digit used as a letter inside a word ("3iraq", "7arb"), or
    more chat-Arabic words than English function words."""
    raw = [w for w in re.findall(r"[\w']+", text) if w.isascii()]  # "Pál": a European name, not Arabizi
    words = [w.lower() for w in raw]
    if not words or re.search(r"[\u0600-\u06ff]", text):
        return False
    # "3iraq", "7arb", not "3D", "MP3s" (capitals: acronyms), "9th" or "2n"
    if any(_MIXED.search(w) and w[1:] == w[1:].lower() and not _ORDINAL.match(w)
           and len(re.sub(r"\d", "", w)) >= 2 for w in raw):
        return True
    english = sum(w in ENGLISH_STOPWORDS for w in words)
    # Chat particles, and words whose most literal spelling is a dialect word («shu», «meen», «wein»);
    # not Arabic stopwords: "hall" spells «هل».
    arabic = sum(w in _PARTICLES or w in _ARTICLES or (len(w) <= 6 and key(_spellings(w)[0]) in MSA)
                 for w in words if w not in ENGLISH_STOPWORDS)
    return arabic >= 2 and arabic > english


def to_arabic(text: str, frequency: Callable[[str], int]) -> str:
    """``text`` in Arabic script; ``frequency(term)`` is how many chunks of the index hold a BM25 term."""
    out: list[str] = []
    article = ""
    for token in _WORD.findall(text):
        word = _REPEATS.sub(r"\1\1", token.lower())
        if not word[0].isalnum():
            out.append(token.replace("?", "؟").replace(",", "،"))
            continue
        if word in _ARTICLES:  # "el", "bel" written apart: glued to the next word
            article = _ARTICLES[word]
            continue
        out.append(_word(word, article, frequency))
        article = ""
    return " ".join(out)


def _word(word: str, article: str, frequency: Callable[[str], int]) -> str:
    if word in _PARTICLES and not article:
        return _PARTICLES[word]
    if word.isdigit():
        return word
    prefix, stem = article, word
    for latin, arabic in _PREFIXES:
        if not article and word.startswith(latin) and len(word) > len(latin) + 2:
            prefix, stem = arabic, word[len(latin) :]
            break
    spellings = _spellings(stem)
    if not prefix:
        dialect = next((MSA[f] for f in map(key, spellings) if f in MSA), None)
        if dialect is not None:
            return dialect
        if normalize(spellings[0]) in ARABIC_STOPWORDS:  # its most literal spelling is a function word
            return spellings[0]
    # The spelling the collection uses most; among spellings of one term, the one with the most
    # letters (the vowels the writer typed): BM25 cannot tell them apart, the reader can.
    best, best_rank = None, (0, 0)
    for spelling in spellings:
        terms = search_tokens(prefix + spelling)
        rank = (frequency(terms[-1]) if terms else 0, len(spelling))
        if rank[0] and rank > best_rank:
            best, best_rank = spelling, rank
    if best is not None:
        return prefix + best
    return _unknown(word, prefix, spellings)


def _unknown(word: str, prefix: str, spellings: list[str]) -> str:
    """A word the index has no spelling of: a dialect or function word; else, when a digit stands
    for a letter ("njara7u"), its most literal Arabic spelling (Latin letters mean nothing to the
    Arabic side of the embedder and the reader); else a name or an acronym, most likely: as typed."""
    known = _known(spellings)
    if known is not None:
        return known
    if re.search(_LETTER_DIGIT, word):
        return prefix + spellings[0]
    return word


def _known(spellings: list[str]) -> str | None:
    """The first spelling that is a dialect word (given in MSA) or an MSA function word."""
    for spelling in spellings:
        if key(spelling) in MSA:
            return MSA[key(spelling)]
        if normalize(spelling) in ARABIC_STOPWORDS:
            return spelling
    return None


def _spellings(word: str) -> list[str]:
    """Every Arabic spelling of one Latin word, most literal first (capped for very long words)."""
    options: list[tuple[str, ...]] = []
    i = 0
    while i < len(word):
        unit = next((u for u in _UNITS if word.startswith(u, i)), None)
        if unit is None:  # an apostrophe or a letter with no value: skip it
            i += 1
            continue
        first, last = i == 0, i + len(unit) == len(word)
        if unit in _CONSONANTS:
            doubled = word.startswith(unit, i + len(unit))  # "mm", "ss": one letter with shadda
            options.append(_INITIAL_HAMZA if unit == "2" and first else _CONSONANTS[unit])
            i += len(unit) * (2 if doubled else 1)
            continue
        letter = _LONG.get(unit) or _SHORT[unit]
        if first:
            options.append(("ا", "أ", "إ", "ع") if unit[0] in "aei" else ("ا", "أ", "و"))
        elif last:
            options.append((letter, "ة", "ى", "") if unit[0] == "a" else (letter, ""))
        elif unit in _LONG:
            options.append((letter, ""))
        else:
            options.append(("", letter))
        i += len(unit)
    out: list[str] = []
    for combo in product(*options):
        out.append("".join(combo))
        if len(out) == _MAX_CANDIDATES:
            break
    return out
