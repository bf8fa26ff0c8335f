"""Units: the organisation's structure, unit leaders, and every result rolled up the tree.

- **Structure**: set by importing a ``unit, parent_unit, team`` CSV (``python cli.py org import``; checked
  completely first, then written in one transaction), exported the same way, and a team can be moved from
  the leader view.
- **Unit leaders**: ``python cli.py org passcode UNIT`` makes a passcode (``u<id>-<secret>``, shown once,
  stored as a scrypt hash like the leader passcode). It opens the leader view for that unit and the units
  below it only; the organisation passcode opens everything. Wrong ones are slowed down like the leader's.
- **Roll-ups**: a unit's figures are pooled over the *published* results of the teams in it and below it
  (each team's latest assessment): a team with nothing published adds nothing, and is counted among the
  teams without numbers. Because a unit's figure is made only of what its teams already published, the unit
  minus its shown teams is always nothing, so no hidden team can be worked out by subtraction (the
  complement rule holds by construction). Role segments are not shown for units.
"""

from __future__ import annotations

import csv
import io
import math
import secrets
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from reports.exchange import write_csv
from reports.org_structure import HEADER, OrgStructure, OrgStructureError, parse_org_csv, write_org_csv
from reports.wording import plural
from scoring import TeamResult
from services.context import AppContext, InputError, ServiceError
from services.leader import NO_STAGE, LeaderView, blocker_label, hash_passcode, passcode_matches, stage_label
from services.publication import pooled
from services.workshop import ThrottledError, ThrottleRule, release_attempt, reserve_attempt
from storage import repository as repo
from storage import units as unit_repo

UNIT_PASSCODE_PER_CLIENT = ThrottleRule("unit-passcode", free_failures=3, max_delay_seconds=300)
UNIT_PASSCODE_ALL_CLIENTS = ThrottleRule("unit-passcode-all", free_failures=20, max_delay_seconds=30)


@dataclass(frozen=True)
class UnitNode:
    """A unit in the tree: its id, name, parent and depth (0 at the top of what the viewer may see)."""

    id: int
    name: str
    parent_id: int | None
    depth: int


@dataclass(frozen=True)
class UnitRow:
    """One unit as a row of the leader view: its teams' stages, median index, blocker and change."""

    unit_id: int | None
    name: str
    teams: int
    teams_with_numbers: int
    stages: dict[str, int]
    median_index: float | None
    blocker: str | None
    change: float | None
    change_teams: int


@dataclass(frozen=True)
class ImportSummary:
    """What an import did."""

    units: int
    teams: int

    def describe(self) -> str:
        """The summary in words."""
        return f"organisation structure imported: {plural(self.units, 'unit')}, {plural(self.teams, 'team')} placed"


# --- structure ------------------------------------------------------------------------------------------


def import_structure(ctx: AppContext, text: str) -> ImportSummary:
    """Replace the structure with a CSV's (``unit, parent_unit, team``): all of it or, with any problem, none.

    Raises ``InputError`` with ``{"file": every problem, a line each}``: a bad header or row, a unit with
    two parents, a cycle, a team in two units, a team that does not exist.
    """
    try:
        structure = parse_org_csv(text)
    except OrgStructureError as error:
        raise InputError({"file": "\n".join(error.problems)}) from None
    with ctx.write() as session:
        known = set(unit_repo.team_units(session))
        unknown = [
            f"line {structure.team_lines[team]}: there is no team named {team!r} (teams exist once they have "
            "started an assessment or a workshop)"
            for team in structure.team_units
            if team not in known
        ]
        if unknown:
            raise InputError({"file": "\n".join(sorted(unknown, key=lambda p: int(p.split(":")[0][5:])))})
        units, teams = unit_repo.replace_structure(
            session, parents=structure.parents, team_units=structure.team_units
        )
    return ImportSummary(units=units, teams=teams)


def structure_rows(ctx: AppContext) -> list[dict[str, str]]:
    """The stored structure as table rows (``unit``, ``parent_unit``, ``team``), as the export file has them."""
    text = export_structure(ctx).decode("utf-8-sig")
    return [
        {"unit": row[0], "parent_unit": row[1], "team": row[2]}
        for row in csv.reader(io.StringIO(text))
        if row
    ][1:]


def save_structure_rows(ctx: AppContext, rows: Sequence[Mapping[str, object]]) -> ImportSummary:
    """Replace the structure with edited table rows, checked like an import: all of them or none.

    ``InputError`` lists every problem by its row number in the table (row 1 is the first row under the
    header), e.g. a unit under itself, two parents for one unit, a team in two units, an unknown team.
    """
    cells = [{column: _cell(row.get(column)) for column in HEADER} for row in rows]
    text = write_csv(cells, HEADER).decode("utf-8-sig")
    try:
        return import_structure(ctx, text)
    except InputError as error:
        problems = error.errors.get("file", "").splitlines()
        raise InputError({"structure": "\n".join(_as_row(problem) for problem in problems)}) from None


def _cell(value: object) -> str:
    """A table cell as text: an empty cell (None, or NaN from a data editor) is empty text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _as_row(problem: str) -> str:
    """A file problem ("line 3: …") as a table one ("row 2: …"): the file's line 1 is the header."""
    head, _, rest = problem.partition(":")
    if head.startswith("line ") and head[5:].isdigit():
        return f"row {int(head[5:]) - 1}:{rest}"
    return problem


def current_structure(ctx: AppContext) -> OrgStructure:
    """The structure as stored (units with parents, teams with their units)."""
    with ctx.read() as session:
        units = unit_repo.list_units(session)
        names = {unit.id: unit.name for unit in units}
        parents = {unit.name: names.get(unit.parent_id) if unit.parent_id else None for unit in units}
        team_units = {team: names[unit] for team, unit in unit_repo.team_units(session).items() if unit}
    return OrgStructure(parents=parents, team_units=team_units)


def export_structure(ctx: AppContext) -> bytes:
    """The structure as a CSV that :func:`import_structure` reads back unchanged."""
    return write_org_csv(current_structure(ctx))


def unit_tree(ctx: AppContext, *, scope: int | None = None) -> list[UnitNode]:
    """The units a viewer may see (every unit, or ``scope`` and below), depth first, by name."""
    with ctx.read() as session:
        units = unit_repo.list_units(session)
    children: dict[int | None, list[tuple[str, int]]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append((unit.name, unit.id))
    by_id = {unit.id: unit for unit in units}
    nodes: list[UnitNode] = []

    def walk(unit_id: int, depth: int, seen: frozenset[int]) -> None:
        if unit_id in seen:
            return
        unit = by_id[unit_id]
        nodes.append(UnitNode(unit.id, unit.name, unit.parent_id, depth))
        for _, child in sorted(children.get(unit_id, [])):
            walk(child, depth + 1, seen | {unit_id})

    roots = [scope] if scope is not None else [unit_id for _, unit_id in sorted(children.get(None, []))]
    for root in roots:
        if root in by_id:
            walk(root, 0, frozenset())
    return nodes


def assign_team(ctx: AppContext, team: str, unit_name: str | None) -> None:
    """Move a team into a unit (None: into no unit); ``InputError`` names an unknown team or unit."""
    with ctx.write() as session:
        unit_id = None
        if unit_name:
            unit = unit_repo.find_unit(session, name=unit_name)
            if unit is None:
                raise InputError({"unit": f"there is no unit named {unit_name!r}"})
            unit_id = unit.id
        try:
            unit_repo.set_team_unit(session, team=team, unit_id=unit_id)
        except repo.NotFoundError:
            raise InputError({"team": f"there is no team named {team!r}"}) from None


# --- unit leaders -------------------------------------------------------------------------------------------


def make_unit_passcode(ctx: AppContext, unit_name: str) -> str:
    """A new passcode for a unit's leader (replacing any earlier one): ``u<id>-<secret>``, shown only now."""
    with ctx.write() as session:
        unit = unit_repo.find_unit(session, name=unit_name)
        if unit is None:
            raise InputError({"unit": f"there is no unit named {unit_name!r}"})
        passcode = f"u{unit.id}-{secrets.token_urlsafe(12)}"
        unit_repo.set_passcode_hash(session, unit_id=unit.id, passcode_hash=hash_passcode(passcode))
        return passcode


def looks_like_unit_passcode(candidate: str) -> bool:
    """Whether a passcode has the form of a unit leader's (``u<id>-…``)."""
    head, _, rest = (candidate or "").strip().partition("-")
    return head.startswith("u") and head[1:].isdigit() and bool(rest)


def check_unit_passcode(ctx: AppContext, candidate: str, *, client_key: str) -> int | None:
    """The unit a unit leader's passcode opens (constant-time check), or None; wrong ones are slowed down.

    Raises ``ThrottledError`` while this client (or everyone) must wait.
    """
    rules = (UNIT_PASSCODE_PER_CLIENT, UNIT_PASSCODE_ALL_CLIENTS)
    candidate = (candidate or "").strip()
    with ctx.write() as session:
        attempt = reserve_attempt(session, rules, client_key)
        stored = None
        unit_id = None
        if looks_like_unit_passcode(candidate):
            unit_id = int(candidate.partition("-")[0][1:])
            try:
                stored = unit_repo.get_unit(session, unit_id=unit_id).passcode_hash
            except repo.NotFoundError:
                stored = None
    if attempt.wait:
        raise ThrottledError(
            f"Too many wrong passcodes were tried. Please wait {attempt.wait} seconds and try again.",
            attempt.wait,
        )
    # compare even without a stored hash, so a wrong unit number takes as long as a wrong secret
    ok = passcode_matches(candidate, stored or hash_passcode("-"))
    if ok and stored is not None:
        with ctx.write() as session:
            release_attempt(session, attempt)
        return unit_id
    return None


def unit_name(ctx: AppContext, unit_id: int) -> str:
    """A unit's name."""
    with ctx.read() as session:
        return unit_repo.get_unit(session, unit_id=unit_id).name


# --- roll-ups -------------------------------------------------------------------------------------------------


def _row(unit_id: int | None, name: str, teams: set[str], view: LeaderView) -> UnitRow:
    latest = [result for result in view.latest if result.team in teams]
    stages = Counter(stage_label(result) for result in latest)
    indexes = [result.overall.index for result in latest if result.overall.index is not None]
    blockers = Counter(b for b in (blocker_label(result) for result in latest) if b)
    changes = []
    by_team: dict[str, list[float | None]] = {}
    for entry in view.history:  # oldest first
        if entry.team in teams:
            by_team.setdefault(entry.team, []).append(entry.result.overall.index)
    for series in by_team.values():
        if len(series) >= 2 and series[-1] is not None and series[-2] is not None:
            changes.append(series[-1] - series[-2])
    return UnitRow(
        unit_id=unit_id,
        name=name,
        teams=len(teams & set(view.all_teams)),
        teams_with_numbers=sum(1 for result in latest if not result.suppressed),
        stages=dict(stages),
        median_index=None if not indexes else round(statistics.median(indexes), 1),
        blocker=blockers.most_common(1)[0][0] if blockers else None,
        change=None if not changes else round(statistics.median(changes), 1),
        change_teams=len(changes),
    )


def unit_rows(ctx: AppContext, view: LeaderView, *, parent: int | None, scope: int | None) -> list[UnitRow]:
    """The units directly under ``parent`` (the top of the viewer's scope when None) as rows, and a last
    row for the teams directly in ``parent`` or, at the organisation's top, in no unit."""
    with ctx.read() as session:
        units = unit_repo.list_units(session)
        placed = unit_repo.team_units(session)
        if parent is None and scope is not None:
            parent = scope
        rows = []
        for unit in units:
            if unit.parent_id == parent and (
                scope is None or unit.id in unit_repo.subtree(session, unit_id=scope)
            ):
                rows.append(_row(unit.id, unit.name, unit_repo.teams_in_unit(session, unit_id=unit.id), view))
    direct = {team for team, unit in placed.items() if unit == parent}
    if direct:
        label = "Teams in no unit" if parent is None else "Teams directly in this unit"
        rows.append(_row(None, label, direct, view))
    return rows


def unit_result(ctx: AppContext, view: LeaderView, unit_id: int) -> TeamResult:
    """A unit's figures: pooled over the published results of its teams' latest assessments (see above)."""
    if view.questionnaire is None:
        raise ServiceError("No team has answers in this selection yet.")
    with ctx.read() as session:
        name = unit_repo.get_unit(session, unit_id=unit_id).name
        teams = unit_repo.teams_in_unit(session, unit_id=unit_id)
        latest = {entry.team: entry.assessment_id for entry in view.history}  # oldest first: the last wins
        ids = [assessment_id for team, assessment_id in latest.items() if team in teams]
        if not ids:
            raise ServiceError(f"No team of {name} has a published result in this selection yet.")
        first = repo.load_team_responses(session, assessment_id=ids[0])
        base = first.model_copy(update={"team": name, "assessment_id": None})
        return pooled(session, view.questionnaire, ids, base)


def unit_pdf(ctx: AppContext, view: LeaderView, unit_id: int) -> bytes:
    """The unit report: the organisation report's structure for the unit's teams (the view is already scoped)."""
    from reports.content import org_report_content
    from reports.pdf import org_report_pdf
    from services.leader import team_plans, with_full_results

    if view.questionnaire is None or view.empty:
        raise ServiceError("No team has answers in this selection yet.")
    view = with_full_results(ctx, view)
    name = unit_name(ctx, unit_id)
    with ctx.read() as session:
        teams = unit_repo.teams_in_unit(session, unit_id=unit_id)
    results = [result for result in view.latest if result.team in teams]
    if not results:
        raise ServiceError(f"No team of {name} has answers in this selection yet.")
    rounds = [
        (label, tuple(r for r in round_results if r.team in teams)) for label, round_results in view.rounds
    ]
    content = org_report_content(
        view.questionnaire,
        results,
        team_plans(ctx, view),
        pack=view.pack,
        generated_at=datetime.now(UTC),
        rounds=[(label, list(r)) for label, r in rounds if r],
        organisation=f"unit {name}",
    )
    return org_report_pdf(content)


def describe_stages(stages: dict[str, int]) -> str:
    """A unit's stage distribution in words ("2 × 3 Defined, 1 × No stage"), stages in order."""
    order = sorted(stages, key=lambda label: (label == NO_STAGE, label))
    return ", ".join(f"{stages[label]} × {label}" for label in order)


def rows_as_table(rows: Sequence[UnitRow]) -> list[dict[str, object]]:
    """Unit rows for a table on the page."""
    return [
        {
            "Unit": row.name,
            "Teams": row.teams,
            "With numbers": row.teams_with_numbers,
            "Stages": describe_stages(row.stages) or "–",
            "Median index": row.median_index,
            "Most common blocker": row.blocker or "–",
            "Change since last round (median)": None
            if row.change is None
            else f"{row.change:+.1f} ({row.change_teams} teams)",
        }
        for row in rows
    ]
