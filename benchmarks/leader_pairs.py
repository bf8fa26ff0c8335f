"""Before/after pairs of the leader view on prebuilt databases: two checkouts, alternating, in one run.

``python -m benchmarks.leader_pairs --before DIR --after DIR --db NAME BEFORE_URL AFTER_URL [--db ...]``

Each ``--db`` names a database built once (e.g. with ``cli.py demo --teams 1000 --respondents 10 --units 12``)
for the ``--before`` checkout and a copy of it for the ``--after`` one (a copy, since the newer checkout
migrates it). For each pair, and each database in turn, the before and then the after checkout opens the
leader view in a fresh process: one untimed opening, then ``--rounds`` timed ones, and the same for the
drill-down to the first unit. Printed: every pair as it comes, then per database the medians and the
median of the after/before ratios of the pairs (the machine is shared: absolute figures drift, ratios
hold). Nothing is built or migrated here, so a database is never rebuilt between runs.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import click

#: Run in the checkout under test: prints the medians of the openings as JSON.
_CHILD = """
import json, statistics, sys, time
from services import leader, units
from services.context import make_context
ctx = make_context(sys.argv[1])
rounds = int(sys.argv[2])
unit = next((node for node in units.unit_tree(ctx) if node.depth == 1), None)
def timed(open_view):
    open_view()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        open_view()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
figures = {"view": timed(lambda: leader.leader_view(ctx))}
if unit is not None:
    figures["drill"] = timed(lambda: leader.leader_view(ctx, unit_id=unit.id))
print(json.dumps(figures))
"""


def _open(checkout: str, url: str, rounds: int) -> dict[str, float]:
    """The medians of opening the leader view (and drilling down) with ``checkout``'s code on ``url``."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, url, str(rounds)],
        cwd=checkout,
        env={**os.environ, "PYTHONPATH": checkout},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@click.command()
@click.option(
    "--before", required=True, type=click.Path(exists=True, file_okay=False), help="The older checkout."
)
@click.option(
    "--after", required=True, type=click.Path(exists=True, file_okay=False), help="The newer checkout."
)
@click.option(
    "--db",
    "databases",
    multiple=True,
    required=True,
    type=(str, str, str),
    help="NAME BEFORE_URL AFTER_URL: a database for the older checkout and its copy for the newer one.",
)
@click.option("--pairs", default=5, show_default=True, help="Alternating before/after pairs per database.")
@click.option("--rounds", default=3, show_default=True, help="Timed openings per process.")
def main(
    before: str, after: str, databases: tuple[tuple[str, str, str], ...], pairs: int, rounds: int
) -> None:
    """Time the leader view of two checkouts on the same data, alternating, and print medians and ratios."""
    got: dict[tuple[str, str], list[dict[str, float]]] = {}
    loads: list[float] = []
    for pair in range(pairs):
        for name, before_url, after_url in databases:
            for side, checkout, url in (("before", before, before_url), ("after", after, after_url)):
                got.setdefault((name, side), []).append(_open(checkout, url, rounds))
                loads.append(os.getloadavg()[0])
            click.echo(f"{pair} {name}: before {got[(name, 'before')][-1]}, after {got[(name, 'after')][-1]}")
    click.echo(f"load average {min(loads):.1f}-{max(loads):.1f} (median {statistics.median(loads):.1f})")
    for name, _, _ in databases:
        for what in got[(name, "before")][0]:
            old = [figures[what] for figures in got[(name, "before")]]
            new = [figures[what] for figures in got[(name, "after")]]
            ratios = [n / o for o, n in zip(old, new, strict=True)]
            click.echo(
                f"{name} {what}: before {statistics.median(old):.3f} s ({min(old):.3f}-{max(old):.3f}), "
                f"after {statistics.median(new):.3f} s ({min(new):.3f}-{max(new):.3f}), ratio of pairs "
                f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})"
            )


if __name__ == "__main__":
    main()
