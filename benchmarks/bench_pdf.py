"""PDF reports: a 7-person team's report against a bare reportlab floor, and the organisation report of 30 teams.

``pdf_team_report_s`` times what the app's team-report download does once the team is scored
(``services.assessment.team_report_pdf_for_assessment``): ``reports.content.team_report_content`` from the
``TeamResult``, with the recommended action plan, the benchmark pack and peer percentiles, then
``reports.pdf.team_report_pdf``. Warm: one process, vl-convert's engine already started and the fonts
registered by an untimed warm-up report.

``pdf_vs_bare_reportlab`` divides that median by the floor's, measured in the same run with the rounds
interleaved (the order alternates each round). The floor is the least a PDF of the same report costs when
its charts are pictures: a bare reportlab ``SimpleDocTemplate`` (default Helvetica, default styles) holding
the same text and tables, and each of the report's charts rendered straight to PNG by
``vl_convert.vegalite_to_png`` (scale 2, ``allowed_base_urls=[]``, the specs ``reports.charts.chart_spec``
gives for the same content) and placed as an image at the same size. Its inputs (texts, table cells, spec
JSON) are prepared before its clock starts, so it pays neither for building the content nor for Altair; the
report pays for both. Binary PDF streams (``rl_config.useA85 = 0``, set by the report renderer for the
whole process) apply to both. The reports draw their charts as vectors from Vega's layout
(``reports.vector``) instead of rasterising them, which is why they can come in under this floor.

Both details give the median CPU seconds as well (process time, vl-convert's worker thread included): on a
shared, loaded machine wall time stretches and CPU time hardly does; the work is sequential, so CPU time is
close to the wall time on an idle machine.

Caching, decided: chart layouts and PNGs are cached in-process by spec, so a report of the identical team
would be served from those caches entirely and the comparison would mean nothing. Each round therefore
takes a team with fresh answers (new demo data from a new seed: other scores, other charts, other specs)
that neither the report nor the floor has drawn before; the report and the floor of a round get the same
team. Generating and scoring the answers happens before the clock starts.

``pdf_org_report_s``: ``reports.content.org_report_content`` + ``reports.pdf.org_report_pdf`` for 30 teams
(demo data: their latest rounds, every round for the trends, the recommended plans), as the leader page's
"Organisation PDF" builds it. The same organisation each round, so identical charts may come from the cache
(allowed for this figure); the detail gives the first, uncached render as well.
"""

from __future__ import annotations

import io
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import vl_convert
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from benchmarks.harness import Config, Figure, Timing, at_most, below
from questionnaires.loader import default_questionnaire
from questionnaires.schema import Questionnaire
from reports import charts, content
from reports.pdf import org_report_pdf, team_report_pdf
from scoring import BenchmarkComparison, TeamResult, build_action_plan, peer_percentiles, score_team
from scoring.models import BenchmarkPack
from storage.demo import DemoTeam, generate_demo

#: Team size of the team report.
RESPONDENTS = 7
#: Teams in the organisation report.
ORG_TEAMS = 30
#: Demo teams generated per team-report round: the reported team and its peers (peer percentiles need 5).
TEAMS_PER_ROUND = 8
#: The demo profile of the reported team: weak Permission holding up stronger layers (gating shows).
PROFILE = "gated"
GENERATED = datetime(2026, 3, 7, 9, 30, tzinfo=UTC)


@dataclass(frozen=True)
class TeamCase:
    """One round's team, scored, with what the app passes to the team report."""

    result: TeamResult
    peers: list[BenchmarkComparison] | None


def latest_results(questionnaire: Questionnaire, demo: list[DemoTeam]) -> list[TeamResult]:
    """Each demo team's latest round, scored."""
    return [score_team(questionnaire, team.rounds[-1].responses) for team in demo]


def team_case(questionnaire: Questionnaire, seed: int) -> TeamCase:
    """A freshly generated 7-person team (the ``gated`` profile) and its peer percentiles among the others."""
    demo = generate_demo(questionnaire, teams=TEAMS_PER_ROUND, respondents=RESPONDENTS, seed=seed)
    results = latest_results(questionnaire, demo)
    index = next(i for i, team in enumerate(demo) if team.profile == PROFILE)
    result = results[index]
    comparisons = peer_percentiles(result, results[:index] + results[index + 1 :])
    scored = [comparison for comparison in comparisons if comparison.score is not None]
    # as services.assessment.benchmark_for: peers when every scored dimension has a percentile, else the pack
    peers = comparisons if scored and all(c.percentile is not None for c in scored) else None
    return TeamCase(result, peers)


def team_content(
    questionnaire: Questionnaire, pack: BenchmarkPack | None, case: TeamCase
) -> content.TeamReportContent:
    """The team report's content, as the app builds it."""
    return content.team_report_content(
        questionnaire,
        case.result,
        build_action_plan(questionnaire, case.result),
        pack=pack,
        peer_comparisons=case.peers,
        generated_at=GENERATED,
    )


def team_report(questionnaire: Questionnaire, pack: BenchmarkPack | None, case: TeamCase) -> bytes:
    """The timed team report: content from the scored result, then the PDF."""
    return team_report_pdf(team_content(questionnaire, pack, case))


# --- the floor ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FloorInput:
    """What the floor renders, prepared untimed: paragraphs, tables and chart specs (JSON) in order."""

    parts: list[tuple[str, object]]


def floor_input(report: content.ReportContent) -> FloorInput:
    """The report's text, tables and chart specs, in the order the report shows them."""
    parts: list[tuple[str, object]] = []
    cover = report.cover
    parts += [("title", cover.title), ("text", cover.headline)]
    parts.append(("table", [list(fact) for fact in cover.facts]))
    parts.append(("break", None))
    for section in report.sections:
        parts.append(("heading", section.title))
        for block in section.blocks:
            if isinstance(block, content.Paragraph):
                parts.append(("text", f"{block.label} {block.text}" if block.label else block.text))
            elif isinstance(block, content.Bullets):
                parts += [("text", f"• {item}") for item in block.items]
            elif isinstance(block, content.Table):
                parts.append(("table", [list(block.columns), *[list(row) for row in block.rows]]))
                if block.caption:
                    parts.append(("text", block.caption))
            elif isinstance(block, content.Figure):
                parts.append(("chart", json.dumps(charts.chart_spec(block.chart))))
                if block.caption:
                    parts.append(("text", block.caption))
            elif isinstance(block, content.PageBreak):
                parts.append(("break", None))
    return FloorInput(parts)


def floor_pdf(prepared: FloorInput) -> bytes:
    """The floor: a bare SimpleDocTemplate with the same text and tables and straight vl-convert PNGs."""
    styles = getSampleStyleSheet()
    body, cell = styles["BodyText"], styles["BodyText"].clone("cell", fontSize=8, leading=10)
    frame_width, frame_height = A4[0] - 36 * mm, A4[1] - 45 * mm
    story: list[Flowable] = []
    for kind, value in prepared.parts:
        if kind == "title":
            story.append(Paragraph(escape(str(value)), styles["Title"]))
        elif kind == "heading":
            story.append(Paragraph(escape(str(value)), styles["Heading1"]))
        elif kind == "text":
            story.append(Paragraph(escape(str(value)), body))
        elif kind == "table":
            rows = [[Paragraph(escape(str(text)), cell) for text in row] for row in value]  # type: ignore[attr-defined]
            columns = max(len(row) for row in rows)
            rows = [row + [Paragraph("", cell)] * (columns - len(row)) for row in rows]
            story.append(Table(rows, colWidths=[frame_width / columns] * columns, repeatRows=1))
        elif kind == "chart":
            png = vl_convert.vegalite_to_png(str(value), scale=2, allowed_base_urls=[])
            css_width = int.from_bytes(png[16:20], "big") / 2
            css_height = int.from_bytes(png[20:24], "big") / 2
            width = min(frame_width, css_width * 0.9)
            height = min(width * css_height / css_width, frame_height * 0.62)
            story.append(Image(io.BytesIO(png), width=height * css_width / css_height, height=height))
        elif kind == "break":
            story.append(PageBreak())
        story.append(Spacer(1, 2))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm).build(story)
    return buffer.getvalue()


# --- the organisation -----------------------------------------------------------------------------------


def org_report(
    questionnaire: Questionnaire, pack: BenchmarkPack | None, demo: list[DemoTeam]
) -> Callable[[], bytes]:
    """The organisation report of the demo teams, scored untimed; returns the timed action."""
    history = [
        (demo_round.round_label, score_team(questionnaire, demo_round.responses))
        for team in demo
        for demo_round in team.rounds
    ]
    latest = latest_results(questionnaire, demo)
    by_round: dict[str, list[TeamResult]] = {}
    for label, result in history:
        by_round.setdefault(label, []).append(result)
    rounds = [(label, by_round[label]) for label in sorted(by_round)]
    plans = {result.team: build_action_plan(questionnaire, result) for result in latest}

    def action() -> bytes:
        report = content.org_report_content(
            questionnaire, latest, plans, pack=pack, generated_at=GENERATED, rounds=rounds
        )
        return org_report_pdf(report)

    return action


# --- run --------------------------------------------------------------------------------------------------


def _accelerated() -> bool:
    """Whether reportlab runs its C string widths (the rl-accel package of requirements.txt)."""
    from reportlab.lib import rl_accel

    return "instanceStringWidthTTF" in rl_accel._c_funcs


def _timed(action: Callable[[], object], cpu: list[float] | None = None) -> float:
    """Wall seconds of one run of ``action``; its CPU seconds (this process, every thread) go to ``cpu``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def run(config: Config) -> list[Figure]:
    """Team report vs its floor (fresh teams, interleaved rounds), then the organisation report."""
    questionnaire = default_questionnaire()
    pack = None  # no pack is shipped; a team report compares with its target and previous round
    rounds = config.rounds
    # warm-up, untimed: vl-convert's engine, fonts, imports (seed 0 is never used again)
    warm = team_case(questionnaire, seed=0)
    team_report(questionnaire, pack, warm)
    floor_pdf(floor_input(team_content(questionnaire, pack, warm)))

    cases = [team_case(questionnaire, seed=1000 + number) for number in range(rounds)]
    floors = [floor_input(team_content(questionnaire, pack, case)) for case in cases]
    report_samples: list[float] = []
    floor_samples: list[float] = []
    report_cpu: list[float] = []
    floor_cpu: list[float] = []
    for number, (case, prepared) in enumerate(zip(cases, floors, strict=True)):
        steps = [
            (report_samples, report_cpu, lambda case=case: team_report(questionnaire, pack, case)),
            (floor_samples, floor_cpu, lambda prepared=prepared: floor_pdf(prepared)),
        ]
        for samples, cpu, action in steps if number % 2 == 0 else reversed(steps):
            samples.append(_timed(action, cpu))
    report_timing, floor_timing = Timing(report_samples), Timing(floor_samples)
    ratio = report_timing.median / floor_timing.median

    org_rounds = config.pick(3, 1)
    organisation = org_report(
        questionnaire, pack, generate_demo(questionnaire, teams=ORG_TEAMS, respondents=RESPONDENTS, seed=7)
    )
    first = _timed(organisation)  # the warm-up: charts laid out for the first time
    org_timing = Timing([_timed(organisation) for _ in range(org_rounds)])
    return [
        below(
            "pdf_team_report_s",
            round(report_timing.median, 3),
            "s",
            1.0,
            f"min–max {report_timing.spread()} s, CPU {statistics.median(report_cpu):.3f} s; "
            f"{rounds} fresh 7-person teams, content + PDF; reportlab's C accelerator "
            f"(rl-accel) {'loaded' if _accelerated() else 'NOT installed'}",
        ),
        at_most(
            "pdf_vs_bare_reportlab",
            round(ratio, 2),
            "×",
            1.3,
            f"floor {floor_timing.median:.3f} s (min–max {floor_timing.spread()} s, "
            f"CPU {statistics.median(floor_cpu):.3f} s): "
            "SimpleDocTemplate + vl-convert PNGs of the same specs",
        ),
        below(
            "pdf_org_report_s",
            round(org_timing.median, 3),
            "s",
            8.0,
            f"min–max {org_timing.spread()} s; {ORG_TEAMS} teams, charts cached; first render {first:.3f} s",
        ),
    ]
