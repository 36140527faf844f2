"""The persisted index: incremental updates, stable ids, exact search, mismatch and corruption errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index.build import embedder_spec, update_index
from index.embed import Embedder
from index.errors import IndexBusyError, IndexCorruptError, IndexMismatchError, IndexMissingError
from index.segment import ChunkerConfig
from index.store import CHUNK_VECTORS, CURRENT, MANIFEST_FILE, RECORDS, VERSIONS, open_index, writer_lock
from index.sync import index_paths

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

pytestmark = pytest.mark.slow


def _copy_seeds(dest: Path, names: list[str] | None = None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.glob("*.txt")):
        if names is None or path.stem in names:
            shutil.copy(path, dest / path.name)
    return dest


def test_incremental_update_counts_and_stable_ids(tmp_path: Path, e5: Embedder) -> None:
    corpus = _copy_seeds(tmp_path / "corpus")
    index_dir = tmp_path / "index"
    first = index_paths(index_dir, [corpus], e5, ChunkerConfig())
    assert (len(first.added), len(first.unchanged)) == (5, 0)
    before = open_index(index_dir)
    ids_before = {c.id: c for c in before.records.chunks()}
    vectors_before = before.chunk_vectors.get(np.array(sorted(ids_before), dtype=np.int64))

    again = index_paths(index_dir, [corpus], e5, ChunkerConfig())
    assert (again.added, again.updated, again.removed) == ([], [], [])
    assert len(again.unchanged) == 5 and again.chunks_embedded == 0 and again.version is None

    changed = sorted(corpus.glob("*.txt"))[1]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\nجملة جديدة أضيفت إلى نهاية المقال.\n", encoding="utf-8"
    )
    removed = sorted(corpus.glob("*.txt"))[3]
    removed.unlink()
    update = index_paths(index_dir, [corpus], e5, ChunkerConfig())
    assert update.updated == [changed.stem]
    assert update.removed == [removed.stem]
    assert len(update.unchanged) == 3

    after = open_index(index_dir)
    chunks_after = {c.id: c for c in after.records.chunks()}
    assert update.chunks_embedded == sum(1 for c in chunks_after.values() if c.doc_id == changed.stem)
    kept = sorted(i for i, c in ids_before.items() if c.doc_id not in {changed.stem, removed.stem})
    assert set(kept) <= set(chunks_after)  # ids of untouched articles survive the update
    np.testing.assert_array_equal(
        after.chunk_vectors.get(np.array(kept, dtype=np.int64)),
        vectors_before[np.searchsorted(np.array(sorted(ids_before)), kept)],
    )
    assert removed.stem not in after.records.doc_ids()
    assert len(after.lexical.ids) == len(after.chunk_vectors) == len(chunks_after)


def test_a_moved_file_keeps_its_vectors_and_gets_its_new_source(tmp_path: Path, e5: Embedder) -> None:
    old_home, new_home = _copy_seeds(tmp_path / "a", {"001_9ab64c683f1565c2"}), tmp_path / "b"
    index_dir = tmp_path / "index"
    index_paths(index_dir, [old_home], e5, ChunkerConfig())
    new_home.mkdir()
    moved = shutil.move(old_home / "001_9ab64c683f1565c2.txt", new_home)
    report = index_paths(index_dir, [old_home, new_home], e5, ChunkerConfig())
    assert report.moved == ["001_9ab64c683f1565c2"] and report.chunks_embedded == 0 and report.removed == []
    snapshot = open_index(index_dir)
    assert snapshot.manifest.documents["001_9ab64c683f1565c2"].source == str(moved)
    assert snapshot.records.article("001_9ab64c683f1565c2").source == str(moved)
    assert [d.source for d in snapshot.records.documents()] == [str(moved)]


def test_dense_search_equals_brute_force_cosine(seed_index: Path, e5: Embedder) -> None:
    snapshot = open_index(seed_index)
    ids = snapshot.chunk_vectors.ids()
    matrix = snapshot.chunk_vectors.get(ids)
    for question in ["من يقود التحالف الدولي؟", "How many US troops are in Iraq?", "قاعدة عين الأسد"]:
        query = e5.embed_queries([question])[0]
        scores, found = snapshot.chunk_vectors.search(query, 5)
        brute = matrix @ query / (np.linalg.norm(matrix, axis=1) * np.linalg.norm(query))
        order = np.argsort(-brute)[:5]
        np.testing.assert_array_equal(found, ids[order])
        np.testing.assert_allclose(scores, brute[order], rtol=1e-5, atol=1e-6)


def test_vectors_are_unit_length_float32(seed_index: Path) -> None:
    snapshot = open_index(seed_index)
    matrix = snapshot.sentence_vectors.get(snapshot.sentence_vectors.ids())
    assert matrix.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)


def test_other_embedder_is_refused_with_rebuild_hint(seed_index: Path, minilm: Embedder) -> None:
    with pytest.raises(IndexMismatchError, match="--rebuild"):
        open_index(seed_index, expect=embedder_spec(minilm))
    with pytest.raises(IndexMismatchError, match="minilm"):
        update_index(seed_index, [], minilm, ChunkerConfig())


def test_missing_index_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="sanad index"):
        open_index(tmp_path / "nothing-here")


def _live(index_dir: Path) -> Path:
    return index_dir / VERSIONS / (index_dir / CURRENT).read_text().strip()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(
            lambda v: (v / CHUNK_VECTORS).write_bytes((v / CHUNK_VECTORS).read_bytes()[:100]),
            id="truncated-faiss",
        ),
        pytest.param(lambda v: (v / RECORDS).write_bytes(b"not a database" * 100), id="garbage-sqlite"),
        pytest.param(
            lambda v: (v / MANIFEST_FILE).write_text('{"format": "sanad-index", "form'),
            id="truncated-manifest",
        ),
        pytest.param(lambda v: (v / MANIFEST_FILE).unlink(), id="missing-manifest"),
        pytest.param(lambda v: (v / "bm25" / "ids.npy").unlink(), id="missing-bm25"),
        pytest.param(lambda v: shutil.rmtree(v), id="missing-version"),
    ],
)
def test_damaged_index_gives_clear_error(tmp_path: Path, seed_index: Path, damage) -> None:  # type: ignore[no-untyped-def]
    index_dir = tmp_path / "copy"
    shutil.copytree(seed_index, index_dir)
    damage(_live(index_dir))
    with pytest.raises(IndexCorruptError, match="rebuild"):
        open_index(index_dir)


def test_mismatched_faiss_dimension_is_detected(tmp_path: Path, seed_index: Path) -> None:
    import faiss

    index_dir = tmp_path / "copy"
    shutil.copytree(seed_index, index_dir)
    live = _live(index_dir)
    faiss.write_index(faiss.IndexIDMap2(faiss.IndexFlatIP(8)), str(live / CHUNK_VECTORS))
    with pytest.raises(IndexCorruptError):
        open_index(index_dir)


def test_second_writer_is_refused(tmp_path: Path) -> None:
    with writer_lock(tmp_path), pytest.raises(IndexBusyError, match="another Sanad process"), writer_lock(tmp_path):
        pass
