"""Discovery and loading on real folders: mixed files, bad files, duplicates, hostile HTML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from index.errors import IngestError
from index.ingest import MAX_FILE_BYTES, discover, load_articles, read_article

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PARA = (
    "وقال المتحدث باسم الحكومة إن المفاوضات ستستمر خلال الأسابيع المقبلة، "
    "وإن الجانبين اتفقا على جدول زمني."
)
EN = "The talks will continue over the coming weeks, officials in Baghdad and Washington said on Thursday."


def _write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    _write(root / "a.txt", f"عنوان الخبر الأول هنا\n{PARA}")
    _write(root / "sub" / "b.md", f"# Heading of b\n\n{EN}")
    _write(root / "sub" / "deeper" / "c.html", f"<h1>Heading of c page</h1><p>{EN}</p>")
    _write(root / "d.HTM", f"<p>{PARA}</p>")
    _write(root / "e.markdown", EN)
    _write(root / ".hidden.txt", PARA)
    _write(root / ".git" / "f.txt", PARA)
    _write(root / "notes.pdf", b"%PDF-1.4")
    _write(root / "image.png", b"\x89PNG\r\n\x1a\n")
    return root


def test_discover_recurses_sorts_and_skips_hidden(corpus: Path) -> None:
    found = discover([corpus])
    assert [p.relative_to(corpus).as_posix() for p in found] == [
        "a.txt", "d.HTM", "e.markdown", "sub/b.md", "sub/deeper/c.html"]
    assert discover([corpus / "a.txt", corpus, corpus / "a.txt"]) == found  # no duplicates


def test_discover_missing_and_unsupported(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="no such file"):
        discover([tmp_path / "missing"])
    pdf = _write(tmp_path / "x.pdf", b"%PDF")
    with pytest.raises(IngestError, match="unsupported file type"):
        discover([pdf])


def test_load_mixed_folder(corpus: Path) -> None:
    articles, errors = load_articles([corpus])
    assert errors == []
    assert [a.doc_id for a in articles] == ["a", "d", "e", "b", "c"]
    by_id = {a.doc_id: a for a in articles}
    assert by_id["a"].title == "عنوان الخبر الأول هنا"
    assert by_id["b"].title == "Heading of b"
    assert by_id["c"].title == "Heading of c page"
    assert by_id["c"].text == f"Heading of c page\n{EN}"
    assert all(a.source.startswith(str(corpus)) for a in articles)


def test_bad_file_among_good_ones(corpus: Path) -> None:
    _write(corpus / "broken.txt", b"\x00\x01\x02\x03binary\x00")
    _write(corpus / "empty.txt", b"")
    _write(corpus / "furniture-only.txt", "Back to top\nShare\nإغلاق\n")
    articles, errors = load_articles([corpus, corpus.parent / "nowhere"])
    assert len(articles) == 5
    reasons = {Path(e.path).name: e.reason for e in errors}
    assert set(reasons) == {"broken.txt", "empty.txt", "furniture-only.txt", "nowhere"}
    assert "NUL" in reasons["broken.txt"]
    assert reasons["empty.txt"] == "file is empty"
    assert "no article text left" in reasons["furniture-only.txt"]


def test_duplicate_stems_are_reported_for_the_later_file(tmp_path: Path) -> None:
    first = _write(tmp_path / "one" / "story.txt", f"Story title from folder one\n{EN}")
    second = _write(tmp_path / "two" / "story.md", f"# Other story\n\n{EN}")
    articles, errors = load_articles([tmp_path / "two", tmp_path / "one"])
    assert [a.source for a in articles] == [str(first)]
    assert len(errors) == 1
    assert errors[0].path == str(second)
    assert "duplicate doc_id 'story'" in errors[0].reason


def test_seeds_load(tmp_path: Path) -> None:
    articles, errors = load_articles([SEEDS])
    assert errors == []
    assert [a.doc_id for a in articles] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    for article in articles:
        assert article.encoding == "utf-8"
        assert article.text == article.text.strip("\n")
        for span in article.header:
            assert article.text[span.start:span.end].strip() == article.text[span.start:span.end]


def test_broken_html_with_script(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.html", (
        "<html><body><div><p>First paragraph of the story is here and it is long enough to read."
        "<p>Second <b>bold <i>nested</b> text < stray and more &amp; entities &lt;b&gt;"
        "<script>alert(1)</script><style>.x{}</style><div><div><span>deep"))
    article = read_article(path)
    assert "alert" not in article.text and ".x{}" not in article.text
    assert "Second bold nested text < stray and more & entities <b>" in article.text
    first = "First paragraph of the story is here and it is long enough to read."
    assert article.text.splitlines()[0] == first


def test_html_event_handler_leaves_no_markup(tmp_path: Path) -> None:
    path = _write(tmp_path / "img.html", f"<p>{EN} <img src=x onerror=alert(1)> more text here.</p>")
    article = read_article(path)
    assert not re.search(r"<\w|onerror|alert", article.text)
    assert article.text == f"{EN} more text here."


def test_html_drops_chrome_and_comments(tmp_path: Path) -> None:
    path = _write(tmp_path / "page.html", f"""<html><head><title>T</title></head><body>
<header><nav><ul><li>Home</li><li>World</li></ul></nav></header>
<!-- <p>commented out</p> -->
<main><p>{EN}</p><aside>Sidebar text</aside><form><input value="q"><button>Search</button></form>
<div class="share-buttons"><a>Facebook</a></div><p hidden>hidden text</p><template><p>tpl</p></template>
<noscript>enable js</noscript><svg><text>svg label</text></svg><iframe src="x">frame</iframe></main>
<footer>Contact us</footer></body></html>""")
    assert read_article(path).text == EN


def test_file_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: no data written
    with pytest.raises(IngestError, match="limit"):
        read_article(path)


def test_windows_1256_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "cp.txt", f"عنوان الخبر الأول هنا\r\n{PARA}\r\n".encode("cp1256"))
    article = read_article(path)
    assert article.encoding == "cp1256"
    assert article.text == f"عنوان الخبر الأول هنا\n{PARA}"
