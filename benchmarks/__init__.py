"""Benchmarks of muspy_like against its peer libraries (ratios measured in one run)."""
