"""BM25 scores against bm25s's own scorer (the oracle), on hard inputs."""

from __future__ import annotations

import numpy as np
import pytest

from index.lexical import LexicalIndex
from index.normalize import search_tokens

TEXTS = [
    "انسحاب القوات الأميركية من العراق بحلول نهاية 2026",
    "the coalition mission in Iraq ends; القوات العراقية تتسلم القواعد",
    "قالَ المتحدثُ إنَّ الانسحـــاب سيكون تدريجياً",
    "انسحاب انسحاب انسحاب القوات",
    "",
]


@pytest.mark.parametrize(
    "query", ["انسحاب القوات", "Iraq coalition", "القوات القوات التحالف", "الانسحاب التدريجي", "nothing known", ""]
)
def test_scores_equal_bm25s(query: str) -> None:
    lex = LexicalIndex.build(list(range(len(TEXTS))), TEXTS)
    tokens = lex._bm25.get_tokens_ids(search_tokens(query))
    expected = np.asarray(lex._bm25.get_scores_from_ids(tokens), np.float32) if tokens else np.zeros(len(TEXTS))
    np.testing.assert_allclose(lex.scores(query), expected, rtol=1e-6, atol=1e-7)
