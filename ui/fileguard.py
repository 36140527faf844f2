"""Only files this server received through its own upload route may reach an event handler.

A Gradio API caller can name any path in a file argument (``{"path": "/etc/passwd", "meta": …}``):
Gradio 6 copies that file into its cache and hands the copy to the handler as if it had been
uploaded, and a bare ``{"path": …}`` is passed through unchanged. For Sanad that meant indexing any
file on the server and then quoting it in the chat. This middleware remembers the paths
``/gradio_api/upload`` hands out and refuses (403) any request whose JSON names another path,
before Gradio touches it; a URL as the path (which Gradio would download) is refused the same way.
Does not check what a file contains; ui/library.py does.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UPLOAD_PATH = "/gradio_api/upload"
REMEMBERED = 50_000  # recent upload paths kept (a session uploads a handful)
MAX_BODY_BYTES = 32 * 1024 * 1024  # JSON event payloads; files never travel in them


def named_paths(value: Any) -> Iterator[str]:
    """Every string under a ``path`` key of any dict inside a JSON value (what Gradio reads as a file)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("path"), str):
                yield item["path"]
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class FileGuard:
    """ASGI middleware: records upload results, refuses event payloads that name other files."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._order: deque[str] = deque()
        self._known: set[str] = set()
        self._lock = threading.Lock()

    def remember(self, paths: list[str]) -> None:
        with self._lock:
            for path in paths:
                if path not in self._known:
                    self._known.add(path)
                    self._order.append(path)
            while len(self._order) > REMEMBERED:
                self._known.discard(self._order.popleft())

    def known(self, path: str) -> bool:
        with self._lock:
            return path in self._known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST":
            await self.app(scope, receive, send)
        elif scope.get("path") == UPLOAD_PATH:
            await self.app(scope, receive, self._recording(send))
        elif str(scope.get("path", "")).startswith("/gradio_api/"):
            await self._checked(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _recording(self, send: Send) -> Send:
        body = bytearray()
        status = 0

        async def record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and status == 200:
                body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    try:
                        paths = json.loads(bytes(body))
                    except ValueError:
                        paths = []
                    if isinstance(paths, list):
                        self.remember([p for p in paths if isinstance(p, str)])
            await send(message)

        return record

    async def _checked(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > MAX_BODY_BYTES:
                await JSONResponse({"detail": "request too large"}, status_code=413)(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        foreign = self._foreign(body)
        if foreign:
            detail = f"refused: {foreign!r} was not uploaded to this server (upload files through the page or API)"
            await JSONResponse({"detail": detail}, status_code=403)(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    def _foreign(self, body: bytes) -> str | None:
        if b'"path"' not in body:
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            return None  # not JSON: Gradio refuses it itself
        for path in named_paths(payload):
            if not self.known(path):
                return path
        return None
