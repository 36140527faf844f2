"""A question as people type it (a spoken dialect, Arabizi) rewritten into the MSA the articles use.

Arabizi is spelled back into Arabic script against the index's own terms (rag/arabizi.py), then
dialect words become their MSA equivalents (rag/dialect.py). MSA and English questions come back
unchanged. The rewrite is what is searched and read; the answer says so in one line.
"""

from __future__ import annotations

from collections.abc import Callable

from rag.arabizi import is_arabizi, to_arabic
from rag.dialect import to_msa


def standard_arabic(text: str, frequency: Callable[[str], int]) -> str:
    """``text`` in MSA spelling; ``frequency(term)``: how many chunks of the index hold a BM25 term."""
    return to_msa(to_arabic(text, frequency) if is_arabizi(text) else text)
