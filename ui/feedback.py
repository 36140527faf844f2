"""Thumbs up/down on answers, appended as one JSON line per vote to a local file.

One line per vote (never rewritten) so concurrent sessions and crashes cannot corrupt earlier
votes. Does not read or aggregate the file; that is for whoever reviews it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rag.types import Answer

log = logging.getLogger(__name__)

FEEDBACK_FILE = "feedback.jsonl"


def default_feedback_path(index_dir: Path) -> Path:
    """``feedback.jsonl`` beside the index folder (``~/.local/share/sanad/feedback.jsonl`` by default).

    Beside, not inside: ``sanad index --rebuild`` and version clean-up never touch it.
    """
    return index_dir.expanduser().resolve().parent / FEEDBACK_FILE


def vote_name(liked: object) -> str:
    """Gradio reports True (like), False (dislike), or an option string; name it plainly."""
    if liked is True:
        return "up"
    if liked is False:
        return "down"
    return str(liked) if liked not in (None, "") else "cleared"


@dataclass
class FeedbackLog:
    """Appends votes to ``path`` (created with its folder on first vote)."""

    path: Path
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, answer: Answer, liked: object) -> dict[str, Any]:
        """Append one vote on ``answer``; returns the record written."""
        record = {
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "vote": vote_name(liked),
            "question": answer.question,
            "answer": answer.answer,
            "abstained": bool(answer.abstained),
            "language": answer.language,
            "citations": [
                {**c.to_dict(), "start": int(c.start), "end": int(c.end), "score": round(float(c.score), 4)}
                for c in answer.citations
            ],
        }
        line = (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write(2) on an O_APPEND descriptor: a reader or another process never sees half a line.
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                if os.write(fd, line) != len(line):
                    raise OSError(f"only part of the vote fitted in {self.path} (disk full?)")
            finally:
                os.close(fd)
        log.info("feedback %s recorded in %s", record["vote"], self.path)
        return record
