"""Benchmarks that print figures (tests assert behaviour; these measure it)."""

from retrieval.bench.scale import BenchError, ScaleReport, kept_archive_hint, run_scale

__all__ = ["BenchError", "ScaleReport", "kept_archive_hint", "run_scale"]
