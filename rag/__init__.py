"""Answering and summarising over one index version: the stages of ``ask`` (rag/ask.py, rag/stages/),
the reader (rag/reading/), summaries and the overview. Imports index only, never ui or eval.
"""
