"""The reading model: a cross-encoder over question and sentence.

The seam is rag/reading/base.py; rag/reading/registry.py picks a reader by name.
"""
