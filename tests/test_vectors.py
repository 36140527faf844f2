"""Vector tables against a brute-force oracle: exact and IVF-fp16 search, ID-selector filters, persistence."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from index import vectors
from index.build import update_index
from index.embed import Embedder
from index.errors import IndexCorruptError
from index.segment import ChunkerConfig
from index.store import CHUNK_VECTORS, SENTENCE_VECTORS, open_index
from index.vectors import EXACT_MAX, IndexSpec, VectorTable
from rag.retrieve import Filters, Retriever

DIM = 48


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """4,000 unit vectors in 40 clusters (like embeddings of related texts), random 64-bit ids, queries."""
    rng = np.random.default_rng(7)
    centres = rng.normal(size=(40, DIM))
    x = centres[rng.integers(0, 40, 4000)] + 0.6 * rng.normal(size=(4000, DIM))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    ids = rng.choice(2**62, size=4000, replace=False).astype(np.int64)
    queries = x[rng.choice(4000, 30, replace=False)] + 0.2 * rng.normal(size=(30, DIM))
    return ids, x.astype(np.float32), (queries / np.linalg.norm(queries, axis=1, keepdims=True)).astype(np.float32)


def _exact(ids: np.ndarray, x: np.ndarray, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[int]:
    scores = x @ query
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return ids[order[np.isfinite(scores[order])]].tolist()


def test_kind_is_chosen_by_size() -> None:
    assert IndexSpec.for_size(EXACT_MAX).kind == "flat"
    big = IndexSpec.for_size(1_000_000)
    assert big.kind == "ivf-fp16" and big.nlist == 4096 and 1 <= big.nprobe <= big.nlist
    assert IndexSpec.for_size(EXACT_MAX + 1).nlist <= (EXACT_MAX + 1) // vectors.MIN_PER_LIST


def test_bad_spec_is_refused() -> None:
    with pytest.raises(ValueError, match="kind"):
        IndexSpec("hnsw-magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="nprobe"):
        IndexSpec("ivf-fp16", nlist=8, nprobe=9)


def test_flat_search_equals_brute_force(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, x, queries = data
    table = VectorTable.build(ids, x)
    assert table.spec.kind == "flat"
    for q in queries:
        scores, found = table.search(q, 10)
        assert found.tolist() == _exact(ids, x, q, 10)
        np.testing.assert_allclose(scores, np.sort(x @ q)[::-1][:10], rtol=1e-5)


def test_ivf_recall_at_10_against_exact(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, x, queries = data
    table = VectorTable.build(ids, x, IndexSpec("ivf-fp16", nlist=64, nprobe=16))
    recall = [len(set(table.search(q, 10)[1].tolist()) & set(_exact(ids, x, q, 10))) / 10 for q in queries]
    assert np.mean(recall) >= 0.95
    # Vectors come back by id within half-precision rounding.
    assert np.abs(table.get(ids[:50]) - x[:50]).max() < 1e-3


@pytest.mark.parametrize("subset_exact", [vectors.SUBSET_EXACT, 0])  # IVF: exact over few rows, or selector scan
@pytest.mark.parametrize("share", [0.002, 0.05, 0.5])
@pytest.mark.parametrize("kind", ["flat", "ivf-fp16"])
def test_selector_filter_equals_brute_force_over_the_allowed_rows(
    data: tuple[np.ndarray, np.ndarray, np.ndarray], kind: str, share: float, subset_exact: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(vectors, "SUBSET_EXACT", subset_exact)
    ids, x, queries = data
    spec = IndexSpec() if kind == "flat" else IndexSpec("ivf-fp16", nlist=64, nprobe=16)
    table = VectorTable.build(ids, x, spec)
    mask = np.random.default_rng(3).random(len(ids)) < share
    decoded = table.get(ids)  # the oracle scores what the index stores (half-precision codes for IVF-fp16)
    for q in queries[:10]:
        _, found = table.search(q, 10, allowed=mask)
        assert set(found.tolist()) <= set(ids[mask].tolist())
        expected = _exact(ids, decoded, q, 10, mask)
        overlap = len(set(found.tolist()) & set(expected)) / len(expected)
        # Exact tables and the exact path over few rows match exactly; the IVF scan probes cells
        # enough to meet several times k admitted rows, and stays about as close as unfiltered search.
        exact_path = kind == "flat" or len(ids) * share <= subset_exact
        assert overlap == 1.0 if exact_path else overlap >= 0.9


def test_filter_admitting_nothing_or_fewer_than_k(data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, x, queries = data
    table = VectorTable.build(ids, x, IndexSpec("ivf-fp16", nlist=64, nprobe=4))
    none = np.zeros(len(ids), dtype=bool)
    assert len(table.search(queries[0], 10, allowed=none)[1]) == 0
    three = none.copy()
    three[[5, 900, 3999]] = True
    assert sorted(table.search(queries[0], 10, allowed=three)[1].tolist()) == sorted(ids[[5, 900, 3999]].tolist())
    with pytest.raises(ValueError, match="entries"):
        table.search(queries[0], 10, allowed=three[:10])


def test_ivf_round_trip_and_kind_check(tmp_path: Path, data: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    ids, x, queries = data
    spec = IndexSpec("ivf-fp16", nlist=32, nprobe=8)
    table = VectorTable.build(ids, x, spec)
    table.write(tmp_path / "t.faiss")
    back = VectorTable.read(tmp_path / "t.faiss", DIM, spec)
    for q in queries[:5]:
        assert back.search(q, 10)[1].tolist() == table.search(q, 10)[1].tolist()
    np.testing.assert_array_equal(back.get(ids[:20]), table.get(ids[:20]))
    with pytest.raises(IndexCorruptError, match="rebuild"):
        VectorTable.read(tmp_path / "t.faiss", DIM, IndexSpec())  # manifest says flat, file is IVF
    with pytest.raises(IndexCorruptError, match="rebuild"):
        VectorTable.read(tmp_path / "t.faiss", DIM, IndexSpec("ivf-fp16", nlist=64, nprobe=8))
    # A rebuild with the same spec reuses the trained cells and holds exactly the new rows.
    again = VectorTable.build(ids[:100], x[:100], spec, previous=back)
    assert len(again) == 100 and set(again.ids().tolist()) == set(ids[:100].tolist())


@pytest.mark.slow
def test_a_large_index_is_published_as_ivf_and_searched_with_filters(
    tmp_path: Path, seed_index: Path, e5: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the exact threshold the build switches to IVF-fp16, the manifest says so, and reading,
    filtering and retrieval work on it (the threshold is lowered so the seeds cross it)."""
    copy = tmp_path / "index"
    shutil.copytree(seed_index, copy)
    exact = open_index(copy)
    monkeypatch.setattr(vectors, "EXACT_MAX", 20)
    report = update_index(copy, [], e5, ChunkerConfig(**exact.manifest.chunker))  # no enricher: republish
    assert report.version is not None and report.chunks_embedded == 0
    ivf = open_index(copy)
    for name in (CHUNK_VECTORS, SENTENCE_VECTORS):
        assert ivf.manifest.vectors[name]["kind"] == "ivf-fp16"
    assert ivf.chunk_vectors.spec.kind == "ivf-fp16" and len(ivf.chunk_vectors) == len(exact.chunk_vectors)
    retriever = Retriever(ivf, e5)
    doc = sorted(ivf.manifest.documents)[0]
    hits = retriever.search("انسحاب القوات الأمريكية", 5, Filters(frozenset({doc})))
    assert hits and {h.chunk.doc_id for h in hits} == {doc}
    q = e5.embed_queries(["انسحاب القوات الأمريكية"])[0]
    ids = exact.chunk_vectors.ids()
    assert set(ivf.chunk_vectors.search(q, 5)[1].tolist()) <= set(ids.tolist())


@pytest.mark.slow
def test_an_index_without_recorded_kinds_opens_as_exact(tmp_path: Path, seed_index: Path) -> None:
    """Indexes written before kinds were recorded have no ``vectors`` entry: they are exact and open."""
    import json

    from index.manifest import MANIFEST_FILE

    copy = tmp_path / "index"
    shutil.copytree(seed_index, copy)
    version = open_index(copy).path
    manifest = json.loads((version / MANIFEST_FILE).read_text(encoding="utf-8"))
    manifest.pop("vectors")
    (version / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    assert open_index(copy).chunk_vectors.spec.kind == "flat"
