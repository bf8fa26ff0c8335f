"""The organisation report's summary page: how many teams stand at each stage, the most common blocker, the
organisation's capacity ledger (the teams' ledgers added up) and its KPIs (the mean of the teams that
entered each). Pure: it reads scored results only (published results, never live answers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from questionnaires.schema import Questionnaire
from reports.content import Block, Paragraph, Table
from scoring import standing
from scoring.models import TeamResult
from scoring.rules import FULL_TIME_HOURS_PER_WEEK, LEVEL_NAMES, format_score

__all__ = ["org_summary_blocks"]


def _hours(value: float) -> str:
    return f"{value:,.0f} h"


def org_summary_blocks(questionnaire: Questionnaire, results: Sequence[TeamResult]) -> list[Block]:
    """The blocks of the summary page: stages, the most common blocker, the capacity ledger and the KPIs."""
    shown = [result for result in results if not result.suppressed]
    complete, incomplete, suppressed = standing.ranked(results)
    stages = Counter(standing.team_stage(result) for result in complete)
    stage_rows = [
        [f"{stage} {LEVEL_NAMES[stage - 1]}", str(stages.get(stage, 0))]
        for stage in range(1, len(LEVEL_NAMES) + 1)
    ]
    if incomplete:
        stage_rows.append(["No stage yet (a layer has no score)", str(len(incomplete))])
    if suppressed:
        stage_rows.append(["Suppressed (fewer respondents than k)", str(len(suppressed))])
    blocks: list[Block] = [
        Paragraph(
            f"{len(results)} teams, {sum(r.respondents for r in results)} respondents; {len(shown)} teams with "
            f"results. The stage is the level all four layers reach together; the blocker is the lowest layer "
            "that holds a team at its stage."
        ),
        Table(columns=["Stage", "Teams"], rows=stage_rows, widths=[0.7, 0.3], font_size=8.5),
    ]
    blockers = Counter(
        found.name for found in (standing.blocker(result) for result in complete) if found is not None
    )
    if blockers:
        (name, count), *rest = blockers.most_common()
        others = ", ".join(f"{other} ({n})" for other, n in rest)
        blocks.append(
            Paragraph(
                f"{name} holds {count} of {len(complete)} ranked teams at their stage"
                + (f"; then {others}." if others else "."),
                label="Most common blocker:",
            )
        )
    ledgers = [result.ledger for result in shown if result.ledger is not None]
    with_size = [ledger for ledger in ledgers if ledger.team_size is not None]
    if with_size:
        freed = sum(ledger.team_hours_freed or 0 for ledger in with_size)
        net = sum(ledger.team_net_freed_hours or 0 for ledger in with_size)
        redeployed = sum(ledger.team_redeployed_hours or 0 for ledger in with_size)
        absorbed = sum(ledger.team_absorbed_hours or 0 for ledger in with_size)
        people = sum(ledger.team_size or 0 for ledger in with_size)
        blocks.append(
            Paragraph(
                f"{len(with_size)} teams ({people} people) entered their capacity figures and team size. AI frees "
                f"{_hours(freed)} a week; after meta-work {_hours(net)} remain "
                f"({net / FULL_TIME_HOURS_PER_WEEK:.1f} FTE), of which {_hours(redeployed)} are deliberately "
                f"redeployed and {_hours(absorbed)} absorbed as more of the same work.",
                label="Capacity ledger:",
            )
        )
    elif ledgers:
        blocks.append(
            Paragraph(
                f"{len(ledgers)} teams entered capacity figures but not their team size, so no total is shown.",
                label="Capacity ledger:",
            )
        )
    else:
        blocks.append(Paragraph("No team has entered capacity figures yet.", label="Capacity ledger:"))
    kpi_rows = []
    for kpi in questionnaire.kpis:
        values = [float(result.kpis[kpi.id]) for result in shown if kpi.id in result.kpis]
        if values:
            better = "lower is better" if kpi.better == "lower" else "higher is better"
            kpi_rows.append(
                [
                    f"{kpi.label} ({kpi.unit}, {better})",
                    str(len(values)),
                    format_score(sum(values) / len(values)),
                    f"{format_score(min(values))}–{format_score(max(values))}",
                ]
            )
    if kpi_rows:
        blocks.append(Paragraph("KPIs the teams entered", style="lead"))
        blocks.append(
            Table(
                columns=["KPI", "Teams", "Mean", "Range"],
                rows=kpi_rows,
                widths=[0.55, 0.1, 0.15, 0.2],
                font_size=8,
                caption="The mean over the teams that entered the KPI, not weighted by team size.",
            )
        )
    return blocks
