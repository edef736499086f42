"""Benchmark scripts (run from the repository root: ``PYTHONPATH=. python bench/NAME.py``)."""
