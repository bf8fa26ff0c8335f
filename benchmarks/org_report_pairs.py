"""Before/after pairs of the organisation report on one prebuilt database: two checkouts, alternating.

``python -m benchmarks.org_report_pairs --before DIR --after DIR [--pairs N] URL``

Each pair runs the before and then the after checkout, each in a fresh process that reads the leader view
and then makes the organisation report as ``bench_leader``'s ``org_report_s`` and ``org_report_peak_mb`` do
(seconds; how far the process's peak RSS rose above its RSS just before the report). Printed: every pair as
it comes, then the medians and the median of the after/before ratios of the pairs (the machine is shared:
absolute figures drift, ratios hold). The database is built once beforehand (``cli.py demo --teams 1000
--respondents 10 --units 12``) and migrated for both checkouts.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import click

from benchmarks.bench_leader import _ORG_REPORT


def _report(checkout: str, url: str) -> dict[str, float]:
    """Seconds and peak memory rise (MB) of the organisation report made by ``checkout``'s code on ``url``."""
    done = subprocess.run(
        [sys.executable, "-c", _ORG_REPORT, url],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": checkout},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@click.command()
@click.option("--before", required=True, help="checkout of the code before the change")
@click.option("--after", required=True, help="checkout of the code after the change")
@click.option("--pairs", default=5, show_default=True, help="alternating before/after pairs")
@click.argument("url")
def main(before: str, after: str, pairs: int, url: str) -> None:
    """Time the organisation report in alternating before/after pairs and print medians and ratios."""
    runs: list[tuple[dict[str, float], dict[str, float]]] = []
    for number in range(1, pairs + 1):
        first = _report(before, url)
        second = _report(after, url)
        runs.append((first, second))
        click.echo(f"pair {number}: before {json.dumps(first)} after {json.dumps(second)}", err=False)
    for key in ("seconds", "peak_mb"):
        old = statistics.median(run[0][key] for run in runs)
        new = statistics.median(run[1][key] for run in runs)
        ratio = statistics.median(run[1][key] / run[0][key] for run in runs)
        click.echo(f"{key}: before median {old:.2f}, after median {new:.2f}, median ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
