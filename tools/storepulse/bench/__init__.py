"""Benchmarks that print their scale with every figure (`python -m storepulse.bench.<name>`)."""
