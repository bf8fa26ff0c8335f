"""A task map as CSV: one line per role, activity and redeployment, read back all-or-nothing.

Columns (header first): ``kind`` (``role``, ``activity`` or ``redeploy``), ``role``, ``name`` (the activity,
or the redeployment's destination; empty for a role), ``people`` (roles only), ``hours_per_week``,
``decision``, ``reduction_pct``, ``review_minutes``, ``occurrences_per_week``, ``review_hours_per_week``,
``reason``. Hours are per person per week as the work takes them *now* (see
``questionnaires.taskmap_schema``). Cells a spreadsheet would run as formulas are neutralised on the way out
and restored on the way in (``reports.exchange``). Reading names every problem by line (the header is line
1) and column; a file with any problem imports nothing.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from questionnaires.taskmap_schema import TaskMapInput
from reports.exchange import ImportFileError, _decode, restore_cell, write_csv
from scoring.taskmap import TaskMapError, parse_task_map

COLUMNS = (
    "kind",
    "role",
    "name",
    "people",
    "hours_per_week",
    "decision",
    "reduction_pct",
    "review_minutes",
    "occurrences_per_week",
    "review_hours_per_week",
    "reason",
)
NUMBERS = (
    "people",
    "hours_per_week",
    "reduction_pct",
    "review_minutes",
    "occurrences_per_week",
    "review_hours_per_week",
)
KINDS = {"role": "roles", "activity": "activities", "redeploy": "redeployments"}
#: Which columns each kind of line uses (a value in any other column is an error, not silently dropped).
USED = {
    "role": {"role", "people"},
    "activity": {
        "role",
        "name",
        "hours_per_week",
        "decision",
        "reduction_pct",
        "review_minutes",
        "occurrences_per_week",
        "review_hours_per_week",
        "reason",
    },
    "redeploy": {"role", "name", "hours_per_week"},
}


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def task_map_csv(task_map: TaskMapInput) -> bytes:
    """The task map as CSV bytes (UTF-8)."""
    rows: list[dict[str, Any]] = [
        {"kind": "role", "role": role.name, "people": str(role.people)} for role in task_map.roles
    ]
    for activity in task_map.activities:
        rows.append(
            {
                "kind": "activity",
                "role": activity.role,
                "name": activity.name,
                "hours_per_week": _number(activity.hours_per_week),
                "decision": activity.decision,
                "reduction_pct": _number(activity.reduction_pct),
                "review_minutes": _number(activity.review_minutes),
                "occurrences_per_week": _number(activity.occurrences_per_week),
                "review_hours_per_week": _number(activity.review_hours_per_week),
                "reason": activity.reason or "",
            }
        )
    for redeployment in task_map.redeployments:
        rows.append(
            {
                "kind": "redeploy",
                "role": redeployment.role,
                "name": redeployment.destination,
                "hours_per_week": _number(redeployment.hours_per_week),
            }
        )
    return write_csv(rows, COLUMNS)


def read_task_map_csv(data: bytes, file: str = "task map CSV") -> TaskMapInput:
    """A task map from CSV bytes; ``ImportFileError`` lists every problem as ``line N, column: …``."""
    text = _decode(data, file)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(file, [f"line 1: cannot read the header ({exc})"]) from None
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
        if unknown:
            problems.append(f"line 1: unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}")
        raise ImportFileError(file, problems)
    sections: dict[str, list[dict[str, Any]]] = {section: [] for section in KINDS.values()}
    lines: dict[tuple[str, int], int] = {}
    problems: list[str] = []
    #: (line, column) already reported as unreadable: the model's "is required" for it would say it twice
    unreadable: set[tuple[int, str]] = set()
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(f"line {line}: {len(cells)} cells, but the header has {len(header)} columns")
                continue
            row = {column: restore_cell(cell.strip()) for column, cell in zip(header, cells, strict=True)}
            kind = row["kind"]
            if kind not in KINDS:
                problems.append(f"line {line}, kind: must be one of role, activity, redeploy (got {kind!r})")
                continue
            values: dict[str, Any] = {}
            for column in COLUMNS[1:]:
                cell = row[column]
                if column not in USED[kind]:
                    if cell:
                        problems.append(f"line {line}, {column}: a {kind} line leaves this column empty")
                    continue
                if cell == "":
                    continue
                if column in NUMBERS:
                    try:
                        number = float(cell.replace(",", ".")) if column != "people" else int(cell)
                    except ValueError:
                        expected = "a whole number" if column == "people" else "a number"
                        problems.append(f"line {line}, {column}: must be {expected} (got {cell!r})")
                        unreadable.add((line, column))
                        continue
                    values[column] = number
                else:
                    values[column] = cell
            if kind == "role":
                values["name"] = values.pop("role", "")
            elif kind == "redeploy" and "name" in values:
                values["destination"] = values.pop("name")
            section = KINDS[kind]
            lines[(section, len(sections[section]))] = line
            sections[section].append(values)
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: the CSV cannot be read ({exc})")
    if not sections["roles"]:
        problems.append("the file has no role line (kind = role, with its people)")
    try:
        parse_task_map(sections)
    except TaskMapError as error:
        for (section, row, field), message in error.errors.items():
            line_number = lines.get((section, row)) if row is not None else None
            column = {"roles": {"name": "role"}, "redeployments": {"destination": "name"}}.get(section, {})
            label = column.get(field, field) if field else None
            if line_number is not None and label is not None and (line_number, label) in unreadable:
                continue
            where = f"line {line_number}" if line_number is not None else "the file"
            problems.append(f"{where}, {label}: {message}" if label else f"{where}: {message}")
    if problems:
        raise ImportFileError(file, problems)
    return parse_task_map(sections)
