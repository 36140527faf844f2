"""The Library tab: the indexed articles, uploads (several files at once) and removal.

API endpoints ``/documents``, ``/upload`` and ``/remove``. File checks and storage live in
ui/library.py; this module only renders their outcome (escaped: file names come from users).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd
from gradio.utils import get_upload_folder

from index.errors import SanadError
from rag.pipeline import Pipeline
from rag.render import title_label
from ui.library import MAX_UPLOAD_BYTES, Library, Outcome, inside
from ui.markup import esc, isolate
from ui.memory import release_memory
from ui.viewer import doc_choices

log = logging.getLogger(__name__)

COLUMNS = ["title", "date", "author", "outlet", "characters", "chunks", "doc_id", "uploaded"]
ACCEPTED = ".txt, .md, .html"


def documents_frame(pipeline: Pipeline, uploads: Path) -> pd.DataFrame:
    """One row per indexed article, as ``sanad docs`` lists them."""
    if not pipeline.has_index():
        return pd.DataFrame(columns=COLUMNS)
    rows = [
        [title_label(d.title, d.title_derived, ""), d.date or "", d.author or "", d.outlet or "", d.chars, d.chunks,
         d.doc_id, "yes" if inside(Path(d.source), uploads) else ""]
        for d in sorted(pipeline.documents(), key=lambda d: d.doc_id)
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def documents_table(pipeline: Pipeline, uploads: Path) -> pd.DataFrame:
    """``documents_frame`` for display: free-text cells isolated so Arabic reads right to left."""
    frame = documents_frame(pipeline, uploads)
    for column in ("title", "author", "outlet"):
        frame[column] = frame[column].map(isolate)
    return frame


def status_html(outcomes: Sequence[Outcome]) -> str:
    """One line per file: indexed, or refused and why."""
    if not outcomes:
        return '<div class="sanad-status">No files were given. · لم تُرفع ملفات.</div>'
    items = []
    for o in outcomes:
        css, mark = ("sanad-status-ok", "✓") if o.ok else ("sanad-status-refused", "✗ refused:")
        items.append(f'<li class="{css}"><bdi>{esc(o.name)}</bdi> — {esc(mark)} {esc(o.message)}</li>')
    return f'<ul class="sanad-status">{"".join(items)}</ul>'


def message_html(text: str, ok: bool) -> str:
    css = "sanad-status-ok" if ok else "sanad-status-refused"
    return f'<div class="sanad-status {css}" dir="auto">{esc(text)}</div>'


@dataclass
class LibraryTab:
    """Components the app refreshes when a page opens."""

    table: gr.Dataframe
    remove_pick: gr.Dropdown


def build_library_tab(pipeline: Pipeline, library: Library, pickers: Sequence[gr.Dropdown]) -> LibraryTab:
    """Lay out the Library tab and wire upload and remove.

    After each change the table and every article picker (``pickers`` from other tabs, and this
    tab's own) show the new library.
    """
    table = gr.Dataframe(
        documents_table(pipeline, library.uploads),
        interactive=False,
        wrap=True,
        label="Articles · المقالات",
        elem_id="sanad-library",
        column_widths=["29%", "10%", "14%", "9%", "9%", "6%", "16%", "7%"],
    )
    with gr.Row(equal_height=False):
        with gr.Column():
            files = gr.File(
                file_count="multiple",
                type="filepath",
                label=f"Upload articles ({ACCEPTED}; up to {MAX_UPLOAD_BYTES // 2**20} MB each) · رفع مقالات",
                elem_id="sanad-upload",
            )
            add = gr.Button("Add to the index · أضف إلى الفهرس", variant="primary", elem_id="sanad-add")
        with gr.Column():
            remove_pick = gr.Dropdown(
                choices=doc_choices(pipeline),
                value=None,
                allow_custom_value=True,
                label="Article to remove · المقال المراد حذفه",
                elem_id="sanad-remove-pick",
            )
            remove = gr.Button("Remove · احذف", variant="stop", elem_id="sanad-remove")
    status = gr.HTML("", elem_id="sanad-library-status")
    all_pickers = [*pickers, remove_pick]

    def refreshed() -> list[Any]:
        choices = doc_choices(pipeline)
        return [documents_table(pipeline, library.uploads), *(gr.update(choices=choices) for _ in all_pickers)]

    refresh_outputs = [table, *all_pickers]

    def upload(paths: list[str] | None, progress: gr.Progress = gr.Progress()) -> list[Any]:  # noqa: B008
        """Check each file, store the good ones under uploads/, index them; report per file."""

        def report(stage: str, done: int, total: int) -> None:
            progress((done, max(total, 1)), desc=stage)

        received = Path(get_upload_folder())
        given = [Path(p) for p in paths or []]
        foreign = [Outcome(p.name, False, "not a file uploaded to this server")
                   for p in given if not inside(p, received)]
        try:
            outcomes = foreign + library.add([p for p in given if inside(p, received)], progress=report)
            message = status_html(outcomes)
        except SanadError as exc:
            message = message_html(f"nothing was added: {exc}", ok=False)
        except OSError as exc:
            log.exception("upload failed")
            message = message_html(f"nothing was added: {exc.strerror or exc}", ok=False)
        shown = [message, None, *refreshed()]  # refreshed() loads the new version and drops the old one
        release_memory()
        return shown

    add.click(upload, [files], [status, files, *refresh_outputs], api_name="upload", concurrency_limit=2)

    def remove_article(doc_id: str | None) -> list[Any]:
        """Remove one article from the index (and its file, if it was uploaded)."""
        if not doc_id:
            return [message_html("pick an article to remove first", ok=False), *refreshed()]
        try:
            message = message_html(library.remove(doc_id), ok=True)
        except SanadError as exc:
            message = message_html(str(exc), ok=False)
        shown = [message, *refreshed()]
        release_memory()
        return shown

    remove.click(remove_article, [remove_pick], [status, *refresh_outputs], api_name="remove", concurrency_limit=2)

    def documents() -> list[dict[str, Any]]:
        """The indexed articles, one record each."""
        return list(documents_frame(pipeline, library.uploads).to_dict("records"))

    gr.api(documents, api_name="documents")
    return LibraryTab(table, remove_pick)
