"""Benchmark packs on disk: read a pack CSV and hand its rows to ``scoring.parse_benchmark_pack``."""

from __future__ import annotations

import csv
from pathlib import Path

from scoring import BenchmarkPack, parse_benchmark_pack

#: The shipped pack: illustrative figures derived from two published organisation profiles, not measured data.
ILLUSTRATIVE_PACK = Path(__file__).resolve().parent / "packs" / "illustrative.csv"


def load_benchmark_pack(path: Path | None = None) -> BenchmarkPack:
    """Read a benchmark pack CSV (the shipped illustrative pack by default).

    Raises ``scoring.BenchmarkPackError`` naming the file, line and column of every problem, and
    ``OSError`` when the file cannot be read.
    """
    pack_path = Path(path) if path is not None else ILLUSTRATIVE_PACK
    with pack_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return parse_benchmark_pack(rows, source_name=pack_path.name)
