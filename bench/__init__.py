"""Benchmarks of playground against what a user would otherwise use; `python -m bench [NAME...]`."""
