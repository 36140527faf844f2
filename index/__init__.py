"""Ingestion, segmentation, embedding and the persisted index (FAISS + SQLite + BM25).

Never imports rag, ui or eval: data flows seeds -> index -> rag -> ui.
"""
