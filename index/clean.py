"""Remove site furniture (related-article blocks, UI labels, navigation residue) from article text.

Only ever drops whole lines; every kept line stays byte-for-byte (blank-line runs are collapsed).
Does not decode, parse HTML or read metadata.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass, field

from index.dates import find_dates
from index.lines import ends_with_period, fold, has_byline_cue, is_body, is_label, words, wraps

logger = logging.getLogger(__name__)

# Markers that introduce a list of teasers for other articles. Written folded (see lines.fold).
RELATED_MARKERS = frozenset({
    "مقالات ذات صله", "اخبار ذات صله", "مواضيع ذات صله", "موضوعات ذات صله", "ذات صله",
    "مقالات مشابهه", "اخبار مشابهه", "مواضيع مشابهه", "مقالات متعلقه", "اخبار متعلقه",
    "شاهد ايضا", "شاهد كذلك", "اقرا ايضا", "اقرا كذلك", "اقرا المزيد", "طالع ايضا", "اقرا",
    "المزيد", "المزيد من الاخبار", "المزيد من المقالات", "قد يعجبك ايضا", "قد يهمك ايضا", "قد يهمك",
    "الاكثر قراءه", "الاكثر مشاهده", "الاكثر تداولا", "اخترنا لك", "اخر الاخبار", "الاخبار الاخيره",
    "related", "related articles", "related stories", "related news", "related posts",
    "related content", "related coverage", "see also", "read also", "also read", "read more",
    "more stories", "more news", "more from", "more on this story", "you may also like",
    "you might also like", "most read", "most popular", "recommended", "recommended for you",
    "further reading", "latest news", "trending",
})

# Standalone UI labels, by category; matched after folding (digits and counters ignored).
UI_LABELS: dict[str, frozenset[str]] = {
    "back-to-top": frozenset({
        "زر الذهاب الي الاعلي", "الذهاب الي الاعلي", "العوده للاعلي", "العوده الي الاعلي", "للاعلي",
        "الي الاعلي", "اعلي الصفحه", "back to top", "scroll to top", "go to top", "to top", "top", "↑",
    }),
    "close": frozenset({"اغلاق", "اغلق", "close", "×", "✕", "✖", "x"}),
    "share": frozenset({
        "شارك", "مشاركه", "شارك المقال", "شارك الخبر", "شارك هذا المقال", "طباعه", "اطبع", "تعليقات",
        "تعليق", "التعليقات", "اضف تعليق", "اترك تعليقا", "نسخ الرابط", "حفظ", "share", "share this",
        "share this article", "share this story", "print", "comments", "comment", "leave a comment",
        "tweet", "email", "e-mail", "copy link", "save",
    }),
    "advertisement": frozenset({
        "اعلان", "اعلانات", "الاعلان", "مساحه اعلانيه", "محتوي مدعوم", "محتوي ممول", "advertisement",
        "advertisements", "ad", "ads", "sponsored", "sponsored content", "continue reading below",
        "story continues below advertisement", "scroll to continue with content", "skip advertisement",
    }),
    "consent": frozenset({
        "موافق", "اوافق", "قبول", "قبول الكل", "رفض", "accept", "accept all", "i agree", "agree",
        "got it", "reject all", "manage preferences",
    }),
}
# Single words a share/social toolbar is made of; a short line of only these is a toolbar.
_TOOLBAR_WORDS = frozenset({
    "شارك", "مشاركه", "طباعه", "تعليقات", "تعليق", "فيسبوك", "تويتر", "واتساب", "تلغرام", "تيليجرام",
    "لينكدان", "انستغرام", "يوتيوب", "share", "print", "comments", "tweet", "email", "facebook",
    "twitter", "whatsapp", "telegram", "linkedin", "pinterest", "reddit", "instagram", "youtube", "x",
})
_RELATED_INLINE = re.compile(r"^\s*(?P<marker>[^:：\-–—|]{2,30}?)\s*[:：\-–—|]\s*\S")
_COOKIE = re.compile(r"cookie|ملفات تعريف الارتباط|الكوكيز|ملفات الارتباط|سياسه الخصوصيه", re.I)
_CONSENT = re.compile(r"accept|agree|consent|continu|موافق|نستخدم|تستخدم")
_COPYRIGHT = re.compile(r"©|all rights reserved|جميع الحقوق محفوظه|الحقوق محفوظه|حقوق النشر محفوظه"
                        r"|^copyright\b", re.I)
_CUE_LINE = re.compile(r"^(?:الوسوم|وسوم|كلمات مفتاحيه|الكلمات المفتاحيه|tags|topics|keywords)\s*:"
                       r"|^(?:تابعونا علي|تابعنا علي|follow us|subscribe to|sign up for|اشترك في)", re.I)
_HOME = frozenset({"الرئيسيه", "الصفحه الرئيسيه", "home", "homepage"})
_CRUMB_SEP = re.compile(r"\s*[»›>|•·]\s*")
_COUNTERS = re.compile(r"[\d٠-٩۰-۹()\[\]]+")


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text and the lines taken out, so tests and logs can show what went where."""

    text: str
    removed: list[str] = field(default_factory=list)


def clean_text(text: str, keep: Collection[str | None] = ()) -> CleanResult:
    """Drop furniture lines from line-structured text and collapse blank-line runs.

    ``keep`` lists strings the source declares as its title or author (HTML head, front matter):
    a line equal to one of them is never furniture, however short it is.

    Example:
        >>> clean_text("Body text here.\\n\\nBack to top").text
        'Body text here.'
    """
    lines = [ln if ln.strip() else "" for ln in text.split("\n")]
    reasons: list[str | None] = [furniture_kind(ln) if ln else None for ln in lines]
    _mark_related_blocks(lines, reasons)
    _mark_edge_labels(lines, reasons)
    protected = {fold(k) for k in keep if k}
    for i, line in enumerate(lines):
        if reasons[i] is not None and fold(line) in protected:
            reasons[i] = None
    kept: list[str] = []
    removed: list[str] = []
    for line, reason in zip(lines, reasons, strict=True):
        if reason is None:
            if line or (kept and kept[-1]):
                kept.append(line)
        else:
            removed.append(line)
            logger.debug("removed %s line: %r", reason, line)
    while kept and not kept[-1]:
        kept.pop()
    return CleanResult("\n".join(kept), removed)


def furniture_kind(line: str) -> str | None:
    """The category of a standalone furniture line, or None for anything that may be article text."""
    key = fold(line)
    if not key:
        return None
    bare = fold(_COUNTERS.sub("", key))  # «تعليقات (12)», "3 Comments": counters sit on share/comment labels
    for kind, labels in UI_LABELS.items():
        if key in labels or (kind == "share" and bare in labels):
            return kind
    n = len(words(line))
    if key in RELATED_MARKERS:
        return "related"
    if n <= 8 and all(t in _TOOLBAR_WORDS for t in fold(re.sub(r"[|•·/]", " ", bare)).split() or ["?"]):
        return "share"
    if n <= 60 and _COOKIE.search(key) and _CONSENT.search(key):
        return "cookie"
    if n <= 25 and _COPYRIGHT.search(key):
        return "copyright"
    if n <= 20 and _CUE_LINE.search(key):
        return "tags-or-follow"
    if n <= 12 and _is_breadcrumb(line):
        return "navigation"
    if _is_inline_related(line):
        return "related"
    return None


def _is_breadcrumb(line: str) -> bool:
    """«الرئيسية » أخبار » العراق», or a menu of three or more short labels separated by | » •."""
    parts = [p for p in _CRUMB_SEP.split(line.strip()) if p]
    if len(parts) < 2 or not all(is_label(p) for p in parts):
        return False
    return fold(parts[0]) in _HOME or len(parts) >= 3


def _is_inline_related(line: str) -> bool:
    """«اقرأ أيضا: عنوان مقال آخر» is a teaser on one line; it goes as one line."""
    m = _RELATED_INLINE.match(line)
    if m is None:
        return False
    return fold(m.group("marker")) in RELATED_MARKERS and len(words(line)) <= 40


def _mark_related_blocks(lines: list[str], reasons: list[str | None]) -> None:
    """After a standalone related-articles marker, also remove the teaser lines that follow it.

    Teasers are headlines: short, without a final full stop, or cut off with an ellipsis. The
    block ends at the first line that reads like a body paragraph (``lines.is_body``), so a
    related box in the middle of an article does not swallow the paragraphs after it.
    """
    for i, line in enumerate(lines):
        if not line or fold(line) not in RELATED_MARKERS:
            continue
        reasons[i] = "related"
        for j in range(i + 1, len(lines)):
            nxt = lines[j]
            if nxt and is_body(nxt):
                break
            if nxt and reasons[j] is None:
                reasons[j] = "related-teaser"


def _mark_edge_labels(lines: list[str], reasons: list[str | None]) -> None:
    """Navigation residue: runs of short label lines before the title or after the last paragraph.

    Dates stay (metadata reads them). At the top, a run is only removed when a headline-like line
    follows it -- otherwise its last line may itself be a short title -- so «أولىكتاب بناء» goes
    but a three-word title followed by prose stays. Lines with a comma or sentence punctuation
    are never labels, so a sign-off such as «بعدنا طيّبين، قولوا الله» stays, and neither is the last
    line of a sentence hard-wrapped over several lines (``lines.wraps``).
    """
    live = [i for i, ln in enumerate(lines) if ln and reasons[i] is None]
    continued = {i + 1 for i, w in enumerate(wraps(lines)) if w}  # the end of a wrapped sentence
    top: list[int] = []
    follower: str | None = None
    for i in live:
        if _is_dateline(lines[i]) or has_byline_cue(lines[i]):
            continue
        if is_label(lines[i]):
            top.append(i)
            continue
        follower = lines[i]
        break
    if top and follower is not None:
        if not _headline_like(follower) and len(words(lines[top[-1]])) >= 3:
            top.pop()
        for i in top:
            reasons[i] = "navigation"
    bottom: list[int] = []
    for i in reversed(live):
        if _is_dateline(lines[i]) or has_byline_cue(lines[i]):
            continue
        if not is_label(lines[i]) or i in continued:
            break
        bottom.append(i)
    if len(bottom) < len(live):  # never empty a document made only of short lines
        for i in bottom:
            reasons[i] = "navigation"


def _headline_like(line: str) -> bool:
    """At least three words, no full stop, not prose; enough to tell a title from a paragraph."""
    return len(words(line)) >= 3 and not is_body(line) and not is_label(line) and not ends_with_period(line)


def _is_dateline(line: str) -> bool:
    """A short line that carries a full or month date (kept for metadata)."""
    return len(words(line)) <= 12 and any(m.precision != "year" for m in find_dates(line))
