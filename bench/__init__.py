"""Benchmarks, each run as a script (``python bench/NAME.py``); a package so that they can
share modules."""
