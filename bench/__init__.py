"""Benchmarks: each module seeds a large catalog and prints figures."""
