"""The stages of ``ask``, one module each, composed in order in rag/ask.py."""
