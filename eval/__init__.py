"""Measuring Sanad, one folder per part: quality/ (`sanad eval`), bench/ (`sanad bench`), reliability/.

Imports index and rag; nothing below imports eval (the command line reaches it from above).
"""
