"""The leader view at scale: demo organisations of growing size in units, published, then opened.

For each size (quick: 20 and 60 teams; full: 100, 300 and 1,000 teams), ``cli.py demo --units`` fills a
fresh SQLite file with that many demo teams of 10 respondents and their rounds, places them in units and
publishes what the publication rule allows (not timed). Then:

- ``leader_view_s``: the median of opening the leader view after the passcode (``services.leader.leader_view``:
  the stored summary of every team's published results, latest and earlier rounds, peer percentiles,
  hotspots; nothing re-scored) at the largest size; target ≤ 2 s at 1,000 teams (issue 15). This is the
  service the page calls, not the page's own run after it (its charts, tables and download buttons).
- ``leader_drill_s``: the median of drilling down to one unit (the same call scoped to the unit); ≤ 1 s.
- ``leader_view_growth``: the growth exponent of ``leader_view_s`` fitted over all the sizes (the steps between
  neighbouring sizes in the detail); ≤ 1.1.
- ``unit_report_s``: the unit report PDF of the unit drilled into (about a twelfth of the teams), one round
  (its content renders a page per team); reported against the issue's ≤ 3 s for 50 teams.
- ``org_report_s`` and ``org_report_peak_mb``: the organisation report at the largest size, made in a fresh
  process after reading the leader view (seconds, and how much the process's peak memory grew while making
  it); targets ≤ 10 s and ≤ 300 MB at 1,000 teams.
- ``team_zip_s_per_team``: the ZIP of that unit's team reports as a leader gets it, seconds per team; target
  ≤ 0.6 s at 2 cores. The leader view opens (``services.leader.prepare_team_zip`` starts a renderer process
  per core in the background, as the page does), then the ZIP is asked for at once, so whatever of their
  start-up is not done yet is still paid; the time runs from that click to the ZIP's last byte. The detail
  gives the same ZIP with renderers started by the ZIP itself from nothing (none started ahead), and again
  with those renderers kept warm (``reports.pdf.RenderPool``; the same teams, so their chart layouts come
  from the renderers' caches).
  ``team_zip_one_process_s_per_team`` is the same ZIP rendered in one process, measured right after.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from click.testing import CliRunner

from benchmarks.harness import (
    Config,
    Figure,
    app_database,
    at_most,
    growth_exponent,
    not_run,
    report_only,
    step_exponents,
    time_rounds,
)

if TYPE_CHECKING:
    from services.context import AppContext
    from services.leader import LeaderView

ROOT = Path(__file__).resolve().parents[1]
RESPONDENTS = 10
UNITS = 12
#: Openings timed per figure of the leader view (after two untimed ones); see :func:`_view_and_drill`.
VIEW_ROUNDS = 9


@contextmanager
def _demo_organisation(url: str, teams: int) -> Iterator[AppContext]:
    """A context on ``url`` filled by ``cli.py demo --units`` with ``teams`` teams, published, and past the
    moment after the newest answer in which publication is still re-attempted."""
    import cli
    from services.context import make_context
    from services.publication import STALE_MARGIN

    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        result = CliRunner().invoke(
            cli.cli, ["demo", "--teams", str(teams), "--respondents", str(RESPONDENTS), "--units", str(UNITS)]
        )
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
    if result.exit_code != 0:
        raise RuntimeError(result.output)
    ctx = make_context(url)
    time.sleep(STALE_MARGIN.total_seconds() + 0.5)
    try:
        yield ctx
    finally:
        ctx.database.dispose()


def _view_and_drill(ctx: AppContext) -> tuple[float, float, int]:
    """(median s of opening the leader view, of drilling down to the first unit, that unit's id).

    Nine openings after two warm-ups: at 100 teams an opening takes about 0.03 s, and with three of them
    one slow opening moved the growth exponent by 0.2 (1 Dec 2026: 1.11 with three, 0.87 with nine on the
    same databases)."""
    from services import leader, units

    view = time_rounds(lambda: leader.leader_view(ctx), rounds=VIEW_ROUNDS, warmup=2)
    unit = next(node for node in units.unit_tree(ctx) if node.depth == 1)
    drill = time_rounds(lambda: leader.leader_view(ctx, unit_id=unit.id), rounds=VIEW_ROUNDS, warmup=2)
    return view.median, drill.median, unit.id


#: Run in a fresh process so that its peak memory is the report's own: the leader view is read first, then
#: the organisation report is made; prints seconds and how far the process's peak RSS rose above its RSS just
#: before (Linux: /proc/self/status).
_ORG_REPORT = """
import json, resource, sys, time
import reports.content, reports.pdf  # loaded as in a running server, where pages import them
from services import leader
from services.context import make_context
ctx = make_context(sys.argv[1])
view = leader.leader_view(ctx)
def rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
before = rss_kb()
start = time.perf_counter()
leader.org_pdf(ctx, view)
seconds = time.perf_counter() - start
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_mb": (after - before) / 1024, "process_mb": after / 1024}))
"""


def _org_report(url: str) -> dict[str, float]:
    """Seconds and peak memory (MB) of the organisation report, made in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _ORG_REPORT, url],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _organisation(
    teams: int,
) -> tuple[float, float, float | None, int, tuple[float, float, float, int] | None, dict[str, float] | None]:
    """(leader view s, drill-down s, unit report s, teams in the unit, ZIP figures, organisation report
    figures) for a demo organisation of ``teams``."""
    from services import leader, units

    with app_database(f"leader-{teams}.db") as url, _demo_organisation(url, teams) as ctx:
        view, drill, unit_id = _view_and_drill(ctx)
        scoped = leader.leader_view(ctx, unit_id=unit_id)
        report = zipped = organisation = None
        if os.environ.get("LAYERWISE_BENCH_SKIP_PDF") != "1":
            report = time_rounds(lambda: units.unit_pdf(ctx, scoped, unit_id), rounds=1, warmup=0).median
            zipped = _zip_per_team(ctx, scoped)
            organisation = _org_report(url)
        return view, drill, report, len(scoped.latest), zipped, organisation


def _postgres_views(config: Config, teams: int) -> list[Figure]:
    """The leader view and a drill-down on PostgreSQL, with the same demo organisation, where it is reachable."""
    from benchmarks.bench_autosave import postgres_url

    names = ("leader_view_s_postgres", "leader_drill_s_postgres")
    targets = ("≤ 2", "≤ 1")
    if not config.postgres_url:
        return [
            not_run(name, "s", target, "no PostgreSQL URL")
            for name, target in zip(names, targets, strict=True)
        ]
    try:
        with postgres_url(config.postgres_url) as url, _demo_organisation(url, teams) as ctx:
            view, drill, _ = _view_and_drill(ctx)
    except Exception as exc:  # PostgreSQL not reachable here
        why = f"{type(exc).__name__}: {exc}"[:120]
        return [not_run(name, "s", target, why) for name, target in zip(names, targets, strict=True)]
    at = f"{teams} teams × {RESPONDENTS} respondents, {UNITS} units, PostgreSQL"
    return [at_most(names[0], view, "s", 2.0, at), at_most(names[1], drill, "s", 1.0, at)]


def _zip_per_team(ctx: AppContext, view: LeaderView) -> tuple[float, float, float, float, int]:
    """(s per team with a process per core started as the leader view opened and the ZIP asked for right
    after; the same with the renderers started by the ZIP from nothing; the same with those kept warm; s per
    team in one process; workers) for the ZIP of ``view``."""
    from reports import pdf
    from services import leader

    teams = max(1, len(view.latest))
    workers = pdf.render_workers() if teams >= pdf.POOL_MIN_REPORTS else 1
    pdf.POOL.close()
    leader.prepare_team_zip(view)  # the leader view opens: its renderers start in the background
    prepared = time_rounds(lambda: leader.team_pdfs_zip(ctx, view), rounds=1, warmup=0).median
    pdf.POOL.close()  # from nothing: the ZIP starts its renderers, nothing started them before
    pooled = time_rounds(lambda: leader.team_pdfs_zip(ctx, view), rounds=1, warmup=0).median
    warm = time_rounds(lambda: leader.team_pdfs_zip(ctx, view), rounds=1, warmup=0).median
    pdf.POOL.close()
    original = pdf.render_workers
    pdf.render_workers = lambda: 1  # type: ignore[assignment]
    try:
        alone = time_rounds(lambda: leader.team_pdfs_zip(ctx, view), rounds=1, warmup=0).median
    finally:
        pdf.render_workers = original  # type: ignore[assignment]
    return prepared / teams, pooled / teams, warm / teams, alone / teams, workers


def run(config: Config) -> list[Figure]:
    """Leader view, drill-down and unit report figures at growing organisation sizes."""
    sizes = config.pick([100, 300, 1000], [20, 60])
    measured = [_organisation(size) for size in sizes]
    views = [figures[0] for figures in measured]
    largest_view, largest_drill, report, unit_teams, zipped, organisation = measured[-1]
    at = f"{sizes[-1]} teams × {RESPONDENTS} respondents, {UNITS} units, SQLite"
    figures = [
        at_most("leader_view_s", largest_view, "s", 2.0, at),
        at_most("leader_drill_s", largest_drill, "s", 1.0, at),
        at_most(
            "leader_view_growth",
            growth_exponent(sizes, views),
            "",
            1.1,
            " → ".join(f"{size}: {seconds:.2f} s" for size, seconds in zip(sizes, views, strict=True))
            + "; fitted over all sizes, steps "
            + ", ".join(f"{step:.2f}" for step in step_exponents(sizes, views)),
        ),
    ]
    if report is None:
        figures.append(report_only("unit_report_s", None, "s", "skipped (LAYERWISE_BENCH_SKIP_PDF=1)"))
    else:
        figures.append(report_only("unit_report_s", report, "s", f"{unit_teams} teams; target ≤ 3 s for 50"))
    if zipped is None:
        figures.append(report_only("team_zip_s_per_team", None, "s", "skipped (LAYERWISE_BENCH_SKIP_PDF=1)"))
    else:
        from reports.pdf import POOL_MIN_REPORTS

        prepared, pooled, warm, alone, workers = zipped
        detail = (
            f"{unit_teams} teams, {workers} renderer process(es) started in the background as the leader view "
            f"opened, the ZIP asked for right after (their start-up not yet done is paid); with the renderers "
            f"started by the ZIP from nothing: {pooled:.3f} s a team; again with them kept warm (and the teams' "
            f"chart layouts in their caches): {warm:.3f} s a team; one process: {alone:.2f} s a team"
            if workers > 1
            else f"{unit_teams} teams: made in the calling process (fewer than {POOL_MIN_REPORTS} teams or one "
            f"core), no renderer started; again: {warm:.3f} s a team"
        )
        figures.append(at_most("team_zip_s_per_team", prepared, "s", 0.6, detail))
        figures.append(report_only("team_zip_one_process_s_per_team", alone, "s", f"{unit_teams} teams"))
    if organisation is None:
        for name, unit in (("org_report_s", "s"), ("org_report_peak_mb", "MB")):
            figures.append(report_only(name, None, unit, "skipped (LAYERWISE_BENCH_SKIP_PDF=1)"))
    else:
        detail = f"{at}; a fresh process, after reading the leader view"
        figures.append(at_most("org_report_s", organisation["seconds"], "s", 10.0, detail))
        figures.append(
            at_most(
                "org_report_peak_mb",
                organisation["peak_mb"],
                "MB",
                300.0,
                "peak RSS above the RSS just before making it; the whole process peaked at "
                f"{organisation['process_mb']:.0f} MB",
            )
        )
    figures += _postgres_views(config, sizes[-1])
    return figures
