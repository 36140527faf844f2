"""The hostile inputs the reliability tests throw at Sanad: markup payloads, file names, files, questions.

Every markup payload, if it ever ran, would set ``window.__pwned`` to its own name, so a browser
check can tell which one got through. Does not send anything; the tests do.
"""

from __future__ import annotations

import gzip
import io
import random
import zipfile

# name -> payload. Script tags, handlers, URLs, mutation XSS, template and Markdown/LaTeX syntax.
XSS: dict[str, str] = {
    "script": "<script>window.__pwned='script'</script>",
    "img-onerror": "<img src=x onerror=\"window.__pwned='img'\">",
    "svg-onload": "<svg onload=\"window.__pwned='svg'\"><circle r=1></svg>",
    "iframe-srcdoc": "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>",
    "iframe-javascript": "<iframe src=\"javascript:parent.__pwned='iframe-js'\"></iframe>",
    "javascript-link": "<a href=\"javascript:window.__pwned='link'\">read more</a>",
    "markdown-link": "[read more](javascript:window.__pwned='md-link')",
    "markdown-image": "![x](x onerror=window.__pwned='md-img')",
    "details-ontoggle": "<details open ontoggle=\"window.__pwned='details'\"><summary>x</summary></details>",
    "input-autofocus": "<input autofocus onfocus=\"window.__pwned='input'\">",
    "body-onload": "<body onload=\"window.__pwned='body'\">",
    "mutation-xss": "<math><mtext><table><mglyph><style><img src=x onerror=\"window.__pwned='mxss'\">",
    "noscript-breakout": "<noscript><p title=\"</noscript><img src=x onerror=window.__pwned='noscript'>\">",
    "attribute-breakout": "\"><img src=x onerror=\"window.__pwned='attr'\">",
    "textarea-breakout": "</textarea><script>window.__pwned='textarea'</script>",
    "style-breakout": "</style><script>window.__pwned='style'</script>",
    "meta-refresh": "<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.__pwned='meta'\">",
    "object-data": "<object data=\"javascript:window.__pwned='object'\"></object>",
    "video-source": "<video><source onerror=\"window.__pwned='video'\"></video>",
    "template-literal": "${window.__pwned='template'}",
    "angular-template": "{{constructor.constructor('window.__pwned=\"angular\"')()}}",
    "katex-href": "$$\\href{javascript:window.__pwned='katex'}{x}$$",
    "entity-encoded": "&lt;img src=x onerror=window.__pwned='entity'&gt;",
    "rlo-script": "\u202e<script>window.__pwned='rlo'</script>\u202c",
    "data-url": "<a href=\"data:text/html,<script>window.__pwned='data'</script>\">x</a>",
}

# Elements that must never appear inside Sanad's panels (payloads would create them).
INJECTED = "script, img[src='x'], svg[onload], iframe, details[ontoggle], input[onfocus], object, video, " \
           "a[href^='javascript'], a[href^='data:'], meta[http-equiv], body[onload], math"


def xss_article(title: str = "Zebra payload report") -> str:
    """A plain-text article: one dated, retrievable sentence per payload, each shown verbatim."""
    lines = [title]
    for i, (name, payload) in enumerate(XSS.items(), start=1):
        lines.append(f"On {i} March 2023 the zebra unit {name} logged the text {payload} in its report.")
    return "\n".join(lines) + "\n"


def xss_page() -> str:
    """An HTML article with live payloads in its head, attributes and body, and escaped ones in text.

    The live copies of markup payloads name themselves ``live-…`` so a test can tell their code from
    the quoted text; payloads that are only text (Markdown, templates, entities) stay as they are.
    """
    live = "".join(p.replace("__pwned='", "__pwned='live-") if "<" in p else p for p in XSS.values())
    escaped = "".join(f"<p>On {i} April 2023 the quartz unit quoted {_escape(p)} in its log.</p>"
                      for i, p in enumerate(XSS.values(), start=1))
    return (
        "<!doctype html><html><head>"
        f"<title>Quartz report {_escape(XSS['img-onerror'])}</title>"
        f"<meta name=\"author\" content=\"{_escape(XSS['attribute-breakout'])}\">"
        f"<meta property=\"og:site_name\" content=\"{_escape(XSS['svg-onload'])}\">"
        "<script>window.__pwned='live-head'</script>"
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.__pwned='live-meta'\"></head>"
        f"<body onload=\"window.__pwned='live-body'\"><h1>Quartz report {_escape(XSS['img-onerror'])}</h1>"
        "<p onclick=\"window.__pwned='live-click'\">The quartz camp hosts forty engineers who repair bridges.</p>"
        "<p><a href=\"javascript:window.__pwned='live-a'\">Engineers at the quartz camp finished the bridge.</a></p>"
        f"{escaped}"
        f"<div>{live}</div>"  # last: an unclosed <math> or <noscript> swallows what follows, as in a browser
        "</body></html>"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# Upload names: traversal, absolute paths, Windows devices, length, Unicode normalisation, bidi tricks.
NAMES: dict[str, str] = {
    "parent traversal": "../../escape.txt",
    "deep traversal": "../../../../../../../../tmp/escape2.txt",
    "absolute path": "/etc/cron.d/escape3.txt",
    "windows traversal": "..\\..\\windows\\escape4.txt",
    "windows device": "CON.txt",
    "windows device with extension": "nul.tar.md",
    "1,000 characters": "a" * 996 + ".txt",
    "NFC é": "caf\u00e9.txt",
    "NFD é": "cafe\u0301.txt",
    "Arabic composed": "\u0623\u062e\u0628\u0627\u0631.txt",
    "Arabic decomposed": "\u0627\u0654\u062e\u0628\u0627\u0631.txt",
    "right-to-left override": "\u202egnp.txt",
    "markup in name": "<img src=x onerror=alert(1)>.txt",
    "newline in name": "a\nb.txt",
    "only dots": "....txt",
    "hidden": ".hidden.txt",
    "double extension": "report.txt.exe",
}


def zip_bomb(inflated: int = 50 * 2**20) -> bytes:
    """A ZIP that inflates ``inflated`` bytes of zeros from a few dozen kilobytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z, z.open("bomb.html", "w") as member:
        block = b"\0" * (1 << 20)
        for _ in range(inflated >> 20):
            member.write(block)
    return buf.getvalue()


def gzip_bomb(inflated: int = 50 * 2**20) -> bytes:
    return gzip.compress(b"<p>" + b" " * inflated + b"</p>", compresslevel=9)


def files() -> dict[str, tuple[str, bytes]]:
    """Kind -> (upload name, bytes) for every hostile file the upload test sends."""
    rng = random.Random(13)
    deep = "<div>" * 10_000 + "The basalt depot stores twelve trucks." + "</div>" * 10_000
    return {
        "zip bomb as .html": ("bomb.html", zip_bomb()),
        "gzip bomb as .html": ("bomb2.html", gzip_bomb()),
        "PNG as .txt": ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(2000))),
        "ELF binary as .txt": ("program.txt", b"\x7fELF\x02\x01\x01" + bytes(rng.randrange(256) for _ in range(4000))),
        "random bytes as .md": ("noise.md", bytes(rng.randrange(256) for _ in range(4096))),
        "UTF-16 without BOM": ("utf16.txt", "The depot stores trucks.".encode("utf-16-le")),
        "empty": ("empty.txt", b""),
        "only whitespace": ("blank.txt", b" \n\t\r\n \xc2\xa0"),
        "only a BOM": ("bom.txt", b"\xef\xbb\xbf"),
        "only zero-width characters": ("zw.txt", "\u200b\u200c\u200d\n\u200f".encode()),
        "only tatweel and marks": ("marks.txt", "ـــ\u064b\u064c".encode()),
        "only emoji": ("emoji.txt", "😀👍🏽🇮🇶".encode()),
        "HTML of only scripts": ("scripts.html", b"<html><script>window.__pwned=1</script><style>p{}</style></html>"),
        "HTML of only a comment": ("comment.html", b"<!-- nothing -->"),
        "10,000-deep HTML": ("deep.html", deep.encode()),
        "HTML with scripts, iframes, handlers, javascript: links": ("quartz.html", xss_page().encode()),
        "text with every payload": ("zebra-payloads.txt", xss_article().encode()),
    }


# Questions: payloads, size, punctuation, emoji, bidi controls.
QUESTIONS: dict[str, str] = {
    **{f"payload: {name}": f"What did the zebra unit log? {payload}" for name, payload in XSS.items()},
    "100,000 characters": "من يقود التحالف الدولي؟ " * 4_200,
    "only punctuation": "؟!.،؛…?!...",
    "only emoji": "😀👍🏽🇮🇶❤️",
    "mixed bidi controls": "\u202eمن\u202c \u2067يقود\u2069 \u200fالتحالف\u200e \u202aالدولي\u202c؟",
    "zero-width only": "\u200b\u200c\u200d",
    "NUL and controls": "who\x00 leads\x07 the\x1b coalition?",
    "lone surrogate escapes": "\\ud800 who leads the coalition \\udfff",
    "whitespace only": " \n\t ",
}
