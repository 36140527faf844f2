"""Hostile uploads and questions against a real launched server (eval/reliability/payloads.py).

File names that try to leave the uploads folder, huge and binary files, zip bombs renamed .html,
HTML full of scripts, 10,000-deep nesting, files that decode to nothing, server paths smuggled into
the API, and questions made of payloads, 100,000 characters, punctuation, emoji or bidi controls.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from gradio.utils import get_upload_folder
from gradio_client import Client, handle_file

from eval.reliability import payloads
from eval.reliability.results import Results
from index.check import check_index
from index.embed import Embedder
from ui.library import WINDOWS_DEVICES, inside

if TYPE_CHECKING:
    from conftest import UiServer

pytestmark = [pytest.mark.slow]

STATUS = re.compile(r'<li class="sanad-status-(ok|refused)"><bdi>(.*?)</bdi> — (?:✓|✗ refused:) (.*?)</li>', re.S)


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory, seed_index: Path, e5: Embedder) -> Iterator[UiServer]:
    from conftest import start_server

    server, demo = start_server(tmp_path_factory.mktemp("ui-hostile"), seed_index, e5)
    yield server
    demo.close()  # type: ignore[attr-defined]


def call(base: str, api: str, data: list[Any]) -> tuple[int, Any]:
    """POST /gradio_api/call/<api> and read the result stream: (HTTP status, output data or error)."""
    started = httpx.post(f"{base}gradio_api/call/{api}", json={"data": data}, timeout=60)
    if started.status_code != 200:
        return started.status_code, started.text
    event_id = started.json()["event_id"]
    with httpx.stream("GET", f"{base}gradio_api/call/{api}/{event_id}", timeout=600) as stream:
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                return 200, json.loads(line[5:]) if event == "complete" else {"error": line[5:]}
    return 200, None


def statuses(markup: str) -> list[tuple[bool, str, str]]:
    return [(ok == "ok", html.unescape(name), html.unescape(message)) for ok, name, message in STATUS.findall(markup)]


def uploads_are_tidy(server: UiServer) -> list[str]:
    problems = []
    for path in server.uploads.iterdir():
        if path.name.startswith("."):
            continue
        stem = path.stem
        if (any(unicodedata.category(ch)[0] == "C" for ch in path.name) or len(stem) > 80
                or stem.partition(".")[0].upper() in WINDOWS_DEVICES or not path.is_file()):
            problems.append(f"unsafe stored name {path.name!r}")
    return problems


@pytest.mark.reliability("uploads")
def test_hostile_file_names_stay_inside_the_uploads_folder(
    hostile_server: UiServer, tmp_path: Path, reliability: Results
) -> None:
    base = hostile_server.url
    received = Path(get_upload_folder())
    problems: list[str] = []
    outcomes: dict[str, str] = {}
    for i, (kind, name) in enumerate(payloads.NAMES.items()):
        text = f"Name test {i}\nThe name test depot number {i} keeps {i + 7} green trucks for {kind}.\n"
        response = httpx.post(f"{base}gradio_api/upload", files=[("files", (name, text.encode()))], timeout=60)
        if response.status_code != 200:
            outcomes[kind] = f"refused by the upload route ({response.status_code})"
            continue
        [path] = response.json()
        if not inside(Path(path), received):
            problems.append(f"{kind}: the upload route stored it at {path}")
        file_data = {"path": path, "orig_name": name, "meta": {"_type": "gradio.FileData"}}
        status, output = call(base, "upload", [[file_data]])
        found = statuses(output[0]) if status == 200 and isinstance(output, list) else []
        if len(found) != 1:
            problems.append(f"{kind}: no per-file status ({status}, {str(output)[:200]})")
            continue
        ok, _, message = found[0]
        outcomes[kind] = ("stored: " if ok else "refused: ") + message
        if ok:
            doc_id = message.split("'")[1] if "'" in message else message
            if f"depot number {i} keeps" not in hostile_server.pipeline.article(doc_id).text:
                problems.append(f"{kind}: {doc_id!r} does not hold the text uploaded under this name")
    for escaped in ["/tmp/escape2.txt", "/etc/cron.d/escape3.txt", str(hostile_server.corpus.parent / "escape.txt")]:
        if Path(escaped).exists():
            problems.append(f"a file appeared outside the uploads folder: {escaped}")
    problems += uploads_are_tidy(hostile_server)
    reliability.record("uploads", "file names", {
        "cases": len(payloads.NAMES), "failures": len(problems), "outcomes": outcomes, "problems": problems,
    })
    assert not problems


EXPECTED_REFUSAL = {
    "zip bomb as .html": "ZIP archive", "gzip bomb as .html": "gzip archive", "PNG as .txt": "PNG image",
    "ELF binary as .txt": "binary", "random bytes as .md": "", "UTF-16 without BOM": "UTF-16 without a byte-order",
    "empty": "empty", "only whitespace": "whitespace", "only a BOM": "whitespace",
    "only zero-width characters": "no words or numbers", "only tatweel and marks": "no words or numbers",
    "only emoji": "no words or numbers", "HTML of only scripts": "no article text",
    "HTML of only a comment": "no article text",
}


@pytest.mark.reliability("uploads")
def test_hostile_files_are_refused_or_stored_as_plain_text(
    hostile_server: UiServer, tmp_path: Path, reliability: Results
) -> None:
    client = Client(hostile_server.url, verbose=False)
    problems: list[str] = []
    outcomes: dict[str, str] = {}
    for kind, (name, data) in payloads.files().items():
        path = tmp_path / name
        path.write_bytes(data)
        status, *_ = client.predict([handle_file(str(path))], api_name="/upload")
        [(ok, _, message)] = statuses(status) or [(False, "", f"no status: {status[:200]}")]
        outcomes[kind] = ("stored: " if ok else "refused: ") + message
        if kind in EXPECTED_REFUSAL:
            if ok or EXPECTED_REFUSAL[kind] not in message:
                problems.append(f"{kind}: expected a refusal mentioning {EXPECTED_REFUSAL[kind]!r}, got {message!r}")
        elif not ok:
            problems.append(f"{kind}: refused ({message})")
        else:
            text = hostile_server.pipeline.article(Path(name).stem).text
            if "__pwned='live-" in text:  # code of a live element (quoted payloads are text and stay)
                problems.append(f"{kind}: script or handler code reached the article text")
    quartz = hostile_server.pipeline.article("quartz")
    if "<script>window.__pwned='script'</script>" not in quartz.text or "onclick" in quartz.text:
        problems.append("the HTML article lost its escaped text or kept a live handler")
    if hostile_server.pipeline.article("deep").text != "The basalt depot stores twelve trucks.":
        problems.append("the 10,000-deep page did not come out as its one sentence")
    problems += uploads_are_tidy(hostile_server)
    report = check_index(hostile_server.pipeline.store)
    if not report.ok:
        problems.append(f"after the hostile uploads the index fails its check: {report.problems}")
    reliability.record("uploads", "hostile files", {
        "cases": len(outcomes), "failures": len(problems), "outcomes": outcomes, "problems": problems,
    })
    assert not problems


@pytest.mark.reliability("uploads")
def test_huge_uploads_and_smuggled_server_paths_are_refused(
    hostile_server: UiServer, tmp_path: Path, reliability: Results
) -> None:
    base = hostile_server.url
    before = set(hostile_server.pipeline.documents_by_id())
    problems: list[str] = []
    outcomes: dict[str, str] = {}
    for size_mb in (6, 40):
        response = httpx.post(f"{base}gradio_api/upload", timeout=120,
                              files=[("files", ("huge.txt", b"word " * (size_mb * 2**20 // 5)))])
        outcomes[f"{size_mb} MB over HTTP"] = f"HTTP {response.status_code}"
        if response.status_code != 413:
            problems.append(f"a {size_mb} MB upload answered {response.status_code}")
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (6 * 2**20 // 5))
    try:
        Client(base, verbose=False).predict([handle_file(str(big))], api_name="/upload")
        problems.append("gradio_client uploaded a 6 MB file")
    except Exception as exc:  # gradio_client reports the 413 as its own error
        outcomes["6 MB through gradio_client"] = type(exc).__name__
    secret = tmp_path / "secret-memo.txt"
    secret.write_text("Secret memo\nThe secret budget of the zebra base is 42 million.\n", encoding="utf-8")
    smuggled = {
        "FileData with a server path": [[{"path": str(secret), "meta": {"_type": "gradio.FileData"}}]],
        "bare path": [[{"path": str(secret)}]],
        "/etc/passwd": [[{"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}]],
        "a URL as the path": [[{"path": "http://127.0.0.1:9/x.txt", "meta": {"_type": "gradio.FileData"}}]],
    }
    for kind, data in smuggled.items():
        status, output = call(base, "upload", data)
        outcomes[kind] = f"HTTP {status}"
        if status != 403:
            problems.append(f"{kind}: answered {status} {str(output)[:200]}")
        join = httpx.post(f"{base}gradio_api/queue/join", timeout=60,
                          json={"data": data, "fn_index": 0, "session_hash": "smuggler", "trigger_id": None})
        if join.status_code != 403:
            problems.append(f"{kind} through the queue: answered {join.status_code}")
    gzip_body = httpx.post(f"{base}gradio_api/upload", content=payloads.gzip_bomb(), timeout=60,
                           headers={"Content-Encoding": "gzip", "Content-Type": "multipart/form-data; boundary=x"})
    outcomes["gzip-encoded request body"] = f"HTTP {gzip_body.status_code}"
    if gzip_body.status_code == 200:
        problems.append("a gzip-encoded upload body was accepted")
    after = set(hostile_server.pipeline.documents_by_id())
    if after != before or any("secret budget" in hostile_server.pipeline.article(d).text for d in after):
        problems.append(f"the library changed: {sorted(after ^ before)}")
    reliability.record("uploads", "huge uploads and smuggled paths", {
        "cases": len(outcomes) + len(smuggled), "failures": len(problems), "outcomes": outcomes, "problems": problems,
    })
    assert not problems


UNESCAPED = ("<script", "<img", "<svg", "<iframe", "<details", "<input", "<object", "<video", "<math",
             'href="javascript', "href='javascript", 'src="javascript', 'data="javascript')


def ask(url: str, question: str) -> tuple[str, str, str]:
    """(user bubble, reply bubble, sources panel) as the page would get them."""
    chat, _, sources = Client(url, verbose=False).predict(question, api_name="/ask")
    user, reply = (m["content"] if isinstance(m["content"], str) else json.dumps(m["content"], ensure_ascii=False)
                   for m in chat[-2:])
    return user, reply, sources


@pytest.mark.reliability("questions")
def test_hostile_questions_get_an_answer_or_a_readable_message(
    hostile_server: UiServer, reliability: Results
) -> None:
    problems: list[str] = []
    outcomes: dict[str, int] = {"answered": 0, "abstained": 0, "message": 0}
    with ThreadPoolExecutor(4) as pool:  # four users at once: also a small concurrency check
        replies = dict(zip(payloads.QUESTIONS, pool.map(lambda q: ask(hostile_server.url, q),
                                                         payloads.QUESTIONS.values()), strict=True))
    for kind, (user, answer, sources) in replies.items():
        if "Traceback" in answer or "something went wrong" in answer:
            problems.append(f"{kind}: the server failed: {answer[:200]}")
        elif "sanad-error" in answer:
            outcomes["message"] += 1
        elif "sanad-abstained" in answer:
            outcomes["abstained"] += 1
        elif "sanad-answer" in answer:
            outcomes["answered"] += 1
        else:
            problems.append(f"{kind}: neither an answer nor a message: {answer[:200]}")
        for raw in UNESCAPED:
            if raw in user or raw in answer or raw in sources:
                problems.append(f"{kind}: {raw!r} reached the page as markup")
    cut = replies["100,000 characters"][1]
    if "only the first" not in cut:
        problems.append("a 100,000-character question was not cut with a notice")
    reliability.record("questions", "hostile questions", {
        "cases": len(payloads.QUESTIONS), "failures": len(problems), **outcomes, "problems": problems,
    })
    assert not problems
