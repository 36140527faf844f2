"""``sanad check`` finds every kind of disagreement between the parts of an index, on a real small index.

Damage that changes a file's bytes is caught by its checksum; to test the row-by-row checks, each
case rewrites one part and re-seals the version with fresh checksums (as a buggy writer would).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from index.check import check_index, content_differences, index_content
from index.embed import Embedder
from index.manifest import MANIFEST_FILE, Manifest
from index.store import BM25_DIR, CHUNK_VECTORS, RECORDS, VERSIONS, current_version, new_staging_dir, publish
from index.vectors import VectorTable
from rag.pipeline import Pipeline
from ui.cli import main

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def excerpt(source: Path, lines: int) -> str:
    return "\n".join(source.read_text(encoding="utf-8").splitlines()[:lines]) + "\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, e5: Embedder) -> Path:
    root = tmp_path_factory.mktemp("check")
    corpus = root / "corpus"
    corpus.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:2]:
        (corpus / path.name).write_text(excerpt(path, 6), encoding="utf-8")
    Pipeline(root / "index", e5).index([corpus])
    return root / "index"


@pytest.fixture
def index_dir(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "index"
    shutil.copytree(built, copy)
    return copy


def reseal(index_dir: Path, damage: Callable[[Path], None]) -> None:
    """Copy the live version, apply ``damage`` to the copy, and publish it with matching checksums."""
    live = index_dir / VERSIONS / str(current_version(index_dir))
    staging = new_staging_dir(index_dir)
    shutil.rmtree(staging)
    shutil.copytree(live, staging)
    damage(staging)
    manifest = Manifest.read(staging / MANIFEST_FILE)
    (staging / MANIFEST_FILE).unlink()
    publish(index_dir, staging, manifest)


def sql(statement: str) -> Callable[[Path], None]:
    def run(version: Path) -> None:
        with sqlite3.connect(version / RECORDS) as db:
            db.execute(statement)
    return run


def scale_chunk_vectors(version: Path) -> None:
    table = VectorTable.read(version / CHUNK_VECTORS, 384)
    ids = table.ids()
    VectorTable.build(ids, table.get(ids) * 2, table.spec).write(version / CHUNK_VECTORS)


def shift_bm25_ids(version: Path) -> None:
    ids = np.load(version / BM25_DIR / "ids.npy")
    np.save(version / BM25_DIR / "ids.npy", ids + 1)


def edit_manifest(change: Callable[[dict[str, dict[str, int]], list[str]], None]) -> Callable[[Path], None]:
    """Change the manifest's documents (keeping the totals ``open_index`` compares)."""
    def run(version: Path) -> None:
        raw = json.loads((version / MANIFEST_FILE).read_text(encoding="utf-8"))
        change(raw["documents"], sorted(raw["documents"]))
        (version / MANIFEST_FILE).write_text(json.dumps(raw), encoding="utf-8")
    return run


def move_a_sentence(docs: dict[str, dict[str, int]], ids: list[str]) -> None:
    docs[ids[0]]["sentences"] += 1
    docs[ids[1]]["sentences"] -= 1


def add_a_ghost(docs: dict[str, dict[str, int]], ids: list[str]) -> None:
    docs["ghost"] = {**docs[ids[0]], "chunks": 0, "sentences": 0}


DAMAGE = {
    "chunk row deleted": (sql("DELETE FROM chunks WHERE id = (SELECT min(id) FROM chunks)"), "chunk ids"),
    "chunk text edited": (sql("UPDATE chunks SET text = 'x' || text"), "is not the text at its offsets"),
    "sentence row deleted": (sql("DELETE FROM sentences WHERE id = (SELECT max(id) FROM sentences)"), "sentence ids"),
    "sentences overlap": (sql("UPDATE sentences SET start = 0"), "sentence offsets overlap"),
    "summary cites a non-sentence": (sql("UPDATE documents SET extras = '{\"summary\": [[0, 3]]}'"), "stored summary"),
    "summary missing": (sql("UPDATE documents SET extras = '{}'"), "summary missing"),
    "document text edited": (sql("UPDATE documents SET text = text || ' '"), "does not match the manifest"),
    "vectors not unit length": (scale_chunk_vectors, "not unit length"),
    "BM25 rows of other chunks": (shift_bm25_ids, "the BM25 index"),
    "manifest counts wrong": (edit_manifest(move_a_sentence), "the manifest lists"),
    "manifest lists a ghost": (edit_manifest(add_a_ghost), "documents differ"),
}


def test_a_good_index_passes(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = check_index(built)
    assert report.ok and report.problems == [] and report.documents == 2 and report.chunks >= 2
    assert main(["check", "--index-dir", str(built)]) == 0
    assert "index OK" in capsys.readouterr().out


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_each_disagreement_is_found(index_dir: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    damage, expected = DAMAGE[case]
    reseal(index_dir, damage)
    report = check_index(index_dir)
    assert not report.ok
    assert any(expected in p for p in report.problems), report.problems
    assert main(["check", "--index-dir", str(index_dir)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "inconsistent" in err and "--rebuild" in err


def test_damaged_files_and_pointer_are_found(index_dir: Path) -> None:
    live = index_dir / VERSIONS / str(current_version(index_dir))
    with (live / RECORDS).open("r+b") as f:
        f.truncate(1000)
    assert "damaged or truncated" in check_index(index_dir).problems[0]
    (index_dir / "CURRENT").write_text("../elsewhere\n", encoding="utf-8")
    report = check_index(index_dir)
    assert report.version is None and "damaged" in report.problems[0]


def test_missing_index_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--index-dir", str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith("sanad: error: no index at")


def test_leftovers_are_notes_not_problems(index_dir: Path) -> None:
    (index_dir / VERSIONS / ".staging-abandoned").mkdir()
    (index_dir / "CURRENT.1234.tmp").write_text("x", encoding="utf-8")
    report = check_index(index_dir)
    assert report.ok and len(report.notes) == 2


def test_content_comparison(built: Path, index_dir: Path) -> None:
    assert content_differences(index_content(built), index_content(index_dir)) == []
    reseal(index_dir, sql("UPDATE documents SET title = 'another'"))
    assert content_differences(index_content(built), index_content(index_dir)) == ["documents"]
    reseal(index_dir, scale_chunk_vectors)
    assert "chunk_vectors" in content_differences(index_content(built), index_content(index_dir))
