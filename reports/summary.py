"""The whole story on one page: what the team report's first page and the top of the Results page say.

:func:`page_one` (pure) builds a :class:`PageOne` from a published result, the team's plan and its
:class:`Timeline` (round, date, change since the last round, the path over three or more rounds, what became
of the earlier actions, the next round); :func:`page_one_blocks` lays it out as report blocks for the PDF,
and the Results page shows the same fields. Nothing here computes a number from individual answers: every
figure comes from published results, the team-entered capacity figures and ``scoring.change``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from questionnaires.schema import Questionnaire
from reports.content import Block, Bullets, Paragraph, ReportAction, Table, format_date
from scoring import standing
from scoring.actions import item_evidence
from scoring.change import ActionFollowUp, RoundChange, compare_rounds, item_labels, paths
from scoring.models import FocusArea, TeamResult
from scoring.paradox import paradox_reading
from scoring.rules import format_score, full_time_equivalents

#: How many opportunities and actions page 1 names.
PAGE_ONE_OPPORTUNITIES = 3
PAGE_ONE_ACTIONS = 3
#: How many earlier actions the change section lists.
FOLLOW_UPS_SHOWN = 7


@dataclass(frozen=True)
class Timeline:
    """What a report knows about time: the round's label, the date its results stand for (published, or
    the day the assessment closed), the people on the team (for the response rate), the change since the
    previous round, the path over three or more rounds, the earlier round's actions and the next round."""

    round_label: str | None = None
    dated: date | None = None
    team_size: int | None = None
    change: RoundChange | None = None
    paths: list[str] = field(default_factory=list)
    follow_ups: list[ActionFollowUp] = field(default_factory=list)
    next_round: date | None = None


@dataclass(frozen=True)
class PageOne:
    """Page 1: every field is plain text (or rows of it), ready for the PDF and the Results page."""

    team: str
    title: str
    dated: str
    stage: str
    held_by: str
    index: str
    responses: str
    change_columns: list[str]
    change_rows: list[list[str]]
    change_note: str
    paths: list[str]
    strength: str
    opportunities: list[str]
    ledger_columns: list[str]
    ledger_rows: list[list[str]]
    ledger_note: str
    paradox: str
    focus: list[str]
    action_rows: list[list[str]]
    next_round: str
    suppressed: str | None = None
    #: the items that moved by more than noise (item, before, after, change) and the earlier actions' fate
    moved_items: list[list[str]] = field(default_factory=list)
    follow_ups: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """Stage and index, said once: "Stage 1 Ad hoc · index 42.0 of 100"."""
        if self.suppressed:
            return self.suppressed
        return f"{self.stage} · index {self.index}"

    def texts(self) -> list[str]:
        """Every text on the page, in reading order (for tests and search)."""
        out = [self.title, self.dated, self.stage, self.held_by, self.index, self.responses]
        out += [" | ".join(row) for row in self.change_rows] + [self.change_note, *self.paths]
        out += [self.strength, *self.opportunities]
        out += [" | ".join(row) for row in self.ledger_rows] + [self.ledger_note, self.paradox, *self.focus]
        out += [" | ".join(row) for row in self.action_rows] + [self.next_round]
        return [text for text in out if text] + ([self.suppressed] if self.suppressed else [])


def _stage(result: TeamResult) -> tuple[str, str]:
    if result.suppressed:
        return "suppressed", ""
    stage = standing.team_stage(result)
    if stage is None:
        reason = standing.incomplete_reason(result) or "incomplete"
        return "no stage yet", reason[:1].upper() + reason[1:] + "."
    blocker = standing.blocker(result)
    label = f"Stage {stage} {result.overall.stage_name or ''}".rstrip()
    if blocker is None:
        return label, ""
    capped = [d.name for d in result.dimensions if d.capped_by == blocker.id]
    holds = f", and it holds {', '.join(capped)} down" if capped else ""
    return label, (
        f"Held there by {blocker.name} (layer {blocker.layer}, score {format_score(blocker.score or 0)}, "
        f"level {blocker.gated_level}){holds}: raise {blocker.name} to reach stage {stage + 1}."
        if stage < 5
        else f"At the top stage; {blocker.name} (layer {blocker.layer}) is the layer to keep there."
    )


def _responses(result: TeamResult, team_size: int | None) -> str:
    if result.mode == "consensus":
        return "One answer set agreed together (consensus)"
    base = f"{result.respondents} responses"
    if team_size:
        rate = min(result.respondents / team_size, 1.0)
        base += f" of {team_size} people ({rate * 100:.0f} % response rate)"
    else:
        base += " (team size not entered: no response rate)"
    return f"{base} · anonymity threshold k = {result.k}"


def _change(
    questionnaire: Questionnaire, result: TeamResult, timeline: Timeline
) -> tuple[list[str], list[list[str]], str]:
    change = timeline.change
    if change is None:
        return (
            [],
            [],
            "First round: the next one will show the change per dimension and whether it is more than noise.",
        )
    columns = ["Dimension", change.before_label, change.after_label, "Change", "More than noise?"]
    rows = []
    for dimension in change.dimensions:
        if dimension.before is None or dimension.after is None or dimension.difference is None:
            rows.append([dimension.label, "—", "—", "", "not comparable"])
            continue
        interval = (
            ""
            if dimension.low is None
            else f" (95 % interval {_signed(dimension.low)} to {_signed(dimension.high or 0)})"
        )
        rows.append(
            [
                dimension.label,
                format_score(dimension.before),
                format_score(dimension.after),
                _signed(dimension.difference) + interval,
                {"rose": "yes: rose", "fell": "yes: fell"}.get(dimension.verdict, dimension.verdict),
            ]
        )
    if change.index_before is not None and change.index_after is not None:
        rows.append(
            [
                "Index (0–100)",
                f"{change.index_before:.1f}",
                f"{change.index_after:.1f}",
                _signed(round(change.index_after - change.index_before, 1)),
                "not tested (no spread)",
            ]
        )
    clear_items = [item for item in change.items if item.clear]
    note = (
        f"A change counts when the 95 % interval of the difference of the two rounds' means (Welch) excludes "
        f"zero; {len(clear_items)} of {len(change.items)} items moved by more than noise."
    )
    return columns, rows, note


def _signed(value: float) -> str:
    return f"{'+' if value >= 0 else '−'}{format_score(abs(value))}"


def _strength_and_opportunities(questionnaire: Questionnaire, result: TeamResult) -> tuple[str, list[str]]:
    scored = [d for d in result.dimensions if d.score is not None]
    if result.suppressed or not scored:
        return "", []
    strongest = max(scored, key=lambda d: d.score or 0)
    items = [item for d in result.dimensions for item in d.items if item.mean is not None]
    best_item = max(
        (i for i in items if i.dimension_id == strongest.id), key=lambda i: i.mean or 0, default=None
    )
    labels = item_labels(questionnaire)
    strength = f"{strongest.name} {format_score(strongest.score or 0)} ({strongest.level_name})"
    if best_item is not None:
        question = questionnaire.item(best_item.id).question.strip()
        strength += (
            f"; best item: {labels[best_item.id]}, “{question}” at {format_score(best_item.mean or 0)}"
        )
    lowest = sorted(items, key=lambda i: (i.mean or 0, i.id))[:PAGE_ONE_OPPORTUNITIES]
    opportunities = [
        f"{labels[item.id]}: {questionnaire.item(item.id).question.strip()} ({item_evidence(questionnaire, item)})"
        for item in lowest
    ]
    return strength, opportunities


def _ledger(result: TeamResult) -> tuple[list[str], list[list[str]], str]:
    ledger = result.ledger
    if ledger is None:
        return (
            [],
            [],
            (
                "No capacity ledger yet: enter the AI-assisted hours, task-time reduction, meta-work and the share "
                "redeployed on the Outcomes page."
            ),
        )
    columns = ["", "Freed", "Eaten by meta-work", "Redeployed", "Absorbed"]
    per_person = [ledger.hours_freed, ledger.meta_work_hours, ledger.redeployed_hours, ledger.absorbed_hours]
    rows = [["Hours a week, per person", *(f"{v:.1f}" for v in per_person)]]
    if ledger.team_size and ledger.team_hours_freed is not None:
        team = [v * ledger.team_size for v in per_person]
        rows.append([f"Hours a week, team of {ledger.team_size}", *(f"{v:.1f}" for v in team)])
        rows.append(["Full-time equivalents", *(f"{full_time_equivalents(v):.1f}" for v in team)])
        note = ""
    else:
        note = "Enter the number of people doing this work (Outcomes page) for the team's hours and FTE."
    if ledger.meta_work_exceeds_savings:
        note = (note + " " if note else "") + "Meta-work eats every hour AI frees."
    return columns, rows, note


def _paradox(questionnaire: Questionnaire, result: TeamResult) -> str:
    if result.suppressed:
        return ""
    reading = paradox_reading(questionnaire, result)
    if reading.eating is None:
        measured = [m for m in reading.mechanisms if m.mean is not None]
        return (
            "No paradox mechanism stands out (every one averages 3.4 or more)."
            if measured
            else "Too few item scores to say which paradox mechanism eats the gains."
        )
    eating = next(m for m in reading.mechanisms if m.id == reading.eating)
    return f"{eating.name} eats the gains: {eating.description} (its items average {format_score(eating.mean or 0)})."


def _due(action: ReportAction) -> str:
    if action.due is not None:
        return format_date(action.due)
    return f"within {action.horizon_days} days" if action.horizon_days else ""


def page_one(
    questionnaire: Questionnaire,
    result: TeamResult,
    actions: Sequence[ReportAction],
    *,
    timeline: Timeline | None = None,
    focus: Sequence[FocusArea] = (),
) -> PageOne:
    """Page 1 of the team report and the top of Results: stage and what holds it there, index, responses
    and response rate, the change since the last round per dimension (and the path over three or more
    rounds), the top strength and the three lowest items, the team's capacity ledger, the paradox mechanism
    eating the gains, the focus areas and the first three actions with owner and due date."""
    timeline = timeline or Timeline()
    title = result.team + (f" · round {timeline.round_label}" if timeline.round_label else "")
    dated = format_date(timeline.dated) if timeline.dated else "not dated (scored from a file)"
    stage, held_by = _stage(result)
    index = (
        "suppressed"
        if result.suppressed
        else ("no index yet" if result.overall.index is None else f"{result.overall.index:.1f} of 100")
    )
    if result.suppressed:
        return PageOne(
            team=result.team, title=title, dated=dated, stage=stage, held_by="", index=index,
            responses=_responses(result, timeline.team_size), change_columns=[], change_rows=[], change_note="",
            paths=[], strength="", opportunities=[], ledger_columns=[], ledger_rows=[], ledger_note="",
            paradox="", focus=[], action_rows=[], next_round="",
            suppressed=f"Results are suppressed: {result.suppressed_reason}. Nothing about the team is shown "
            "until enough people have answered.",
        )  # fmt: skip
    change_columns, change_rows, change_note = _change(questionnaire, result, timeline)
    strength, opportunities = _strength_and_opportunities(questionnaire, result)
    ledger_columns, ledger_rows, ledger_note = _ledger(result)
    action_rows = [
        [str(position), action.title, action.owner, _due(action)]
        for position, action in enumerate(actions[:PAGE_ONE_ACTIONS], start=1)
    ]
    return PageOne(
        team=result.team,
        title=title,
        dated=dated,
        stage=stage,
        held_by=held_by,
        index=index,
        responses=_responses(result, timeline.team_size),
        change_columns=change_columns,
        change_rows=change_rows,
        change_note=change_note,
        paths=list(timeline.paths),
        strength=strength,
        opportunities=opportunities,
        ledger_columns=ledger_columns,
        ledger_rows=ledger_rows,
        ledger_note=ledger_note,
        paradox=_paradox(questionnaire, result),
        focus=[area.reason for area in focus],
        action_rows=action_rows,
        moved_items=[] if timeline.change is None else _moved_rows(timeline.change),
        follow_ups=_follow_up_lines(timeline),
        next_round=(
            f"Next round recommended by {format_date(timeline.next_round)} (the plan's longest horizon, at "
            "most six months)."
            if timeline.next_round
            else ""
        ),
    )


def page_one_blocks(page: PageOne) -> list[Block]:
    """Page 1 as report blocks (the PDF prints them under the title, on one page)."""
    if page.suppressed:
        return [Paragraph(page.suppressed, style="lead"), Paragraph(page.responses)]
    blocks: list[Block] = [Paragraph(page.responses, label="Responses:")]
    if page.held_by:
        blocks.append(Paragraph(page.held_by, label="What holds the stage:"))
    if page.change_rows:
        blocks.append(Paragraph("Change since the last round", style="lead"))
        blocks.append(
            _table(page.change_columns, page.change_rows, [0.22, 0.1, 0.1, 0.36, 0.22], page.change_note)
        )
    else:
        blocks.append(Paragraph(page.change_note, style="note"))
    if page.paths:
        blocks.append(Paragraph("; ".join(page.paths) + ".", style="small", label="Path:"))
    blocks.append(Paragraph(page.strength, label="Top strength:"))
    if page.opportunities:
        blocks.append(Paragraph("Top 3 opportunities (the lowest items)", style="lead"))
        blocks.append(_numbered(page.opportunities))
    blocks.append(Paragraph("Capacity: where the freed hours go", style="lead"))
    if page.ledger_rows:
        blocks.append(
            _table(page.ledger_columns, page.ledger_rows, [0.32, 0.17, 0.17, 0.17, 0.17], page.ledger_note)
        )
    elif page.ledger_note:
        blocks.append(Paragraph(page.ledger_note, style="note"))
    blocks.append(Paragraph(page.paradox, label="Paradox:"))
    blocks.append(Paragraph("Focus and first actions", style="lead"))
    if page.focus:
        blocks.append(_numbered(page.focus))
    if page.action_rows:
        blocks.append(
            Table(
                columns=["#", "Action", "Owner", "Due"],
                rows=page.action_rows,
                widths=[0.05, 0.6, 0.2, 0.15],
                font_size=7.5,
                bold_columns=(1,),
            )
        )
    if page.next_round:
        blocks.append(Paragraph(page.next_round, style="note"))
    return blocks


def _table(columns: list[str], rows: list[list[str]], widths: list[float], caption: str) -> Table:
    """A page-1 table: small type, the first column in bold."""
    return Table(
        columns=columns, rows=rows, widths=widths, font_size=7.5, bold_columns=(0,), caption=caption or None
    )


def _numbered(texts: Sequence[str]) -> Block:
    return Bullets(list(texts), numbered=True, style="small")


def _moved_rows(change: RoundChange) -> list[list[str]]:
    return [
        [
            item.label,
            format_score(item.before or 0),
            format_score(item.after or 0),
            f"{_signed(item.difference or 0)} ({_signed(item.low or 0)} to {_signed(item.high or 0)}): {item.verdict}",
        ]
        for item in change.items
        if item.clear
    ]


def _follow_up_lines(timeline: Timeline) -> list[str]:
    return [f"{f.title}: {f.sentence}." for f in timeline.follow_ups[:FOLLOW_UPS_SHOWN]]


def change_blocks(timeline: Timeline) -> list[Block]:
    """The change section: every item that moved by more than noise, and what became of the earlier round's
    actions (empty without a previous round)."""
    change = timeline.change
    if change is None:
        return []
    blocks: list[Block] = [
        Paragraph(
            f"{change.before_label} against {change.after_label}, from both rounds' published results. A change "
            "counts when the 95 % confidence interval of the difference of the two means (Welch's t) excludes "
            'zero; inside it the change reads "no clear change".',
            style="note",
        )
    ]
    moved = _moved_rows(change)
    if moved:
        blocks.append(
            Table(
                columns=["Item", change.before_label, change.after_label, "Change (95 % interval)"],
                rows=moved,
                widths=[0.34, 0.14, 0.14, 0.38],
                font_size=7.5,
                caption=f"{len(moved)} of {len(change.items)} items moved by more than noise; the others show no "
                "clear change.",
            )
        )
    else:
        blocks.append(Paragraph(f"No item moved by more than noise ({len(change.items)} compared)."))
    if timeline.follow_ups:
        blocks.append(Paragraph(f"The actions of {change.before_label}", style="lead"))
        blocks.append(Bullets(_follow_up_lines(timeline), style="small"))
    return blocks


def timeline_from(
    questionnaire: Questionnaire,
    result: TeamResult,
    previous: TeamResult | None,
    previous_label: str | None,
    rounds: Mapping[str, Sequence[TeamResult]] | Sequence[tuple[str, Sequence[TeamResult]]] | None,
) -> Timeline:
    """A :class:`Timeline` from what a report caller already holds: the team's previous published round and
    the rounds of the trend (no dates, team size or earlier actions: those need the database)."""
    ordered = list(rounds.items()) if isinstance(rounds, Mapping) else list(rounds or [])
    team_rounds = [(label, r) for label, members in ordered for r in members if r.team == result.team]
    change = (
        compare_rounds(questionnaire, previous, result, previous_label or "previous round", "this round")
        if previous is not None and not previous.suppressed and not result.suppressed
        else None
    )
    return Timeline(change=change, paths=paths(questionnaire, team_rounds))


def change_cells(
    questionnaire: Questionnaire,
    results: Sequence[TeamResult],
    rounds: Mapping[str, Sequence[TeamResult]] | Sequence[tuple[str, Sequence[TeamResult]]] | None,
) -> dict[str, str]:
    """The organisation report's "Change since last round" column: per team, its index change and how many
    dimensions rose or fell by more than noise since its previous published round in ``rounds`` (oldest
    first), e.g. "index +24.8; 5 rose"; "first round" without an earlier one."""
    ordered = list(rounds.items()) if isinstance(rounds, Mapping) else list(rounds or [])
    cells: dict[str, str] = {}
    for result in results:
        if result.suppressed:
            continue
        seen = [
            (label, found)
            for label, members in ordered
            for found in members
            if found.team == result.team and not found.suppressed
        ]
        position = next((i for i, (_, found) in enumerate(seen) if found is result), len(seen))
        if position == 0 or not seen:
            cells[result.team] = "first round"
            continue
        label, previous = seen[position - 1]
        change = compare_rounds(questionnaire, previous, result, label, "now", items=False)
        rose = sum(d.verdict == "rose" for d in change.dimensions)
        fell = sum(d.verdict == "fell" for d in change.dimensions)
        moved = ", ".join(
            part for part in (f"{rose} rose" if rose else "", f"{fell} fell" if fell else "") if part
        )
        index = (
            f"index {_signed(round(change.index_after - change.index_before, 1))}; "
            if change.index_before is not None and change.index_after is not None
            else ""
        )
        cells[result.team] = f"{index}{moved or 'no clear change'} (since {label})"
    return cells
