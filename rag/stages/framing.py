"""Stage 6 of ``ask``: the answer's text, the quoted excerpts framed in the question's language.

Excerpts are always quoted in the original language of the article; only the framing changes.
``ExtractiveComposer`` is the ``Composer`` Sanad ships; a chat model can take its place.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.question import Question
from rag.stages.contracts import Verdict
from rag.types import Citation, Language

_FRAMES: dict[Language, dict[str, str]] = {
    "en": {
        "lead": "According to the articles:",
        "lead_translated": "According to the articles (quoted in the original language):",
        "abstain": "The articles do not say. The closest passages are:",
        "after": "The articles do not say: the newest date they give is {newest}, and the question asks about "
                 "a later time. The closest passages are:",
        "nothing": "The articles do not say, and no passage comes close.",
    },
    "ar": {
        "lead": "وفقاً للمقالات:",
        "lead_translated": "وفقاً للمقالات (مقتبسة بلغتها الأصلية):",
        "abstain": "لا تذكر المقالات ذلك. أقرب المقاطع إلى السؤال:",
        "after": "لا تذكر المقالات ذلك: أحدث تاريخ فيها {newest}، والسؤال عن وقت لاحق له. أقرب المقاطع إلى السؤال:",
        "nothing": "لا تذكر المقالات ذلك، ولا يوجد مقطع قريب من السؤال.",
    },
}


def compose(language: Language, citations: Sequence[Citation], abstained: bool, newest: str | None = None) -> str:
    """The answer text: a framing line, then each excerpt in «quotes» followed by its [n] marker.

    For an English question, the first excerpt is led by the answer phrase the reader found in it.

    ``newest``: the abstention is because the question asks about a time after this date (ISO).
    """
    frame = _FRAMES[language]
    if not citations:
        return frame["nothing"]
    if abstained:
        lead = frame["after"].format(newest=newest) if newest else frame["abstain"]
    else:
        lead = frame["lead_translated"] if language == "en" and _any_arabic(citations) else frame["lead"]
    lines = [f"- «{c.text}» [{c.n}]" for c in citations]
    phrase = citations[0].answer_phrase
    if not abstained and language == "en" and phrase and phrase != citations[0].text:
        # An English reader of an Arabic excerpt gets the answer phrase first.
        lines[0] = f"- {phrase} — «{citations[0].text}» [{citations[0].n}]"
    return "\n".join([lead, *lines])


class ExtractiveComposer:
    """Frames the excerpts with fixed words: no model, nothing said that the articles do not say."""

    def compose(self, question: Question, citations: Sequence[Citation], verdict: Verdict) -> str:
        return compose(question.language, citations, verdict.abstained, verdict.newest)


def _any_arabic(citations: Sequence[Citation]) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for c in citations for ch in c.text)
