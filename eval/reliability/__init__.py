"""Reliability and security checks of Sanad and their report: load, kills, full disks, hostile input, auth.

The checks themselves are tests (marked ``reliability``) that run at a short scale in CI; ``python -m
eval.reliability`` runs them at full scale and writes the Markdown report. This package holds what the
tests share: the scales, the hostile inputs, the drivers (load, kills, route probe) and the report.
"""
