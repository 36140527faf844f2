"""Find source files and turn each into an ``Article``: decode, convert, clean, read metadata.

One bad file never stops the others. Does not segment, embed or store anything.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from index.clean import clean_text
from index.decode import decode_bytes
from index.documents import Article
from index.errors import IngestError
from index.html import html_to_text
from index.markdown import markdown_to_text
from index.metadata import Hints, extract_metadata

logger = logging.getLogger(__name__)

SUFFIXES: dict[str, str] = {
    ".txt": "text", ".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html",
}
MAX_FILE_BYTES = 20 * 1024 * 1024  # raw size: HTML pages carry scripts and styles besides their text
MAX_TEXT_CHARS = 5 * 1024 * 1024  # cleaned text: far beyond any news article, small enough to index


def discover(paths: Sequence[Path]) -> list[Path]:
    """Supported files among ``paths`` (folders searched recursively), sorted, hidden ones skipped.

    Raises:
        IngestError: for a path that does not exist, or a file named explicitly with an
            unsupported extension (a folder's other files are skipped silently).
    """
    found: set[Path] = set()
    for path in map(Path, paths):
        if not path.exists():
            raise IngestError(str(path), "no such file or directory")
        if path.is_dir():
            for child in path.rglob("*"):
                rel = child.relative_to(path)
                if child.is_file() and child.suffix.lower() in SUFFIXES \
                        and not any(part.startswith(".") for part in rel.parts):
                    found.add(child)
        elif path.suffix.lower() in SUFFIXES:
            found.add(path)
        else:
            raise IngestError(str(path), f"unsupported file type {path.suffix or '(none)'!r}; "
                                         f"expected one of {', '.join(SUFFIXES)}")
    return sorted(found)


def read_article(path: Path) -> Article:
    """Read one file into an ``Article`` whose ``text`` is the cleaned text citations point into.

    Raises:
        IngestError: unreadable, too large, undecodable, binary, or nothing left after cleaning.
    """
    name = str(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise IngestError(name, f"unsupported file type {path.suffix!r}; expected one of "
                                f"{', '.join(SUFFIXES)}")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(name, f"file is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
                                    "limit; split it into one file per article")
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(name, f"cannot read file ({exc.strerror or exc})") from None
    raw, encoding = decode_bytes(data, name)
    hints = Hints()
    if kind == "html":
        raw, hints = html_to_text(raw)
    elif kind == "markdown":
        raw, hints = markdown_to_text(raw)
    return article_from_text(raw, path.stem, name, hints, encoding)


def article_from_text(raw: str, doc_id: str, source: str, hints: Hints | None = None,
                      encoding: str = "utf-8") -> Article:
    """Clean plain text and read its metadata: what ``read_article`` does after decoding.

    Evaluation sets that ship articles as strings go through here, so they are read exactly as
    ``sanad index`` reads a ``.txt`` file.

    Raises:
        IngestError: nothing left after cleaning, or too long.
    """
    hints = hints or Hints()
    cleaned = clean_text(raw, keep=(hints.title, hints.author))
    text = cleaned.text
    if not text.strip():
        raise IngestError(source, "no article text left after removing markup and page furniture")
    if len(text) > MAX_TEXT_CHARS:
        raise IngestError(source, f"text is {len(text):,} characters, over the {MAX_TEXT_CHARS:,} limit; "
                                  "split it into one file per article")
    meta = extract_metadata(text, hints)
    logger.info("%s: %d chars (%s), %d furniture lines removed, title=%r date=%r",
                source, len(text), encoding, len(cleaned.removed), meta.title, meta.date)
    return Article(
        doc_id=doc_id, text=text, source=source, title=meta.title, date=meta.date,
        date_text=meta.date_text, author=meta.author, outlet=meta.outlet, encoding=encoding,
        header=meta.header,
    )


def load_articles(paths: Sequence[Path]) -> tuple[list[Article], list[IngestError]]:
    """Every article that can be read, and one error per file (or path) that could not.

    The doc_id is the file stem, so a second file with the same stem is an error rather than a
    silent overwrite of the first one's citations.
    """
    articles: list[Article] = []
    errors: list[IngestError] = []
    files: list[Path] = []
    for path in paths:
        try:
            files.extend(discover([path]))
        except IngestError as exc:
            errors.append(exc)
    seen: dict[str, Path] = {}
    for path in sorted(set(files)):
        first = seen.get(path.stem)
        if first is not None:
            errors.append(IngestError(str(path), f"duplicate doc_id {path.stem!r}: already loaded from "
                                                 f"{first}; rename one of the files"))
            continue
        try:
            article = read_article(path)
        except IngestError as exc:
            logger.warning("skipped %s", exc)
            errors.append(exc)
            continue
        seen[path.stem] = path
        articles.append(article)
    return articles, errors
