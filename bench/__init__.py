"""Benchmarks for the quality targets in QUALITY.md (P2, P3, P7); run with ``make bench``.

Not part of the application and not timed tests: see bench/README.md.
"""
