"""With ``--auth``, refuse every request without a logged-in session except what the login page needs.

Gradio checks the login on most of its routes but leaves some open (the heartbeat, cancel, stream,
reset and startup-event routes, the run-history page, FastAPI's own schema). Rather than trust a list
of protected routes that grows with every Gradio release, this gate turns the rule around: only
``PUBLIC`` paths pass without a session. It reads Gradio's own session (the token cookie set by
``/login`` and the app's token table); tests/ui/test_ui_auth.py probes every route, so a Gradio
change that breaks this fails there. Gradio's login page also embeds the app's API description,
whose parameter types list the choices of every dropdown (the doc ids); the gate blanks it for a
visitor who is not logged in. It also slows password guessing: after ``MAX_FAILURES`` wrong logins
from one address within ``WINDOW_SECONDS``, that address is refused until the window passes.
"""

from __future__ import annotations

import re
import threading
import time
from collections import defaultdict, deque
from typing import Any

from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The login page and the static files it is built from; none of them carries article data. Gradio's
# launch() calls startup-events itself, without a session, to run the app's start-up hooks once; any
# later call only answers ``false``.
PUBLIC_PATHS = frozenset({
    "/", "/login", "/login/", "/logout", "/favicon.ico", "/robots.txt", "/manifest.json", "/theme.css",
    "/gradio_api/theme.css", "/gradio_api/startup-events",
})
PUBLIC_PREFIXES = ("/assets/", "/static/", "/svelte/")
LOGIN_PATHS = frozenset({"/login", "/login/"})
MAX_FAILURES = 10
WINDOW_SECONDS = 300.0
NOT_AUTHENTICATED = {"detail": {"error": "Not authenticated", "auth_message": None}}  # Gradio's own 401 body
_API_INFO = re.compile(rb"<script>window\.gradio_api_info = .*?;</script>", re.S)
_NO_API_INFO = b"<script>window.gradio_api_info = null;</script>"


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def logged_in(scope: Scope) -> bool:
    """Whether the request carries a session cookie Gradio issued at ``/login``."""
    app = scope.get("app")
    tokens: dict[str, Any] = getattr(app, "tokens", None) or {}
    cookie_id = getattr(app, "cookie_id", None)
    if cookie_id is None:
        return False
    cookies = HTTPConnection(scope).cookies
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token is not None and token in tokens


class LoginGate:
    """ASGI middleware: a 401 for every non-public request without a session; a 429 for repeated wrong logins."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        if path in LOGIN_PATHS and scope.get("method") == "POST":
            await self._login(scope, receive, send)
        elif logged_in(scope):
            await self.app(scope, receive, send)
        elif path == "/" and scope["type"] == "http":
            await self._login_page(scope, receive, send)
        elif is_public(path):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
        else:
            await JSONResponse(NOT_AUTHENTICATED, status_code=401)(scope, receive, send)

    async def _login(self, scope: Scope, receive: Receive, send: Send) -> None:
        client = (scope.get("client") or ("?", 0))[0]
        if self._recent_failures(client) >= MAX_FAILURES:
            body = {"detail": f"too many wrong logins from {client}; try again in a few minutes"}
            await JSONResponse(body, status_code=429)(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 400:
                with self._lock:
                    self._failures[client].append(time.monotonic())
            await send(message)

        await self.app(scope, receive, watch)

    async def _login_page(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Gradio's login page without the API description it embeds (dropdown choices: the doc ids)."""
        start: Message | None = None
        body = bytearray()

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    assert start is not None
                    page = _API_INFO.sub(_NO_API_INFO, bytes(body))
                    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                    headers.append((b"content-length", str(len(page)).encode()))
                    await send({**start, "headers": headers})
                    await send({"type": "http.response.body", "body": page})
            else:
                await send(message)

        await self.app(scope, receive, collect)

    def _recent_failures(self, client: str) -> int:
        with self._lock:
            failures = self._failures[client]
            while failures and failures[0] < time.monotonic() - WINDOW_SECONDS:
                failures.popleft()
            return len(failures)
