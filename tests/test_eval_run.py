"""``sanad eval`` end to end on five seeds questions, and the floors check and writer on synthetic figures."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from eval.quality import floors
from eval.quality.run import run
from eval.quality.systems import SYSTEMS

PNG = b"\x89PNG\r\n\x1a\n"


def _args(out: Path, check_floors: bool, cache: Path) -> argparse.Namespace:
    return argparse.Namespace(dataset="seeds", out=out, limit=5, check_floors=check_floors, answer_sample=None,
                              cache_dir=cache, index_dir=Path("unused"), embedder="e5-small", verbose=False,
                              reader="sanad", st_reader=None)


def _floors(path: Path, values: dict[str, float]) -> Path:
    floors.write(path, values, "test", 0.03)
    return path


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eval-cache")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> Path:
    """One passing run (its floors hold and name a dataset that was not run)."""
    out = tmp_path_factory.mktemp("eval") / "report"
    ok = _floors(out.parent / "floors.json", {"seeds:sanad:citation_exact": 0.5, "xquad-ar:sanad:mrr": 0.99})
    assert run(_args(out, check_floors=True, cache=cache), floors_path=ok) == 0
    return out


@pytest.mark.slow
def test_run_writes_every_file(report: Path) -> None:
    assert {p.name for p in report.iterdir()} == {
        "report.md", "results.json", "questions.jsonl", "recall_at_k.png", "by_language.png", "latency.png",
        "reliability.png",
    }
    for png in report.glob("*.png"):
        assert png.read_bytes().startswith(PNG) and png.stat().st_size > 5000
    text = (report / "report.md").read_text(encoding="utf-8")
    assert "## Retrieval and answers" in text and "## Summaries (seeds)" in text and "![Recall@k]" in text


@pytest.mark.slow
def test_results_json_has_every_figure_and_setting(report: Path) -> None:
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert set(results) >= {"schema", "run", "settings", "datasets", "indexes", "figures", "curves",
                            "summaries_per_doc"}
    assert results["run"]["limit"] == 5 and results["run"]["commit"]
    assert results["settings"]["embedder"] == "e5-small" and "retrieval" in results["settings"]
    assert results["datasets"]["seeds"]["questions"] == 5
    figures = results["figures"]
    assert set(figures) >= {"seeds", "seeds/summaries"}
    assert set(figures["seeds"]) == set(SYSTEMS) - {"st", "literal"}  # "st" only with --st-reader, "literal"
    # only beside the varieties set
    assert set(figures["seeds"]["scorer"]) >= {"answer_in_first", "abstain_recall", "false_abstention"}
    assert set(figures["seeds"]["sanad"]) >= {"phrase_given", "phrase_em", "phrase_f1"}
    assert set(figures["seeds"]["hybrid"]) >= {"recall@1", "recall@5", "recall@10", "mrr", "ndcg@10",
                                                "answer_in_first", "token_f1", "citation_exact", "latency_p95_ms"}
    assert set(figures["seeds"]["sanad"]) >= {"answer_in_top3", "citation_support", "abstain_recall",
                                               "false_abstention", "latency_p50_ms"}
    assert figures["seeds"]["sanad"]["citation_exact"] == 1.0
    assert set(figures["seeds/summaries"]) == {"sanad", "lead"}
    assert set(figures["seeds/summaries"]["sanad"]) >= {"keyfact_coverage", "rouge1", "rouge2", "rougeL",
                                                        "redundancy", "compression"}
    assert all(len(c) == 10 for c in results["curves"]["seeds"].values())
    assert len(results["summaries_per_doc"]["seeds"]) == 5
    rows = (report / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 5 and json.loads(rows[0])["dataset"] == "seeds"


@pytest.mark.slow
def test_failing_floor_exits_1_and_names_it(report: Path, cache: Path, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    bad = _floors(tmp_path / "floors.json", {"seeds:sanad:citation_exact": 1.01, "seeds:nosuch:mrr": 0.1})
    assert run(_args(tmp_path / "again", check_floors=True, cache=cache), floors_path=bad) == 1
    err = capsys.readouterr().err
    assert "seeds:sanad:citation_exact = 1.000 is below its floor 1.010" in err
    assert "seeds:nosuch:mrr was not measured" in err
    results = json.loads((tmp_path / "again" / "results.json").read_text(encoding="utf-8"))
    assert results["indexes"]["seeds"]["reused"]  # the cached index from the first run


FIGURES: dict[str, dict[str, dict[str, float | None]]] = {
    "seeds": {
        "hybrid": {"mrr": 0.8, "recall@5": 0.9, "latency_p50_ms": 20.0},
        "sanad": {"answer_in_first": 0.5, "abstain_precision": None, "false_abstention": 0.1},
        "bm25": {"mrr": 0.5},
    },
    "seeds/ar": {"sanad": {"answer_in_first": 0.6}},
    "seeds/summaries": {"sanad": {"rouge1": 0.25, "redundancy": 0.05}, "lead": {"rouge1": 0.3}},
}


def test_check_passes_fails_and_skips() -> None:
    assert floors.check(FIGURES, {"seeds:hybrid:mrr": 0.8, "seeds:sanad:answer_in_first": 0.47}) == []
    assert floors.check(FIGURES, {"xquad-ar:sanad:mrr": 0.9}) == []  # dataset not in this run
    short = floors.check(FIGURES, {"seeds:hybrid:mrr": 0.81, "seeds:sanad:abstain_precision": 0.2,
                                   "seeds/summaries:sanad:rouge1": 0.2})
    assert [(s.figure, s.value) for s in short] == [("seeds:hybrid:mrr", 0.8), ("seeds:sanad:abstain_precision", None)]


def test_derive_never_exceeds_the_measured_value() -> None:
    derived = floors.derive(FIGURES, margin=0.03)
    assert derived == {
        "seeds:hybrid:mrr": 0.77,
        "seeds:hybrid:recall@5": 0.87,
        "seeds:sanad:answer_in_first": 0.47,
        "seeds/summaries:sanad:rouge1": 0.22,
    }  # no latency, no lower-is-better figure, no baseline, no per-language group, no None
    assert floors.check(FIGURES, derived) == []
    assert floors.derive({"g": {"sanad": {"mrr": 0.01}}}) == {"g:sanad:mrr": 0.0}


def test_floors_writer_keeps_other_datasets_and_refuses_limited_runs(tmp_path: Path) -> None:
    out = _floors(tmp_path / "floors.json", {"xquad-ar:sanad:mrr": 0.5, "seeds:sanad:mrr": 0.99})
    results = tmp_path / "run" / "results.json"
    results.parent.mkdir()
    results.write_text(json.dumps({"run": {"limit": None}, "figures": FIGURES}), encoding="utf-8")
    assert floors.main([str(results), "--out", str(out)]) == 0
    written = floors.read(out)
    assert written["xquad-ar:sanad:mrr"] == 0.5  # another dataset's floor is kept
    assert "seeds:sanad:mrr" not in written  # this dataset's floors are replaced
    assert written["seeds:hybrid:mrr"] == 0.77
    results.write_text(json.dumps({"run": {"limit": 5}, "figures": FIGURES}), encoding="utf-8")
    assert floors.main([str(results), "--out", str(out)]) == 1


def test_committed_floors_are_readable() -> None:
    committed = floors.read()
    assert committed and all(name.count(":") == 2 for name in committed)
    assert all(0.0 <= v <= 1.0 for v in committed.values())
