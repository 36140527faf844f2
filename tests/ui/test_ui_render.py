"""Rendering and chat logic of the web chat, without a server: escaping, marks, names, settings."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

from index.errors import IngestError, QuestionError, SanadError
from rag.types import Answer, Citation, Overview, Summary, SummarySentence, TimelineEntry, Turn
from ui.answers import answer_html, sources_html, stream_prefixes, user_html
from ui.chat import Chat, Exchange, read_options
from ui.feedback import FeedbackLog, default_feedback_path
from ui.library import Library, safe_name
from ui.markup import Highlight, article_body, esc_md, isolate, text_direction
from ui.overview_view import iso_start, timeline_chart_frame, timeline_frame
from ui.summaries_tab import length_label, step

EVIL = '<script>alert(1)</script><img src=x onerror="alert(2)"> ${alert(3)} {{constructor}} `x` $$y$$'


def cite(n: int, text: str, doc_id: str = "d1", start: int = 0) -> Citation:
    return Citation(n, doc_id, EVIL, "2024-07", start, start + len(text), text, 1.0)


def visible(markup: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# -- escaping ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [EVIL, "", "نص عربي <b>", "a & b < c > d \" ' \n second line", "x" * 50_000])
def test_chat_text_shows_literally_and_never_as_markup(text: str) -> None:
    bubble = user_html(text)
    assert "<script" not in bubble and "<img" not in bubble and "${" not in bubble and "$$" not in bubble
    assert visible(bubble.replace("<br>", "\n")) == text


def test_markdown_and_math_syntax_are_entities() -> None:
    expected = "&#42;a&#42; &#95;b&#95; &#91;1&#93;&#40;x&#41; &#35; &#36;&#36;c&#36;&#36;"
    assert esc_md("*a* _b_ [1](x) # $$c$$") == expected


def test_article_body_marks_exact_offsets_and_escapes() -> None:
    text = "First line <b>bold</b>.\n\nسطر عربي فيه <script>x</script> هنا.\nEnd."
    start = text.index("<script>")
    end = text.index(" هنا")
    body = article_body(text, [Highlight(start, end, focus=True), Highlight(0, 5)])
    assert "<script>" not in body and "<b>" not in body
    [(s, e, inner)] = re.findall(r'<mark class="sanad-hit" data-start="(\d+)" data-end="(\d+)">(.*?)</mark>', body)
    assert (int(s), int(e)) == (start, end) and html.unescape(inner) == text[start:end]
    assert html.unescape(re.search(r'<mark class="sanad-mark"[^>]*>(.*?)</mark>', body).group(1)) == "First"
    assert body.count('dir="auto"') == 3  # one per non-blank line


def test_marks_split_at_line_breaks_and_clip_out_of_range() -> None:
    text = "one two\nthree four"
    body = article_body(text, [Highlight(4, 13), Highlight(15, 99), Highlight(5, 6)])
    spans = [(int(s), int(e)) for s, e in re.findall(r'data-start="(\d+)" data-end="(\d+)"', body)]
    assert spans == [(4, 7), (8, 13), (15, 18)]  # the overlapping (5, 6) is dropped, (15, 99) clipped


def test_direction_follows_first_strong_letter() -> None:
    assert text_direction("كم صاروخاً ضرب Ain al-Asad?") == "rtl"
    assert text_direction("How many صواريخ?") == "ltr"
    assert text_direction("2024") == "ltr"
    assert isolate("عنوان!") == "\u2068عنوان!\u2069" and isolate(None) == ""


# -- answers and sources -------------------------------------------------------------------------


def make_answer(abstained: bool = False, language: str = "ar") -> Answer:
    citations = (cite(1, "نص <script>أول</script>"), cite(2, "second *excerpt*", "d2", 10))
    lead = "لا تذكر المقالات ذلك. أقرب المقاطع:" if abstained else "وفقاً للمقالات:"
    text = "\n".join([lead, f"- «{citations[0].text}» [1]", f"- «{citations[1].text}» [2] [7]"])
    return Answer("سؤال؟", text, abstained, language, citations)  # type: ignore[arg-type]


def test_answer_bubble_has_markers_for_real_citations_only() -> None:
    bubble = answer_html(make_answer())
    assert bubble.count('class="sanad-ref"') == 2 and "[7]" in visible(bubble)
    assert "<script" not in bubble and 'dir="rtl"' in bubble
    assert "sanad-badge" not in bubble


def test_abstention_says_so_and_still_lists_closest_passages() -> None:
    answer = make_answer(abstained=True)
    assert "المقالات لا تذكر ذلك" in visible(answer_html(answer))
    panel = sources_html(answer.citations, "en", abstained=True)
    assert "Closest passages" in panel and panel.count('class="sanad-card"') == 2
    assert "<script" not in panel and "<img" not in panel and "&lt;img" in panel


def test_streaming_prefixes_grow_to_the_whole_text() -> None:
    text = "According to the articles:\n- «one two three four five» [1]"
    prefixes = list(stream_prefixes(text, words_per_step=2))
    assert prefixes[-1] == text and len(prefixes) > 3
    assert all(text.startswith(p) for p in prefixes)
    assert [len(p) for p in prefixes] == sorted({len(p) for p in prefixes})
    assert list(stream_prefixes("")) == [""]


# -- settings ------------------------------------------------------------------------------------


def test_settings_are_validated_with_the_fix() -> None:
    assert read_options(3, [], " ", None).as_kwargs() == {"k": 3, "doc_ids": None, "date_from": None, "date_to": None}
    assert read_options(2, ["a"], "2021", "2024-07-28").doc_ids == ("a",)
    with pytest.raises(SanadError, match="YYYY-MM-DD"):
        read_options(3, None, "28/07/2024", None)
    with pytest.raises(SanadError, match="empty"):
        read_options(3, None, "2024-08", "2024-07-28")
    with pytest.raises(SanadError, match="between 1 and"):
        read_options(50, None, None, None)


# -- the chat turn with a recording pipeline -----------------------------------------------------


class RecordingPipeline:
    """Answers from a queue and records what it was asked (honours ``Pipeline.ask``'s signature)."""

    def __init__(self, *results: Answer | Exception) -> None:
        self.results = list(results)
        self.calls: list[dict[str, Any]] = []

    def ask(self, question: str, k: int | None = None, doc_ids: Any = None, date_from: str | None = None,
            date_to: str | None = None, history: Any = ()) -> Answer:
        self.calls.append({"question": question, "k": k, "doc_ids": doc_ids, "history": list(history)})
        result = self.results.pop(0)
        if isinstance(result, Exception):
            raise result
        return result


def run(chat: Chat, message: str, history: list[Any], exchanges: list[Exchange]) -> tuple[Any, ...]:
    *_, last = chat.respond(message, history, exchanges, 3, None, None, None)
    return last


def test_follow_up_questions_carry_the_conversation(tmp_path: Path) -> None:
    first, second = make_answer(), make_answer()
    pipeline = RecordingPipeline(first, QuestionError("the question is empty"), second)
    chat = Chat(pipeline, FeedbackLog(tmp_path / "f.jsonl"), stream_delay=0)  # type: ignore[arg-type]
    history, _, _, exchanges = run(chat, "من يقود التحالف؟", [], [])
    history, _, sources, exchanges = run(chat, "", history, exchanges)
    assert "sanad-error" in history[-1]["content"] and "sanad-card" not in sources
    history, _, _, exchanges = run(chat, "ومتى بدأ؟", history, exchanges)
    assert pipeline.calls[0]["history"] == []
    assert pipeline.calls[-1]["history"] == [Turn("من يقود التحالف؟", first.answer)]
    assert len(history) == 6 and [e.error is None for e in exchanges] == [True, False, True]


def test_a_bug_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    chat = Chat(RecordingPipeline(RuntimeError("boom at line 3")), FeedbackLog(tmp_path / "f"))  # type: ignore[arg-type]
    history, *_ = run(chat, "Who?", [], [])
    assert "something went wrong" in history[-1]["content"] and "boom" not in history[-1]["content"]


def test_votes_are_appended_as_json_lines(tmp_path: Path) -> None:
    answer = make_answer()
    log = FeedbackLog(tmp_path / "deep" / "feedback.jsonl")
    chat = Chat(RecordingPipeline(answer), log, stream_delay=0)  # type: ignore[arg-type]
    _, _, _, exchanges = run(chat, "سؤال؟", [], [])
    assert "up" in chat.vote(exchanges, 1, True)
    assert "down" in chat.vote(exchanges, [1, 0], False)
    assert "no answer" in chat.vote(exchanges, 7, True)
    lines = [json.loads(line) for line in log.path.read_text(encoding="utf-8").splitlines()]
    assert [r["vote"] for r in lines] == ["up", "down"]
    assert lines[0]["question"] == answer.question and lines[0]["answer"] == answer.answer
    assert lines[0]["citations"][0]["doc_id"] == "d1" and lines[0]["timestamp"].endswith("+00:00")
    assert default_feedback_path(tmp_path / "sanad" / "index") == (tmp_path / "sanad" / "feedback.jsonl").resolve()


# -- upload names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "expected"),
    [
        ("report.txt", "report.txt"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\evil.md", "evil.md"),
        ("/abs/path/x.HTML", "x.html"),
        ("a\x00b\x1fc.txt", "abc.txt"),
        (".hidden.txt", "hidden.txt"),
        ("تقرير الحرب (نهائي).htm", "تقرير_الحرب__نهائي.htm"),
        ("a" * 300 + ".txt", "a" * 80 + ".txt"),
        ("name\u202etxt.md", "nametxt.md"),
    ],
)
def test_upload_names_stay_inside_the_uploads_folder(original: str, expected: str) -> None:
    name = safe_name(original)
    assert name == expected
    assert "/" not in name and "\\" not in name and not name.startswith(".")


@pytest.mark.parametrize("original", ["", "..", "../..", ".txt", "....txt", "report.pdf", "report", "x.txt.exe"])
def test_unusable_upload_names_are_refused(original: str) -> None:
    with pytest.raises(IngestError):
        safe_name(original)


def test_unique_names_never_reuse_a_doc_id() -> None:
    assert Library._unique("report.txt", {"report", "report-2"}) == "report-3.txt"
    assert Library._unique("new.md", {"report"}) == "new.md"


# -- overview ------------------------------------------------------------------------------------


def test_timeline_dates_of_any_precision_share_one_axis() -> None:
    assert [iso_start(d) for d in ("2024", "2024-07", "2024-07-28")] == [
        iso_start("2024-01-01"), iso_start("2024-07-01"), iso_start("2024-07-28")]
    assert iso_start("sometime") is None
    dates = ["2006", "x", "2024-07"]
    entries = tuple(TimelineEntry(d, f"event {d}", cite(i, f"event {d}"), "mentioned") for i, d in enumerate(dates))
    frame = timeline_frame(Overview(timeline=entries))
    chart = timeline_chart_frame(frame)
    assert list(frame["date"]) == ["2006", "x", "2024-07"] and len(chart) == 2
    assert str(chart["when"].dtype).startswith("datetime64")
    assert timeline_chart_frame(timeline_frame(Overview())).empty


def test_the_answer_phrase_is_marked_inside_its_quoted_excerpt_and_card() -> None:
    text = "وتنشر واشنطن 2500 عسكري <b>في</b> العراق"
    at = text.index("2500")
    c = Citation(1, "d1", "t", None, 100, 100 + len(text), text, 0.9, answer_span=(100 + at, 100 + at + 4))
    answer = Answer("How many?", f"According to the articles:\n- 2500 — «{text}» [1]", False, "en", (c,))
    bubble = answer_html(answer)
    marked = re.findall(r'<mark class="sanad-phrase">(.*?)</mark>', bubble)
    assert marked == ["2500"]  # inside the quote, not the leading copy
    assert bubble.index("sanad-phrase") > bubble.index("«")
    assert "<b>" not in bubble and visible(bubble).count("2500") == 2
    card = sources_html([c])
    assert re.findall(r'<mark class="sanad-phrase">(.*?)</mark>', card) == ["2500"] and "<b>" not in card


def test_a_partial_excerpt_while_streaming_is_not_marked() -> None:
    text = "وتنشر واشنطن 2500 عسكري في العراق"
    c = Citation(1, "d1", "t", None, 0, len(text), text, 0.9, answer_span=(13, 17))
    answer = Answer("q", f"Lead:\n- «{text}» [1]", False, "ar", (c,))
    assert "sanad-phrase" not in answer_html(answer, text="Lead:\n- «وتنشر واشنطن 25")


def test_shorter_and_longer_step_from_the_summary_on_screen() -> None:
    shown = Summary("a", None, None, (SummarySentence(0, 20, "one two three four five"),
                                      SummarySentence(30, 50, "six seven eight")))
    assert step(shown, longer=True) == (3, None)  # a sentence more
    assert step(shown, longer=False) == (1, 8)  # a sentence fewer, and never more words than now
    single = Summary("a", None, None, shown.sentences[:1])
    assert step(single, longer=False) == (1, 5)
    assert length_label(shown, None).startswith("2 sentences · 8 words (default length")
    assert "your length" in length_label(shown, (2, None))
