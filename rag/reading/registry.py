"""Pick a reader by name: Sanad's shipped model (default), any sentence-transformers
``CrossEncoder`` (``st:NAME``), or ``none`` (no reader: the first-stage order is final).

The seam itself (``Reader``, ``Passage``, ``Reading``) is in rag/reading/base.py, so the
implementations need not import this module that imports them.
"""

from __future__ import annotations

from collections.abc import Callable

from index.errors import ReaderError
from index.settings import DEFAULT_READER
from rag.reading.base import Reader

__all__ = ["DEFAULT_READER", "get_reader"]


def _shipped() -> Reader:
    from rag.reading.shipped import SanadReader

    return SanadReader()


def _cross_encoder(model: str) -> Reader:
    from rag.reading.cross_encoder import CrossEncoderReader

    return CrossEncoderReader(model)


READERS: dict[str, Callable[[], Reader]] = {"sanad": _shipped}


def get_reader(name: str) -> Reader | None:
    """The reader named ``name``: ``sanad``, ``st:<CrossEncoder name or path>``, or ``none`` (None)."""
    if name == "none":
        return None
    if name.startswith("st:") and len(name) > 3:
        return _cross_encoder(name[3:])
    if name in READERS:
        return READERS[name]()
    raise ReaderError(f"unknown reader {name!r}; choose from {[*sorted(READERS), 'none']} or st:<model name or path>")
