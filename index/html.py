"""Turn an HTML page into line-structured text (one line per block) plus the metadata its head declares.

Drops scripts, styles, forms and page chrome; never reorders or rewrites the visible text.
Does not remove in-text furniture (see index/clean.py) or choose between metadata sources.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from index.metadata import Hints

logger = logging.getLogger(__name__)

# Elements whose content is never article text.
DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed", "canvas",
    "form", "button", "select", "textarea", "input", "label", "nav", "aside", "menu", "dialog", "head",
})
# Page chrome; inside <article>/<main> a header or footer belongs to the article (its headline,
# byline, dateline), as the HTML standard defines, so those are kept.
CHROME_TAGS = frozenset({"header", "footer"})
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search", "dialog"})
BLOCK_TAGS = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "br", "hr",
    "blockquote", "pre", "table", "tr", "td", "th", "caption", "thead", "tbody", "tfoot", "article",
    "section", "main", "header", "footer", "figure", "figcaption", "address", "details", "summary",
    "center", "body", "html", "option", "legend", "fieldset",
})
_ARTICLE_TAGS = frozenset({"article", "main"})
# class/id tokens of widgets that are never article text (share bars, related boxes, banners).
_FURNITURE_TOKENS = frozenset({
    "share", "sharing", "social", "related", "cookie", "cookies", "newsletter", "breadcrumb",
    "breadcrumbs", "advert", "advertisement", "ads", "sidebar", "popup", "modal", "comments",
})
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_WIDGET_MAX_CHARS = 1500
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_META_KEYS: dict[str, tuple[str, ...]] = {
    "og_title": ("og:title", "twitter:title"),
    "site_name": ("og:site_name", "application-name"),
    "published": ("article:published_time", "og:article:published_time", "datepublished", "date",
                  "pubdate", "publishdate", "publish-date", "publish_date", "dc.date", "dc.date.issued",
                  "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date"),
    "updated": ("article:modified_time", "og:updated_time", "datemodified", "last-modified"),
    "author": ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author"),
}


def html_to_text(html: str) -> tuple[str, Hints]:
    """Visible text, one line per block element, and the head's title/date/author/outlet hints.

    Example:
        >>> html_to_text("<p>One <b>two</b></p><script>x()</script><p>three</p>")[0]
        'One two\\nthree'
    """
    tree = LexborHTMLParser(html)
    hints = _hints(tree)
    root = tree.body or tree.root
    text = "\n".join(_block_lines(root)) if root is not None else ""
    return text, hints


def _block_lines(root: LexborNode) -> list[str]:
    """Walk the tree iteratively (broken pages nest deeply) and break lines at block boundaries."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = " ".join("".join(buf).split())
        if line:
            out.append(line)
        buf.clear()

    stack: list[tuple[LexborNode, bool, bool] | None] = [(root, False, False)]
    while stack:
        item = stack.pop()
        if item is None:  # end of a block element
            flush()
            continue
        node, in_article, in_pre = item
        tag = node.tag or ""
        if tag == "-text":
            _append_text(node.text_content or "", in_pre, buf, flush)
            continue
        if tag.startswith("-") or _dropped(node, tag, in_article):
            continue
        if tag in BLOCK_TAGS:
            flush()
            stack.append(None)
        in_article = in_article or tag in _ARTICLE_TAGS
        in_pre = in_pre or tag == "pre"
        children = []
        child = node.child
        while child is not None:
            children.append((child, in_article, in_pre))
            child = child.next
        stack.extend(reversed(children))
    flush()
    return out


def _append_text(text: str, in_pre: bool, buf: list[str], flush: Any) -> None:
    """Inline text joins the current line; inside <pre> its newlines are line breaks."""
    if not in_pre:
        buf.append(text)
        return
    parts = text.split("\n")
    for k, part in enumerate(parts):
        if k:
            flush()
        buf.append(part)


def _dropped(node: LexborNode, tag: str, in_article: bool) -> bool:
    """Non-text elements, page chrome, hidden elements and furniture widgets."""
    if tag in DROP_TAGS or (tag in CHROME_TAGS and not in_article):
        return True
    attrs = node.attributes
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    if (attrs.get("role") or "").lower() in CHROME_ROLES:
        return True
    if _HIDDEN_STYLE.search(attrs.get("style") or ""):
        return True
    if tag in {"html", "body", "article", "main"}:
        return False
    tokens = set(_TOKEN_SPLIT.split(f"{attrs.get('class') or ''} {attrs.get('id') or ''}".lower()))
    # A widget is small; a long element with such a class is a wrapper of the article itself.
    return bool(tokens & _FURNITURE_TOKENS) and len(node.text(deep=True) or "") <= _WIDGET_MAX_CHARS


def _hints(tree: LexborHTMLParser) -> Hints:
    """Title, dates, author and outlet from <meta>, <title>, <h1>, <time> and JSON-LD."""
    meta = _metas(tree)
    ld = _json_ld(tree)
    site = meta.get("site_name") or _ld_name(ld.get("publisher"))
    h1 = _node_text(tree.css_first("h1"))
    title_tag = _node_text(tree.css_first("head > title"))
    tag_title, suffix_outlet = _strip_site_suffix(title_tag, site) if title_tag else (None, None)
    title = meta.get("og_title") or _as_str(ld.get("headline")) or h1
    title = _strip_site_suffix(title, site)[0] if title else tag_title
    time_node = tree.css_first("time[pubdate]") or tree.css_first("time[itemprop=datePublished]") \
        or tree.css_first("time[datetime]")
    published = meta.get("published") or _as_str(ld.get("datePublished")) \
        or (time_node.attributes.get("datetime") if time_node is not None else None)
    author = meta.get("author") or _ld_name(ld.get("author"))
    return Hints(
        title=title or None,
        published=published or None,
        updated=meta.get("updated") or _as_str(ld.get("dateModified")) or None,
        author=author if author and not author.startswith(("http://", "https://")) else None,
        outlet=site or suffix_outlet,
    )


def _metas(tree: LexborHTMLParser) -> dict[str, str]:
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").strip().lower()
        content = " ".join((attrs.get("content") or "").split())
        if not key or not content:
            continue
        for field, keys in _META_KEYS.items():
            if key in keys and field not in found:
                found[field] = content
    return found


def _json_ld(tree: LexborHTMLParser) -> dict[str, Any]:
    """The first JSON-LD object that describes an article (has a headline or datePublished)."""
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(deep=True) or "")
        except ValueError:
            logger.debug("ignoring unparsable JSON-LD block")
            continue
        queue = [data]
        while queue:
            item = queue.pop(0)
            if isinstance(item, list):
                queue.extend(item)
            elif isinstance(item, dict):
                if "headline" in item or "datePublished" in item:
                    return item
                queue.extend(v for k, v in item.items() if k == "@graph")
    return {}


def _ld_name(value: Any) -> str | None:
    """JSON-LD people and organisations come as a string, an object with "name", or a list of them."""
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value) if n]
        return "، ".join(names) if names else None
    if isinstance(value, dict):
        return _as_str(value.get("name"))
    return _as_str(value)


def _as_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _node_text(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return " ".join((node.text(deep=True) or "").split()) or None


def _strip_site_suffix(title: str, site: str | None) -> tuple[str, str | None]:
    """"Headline | Site" -> ("Headline", "Site"). Dashes only when the suffix is the known site name."""
    for sep in (" | ", " — ", " – ", " - ", " :: ", " « ", " » "):
        if site and title.endswith(sep + site):
            return title[: -len(sep + site)].strip(), site
        if site and title.startswith(site + sep):
            return title[len(site + sep) :].strip(), site
    if " | " in title:
        head, tail = title.rsplit(" | ", 1)
        if len(tail.split()) <= 5 and len(head.split()) >= 2:
            return head.strip(), tail.strip()
    return title, None
