"""``--auth`` protects every page, API route, file route and the queue; it all works once logged in.

The routes come from the running app itself (eval/reliability/access.py), so a route a new Gradio
release adds is probed too. Each is requested with no credentials, a forged session cookie, after a
wrong login, and after the right login.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from gradio_client import Client

from eval.reliability.access import Probe, Route, app_routes, probe_all, request
from eval.reliability.results import Results
from index.embed import Embedder
from index.store import RECORDS, VERSIONS
from index.stores import FolderStore
from ui.access import MAX_FAILURES, NOT_AUTHENTICATED, is_public

if TYPE_CHECKING:
    from conftest import UiServer

pytestmark = [pytest.mark.slow, pytest.mark.reliability("auth")]

USER, PASSWORD = "reader", "s3:cret"
FILLERS = {
    "api_name": "documents", "path": "index.js", "path_or_url": "/etc/passwd", "size": "192", "ext": "ts",
    "file_name": "index.js", "url_path": "http://127.0.0.1:9/x",
}
ANSWER = "كم صاروخاً ضرب قاعدة عين الأسد؟"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory, seed_index: Path, e5: Embedder) -> Iterator[Any]:
    from conftest import start_server

    server, demo = start_server(tmp_path_factory.mktemp("ui-auth"), seed_index, e5, auth=(USER, PASSWORD))
    yield server, demo
    demo.close()  # type: ignore[attr-defined]


def secrets_of(server: UiServer) -> list[str]:
    """Strings only a logged-in page may show: doc ids, titles, the app's own element ids and endpoints."""
    docs = server.pipeline.documents()
    return [*(d.doc_id for d in docs), *(d.title for d in docs if d.title), "sanad-chat", "open_source"]


def logged_in_client(url: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client()
    client.post(url.rstrip("/") + "/login", data={"username": USER, "password": password})
    return client


def check_refused(probes: list[Probe], secrets: list[str], mode: str) -> list[str]:
    problems = []
    for p in probes:
        if is_public(p.route.path):
            leaked = [s for s in secrets if s in p.body]
            if leaked:
                problems.append(f"{mode}: public {p.route.method} {p.url_path} shows {leaked[:2]}")
        elif p.status != 401:
            problems.append(f"{mode}: {p.route.method} {p.url_path} answered {p.status} without a login")
    return problems


def test_every_route_refuses_without_the_login(auth_server: Any, reliability: Results) -> None:
    server, demo = auth_server
    routes = app_routes(demo.server_app)
    assert len(routes) > 50 and Route("POST", "/gradio_api/queue/join") in routes
    cookie = demo.server_app.cookie_id
    secrets = secrets_of(server)
    clients = {
        "no credentials": httpx.Client(),
        "forged session cookie": httpx.Client(cookies={f"access-token-{cookie}": uuid.uuid4().hex,
                                                       f"access-token-unsecure-{cookie}": uuid.uuid4().hex}),
        "wrong password": logged_in_client(server.url, "wrong"),
        "right user, empty password": logged_in_client(server.url, ""),
    }
    problems, cases = [], 0
    for mode, client in clients.items():
        probes = probe_all(client, server.url, routes, FILLERS)
        cases += len(probes)
        problems += check_refused(probes, secrets, mode)
        # The queue, with a well-formed request: joining and reading both refused.
        for method, path, body in [
            ("POST", "/gradio_api/queue/join", {"data": ["x"], "fn_index": 0, "session_hash": "abc"}),
            ("GET", "/gradio_api/queue/data?session_hash=abc", None),
            ("POST", "/gradio_api/upload", None),
        ]:
            status, _ = request(client, method, server.url.rstrip("/") + path, body)
            cases += 1
            if status != 401:
                problems.append(f"{mode}: {method} {path} answered {status}")
        client.close()
    with pytest.raises(Exception):  # noqa: B017  (gradio_client raises its own error types)
        Client(server.url, verbose=False)
    reliability.record("auth", "without a valid login", {
        "routes": len(routes), "public (login page and its static files)": sum(is_public(r.path) for r in routes),
        "credential modes": list(clients), "cases": cases, "failures": len(problems), "problems": problems,
    })
    assert not problems


def test_everything_works_with_the_login(auth_server: Any, reliability: Results, tmp_path: Path) -> None:
    server, demo = auth_server
    routes = app_routes(demo.server_app)
    problems = []
    gate_refusal = json.dumps(NOT_AUTHENTICATED, separators=(",", ":"))
    client = logged_in_client(server.url)
    probes = probe_all(client, server.url, routes, FILLERS, skip=["/logout"])
    for p in probes:
        if p.status == 401 and p.body.replace(" ", "") == gate_refusal:
            problems.append(f"logged in, {p.route.method} {p.url_path} was refused as not logged in")
    base = server.url.rstrip("/")
    page = client.get(base + "/").text
    if "sanad-chat" not in page and "sanad-chat" not in client.get(base + "/config").text:
        problems.append("the logged-in page has no chat")
    # File routes: an upload can be read back; files Gradio did not create stay out of reach.
    uploaded = client.post(base + "/gradio_api/upload", files=[("files", ("note.txt", b"hello file route"))])
    [path] = uploaded.json()
    if client.get(f"{base}/gradio_api/file={path}").content != b"hello file route":
        problems.append("an uploaded file cannot be read back through /gradio_api/file=")
    if httpx.get(f"{base}/gradio_api/file={path}").status_code != 401:
        problems.append("an uploaded file can be read without a login")
    store = server.pipeline.store
    assert isinstance(store, FolderStore)
    records = store.index_dir / VERSIONS / str(store.current_version()) / RECORDS
    for outside in ("/etc/passwd", str(records)):
        status = client.get(f"{base}/gradio_api/file={outside}").status_code
        if status != 403:
            problems.append(f"logged in, /gradio_api/file={outside} answered {status}")
    client.close()
    # The API and the queue through gradio_client.
    c = Client(server.url, auth=(USER, PASSWORD), verbose=False)
    docs = c.predict(api_name="/documents")
    chat, _, sources = c.predict(ANSWER, api_name="/ask")
    if len(docs) != 5 or "sanad-card" not in sources or "sanad-ref" not in json.dumps(chat, ensure_ascii=False):
        problems.append("the logged-in API did not answer with citations")
    answer = c.predict(ANSWER, api_name="/answer")
    if not answer["citations"] or answer["abstained"]:
        problems.append("the logged-in JSON API (/answer) did not answer with citations")
    anonymous = httpx.post(f"{server.url.rstrip('/')}/gradio_api/call/answer", json={"data": [ANSWER]})
    if anonymous.status_code != 401:
        problems.append(f"/answer without a login answered {anonymous.status_code}")
    reliability.record("auth", "with the right login", {
        "cases": len(probes) + 8, "failures": len(problems), "problems": problems,
        "gradio_client": f"{len(docs)} documents listed, /ask and /answer answered with citations",
    })
    assert not problems


@pytest.mark.browser
def test_the_login_page_in_chromium(auth_server: Any, browser: Any, reliability: Results, artifacts: Path) -> None:
    """Before the login the page shows only the login form (no article data in it); after it, the chat works."""
    server, _ = auth_server
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(server.url)
    page.locator("input[type=password]").wait_for(timeout=60_000)
    problems = []
    markup = page.content()
    leaked = [s for s in secrets_of(server) if s in markup]
    if leaked or page.locator("#sanad-chat").count():
        problems.append(f"the login page shows {leaked[:3]} or the chat")
    page.screenshot(path=str(artifacts / "login.png"))
    page.locator("input[type=text], input:not([type])").first.fill(USER)
    page.locator("input[type=password]").fill("wrong")
    page.get_by_role("button", name="Login").click()
    page.wait_for_timeout(1500)
    if page.locator("#sanad-chat").count():
        problems.append("a wrong password opened the chat")
    page.locator("input[type=text], input:not([type])").first.fill(USER)  # a failed login clears the form
    page.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.locator("#sanad-question textarea").wait_for(timeout=60_000)
    page.fill("#sanad-question textarea", ANSWER)
    page.press("#sanad-question textarea", "Enter")
    page.locator("#sanad-chat .sanad-answer .sanad-ref").first.wait_for(timeout=120_000)
    page.screenshot(path=str(artifacts / "login_chat.png"))
    page.close()
    reliability.record("auth", "login page in Chromium", {
        "cases": 3, "failures": len(problems), "problems": problems,
        "steps": "login form only; wrong password stays on it; right password opens the chat, which answers",
    })
    assert not problems


def test_password_guessing_is_refused_after_a_few_tries(auth_server: Any, reliability: Results) -> None:
    """Runs last in this module: it locks 127.0.0.1 out of this server for a few minutes.

    The wrong logins of the tests above count too, so the refusals may start before the tenth guess.
    """
    server, _ = auth_server
    statuses = []
    with httpx.Client() as client:
        for attempt in range(MAX_FAILURES + 2):
            password = PASSWORD if attempt == MAX_FAILURES + 1 else f"guess-{attempt}"
            statuses.append(client.post(server.url.rstrip("/") + "/login",
                                        data={"username": USER, "password": password}).status_code)
    refused_from = statuses.index(429) if 429 in statuses else len(statuses)
    ok = set(statuses[:refused_from]) == {400} and set(statuses[refused_from:]) == {429} and refused_from < MAX_FAILURES
    reliability.record("auth", "password guessing", {
        "cases": len(statuses), "failures": int(not ok), "statuses": statuses,
        "note": f"after {MAX_FAILURES} wrong logins from one address, every login from it is refused for a while",
    })
    assert ok, statuses
