"""The chat turn: read the settings, ask the pipeline with the conversation so far, stream the answer.

Each browser session owns its conversation (the Chatbot value plus a list of ``Exchange`` in
``gr.State``); nothing here is shared between users but the pipeline and the feedback file.
Does not lay out components; see ui/chat_tab.py.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from index.errors import SanadError
from rag.pipeline import Pipeline
from rag.types import Answer, Language, Turn
from ui.answers import answer_html, error_html, sources_html, stream_prefixes, user_html
from ui.feedback import FeedbackLog
from ui.markup import placeholder, text_direction

log = logging.getLogger(__name__)

MAX_K = 10
SERVER_ERROR = "something went wrong on the server; the details are in its log"  # a bug, never a traceback
STREAM_DELAY = 0.02  # seconds between streamed chunks: fast, but visibly progressive
_ISO = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
NO_SOURCES = "Sources of the latest answer appear here. · تظهر هنا مصادر آخر إجابة."

Message = dict[str, Any]
Update = tuple[list[Message], str, str, list["Exchange"]]


@dataclass(frozen=True)
class Exchange:
    """One question and its answer, or the error that stopped it."""

    question: str
    answer: Answer | None = None
    error: str | None = None


@dataclass(frozen=True)
class Options:
    """Validated chat settings, ready for ``Pipeline.ask``."""

    k: int | None = None
    doc_ids: tuple[str, ...] | None = None
    date_from: str | None = None
    date_to: str | None = None

    def as_kwargs(self) -> dict[str, Any]:
        return {"k": self.k, "doc_ids": self.doc_ids, "date_from": self.date_from, "date_to": self.date_to}


def _iso(value: str | None, label: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if not _ISO.match(text):
        raise SanadError(f"the {label} date {text!r} is not an ISO date; write YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def read_options(
    k: float | None, doc_ids: Sequence[str] | None, date_from: str | None, date_to: str | None
) -> Options:
    """Check the settings panel; raises ``SanadError`` with the fix for a bad value."""
    if k is not None and not 1 <= int(k) <= MAX_K:
        raise SanadError(f"the number of passages must be between 1 and {MAX_K}")
    start, end = _iso(date_from, "from"), _iso(date_to, "to")
    if start and end and start[: len(end)] > end[: len(start)]:
        raise SanadError(f"the date range is empty: {start} is after {end}")
    return Options(int(k) if k else None, tuple(doc_ids) if doc_ids else None, start, end)


def language_of(text: str) -> Language:
    return "ar" if text_direction(text) == "rtl" else "en"


def turns(exchanges: Sequence[Exchange]) -> list[Turn]:
    """The answered part of the conversation, as the pipeline reads follow-up questions."""
    return [Turn(e.question, e.answer.answer) for e in exchanges if e.answer is not None]


class Chat:
    """Streams answers into a session's conversation and records votes on them."""

    def __init__(self, pipeline: Pipeline, feedback: FeedbackLog, stream_delay: float = STREAM_DELAY) -> None:
        self.pipeline = pipeline
        self.feedback = feedback
        self.stream_delay = stream_delay

    def respond(
        self,
        message: str,
        history: list[Message] | None,
        exchanges: list[Exchange] | None,
        k: float | None = None,
        doc_ids: Sequence[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Iterator[Update]:
        """Yield (chat, cleared textbox, sources panel, exchanges) as the answer grows."""
        question = message if isinstance(message, str) else ""
        chat = [*(history or []), {"role": "user", "content": user_html(question)}]
        done = list(exchanges or [])
        try:
            options = read_options(k, doc_ids, date_from, date_to)
            answer = self.pipeline.ask(question, history=turns(done), **options.as_kwargs())
        except SanadError as exc:
            yield self._failed(chat, done, question, str(exc))
            return
        except Exception:  # a bug must not reach the page as a traceback
            log.exception("answering %r failed", question)
            yield self._failed(chat, done, question, SERVER_ERROR)
            return
        done.append(Exchange(question, answer))
        sources = sources_html(answer.citations, answer.language, bool(answer.abstained))
        chat.append({"role": "assistant", "content": answer_html(answer, "", pending=True)})
        for prefix in stream_prefixes(answer.answer):
            chat[-1] = {"role": "assistant", "content": answer_html(answer, prefix, pending=prefix != answer.answer)}
            yield chat, "", sources, done
            if prefix != answer.answer and self.stream_delay:
                time.sleep(self.stream_delay)

    @staticmethod
    def _failed(chat: list[Message], done: list[Exchange], question: str, reason: str) -> Update:
        chat.append({"role": "assistant", "content": error_html(reason, language_of(question))})
        return chat, "", placeholder(NO_SOURCES), [*done, Exchange(question, error=reason)]

    @staticmethod
    def exchange_at(exchanges: Sequence[Exchange] | None, index: object) -> Exchange | None:
        """The exchange a Chatbot message index belongs to (two messages per exchange)."""
        if isinstance(index, (list, tuple)):
            index = index[0] if index else None
        if not isinstance(index, int) or not exchanges or not 0 <= index // 2 < len(exchanges):
            return None
        return exchanges[index // 2]

    def sources_of(self, exchanges: Sequence[Exchange] | None, index: object) -> str:
        """The sources panel for the answer at Chatbot message ``index`` (clicking an older answer)."""
        exchange = self.exchange_at(exchanges, index)
        if exchange is None or exchange.answer is None:
            return placeholder(NO_SOURCES)
        a = exchange.answer
        return sources_html(a.citations, a.language, bool(a.abstained))

    def vote(self, exchanges: Sequence[Exchange] | None, index: object, liked: object) -> str:
        """Append a thumbs up/down on the answer at ``index`` to the feedback file; returns a note."""
        exchange = self.exchange_at(exchanges, index)
        if exchange is None or exchange.answer is None:
            return "There is no answer to rate there."
        try:
            record = self.feedback.record(exchange.answer, liked)
        except OSError as exc:  # a full disk or read-only folder must not lose the conversation
            log.warning("could not save a vote in %s: %s", self.feedback.path, exc)
            return f"Your vote could not be saved ({exc.strerror or exc})."
        return f"Thanks: your {record['vote']} vote was saved."
