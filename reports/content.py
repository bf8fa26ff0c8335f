"""What a report says: pure content objects, built from scoring results (no reportlab, no I/O).

A report is a :class:`ReportContent`: PDF metadata, a cover, and sections made of a few kinds of blocks
(:class:`Paragraph`, :class:`Bullets`, :class:`Table`, :class:`Figure`, :class:`PageBreak`). Every text is
plain text exactly as a person should read it; ``reports.pdf`` escapes it before reportlab sees it, so a team
called ``<b>R&D</b>`` is printed as typed. Figures hold the Altair charts of ``reports.charts`` (the same
charts the pages show); the PDF renders them to PNG.

Three builders, one per report:

- :func:`team_report_content`: cover, executive summary (strongest and weakest dimension, the gating
  blocker, the top three actions, in sentences with numbers), the layer ladder, the benchmark, the item heat
  table, the capacity ledger, KPIs against reference points, the action plan, a page per dimension and a
  method appendix (scoring rules, anonymity k, what was suppressed and why);
- :func:`workshop_report_content`: participants, per-dimension distributions, divided items, agreed actions;
- :func:`org_report_content`: the heatmap, a ranking table, trends, perception gaps and one summary page per
  team.

Anonymity: numbers come only from ``TeamResult``, in which scoring has already replaced every suppressed
number by ``None``; this module never computes a number from individual answers, and where a number is
missing it says "suppressed" and why.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from questionnaires.schema import Questionnaire
from reports import charts, perception, reading
from reports.wording import plural as _plural
from scoring import standing
from scoring.benchmarks import pack_percentiles
from scoring.models import (
    Action,
    ActionPlan,
    BenchmarkComparison,
    BenchmarkPack,
    DimensionResult,
    FocusArea,
    TeamResult,
)
from scoring.paradox import paradox_reading
from scoring.rules import GAP_THRESHOLD, RULES, dont_know_flagged, format_score

AUTHOR = "Layerwise"
#: How many actions the executive summary names.
SUMMARY_ACTIONS = 3
#: How many flagged perception gaps the organisation report lists in words (the heatmap shows all).
MAX_GAP_LINES = 10
#: How many items a dimension page shows under "what the next level looks like".
NEXT_LEVEL_ITEMS = 3

# --- blocks ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``label`` (optional) is printed in bold before it."""

    text: str
    style: Literal["body", "lead", "intro", "note", "small"] = "body"
    label: str | None = None


@dataclass(frozen=True)
class Bullets:
    """A bulleted (or numbered) list of plain-text items."""

    items: list[str]
    numbered: bool = False
    style: Literal["body", "small"] = "body"


@dataclass(frozen=True)
class Table:
    """A table of plain-text cells; ``widths`` are relative column widths (they are scaled to the page)."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None
    font_size: float = 8.5
    caption: str | None = None
    bold_columns: tuple[int, ...] = ()
    #: (row, column, "#rrggbb") background colours of body cells (row 0 is the first row under the header)
    cell_colours: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Figure:
    """A chart from ``reports.charts`` with a caption; ``max_height`` is the share of the page it may use."""

    chart: Any
    caption: str = ""
    name: str = ""
    max_height: float = 0.62


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = Paragraph | Bullets | Table | Figure | PageBreak


@dataclass(frozen=True)
class Section:
    """A titled part of a report; ``new_page`` starts it on a fresh page, unless it fits in what is left of
    the current one; ``whole`` keeps it on one page (it starts on a fresh page unless all of it fits in what
    is left), so short sections share a page without one of them being split over two."""

    title: str
    blocks: list[Block] = field(default_factory=list)
    new_page: bool = False
    level: int = 1
    whole: bool = False


@dataclass(frozen=True)
class Cover:
    """The cover page: a kicker line, the title, a headline and label → value facts."""

    kicker: str
    title: str
    headline: str
    facts: list[tuple[str, str]]
    note: str = ""
    #: a one-page summary printed under the title instead of cover padding (the team report's page 1)
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class ReportContent:
    """A whole report: PDF metadata (title, author, subject, keywords), header text, cover and sections."""

    kind: Literal["team", "workshop", "organisation"]
    title: str
    subject: str
    author: str = AUTHOR
    keywords: list[str] = field(default_factory=list)
    header: str
    generated_at: datetime
    cover: Cover
    sections: list[Section]
    suppressed: list[str] = field(default_factory=list)

    def texts(self) -> list[str]:
        """Every plain text of the report in reading order (for tests and for searching)."""
        out = [self.cover.kicker, self.cover.title, self.cover.headline, self.cover.note]
        out += [f"{label}: {value}" for label, value in self.cover.facts]
        for section in [Section("", self.cover.blocks), *self.sections]:
            out.append(section.title)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    out.append(f"{block.label} {block.text}" if block.label else block.text)
                elif isinstance(block, Bullets):
                    out.extend(block.items)
                elif isinstance(block, Table):
                    out.append(" | ".join(block.columns))
                    out.extend(" | ".join(row) for row in block.rows)
                    if block.caption:
                        out.append(block.caption)
                elif isinstance(block, Figure):
                    out.append(block.caption)
        return [text for text in out if text]

    def figures(self) -> list[Figure]:
        """Every figure of the report, in order."""
        return [block for section in self.sections for block in section.blocks if isinstance(block, Figure)]

    def section(self, title: str) -> Section:
        """The first section with this title; ``KeyError`` when there is none."""
        for section in self.sections:
            if section.title == title:
                return section
        raise KeyError(f"no section '{title}' in this {self.kind} report")


@dataclass(frozen=True, kw_only=True)
class TeamReportContent(ReportContent):
    """A team's report; ``summary`` holds the executive summary's sentences, ``actions`` the plan rows,
    ``wording_note`` the warning about items reworded since the assessment was taken (None: none)."""

    team: str
    summary: list[str]
    actions: list[ReportAction]
    wording_note: str | None = None


@dataclass(frozen=True, kw_only=True)
class WorkshopReportContent(ReportContent):
    """A workshop's report; ``divided_items`` lists the items the team was divided on."""

    workshop: str
    team: str
    divided_items: list[str]
    actions: list[ReportAction]


@dataclass(frozen=True, kw_only=True)
class OrgReportContent(ReportContent):
    """The organisation report; ``ranking`` is the team order of the ranking table."""

    organisation: str
    teams: list[str]
    ranking: list[str]


# --- actions --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportAction:
    """One row of an action plan as a report prints it (a recommendation, or an action the team edited)."""

    priority: int
    title: str
    finding: str = ""
    first_step: str = ""
    owner: str = ""
    due: date | None = None
    horizon_days: int | None = None
    kpi: str = ""
    dimension_id: str | None = None
    status: str = ""
    #: the team that agreed the action (a workshop of several teams); "" when the report is one team's
    team: str = ""

    @classmethod
    def from_action(cls, action: Action, start: date | None = None) -> ReportAction:
        """From a scoring ``Action``; the due date is ``start`` + its horizon when ``start`` is given."""
        return cls(
            priority=action.rank,
            title=action.title,
            finding=action.finding,
            first_step=action.first_step,
            owner=action.owner,
            due=None if start is None else start + timedelta(days=action.horizon_days),
            horizon_days=action.horizon_days,
            kpi=action.kpi,
            dimension_id=action.dimension_id,
        )

    @classmethod
    def from_record(cls, record: Any, priority: int) -> ReportAction:
        """From any object with the stored action's fields (``title``, ``finding``, ``first_step``, ``owner``,
        ``due_date``, ``status``, ``kpi``, ``horizon_days``, ``source_item_id``), e.g. a service's PlanAction."""
        source = getattr(record, "source_item_id", None)
        return cls(
            priority=priority,
            title=str(getattr(record, "title", "") or ""),
            finding=str(getattr(record, "finding", "") or ""),
            first_step=str(getattr(record, "first_step", "") or ""),
            owner=str(getattr(record, "owner", "") or ""),
            due=getattr(record, "due_date", None),
            horizon_days=getattr(record, "horizon_days", None),
            kpi=str(getattr(record, "kpi", "") or ""),
            dimension_id=source.split(".", 1)[0] if isinstance(source, str) and "." in source else None,
            status=str(getattr(record, "status", "") or ""),
            team=str(getattr(record, "team", "") or ""),
        )


def report_actions(
    plan: ActionPlan | Sequence[ReportAction] | Sequence[Any] | None, start: date | None = None
) -> list[ReportAction]:
    """The rows of a plan: an ``ActionPlan`` (all actions, ranked), ``ReportAction`` rows, or stored records."""
    if plan is None:
        return []
    if isinstance(plan, ActionPlan):
        return [ReportAction.from_action(action, start) for action in plan.actions]
    rows: list[ReportAction] = []
    for position, entry in enumerate(plan, start=1):
        if isinstance(entry, ReportAction):
            rows.append(entry)
        elif isinstance(entry, Action):
            rows.append(ReportAction.from_action(entry, start))
        else:
            rows.append(ReportAction.from_record(entry, position))
    return rows


# --- formatting -----------------------------------------------------------------------------------------


def format_date(value: date | datetime | None) -> str:
    """A date as people read it in any locale: '7 Mar 2026' (English month abbreviations)."""
    if value is None:
        return ""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{value.day} {months[value.month - 1]} {value.year}"


def _due(action: ReportAction) -> str:
    if action.due is not None:
        return format_date(action.due)
    if action.horizon_days:
        return f"within {action.horizon_days} days"
    return ""


def _level_text(level: int | None, name: str | None) -> str:
    return "no level" if level is None else f"level {level} {name or ''}".rstrip()


def _form_text(questionnaire: Questionnaire, result: TeamResult) -> str:
    items = len(questionnaire.items_for(result.form))
    form = "Pulse" if result.form == "pulse" else "Full"
    mode = " · consensus (one agreed answer set)" if result.mode == "consensus" else ""
    return f"{form} ({items} items){mode}"


def _scored(result: TeamResult) -> list[DimensionResult]:
    return [dimension for dimension in result.dimensions if dimension.score is not None]


def strongest_and_weakest(result: TeamResult) -> tuple[DimensionResult | None, DimensionResult | None]:
    """The dimensions with the highest and the lowest score (ties: the first in questionnaire order)."""
    scored = _scored(result)
    if not scored:
        return None, None
    strongest = max(scored, key=lambda d: d.score or 0)  # max keeps the first of equal scores
    weakest = min(scored, key=lambda d: d.score or 0)
    return strongest, weakest


def gating_blocker(result: TeamResult) -> DimensionResult | None:
    """The layer that holds the team at its stage: the lowest layer whose gated level equals the stage
    (``scoring.rules.stage_blocker``, the same rule as the leader view's "Most common blocker"); ``None``
    without a stage (an incomplete team has none)."""
    return standing.blocker(result)


def paradox_sentence(questionnaire: Questionnaire, result: TeamResult) -> str:
    """Which paradox mechanism eats the team's gains, in one sentence (the Results page and the team PDF):
    from the item means the team may see and the items' ``paradox`` tags (``scoring.paradox``)."""
    if result.suppressed:
        return "No paradox mechanism is read from suppressed results."
    reading = paradox_reading(questionnaire, result)
    measured = [m for m in reading.mechanisms if m.mean is not None]
    if not measured:
        return "Too few item scores are visible yet to say which paradox mechanism eats the team's gains."
    if reading.eating is None:
        lowest = measured[0]
        return (
            "No paradox mechanism stands out: the items guarding against each one average 3.4 (level 4) or "
            f"more; the lowest is {lowest.name.lower()} at {format_score(lowest.mean or 0)}."
        )
    eating = next(m for m in measured if m.id == reading.eating)
    weakest = (
        ""
        if eating.weakest_item_id is None
        else f'; its weakest item is "{charts.item_label(eating.weakest_item_id)}" at '
        f"{format_score(eating.weakest_item_mean or 0)}"
    )
    return (
        f"The paradox mechanism most likely eating the team's AI gains is {eating.name.lower()} "
        f"({eating.description}): its {_plural(eating.items, 'item')} average {format_score(eating.mean or 0)}, "
        f"the lowest of the {len(measured)} mechanisms measured{weakest}."
    )


def paradox_table(questionnaire: Questionnaire, result: TeamResult) -> Table:
    """Every paradox mechanism with its items' mean, lowest first (the Results page shows the same rows)."""
    reading = paradox_reading(questionnaire, result)
    rows = [
        [
            mechanism.name + (" (eating the gains)" if mechanism.id == reading.eating else ""),
            str(mechanism.items),
            "–" if mechanism.mean is None else format_score(mechanism.mean),
            ""
            if mechanism.weakest_item_id is None
            else f"{charts.item_label(mechanism.weakest_item_id)} "
            f"{format_score(mechanism.weakest_item_mean or 0)}",
        ]
        for mechanism in reading.mechanisms
    ]
    return Table(
        columns=["Mechanism", "Items", "Mean", "Weakest item"],
        rows=rows,
        widths=[0.3, 0.1, 0.1, 0.5],
        font_size=8,
        bold_columns=(0,),
        caption="The mean of the item means that guard against each mechanism (items under k are left out).",
    )


def _percentile_phrase(comparison: BenchmarkComparison | None, benchmark_name: str) -> str:
    if comparison is None or comparison.percentile is None:
        return ""
    return f", {charts._ordinal(comparison.percentile)} percentile {benchmark_name}"


def summary_sentences(
    questionnaire: Questionnaire,
    result: TeamResult,
    actions: Sequence[ReportAction],
    comparisons: Sequence[BenchmarkComparison] = (),
    benchmark_name: str = "",
) -> list[str]:
    """The executive summary in sentences with numbers: index and stage, strongest and weakest dimension,
    the gating blocker and the top three actions. A suppressed team gets the reason and no numbers."""
    team = result.team
    if result.suppressed:
        return [
            f"The results of {team} are suppressed: {result.suppressed_reason}.",
            f"No scores, charts or actions are shown until at least {result.k} people have responded; this "
            "protects the anonymity of those who already did.",
        ]
    sentences: list[str] = []
    people = _plural(result.respondents, "person", "people")
    opener = (
        f"{team} agreed one answer set together (a consensus assessment)."
        if result.mode == "consensus"
        else f"{people[:1].upper() + people[1:]} in {team} responded."
    )
    overall = result.overall
    if overall.index is not None and overall.stage is not None:
        sentences.append(
            f"{opener} The team scores {overall.index:.1f} of 100 overall and is at stage {overall.stage} "
            f"({overall.stage_name}), the lowest gated level of its four layers."
        )
    elif overall.index is not None:
        reason = standing.incomplete_reason(result) or "incomplete: a layer has no score"
        sentences.append(
            f"{opener} The team scores {overall.index:.1f} of 100 overall; it has no stage and is not ranked, "
            f"{reason}."
        )
    else:
        sentences.append(f"{opener} No dimension has a score yet.")
    by_id = {comparison.dimension_id: comparison for comparison in comparisons}
    strongest, weakest = strongest_and_weakest(result)
    if strongest is not None and weakest is not None:
        if strongest.id == weakest.id:
            sentences.append(
                f"Only {strongest.name} has a score: {format_score(strongest.score or 0)} "
                f"({_level_text(strongest.level, strongest.level_name)})."
            )
        else:
            sentences.append(
                f"The strongest dimension is {strongest.name} at {format_score(strongest.score or 0)} "
                f"({_level_text(strongest.level, strongest.level_name)}"
                f"{_percentile_phrase(by_id.get(strongest.id), benchmark_name)}); the weakest is {weakest.name} "
                f"at {format_score(weakest.score or 0)} ({_level_text(weakest.level, weakest.level_name)}"
                f"{_percentile_phrase(by_id.get(weakest.id), benchmark_name)})."
            )
    blocker = gating_blocker(result)
    if blocker is not None:
        capped = [d for d in result.dimensions if d.capped_by == blocker.id]
        if capped:
            held = "; ".join(
                f"{d.name} reaches level {d.level} on its own but counts as {d.gated_level}" for d in capped
            )
            sentences.append(
                f"The gating blocker is {blocker.name} (layer {blocker.layer}, level {blocker.gated_level}): it "
                f"holds the layers above it down ({held}). Fix {blocker.name} first."
            )
        else:
            sentences.append(
                f"No layer is held down by the one below it; {blocker.name} (layer {blocker.layer}) sets the "
                f"stage at level {blocker.gated_level}, so it is the foundation to strengthen next."
            )
    top = list(actions)[:SUMMARY_ACTIONS]
    if top:
        parts = []
        for position, action in enumerate(top, start=1):
            owner = f"{action.owner}, " if action.owner else ""
            due = _due(action)
            parts.append(
                f"({position}) {action.title} ({owner}{due})"
                if due or owner
                else f"({position}) {action.title}"
            )
        count = {1: "The top action", 2: "The top two actions", 3: "The top three actions"}.get(
            len(top), f"The top {len(top)} actions"
        )
        sentences.append(f"{count}: " + "; ".join(parts) + ".")
    return sentences


# --- suppression ----------------------------------------------------------------------------------------


def suppression_notes(questionnaire: Questionnaire, result: TeamResult) -> list[str]:
    """What anonymity hid in a team's result and why, in sentences (empty when nothing was hidden)."""
    notes: list[str] = []
    if result.suppressed:
        notes.append(f"All of {result.team}'s numbers are suppressed: {result.suppressed_reason}.")
        return notes
    for dimension in result.dimensions:
        if dimension.suppressed:
            notes.append(f"{dimension.name}: no score is shown ({dimension.suppressed_reason}).")
    hidden_items = [
        (dimension.name, item)
        for dimension in result.dimensions
        for item in dimension.items
        if item.suppressed
    ]
    if hidden_items:
        by_reason: dict[str, list[str]] = {}
        for dimension_name, item in hidden_items:
            if any(note.startswith(f"{dimension_name}:") for note in notes):
                continue
            by_reason.setdefault(item.suppressed_reason or "suppressed", []).append(
                charts.item_label(item.id)
            )
        for reason, labels in by_reason.items():
            notes.append(f"{_plural(len(labels), 'item')} without numbers ({reason}): {', '.join(labels)}.")
    # a gap needs both sides; with no leaders (or nobody else) there is nothing to hide
    gaps = [gap for gap in result.gaps if gap.suppressed and gap.leaders and gap.others]
    if gaps:
        names = {dimension.id: dimension.name for dimension in result.dimensions}
        reason = gaps[0].suppressed_reason or ""
        notes.append(
            "Perception gaps (leaders vs the others) are not shown for "
            f"{', '.join(names.get(g.dimension_id, g.dimension_id) for g in gaps)} ({reason})."
        )
    hidden_segments = [segment for segment in result.segments if segment.suppressed]
    if hidden_segments:
        roles = sorted({segment.role for segment in hidden_segments})
        notes.append(
            f"Scores by role are not shown for {', '.join(roles)}: a role is shown only when it and the rest of "
            f"the team each have at least {result.k} respondents (or the rest is empty)."
        )
    if result.comments_hidden_reason:
        notes.append(f"Comments are not shown: {result.comments_hidden_reason}.")
    return notes


def _perception_section(questionnaire: Questionnaire, result: TeamResult) -> Section:
    """Leaders against the others (where both pass the anonymity rule) and the items the team is divided on."""
    blocks: list[Block] = []
    rows = perception.gap_rows(result)
    if rows:
        blocks.append(
            Table(
                columns=["Dimension", "Leaders", "The others", "Gap", "Flagged"],
                rows=rows,
                widths=[0.3, 0.18, 0.18, 0.12, 0.22],
                caption=(
                    "Leaders' mean score minus the other roles' mean, for the dimensions where both groups have "
                    f"at least {result.k} people with a score."
                ),
            )
        )
    else:
        blocks.append(
            Paragraph(
                f"Leaders and the others are compared only where both groups have at least {result.k} people "
                "with a score; this team does not have that yet.",
                style="note",
            )
        )
    divided = perception.divided_lines(questionnaire, result)
    blocks.append(Paragraph("Where the team is divided", style="lead"))
    blocks.append(
        Bullets(divided)
        if divided
        else Paragraph("The team is not divided on any item (no standard deviation of 1.0 or more).")
    )
    return Section("Leaders, the others and divided items", blocks, new_page=True)


def _reading_section(
    kind: Literal["team", "workshop", "organisation"], results: Sequence[TeamResult]
) -> Section:
    """The "How to read this report" page (``reports.reading``) with the report's anonymity threshold."""
    k = min((result.k for result in results), default=3)
    return Section(
        reading.TITLE,
        [Paragraph(text, label=label) for label, text in reading.how_to_read(kind, k)],
        new_page=True,
    )


#: Suppression notes that hundreds of teams share (how a note starts → what it is about, counted instead).
_SEGMENT_NOTES = {
    "Perception gaps": "Perception gaps (leaders against the others)",
    "Scores by role": "Scores by role",
    "Comments are not shown": "Comments",
}


def _method_section(
    questionnaire: Questionnaire,
    results: Sequence[TeamResult],
    suppressed: Sequence[str],
    *,
    pack: BenchmarkPack | None,
    generated_at: datetime,
    extra: Sequence[str] = (),
    include_rules: bool = True,
    suppressed_by_team: Mapping[str, Sequence[str]] | None = None,
) -> Section:
    ks = sorted({result.k for result in results}) or [3]
    k_text = ", ".join(str(k) for k in ks)
    rules_text = (
        "The rules below are the ones the scoring applies, word for word."
        if include_rules
        else 'The scoring rules are listed in the team report and on the app\'s "How scoring works" page.'
    )
    blocks: list[Block] = [
        Paragraph(
            f"{questionnaire.title} ({questionnaire.id} {questionnaire.version}). Each item has five "
            'behaviourally anchored levels and "don\'t know"; "don\'t know" is not a level and does not enter '
            f"any mean. {rules_text}",
        ),
    ]
    if include_rules:
        blocks += [
            Paragraph("Scoring rules", style="lead"),
            Table(
                columns=["Rule", "How it works"],
                rows=[[rule.name, rule.sentence] for rule in RULES],
                widths=[0.2, 0.8],
                font_size=7.5,
                bold_columns=(0,),
            ),
        ]
    blocks += [
        Paragraph("Anonymity", style="lead"),
        Paragraph(
            f"Anonymity threshold k = {k_text}: every number computed from individual answers needs at least "
            f'k respondents, otherwise it is suppressed and the report says "suppressed" instead of a number. '
            "A consensus assessment (one answer set agreed by the team together) is not individual data and is "
            "never suppressed. Counts of respondents are shown; answers are never attributed to a person."
        ),
        Paragraph("What was suppressed and why", style="lead"),
    ]
    if suppressed_by_team and len(results) > ORG_DETAIL_TEAMS:
        # hundreds of teams: the role scores, gaps and comments held back are counted, not listed team by team
        # (each unit's report lists them); whole teams, dimensions and items held back keep a row per team
        for kind, what in _SEGMENT_NOTES.items():
            teams = [
                team for team, notes in suppressed_by_team.items() if any(n.startswith(kind) for n in notes)
            ]
            if teams:
                blocks.append(
                    Paragraph(
                        f"{what} held back for {_plural(len(teams), 'team')}; each unit's report names them."
                    )
                )
        suppressed_by_team = {
            team: kept
            for team, notes in suppressed_by_team.items()
            if (kept := [note for note in notes if not note.startswith(tuple(_SEGMENT_NOTES))])
        }
    if suppressed_by_team:
        # one row per set of notes, naming every team it holds for: not a page of near-identical notes
        grouped: dict[str, list[str]] = {}
        for team, notes in suppressed_by_team.items():
            grouped.setdefault(" ".join(notes), []).append(team)
        blocks.append(
            Table(
                columns=["Teams", "What is not shown, and why"],
                rows=[[", ".join(teams), notes] for notes, teams in grouped.items()],
                widths=[0.22, 0.78],
                font_size=7.5,
                bold_columns=(0,),
            )
        )
    elif len(results) > ORG_DETAIL_TEAMS and suppressed:
        blocks.append(Paragraph("Nothing else was suppressed."))
    else:
        blocks.append(Bullets(list(suppressed)) if suppressed else Paragraph("Nothing was suppressed."))
    if pack is not None:
        rows = {(row.label, row.source, row.collected, row.n) for row in pack.rows}
        blocks.append(Paragraph("Benchmark", style="lead"))
        for label, source, collected, n in sorted(rows):
            blocks.append(Paragraph(f"{label} ({pack.source_name}; n = {n}; {collected}). Source: {source}"))
    blocks.extend(Paragraph(text) for text in extra)
    blocks.append(
        Paragraph(
            f"Generated by Layerwise on {format_date(generated_at)} at {generated_at:%H:%M}"
            f"{' UTC' if generated_at.utcoffset() is not None and not generated_at.utcoffset() else ''}.",
            style="note",
        )
    )
    return Section("Method", blocks, new_page=True)


# --- team report ----------------------------------------------------------------------------------------


def _action_table(actions: Sequence[ReportAction], questionnaire: Questionnaire) -> Table:
    return Table(
        columns=["#", "Action", "Finding", "First step", "Owner", "Due", "KPI"],
        rows=[[str(a.priority), a.title, a.finding, a.first_step, a.owner, _due(a), a.kpi] for a in actions],
        widths=[0.04, 0.18, 0.23, 0.22, 0.1, 0.08, 0.15],
        font_size=7.5,
        bold_columns=(1,),
    )


def _agreed_actions_table(actions: Sequence[ReportAction]) -> Table:
    """The actions a workshop agreed: the team that agreed each (when any is named) and only the columns
    that hold something, each as wide as its text needs, so an empty column never squeezes the action."""
    return filled_actions_table(
        actions,
        ["Team", "Action", "Finding", "First step", "Owner", "Due", "KPI"],
        [str(position) for position in range(1, 1 + len(actions))],
        font_size=7.5,
    )


def filled_actions_table(
    actions: Sequence[ReportAction], names: Sequence[str], numbers: Sequence[str], font_size: float = 8
) -> Table:
    """Actions as a table of the columns ``names`` (of Team, Action, Finding, First step, Owner, Due, KPI)
    that hold something (Action always), numbered by ``numbers``, each column as wide as its text needs."""
    values = {
        "Team": [a.team for a in actions],
        "Action": [a.title for a in actions],
        "Finding": [a.finding for a in actions],
        "First step": [a.first_step for a in actions],
        "Owner": [a.owner for a in actions],
        "Due": [_due(a) for a in actions],
        "KPI": [a.kpi for a in actions],
    }
    kept = [name for name in names if name == "Action" or any(values[name])]
    columns = ["#", *kept]
    rows = [[number, *(values[name][index] for name in kept)] for index, number in enumerate(numbers)]
    return Table(
        columns=columns,
        rows=rows,
        widths=content_widths(columns, rows),
        font_size=font_size,
        bold_columns=(columns.index("Action"),),
    )


def content_widths(columns: Sequence[str], rows: Sequence[Sequence[str]], cap: int = 60) -> list[float]:
    """Relative column widths from what the columns hold: the longer of the header's longest word and the
    cells' typical length (their longest, capped at ``cap`` characters, beyond which a cell wraps), plus
    the cell padding (about three characters), so a short cell ("Claims Ops") keeps to one line."""
    widths = []
    for index, title in enumerate(columns):
        cells = [str(row[index]) for row in rows if index < len(row)]
        longest_word = max((len(word) for word in title.split()), default=1)
        longest_cell = max((len(cell) for cell in cells), default=0)
        widths.append(float(max(longest_word, min(longest_cell, cap), 2)) + 3)
    # no column narrower than a twentieth of the table (a "#" column still fits two digits and its padding)
    floor = sum(widths) / 20
    return [max(width, floor) for width in widths]


def _more_actions_table(actions: Sequence[ReportAction], questionnaire: Questionnaire) -> Table:
    names = {dimension.id: dimension.name for dimension in questionnaire.dimensions}
    return Table(
        columns=["#", "Action", "Dimension", "Owner", "Due"],
        rows=[
            [str(a.priority), a.title, names.get(a.dimension_id or "", ""), a.owner, _due(a)] for a in actions
        ],
        widths=[0.05, 0.49, 0.18, 0.16, 0.12],
        font_size=7.5,
        bold_columns=(1,),
    )


def _dimension_blocks(
    questionnaire: Questionnaire,
    result: TeamResult,
    dimension: DimensionResult,
    actions: Sequence[ReportAction],
) -> list[Block]:
    """A dimension page: where the team is, what the next level looks like, and its recommendations."""
    definition = questionnaire.dimension(dimension.id)
    blocks: list[Block] = [Paragraph(definition.summary.strip(), style="intro")]
    if dimension.score is None:
        reason = (
            f"suppressed: {dimension.suppressed_reason}"
            if dimension.suppressed
            else "no score: fewer than half of its items were answered"
        )
        blocks.append(
            Paragraph(f"No numbers are shown for {dimension.name} ({reason}).", label="Where the team is:")
        )
    else:
        where = (
            f"score {format_score(dimension.score)} of 5, {_level_text(dimension.level, dimension.level_name)}, "
            f"from {_plural(dimension.respondents, 'respondent')}."
        )
        if dimension.capped_by and dimension.cap_explanation:
            where += (
                f" {dimension.cap_explanation}: it counts as level {dimension.gated_level} until the layer "
                "below is stronger."
            )
        if dimension.consensus is not None and dimension.std is not None:
            where += f" The team is {dimension.consensus} (standard deviation {format_score(dimension.std)})."
        if dont_know_flagged(dimension.dont_know_rate) and dimension.dont_know_rate is not None:
            where += f' {dimension.dont_know_rate * 100:.0f} % of the answers are "don\'t know".'
        blocks.append(Paragraph(where, label="Where the team is:"))
    blocks.append(Paragraph(definition.mature_state.strip(), label="What a mature team has:"))
    if definition.depends_on:
        blocks.append(Paragraph(definition.depends_on.strip(), label="Why it builds on the layer below:"))

    items = [item for item in dimension.items if item.level is not None and item.mean is not None]
    behind = sorted(items, key=lambda item: (item.mean or 0, item.id))[:NEXT_LEVEL_ITEMS]
    if behind:
        rows = []
        for item in behind:
            text = questionnaire.item(item.id)
            level = item.level or 1
            now = f"{level} {questionnaire.level_name(level)}: {text.levels[level - 1].strip()}"
            if level < 5:
                upcoming = f"{level + 1} {questionnaire.level_name(level + 1)}: {text.levels[level].strip()}"
            else:
                upcoming = "Already at the top level: keep it there."
            rows.append(
                [f"{charts.item_label(item.id)} (mean {format_score(item.mean or 0)})", now, upcoming]
            )
        blocks.append(Paragraph("What the next level looks like", style="lead"))
        blocks.append(
            Table(
                columns=["Item", "Where the team is", "The next level"],
                rows=rows,
                widths=[0.2, 0.4, 0.4],
                font_size=7.5,
                caption=f"The {_plural(len(rows), 'item')} of {dimension.name} with the lowest mean.",
            )
        )
    own = [action for action in actions if action.dimension_id == dimension.id]
    blocks.append(Paragraph("Recommendations", style="lead"))
    if own:
        # the action plan holds each action's first step and KPI; a dimension page points to them by number
        blocks.append(
            Table(
                columns=["#", "Action", "Owner", "Due"],
                rows=[[str(a.priority), a.title, a.owner, _due(a)] for a in own[:4]],
                widths=[0.06, 0.6, 0.18, 0.16],
                font_size=7.5,
                bold_columns=(1,),
                caption="First steps and KPIs: the action plan, by the same number.",
            )
        )
    else:
        blocks.append(Paragraph(f"No recommendation for {dimension.name} yet: its items have no numbers."))
    comments = result.comments.get(dimension.id, [])
    if comments:
        blocks.append(Paragraph("What people wrote (shuffled, anonymous)", style="lead"))
        blocks.append(Bullets(list(comments), style="small"))
    return blocks


def team_report_content(
    questionnaire: Questionnaire,
    result: TeamResult,
    plan: ActionPlan | Sequence[ReportAction] | Sequence[Any] | None,
    *,
    pack: BenchmarkPack | None,
    peer_comparisons: Sequence[BenchmarkComparison] | None = None,
    generated_at: datetime,
    kpis: Mapping[str, float] | None = None,
    rounds: charts.TrendRounds | None = None,
    plan_start: date | None = None,
    wording_note: str | None = None,
    target_levels: Mapping[str, int] | None = None,
    previous: TeamResult | None = None,
    previous_label: str | None = None,
    timeline: Any = None,
    focus: Sequence[FocusArea] | None = None,
) -> TeamReportContent:
    """Everything a team's report says, in order.

    ``plan`` is the ranked ``ActionPlan`` from ``scoring.build_action_plan`` (due dates are ``plan_start``
    plus each horizon; without ``plan_start`` they read "within 30 days": a date is fixed only when a plan
    is made and stored, never from the print date) or the team's stored actions (rows with the fields of a
    stored action: title, finding, first_step, owner, due_date, kpi, horizon_days, source_item_id).
    ``peer_comparisons`` (``scoring.peer_percentiles``) are shown beside the pack when given; ``kpis``
    defaults to the KPIs in the result; ``rounds`` adds the team's index over time. ``wording_note``
    (``questionnaires.wording.wording_warning``) opens the executive summary and is repeated in the method
    appendix when items were reworded after the assessment was taken. The benchmark section always compares
    with the team's ``target_levels`` (default level 4 on every dimension) and its ``previous`` round; a
    ``pack`` is a measured pack someone imported (none is shipped). Page 1 is ``reports.summary.page_one``
    (the same content as the top of Results) from ``timeline`` (a ``reports.summary.Timeline``: round, date,
    change, next round) and ``focus`` (default: the plan's focus areas); a "Change over time" section follows
    it when there is a previous round.
    """
    from reports import summary as one_page  # summary builds on this module's blocks

    actions = report_actions(plan, plan_start) if not result.suppressed else []
    is_plan = isinstance(plan, ActionPlan)
    top_count = plan.top if isinstance(plan, ActionPlan) else len(actions)
    team_kpis = dict(result.kpis if kpis is None else kpis)
    comparisons = pack_percentiles(result, pack) if pack is not None else []
    benchmark_name = f"of the imported pack {pack.source_name}" if pack is not None else ""
    summary = summary_sentences(questionnaire, result, actions, comparisons, benchmark_name)
    suppressed = suppression_notes(questionnaire, result)

    if timeline is None:
        # no timeline from the caller (the leader's ZIP, a file): the previous round and rounds given say it
        timeline = one_page.timeline_from(questionnaire, result, previous, previous_label, rounds)
    focus_areas = plan.focus if focus is None and isinstance(plan, ActionPlan) else focus or ()
    page = one_page.page_one(questionnaire, result, actions, timeline=timeline, focus=focus_areas)
    facts = [
        *([("Round", timeline.round_label)] if timeline.round_label else []),
        ("Date", page.dated),
        (
            "Questionnaire",
            f"{questionnaire.title} {result.questionnaire_version} · {_form_text(questionnaire, result)}",
        ),
    ]
    cover = Cover(
        kicker="Layerwise · team report",
        title=f"AI human-system report: {result.team}",
        headline=f"Results suppressed: {result.suppressed_reason}" if result.suppressed else page.headline,
        facts=facts,
        blocks=one_page.page_one_blocks(page),
    )

    # page 1 says what the summary sentences said: the next page starts with the layers
    sections: list[Section] = [Section("Foundations" if not result.suppressed else "Summary", [])]
    if result.suppressed:
        sections[0].blocks.extend(Paragraph(s) for s in summary)
    change_blocks = one_page.change_blocks(timeline) if not result.suppressed else []
    if change_blocks:
        sections.insert(0, Section("Change over time", change_blocks))
    if wording_note:
        sections[-1].blocks.insert(0, Paragraph(wording_note, label="Wording changed."))
    if not result.suppressed:
        ladder_table = charts.layer_ladder_table(result)
        layers = ladder_table[ladder_table["layer"].notna()]
        ladder_text = [
            str(row.note) if str(row.note).startswith(str(row.dimension)) else f"{row.dimension}: {row.note}"
            for row in layers.itertuples()
            if row.note
        ] or ["No layer is held down by the one below it."]
        # Capacity governance when it is the weakest dimension (the chart shows it on top)
        ladder_text += [str(note) for note in ladder_table[ladder_table["layer"].isna()]["note"]]
        ladder_text = [text.rstrip(".") + "." for text in ladder_text]
        sections[-1].blocks.append(
            Figure(
                charts.layer_ladder(result),
                caption=" ".join(ladder_text),
                name="layer_ladder",
                max_height=0.27,
            )
        )
        sections.append(
            Section(
                "Where the gains go",
                [Paragraph(paradox_sentence(questionnaire, result)), paradox_table(questionnaire, result)],
            )
        )

        bench_blocks: list[Block] = [
            Figure(
                charts.target_chart(result, target_levels or {}, previous, previous_label=previous_label),
                name="target",
                max_height=0.3,
            )
        ]
        if pack is not None:
            sources = " ".join(
                f"Benchmark: {label}. n = {n}. Source: {source}"
                for label, source, n in sorted({(row.label, row.source, row.n) for row in pack.rows})
            )
            bench_blocks.append(
                Figure(
                    charts.benchmark_chart(result, pack), caption=sources, name="benchmark", max_height=0.3
                )
            )
        if peer_comparisons:
            with_peers = [c for c in peer_comparisons if c.percentile is not None]
            if with_peers:
                bench_blocks.append(
                    Figure(
                        charts.benchmark_chart(result, list(peer_comparisons)), name="peers", max_height=0.4
                    )
                )
            else:
                reason = next((c.reason for c in peer_comparisons if c.reason), "not enough peer teams")
                bench_blocks.append(Paragraph(f"No peer percentiles yet: {reason}.", style="note"))
        if pack is None and not any(c.percentile is not None for c in peer_comparisons or []):
            bench_blocks.append(
                Paragraph(
                    "No other benchmark: peer percentiles need at least 5 peer teams, and no measured "
                    "benchmark pack has been imported (python cli.py pack import).",
                    style="note",
                )
            )
        if bench_blocks:
            sections.append(Section("Benchmark", bench_blocks))

        sections.append(
            Section(
                "Item heat table",
                [Figure(charts.item_heatmap(questionnaire, result), name="item_heatmap", max_height=0.9)],
                new_page=True,
            )
        )
        sections.append(_perception_section(questionnaire, result))

    capacity_blocks: list[Block] = []
    if result.ledger is not None:
        capacity_blocks.append(
            Figure(charts.capacity_waterfall(result.ledger), name="capacity", max_height=0.36)
        )
        capacity_blocks.append(Paragraph(result.ledger.summary))
        if result.ledger.team_size is None:
            capacity_blocks.append(
                Paragraph(
                    "Enter the number of people doing this work on the Outcomes page to see the team's "
                    "totals and full-time equivalents.",
                    style="note",
                )
            )
    elif result.ledger_errors:
        problems = "; ".join(f"{name}: {message}" for name, message in result.ledger_errors.items())
        capacity_blocks.append(
            Paragraph(f"The capacity ledger cannot be computed from the figures entered ({problems}).")
        )
    else:
        capacity_blocks.append(
            Paragraph(
                "No capacity figures entered yet: the ledger needs the hours the AI-assisted tasks take per "
                "person per week now, their gross task-time reduction, meta-work hours and the share of freed "
                "time deliberately redeployed (and, for the team's totals, the number of people)."
            )
        )
    kpi_table = charts.kpi_reference_table(questionnaire, team_kpis)
    kpi_blocks: list[Block] = []
    if not kpi_table.empty:
        kpi_blocks.append(
            Figure(charts.kpi_reference_chart(questionnaire, team_kpis), name="kpis", max_height=0.72)
        )
        entered = set(kpi_table.loc[kpi_table["who"] == "Your team", "kpi_id"])
        references = kpi_table[
            (kpi_table["who"] != "Your team") & (kpi_table["kpi_id"].isin(entered) | (not entered))
        ]
        labels = {kpi.id: kpi.label for kpi in questionnaire.kpis}
        contexts = _once_per_kpi([(row.kpi_id, row.context) for row in references.itertuples()])
        kpi_blocks.append(
            Table(
                columns=["KPI", "Reference point", "Kind of figure", "Value", "Source"],
                rows=[
                    [
                        labels.get(row.kpi_id, row.kpi_id),
                        f"{row.who}: {context}",
                        row.kind,
                        f"{row.value:g}",
                        row.source,
                    ]
                    for row, context in zip(references.itertuples(), contexts, strict=True)
                ],
                widths=[0.14, 0.4, 0.13, 0.07, 0.26],
                font_size=7,
                caption=(
                    "Reference points, what kind of figure each is, and the article it comes from (from the "
                    "questionnaire). None is a measured industry benchmark."
                ),
            )
        )
        if result.ledger is not None and result.ledger.redeployed_note:
            kpi_blocks.insert(
                1, Paragraph(result.ledger.redeployed_note, label="Freed capacity deliberately redeployed.")
            )
    capacity = Section("Capacity ledger", capacity_blocks, new_page=True)
    kpi_section = Section("KPIs against reference points", kpi_blocks, new_page=True) if kpi_blocks else None
    if result.ledger is None and kpi_section is not None:
        # without figures the ledger is one sentence: it follows the KPIs instead of holding a page alone
        sections.append(kpi_section)
        capacity = Section("Capacity ledger", capacity_blocks)
        kpi_section = None
    sections.append(capacity)
    if rounds and not result.suppressed:
        # on the capacity page: the ledger takes about a third of it
        trend = charts.trend_chart(rounds, highlight=result.team)
        sections.append(Section("Over time", [Figure(trend, name="trend", max_height=0.35)]))
    if kpi_section is not None:
        sections.append(kpi_section)

    if not result.suppressed:
        plan_blocks: list[Block] = []
        top = actions[:top_count] if is_plan else actions
        more = actions[top_count:] if is_plan else []
        if top:
            plan_blocks.append(
                Paragraph(
                    "Ranked so that foundations come first: layers that cap a higher layer, then the lowest "
                    "dimension scores, divided items and items many people could not answer; an action that "
                    "builds on another comes after it.",
                    style="note",
                )
            )
            if focus_areas:
                # page 1 says why each was chosen; the plan names them once more, not the reasons
                names = ", ".join(area.name for area in focus_areas)
                plan_blocks.append(Paragraph(f"Focus areas (page 1 says why): {names}.", style="small"))
            plan_blocks.append(_action_table(top, questionnaire))
        else:
            reason = plan.reason if isinstance(plan, ActionPlan) and plan.reason else "No actions yet."
            plan_blocks.append(Paragraph(reason))
        if more:
            plan_blocks.append(Paragraph("Further recommendations", style="lead"))
            plan_blocks.append(_more_actions_table(more, questionnaire))
        sections.append(Section("Action plan", plan_blocks, new_page=True))

        for dimension in result.dimensions:
            layer = f" · layer {dimension.layer}" if dimension.layer else ""
            sections.append(
                Section(
                    f"{dimension.name}{layer}",
                    _dimension_blocks(questionnaire, result, dimension, actions),
                    new_page=True,
                )
            )

    sections.append(_reading_section("team", [result]))
    sections.append(
        _method_section(
            questionnaire,
            [result],
            suppressed,
            pack=pack,
            generated_at=generated_at,
            extra=[f"Wording changed. {wording_note}"] if wording_note else (),
        )
    )
    return TeamReportContent(
        kind="team",
        title=f"Layerwise team report: {result.team}",
        subject=(
            f"AI human-system assessment and action plan of {result.team} "
            f"({questionnaire.title} {result.questionnaire_version})"
        ),
        keywords=["Layerwise", "AI", "action plan", result.team],
        header=f"Layerwise · {result.team}",
        generated_at=generated_at,
        cover=cover,
        sections=sections,
        suppressed=suppressed,
        team=result.team,
        summary=summary,
        actions=actions,
        wording_note=wording_note,
    )


# --- workshop report ------------------------------------------------------------------------------------


def _once_per_kpi(contexts: Sequence[tuple[str, str]]) -> list[str]:
    """Each reference point's context without the sentences an earlier reference point of the same KPI
    already said (a caveat about the KPI is printed once, not in every row)."""
    said: dict[str, set[str]] = {}
    out = []
    for kpi_id, context in contexts:
        sentences = re.split(r"(?<=[.!?])\s+", context.strip())
        seen = said.setdefault(kpi_id, set())
        out.append(" ".join(sentence for sentence in sentences if sentence not in seen))
        seen.update(sentences)
    return out


def _dimension_line(dimension: DimensionResult) -> str:
    """One sentence with a dimension's numbers, or why it has none."""
    if dimension.score is None:
        if dimension.suppressed:
            return f"{dimension.name}: suppressed ({dimension.suppressed_reason})."
        return f"{dimension.name}: no score."
    consensus = f", {dimension.consensus}" if dimension.consensus else ""
    return (
        f"{dimension.name}: score {format_score(dimension.score)}, "
        f"{_level_text(dimension.level, dimension.level_name)}{consensus}."
    )


def divided_item_lines(questionnaire: Questionnaire, result: TeamResult) -> list[str]:
    """One sentence per item the team is divided on (standard deviation of 1.0 or more), with its numbers."""
    lines = []
    for dimension in result.dimensions:
        for item in dimension.items:
            if item.consensus == "divided" and item.std is not None:
                question = questionnaire.item(item.id).question.strip()
                lines.append(
                    f"{dimension.name} — {question} (mean {format_score(item.mean or 0)}, standard deviation "
                    f"{format_score(item.std)}, {_plural(item.answered or 0, 'answer')} with a level)"
                )
    return lines


#: A workshop team's revealed results: dimension id → the team's result as frozen at the reveal, or None
#: where the team had too few answers for k (the room saw no number of it, and the group figures leave it out).
TeamRevealed = Mapping[str, DimensionResult | None]


def _team_results_table(
    questionnaire: Questionnaire, team_results: Mapping[str, TeamRevealed], k: int
) -> list[Block]:
    """Each workshop team's revealed dimensions side by side: score and level (coloured like the charts),
    or "no numbers" where the team was under k; dimensions never revealed are left out."""
    revealed_ids = {dimension_id for results in team_results.values() for dimension_id in results}
    dimensions = [d for d in questionnaire.dimensions if d.id in revealed_ids]
    rows: list[list[str]] = []
    colours: list[tuple[int, int, str]] = []
    for row_index, (team, results) in enumerate(team_results.items()):
        row = [team]
        for column, dimension in enumerate(dimensions, start=1):
            if dimension.id not in results:
                row.append("")
                continue
            found = results[dimension.id]
            if found is None or found.suppressed or found.score is None:
                row.append("no numbers")
                continue
            row.append(
                f"{format_score(found.score)} · {_level_text(found.level, found.level_name).removeprefix('level ')}"
            )
            if found.level is not None:
                colours.append((row_index, column, charts.LEVEL_COLOURS[found.level - 1]))
        rows.append(row)
    columns = ["Team", *(dimension.name for dimension in dimensions)]
    return [
        Paragraph(
            "Each team's own result in each revealed dimension, frozen when it was revealed: the same numbers "
            "the room saw. Scores run from 1 to 5."
        ),
        Table(
            columns=columns,
            rows=rows,
            widths=[1.4] + [1.0] * len(dimensions),
            font_size=8,
            bold_columns=(0,),
            cell_colours=colours,
            caption=(
                f"No numbers: fewer than k = {k} people of that team answered the dimension, so nothing about "
                "the team is shown and the group's figures leave it out."
            ),
        ),
    ]


def workshop_report_content(
    questionnaire: Questionnaire,
    result: TeamResult,
    *,
    workshop: str,
    generated_at: datetime,
    agreed_actions: Sequence[ReportAction] | Sequence[Any] | ActionPlan | None = None,
    participants: int | None = None,
    revealed: Sequence[str] | None = None,
    facilitator: str | None = None,
    team_results: Mapping[str, TeamRevealed] | None = None,
) -> WorkshopReportContent:
    """What a workshop's report says: participants (counts), each team's revealed results (a workshop of
    several teams), per-dimension distributions, divided items and the actions the teams agreed.

    ``participants`` is how many joined (``result.respondents`` is how many answered); ``revealed`` lists the
    dimension ids revealed in the session (None: all), the others are listed as not revealed. The
    distributions come from the result, so an item with fewer than k answers shows "suppressed".
    ``team_results`` maps each team to its revealed results as frozen at each reveal (see
    :data:`TeamRevealed`); a workshop of one team has none (its results are the group's).
    """
    actions = report_actions(agreed_actions, generated_at.date())
    divided = [] if result.suppressed else divided_item_lines(questionnaire, result)
    suppressed = suppression_notes(questionnaire, result)
    joined = participants if participants is not None else result.respondents
    facts = [
        ("Workshop", workshop),
        ("Team", result.team),
        ("Date", format_date(generated_at)),
        ("Questionnaire", f"{questionnaire.title}, version {result.questionnaire_version}"),
        ("Form", _form_text(questionnaire, result)),
        ("Participants", f"{joined} joined, {result.respondents} answered (k = {result.k})"),
    ]
    if facilitator:
        facts.append(("Facilitator", facilitator))
    cover = Cover(
        kicker="Layerwise · workshop report",
        title=f"Workshop: {workshop}",
        headline=f"{result.team} · {format_date(generated_at)}",
        facts=facts,
        note="What the team answered, where it disagreed, and what it agreed to do.",
    )
    role_counts: dict[str, int] = {}
    for segment in result.segments:
        role_counts[segment.role] = max(role_counts.get(segment.role, 0), segment.respondents)
    form, _, details = _form_text(questionnaire, result).partition(" ")
    participant_blocks: list[Block] = [
        Paragraph(
            f"{_plural(joined, 'participant')} joined and {result.respondents} answered the {form.lower()} "
            f"questionnaire {details}."
        )
    ]
    if role_counts:
        participant_blocks.append(
            Table(
                columns=["Role", "Respondents with a score"],
                rows=[
                    [role.capitalize(), str(count) if count >= result.k else f"fewer than {result.k}"]
                    for role, count in role_counts.items()
                ],
                widths=[0.5, 0.5],
            )
        )
    if result.suppressed:
        participant_blocks.append(
            Paragraph(f"The answers are suppressed: {result.suppressed_reason}. No distributions are shown.")
        )
    # the participants go on page 1 under the title (a cover of facts alone was two-thirds empty)
    cover.blocks.extend([Paragraph("Participants", style="lead"), *participant_blocks])
    sections: list[Section] = []
    if team_results and any(team_results.values()):
        sections.append(
            Section("Results by team", _team_results_table(questionnaire, team_results, result.k))
        )
    # a workshop of several teams answered as one room: its distributions are everyone's together
    answered_by = "the room" if len(team_results or {}) > 1 else "the team"
    if not result.suppressed:
        distribution_blocks: list[Block] = []
        shown_ids = None if revealed is None else set(revealed)
        hidden_names = []
        for dimension in result.dimensions:
            if shown_ids is not None and dimension.id not in shown_ids:
                hidden_names.append(dimension.name)
                continue
            summary = _dimension_line(dimension)
            distribution_blocks.append(
                Figure(
                    charts.item_distribution(questionnaire, dimension, answered_by=answered_by),
                    caption=summary,
                    name=f"distribution_{dimension.id}",
                    max_height=0.42,
                )
            )
        if hidden_names:
            distribution_blocks.append(
                Paragraph(f"Not revealed in the workshop: {', '.join(hidden_names)}.", style="note")
            )
        sections.append(Section(f"How {answered_by} answered", distribution_blocks))
        sections.append(
            Section(
                "Divided items",
                [Bullets(divided)]
                if divided
                else [
                    Paragraph("The team was not divided on any item (no standard deviation of 1.0 or more).")
                ],
                new_page=True,
            )
        )
    action_blocks: list[Block] = (
        [_agreed_actions_table(actions)]
        if actions
        else [Paragraph("No actions were agreed in this workshop.")]
    )
    sections.append(Section("Agreed actions", action_blocks, new_page=False))
    sections.append(_reading_section("workshop", [result]))
    sections.append(
        _method_section(
            questionnaire, [result], suppressed, pack=None, generated_at=generated_at, include_rules=False
        )
    )
    return WorkshopReportContent(
        kind="workshop",
        title=f"Layerwise workshop report: {workshop}",
        subject=f"Workshop {workshop} of {result.team}: answers, divided items and agreed actions",
        keywords=["Layerwise", "workshop", result.team],
        header=f"Layerwise · workshop {workshop}",
        generated_at=generated_at,
        cover=cover,
        sections=sections,
        suppressed=suppressed,
        workshop=workshop,
        team=result.team,
        divided_items=divided,
        actions=actions,
    )


# --- organisation report --------------------------------------------------------------------------------


def ranking(results: Sequence[TeamResult]) -> list[TeamResult]:
    """Teams in ranking order: complete teams by stage first, then index (``scoring.rules.rank_key``); then
    the incomplete teams (no stage, not ranked) and the suppressed ones, each by name."""
    complete, incomplete, suppressed = standing.ranked(results)
    return [*complete, *incomplete, *suppressed]


def dimension_table(
    result: TeamResult,
    comparisons: Sequence[BenchmarkComparison] = (),
    benchmark: str = "Benchmark",
    *,
    drop_empty_benchmark: bool = False,
) -> Table:
    """A team's dimensions as a table: score, own level, gated level (coloured like the charts), the
    benchmark percentile and why a number is missing; suppressed dimensions read "suppressed".

    ``drop_empty_benchmark`` leaves the benchmark column out when no dimension has a percentile."""
    by_id = {comparison.dimension_id: comparison for comparison in comparisons}
    rows: list[list[str]] = []
    colours: list[tuple[int, int, str]] = []
    for index, dimension in enumerate(result.dimensions):
        comparison = by_id.get(dimension.id)
        if dimension.score is None:
            note = (
                "suppressed: " + (dimension.suppressed_reason or "") if dimension.suppressed else "no score"
            )
            rows.append(
                [
                    dimension.name,
                    str(dimension.layer or "–"),
                    "suppressed" if dimension.suppressed else "",
                    "",
                    "",
                    "",
                    note,
                ]
            )
            continue
        percentile = (
            ""
            if comparison is None or comparison.percentile is None
            else charts._ordinal(comparison.percentile)
        )
        rows.append(
            [
                dimension.name,
                str(dimension.layer or "–"),
                format_score(dimension.score),
                _level_text(dimension.level, dimension.level_name).removeprefix("level "),
                _level_text(dimension.gated_level, dimension.gated_level_name).removeprefix("level "),
                percentile,
                dimension.cap_explanation or (dimension.consensus or ""),
            ]
        )
        if dimension.gated_level is not None:
            colours.append((index, 4, charts.LEVEL_COLOURS[dimension.gated_level - 1]))
    columns = ["Dimension", "Layer", "Score", "Own level", "Counts as", benchmark, "Note"]
    # Score wide enough for "suppressed" on one line
    widths = [0.18, 0.07, 0.12, 0.14, 0.14, 0.11, 0.24]
    if drop_empty_benchmark and not any(row[5] for row in rows):
        columns, widths = columns[:5] + columns[6:], [*widths[:5], 0.35]
        rows = [row[:5] + row[6:] for row in rows]
    return Table(
        columns=columns,
        rows=rows,
        widths=widths,
        font_size=8,
        bold_columns=(0,),
        cell_colours=colours,
    )


def _team_summary_blocks(
    questionnaire: Questionnaire,
    result: TeamResult,
    plan: ActionPlan | Sequence[Any] | None,
    generated_at: datetime,
    pack: BenchmarkPack | None,
) -> list[Block]:
    """One team's page in the organisation report: summary sentences, its dimensions and top actions.

    A table rather than a chart per team: 30 more chart renders would take seconds (vl-convert costs
    about 0.1–0.2 s a chart), and the table carries the same numbers as the heatmap and the ladder.
    """
    if result.suppressed:
        return [
            Paragraph(
                f"{_plural(result.respondents, 'respondent')}. Suppressed: {result.suppressed_reason}. "
                "No numbers are shown for this team."
            )
        ]
    actions = report_actions(plan, generated_at.date())
    comparisons = pack_percentiles(result, pack) if pack is not None else []
    # the top actions are the table below, so the sentences do not list them again (half a page per team,
    # so two teams share a page)
    blocks: list[Block] = [Paragraph(" ".join(summary_sentences(questionnaire, result, [])))]
    blocks.append(
        dimension_table(
            result, comparisons, "Percentile" if pack is not None else "Benchmark", drop_empty_benchmark=True
        )
    )
    if actions:
        top = actions[:SUMMARY_ACTIONS]
        blocks.append(Paragraph("Top actions", style="lead"))
        blocks.append(
            filled_actions_table(top, ["Action", "Owner", "Due", "KPI"], [str(a.priority) for a in top])
        )
    # what is not shown for the team (perception gaps, roles) is in one table at the end, not on every page
    return blocks


#: Above this many teams the organisation report has no heatmap chart, gap chart or page per team (see
#: :func:`org_report_content`); its ranking still lists every team.
ORG_DETAIL_TEAMS = 60


def org_report_content(
    questionnaire: Questionnaire,
    results: Sequence[TeamResult],
    plans: Mapping[str, ActionPlan | Sequence[Any]] | Sequence[ActionPlan] | None = None,
    *,
    pack: BenchmarkPack | None,
    generated_at: datetime,
    rounds: charts.TrendRounds | None = None,
    organisation: str = "",
) -> OrgReportContent:
    """What the organisation report says: the heatmap, a ranking table, trends, perception gaps, then one
    summary page per team. ``plans`` maps team names to plans (or is a list of ``ActionPlan``, matched by
    team); missing plans are built by the caller, never here. Suppressed teams appear by name with their
    respondent count and the reason, never with a number. ``organisation`` is the name printed ("": the
    report speaks of all teams and has no organisation line)."""
    named = organisation.strip()
    organisation = named or "all teams"
    if plans is None:
        plan_by_team: dict[str, Any] = {}
    elif isinstance(plans, Mapping):
        plan_by_team = dict(plans)
    else:
        plan_by_team = {plan.team: plan for plan in plans}
    ordered = ranking(results)
    suppressed_all: list[str] = []
    suppressed_by_team: dict[str, list[str]] = {}
    for result in results:
        notes = suppression_notes(questionnaire, result)
        if notes:
            suppressed_by_team[result.team] = notes
        suppressed_all.extend(
            note if note.startswith(result.team) else f"{result.team}: {note}" for note in notes
        )
    shown = [r for r in results if not r.suppressed]
    cover = Cover(
        kicker="Layerwise · organisation report",
        title=f"AI human-system report: {organisation}",
        headline=f"{_plural(len(results), 'team')} · {format_date(generated_at)}",
        facts=[
            *([("Organisation", named)] if named else []),
            ("Date", format_date(generated_at)),
            ("Questionnaire", f"{questionnaire.title}, version {questionnaire.version}"),
            ("Teams", f"{len(results)} ({len(shown)} with results, {len(results) - len(shown)} suppressed)"),
            ("Respondents", str(sum(r.respondents for r in results))),
        ],
        note="Every team side by side: where each stands, what holds it back and what it will do next.",
    )
    complete, incomplete, suppressed_teams = standing.ranked(results)
    from reports.summary import change_cells  # summary builds on this module's blocks

    changes = change_cells(questionnaire, results, rounds)
    rows = []
    for position, result in enumerate(complete, start=1):
        strongest, weakest = strongest_and_weakest(result)
        blocker = standing.blocker(result)
        rows.append(
            [
                str(position),
                result.team,
                str(result.respondents),
                f"{result.overall.stage} {result.overall.stage_name or ''}".strip(),
                "" if result.overall.index is None else f"{result.overall.index:.1f}",
                "" if strongest is None else f"{strongest.name} {format_score(strongest.score or 0)}",
                "" if weakest is None else f"{weakest.name} {format_score(weakest.score or 0)}",
                "" if blocker is None else blocker.name,
                changes.get(result.team, ""),
            ]
        )
    unranked_rows = [
        [result.team, str(result.respondents), standing.incomplete_reason(result) or ""]
        for result in incomplete
    ] + [
        [result.team, str(result.respondents), f"suppressed: {result.suppressed_reason or ''}"]
        for result in suppressed_teams
    ]
    ranking_blocks: list[Block] = [
        Table(
            columns=["#", "Team", "Resp.", "Stage", "Index", "Strongest", "Weakest", "Blocker", "Change"],
            rows=rows,
            widths=[0.04, 0.15, 0.07, 0.11, 0.07, 0.14, 0.14, 0.11, 0.17],
            font_size=7.5,
            caption=(
                "By stage first, then overall index (0–100): a layer counts only as far as the one under it "
                "allows. Blocker: the lowest layer that holds the team at its stage. Change: since the team's "
                "previous round, the index and how many dimensions rose or fell by more than noise (95 % "
                "interval of the difference, Welch)."
            ),
        )
        if rows
        else Paragraph("No team has all four layers scored yet, so none is ranked.")
    ]
    if unranked_rows:
        ranking_blocks.append(Paragraph("Not ranked", style="lead"))
        ranking_blocks.append(
            Table(
                columns=["Team", "Resp.", "Why"],
                rows=unranked_rows,
                widths=[0.22, 0.08, 0.7],
                font_size=7.5,
                caption="A stage and a rank need all four layers scored; suppressed teams show no numbers.",
            )
        )
    overview: list[Block] = [
        Paragraph(
            f"{_plural(len(results), 'team')} answered {questionnaire.title} ({questionnaire.version}); "
            f"{len(shown)} have results and {len(results) - len(shown)} are suppressed because fewer people "
            "responded than the anonymity threshold allows."
        ),
    ]
    large = len(results) > ORG_DETAIL_TEAMS
    if large:
        # a heatmap or a page per team of hundreds of teams is a book nobody reads (and took minutes and
        # gigabytes to draw): the ranking lists every team; the detail is in the unit and team reports
        overview.append(
            Paragraph(
                f"With more than {ORG_DETAIL_TEAMS} teams this report shows the organisation as a whole and "
                "ranks every team; each team's heatmap row, gaps and summary page are in its unit's report "
                "and in its own team report (Leader view: pick a unit, or download one PDF per team).",
                style="note",
            )
        )
    else:
        overview.append(Figure(charts.org_heatmap(results), name="org_heatmap", max_height=0.86))
    # imported here: reports.org_summary builds its blocks from this module's block types
    from reports.org_summary import org_summary_blocks

    # the summary is page 1, under the title (a cover of facts alone was two-thirds empty)
    cover.blocks.extend([Paragraph("Summary", style="lead"), *org_summary_blocks(questionnaire, results)])
    sections: list[Section] = [
        Section("Teams at a glance", overview, new_page=True),
        Section(
            "Ranking",
            ranking_blocks,
            new_page=True,
        ),
    ]
    if rounds:
        sections.append(
            Section(
                "Trends", [Figure(charts.trend_chart(rounds), name="trend", max_height=0.45)], new_page=True
            )
        )
    gap_table = charts.gap_table(results)
    flagged = gap_table[gap_table["flagged"] == True]  # noqa: E712 - a pandas mask
    any_gap = bool(gap_table["gap"].notna().any())
    gap_blocks: list[Block] = (
        []
        if large or not any_gap
        else [Figure(charts.gap_chart(list(results)), name="gaps", max_height=0.82)]
    )
    if not any_gap:
        gap_blocks.append(
            Paragraph(
                "No perception gap can be shown: a gap needs at least k leaders and k others with a score in "
                "the same team, and no team has both (Method: what was suppressed and why)."
            )
        )
    elif not flagged.empty:
        # the largest gaps first; the heatmap above holds every one of them
        largest = flagged.reindex(flagged["gap"].abs().sort_values(ascending=False).index)
        lines = [
            f"{row.team}, {row.dimension}: leaders {format_score(row.leader_mean)}, the others "
            f"{format_score(row.others_mean)} (gap {row.gap:+.2f})"
            for row in largest.itertuples()
        ]
        if len(lines) > MAX_GAP_LINES:
            lines = [
                *lines[:MAX_GAP_LINES],
                f"… and {len(lines) - MAX_GAP_LINES} more flagged gaps "
                + ("(each unit's report shows them all)." if large else "(see the heatmap)."),
            ]
        gap_blocks.append(Paragraph(f"Flagged gaps, largest first ({len(flagged)}):", style="lead"))
        gap_blocks.append(Bullets(lines))
    else:
        gap_blocks.append(Paragraph(f"No gap of {GAP_THRESHOLD:.1f} or more between leaders and the others."))
    sections.append(Section("Perception gaps", gap_blocks, new_page=True))
    for result in [] if large else ordered:
        sections.append(
            Section(
                result.team,
                _team_summary_blocks(
                    questionnaire, result, plan_by_team.get(result.team), generated_at, pack
                ),
                new_page=True,
                whole=True,
            )
        )
    sections.append(_reading_section("organisation", results))
    sections.append(
        _method_section(
            questionnaire,
            results,
            suppressed_all,
            pack=pack,
            generated_at=generated_at,
            suppressed_by_team=suppressed_by_team,
        )
    )
    return OrgReportContent(
        kind="organisation",
        title=f"Layerwise organisation report: {organisation}",
        subject=(
            f"AI human-system assessment of {len(results)} teams: heatmap, ranking, trends, gaps and team "
            "summaries"
        ),
        keywords=["Layerwise", "organisation", "AI"],
        header=f"Layerwise · {organisation}",
        generated_at=generated_at,
        cover=cover,
        sections=sections,
        suppressed=suppressed_all,
        organisation=organisation,
        teams=[result.team for result in results],
        ranking=[result.team for result in ordered],
    )
