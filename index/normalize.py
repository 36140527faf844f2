"""Arabic/English normalisation, tokens, stopwords, stems and language guess for search only.

Pure functions over strings. Never used to alter the text that citations point into.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from typing import Literal

import Stemmer
from bm25s.stopwords import STOPWORDS_EN_PLUS

# Bump whenever any function here changes its output: the index manifest records it,
# and BM25 tokens built with another version must be rebuilt.
NORMALIZER_VERSION: int = 1


def _ranges(*pairs: tuple[int, int]) -> list[int]:
    return [cp for lo, hi in pairs for cp in range(lo, hi + 1)]


# Code points deleted outright: Arabic combining marks (tashkeel U+064B-U+065F incl. the rare
# hamza/madda combiners left after NFKC, superscript alef, Quranic annotation marks), tatweel,
# and invisible formatting (zero-width, bidi controls, Arabic letter mark, BOM, soft hyphen).
_DELETE = _ranges(
    (0x0610, 0x061A), (0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED),
    (0x08D3, 0x08E1), (0x08E3, 0x08FF), (0x0640, 0x0640),  # tatweel
    (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069),
    (0x061C, 0x061C), (0xFEFF, 0xFEFF), (0x00AD, 0x00AD),
)

_FOLD: dict[str, str] = {
    # Alef with hamza/madda/wasla -> bare alef: writers drop hamzas inconsistently.
    **dict.fromkeys("أإآٱٲٳ", "ا"),
    "ى": "ي",  # alef maqsura is written for final ya (and vice versa) in Egyptian usage
    "ة": "ه",  # ta marbuta is often typed as ha in web text
    # Hamza on a seat -> the seat letter, as Snowball's own post-normalisation does; ئ is far
    # more often a hamza on ya (رئيس) than a standalone hamza, and misspellings drop it (ريس).
    "ؤ": "و",
    "ئ": "ي",
    # Persian keyboard letters that appear in Arabic text.
    "ی": "ي",
    "ک": "ك",
    "ۀ": "ه",
    # Arabic decimal and thousands separators, so ٢٫٥ tokenises like 2.5.
    "٫": ".",
    "٬": ",",
    **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian/Urdu) digits
    **dict.fromkeys(map(chr, _DELETE), ""),
}
# One regex with a dict lookup per hit: about twice as fast as str.translate with this table.
_FOLD_RE = re.compile("[" + re.escape("".join(_FOLD)) + "]")


def _fold(match: re.Match[str]) -> str:
    return _FOLD[match.group(0)]


def normalize(text: str) -> str:
    """Fold spelling variation so that a query matches however the article spelled a word.

    NFKC first (presentation forms and ligatures such as ﻻ become plain letters), then marks,
    tatweel and invisibles removed, letters and digits folded, Latin lower-cased.
    Idempotent: ``normalize(normalize(t)) == normalize(t)``.

    Example:
        >>> normalize("أعلنـــت الحكومةُ ٢٠٢١")
        'اعلنت الحكومه 2021'
    """
    if not unicodedata.is_normalized("NFKC", text):  # a quick check; most text already is
        text = unicodedata.normalize("NFKC", text)
    text = _FOLD_RE.sub(_fold, text).lower()
    if not unicodedata.is_normalized("NFKC", text):  # a deleted zero-width char joined e + ́
        text = unicodedata.normalize("NFKC", text)
    return text


_ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
_ARABIC_LETTERS = (
    "\u0621-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef\u06fa-\u06fc\u06ff"
    "\u0750-\u077f\u08a0-\u08c9"
)
# On normalised text: numbers keep thousands groups and decimal/version dots (3,000 2.5 1.2.3);
# dotted acronyms (u.s. e.g.) stay whole; Arabic-script letter runs and other letter runs are
# separate tokens, so لU.S or عام2021 split where the script changes.
_TOKEN_RE = re.compile(
    rf"\d+(?:,\d{{3}}(?!\d))*(?:\.\d+)*|[{_ARABIC_LETTERS}]+|(?:[a-z]\.){{2,}}|[^\W\d_{_ARABIC_BLOCKS}]+"
)


def _clean_token(token: str) -> str:
    """``3,000`` -> ``3000``; ``u.s.`` -> ``us`` (else an acronym shatters into letters)."""
    return token.replace(".", "") if token[-1] == "." else token.replace(",", "")


def tokenize(text: str) -> list[str]:
    """Normalised word and number tokens, in order (no stopword removal, no stemming).

    Example:
        >>> tokenize("أعلن البنتاغون (Pentagon) أن 2.5 مليون، أي $2,500,000 لـU.S.")
        ['اعلن', 'البنتاغون', 'pentagon', 'ان', '2.5', 'مليون', 'اي', '2500000', 'ل', 'us']
    """
    tokens = _TOKEN_RE.findall(normalize(text))
    return [_clean_token(t) if "," in t or t[-1] == "." else t for t in tokens]


_ARABIC_STOPWORDS_RAW = """
و ف ب ل ك س
في من إلى على عن مع حتى منذ مذ عند لدى لدي بين خلال ضد نحو دون حول عبر قبل بعد فوق تحت أمام خلف
وراء إزاء ضمن سوى غير عدا خلا
أن إن أنه إنه أنها إنها أنهم إنهم لأن كأن لكن ولكن لكنه بل أو أم ثم إذا إذ إذن لو لولا لا لم لن ما
ماذا متى أين كيف كم هل قد لقد سوف ليس ليست ليسوا إلا إما أما أي أية أيضا حيث كما مما عندما بينما
كل بعض جميع ذلك تلك هذا هذه هذان هاتان هؤلاء أولئك الذي التي الذين اللذين اللتين اللاتي اللواتي
هنا هناك هنالك كذلك فقط جدا الآن
هو هي هم هن هما أنا نحن أنت أنتم أنتن أنتما
له لها لهم لهن لهما لنا لك لكم لي به بها بهم بهن بنا فيه فيها فيهم منه منها منهم عليه عليها
عليهم إليه إليها إليهم عنه عنها عنهم معه معها معهم
كان كانت كانوا يكون تكون يكونون أصبح أصبحت
وفي ومن وإلى وعلى وعن ومع وهو وهي وهم وقد ولا ولم ولن وما وأن وإن وكان وكانت وذلك وهذا وهذه
فإن فقد فلا وكل وبين وبعد وقبل
قال قالت قالوا يقول تقول يقولون وقال وقالت وقالوا أضاف أضافت يضيف تضيف وأضاف وأضافت
أكد أكدت يؤكد تؤكد وأكد وأكدت أشار أشارت يشير تشير وأشار وأشارت أوضح أوضحت وأوضح وأوضحت
ذكر ذكرت وذكر وذكرت صرح صرحت وصرح وصرحت وفق وفقا بحسب حسب
"""
# bm25s ships NLTK's English list (179 words); add verbs of saying and a few modals, which carry
# nothing in news QA. "us" stays a token: lower-cased, it is usually U.S./US in this corpus.
_ENGLISH_EXTRA = "said says say saying told added according also would could might must mr mrs ms"


def _normalized_set(words: list[str] | tuple[str, ...]) -> frozenset[str]:
    return frozenset(tok for w in words for tok in tokenize(w))


ARABIC_STOPWORDS: frozenset[str] = _normalized_set(_ARABIC_STOPWORDS_RAW.split())
ENGLISH_STOPWORDS: frozenset[str] = _normalized_set(
    [w for w in STOPWORDS_EN_PLUS if "'" not in w] + _ENGLISH_EXTRA.split()
)
STOPWORDS: frozenset[str] = ARABIC_STOPWORDS | ENGLISH_STOPWORDS


_local = threading.local()  # PyStemmer instances are not thread-safe; the UI serves from threads


def _stemmer(language: Literal["arabic", "english"]) -> Stemmer.Stemmer:
    """One cached stemmer per language and thread."""
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = Stemmer.Stemmer(language)
    return stemmers[language]


_CONJ_ARTICLE_RE = re.compile(r"^[وف](?=(?:ال|بال|كال|لل)...)")
_STEM_FOLD = str.maketrans({"ة": "ه", "ى": "ي", "أ": "ا", "إ": "ا", "آ": "ا", "ؤ": "و", "ئ": "ي"})


def _stem_arabic(token: str) -> str:
    """Snowball Arabic with two pre-steps that fix its biggest misses on normalised text.

    1. A final ه is given back as ة: normalisation folds ة -> ه, but Snowball only strips the
       feminine ending when it is ة (الحكومة -> حكوم, yet الحكومه -> حكومه).
    2. The conjunction و/ف is dropped before the article (والمفاوضات -> المفاوضات): Snowball
       never strips و before ا, so وال- words would not meet their ال- forms. Only when at
       least three letters follow the article, so والد/والده/والي are left alone.
    The stem is folded again so that stems stay in the normalised alphabet.
    """
    word = _CONJ_ARTICLE_RE.sub("", token)
    if word.endswith("ه") and len(word) > 2:
        word = word[:-1] + "ة"
    return _stemmer("arabic").stemWord(word).translate(_STEM_FOLD)


# token -> stem. A plain dict is the fastest cache; a race between threads at worst computes
# the same value twice. Cleared when full, so a long-running server stays bounded.
_STEMS: dict[str, str] = {}
_STEMS_MAX = 200_000


def _stem(token: str) -> str:
    """Stem one normalised token by its script: Arabic, Latin (English), else unchanged."""
    first = token[0]
    if first.isdigit():
        stem = token
    elif "\u0600" <= first <= "\u08ff":
        stem = _stem_arabic(token)
    elif first.isascii() or "\u00c0" <= first <= "\u024f":
        stem = _stemmer("english").stemWord(token)
    else:
        stem = token  # other scripts: no stemmer configured
    if len(_STEMS) >= _STEMS_MAX:
        _STEMS.clear()
    _STEMS[token] = stem
    return stem


def search_tokens(text: str) -> list[str]:
    """The BM25 terms of a text: normalise, tokenise, drop stopwords, stem by script.

    Used for both documents and queries, so the two always agree. Deterministic.

    Example:
        >>> search_tokens("وقال إن المفاوضات والمفاوضات مستمرة")
        ['مفاوض', 'مفاوض', 'مستمر']
    """
    stems, stop = _STEMS, STOPWORDS
    return [stems.get(t) or _stem(t) for t in tokenize(text) if t not in stop]


_ARABIC_LETTER_RE = re.compile(r"[\u0621-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\u08a0-\u08c9"
                               r"\ufb50-\ufdfb\ufe70-\ufefc]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
_ARABIC_ANY_RE = re.compile(r"[\u0600-\u06ff]")


def detect_language(text: str) -> Literal["ar", "en"]:
    """The language to answer in: whichever script has more letters; ties go to Arabic.

    Latin words inside Arabic news are names and acronyms, so a tie leans Arabic. Text with no
    letters is Arabic if it has any Arabic-script character (``؟``, ``٢٠٢١``), else English,
    the neutral default.
    """
    arabic = len(_ARABIC_LETTER_RE.findall(text))
    latin = len(_LATIN_LETTER_RE.findall(text))
    if arabic == latin == 0:
        return "ar" if _ARABIC_ANY_RE.search(text) else "en"
    return "ar" if arabic >= latin else "en"
