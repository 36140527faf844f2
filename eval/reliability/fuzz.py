"""Hostile text for property-based tests, and the invariants every ingest stage must keep on it.

Strategies (hypothesis) mix Arabic and Latin letters with what breaks text handling: bidi controls,
zero-width characters, combining marks, tatweel, NUL and other controls, every line separator,
CRLF mixes, emoji sequences, surrogates written as escapes or encoded (invalid UTF-8), BOMs and
binary magic numbers. Each ``check_*`` returns a list of violated invariants (empty: all kept), so a
test can both assert and count. Does not run hypothesis itself; tests/test_fuzz.py does.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from hypothesis import strategies as st

from index.clean import clean_text
from index.decode import decode_bytes
from index.documents import Article
from index.errors import IngestError
from index.html import html_to_text
from index.ingest import read_article
from index.markdown import markdown_to_text
from index.normalize import detect_language, normalize, search_tokens, tokenize
from index.segment import ChunkerConfig, chunk_article, split_sentences

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأؤإئىة"
ARABIC_MARKS = "".join(chr(c) for c in range(0x064B, 0x0653)) + "\u0670\u0640"  # harakat, superscript alef, tatweel
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
COMBINING = "\u0301\u0308\u0327\u0332\u20dd"
CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x1c\x1f\x7f\x85"
BREAKS = ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x0b", "\x0c", "\x85"]
PUNCTUATION = ".!?؟،؛…:;«»\"'“”()[]-–— "
EMOJI = ["😀", "👍🏽", "👨‍👩‍👧", "🇮🇶", "❤️", "🧪"]
SURROGATE_ESCAPES = ["\\ud800", "\\uDFFF", "&#xD800;", "\\x00"]
DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩"


def pieces() -> st.SearchStrategy[str]:
    """One run of mixed-script text or one hostile character sequence."""
    words = st.text(alphabet=ARABIC + ARABIC_MARKS + "abcdefXYZ" + DIGITS, min_size=1, max_size=12)
    singles = st.sampled_from(list(BIDI + ZERO_WIDTH + COMBINING + CONTROLS + PUNCTUATION))
    return st.one_of(
        words, words, words, singles, st.sampled_from(BREAKS), st.sampled_from(EMOJI),
        st.sampled_from(SURROGATE_ESCAPES), st.text(max_size=8),  # any code point hypothesis picks
    )


def texts(max_pieces: int = 80) -> st.SearchStrategy[str]:
    """Article-like text made of hostile pieces joined by spaces and line breaks."""
    glue = st.sampled_from([" ", " ", "", "\n", "\r\n", ". ", "؟ ", "\n\n"])
    return st.lists(st.tuples(pieces(), glue), max_size=max_pieces).map(lambda xs: "".join(a + b for a, b in xs))


BOMS = [b"", b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]
MAGIC = [b"\x89PNG\r\n\x1a\n", b"%PDF-1.4\n", b"PK\x03\x04", b"\x1f\x8b\x08", b"\x7fELF"]
BAD_BYTES = [b"\x00", b"\xed\xa0\x80", b"\xc3", b"\xff", b"\r\n", b"\r", b"\xc0\xaf"]


@st.composite
def raw_files(draw: st.DrawFn) -> bytes:
    """File contents: text in some encoding, with hostile bytes spliced in, or binary outright."""
    text = draw(texts())
    kind = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1256", "binary", "magic"]))
    if kind == "binary":
        return draw(st.binary(max_size=512))
    if kind == "magic":
        return draw(st.sampled_from(MAGIC)) + text.encode("utf-8", "surrogatepass")
    if kind == "utf-16":
        return text.encode("utf-16", "surrogatepass")  # with its BOM
    if kind == "cp1256":
        return text.encode("cp1256", "ignore")
    data = draw(st.sampled_from(BOMS)) + text.encode("utf-8", "surrogatepass")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from(BAD_BYTES)) + data[at:]
    return data


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    """Random nestings of real tags (kept, dropped and hidden ones), attributes, entities and text."""
    def node(depth: int) -> str:
        if depth > 6 or draw(st.integers(0, 3)) == 0:
            entities = ["&lt;script&gt;", "&amp;", "&#x202e;", "&#0;", "<!-- c -->"]
            return draw(st.one_of(texts(6), st.sampled_from(entities)))
        tag = draw(st.sampled_from(["p", "div", "span", "b", "script", "style", "iframe", "a", "table", "td",
                                    "li", "h1", "pre", "svg", "template", "noscript", "article", "nav", "br"]))
        attrs = draw(st.sampled_from(["", ' onclick="window.__pwned=1"', ' style="display:none"', " hidden",
                                      ' href="javascript:alert(1)"', ' class="share"', ' dir="rtl"']))
        inner = "".join(node(depth + 1) for _ in range(draw(st.integers(0, 3))))
        closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", ""]))  # unclosed tags too
        return f"<{tag}{attrs}>{inner}{closing}"
    head = draw(st.sampled_from(["", "<!doctype html><html><head><title>T</title></head><body>", "<html>"]))
    return head + "".join(node(0) for _ in range(draw(st.integers(0, 5))))


# -- invariants ---------------------------------------------------------------------------------------

_FORBIDDEN = {chr(c) for c in range(32) if chr(c) not in "\t\n\f\r"} | {"\x7f"}
_TEXT_MAGIC = ("%PDF-", "{\\rtf", "GIF87a", "GIF89a")  # binary formats whose magic number is ASCII


def check_decode(data: bytes) -> list[str]:
    """Decoding refuses with IngestError or returns clean text; valid UTF-8 text comes back unchanged."""
    try:
        text, encoding = decode_bytes(data, "fuzz.txt")
    except IngestError:
        return _must_accept_utf8(data)
    problems = []
    if encoding not in {"utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "cp1256"}:
        problems.append(f"unexpected encoding {encoding}")
    if set(text) & (_FORBIDDEN | {"\r"}):
        problems.append("decoded text keeps control characters or carriage returns")
    if not text.strip():
        problems.append("decoded text is blank")
    if encoding == "utf-8" and text != data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n"):
        problems.append("valid UTF-8 was changed by decoding")
    return problems


def _must_accept_utf8(data: bytes) -> list[str]:
    """Plain UTF-8 with visible text and no control characters must never be refused."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return []
    if data.startswith(b"\xef\xbb\xbf") or text.startswith(_TEXT_MAGIC):
        return []  # a BOM is decoded as such; these prefixes mark binary formats
    if text.strip() and not (set(text) & _FORBIDDEN):
        return ["valid UTF-8 text was refused"]
    return []


def check_clean(text: str) -> list[str]:
    """Cleaning only drops whole lines: what is kept is the input's lines, in order, byte for byte."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    result = clean_text(text)
    source = [ln if ln.strip() else "" for ln in text.split("\n")]
    kept = result.text.split("\n") if result.text else []
    problems = []
    it = iter(source)
    if not all(any(line == candidate for candidate in it) for line in kept):
        problems.append("a kept line is not an input line (or lines were reordered)")
    if kept and (not kept[0] or not kept[-1]):
        problems.append("leading or trailing blank line kept")
    if any(a == b == "" for a, b in pairwise(kept)):
        problems.append("a run of blank lines was kept")
    return problems


def check_html(page: str) -> list[str]:
    """HTML extraction never crashes, drops scripts and handlers, and gives tidy lines."""
    text, _ = html_to_text(page)
    problems = []
    if "window.__pwned" in text or "javascript:alert" in text:
        problems.append("script or handler text reached the article text")
    if any(line != " ".join(line.split()) or not line for line in text.split("\n") if text):
        problems.append("a line has untidy whitespace or is blank")
    return problems


def check_markdown(md: str) -> list[str]:
    """Markdown conversion never crashes (any exception fails the property) and keeps no CR."""
    text, _ = markdown_to_text(md.replace("\r", ""))
    return ["markdown text keeps a carriage return"] if "\r" in text else []


def check_normalize(text: str) -> list[str]:
    problems = []
    once = normalize(text)
    if normalize(once) != once:
        problems.append("normalize is not idempotent")
    tokens = tokenize(text)
    if any(not t or any(ch.isspace() for ch in t) for t in tokens):
        problems.append("a token is empty or holds whitespace")
    if search_tokens(text) != search_tokens(text) or detect_language(text) not in {"ar", "en"}:
        problems.append("search tokens or language are not deterministic")
    return problems


def check_spans(text: str, config: ChunkerConfig | None = None) -> list[str]:
    """Sentences and chunks point at exact spans: ``text[start:end]`` is what they hold."""
    config = config or ChunkerConfig()
    problems = []
    sentences = split_sentences(text, config.max_sentence_words)
    end = 0
    for s in sentences:
        piece = text[s.start : s.end]
        if not end <= s.start < s.end <= len(text):
            problems.append(f"sentence [{s.start}, {s.end}) out of order or bounds")
            break
        if piece != piece.strip() or any(ch in piece for ch in "\n\r\u2028\u2029"):
            problems.append(f"sentence [{s.start}, {s.end}) is untrimmed or crosses a line break")
            break
        end = s.end
    covered = {(s.start, s.end) for s in sentences}
    in_chunks = set()
    for c in chunk_article("fuzz", text, config, salt="fuzz"):
        if text[c.start : c.end] != c.text:
            problems.append(f"chunk [{c.start}, {c.end}) text is not the text at its offsets")
        for s in c.sentences:
            in_chunks.add((s.start, s.end))
            if not c.start <= s.start < s.end <= c.end:
                problems.append("a chunk sentence lies outside its chunk")
    if in_chunks != covered:
        problems.append("chunks do not cover exactly the sentences")
    visible = [i for i, ch in enumerate(text) if not ch.isspace() and unicodedata.category(ch)[0] in "LN"]
    starts = sorted(covered)
    for i in visible[:: max(1, len(visible) // 200)]:  # every letter or digit is in some sentence
        if not any(a <= i < b for a, b in starts):
            problems.append(f"character {i} ({text[i]!r}) belongs to no sentence")
            break
    return problems


def check_ingest(data: bytes, suffix: str, folder: Path) -> list[str]:
    """A file of any bytes becomes an article with exact spans, or a refusal with a reason."""
    path = folder / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        article = read_article(path)
    except IngestError as exc:
        return [] if exc.reason else ["a refusal without a reason"]
    return check_article(article)


def check_article(article: Article) -> list[str]:
    problems = []
    if not article.text.strip() or "\r" in article.text or "\x00" in article.text:
        problems.append("article text is blank or keeps CR/NUL")
    for span in article.header:
        if not 0 <= span.start <= span.end <= len(article.text):
            problems.append("a header span is outside the text")
    if article.date_text is not None and article.date_text not in article.text:
        problems.append("date_text is not a substring of the text")
    return problems + check_spans(article.text)


PROPERTIES: dict[str, Callable[..., list[str]]] = {
    "decoding": check_decode, "cleaning": check_clean, "html": check_html, "markdown": check_markdown,
    "normalisation": check_normalize, "splitting and chunking": check_spans,
}
