"""The README's "How a question flows" names real code, in the order ``Asker.answer`` runs it."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

from rag.ask import AnswerConfig, Asker

README = Path(__file__).resolve().parents[1] / "README.md"


def _section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## How a question flows", 1)[1].split("\n## ", 1)[0]


def _resolve(dotted: str) -> object:
    """The module, class or function ``dotted`` names (the longest importable prefix, then attributes)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise AssertionError(f"{dotted} names no module")


def test_every_name_the_section_gives_exists() -> None:
    names = set(re.findall(r"`((?:rag|index)\.[\w.]+)`", _section()))
    assert len(names) >= 10
    for name in sorted(names):
        _resolve(name)


def test_the_stages_are_listed_in_the_order_ask_runs_them() -> None:
    listed = [line.split("`")[1] for line in _section().splitlines() if re.match(r"\d+\. `", line)]
    init, answer = inspect.getsource(Asker.__init__), inspect.getsource(Asker.answer)
    stage_class = dict(re.findall(r"self\.(\w+)(?:: \w+)? = (?:composer or )?(\w+)\(", init))
    used = list(dict.fromkeys(re.findall(r"self\.(\w+)\.", answer)))
    ran = ["read_question"] + [stage_class[a] for a in used if a != "config"]
    assert [n.rsplit(".", 1)[1] for n in listed] == ran
    assert f"best {AnswerConfig().reader_pool} candidates" in _section()
