"""One BLAS thread per process: NumPy's OpenBLAS and faiss-cpu's own.

NumPy's OpenBLAS threads spin after each matrix product (retrieval's diversity step,
the sentence scores); on two cores that made the next question's embedding slower: `ask` p50
~115 ms right after four retrievals, ~70 ms with BLAS on one thread (measured side by side). The
matrices here are small, so one BLAS thread costs nothing; ``single_threaded_blas`` sets that for the
processes Sanad's commands start.

Kept apart from index/openmp.py: it loads index/vectors.py (faiss), which itself loads through
``openmp.passive_waiting``.
"""

from __future__ import annotations


def single_threaded_blas() -> None:
    """Limit the BLAS libraries to one thread, process-wide: NumPy's, and faiss-cpu's own.

    threadpoolctl only reaches libraries already loaded, so the ones Sanad uses are loaded first.
    """
    import numpy  # noqa: F401  (loads its OpenBLAS)
    from threadpoolctl import threadpool_limits

    import index.vectors  # noqa: F401  (loads faiss and its OpenBLAS, with passive OpenMP waiting)

    threadpool_limits(limits=1, user_api="blas")
