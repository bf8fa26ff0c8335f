"""``python -m benchmarks [--quick] [--json FILE] [--only NAME]``: run the benchmark harness.

Prints a progress bar while it runs and ends with one summary table. Exit status 1 when a figure that must
never fail (``autosave_lost``) is not met; targets that are merely missed are reported, not failed.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

import click

from benchmarks.harness import Config, Figure, not_run, summary_table, write_json

#: (module in benchmarks/, what it measures) in the order they run
BENCHMARKS: list[tuple[str, str]] = [
    ("bench_scoring", "scoring 1k/10k/50k respondents"),
    ("bench_pdf", "PDF team and organisation reports"),
    ("bench_page", "assessment page rerun vs streamlit-survey"),
    ("bench_click", "answer click in Chromium vs a bare Streamlit page"),
    ("bench_autosave", "200 concurrent autosaving participants"),
    ("bench_workshop", "facilitator live panel refresh"),
    ("bench_leader", "leader view of growing organisations in units"),
    ("bench_first_paint", "streamlit run to first paint in Chromium"),
]

#: Figures whose failure is a failure of the run, not just a missed target.
MUST_MEET = {"autosave_lost"}


def run_benchmarks(config: Config, only: tuple[str, ...] = ()) -> list[Figure]:
    """Run the selected benchmarks with a progress bar; a benchmark that crashes is reported, not hidden."""
    selected = [(name, what) for name, what in BENCHMARKS if not only or any(o in name for o in only)]
    figures: list[Figure] = []

    def show(entry: tuple[str, str] | None) -> str:
        return f"{entry[1]}" if entry else ""

    with click.progressbar(selected, label="benchmarks", item_show_func=show, file=sys.stderr) as bar:
        for name, what in bar:
            started = time.perf_counter()
            try:
                module = importlib.import_module(f"benchmarks.{name}")
                figures.extend(module.run(config))
            except Exception as exc:  # a broken benchmark must show up in the table
                figures.append(not_run(name, "", "", f"{type(exc).__name__}: {exc}"))
            click.echo(f"  {what}: {time.perf_counter() - started:.1f} s", err=True)
    return figures


@click.command()
@click.option("--quick", is_flag=True, help="A smaller version that finishes in under two minutes.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the figures as JSON.")
@click.option("--only", multiple=True, help="Run only benchmarks whose module name contains this.")
def main(quick: bool, json_path: Path | None, only: tuple[str, ...]) -> None:
    """Measure Layerwise against its targets, its floor and a peer, in one run."""
    config = Config(
        quick=quick,
        rounds=3 if quick else 7,
        postgres_url=os.environ.get(
            "LAYERWISE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        ),
    )
    figures = run_benchmarks(config, only)
    click.echo(
        f"\nLayerwise benchmarks ({'quick' if quick else 'full'}; {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]})\n"
    )
    click.echo(summary_table(figures))
    if json_path:
        write_json(figures, json_path)
    failed = [f.name for f in figures if f.name in MUST_MEET and f.meets is False]
    if failed:
        click.echo(f"\nfailed: {', '.join(failed)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
