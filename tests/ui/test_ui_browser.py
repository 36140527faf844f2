"""End to end in Debian's headless Chromium: ask, read the cited span, vote, upload hostile articles.

Screenshots and the time to the first answer go to tests/artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from conftest import UiServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARABIC_QUESTION = "كم صاروخاً ضرب قاعدة عين الأسد؟"
WAIT_MS = 60_000


def ask(page: Any, question: str) -> Any:
    """Type a question, send it, and wait until its answer has finished streaming; returns the bubble."""
    before = page.locator("#sanad-chat .sanad-answer, #sanad-chat .sanad-error").count()
    page.fill("#sanad-question textarea", question)
    page.press("#sanad-question textarea", "Enter")
    answers = page.locator("#sanad-chat .sanad-answer, #sanad-chat .sanad-error")
    answers.nth(before).wait_for(timeout=WAIT_MS)
    page.wait_for_function("!document.querySelector('#sanad-chat .sanad-cursor')", timeout=WAIT_MS)
    return answers.nth(before)


def open_source(page: Any, card_selector: str = ".sanad-card") -> tuple[str, str]:
    """Click the first matching source card; returns (card excerpt, highlighted text in the viewer)."""
    card = page.locator(f"#sanad-sources {card_selector}").first
    excerpt = card.locator(".sanad-card-excerpt").inner_text()
    doc_id = card.get_attribute("data-doc")
    card.click()
    page.locator(f"#sanad-viewer .sanad-viewer[data-doc='{doc_id}']").wait_for(timeout=WAIT_MS)
    mark = page.locator("#sanad-viewer mark.sanad-hit")
    mark.wait_for(timeout=WAIT_MS)
    page.wait_for_function(
        """() => { const m = document.querySelector('#sanad-viewer mark.sanad-hit');
                   const r = m.getBoundingClientRect();
                   return r.top >= 0 && r.bottom <= window.innerHeight; }""",
        timeout=10_000,
    )
    return excerpt, mark.inner_text()


def wait_for_vote_line(path: Path, timeout: float = 10.0) -> str:
    """The last complete line of the feedback file, once one is there (the vote is saved after the click)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        if text.endswith("\n"):
            return text.splitlines()[-1]
        time.sleep(0.1)
    raise AssertionError(f"no vote written to {path} within {timeout:.0f} s")


def no_markup_inside(page: Any, selector: str) -> int:
    return int(page.evaluate(f"document.querySelectorAll('{selector} script, {selector} img').length"))


def test_ask_read_vote_upload_in_chromium(
    browser: Any,
    browser_server: UiServer,
    samples: dict[str, Path],
    artifacts: Path,
    record_timing: Callable[[str, float], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # Open the page and ask in Arabic; time until the first answer is visible.
    started = time.perf_counter()
    page.goto(browser_server.url)
    page.wait_for_selector("#sanad-question textarea", timeout=WAIT_MS)
    page.fill("#sanad-question textarea", ARABIC_QUESTION)
    page.press("#sanad-question textarea", "Enter")
    page.locator("#sanad-chat .sanad-answer").first.wait_for(timeout=WAIT_MS)
    first_visible = time.perf_counter() - started
    page.wait_for_function("!document.querySelector('#sanad-chat .sanad-cursor')", timeout=WAIT_MS)
    complete = time.perf_counter() - started
    with capsys.disabled():
        print(f"\ntime to first answer: {first_visible:.2f}s (complete after {complete:.2f}s)")
    record_timing("time_to_first_answer_s", first_visible)
    record_timing("time_to_complete_answer_s", complete)

    answer = page.locator("#sanad-chat .sanad-answer").first
    assert answer.locator(".sanad-ref").first.inner_text() == "[1]"
    for selector in (".sanad-user", ".sanad-answer", ".sanad-answer .sanad-excerpt"):
        direction = page.evaluate(f"getComputedStyle(document.querySelector('#sanad-chat {selector}')).direction")
        assert direction == "rtl", selector
    page.screenshot(path=str(artifacts / "chat_ar.png"), full_page=True)

    # The first source opens the article with exactly the cited span highlighted, in view.
    excerpt, highlighted = open_source(page)
    assert highlighted == excerpt
    page.screenshot(path=str(artifacts / "chat_ar_source.png"), full_page=True)

    # Thumbs up lands in the feedback file.
    page.locator("#sanad-chat button[aria-label='Like']").last.click()
    vote = json.loads(wait_for_vote_line(browser_server.feedback))
    assert vote["vote"] == "up" and vote["question"] == ARABIC_QUESTION and vote["citations"]

    # An English follow-up reads left to right, in the same conversation.
    english = ask(page, "Who leads the international coalition in Iraq?")
    lead_dir = page.evaluate(
        "getComputedStyle(document.querySelectorAll('#sanad-chat .sanad-answer .sanad-lead')[1]).direction"
    )
    assert lead_dir == "ltr" and english.locator(".sanad-ref").count() >= 1
    page.screenshot(path=str(artifacts / "chat_en.png"), full_page=True)

    # Upload hostile articles as .html and as .txt: stored, indexed, shown as text, nothing runs.
    files = [samples["xss-page.html"], samples["xss-report.txt"]]
    page.get_by_role("tab", name="Library · المكتبة").click()
    page.locator("#sanad-upload input[type=file]").set_input_files([str(f) for f in files])
    page.wait_for_timeout(500)
    page.click("#sanad-add")
    status = page.locator("#sanad-library-status .sanad-status-ok")
    status.nth(1).wait_for(timeout=WAIT_MS * 3)
    assert page.locator("#sanad-library").get_by_text('<img src=x onerror="window.__xss=4">', exact=False).count()
    page.screenshot(path=str(artifacts / "library_upload.png"), full_page=True)

    page.get_by_role("tab", name="Chat · المحادثة").click()
    ask(page, "How many drones attacked the zebra test base?")
    assert "Drone report <b>bold</b>" in page.locator("#sanad-sources").inner_text()
    excerpt, highlighted = open_source(page, ".sanad-card[data-doc='xss-page']")
    viewer = page.locator("#sanad-viewer").inner_text()
    assert "<script>window.__xss=3</script>" in viewer and highlighted == excerpt
    ask(page, "كم طائرة مسيرة هاجمت قاعدة الاختبار التجريبية؟")
    open_source(page, ".sanad-card[data-doc='xss-report']")
    viewer = page.locator("#sanad-viewer").inner_text()
    assert '<script>window.__xss=1</script>' in viewer and '<img src=x onerror="window.__xss=2">' in viewer
    for selector in ("#sanad-chat", "#sanad-sources", "#sanad-viewer"):
        assert no_markup_inside(page, selector) == 0, selector
    page.screenshot(path=str(artifacts / "chat_xss.png"), full_page=True)

    # Summaries of the hostile article, and the overview.
    page.get_by_role("tab", name="Summaries · الملخصات").click()
    page.locator("#sanad-summary-pick input").fill("xss-page")
    page.keyboard.press("Enter")
    page.locator("#sanad-summary .sanad-viewer[data-doc='xss-page']").wait_for(timeout=WAIT_MS)
    assert "<script>window.__xss=3</script>" in page.locator("#sanad-summary").inner_text()
    assert no_markup_inside(page, "#sanad-summary") == 0
    length = page.locator("#sanad-summary-length")
    length.get_by_text("default length", exact=False).wait_for(timeout=WAIT_MS)
    shown = page.locator("#sanad-summary .sanad-summary-sentence").count()
    page.locator("#sanad-summary-longer").click()  # a sentence more, as the reader asked
    length.get_by_text("your length", exact=False).wait_for(timeout=WAIT_MS)
    assert page.locator("#sanad-summary .sanad-summary-sentence").count() >= shown
    page.locator("#sanad-summary-default").click()
    length.get_by_text("default length", exact=False).wait_for(timeout=WAIT_MS)
    assert page.locator("#sanad-summary .sanad-summary-sentence").count() == shown
    page.screenshot(path=str(artifacts / "summaries.png"), full_page=True)
    page.get_by_role("tab", name="Overview · نظرة عامة").click()
    page.locator("#sanad-overview .sanad-card").first.wait_for(timeout=WAIT_MS)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(artifacts / "overview.png"), full_page=True)

    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    page.close()
