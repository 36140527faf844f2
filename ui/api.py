"""The web app's JSON endpoints for programs: ``/answer``, ``/summary`` and ``/articles``.

They return the records ``sanad ask --json``, ``sanad summarize --json`` and ``sanad docs --json``
print, made by the same ``to_dict()`` methods, so a program gets the answer and its exact
citations without scraping the chat's markup (``/ask`` stays the chat's own endpoint). Bad input
is a ``gr.Error`` with the one-line fix; a bug is logged and reported without a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import gradio as gr

from index.errors import SanadError
from rag.pipeline import Pipeline
from ui.chat import SERVER_ERROR, read_options

log = logging.getLogger(__name__)

T = TypeVar("T")


def guarded(run: Callable[[], T], what: str) -> T:
    """``run()``, with Sanad's errors passed on as their message and anything else as a plain line."""
    try:
        return run()
    except SanadError as exc:
        raise gr.Error(str(exc), print_exception=False) from exc
    except Exception as exc:  # a bug must not reach a client as a traceback
        log.exception("%s failed", what)
        raise gr.Error(SERVER_ERROR, print_exception=False) from exc


def add_api(pipeline: Pipeline) -> None:
    """Declare the endpoints inside the app's ``gr.Blocks`` (they show on its "Use via API" page)."""

    def answer(
        question: str,
        doc_ids: list[str] | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        k: int | None = None,
    ) -> dict[str, Any]:
        """Answer ``question`` from the indexed articles: the answer text ([n] marks its citations), whether it
        abstained, the question's language, and each citation's article, outlet, date, exact text and
        character offsets in the article (``/articles`` lists the ids; dates are ISO, inclusive)."""
        def run() -> dict[str, Any]:
            if not isinstance(question, str):
                raise SanadError("the question must be text")
            options = read_options(k, doc_ids, date_from, date_to)
            return pipeline.ask(question, **options.as_kwargs()).to_dict()

        return guarded(run, "answer")

    def summary(doc_id: str, sentences: int | None = None, words: int | None = None) -> dict[str, Any]:
        """One article's summary as cited sentences with their offsets: at most ``sentences`` sentences and
        ``words`` words (neither: the default length)."""
        def run() -> dict[str, Any]:
            for name, value in (("sentences", sentences), ("words", words)):
                if value is not None and value < 1:
                    raise SanadError(f"{name} must be at least 1")
            return pipeline.summarize(doc_id, sentences, words=words).to_dict()

        return guarded(run, "summary")

    def articles() -> list[dict[str, Any]]:
        """The indexed articles: id, title, date, author, outlet, source file and sizes."""
        return guarded(lambda: [d.to_dict() for d in pipeline.documents()] if pipeline.has_index() else [], "articles")

    gr.api(answer, api_name="answer", concurrency_id="ask")
    gr.api(summary, api_name="summary")
    gr.api(articles, api_name="articles", concurrency_limit=None)
