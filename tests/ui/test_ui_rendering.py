"""Every hostile payload shows as text and nothing runs, in headless Chromium, in every place that shows it.

The payloads (eval/reliability/payloads.py) each set ``window.__pwned`` if they ever run. They reach
the page as a question (chat bubble), as article text (source cards, the article viewer, summaries,
overview themes and timeline), as HTML metadata (library table, article pickers) and as a file name
(upload status). After each view: ``window.__pwned`` is undefined, no dialog opened, no element a
payload would create exists inside Sanad's panels, and the payload text is there, literally.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from eval.reliability.payloads import INJECTED, XSS, xss_article, xss_page
from eval.reliability.results import Results
from index.embed import Embedder

if TYPE_CHECKING:
    from conftest import UiServer

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.reliability("rendering")]

WAIT_MS = 120_000
FILE_NAME = "zebra <img src=x onerror=window.__pwned=1>.txt"  # a file name with markup in it
SHOWN_NAME = "zebra img src=x onerror=window.__pwned=1.txt"  # Gradio's upload route drops < and > from names
QUESTION = "What did the zebra unit log? " + " ".join(XSS.values())


@pytest.fixture(scope="module")
def render_server(tmp_path_factory: pytest.TempPathFactory, seed_index: Path, e5: Embedder) -> Iterator[UiServer]:
    from conftest import start_server

    server, demo = start_server(tmp_path_factory.mktemp("ui-render"), seed_index, e5)
    yield server
    demo.close()  # type: ignore[attr-defined]


class Inspector:
    """Checks one view of the page and keeps the tally for the report."""

    def __init__(self, page: Any, dialogs: list[str]) -> None:
        self.page, self.dialogs = page, dialogs
        self.views: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []

    def check(self, view: str, selector: str, expected: list[str], shown: str | None = None) -> None:
        """Nothing ran, nothing was injected under ``selector``, and each of ``expected`` is shown as text.

        ``shown``: the text to look in, when the view's own text is not all in the page at once.
        """
        page = self.page
        page.wait_for_timeout(300)  # let any payload that could run, run
        pwned = page.evaluate("typeof window.__pwned === 'undefined' ? null : String(window.__pwned)")
        injected = page.evaluate(
            "([sel, inj]) => [...document.querySelectorAll(sel)].flatMap(el => "
            "[...el.querySelectorAll(inj)].map(e => e.outerHTML.slice(0, 120)))", [selector, INJECTED])
        if shown is None:
            shown = page.evaluate("(sel) => [...document.querySelectorAll(sel)].map(e => e.innerText).join(' ')",
                                  selector)
        missing = [p for p in expected if p not in shown]
        if pwned is not None:
            self.problems.append(f"{view}: a payload ran (window.__pwned = {pwned!r})")
        if injected:
            self.problems.append(f"{view}: elements were injected: {injected[:3]}")
        if missing:
            self.problems.append(f"{view}: {len(missing)} payloads not shown as text, e.g. {missing[0]!r}")
        if self.dialogs:
            self.problems.append(f"{view}: a dialog opened: {self.dialogs}")
        self.views[view] = {"payloads shown as text": len(expected) - len(missing), "ran": pwned is not None,
                            "injected elements": len(injected)}


def scrolled_text(page: Any, selector: str) -> str:
    """The text of every row of a scrolling table, read while scrolling it from top to bottom."""
    return str(page.evaluate(
        """async (sel) => {
            const root = document.querySelector(sel);
            const box = [root, ...root.querySelectorAll('*')].find(e => e.scrollHeight > e.clientHeight + 4
                && getComputedStyle(e).overflowY !== 'visible') || root;
            let text = root.innerText;
            for (let i = 0; i < 60 && box.scrollTop + box.clientHeight < box.scrollHeight; i++) {
                box.scrollTop += box.clientHeight * 0.8;
                await new Promise(r => setTimeout(r, 150));
                text += String.fromCharCode(10) + root.innerText;
            }
            box.scrollTop = 0;
            return text;
        }""", selector))


def wait_answer(page: Any, count_before: int) -> None:
    page.locator("#sanad-chat .sanad-answer, #sanad-chat .sanad-error").nth(count_before).wait_for(timeout=WAIT_MS)
    page.wait_for_function("!document.querySelector('#sanad-chat .sanad-cursor')", timeout=WAIT_MS)


def test_every_payload_renders_as_text_and_nothing_runs(
    browser: Any, render_server: UiServer, tmp_path: Path, reliability: Results, artifacts: Path
) -> None:
    article = tmp_path / FILE_NAME
    article.write_text(xss_article(), encoding="utf-8")
    page_file = tmp_path / "quartz.html"
    page_file.write_text(xss_page(), encoding="utf-8")
    payloads = list(XSS.values())
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    inspect = Inspector(page, dialogs)
    page.goto(render_server.url)
    page.wait_for_selector("#sanad-question textarea", timeout=WAIT_MS)

    # Library: upload both; the status shows the file name, the table the HTML page's metadata.
    page.get_by_role("tab", name="Library · المكتبة").click()
    page.locator("#sanad-upload input[type=file]").set_input_files([str(article), str(page_file)])
    page.wait_for_timeout(500)
    page.click("#sanad-add")
    page.locator("#sanad-library-status .sanad-status-ok").nth(1).wait_for(timeout=WAIT_MS * 3)
    inspect.check("upload status (file name)", "#sanad-library-status", [SHOWN_NAME])
    inspect.check("library table (title, author, outlet)", "#sanad-library",
                  [XSS["img-onerror"], XSS["attribute-breakout"], XSS["svg-onload"]])
    page.screenshot(path=str(artifacts / "payloads_library.png"), full_page=True)

    # Chat: the question is every payload at once; its sources and the viewer show the payload article.
    page.get_by_role("tab", name="Chat · المحادثة").click()
    page.fill("#sanad-question textarea", QUESTION)
    page.press("#sanad-question textarea", "Enter")
    wait_answer(page, 0)
    inspect.check("chat question bubble", "#sanad-chat .sanad-user", payloads)
    spans = page.evaluate("[...document.querySelectorAll('#sanad-sources .sanad-card')].map(c => "
                          "[c.dataset.doc, Number(c.dataset.start), Number(c.dataset.end)])")
    cited = " ".join(render_server.pipeline.article(d).text[a:b] for d, a, b in spans)
    inspect.check("chat answer and source cards", "#sanad-chat, #sanad-sources", [p for p in payloads if p in cited])
    card = page.locator("#sanad-sources .sanad-card[data-doc^='zebra']").first
    card.click()
    page.locator("#sanad-viewer .sanad-viewer[data-doc^='zebra']").wait_for(timeout=WAIT_MS)
    inspect.check("source viewer (article text)", "#sanad-viewer", payloads)
    page.screenshot(path=str(artifacts / "payloads_chat.png"), full_page=True)

    # Summaries: the payload article's summary and full text; the pickers list the HTML title.
    page.get_by_role("tab", name="Summaries · الملخصات").click()
    picker = page.locator("#sanad-summary-pick input")
    picker.click()
    page.wait_for_timeout(500)
    inspect.check("article picker options", "ul[role=listbox], .options", [XSS["img-onerror"]])
    picker.fill(_doc_id(render_server, "zebra"))
    page.keyboard.press("Enter")
    page.locator("#sanad-summary .sanad-viewer[data-doc^='zebra']").wait_for(timeout=WAIT_MS)
    inspect.check("summary and its article", "#sanad-summary", payloads)
    shown_summary = render_server.pipeline.summarize(_doc_id(render_server, "zebra"))  # the default length
    summary = " ".join(x.text for x in shown_summary.sentences)
    inspect.check("all summaries", "#sanad-all-summaries", [p for p in payloads if p in summary])
    page.screenshot(path=str(artifacts / "payloads_summaries.png"), full_page=True)

    # Overview: themes, differences and the timeline of dated sentences (each payload line has a date).
    page.get_by_role("tab", name="Overview · نظرة عامة").click()
    page.locator("#sanad-overview .sanad-card").first.wait_for(timeout=WAIT_MS)
    page.locator("#sanad-timeline").get_by_text("zebra unit", exact=False).first.wait_for(timeout=WAIT_MS)
    timeline = scrolled_text(page, "#sanad-timeline")  # the table renders only the rows in view
    in_timeline = [p for p in payloads if p in timeline]
    overview = render_server.pipeline.overview("en")
    quoted = " ".join(c.text for point in (*overview.themes, *overview.differences) for c in point.citations)
    inspect.check("overview themes and differences", "#sanad-overview", [p for p in payloads if p in quoted])
    inspect.check("overview timeline table", "#sanad-timeline", in_timeline, shown=timeline)
    page.locator("#sanad-timeline").get_by_text("zebra unit", exact=False).first.click()
    page.locator("#sanad-overview-viewer .sanad-viewer[data-doc^='zebra']").wait_for(timeout=WAIT_MS)
    inspect.check("overview article viewer", "#sanad-overview-viewer", payloads)
    page.screenshot(path=str(artifacts / "payloads_overview.png"), full_page=True)
    if len(in_timeline) < len(payloads) // 2:
        inspect.problems.append(f"only {len(in_timeline)} payload lines reached the timeline table")
    page.close()

    reliability.record("rendering", "headless Chromium", {
        "payloads": len(payloads), "views": len(inspect.views),
        "cases": sum(v["payloads shown as text"] for v in inspect.views.values()) + len(inspect.views),
        "failures": len(inspect.problems), "per view": inspect.views, "problems": inspect.problems,
    })
    assert not inspect.problems


def _doc_id(server: UiServer, prefix: str) -> str:
    return next(d for d in server.pipeline.documents_by_id() if d.startswith(prefix))

