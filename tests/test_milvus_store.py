"""The Milvus store on the real engine (Milvus Lite, embedded): versions, search, filters, updates, errors.

No mock: every test writes and reads a Milvus Lite file. The server URI path is the same client code;
what needs a server (auth, a cluster) is tested only as far as an unreachable one.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from index.build import embedder_spec
from index.check import content_differences, index_content
from index.embed import Embedder
from index.errors import IndexBusyError, IndexMismatchError, IndexMissingError, StoreUnavailableError
from index.milvus import MilvusStore
from index.milvus_views import MilvusChunks
from index.segment import ChunkerConfig
from index.stores import FolderStore, copy_live_version, parse_store
from index.sync import index_paths
from rag.milvus_retrieve import MilvusRetriever, milvus_filter, retriever_for
from rag.pipeline import Pipeline
from rag.retrieve import MODES, Filters, Retriever
from ui.cli import main

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
ROOT = SEEDS.parent

pytestmark = pytest.mark.slow


@pytest.fixture
def store(tmp_path: Path) -> Iterator[MilvusStore]:
    found = parse_store(f"milvus:{tmp_path / 'index.db'}")
    assert isinstance(found, MilvusStore)
    yield found
    found.close()


@pytest.fixture(scope="module")
def copied(seed_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MilvusStore]:
    """The seeds index's live version, copied as it is into Milvus Lite."""
    found = MilvusStore(str(tmp_path_factory.mktemp("milvus") / "copy.db"))
    copy_live_version(FolderStore(seed_index), found)
    yield found
    found.close()


def test_a_copied_version_holds_exactly_what_the_folder_holds(seed_index: Path, copied: MilvusStore) -> None:
    assert content_differences(index_content(seed_index), index_content(copied)) == []
    folder, milvus = FolderStore(seed_index).open(), copied.open()
    assert milvus.manifest.documents == folder.manifest.documents
    assert milvus.records.documents() == folder.records.documents()  # derived titles included
    tokens = ["القو", "امريك", "coalition", "غير-موجود"]
    np.testing.assert_allclose(milvus.lexical.idf(tokens), folder.lexical.idf(tokens))


QUERIES = ["كم عدد الجنود الأمريكيين في العراق؟", "Who leads the international coalition?", "قاعدة عين الأسد"]


@pytest.mark.parametrize("mode", MODES)
def test_milvus_search_ranks_like_the_folder_store(
    seed_index: Path, copied: MilvusStore, e5: Embedder, mode: str
) -> None:
    folder = Retriever(FolderStore(seed_index).open(), e5)
    milvus = retriever_for(copied.open(), e5)
    assert isinstance(milvus, MilvusRetriever)
    for query in QUERIES:
        a = folder.search(query, k=5, mode=mode)  # type: ignore[arg-type]
        b = milvus.search(query, k=5, mode=mode)  # type: ignore[arg-type]
        assert [h.chunk.id for h in a] == [h.chunk.id for h in b], (mode, query)
        np.testing.assert_allclose([h.score for h in a], [h.score for h in b], rtol=1e-4, atol=1e-5)
        assert [h.chunk for h in a] == [h.chunk for h in b]


def test_filters_run_inside_milvus_and_match_the_folder_store(
    seed_index: Path, copied: MilvusStore, e5: Embedder
) -> None:
    folder = Retriever(FolderStore(seed_index).open(), e5)
    milvus = retriever_for(copied.open(), e5)
    dated = {d.doc_id: d.date for d in folder.snapshot.records.documents() if d.date}
    some = frozenset(sorted(folder.snapshot.records.doc_ids())[1:3])
    for filters in (Filters(doc_ids=some), Filters(date_from="2024-01-01"), Filters(date_to="2022-12-31"),
                    Filters(doc_ids=some, date_from="2024-07-01", date_to="2024-07-31")):
        a = folder.search(QUERIES[0], k=10, filters=filters)
        b = milvus.search(QUERIES[0], k=10, filters=filters)
        assert [h.chunk.id for h in a] == [h.chunk.id for h in b], filters
        for hit in b:
            assert filters.doc_ids is None or hit.chunk.doc_id in filters.doc_ids
            assert filters.date_from is None or dated.get(hit.chunk.doc_id, "") >= filters.date_from
    # The filter is a Milvus expression, evaluated by Milvus inside the search:
    expression = milvus_filter(Filters(doc_ids=frozenset({'a"b'}), date_from="2024-05"))
    assert expression == 'doc_id in ["a\\"b"] and day_lo > 0 and day_hi >= 20240500 and day_lo <= 99999999'
    chunks = milvus.snapshot.chunk_vectors
    assert isinstance(chunks, MilvusChunks)
    vector = e5.embed_queries([QUERIES[0]])[0]
    only = sorted(some)[0]
    _, ids = chunks.search(vector, 100, f'doc_id in ["{only}"]')
    owners = dict(zip(*milvus.snapshot.records.chunk_owners(), strict=True))
    assert len(ids) and {owners[int(i)] for i in ids} == {only}


def test_answers_over_milvus_cite_what_the_folder_store_cites(
    seed_index: Path, copied: MilvusStore, e5: Embedder
) -> None:
    folder, milvus = Pipeline(seed_index, e5), Pipeline(copied, e5)
    for question in [*QUERIES, "What is the price of oil in Norway?"]:
        a, b = folder.ask(question), milvus.ask(question)
        assert [(c.doc_id, c.start, c.end) for c in a.citations] == [(c.doc_id, c.start, c.end) for c in b.citations]
        assert a.abstained == b.abstained
        for c in b.citations:  # exact spans into the stored article
            assert milvus.article(c.doc_id).text[c.start : c.end] == c.text


def _corpus(dest: Path, names: list[str]) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.glob("*.txt")):
        if path.stem in names:
            shutil.copy(path, dest / path.name)
    return dest


def test_incremental_updates_replace_switch_and_clean_up(tmp_path: Path, store: MilvusStore, e5: Embedder) -> None:
    names = sorted(p.stem for p in SEEDS.glob("*.txt"))[:3]
    corpus = _corpus(tmp_path / "corpus", names)
    first = index_paths(store, [corpus], e5, ChunkerConfig())
    assert len(first.added) == 3 and store.current_version() == first.version
    old = store.open()
    old_ids = {c.id: c.doc_id for c in old.records.chunks()}

    again = index_paths(store, [corpus], e5, ChunkerConfig())
    assert again.version is None and again.chunks_embedded == 0 and len(again.unchanged) == 3

    changed, removed = corpus / f"{names[1]}.txt", corpus / f"{names[2]}.txt"  # (000's cleaning drops a last line)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nجملة جديدة في آخر المقال.\n", encoding="utf-8")
    removed.unlink()
    update = index_paths(store, [corpus], e5, ChunkerConfig())
    assert (update.updated, update.removed, update.unchanged) == ([names[1]], [names[2]], [names[0]])
    new = store.open()
    assert new.version == update.version != old.version
    assert set(new.records.doc_ids()) == {names[0], names[1]}
    assert update.chunks_embedded == sum(1 for c in new.records.chunks() if c.doc_id == names[1])
    kept = {i for i, d in old_ids.items() if d == names[0]}
    assert kept <= {c.id for c in new.records.chunks()}  # the untouched article was not re-embedded
    # The reader that opened the old version still answers from it: its collections are kept.
    assert old.records.chunks([next(iter(kept))])[0].doc_id == names[0]
    assert store.kept() == {update.version, first.version}

    changed.write_text(changed.read_text(encoding="utf-8") + "\nوجملة ثانية.\n", encoding="utf-8")
    third = index_paths(store, [corpus], e5, ChunkerConfig())
    assert set(store.versions()) == {third.version, update.version}  # the first version was dropped
    rebuilt = index_paths(store, [corpus], e5, ChunkerConfig(), rebuild=True)
    assert len(rebuilt.added) == 2 and set(store.open().records.doc_ids()) == {names[0], names[1]}


def test_a_second_writer_gets_a_clear_error(tmp_path: Path, store: MilvusStore, e5: Embedder) -> None:
    corpus = _corpus(tmp_path / "corpus", [sorted(p.stem for p in SEEDS.glob("*.txt"))[0]])
    with store.writer(), pytest.raises(IndexBusyError, match="another Sanad process"):
        index_paths(store, [corpus], e5, ChunkerConfig())
    assert store.current_version() is None


def test_wrong_embedder_missing_index_and_bad_names(copied: MilvusStore, minilm: Embedder, tmp_path: Path) -> None:
    with pytest.raises(IndexMismatchError, match="built with e5-small"):
        copied.open(expect=embedder_spec(minilm))
    empty = MilvusStore(str(tmp_path / "empty.db"))
    with pytest.raises(IndexMissingError, match="no index in milvus:"):
        empty.open()
    empty.close()
    with pytest.raises(StoreUnavailableError, match=r"must end in \.db"):
        parse_store("milvus:/tmp/index.txt")
    with pytest.raises(StoreUnavailableError, match="names no host"):
        parse_store("milvus://")
    assert parse_store("milvus://db.example:19531").uri == "http://db.example:19531"  # type: ignore[attr-defined]
    assert isinstance(parse_store(tmp_path / "folder"), FolderStore)


def test_an_unreachable_server_is_one_line_and_exit_code_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SANAD_MILVUS_TOKEN", "secret-token-123")
    assert main(["docs", "--store", "milvus://127.0.0.1:9"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("sanad: error: cannot reach Milvus at http://127.0.0.1:9")
    assert "secret-token-123" not in err and err.count("\n") == 1


def test_the_cli_indexes_and_answers_over_milvus_lite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = f"milvus:{tmp_path / 'cli.db'}"
    corpus = _corpus(tmp_path / "corpus", [sorted(p.stem for p in SEEDS.glob("*.txt"))[4]])
    assert main(["index", str(corpus), "--store", spec]) == 0
    assert f"-> {spec}" in capsys.readouterr().out
    assert main(["ask", "كم عدد الجنود الأمريكيين في العراق؟", "--store", spec]) == 0
    assert "2500" in capsys.readouterr().out
    # Milvus Lite opens a file in one process at a time: another process gets one clear line.
    other = subprocess.run([sys.executable, "-m", "ui.cli", "docs", "--store", spec], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert other.returncode == 1
    assert "one process at a time" in other.stderr and "Traceback" not in other.stderr
