"""``build_app(pipeline) -> gr.Blocks``: the web chat's four tabs around one shared ``Pipeline``.

Per-user state lives in each session (Chatbot value, ``gr.State``); the pipeline, the library
lock and the feedback file are the only shared things. Does not launch a server; see ui/serve.py.

Example:
    >>> demo = build_app(Pipeline(Path("/tmp/index")), corpus_dir=Path("seeds"))
    >>> launch(demo, "127.0.0.1", 7860)  # not demo.launch(): launch() adds the file guard and login gate
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr
from starlette.middleware import Middleware

from index.settings import from_env
from rag.pipeline import Pipeline
from ui.access import LoginGate
from ui.api import add_api
from ui.chat import STREAM_DELAY, Chat
from ui.chat_tab import build_chat_tab
from ui.feedback import FeedbackLog, default_feedback_path
from ui.fileguard import FileGuard
from ui.library import MAX_UPLOAD_BYTES, Library
from ui.library_tab import build_library_tab, documents_table
from ui.memory import Janitor
from ui.overview_tab import build_overview_tab
from ui.style import launch_options
from ui.summaries_tab import build_summaries_tab
from ui.viewer import doc_choices

__all__ = ["build_app", "launch", "launch_options"]

CHAT_CONCURRENCY = 16  # answers take a fraction of a second; let many sessions ask at once

HEADER = """
<div id="sanad-header">
<h1>Sanad · سند</h1>
<p dir="ltr">Answers with cited excerpts from the indexed news articles, or a plain “the articles don't say”.</p>
<p dir="rtl">إجابات مقتبسة من المقالات المفهرسة مع ذكر مصدر كل مقطع، أو «المقالات لا تذكر ذلك».</p>
</div>
"""


def build_app(
    pipeline: Pipeline,
    corpus_dir: Path | None = None,
    feedback_path: Path | None = None,
    stream_delay: float = STREAM_DELAY,
) -> gr.Blocks:
    """The Gradio app over ``pipeline``; uploads go to ``corpus_dir/uploads``.

    Args:
        pipeline: answers, summaries and the live index (shared by every session).
        corpus_dir: the folder the index was built from; default ``$SANAD_CORPUS`` or ``seeds``.
        feedback_path: where votes are appended; default ``feedback.jsonl`` beside the index folder.
        stream_delay: pause between streamed chunks of an answer, in seconds.
    """
    corpus = corpus_dir if corpus_dir is not None else from_env().corpus_dir
    library = Library(pipeline, corpus)
    library.recover()  # a killed server may have left an upload stored but not indexed
    Janitor(pipeline.store.current_version).start()  # frees dropped index versions' memory
    chat = Chat(pipeline, FeedbackLog(feedback_path or default_feedback_path(pipeline.store.home)), stream_delay)

    # delete_cache: uploaded files linger in Gradio's temp folder; clear those older than an hour, hourly.
    with gr.Blocks(
        title="Sanad · سند", analytics_enabled=False, fill_width=True, delete_cache=(3600, 3600)
    ) as demo:
        gr.HTML(HEADER)
        with gr.Tabs():
            with gr.Tab("Chat · المحادثة", id="chat"):
                chat_tab = build_chat_tab(pipeline, chat)
            with gr.Tab("Summaries · الملخصات", id="summaries") as summaries_page:
                summaries = build_summaries_tab(pipeline)
            with gr.Tab("Overview · نظرة عامة", id="overview") as overview_page:
                overview = build_overview_tab(pipeline)
            with gr.Tab("Library · المكتبة", id="library"):
                library_tab = build_library_tab(pipeline, library, [chat_tab.doc_filter, summaries.picker])

        overview_page.select(
            overview.refresh, overview.inputs, overview.outputs, api_name="overview_tab", api_visibility="private"
        )

        summaries_page.select(
            summaries.refresh_all, None, summaries.every, api_name="summaries_tab",
            api_visibility="private",
        )

        def on_load() -> list[Any]:
            """A newly opened page sees the library as it is now (others may have uploaded since)."""
            pick = gr.update(choices=doc_choices(pipeline))
            return [pick, pick, pick, documents_table(pipeline, library.uploads)]

        pickers = [chat_tab.doc_filter, summaries.picker, library_tab.remove_pick]
        demo.load(on_load, None, [*pickers, library_tab.table], api_name="page_load", api_visibility="private")
        add_api(pipeline)
    demo.queue(default_concurrency_limit=CHAT_CONCURRENCY)
    return demo


def launch(demo: gr.Blocks, host: str, port: int | None, auth: tuple[str, str] | None = None, **kwargs: Any) -> Any:
    """Start ``demo`` with Sanad's look, upload limit and binding; returns what ``launch`` returns.

    Event payloads may only name files uploaded to this server (ui/fileguard.py); with ``auth``,
    every route but the login page needs the login (ui/access.py).
    """
    app_kwargs = dict(kwargs.pop("app_kwargs", None) or {})
    guards = ([Middleware(LoginGate)] if auth is not None else []) + [Middleware(FileGuard)]  # outermost first
    app_kwargs["middleware"] = [*app_kwargs.get("middleware", []), *guards]
    return demo.launch(
        app_kwargs=app_kwargs,
        server_name=host,
        server_port=port,
        auth=auth,
        max_file_size=MAX_UPLOAD_BYTES,
        show_error=False,
        **launch_options(),
        **kwargs,
    )
