"""Turn Markdown into plain line-structured text and read its YAML-style front matter.

Removes markup only (heading marks, link/image syntax, emphasis, fences); never edits the words.
Not a full CommonMark parser, and not a YAML parser: front matter is read as flat ``key: value``.
"""

from __future__ import annotations

import logging
import re

from index.metadata import Hints

logger = logging.getLogger(__name__)

_FRONT_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "published": ("date", "published", "pubdate", "publishdate", "published_at", "date_published"),
    "updated": ("updated", "lastmod", "modified", "date_modified", "last_modified"),
    "author": ("author", "authors", "byline", "creator"),
    "outlet": ("outlet", "source", "publisher", "site", "site_name", "publication"),
}
_FRONT = re.compile(r"\A\ufeff?---[ \t]*\n(?P<body>.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"^(?P<key>[A-Za-z_][\w\-]*)\s*:\s*(?P<value>.*)$")
_LIST_ITEM = re.compile(r"^\s+-\s+(?P<value>.+)$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ATX = re.compile(r"^ {0,3}(?P<marks>#{1,6})\s+(?P<text>.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(?P<kind>=+|-+)\s*$")
_RULE = re.compile(r"^ {0,3}([*_-])(?:\s*\1){2,}\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
_IMAGE = re.compile(r"!\[[^\]]*\]\((?:[^()]|\([^)]*\))*\)")
_LINK = re.compile(r"\[(?P<text>[^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(?P<text>.+?)(?<=\S)\1")
_CODE = re.compile(r"`(?P<text>[^`]+)`")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
_BULLET = re.compile(r"^(?P<indent>\s*)[-*+]\s+")


def markdown_to_text(md: str) -> tuple[str, Hints]:
    """Plain text and the hints from front matter (title falls back to the first ``# `` heading).

    Example:
        >>> markdown_to_text("---\\ntitle: T\\n---\\n# Head\\n\\nSome **bold** [link](http://x).")[0]
        'Head\\n\\nSome bold link.'
    """
    front: dict[str, str] = {}
    m = _FRONT.match(md)
    if m:
        front = _front_matter(m.group("body"))
        md = md[m.end() :]
    lines, h1 = _convert(_COMMENT.sub("", md).split("\n"))
    pick = {f: next((front[k] for k in keys if front.get(k)), None) for f, keys in _FRONT_KEYS.items()}
    hints = Hints(title=pick["title"] or h1, published=pick["published"], updated=pick["updated"],
                  author=pick["author"], outlet=pick["outlet"])
    return "\n".join(lines).strip("\n"), hints


def _front_matter(body: str) -> dict[str, str]:
    """Flat ``key: value`` pairs; a key followed by ``- item`` lines gets the items joined."""
    found: dict[str, str] = {}
    key: str | None = None
    for raw in body.split("\n"):
        kv = _KEY_VALUE.match(raw)
        item = _LIST_ITEM.match(raw)
        if kv:
            key = kv.group("key").lower()
            found[key] = _unquote(kv.group("value"))
        elif item and key is not None:
            value = _unquote(item.group("value"))
            found[key] = f"{found[key]}، {value}" if found.get(key) else value
    return found


def _unquote(value: str) -> str:
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):
        return "، ".join(_unquote(v) for v in value[1:-1].split(",") if v.strip())
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _convert(lines: list[str]) -> tuple[list[str], str | None]:
    """Strip block and inline markup line by line; return the lines and the first level-1 heading."""
    out: list[str] = []
    h1: str | None = None
    for raw in lines:
        setext = _SETEXT.match(raw)
        if setext and out and out[-1].strip():
            if setext.group("kind").startswith("=") and h1 is None:
                h1 = out[-1].strip()
            continue
        if _RULE.match(raw) or _FENCE.match(raw) or _REF_DEF.match(raw) or setext:
            continue
        atx = _ATX.match(raw)
        line = atx.group("text") if atx else _BULLET.sub(r"\g<indent>", _QUOTE.sub("", raw))
        if atx and len(atx.group("marks")) == 1 and h1 is None:
            h1 = _inline(line).strip()
        out.append(_inline(line))
    return out, h1


def _inline(line: str) -> str:
    line = _IMAGE.sub("", line)
    line = _LINK.sub(r"\g<text>", line)
    line = _STRONG.sub(r"\g<text>", line)
    return _CODE.sub(r"\g<text>", line)
