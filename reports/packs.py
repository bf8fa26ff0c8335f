"""Benchmark packs on disk: read a pack CSV and hand its rows to ``scoring.parse_benchmark_pack``, or write
one (``python cli.py pack export``). Layerwise ships no pack: packs hold measured data only."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from scoring import BenchmarkPack, parse_benchmark_pack
from scoring.benchmarks import PACK_COLUMNS


def load_benchmark_pack(path: Path) -> BenchmarkPack:
    """Read a benchmark pack CSV.

    Raises ``scoring.BenchmarkPackError`` naming the file, line and column of every problem, and
    ``OSError`` when the file cannot be read.
    """
    pack_path = Path(path)
    with pack_path.open(encoding="utf-8-sig", newline="") as handle:
        return pack_from_csv_text(handle.read(), source_name=pack_path.name)


def pack_from_csv_text(text: str, *, source_name: str) -> BenchmarkPack:
    """A pack from the text of a pack CSV (``scoring.BenchmarkPackError`` names each problem's line)."""
    rows = list(csv.DictReader(io.StringIO(text)))
    return parse_benchmark_pack(rows, source_name=source_name)


def pack_csv(pack: BenchmarkPack) -> str:
    """The pack as CSV text, in ``PACK_COLUMNS`` order."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(PACK_COLUMNS), lineterminator="\n")
    writer.writeheader()
    for row in pack.rows:
        writer.writerow({column: getattr(row, column) for column in PACK_COLUMNS})
    return out.getvalue()
