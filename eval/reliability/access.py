"""Probe every route a Gradio app serves, with no, forged, wrong and right credentials.

Routes are read from the app itself (every FastAPI route, including those Gradio adds in later
releases), their path parameters filled with plausible values, and each is requested over HTTP.
Does not decide what is allowed; the auth test holds the expectations.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
READ_SECONDS = 2.0  # event streams never end: read what arrives in this long, then hang up
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the template, e.g. /gradio_api/call/{api_name}


@dataclass(frozen=True)
class Probe:
    """One request and what came back (``status`` 0: the connection failed)."""

    route: Route
    url_path: str
    status: int
    body: str


def app_routes(app: Any) -> list[Route]:
    """Every (method, path) an ASGI FastAPI/Starlette app routes, included routers and mounts too."""
    out: set[Route] = set()
    for path, methods in _walk(getattr(app, "routes", []), ""):
        for method in methods:
            if method != "HEAD":
                out.add(Route(method, path))
    return sorted(out, key=lambda r: (r.path, r.method))


def _walk(routes: Iterable[Any], prefix: str) -> Iterator[tuple[str, list[str]]]:
    for route in routes:
        if hasattr(route, "original_router"):  # FastAPI >= 0.116 keeps included routers as one node
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            methods = sorted(getattr(route, "methods", None) or ["GET"])
            if getattr(route, "routes", None) and not getattr(route, "methods", None):  # a Mount
                yield from _walk(route.routes, prefix + route.path)
            else:
                yield prefix + route.path, methods


def fill(path: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` / ``{name:path}`` parameters; unknown names get a random token."""
    return _PARAM.sub(lambda m: values.get(m.group(1), uuid.uuid4().hex[:8]), path)


def request(client: httpx.Client, method: str, url: str, body: Any = None) -> tuple[int, str]:
    """Status and the first part of the body, without waiting for event streams to end."""
    kwargs: dict[str, Any] = {"timeout": httpx.Timeout(30.0, read=READ_SECONDS)}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["json"] = {} if body is None else body
    try:
        with client.stream(method, url, **kwargs) as response:
            chunks, size, started = [], 0, time.monotonic()
            try:
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size >= MAX_BODY or time.monotonic() - started > READ_SECONDS:
                        break
            except (httpx.ReadTimeout, httpx.RemoteProtocolError):
                pass
            return response.status_code, b"".join(chunks).decode("utf-8", "replace")
    except httpx.HTTPError as exc:
        return 0, f"{type(exc).__name__}: {exc}"


def probe_all(
    client: httpx.Client, base_url: str, routes: Iterable[Route], values: Mapping[str, str],
    skip: Iterable[str] = (),
) -> list[Probe]:
    """Request every route once (those whose path is in ``skip`` are left out, e.g. /logout)."""
    skipped = set(skip)
    out = []
    for route in routes:
        if route.path in skipped:
            continue
        url_path = fill(route.path, values)
        status, body = request(client, route.method, base_url.rstrip("/") + url_path)
        out.append(Probe(route, url_path, status, body))
    return out
