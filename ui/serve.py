"""``sanad serve``: build the index on first run (with a progress bar), warm the model, start the app.

Binds to 127.0.0.1 unless ``--host`` says otherwise. Does not define the page; see ui/app.py.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import time

from index.errors import QuestionError, SanadError
from rag.pipeline import Pipeline

log = logging.getLogger(__name__)

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
WARM_UP_QUESTION = "ما هو التحالف الدولي؟"


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``USER:PASS`` -> ``(user, pass)``; the password may itself contain ':'."""
    if value is None:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise SanadError("--auth expects USER:PASS with both parts non-empty, e.g. --auth reader:s3cret")
    return user, password


def parse_root_path(value: str | None) -> str:
    """``--root-path``: ``"/sanad"`` (one leading slash, no trailing one), ``""`` for none, or a full URL
    (``https://example.org/sanad``, for proxies that rewrite the host too)."""
    text = (value or "").strip()
    if not text or text == "/":
        return ""
    if text.startswith(("http://", "https://")):
        return text.rstrip("/")
    if not text.startswith("/") or any(c in text for c in "?#\\ ") or "//" in text:
        raise SanadError(f"--root-path {value!r} is not a URL path; write it like /sanad")
    return text.rstrip("/")


def ensure_index(pipeline: Pipeline, args: argparse.Namespace) -> None:
    """Build the index from ``args.corpus`` when none exists yet, with a terminal progress bar."""
    if pipeline.has_index():
        return
    from rag.progress import TqdmProgress

    if not args.corpus.is_dir():
        raise SanadError(f"no index at {args.index_dir} and no corpus folder {args.corpus} to build one from; "
                         "pass --corpus FOLDER or run `sanad index PATH` first")
    log.info("No index at %s yet: building it from %s (first run; this takes a minute or two)...",
                args.index_dir, args.corpus)
    started = time.perf_counter()
    with TqdmProgress() as progress:
        report = pipeline.index([args.corpus], progress=progress, wait_seconds=600.0)
    for problem in report.skipped:
        log.warning("skipped %s", problem)
    log.info("Index ready: %d articles, %d chunks embedded in %.1f s.",
                len(report.added), report.chunks_embedded, time.perf_counter() - started)


def warm_up(pipeline: Pipeline) -> None:
    """Load the index and the embedding model now, so the first visitor's answer is quick.

    An unreadable index or model stops here with its one-line fix (``SanadError``). A failing
    question is only logged: the page still serves the library, summaries and overview, and each
    question then reports the problem as a chat message.
    """
    started = time.perf_counter()
    pipeline.documents()  # opens the index and loads the model
    try:
        with contextlib.suppress(QuestionError):
            pipeline.ask(WARM_UP_QUESTION)
    except SanadError as exc:
        log.warning("warm-up question failed: %s", exc)
        return
    except Exception:
        log.exception("warm-up question failed; answers will fail the same way until this is fixed")
        return
    log.info("model and index loaded in %.1f s", time.perf_counter() - started)


def serve(args: argparse.Namespace) -> int:
    """Run the web chat until interrupted; returns the exit code."""
    from ui.app import build_app, launch

    logging.getLogger("ui").setLevel(logging.INFO)
    auth = parse_auth(args.auth)
    root_path = parse_root_path(args.root_path)
    pipeline = Pipeline(args.index_dir, args.embedder, reader=args.reader)
    ensure_index(pipeline, args)
    warm_up(pipeline)
    if args.host not in LOOPBACK and auth is None:
        log.warning("serving on %s without --auth: anyone who can reach this address can use and change the "
                    "library", args.host)
    demo = build_app(pipeline, corpus_dir=args.corpus)
    try:
        _, url, _ = launch(demo, args.host, args.port, auth, prevent_thread_lock=True, quiet=True, root_path=root_path)
    except OSError as exc:
        raise SanadError(f"cannot listen on {args.host}:{args.port} ({exc}); pick another port with --port") from exc
    if root_path:
        log.info("Sanad web chat: %s  (Ctrl-C to stop); behind the proxy at %s/", url, root_path)
    else:
        log.info("Sanad web chat: %s  (Ctrl-C to stop)", url)
    demo.block_thread()
    return 0
