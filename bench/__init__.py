"""Benchmarks of Queue System against its performance budget: `python -m bench` (see docs/performance.md)."""
