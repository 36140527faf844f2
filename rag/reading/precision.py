"""Numeric precision for the reader: bfloat16 where the CPU computes it natively, else float32.

Shared by training and inference so both run the same arithmetic on a given machine.
"""

from __future__ import annotations

from functools import cache

import torch


@cache
def bf16_supported() -> bool:
    """AMX or AVX-512 BF16 present (oneDNN's own check)."""
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def autocast() -> torch.autocast:
    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16_supported())
