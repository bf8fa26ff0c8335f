"""The organisation's structure as a CSV file: ``unit, parent_unit, team``, read strictly and written back.

One row per team (``Claims, Operations, Claims team A``) or per unit without teams (``Operations, , ``).
A parent unit that is never listed as a unit itself becomes a top-level unit. Reading checks the whole file
first and returns every problem with its line number, so a file is taken completely or not at all:

- the header must be exactly ``unit,parent_unit,team`` (any case, spaces allowed);
- every row names a unit; names are at most 200 characters;
- a unit has one parent: two rows may not give it different ones;
- parents may not form a cycle (``A`` under ``B`` under ``A``);
- a team is in one unit: two rows may not put it in different ones.

Pure: no database, no Streamlit. Which teams exist is checked by the caller.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from reports.exchange import restore_cell, write_csv

HEADER = ("unit", "parent_unit", "team")
MAX_NAME = 200


class OrgStructureError(ValueError):
    """A structure file that cannot be taken: ``problems`` lists each with its line number."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class OrgStructure:
    """Units with their parent (None: top level), and each team's unit, with the line that said so."""

    parents: dict[str, str | None]
    team_units: dict[str, str]
    team_lines: dict[str, int] = field(default_factory=dict, compare=False)

    def children(self, unit: str | None) -> list[str]:
        """The units directly under ``unit`` (None: the top-level units), by name."""
        return sorted(name for name, parent in self.parents.items() if parent == unit)


def parse_org_csv(text: str) -> OrgStructure:
    """Read a structure file; ``OrgStructureError`` lists every problem with its line number."""
    problems: list[str] = []
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise OrgStructureError(["line 1: the file is empty; expected the header unit,parent_unit,team"])
    header = tuple(cell.strip().lower() for cell in rows[0])
    if header != HEADER:
        raise OrgStructureError(
            [f"line 1: expected the header unit,parent_unit,team, found {','.join(rows[0])}"]
        )
    parents: dict[str, str | None] = {}
    parent_line: dict[str, int] = {}
    team_units: dict[str, str] = {}
    team_lines: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            problems.append(f"line {line}: expected 3 fields (unit, parent_unit, team), found {len(row)}")
            continue
        unit, parent, team = (restore_cell(cell).strip() for cell in row)
        for name, value in (("unit", unit), ("parent_unit", parent), ("team", team)):
            if len(value) > MAX_NAME:
                problems.append(f"line {line}: {name} is {len(value)} characters long; at most {MAX_NAME}")
        if not unit:
            problems.append(f"line {line}: unit is empty; every row names the unit it describes")
            continue
        if parent == unit:
            problems.append(f"line {line}: unit {unit!r} cannot be its own parent")
            continue
        given = parent or None
        if unit in parents and parents[unit] != given:
            problems.append(
                f"line {line}: unit {unit!r} has parent {given or '(none)'!r} here but "
                f"{parents[unit] or '(none)'!r} on line {parent_line[unit]}"
            )
        elif unit not in parents:
            parents[unit], parent_line[unit] = given, line
        if team:
            if team in team_units and team_units[team] != unit:
                problems.append(
                    f"line {line}: team {team!r} is put in unit {unit!r} here but in "
                    f"{team_units[team]!r} on line {team_lines[team]}; a team is in one unit"
                )
            else:
                team_units[team], team_lines[team] = unit, line
    for parent in list(parents.values()):
        if parent is not None and parent not in parents:
            parents[parent] = None  # a parent never listed as a unit is a top-level unit
            parent_line[parent] = 0
    for unit in parents:
        seen = [unit]
        current = parents[unit]
        while current is not None:
            if current == unit:
                chain = " → ".join([*seen, unit])
                problems.append(f"line {parent_line[unit]}: units form a cycle: {chain}")
                break
            if current in seen:
                break  # a cycle further up, reported for its own units
            seen.append(current)
            current = parents.get(current)
    if problems:
        raise OrgStructureError(sorted(set(problems), key=_line_number))
    return OrgStructure(parents=parents, team_units=team_units, team_lines=team_lines)


def _line_number(problem: str) -> tuple[int, str]:
    try:
        return int(problem.split(":", 1)[0].removeprefix("line ")), problem
    except ValueError:
        return 0, problem


def write_org_csv(structure: OrgStructure) -> bytes:
    """The structure as a file ``parse_org_csv`` reads back: a row per team, and one per unit without teams."""
    rows = []
    with_teams = set(structure.team_units.values())
    for team, unit in sorted(
        structure.team_units.items(), key=lambda pair: (pair[1].casefold(), pair[0].casefold())
    ):
        rows.append({"unit": unit, "parent_unit": structure.parents.get(unit) or "", "team": team})
    for unit, parent in sorted(structure.parents.items(), key=lambda pair: pair[0].casefold()):
        if unit not in with_teams:
            rows.append({"unit": unit, "parent_unit": parent or "", "team": ""})
    return write_csv(rows, HEADER)
