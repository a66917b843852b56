"""Benchmarks that score cpcsearch components against reference implementations."""
