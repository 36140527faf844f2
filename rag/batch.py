"""Answering a JSONL file of questions with one loaded index (``sanad ask --questions``).

Each input line is {"id", "question"}; each output carries its "id". A bad line yields an
{"id", "error"} record instead of stopping the batch.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from index.errors import QuestionError, SanadError


def answer_lines(pipeline: Any, path: Path, options: dict[str, Any]) -> Iterator[dict[str, Any]]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise SanadError(f"cannot read {path}: {exc.strerror}") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                qid, question = record.get("id", number), record["question"]
            except (json.JSONDecodeError, KeyError, AttributeError, TypeError):
                yield {"id": number, "error": f"line {number} is not a JSON object with a 'question'"}
                continue
            try:
                yield {"id": qid, **pipeline.ask(question, **options).to_dict()}
            except QuestionError as exc:
                yield {"id": qid, "error": str(exc)}
