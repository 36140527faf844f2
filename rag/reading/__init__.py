"""The reading model: a cross-encoder over question and sentence (see rag/reader.py for the seam)."""
