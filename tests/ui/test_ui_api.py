"""The web chat's API, through gradio_client against a real launched server over a real index."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from gradio_client import Client, handle_file

if TYPE_CHECKING:
    from conftest import UiServer

pytestmark = pytest.mark.slow

MARK = re.compile(r'<mark class="sanad-hit" data-start="(\d+)" data-end="(\d+)">(.*?)</mark>', re.S)
CARD = re.compile(r'data-doc="([^"]+)" data-start="(\d+)" data-end="(\d+)"')


def client(server: UiServer) -> Client:
    return Client(server.url, verbose=False)


def text_of(message: dict[str, Any]) -> str:
    """A Chatbot message's text, whatever shape gradio_client returns it in."""
    content = message["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content if isinstance(part, dict))


def visible(markup: str) -> str:
    """Roughly what the page shows: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def ask(c: Client, question: str, **kwargs: Any) -> tuple[list[dict[str, Any]], str]:
    chat, _, sources = c.predict(question, api_name="/ask", **kwargs)
    return chat, sources


def test_ask_streams_partial_answers_then_cites(ui_server: UiServer) -> None:
    c = client(ui_server)
    job = c.submit("كم صاروخاً ضرب قاعدة عين الأسد؟", api_name="/ask")
    chat, cleared, sources = job.result(timeout=120)
    partials = [text_of(out[0][-1]) for out in job.outputs() if out[0] and out[0][-1]["role"] == "assistant"]
    assert len(partials) >= 3, "the answer should arrive in several chunks"
    shown = [len(visible(p)) for p in partials]
    assert shown == sorted(shown) and shown[0] < shown[-1]
    final = text_of(chat[-1])
    assert "sanad-cursor" not in final and "sanad-cursor" in partials[0]
    assert cleared == ""
    assert 'class="sanad-ref"' in final and "[1]" in visible(final)
    assert 'dir="rtl"' in text_of(chat[0])  # the Arabic question reads right to left
    cards = CARD.findall(sources)
    assert cards, "the sources panel lists the citations"
    for doc_id, start, end in cards:  # every card points at real text
        assert ui_server.pipeline.article(doc_id).text[int(start) : int(end)]


def test_card_opens_article_with_exact_span_marked(ui_server: UiServer) -> None:
    c = client(ui_server)
    _, sources = ask(c, "Who leads the international coalition in Iraq?")
    doc_id, start, end = CARD.findall(sources)[0]
    page = c.predict(doc_id, int(start), int(end), api_name="/open_source")
    [(m_start, m_end, inner)] = MARK.findall(page)
    assert (m_start, m_end) == (start, end)
    assert html.unescape(inner) == ui_server.pipeline.article(doc_id).text[int(start) : int(end)]
    lines = [visible(line) for line in re.findall(r"<p[^>]*>(.*?)</p>", page, re.S)]
    assert "\n".join(lines) == ui_server.pipeline.article(doc_id).text  # the full text, one <p> per line


def test_problems_become_chat_messages(ui_server: UiServer) -> None:
    c = client(ui_server)
    chat, _ = ask(c, "   ")
    reply = text_of(chat[-1])
    assert "sanad-error" in reply and "empty" in visible(reply)
    assert "Traceback" not in reply
    chat, _ = ask(c, "Who leads the coalition?", date_from="last year")
    assert "ISO date" in visible(text_of(chat[-1]))
    chat, _ = ask(c, "Who leads the coalition?", doc_ids=["no-such-article"])
    assert "no-such-article" in visible(text_of(chat[-1]))


def test_user_text_is_escaped(ui_server: UiServer) -> None:
    chat, _ = ask(client(ui_server), 'Who leads <img src=x onerror="alert(1)"> the coalition? $$x$$ *y*')
    question = text_of(chat[0])
    assert "<img" not in question and "&lt;img" in question
    assert visible(question).startswith("Who leads <img src=x")


def test_settings_limit_passages_and_articles(ui_server: UiServer) -> None:
    c = client(ui_server)
    doc_id = sorted(d.doc_id for d in ui_server.pipeline.documents())[2]
    _, sources = ask(c, "ما موقف الفصائل من الانسحاب؟", k=2, doc_ids=[doc_id])
    cards = CARD.findall(sources)
    assert 1 <= len(cards) <= 2 and {d for d, _, _ in cards} == {doc_id}


def test_summarize_one_and_all(ui_server: UiServer) -> None:
    c = client(ui_server)
    doc_id = ui_server.pipeline.documents()[0].doc_id
    page = c.predict(doc_id, 2, api_name="/summarize")
    assert page.count('<li class="sanad-summary-sentence"') == 2
    summary = ui_server.pipeline.summarize(doc_id, sentences=2)
    marked = re.findall(r'<mark class="sanad-mark" data-start="(\d+)" data-end="(\d+)"', page)
    assert marked and {(int(s), int(e)) for s, e in marked} <= {(s.start, s.end) for s in summary.sentences}
    default = ui_server.pipeline.summarize(doc_id)
    page = c.predict(doc_id, api_name="/summarize")  # no limits: the default length
    assert page.count('<li class="sanad-summary-sentence"') == len(default.sentences)
    page = c.predict(doc_id, None, 12, api_name="/summarize")
    capped = ui_server.pipeline.summarize(doc_id, words=12)
    assert page.count('<li class="sanad-summary-sentence"') == len(capped.sentences)
    every = c.predict(api_name="/summaries")
    for d in ui_server.pipeline.documents():
        assert html.escape(d.title or d.doc_id) in every


def test_overview_has_themes_and_timeline(ui_server: UiServer) -> None:
    themes, table, chart = client(ui_server).predict("ar", api_name="/overview")
    assert "المحاور" in themes and "sanad-card" in themes
    assert table["headers"][:4] == ["date", "kind", "source", "excerpt"] and table["data"]
    assert chart is not None


def upload(c: Client, paths: Sequence[Path]) -> str:
    status, *_ = c.predict([handle_file(str(p)) for p in paths], api_name="/upload")
    return str(status)


def documents(c: Client) -> dict[str, dict[str, Any]]:
    return {d["doc_id"]: d for d in c.predict(api_name="/documents")}


def test_upload_refuses_bad_files_and_changes_nothing(ui_server: UiServer, samples: dict[str, Path]) -> None:
    c = client(ui_server)
    before = documents(c)
    seed = Path(ui_server.pipeline.documents()[0].source)
    status = upload(c, [samples["empty.txt"], samples["binary.txt"], samples["report.pdf"], seed])
    assert status.count("✗ refused") == 4, status
    assert "unsupported file type" in status and "same text as the indexed article" in status
    assert documents(c) == before
    assert not [p for p in ui_server.uploads.glob("*") if p.is_file()]


def test_upload_search_then_remove(ui_server: UiServer, samples: dict[str, Path]) -> None:
    c = client(ui_server)
    status = upload(c, [samples["good.txt"], samples["notes.md"]])
    assert status.count("✓") == 2, status
    docs = documents(c)
    assert {"good", "notes"} <= set(docs) and docs["good"]["uploaded"] == "yes"
    assert sorted(p.name for p in ui_server.uploads.iterdir()) == ["good.txt", "notes.md"]

    _, sources = ask(c, "How many radar units did the zebra base receive?")
    assert CARD.findall(sources)[0][0] == "good"  # searchable as soon as the upload finished

    again = upload(c, [samples["good.txt"]])  # the same text under the same name
    assert "✗ refused" in again and "same text" in again
    assert sorted(p.name for p in ui_server.uploads.iterdir()) == ["good.txt", "notes.md"]

    status, *_ = c.predict("good", api_name="/remove")
    assert "removed" in status
    assert "good" not in documents(c) and not (ui_server.uploads / "good.txt").exists()
    ui_server.pipeline.index([ui_server.uploads])  # a re-scan does not bring it back
    assert "good" not in documents(c)
    c.predict("notes", api_name="/remove")
    status, *_ = c.predict("notes", api_name="/remove")
    assert "no article" in status


def test_concurrent_uploads_queue_and_reads_continue(ui_server: UiServer, tmp_path: Path) -> None:
    files = []
    for i, word in enumerate(["amber", "basalt", "cobalt"]):
        path = tmp_path / f"batch-{word}.txt"
        path.write_text(
            f"The {word} depot stores {i + 3} trucks.\nGuards at the {word} depot work in two shifts.\n"
            f"The {word} depot was opened by the ministry.\n",
            encoding="utf-8",
        )
        files.append(path)
    with ThreadPoolExecutor(4) as pool:
        uploads = [pool.submit(upload, client(ui_server), [f]) for f in files]
        reads = [pool.submit(ask, client(ui_server), "من يقود التحالف الدولي؟") for _ in range(3)]
        statuses = [u.result(timeout=300) for u in uploads]
        answers = [r.result(timeout=300) for r in reads]
    assert all("✓" in s for s in statuses), statuses
    assert all(CARD.findall(sources) for _, sources in answers)
    docs = documents(client(ui_server))
    for path in files:
        assert path.stem in docs
        client(ui_server).predict(path.stem, api_name="/remove")
