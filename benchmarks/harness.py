"""The benchmark harness: timing rounds, figures with targets, the summary table and the JSON file.

A benchmark is a function ``(config) -> list[Figure]``. Each timed figure runs several rounds after a
warm-up and reports the median with min–max. Ratios are taken within one run, side by side, because the
machines are shared and noisy: absolute times drift, ratios hold.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Config:
    """How hard to run: ``quick`` runs a smaller version (the whole set in under two minutes)."""

    quick: bool = False
    rounds: int = 7
    postgres_url: str | None = None

    def pick(self, full: Any, quick: Any) -> Any:
        """``quick`` when running quick, else ``full``."""
        return quick if self.quick else full


@dataclass(frozen=True)
class Timing:
    """Seconds taken by each round."""

    samples: list[float]

    @property
    def median(self) -> float:
        """The median round."""
        return statistics.median(self.samples)

    @property
    def low(self) -> float:
        """The fastest round."""
        return min(self.samples)

    @property
    def high(self) -> float:
        """The slowest round."""
        return max(self.samples)

    def spread(self, scale: float = 1.0, digits: int = 3) -> str:
        """'min–max' of the rounds, scaled (1000 for ms)."""
        return f"{self.low * scale:.{digits}f}–{self.high * scale:.{digits}f}"


def time_rounds(action: Callable[[], object], *, rounds: int, warmup: int = 1) -> Timing:
    """Run ``action`` ``warmup`` times untimed, then ``rounds`` times timed."""
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return Timing(samples)


@dataclass
class Figure:
    """One line of the summary table."""

    name: str
    value: float | None
    unit: str
    target: str
    meets: bool | None
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The JSON form: name, value, unit, target, meets (plus detail)."""
        data = asdict(self)
        data.pop("extra")
        return data


def below(name: str, value: float | None, unit: str, limit: float, detail: str = "") -> Figure:
    """A figure whose target is ``value < limit``."""
    meets = None if value is None else value < limit
    return Figure(name, value, unit, f"< {limit:g}", meets, detail)


def at_most(name: str, value: float | None, unit: str, limit: float, detail: str = "") -> Figure:
    """A figure whose target is ``value <= limit``."""
    meets = None if value is None else value <= limit
    return Figure(name, value, unit, f"≤ {limit:g}", meets, detail)


def report_only(name: str, value: float | None, unit: str, detail: str = "") -> Figure:
    """A figure that is reported, with no target."""
    return Figure(name, value, unit, "reported", None, detail)


def not_run(name: str, unit: str, target: str, why: str) -> Figure:
    """A figure that could not be measured on this machine, and why."""
    return Figure(name, None, unit, target, None, f"not run: {why}")


def growth_exponent(sizes: list[int], seconds: list[float]) -> float:
    """The exponent b of the power law t ∝ n^b fitted to all the points (least squares on log t against log n;
    1.0 is linear).

    A fit over every size rather than the largest step between two neighbouring sizes: one step between
    small figures swings with the fixed costs and the machine's load beside it (1.17 from 100 → 300 teams
    while 300 → 1,000 was 1.03), and a real super-linear part still shows as a higher slope. The steps are
    in :func:`step_exponents` for the detail column.
    """
    xs = [math.log(size) for size in sizes]
    ys = [math.log(value) for value in seconds]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def step_exponents(sizes: list[int], seconds: list[float]) -> list[float]:
    """The exponent b in t ∝ n^b between each pair of consecutive sizes."""
    return [
        math.log(seconds[i + 1] / seconds[i]) / math.log(sizes[i + 1] / sizes[i])
        for i in range(len(sizes) - 1)
    ]


def format_value(value: float | None) -> str:
    """A value for the table: 3 significant digits, '—' when missing."""
    if value is None:
        return "—"
    if value == int(value) and abs(value) < 1e6:
        return f"{int(value)}"
    return f"{value:.3g}" if abs(value) < 100 else f"{value:.0f}"


def summary_table(figures: list[Figure]) -> str:
    """The closing table: a row per figure with its value, unit, target and whether it meets it."""
    header = ("figure", "value", "unit", "target", "meets", "detail")
    rows = [
        (
            f.name,
            format_value(f.value),
            f.unit,
            f.target,
            {True: "yes", False: "NO", None: "—"}[f.meets],
            f.detail,
        )
        for f in figures
    ]
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines)


def write_json(figures: list[Figure], path: Path) -> None:
    """Write the figures as a JSON list of {name, value, unit, target, meets, detail}."""
    path.write_text(json.dumps([f.as_json() for f in figures], indent=2), encoding="utf-8")


@contextmanager
def app_database(name: str) -> Iterator[str]:
    """A fresh SQLite file that the app run through AppTest uses (``DATABASE_URL``), yielding its URL; the
    variable and the cached settings are restored afterwards."""
    from settings import get_settings

    previous = os.environ.get("DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / name}"
        os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()
        try:
            yield url
        finally:
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous
            get_settings.cache_clear()
