"""The `sanad` command in-process: the JSON contract, batch answers, one-line errors with exit code 1."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ui.cli import main

pytestmark = pytest.mark.slow
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_docs_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    (corpus / "broken.txt").write_bytes(b"\x00\x01binary\xff")
    ix = ["--index-dir", str(tmp_path / "ix")]
    code, out, err = run(capsys, "index", str(corpus), *ix)
    assert code == 1 and "broken.txt" in err and "5 articles indexed: 5 added" in out
    (corpus / "broken.txt").unlink()
    code, out, _ = run(capsys, "index", str(corpus), *ix)
    assert code == 0 and "5 unchanged (not re-embedded)" in out
    code, out, _ = run(capsys, "docs", "--json", *ix)
    docs = {d["doc_id"]: d for d in json.loads(out)}
    assert docs["001_9ab64c683f1565c2"]["date"] == "2021-12-09"
    assert docs["002_167104a5c28d01cf"]["date"] == "2024-07-28"
    assert docs["004_3ffd546b70ef6a8c"]["title"] == "واشنطن وبغداد تتفاوضان بلا أفق لانهاء الوجود الأجنبي"
    keys = {"doc_id", "title", "title_derived", "date", "author", "outlet", "source", "chars", "chunks"}
    assert set(docs["000_d0cea0f9fb883b10"]) == keys
    code, out, _ = run(capsys, "show", "003_8b30ea1d89039507", "--json", *ix)
    shown = json.loads(out)
    assert code == 0 and shown["chars"] == len(shown["text"]) and "شاهد أيضاً" not in shown["text"]


def test_ask_json_contract(seed_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "ask", "كم صاروخاً ضرب عين الأسد؟", "--k", "2", "--json", "--index-dir", str(seed_index))
    answer = json.loads(out)
    assert code == 0
    assert set(answer) >= {"question", "answer", "abstained", "language", "citations"}
    assert answer["language"] == "ar" and isinstance(answer["abstained"], bool)
    assert [c["n"] for c in answer["citations"]] == [1, 2]
    assert set(answer["citations"][0]) == {"n", "doc_id", "title", "title_derived", "outlet", "date", "start",
                                           "end", "text", "score", "answer_span"}


def test_ask_batch_keeps_ids_and_reports_bad_lines(
    seed_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "Who announced the end of the combat mission?"}\n'
        '{"id": "b", "question": "   "}\nnot json\n{"id": 7, "question": "متى نشر المقال؟"}\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "ask", "--questions", str(batch), "--json", "--index-dir", str(seed_index))
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["a", "b", 3, 7]
    assert "citations" in records[0] and "error" in records[1] and "error" in records[2]
    assert code == 1


def test_summarize_and_overview_json(seed_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ix = ["--index-dir", str(seed_index)]
    code, out, _ = run(capsys, "summarize", "002_167104a5c28d01cf", "--sentences", "3", "--json", *ix)
    summary = json.loads(out)
    assert code == 0 and len(summary["sentences"]) == 3
    assert set(summary) == {"doc_id", "title", "title_derived", "date", "summary", "sentences"}
    code, out, _ = run(capsys, "summarize", "002_167104a5c28d01cf", "--words", "30", "--json", *ix)
    assert code == 0 and 0 < len(json.loads(out)["summary"].split()) <= 30
    code, out, _ = run(capsys, "summarize", "--all", "--json", *ix)
    assert code == 0 and len(json.loads(out)) == 5
    code, out, _ = run(capsys, "overview", "--json", *ix)
    overview = json.loads(out)
    assert code == 0 and set(overview) == {"briefing", "themes", "differences", "timeline"}
    assert 1 <= len(overview["briefing"]) <= 5
    assert {"date", "text", "citation"} <= set(overview["timeline"][0])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ask", "   "], "empty"),
        (["ask", "سؤال", "--doc", "nope"], "sanad docs"),
        (["summarize", "nope"], "sanad docs"),
        (["show", "nope"], "sanad docs"),
        (["ask", "سؤال", "--k", "0"], "--k"),
        (["summarize", "002_167104a5c28d01cf", "--ratio", "0"], "--ratio"),
        (["summarize", "002_167104a5c28d01cf", "--words", "0"], "--words"),
    ],
)
def test_errors_are_one_line_with_exit_code_1(
    seed_index: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv, "--index-dir", str(seed_index))
    assert code == 1 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_missing_index_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "ask", "سؤال", "--index-dir", str(tmp_path / "none"))
    assert code == 1 and "sanad index" in err


def test_help_is_instant_and_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("index", "ask", "summarize", "overview", "serve", "eval", "docs", "show"):
        assert command in out


def test_bench_runs_from_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`sanad bench` has none of the common options; it must still start (it once failed on -v)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEEDS / "001_9ab64c683f1565c2.txt", corpus)
    skips = [a for s in ("ask", "langchain", "serve", "scale") for a in ("--skip", s)]
    code, out, _ = run(capsys, "bench", "--corpus", str(corpus), "--out", str(tmp_path / "report"), *skips)
    assert code == 0 and "indexing" in out
    assert (tmp_path / "report" / "report.md").exists() and (tmp_path / "report" / "results.json").exists()
