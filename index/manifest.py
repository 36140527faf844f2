"""The index manifest: what built the index, from which documents, and checksums of every file.

Does not read the data files themselves; see index/store.py.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from index.errors import IndexCorruptError, IndexMismatchError

FORMAT = "sanad-index"
FORMAT_VERSION = 1
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class EmbedderSpec:
    """Identifies the model whose vectors an index holds."""

    name: str
    model_id: str
    dim: int


@dataclass(frozen=True)
class DocumentEntry:
    """Per-document facts that let an update skip unchanged articles and spot duplicates."""

    sha256: str
    text_sha256: str
    source: str
    chunks: int
    sentences: int


@dataclass(frozen=True)
class Manifest:
    """Everything needed to decide whether an index can be read, updated or must be rebuilt."""

    embedder: EmbedderSpec
    chunker: dict[str, Any]
    normalizer_version: int
    documents: dict[str, DocumentEntry]
    roots: list[str]
    built_at: str
    packages: dict[str, str]
    enrichers: dict[str, int] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    # FAISS index kind per vector file (index/vectors.py IndexSpec); absent in indexes built before
    # kinds were recorded, whose tables are all exact ("flat").
    vectors: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """Parse a manifest; anything unreadable or of another format raises a specific error."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise IndexCorruptError(f"{path} is missing; run `sanad index --rebuild`") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(f"{path} is unreadable ({exc}); run `sanad index --rebuild`") from exc
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, path: str) -> Manifest:
        """Parse a manifest's JSON; ``path`` names where it came from in the messages."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise IndexCorruptError(f"{path} is unreadable ({exc}); run `sanad index --rebuild`") from exc
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise IndexCorruptError(f"{path} is not a Sanad index manifest; run `sanad index --rebuild`")
        if raw.get("format_version") != FORMAT_VERSION:
            raise IndexMismatchError(
                f"the index has format version {raw.get('format_version')}, this Sanad reads {FORMAT_VERSION}; "
                "run `sanad index --rebuild`"
            )
        try:
            raw["embedder"] = EmbedderSpec(**raw["embedder"])
            raw["documents"] = {k: DocumentEntry(**v) for k, v in raw["documents"].items()}
            return cls(**raw)
        except (KeyError, TypeError, AttributeError) as exc:
            raise IndexCorruptError(f"{path} lacks a field ({exc}); run `sanad index --rebuild`") from exc

    def check_embedder(self, spec: EmbedderSpec) -> None:
        """Refuse to mix vectors of two models (same dimension is not enough)."""
        mine = self.embedder
        if (mine.model_id, mine.dim) != (spec.model_id, spec.dim):
            raise IndexMismatchError(
                f"the index was built with {mine.name} ({mine.model_id}, {mine.dim} dims) but the embedder is "
                f"{spec.name} ({spec.model_id}, {spec.dim} dims); run `sanad index --rebuild` "
                f"or pass --embedder {mine.name}"
            )


def file_digest(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of one file, recorded so truncation or damage is detected on open."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"bytes": path.stat().st_size, "sha256": h.hexdigest()}


def verify_files(directory: Path, files: dict[str, dict[str, Any]]) -> None:
    """Check every listed file exists with the recorded size and checksum."""
    for name, expected in files.items():
        path = directory / name
        if not path.is_file():
            raise IndexCorruptError(f"index file {path} is missing; run `sanad index --rebuild`")
        if path.stat().st_size != expected["bytes"] or file_digest(path)["sha256"] != expected["sha256"]:
            raise IndexCorruptError(f"index file {path} is damaged or truncated; run `sanad index --rebuild`")
