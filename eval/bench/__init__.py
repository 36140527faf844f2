"""Benchmarks behind `sanad bench`: speed and memory beside LangChain, per stage, of the reader, and at scale."""
