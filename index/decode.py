"""Turn a source file's bytes into text: UTF-8, UTF-16 with a BOM, or Windows-1256, and nothing else.

Does not parse HTML or remove furniture; line endings are normalised to ``\\n`` and a BOM is dropped.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from index.errors import IngestError

logger = logging.getLogger(__name__)

# Why a closed list tried in order, not a generic detector: a citation quotes the text, so a
# wrongly decoded file is worse than a rejected one. Detectors (charset-normalizer, chardet)
# always name *some* codepage -- Shift-JIS, cp1252 and random bytes all come back as "text" --
# and their guesses change between versions. The order matters: a BOM is proof; strict UTF-8
# almost never accepts non-UTF-8 data by accident; cp1256 maps nearly every byte, so it goes
# last and must pass a plausibility check (see ``_plausible_cp1256``).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32"),  # before UTF-16 LE, which shares its first two bytes
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive (or DOCX/XLSX/EPUB)"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"\x1f\x8b", "gzip archive"),
    (b"{\\rtf", "RTF document"),
    (b"\xd0\xcf\x11\xe0", "Microsoft Office (OLE) document"),
)

REJECTED = "not valid UTF-8, UTF-16 (with BOM) or Windows-1256 text"

# C0 control characters other than tab, newline, carriage return and form feed: text never has
# them, binary data always does. (C1 U+0080-U+009F stays: valid UTF-8 from mis-converted cp1252
# quotes carries them, and cp1256 cannot produce them.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a\u0671-\u06d3\u06d5\u06fa-\u06fc]")
_LATIN_ARABIC_TOUCH = re.compile(r"[A-Za-z][\u0621-\u064a]|[\u0621-\u064a][A-Za-z]")
# Non-ASCII characters that real Arabic text in cp1256 contains besides letters.
_ARABIC_EXTRAS = set("،؛؟ـ«»…–—‘’“”×÷°\xa0\u200c\u200d\u200e\u200f") | {chr(c) for c in range(0x064B, 0x0653)}


def decode_bytes(data: bytes, name: str) -> tuple[str, str]:
    """Decode ``data`` and return ``(text, encoding)``; ``name`` is only used in error messages.

    Raises:
        IngestError: for empty, whitespace-only, binary or undecodable input, with a reason that
            says what was found.
    """
    if not data:
        raise IngestError(name, "file is empty")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise IngestError(name, f"binary file ({kind}), not text")
    text, encoding = _decode(data, name)
    if _CONTROL.search(text):
        raise IngestError(name, f"binary file (contains control characters); {REJECTED}")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise IngestError(name, "file contains only whitespace")
    logger.debug("%s decoded as %s", name, encoding)
    return text, encoding


def _decode(data: bytes, name: str) -> tuple[str, str]:
    """Apply the closed list of encodings in order."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            if encoding == "utf-32":
                raise IngestError(name, f"UTF-32 text is not supported; re-save as UTF-8 ({REJECTED})")
            try:
                return data[len(bom) :].decode(encoding.removesuffix("-sig")), encoding
            except UnicodeDecodeError as exc:
                raise IngestError(name, f"starts with a {encoding} byte-order mark but is not valid "
                                        f"{encoding} ({exc.reason} at byte {exc.start})") from None
    if b"\x00" in data:
        if _looks_like_bomless_utf16(data):
            raise IngestError(name, "looks like UTF-16 without a byte-order mark, which is ambiguous; "
                                    "re-save as UTF-8")
        raise IngestError(name, "binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1256", errors="replace")
    if "\ufffd" not in text and _plausible_cp1256(text):
        return text, "cp1256"
    raise IngestError(name, REJECTED)


def _looks_like_bomless_utf16(data: bytes) -> bool:
    """True when many NULs sit on one byte parity only: spaces, digits and Latin letters in UTF-16."""
    even, odd = data[0::2].count(0), data[1::2].count(0)
    many = max(4, len(data) // 20)  # a tenth of one parity's bytes
    return (even == 0 and odd >= many) or (odd == 0 and even >= many)


def _plausible_cp1256(text: str) -> bool:
    """Accept cp1256 only when the result reads like Arabic text.

    cp1256 gives a character to every byte, so decoding always "succeeds": Latin-1 prose comes
    out as accented Latin, Shift-JIS as a soup of symbols and letters. Real Arabic text has
    Arabic letters, few exotic symbols, and no Arabic letter glued to a Latin one.
    """
    non_ascii = [ch for ch in text if ord(ch) > 0x7F]
    if not non_ascii:
        return True  # plain ASCII is also valid UTF-8, so this is never reached in practice
    arabic = len(_ARABIC_LETTER.findall(text))
    if arabic == 0 or arabic < 0.6 * len(non_ascii):
        return False
    extras = sum(1 for ch in non_ascii if ch in _ARABIC_EXTRAS or _ARABIC_LETTER.match(ch))
    if extras < 0.95 * len(non_ascii):
        return False
    if _LATIN_ARABIC_TOUCH.search(text):
        return False
    odd = sum(1 for ch in text if unicodedata.category(ch)[0] not in "LNPZM" and ch not in "\t\n\r\f")
    return odd <= 0.02 * len(text)
