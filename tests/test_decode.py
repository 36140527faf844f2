"""The decoding matrix: accepted encodings give identical text, everything else is rejected by name."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from index.decode import decode_bytes
from index.errors import IngestError

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SAMPLE = (
    "الخميس 9 كانون الأول 2021\n"
    "قال الرئيس «نعم»، وأضاف: Hello world, 2024 — done…\n"
    "هل انتهت المفاوضات؟ لا.\n"
)


def _decode_file(tmp_path: Path, name: str, data: bytes) -> tuple[str, str]:
    path = tmp_path / name
    path.write_bytes(data)
    return decode_bytes(path.read_bytes(), str(path))


ACCEPTED = {
    "utf-8": SAMPLE.encode("utf-8"),
    "utf-8-sig": SAMPLE.encode("utf-8-sig"),
    "utf-16-le": b"\xff\xfe" + SAMPLE.encode("utf-16-le"),
    "utf-16-be": b"\xfe\xff" + SAMPLE.encode("utf-16-be"),
    "cp1256": SAMPLE.encode("cp1256"),
}


@pytest.mark.parametrize("encoding", sorted(ACCEPTED))
def test_accepted_encodings_decode_to_identical_text(tmp_path: Path, encoding: str) -> None:
    text, name = _decode_file(tmp_path, "a.txt", ACCEPTED[encoding])
    assert text == SAMPLE
    assert name == encoding
    assert "\ufeff" not in text


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1256"])
def test_line_endings_are_normalised(tmp_path: Path, ending: str, encoding: str) -> None:
    text, _ = _decode_file(tmp_path, "a.txt", SAMPLE.replace("\n", ending).encode(encoding))
    assert text == SAMPLE


def test_seeds_are_utf8() -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text, encoding = decode_bytes(path.read_bytes(), str(path))
        assert encoding == "utf-8"
        assert text == path.read_text(encoding="utf-8")


REJECTED = {
    "utf16-no-bom": (SAMPLE.encode("utf-16-le"), "UTF-16 without a byte-order mark"),
    "utf16-be-no-bom": (SAMPLE.encode("utf-16-be"), "UTF-16 without a byte-order mark"),
    "utf32-bom": (SAMPLE.encode("utf-32"), "UTF-32"),
    "utf32-no-bom": (SAMPLE.encode("utf-32-le"), "NUL"),
    "nul-bytes": (b"some text\x00\x01\x02 more text", "NUL"),
    "png": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "PNG"),
    "pdf": (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\n", "PDF"),
    "zip": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "ZIP"),
    "random": (random.Random(1234).randbytes(4096), "binary"),
    "random-no-nul": (bytes(b for b in random.Random(99).randbytes(4096) if b), "not valid UTF-8"),
    "shift-jis": ("日本語のテキストです。東京は大きな都市です。".encode("shift_jis"), "not valid UTF-8"),
    "latin-1": ("Café résumé à la française, très élégant.".encode("cp1252"), "not valid UTF-8"),
    "cyrillic-cp1251": ("Привет мир, это проверка кодировки.".encode("cp1251"), "not valid UTF-8"),
    "control-chars": (b"hello \x1b[31m world", "control characters"),
    "empty": (b"", "file is empty"),
    "whitespace-only": (b" \n\t\r\n  \n", "only whitespace"),
    "bom-only": (b"\xef\xbb\xbf", "only whitespace"),
}


@pytest.mark.parametrize("case", sorted(REJECTED))
def test_everything_else_is_rejected_naming_the_file(tmp_path: Path, case: str) -> None:
    data, reason = REJECTED[case]
    path = tmp_path / f"{case}.txt"
    path.write_bytes(data)
    with pytest.raises(IngestError) as info:
        decode_bytes(path.read_bytes(), str(path))
    assert info.value.path == str(path)
    assert str(path) in str(info.value)
    assert reason in info.value.reason


def test_broken_utf16_after_bom_is_rejected() -> None:
    with pytest.raises(IngestError, match="utf-16-le"):
        decode_bytes(b"\xff\xfe" + "نص".encode("utf-16-le") + b"\x00\xd8", "x.txt")
