"""The uploads folder on a real (small, MiniLM) index: safe storage, refusals, undo, removal."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.embed import Embedder
from index.errors import IndexBusyError, UnknownDocumentError
from rag.pipeline import Pipeline
from ui.library import Library


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def library(tmp_path: Path, minilm: Embedder) -> Library:
    corpus = tmp_path / "corpus"
    write(corpus / "alpha.txt", "Alpha Base\nThe alpha base has twelve hangars.\nIt was built in 2010.\n")
    write(corpus / "beta.txt", "Beta Port\nThe beta port handles grain ships.\nIts cranes are new.\n")
    pipeline = Pipeline(tmp_path / "index", minilm)
    pipeline.index([corpus])
    return Library(pipeline, corpus, max_bytes=4096, wait_seconds=0.3)


def incoming(tmp_path: Path, name: str, text: str | bytes) -> Path:
    return write(tmp_path / "incoming" / name, text)


def test_good_files_are_stored_and_indexed(library: Library, tmp_path: Path) -> None:
    stages: list[str] = []
    files = [
        incoming(tmp_path, "gamma report.md", "# Gamma Camp\n\nThe gamma camp trains medics.\n"),
        incoming(tmp_path, "alpha.txt", "Another Alpha\nA different story that reuses the alpha file name.\n"),
    ]
    outcomes = library.add(files, progress=lambda stage, done, total: stages.append(stage))
    assert [o.ok for o in outcomes] == [True, True], outcomes
    assert [o.doc_id for o in outcomes] == ["gamma_report", "alpha-2"]  # never replaces the indexed 'alpha'
    assert sorted(p.name for p in library.uploads.iterdir()) == ["alpha-2.txt", "gamma_report.md"]
    docs = library.pipeline.documents_by_id()
    assert {"alpha", "beta", "gamma_report", "alpha-2"} <= set(docs)
    assert "twelve hangars" in library.pipeline.article("alpha").text
    assert "checking" in stages and "embedding" in stages


def test_bad_files_are_refused_and_change_nothing(library: Library, tmp_path: Path) -> None:
    before = library.pipeline.documents_by_id()
    files = [
        incoming(tmp_path, "empty.txt", ""),
        incoming(tmp_path, "binary.txt", bytes(range(256)) * 4),
        incoming(tmp_path, "big.txt", "word " * 2000),
        incoming(tmp_path, "slides.pptx", "not an article"),
        incoming(tmp_path, "copy.txt", "Alpha Base\nThe alpha base has twelve hangars.\nIt was built in 2010.\n"),
        incoming(tmp_path, "twice-a.txt", "Delta\nThe delta unit has two boats.\n"),
        incoming(tmp_path, "twice-b.txt", "Delta\nThe delta unit has two boats.\n"),
    ]
    outcomes = library.add(files)
    reasons = {o.name: o.message for o in outcomes if not o.ok}
    assert set(reasons) == {"empty.txt", "binary.txt", "big.txt", "slides.pptx", "copy.txt", "twice-b.txt"}
    assert "upload limit" in reasons["big.txt"] and "unsupported file type" in reasons["slides.pptx"]
    assert "'alpha'" in reasons["copy.txt"] and "'twice-a'" in reasons["twice-b.txt"]
    assert sorted(p.name for p in library.uploads.iterdir()) == ["twice-a.txt"]
    assert set(library.pipeline.documents_by_id()) == {*before, "twice-a"}


def test_a_failed_index_update_leaves_no_file_behind(library: Library, tmp_path: Path) -> None:
    before = library.pipeline.documents_by_id()
    with library.pipeline.store.writer(), pytest.raises(IndexBusyError):
        library.add([incoming(tmp_path, "epsilon.txt", "Epsilon\nThe epsilon depot stores fuel.\n")])
    assert not any(library.uploads.iterdir())
    assert library.pipeline.documents_by_id() == before


def test_removing_an_upload_deletes_its_file_and_a_rescan_keeps_it_gone(library: Library, tmp_path: Path) -> None:
    [outcome] = library.add([incoming(tmp_path, "zeta.txt", "Zeta\nThe zeta station measures wind.\n")])
    assert outcome.ok and (library.uploads / "zeta.txt").exists()
    assert "uploaded file" in library.remove("zeta")
    assert not (library.uploads / "zeta.txt").exists()
    library.pipeline.index([library.corpus_dir])
    assert "zeta" not in library.pipeline.documents_by_id()
    with pytest.raises(UnknownDocumentError):
        library.remove("zeta")


def test_removing_a_corpus_article_keeps_its_file(library: Library) -> None:
    message = library.remove("beta")
    assert "kept" in message and (library.corpus_dir / "beta.txt").exists()
    assert "beta" not in library.pipeline.documents_by_id()
