"""Split cleaned article text into sentences and sentence-aligned chunks with exact character offsets.

Does not clean, normalise or embed text; see index/normalize.py for search-side normalisation.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass
from itertools import accumulate

from index.documents import Chunk, Span, stable_id

# Why hand-written rather than pysbd or NLTK punkt: citations need exact offsets into the
# original text (pysbd's char_span and punkt's span_tokenize drift or strip on odd input),
# neither knows Arabic punctuation (؟ ؛ ، «») or Arabic abbreviations such as "د.", neither
# keeps a multi-sentence quotation together, and news text is line-based: every line break
# (headline, byline, paragraph) ends a sentence. The rules below are few and testable.

DEFAULT_MAX_SENTENCE_WORDS = 60

_TERMINATORS = ".!?؟؛…۔‼⁇⁈⁉"
_CLOSERS = "\"'»”’›)]}"
_RUN_RE = re.compile(f"[{re.escape(_TERMINATORS)}]+(?:[{re.escape(_CLOSERS)}]+[{re.escape(_TERMINATORS)}]*)*")
_LINE_RE = re.compile(r"[^\n\r\v\f\x1c-\x1e\x85\u2028\u2029]+")
_QUOTE_RE = re.compile("[«»“”\"]")
_WORD_RE = re.compile(r"\S+")
_ALNUM_RE = re.compile(r"[^\W_]")
# Trimmed from sentence edges besides whitespace: zero-width and bidi controls, BOM.
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                       "\u2066\u2067\u2068\u2069\ufeff\u061c")
_CLAUSE_ENDS = tuple("،,:;؛–—-")  # a word ending like this closes a clause
_CONTINUATION = ",،;:"

# Words that take a period without ending a sentence (compared lower-cased). Single letters
# ("U.S.", "د.") are handled by rule, not listed.
ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "st", "vs", "etc", "inc", "jr", "sr", "gen", "col", "lt", "prof", "sen",
    "rep", "gov", "capt", "maj", "sgt", "ltd", "co", "corp", "mt", "ft",
    "jan", "feb", "aug", "sept", "sep", "oct", "nov", "dec",
})
_ERA_MARKERS = frozenset("مه")  # 2021م. / 1445 هـ. end sentences: they follow a number
_ARABIC_MARKS = frozenset(map(chr, [*range(0x064B, 0x0660), 0x0670]))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past whitespace and invisible characters at both edges."""
    while start < end and (text[start].isspace() or text[start] in _INVISIBLE):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in _INVISIBLE):
        end -= 1
    return start, end


def _quoted_regions(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Disjoint ``(open, close)`` index pairs of balanced quotes on one line.

    An opener that never closes on its line protects nothing, so an unbalanced quote cannot
    swallow the rest of a paragraph. Straight quotes pair up left to right.
    """
    pairs: list[tuple[int, int]] = []
    stacks: dict[str, list[int]] = {"«": [], "“": [], '"': []}
    for m in _QUOTE_RE.finditer(text, start, end):
        q, i = m.group(0), m.start()
        if q == '"':
            stack = stacks['"']
            if stack:
                pairs.append((stack.pop(), i))
            else:
                stack.append(i)
        elif q in "«“":
            stacks[q].append(i)
        else:
            stack = stacks["«" if q == "»" else "“"]
            if stack:  # a closer with nothing open is ignored
                pairs.append((stack.pop(), i))
    merged: list[tuple[int, int]] = []
    for o, c in sorted(pairs):
        if merged and o < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], c))
        else:
            merged.append((o, c))
    return merged


def _inside(regions: list[tuple[int, int]], opens: list[int], pos: int) -> bool:
    """Whether ``pos`` lies strictly between a quote's opening and closing marks."""
    k = bisect_right(opens, pos - 1) - 1  # last region opening before pos
    return k >= 0 and regions[k][0] < pos < regions[k][1]


def _is_abbreviation(text: str, line_start: int, dot: int, after: int) -> bool:
    """Whether the single period at ``dot`` belongs to an abbreviation or an initial."""
    w = dot
    while w > line_start and (text[w - 1].isalpha() or text[w - 1] in _ARABIC_MARKS):
        w -= 1
    word = "".join(c for c in text[w:dot] if c.isalpha() and c != "ـ")
    if len(word) == 1:
        # An initial ("U.S.", "د."), unless it is an era marker after a number ("2021م.").
        p = w
        while p > line_start and text[p - 1] in " \t\u00a0":
            p -= 1
        return not (word in _ERA_MARKERS and p > line_start and text[p - 1].isdigit())
    if word == "No":  # "No. 5" abbreviates; "said no." ends a sentence
        return _next_visible(text, after, len(text)).isdigit()
    return word.lower() in ABBREVIATIONS


def _next_visible(text: str, pos: int, end: int) -> str:
    while pos < end and text[pos] in " \t\u00a0":
        pos += 1
    return text[pos] if pos < end else ""


def _is_boundary(text: str, line: tuple[int, int], run: re.Match[str], regions: list[tuple[int, int]],
                 opens: list[int]) -> bool:
    """Whether a terminator run ends a sentence (see ``split_sentences`` for the rules)."""
    line_start, line_end = line
    i, k = run.start(), run.end()
    if _inside(regions, opens, k - 1):
        return False  # inside a quotation that the run does not close
    after = text[k] if k < line_end else ""
    if after and not after.isspace() and (after.isdigit() or (after.isascii() and (after.isalpha() or after == "_"))):
        return False  # 2.5, www.site.com, U.S, e.g, window.__data
    nxt = _next_visible(text, k, line_end)
    if (nxt.isascii() and nxt.islower()) or (nxt and nxt in _CONTINUATION):
        return False  # "approx. five", '"Why?" he asked', "Inc., which"
    if run.group(0).rstrip(_CLOSERS) == ".":
        return not _is_abbreviation(text, line_start, i, k)
    return True


def _line_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Untrimmed sentence ranges of one line, split at terminator runs that end a sentence."""
    regions = _quoted_regions(text, start, end)
    opens = [o for o, _ in regions]
    out: list[tuple[int, int]] = []
    sent_start = start
    for run in _RUN_RE.finditer(text, start, end):
        if _is_boundary(text, (start, end), run, regions, opens):
            out.append((sent_start, run.end()))
            sent_start = run.end()
    out.append((sent_start, end))
    return out


def _split_long(text: str, start: int, end: int, max_words: int) -> list[Span]:
    """Pieces of at most ``max_words`` words, cut after a clause mark when one is near."""
    words = [(m.start(), m.end()) for m in _WORD_RE.finditer(text, start, end)]
    pieces: list[Span] = []
    a = 0
    while a < len(words):
        remaining = len(words) - a
        if remaining <= max_words:
            b = len(words)
        else:
            parts = -(-remaining // max_words)
            ideal = -(-remaining // parts)  # balanced length: no one-word tail
            lo = max(remaining - (parts - 1) * max_words, (ideal + 1) // 2)
            clauses = [n for n in range(lo, max_words + 1)
                       if text[words[a + n - 1][0]:words[a + n - 1][1]].endswith(_CLAUSE_ENDS)]
            b = a + (min(clauses, key=lambda n: (abs(n - ideal), -n)) if clauses else ideal)
        s, e = _trim(text, words[a][0], words[b - 1][1])
        if s < e:
            pieces.append(Span(s, e))
        a = b
    return pieces


def split_sentences(text: str, max_words: int = DEFAULT_MAX_SENTENCE_WORDS) -> list[Span]:
    """Sentence spans of ``text``: ordered, disjoint, trimmed, never crossing a line break.

    A sentence ends at a line break, or after a run of ``. ! ? ؟ ؛ …`` (with any closing
    quotes and brackets right after it), except: inside a balanced quotation on the same line
    (unless the run closes it: «...؟» ends there); before a Latin letter or digit with no space
    (2.5, www.site.com, U.S); before a lower-case Latin word or a comma; after an initial or a
    listed abbreviation (د. U.S. Dr. etc.). Runs without a letter or digit join the sentence
    before them on their line, so every visible character belongs to exactly one sentence.
    Sentences of more than ``max_words`` whitespace-separated words are cut into pieces,
    preferring clause marks (، , : ; dashes) near a balanced length, never inside a word.

    Example:
        >>> [text[s.start:s.end] for text in ["قال: «انتهى. حقاً؟» ثم غادر! هل؟"]
        ...  for s in split_sentences(text)]
        ['قال: «انتهى. حقاً؟»', 'ثم غادر!', 'هل؟']
    """
    if max_words < 1:
        raise ValueError(f"max_words must be at least 1, got {max_words}")
    spans: list[Span] = []
    for line in _LINE_RE.finditer(text):
        merged: list[tuple[int, int]] = []
        for raw_start, raw_end in _line_sentences(text, line.start(), line.end()):
            s, e = _trim(text, raw_start, raw_end)
            if s == e:
                continue
            if merged and not _ALNUM_RE.search(text, s, e):
                merged[-1] = (merged[-1][0], e)  # a stray "!!!" or "»" joins its sentence
            else:
                merged.append((s, e))
        for s, e in merged:
            if len(_WORD_RE.findall(text, s, e)) > max_words:
                spans.extend(_split_long(text, s, e, max_words))
            else:
                spans.append(Span(s, e))
    return spans


@dataclass(frozen=True)
class ChunkerConfig:
    """How sentences are grouped into retrieval chunks; recorded in the index manifest.

    Word counts are whitespace-separated tokens. A chunk grows until it reaches
    ``target_words`` and never passes ``max_words``; ``min_words`` is what a final chunk is
    rebalanced towards. Sentences are capped at ``max_sentence_words`` so one always fits.

    Example:
        >>> ChunkerConfig(target_words=100).as_dict()["target_words"]
        100
    """

    target_words: int = 120
    max_words: int = 150
    min_words: int = 80
    overlap_sentences: int = 1
    max_sentence_words: int = DEFAULT_MAX_SENTENCE_WORDS

    def __post_init__(self) -> None:
        if not 1 <= self.min_words <= self.target_words <= self.max_words:
            raise ValueError(
                "chunker needs 1 <= min_words <= target_words <= max_words, got "
                f"{self.min_words}, {self.target_words}, {self.max_words}"
            )
        if self.overlap_sentences < 0:
            raise ValueError(f"overlap_sentences must be >= 0, got {self.overlap_sentences}")
        if not 1 <= self.max_sentence_words <= self.max_words:
            raise ValueError(
                f"max_sentence_words must be between 1 and max_words ({self.max_words}), "
                f"got {self.max_sentence_words}"
            )

    @classmethod
    def for_target(cls, target_words: int, overlap_sentences: int = 1) -> ChunkerConfig:
        """A config scaled from one number (the CLI's ``--chunk-words``); 120 gives the defaults.

        Chunks may run 25% over the target and a final chunk is rebalanced towards two thirds
        of it; sentences are capped at 60 words, or at ``max_words`` if that is smaller.
        """
        if target_words < 1:
            raise ValueError(f"target words per chunk must be at least 1, got {target_words}")
        max_words = target_words + target_words // 4
        return cls(
            target_words=target_words,
            max_words=max_words,
            min_words=max(1, 2 * target_words // 3),
            overlap_sentences=overlap_sentences,
            max_sentence_words=min(DEFAULT_MAX_SENTENCE_WORDS, max_words),
        )

    def as_dict(self) -> dict[str, int]:
        """Plain settings for the index manifest."""
        return asdict(self)


def _group(counts: list[int], config: ChunkerConfig) -> list[tuple[int, int]]:
    """Half-open sentence-index ranges of the chunks (see ``chunk_article``)."""
    pre = [0, *accumulate(counts)]  # words in sentences [a, b) = pre[b] - pre[a]
    n, groups, i, new = len(counts), [], 0, 0  # sentences before `new` are already in a chunk
    while n:
        j = i
        # Always take the first unchunked sentence, so every chunk adds something new.
        while j < n and (j <= new or (pre[j] - pre[i] < config.target_words
                                      and pre[j + 1] - pre[i] <= config.max_words)):
            j += 1
        if pre[n] - pre[i] <= config.max_words:
            j = n  # absorb a tail that fits rather than leave it on its own
        groups.append((i, j))
        if j == n:
            return _rebalance_tail(groups, pre, config)
        # Overlap, shrunk only when it and the next sentence would not fit in max_words.
        k = min(config.overlap_sentences, j - i - 1)
        while k > 0 and pre[j + 1] - pre[j - k] > config.max_words:
            k -= 1
        i, new = j - k, j
    return []


def _rebalance_tail(groups: list[tuple[int, int]], pre: list[int],
                    config: ChunkerConfig) -> list[tuple[int, int]]:
    """Move the cut between the last two chunks so that the last is not a small tail."""
    if len(groups) < 2:
        return groups
    (i, j), (t, n) = groups[-2], groups[-1]
    if pre[n] - pre[t] >= config.min_words:
        return groups
    k = j - t  # keep the overlap the grouping chose
    best, best_score = j, min(pre[j] - pre[i], pre[n] - pre[t])
    for cut in range(j - 1, i + k, -1):  # the last chunk starts at cut - k > i
        tail = pre[n] - pre[cut - k]
        if tail > config.max_words:
            break
        score = min(pre[cut] - pre[i], tail)
        if score > best_score:
            best, best_score = cut, score
    return [*groups[:-2], (i, best), (best - k, n)]


def chunk_article(doc_id: str, text: str, config: ChunkerConfig, salt: str) -> list[Chunk]:
    """Group consecutive whole sentences of one article into overlapping retrieval chunks.

    Greedy: add sentences while under ``target_words`` and within ``max_words``; the next chunk
    repeats the last ``overlap_sentences`` sentences. ``salt`` is the article's content hash,
    so chunk ids change exactly when the article does.

    Example:
        >>> chunks = chunk_article("a", "One. Two.", ChunkerConfig(), salt="h")
        >>> [(c.text, len(c.sentences)) for c in chunks]
        [('One. Two.', 2)]
    """
    sentences = split_sentences(text, config.max_sentence_words)
    counts = [len(_WORD_RE.findall(text, s.start, s.end)) for s in sentences]
    chunks: list[Chunk] = []
    for i, j in _group(counts, config):
        start, end = sentences[i].start, sentences[j - 1].end
        chunks.append(Chunk(id=stable_id(salt, start, end), doc_id=doc_id, start=start, end=end,
                            text=text[start:end], sentences=tuple(sentences[i:j])))
    return chunks
