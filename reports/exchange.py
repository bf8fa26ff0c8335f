"""Data in and out of Layerwise: CSV, JSON and XLSX export; CSV and JSON import.

Export (an assessment, several, or everything):

* **CSV** — the long form of ``scoring.responses`` (one answer per line:
  ``assessment,team,respondent,role,item_id,value,questionnaire_version,submitted_at,form,mode``). Answers
  only: no comments, no KPIs.
* **JSON** — everything, for a move to another server: teams, assessments (questionnaire id and version,
  form, mode, k, status, dates, and ``item_wording``: the wording hash of each item on the form when the
  assessment was created, or null when it was not recorded), respondents, answers, comments, outcome KPIs,
  AI hours, action items and workshops. ``import`` reads it back exactly (workshops are exported for
  reference, not imported: join codes and facilitator tokens stay where they were made; ``item_wording`` is
  optional, so exports made before it existed still import).
* **XLSX** — one sheet per table, for people who live in spreadsheets.

Respondents appear only under pseudonyms (``R001``…, stable across exports); resume and facilitator tokens
(even their hashes) never leave the database. Exports hold raw pseudonymous answers for the administrator:
no aggregate numbers are added, so nothing reveals a group under the anonymity threshold k. Every text cell
of CSV and XLSX that a spreadsheet would run as a formula is neutralised (:func:`neutralise_cell`).

Import (CSV or JSON) checks the whole file before anything is written, and every problem is reported with
its line and column (CSV) or its path (JSON). Writing happens in the caller's transaction, so a failure
leaves the database as it was. Importing the same file twice creates nothing new: teams are matched by
name, assessments by (team, assessment id), respondents by their id, answers by (respondent, item).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID, Catalog, get_catalog
from questionnaires.schema import Questionnaire
from reports.wording import plural
from scoring.models import RespondentAnswers, TeamResponses
from scoring.responses import (
    DONT_KNOW,
    EXPORT_COLUMNS,
    REQUIRED_COLUMNS,
    ResponseDataError,
    responses_from_rows,
    rows_from_responses,
)
from storage import repository as repo
from storage.models import Assessment, Respondent, Workshop

ExportFormat = Literal["csv", "json", "xlsx"]
EXPORT_FORMATS: Final[tuple[ExportFormat, ...]] = ("csv", "json", "xlsx")

#: Largest file ``import`` accepts (bytes).
MAX_IMPORT_BYTES: Final = 20 * 1024 * 1024
#: What a spreadsheet may run as a formula when a cell starts with it.
FORMULA_TRIGGERS: Final = ("=", "+", "-", "@", "\t", "\r")
JSON_FORMAT: Final = "layerwise-export"
JSON_FORMAT_VERSION: Final = 1
MAX_LISTED_ERRORS: Final = 50


# --- errors --------------------------------------------------------------------------------------------


class ImportFileError(ValueError):
    """A file that cannot be imported; ``errors`` lists every problem, each naming its line/column or path."""

    def __init__(self, file: str, errors: Sequence[str]) -> None:
        self.file = file
        self.errors = list(errors)
        if len(self.errors) > MAX_LISTED_ERRORS:
            self.errors = [
                *self.errors[:MAX_LISTED_ERRORS],
                f"… and more problems (only the first {MAX_LISTED_ERRORS} are listed)",
            ]
        listed = "\n".join(f"  - {error}" for error in self.errors)
        noun = "problem" if len(self.errors) == 1 else "problems"
        super().__init__(f"{file}: nothing was imported ({len(self.errors)} {noun}):\n{listed}")


# --- spreadsheet safety ---------------------------------------------------------------------------------


#: Where a spreadsheet starts reading a formula: the start of the cell and the start of every line inside it,
#: with the apostrophes already there (so that adding one more is undone exactly).
_TRIGGER = "[" + re.escape("".join(FORMULA_TRIGGERS)) + "]"
_LINE_START_TRIGGER = re.compile(rf"(\A|[\r\n])('*)(?={_TRIGGER})")
_LINE_START_NEUTRALISED = re.compile(rf"(\A|[\r\n])'('*)(?={_TRIGGER})")


def neutralise_cell(value: Any) -> Any:
    """A value made safe for a spreadsheet cell: text a spreadsheet would run as a formula gets a ``'``.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
    apostrophe (``=HYPERLINK("x")`` → ``'=HYPERLINK("x")``), and so is every line inside the text (after a
    CR or LF), since a line break in a badly read CSV starts a new row. Text whose start or line already
    holds apostrophes before such a character gets one more, so :func:`restore_cell` gives back exactly
    what was written. Anything else, and every non-text value, is returned unchanged.
    """
    if isinstance(value, str):
        return _LINE_START_TRIGGER.sub(r"\1\2'", value)
    return value


def restore_cell(value: str) -> str:
    """Undo :func:`neutralise_cell` on text read back from a file this module wrote."""
    return _LINE_START_NEUTRALISED.sub(r"\1\2", value)


# --- what is exported ----------------------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    return None if value is None else value.isoformat()


def _pseudonyms(respondents: Sequence[Respondent]) -> dict[int, str]:
    """Respondent id → the pseudonym exported for it: the stored ``R001`` form, else the next free number."""
    names: dict[int, str] = {}
    used = {r.external_id for r in respondents if repo.PSEUDONYM_PATTERN.match(r.external_id)}
    numbers = [int(name[1:]) for name in used]
    next_number = max(numbers, default=0)
    for respondent in respondents:
        if respondent.external_id in used:
            names[respondent.id] = respondent.external_id
        else:
            next_number += 1
            names[respondent.id] = f"R{next_number:03d}"
    return names


def _selected_assessments(session: Session, assessment_ids: Sequence[int] | None) -> list[Assessment]:
    query = (
        select(Assessment)
        .options(
            selectinload(Assessment.team),
            selectinload(Assessment.respondents).selectinload(Respondent.answers),
            selectinload(Assessment.respondents).selectinload(Respondent.comments),
            selectinload(Assessment.kpis),
            selectinload(Assessment.actions),
        )
        .order_by(Assessment.created_at, Assessment.id)
    )
    if assessment_ids is not None:
        wanted = list(dict.fromkeys(assessment_ids))
        query = query.where(Assessment.id.in_(wanted))
        found = list(session.scalars(query))
        missing = sorted(set(wanted) - {a.id for a in found})
        if missing:
            raise repo.NotFoundError(f"no assessment with id {', '.join(map(str, missing))}")
        return found
    return list(session.scalars(query))


def export_document(session: Session, *, assessment_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """The JSON export as a Python dict (see the module docstring); ``None`` ids = every assessment."""
    assessments = _selected_assessments(session, assessment_ids)
    teams: dict[int, dict[str, Any]] = {}
    questionnaires: dict[tuple[str, str], dict[str, str]] = {}
    documents: list[dict[str, Any]] = []
    for assessment in assessments:
        teams.setdefault(
            assessment.team_id, {"name": assessment.team.name, "is_demo": assessment.team.is_demo}
        )
        questionnaires.setdefault(
            (assessment.questionnaire_id, assessment.questionnaire_version),
            {"id": assessment.questionnaire_id, "version": assessment.questionnaire_version},
        )
        names = _pseudonyms(assessment.respondents)
        documents.append(
            {
                "id": assessment.external_id,
                "team": assessment.team.name,
                "questionnaire_id": assessment.questionnaire_id,
                "questionnaire_version": assessment.questionnaire_version,
                "form": assessment.form,
                "mode": assessment.mode,
                "k": assessment.k,
                "round_label": assessment.round_label,
                "status": assessment.status,
                "is_demo": assessment.is_demo,
                "created_at": _iso(assessment.created_at),
                "closed_at": _iso(assessment.closed_at),
                "ai_hours_per_week": assessment.ai_hours_per_week,
                "team_size": assessment.team_size,
                "item_wording": None if assessment.item_wording is None else dict(assessment.item_wording),
                "kpis": {kpi.kpi_id: kpi.value for kpi in sorted(assessment.kpis, key=lambda k: k.kpi_id)},
                "respondents": [
                    {
                        "id": names[respondent.id],
                        "role": respondent.role,
                        "created_at": _iso(respondent.created_at),
                        "submitted_at": _iso(respondent.submitted_at),
                        "answers": {
                            answer.item_id: answer.value
                            for answer in sorted(respondent.answers, key=lambda a: a.id)
                        },
                        "comments": {
                            comment.dimension_id: comment.text
                            for comment in sorted(respondent.comments, key=lambda c: c.id)
                        },
                    }
                    for respondent in assessment.respondents
                    if respondent.erased_at is None  # nothing of an erased person leaves the app
                ],
                "actions": [
                    {
                        "id": action.external_id,
                        "position": action.position,
                        "title": action.title,
                        "finding": action.finding,
                        "owner": action.owner,
                        "due_date": _iso(action.due_date),
                        "status": action.status,
                        "source_item_id": action.source_item_id,
                        "kpi": action.kpi,
                        "first_step": action.first_step,
                        "horizon_days": action.horizon_days,
                    }
                    for action in assessment.actions
                ],
            }
        )
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "questionnaires": list(questionnaires.values()),
        "teams": list(teams.values()),
        "assessments": documents,
        "workshops": _workshop_documents(
            session, {a.id: a for a in assessments}, whole=assessment_ids is None
        ),
    }


def _workshop_documents(session: Session, assessments: Mapping[int, Assessment], *, whole: bool) -> list[Any]:
    """Workshops touching the exported assessments (all of them for a whole export), without secrets."""
    workshops = session.scalars(
        select(Workshop)
        .options(selectinload(Workshop.dimensions), selectinload(Workshop.assessment_links))
        .order_by(Workshop.created_at, Workshop.id)
    )
    documents = []
    for workshop in workshops:
        linked = [assessments[a] for a in workshop.assessment_ids if a in assessments]
        if not whole and not linked:
            continue
        documents.append(
            {
                "name": workshop.name,
                "form": workshop.form,
                "k": workshop.k,
                "status": workshop.status,
                "created_at": _iso(workshop.created_at),
                "closed_at": _iso(workshop.closed_at),
                "assessments": [{"team": a.team.name, "id": a.external_id} for a in linked],
                "dimensions": [
                    {"id": d.dimension_id, "locked": d.locked, "revealed": d.revealed}
                    for d in workshop.dimensions
                ],
            }
        )
    return documents


def export_responses(session: Session, *, assessment_ids: Sequence[int] | None = None) -> list[TeamResponses]:
    """The exported assessments as scoring inputs, respondents under their export pseudonyms."""
    responses = []
    for assessment in _selected_assessments(session, assessment_ids):
        loaded = repo.load_team_responses(session, assessment_id=assessment.id)
        by_stored = {r.external_id: name for r, name in _pseudonym_pairs(assessment.respondents)}
        responses.append(
            loaded.model_copy(
                update={
                    "respondents": [
                        r.model_copy(update={"respondent_id": by_stored[r.respondent_id]})
                        for r in loaded.respondents
                    ]
                }
            )
        )
    return responses


def _pseudonym_pairs(respondents: Sequence[Respondent]) -> list[tuple[Respondent, str]]:
    names = _pseudonyms(respondents)
    return [(respondent, names[respondent.id]) for respondent in respondents]


# --- writers -------------------------------------------------------------------------------------------


def write_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """CSV bytes (UTF-8, header first) with every text cell neutralised and every line break quoted.

    Python's minimal quoting quotes a field holding LF but not one holding a lone CR (the line terminator
    here is LF), which a spreadsheet reads as the end of the row: a row with a CR anywhere is written with
    every field quoted.
    """
    buffer = io.StringIO(newline="")
    options: dict[str, Any] = {"fieldnames": list(columns), "extrasaction": "ignore", "lineterminator": "\n"}
    writer = csv.DictWriter(buffer, **options)
    quoting_writer = csv.DictWriter(buffer, quoting=csv.QUOTE_ALL, **options)
    writer.writeheader()
    for row in rows:
        cells = {column: neutralise_cell(row.get(column, "")) for column in columns}
        has_cr = any(isinstance(cell, str) and "\r" in cell for cell in cells.values())
        (quoting_writer if has_cr else writer).writerow(cells)
    return buffer.getvalue().encode("utf-8")


def responses_csv(responses: Sequence[TeamResponses]) -> bytes:
    """The long CSV of scoring inputs (the format ``import`` and ``cli.py score`` read)."""
    return write_csv(rows_from_responses(responses), EXPORT_COLUMNS)


def export_csv(session: Session, *, assessment_ids: Sequence[int] | None = None) -> bytes:
    """The long CSV of the answers (respondents pseudonymised, formulas neutralised)."""
    return responses_csv(export_responses(session, assessment_ids=assessment_ids))


def export_json(session: Session, *, assessment_ids: Sequence[int] | None = None) -> bytes:
    """The full-fidelity JSON export (UTF-8, indented)."""
    document = export_document(session, assessment_ids=assessment_ids)
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _sheet_value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise_cell(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, dict | list):
        return neutralise_cell(json.dumps(value, ensure_ascii=False))
    return value


def export_tables(document: Mapping[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """The JSON export flattened to tables: sheet name → (column names, rows)."""
    assessments = document["assessments"]
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {}
    tables["teams"] = (["team", "is_demo"], [[t["name"], t["is_demo"]] for t in document["teams"]])
    assessment_columns = [
        "assessment", "team", "questionnaire_id", "questionnaire_version", "form", "mode", "k", "round_label",
        "status", "is_demo", "created_at", "closed_at", "ai_hours_per_week",
        "team_size",
    ]  # fmt: skip
    tables["assessments"] = (
        assessment_columns,
        [[a["id"] if c == "assessment" else a[c] for c in assessment_columns] for a in assessments],
    )
    tables["respondents"] = (
        ["assessment", "team", "respondent", "role", "created_at", "submitted_at"],
        [
            [a["id"], a["team"], r["id"], r["role"], r["created_at"], r["submitted_at"]]
            for a in assessments
            for r in a["respondents"]
        ],
    )
    tables["answers"] = (
        ["assessment", "team", "respondent", "role", "item_id", "value", "questionnaire_version"],
        [
            [
                a["id"],
                a["team"],
                r["id"],
                r["role"],
                item,
                DONT_KNOW if value is None else value,
                a["questionnaire_version"],
            ]
            for a in assessments
            for r in a["respondents"]
            for item, value in r["answers"].items()
        ],
    )
    tables["comments"] = (
        ["assessment", "team", "respondent", "dimension_id", "comment"],
        [
            [a["id"], a["team"], r["id"], dimension, text]
            for a in assessments
            for r in a["respondents"]
            for dimension, text in r["comments"].items()
        ],
    )
    tables["kpis"] = (
        ["assessment", "team", "kpi_id", "value"],
        [[a["id"], a["team"], kpi, value] for a in assessments for kpi, value in a["kpis"].items()],
    )
    action_columns = [
        "position", "title", "finding", "owner", "due_date", "status", "source_item_id", "kpi", "first_step",
        "horizon_days",
    ]  # fmt: skip
    tables["actions"] = (
        ["assessment", "team", "action", *action_columns],
        [
            [a["id"], a["team"], x["id"], *(x[c] for c in action_columns)]
            for a in assessments
            for x in a["actions"]
        ],
    )
    tables["workshops"] = (
        ["workshop", "form", "k", "status", "created_at", "closed_at", "assessments", "dimensions"],
        [
            [
                w["name"],
                w["form"],
                w["k"],
                w["status"],
                w["created_at"],
                w["closed_at"],
                w["assessments"],
                w["dimensions"],
            ]
            for w in document.get("workshops", [])
        ],
    )
    return tables


def export_xlsx(session: Session, *, assessment_ids: Sequence[int] | None = None) -> bytes:
    """An XLSX workbook with one sheet per table (teams, assessments, respondents, answers, …)."""
    workbook = Workbook(write_only=True)
    for name, (columns, rows) in export_tables(
        export_document(session, assessment_ids=assessment_ids)
    ).items():
        sheet = workbook.create_sheet(title=name)
        sheet.append(columns)
        for row in rows:
            sheet.append([_sheet_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_data(
    session: Session, *, format: ExportFormat, assessment_ids: Sequence[int] | None = None
) -> bytes:
    """Export in ``format`` (csv, json or xlsx); ``assessment_ids=None`` exports everything."""
    if format == "csv":
        return export_csv(session, assessment_ids=assessment_ids)
    if format == "json":
        return export_json(session, assessment_ids=assessment_ids)
    if format == "xlsx":
        return export_xlsx(session, assessment_ids=assessment_ids)
    raise ValueError(f"unknown export format {format!r}; use one of {', '.join(EXPORT_FORMATS)}")


# --- import: shared ------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    """What an import did (counts of created and already-present rows)."""

    file: str
    format: str
    teams_created: int = 0
    assessments_created: int = 0
    assessments_matched: int = 0
    respondents_created: int = 0
    respondents_matched: int = 0
    answers_written: int = 0
    comments_written: int = 0
    actions_created: int = 0
    actions_updated: int = 0
    assessment_ids: list[int] = field(default_factory=list)

    def describe(self) -> str:
        """One line for people."""
        return (
            f"{self.file}: {plural(self.assessments_created, 'assessment')} created, "
            f"{self.assessments_matched} already there; {plural(self.respondents_created, 'respondent')} created, "
            f"{self.respondents_matched} already there; "
            f"{plural(self.answers_written, 'answer')}, {plural(self.comments_written, 'comment')} and "
            f"{plural(self.actions_created + self.actions_updated, 'action')} saved (stored ones updated in place)"
        )


def _decode(data: bytes, file: str) -> str:
    """The text of an uploaded file: size capped, UTF-8 (a BOM is allowed), not empty."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportFileError(file, [_too_big(len(data))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            file,
            [
                f"line {line}: the file is not UTF-8 text (byte {exc.start} cannot be decoded); "
                "save it as 'CSV UTF-8' or UTF-8 JSON and try again"
            ],
        ) from None
    if not text.strip():
        raise ImportFileError(file, ["the file is empty; expected a header line and one line per answer"])
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise ImportFileError(file, [f"line {line}: the file contains a NUL byte; it is not a text file"])
    return text


def _too_big(size: int) -> str:
    return (
        f"the file is {size:,} bytes; imports may be at most {MAX_IMPORT_BYTES:,} bytes "
        f"({MAX_IMPORT_BYTES // (1024 * 1024)} MB): split it into several files"
    )


def detect_format(file: str, text: str) -> Literal["csv", "json"]:
    """``json`` or ``csv``, from the file name's extension or, failing that, the first character."""
    suffix = Path(file).suffix.lower()
    if suffix in (".csv", ".json"):
        return "json" if suffix == ".json" else "csv"
    if suffix in (".xlsx", ".xls"):
        raise ImportFileError(
            file, ["spreadsheets cannot be imported; export or save the sheet as CSV UTF-8"]
        )
    return "json" if text.lstrip().startswith(("{", "[")) else "csv"


def import_bytes(
    session: Session,
    data: bytes,
    *,
    file: str = "upload",
    questionnaire_id: str = DEFAULT_QUESTIONNAIRE_ID,
    k: int = 3,
    catalog: Catalog | None = None,
) -> ImportSummary:
    """Import a CSV or JSON file's bytes into the session's transaction (validated first, then written).

    ``file`` names the file in messages and decides the format by its extension. For CSV, new assessments
    use questionnaire ``questionnaire_id`` (the version from the file's ``questionnaire_version`` column,
    else the latest) and anonymity threshold ``k``. Questionnaires come from ``catalog`` (default: loaded
    once for this import; the app passes its cached one). Raises :class:`ImportFileError` listing every
    problem; nothing is written then. Run it in one unit of work so that the import is all-or-nothing.
    """
    text = _decode(data, file)
    catalog = catalog or get_catalog()
    if detect_format(file, text) == "json":
        return import_json_text(session, text, file=file, catalog=catalog)
    return import_csv_text(session, text, file=file, questionnaire_id=questionnaire_id, k=k, catalog=catalog)


def import_file(
    session: Session,
    path: Path | str,
    *,
    questionnaire_id: str = DEFAULT_QUESTIONNAIRE_ID,
    k: int = 3,
    catalog: Catalog | None = None,
) -> ImportSummary:
    """Import a CSV or JSON file from disk (its size is checked before it is read); see :func:`import_bytes`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ImportFileError(str(path), [f"cannot be read: {exc.strerror}"]) from None
    if size > MAX_IMPORT_BYTES:
        raise ImportFileError(str(path), [_too_big(size)])
    return import_bytes(
        session, path.read_bytes(), file=str(path), questionnaire_id=questionnaire_id, k=k, catalog=catalog
    )


def _questionnaire(catalog: Catalog, questionnaire_id: str, version: str | None) -> Questionnaire:
    try:
        return catalog.get(questionnaire_id, version)
    except KeyError as exc:
        raise LookupError(str(exc.args[0]) if exc.args else str(exc)) from None


def _summary(file: str, format: str, stored: repo.StoreSummary) -> ImportSummary:
    return ImportSummary(
        file=file,
        format=format,
        teams_created=stored.teams_created,
        assessments_created=stored.assessments_created,
        assessments_matched=stored.assessments_matched,
        respondents_created=stored.respondents_created,
        respondents_matched=stored.respondents_matched,
        answers_written=stored.answers_written,
        comments_written=stored.comments_written,
        assessment_ids=list(stored.assessment_ids),
    )


# --- import: CSV ---------------------------------------------------------------------------------------


def import_csv_text(
    session: Session,
    text: str,
    *,
    file: str,
    questionnaire_id: str = DEFAULT_QUESTIONNAIRE_ID,
    k: int = 3,
    catalog: Catalog | None = None,
) -> ImportSummary:
    """Import the long CSV (see :func:`import_bytes`)."""
    rows = _read_csv(text, file)
    versions = sorted({(row.get("questionnaire_version") or "").strip() for row in rows} - {""})
    if len(versions) > 1:
        raise ImportFileError(
            file,
            [
                f"column questionnaire_version: the file mixes versions {', '.join(versions)}; "
                "import one file per questionnaire version"
            ],
        )
    try:
        questionnaire = _questionnaire(
            catalog or get_catalog(), questionnaire_id, versions[0] if versions else None
        )
    except LookupError as exc:
        raise ImportFileError(file, [f"column questionnaire_version: {exc}"]) from None
    try:
        responses = responses_from_rows(rows, questionnaire, first_line=2, k=k)
    except ResponseDataError as exc:
        raise ImportFileError(file, exc.errors) from None
    unnamed = [
        f"line {line}, column assessment: empty; every answer needs the id of its assessment (e.g. 2026-q4)"
        for line, row in enumerate(rows, start=2)
        if not (row.get("assessment") or "").strip()
    ]
    if unnamed:
        raise ImportFileError(file, unnamed)
    conflicts = repo.check_team_responses(session, responses)
    if conflicts:
        raise ImportFileError(file, conflicts)
    return _summary(file, "csv", repo.store_team_responses(session, responses))


def _read_csv(text: str, file: str) -> list[dict[str, str]]:
    """The rows of a long CSV, with formula neutralisation undone; header problems raise at once."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(file, [f"line 1: cannot read the header ({exc})"]) from None
    header = [restore_cell(column.strip()) for column in header]
    problems = []
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        problems.append(f"line 1: column(s) {', '.join(duplicated)} appear more than once")
    unknown = [column for column in header if column not in EXPORT_COLUMNS]
    if unknown:
        problems.append(
            f"line 1: unknown column(s) {', '.join(repr(c) for c in unknown)} "
            f"(expected {','.join(REQUIRED_COLUMNS)}, optionally {','.join(EXPORT_COLUMNS[len(REQUIRED_COLUMNS) :])})"
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        problems.append(
            f"line 1: missing column(s) {', '.join(missing)} (expected {','.join(REQUIRED_COLUMNS)})"
        )
    if problems:
        raise ImportFileError(file, problems)
    rows: list[dict[str, str]] = []
    blank_line: int | None = None
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                blank_line = blank_line or line
                continue
            if blank_line is not None:
                # line numbers in messages count rows, so a gap would make them lie
                problems.append(f"line {blank_line}: empty line between answers; remove it")
                blank_line = None
            if len(values) != len(header):
                problems.append(f"line {line}: has {len(values)} fields, the header has {len(header)}")
                continue
            rows.append({column: restore_cell(value) for column, value in zip(header, values, strict=True)})
    except csv.Error as exc:
        problems.append(f"line {reader.line_num}: not valid CSV ({exc})")
    if problems:
        raise ImportFileError(file, problems)
    if not rows:
        raise ImportFileError(file, ["the file has a header but no answers"])
    return rows


# --- import: JSON --------------------------------------------------------------------------------------

Text = Annotated[str, Field(min_length=1, max_length=200)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _JsonRespondent(_Strict):
    id: Text
    role: Literal["leader", "manager", "contributor"]
    created_at: datetime | None = None
    submitted_at: datetime | None = None
    answers: dict[str, Annotated[int, Field(ge=1, le=5)] | None] = Field(default_factory=dict)
    comments: dict[str, Annotated[str, Field(max_length=5000)]] = Field(default_factory=dict)

    @field_validator("created_at", "submitted_at", mode="before")
    @classmethod
    def _parse_time(cls, value: Any) -> Any:
        return _parse_datetime(value)


class _JsonAction(_Strict):
    id: Text
    position: Annotated[int, Field(ge=0)] | None = None
    title: Annotated[str, Field(min_length=1, max_length=300)]
    finding: str = ""
    owner: Annotated[str, Field(max_length=200)] = ""
    due_date: date | None = None
    status: Literal["open", "in_progress", "done"] = "open"
    source_item_id: str | None = None
    kpi: Annotated[str, Field(max_length=300)] | None = None
    first_step: str = ""
    horizon_days: Annotated[int, Field(ge=0)] | None = None

    @field_validator("due_date", mode="before")
    @classmethod
    def _parse_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"'{value}' is not a date (YYYY-MM-DD)") from None
        return value


class _JsonAssessment(_Strict):
    id: Annotated[str, Field(min_length=1, max_length=100)]
    team: Text
    questionnaire_id: Text
    questionnaire_version: Text
    form: Literal["full", "pulse"] = "full"
    mode: Literal["individual", "consensus"] = "individual"
    k: Annotated[int, Field(ge=3)] = 3
    round_label: Annotated[str, Field(max_length=100)] | None = None
    status: Literal["open", "closed"] = "open"
    is_demo: bool = False
    created_at: datetime | None = None
    closed_at: datetime | None = None
    ai_hours_per_week: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    # optional: exports made before the team size was asked for do not have it
    team_size: Annotated[int, Field(ge=1, le=10_000)] | None = None
    kpis: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(default_factory=dict)
    # optional: exports made before wording was recorded do not have it
    item_wording: dict[Text, Annotated[str, Field(pattern=r"^[0-9a-f]{8,64}$")]] | None = None
    respondents: list[_JsonRespondent] = Field(default_factory=list)
    actions: list[_JsonAction] = Field(default_factory=list)

    @field_validator("created_at", "closed_at", mode="before")
    @classmethod
    def _parse_time(cls, value: Any) -> Any:
        return _parse_datetime(value)

    @field_validator("ai_hours_per_week", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        return float(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("kpis", mode="before")
    @classmethod
    def _numbers(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for k, v in value.items()
            }
        return value


class _JsonTeam(_Strict):
    name: Text
    is_demo: bool = False


class _JsonDocument(_Strict):
    format: Literal["layerwise-export"]
    format_version: Literal[1]
    exported_at: str | None = None
    questionnaires: list[dict[str, str]] = Field(default_factory=list)
    teams: list[_JsonTeam] = Field(default_factory=list)
    assessments: list[_JsonAssessment]
    workshops: list[dict[str, Any]] = Field(default_factory=list)


def _parse_datetime(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"'{value}' is not an ISO 8601 date-time") from None
        if parsed.tzinfo is None:
            raise ValueError(f"'{value}' has no time zone (write it in UTC, e.g. 2026-01-31T09:00:00+00:00)")
        return parsed
    return value


def _json_path(location: Sequence[str | int]) -> str:
    text = ""
    for part in location:
        if isinstance(part, int):
            text += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text or "(top level)"


def _json_message(error: Mapping[str, Any]) -> str:
    """Pydantic's message, reworded where a person would not know what it means here."""
    location = [part for part in error["loc"] if not _union_tag(part)]
    if len(location) >= 2 and location[-2] == "answers":
        return f'must be a level 1–5, or null for "Don\'t know" (not {json.dumps(error.get("input"))})'
    if len(location) >= 2 and location[-2] == "item_wording" and error["type"] == "string_pattern_mismatch":
        return f"must be a wording hash of 8–64 hex digits (not {json.dumps(error.get('input'))})"
    if error["type"] == "extra_forbidden":
        return f"unknown field '{location[-1]}' (not part of the Layerwise export format)"
    if error["type"] == "missing":
        return f"required field '{location[-1]}' is missing"
    return str(error["msg"]).removeprefix("Value error, ")


def _union_tag(part: str | int) -> bool:
    return isinstance(part, str) and (
        part in {"int", "none", "str", "float", "bool", "date", "datetime"}
        or part.startswith(("constrained", "literal"))
    )


class _ObjectWithDuplicateKeys(dict[str, Any]):
    """A JSON object in which some keys appeared more than once (``json`` would silently keep the last)."""

    duplicates: list[str]


def _keep_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` of :func:`json.loads`: a dict, marked when a key appeared twice."""
    obj: dict[str, Any] = {}
    duplicates: list[str] = []
    for key, value in pairs:
        if key in obj and key not in duplicates:
            duplicates.append(key)
        obj[key] = value
    if not duplicates:
        return obj
    marked = _ObjectWithDuplicateKeys(obj)
    marked.duplicates = duplicates
    return marked


def _duplicate_key_problems(raw: Any) -> list[str]:
    """One problem per key that appears twice in an object, with its JSON path (walked without recursion)."""
    problems: list[str] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(raw, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _ObjectWithDuplicateKeys):
            problems.extend(
                f"{_json_path([*path, key])}: the key {json.dumps(key)} appears more than once in this "
                "object; keep one"
                for key in value.duplicates
            )
        if isinstance(value, dict):
            stack.extend((child, (*path, key)) for key, child in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((child, (*path, index)) for index, child in reversed(list(enumerate(value))))
    return problems


def import_json_text(
    session: Session, text: str, *, file: str, catalog: Catalog | None = None
) -> ImportSummary:
    """Import a JSON export (see :func:`import_bytes`); a key that appears twice in an object is refused."""
    try:
        raw = json.loads(text, object_pairs_hook=_keep_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            file, [f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"]
        ) from None
    except RecursionError:
        raise ImportFileError(
            file, ["(top level): the JSON is nested too deeply to be a Layerwise export"]
        ) from None
    duplicates = _duplicate_key_problems(raw)
    if duplicates:
        raise ImportFileError(file, duplicates)
    if not isinstance(raw, dict) or raw.get("format") != JSON_FORMAT:
        raise ImportFileError(
            file, [f'(top level): not a Layerwise export (expected an object with "format": "{JSON_FORMAT}")']
        )
    try:
        document = _JsonDocument.model_validate(raw)
    except ValidationError as exc:
        raise ImportFileError(
            file,
            [
                f"{_json_path([p for p in error['loc'] if not _union_tag(p)])}: {_json_message(error)}"
                for error in exc.errors(include_url=False)
            ],
        ) from None
    problems = _check_json_content(document, catalog or get_catalog())
    if problems:
        raise ImportFileError(file, problems)
    responses = [_team_responses(assessment) for assessment in document.assessments]
    conflicts = repo.check_team_responses(session, responses)
    if conflicts:
        raise ImportFileError(file, conflicts)
    demo_teams = {team.name for team in document.teams if team.is_demo}
    summary = ImportSummary(file=file, format="json")
    for index, (assessment, team_responses) in enumerate(zip(document.assessments, responses, strict=True)):
        stored = repo.store_team_responses(
            session, [team_responses], is_demo=assessment.is_demo or assessment.team in demo_teams
        )
        for name in ("teams_created", "assessments_created", "assessments_matched", "respondents_created"):
            setattr(summary, name, getattr(summary, name) + getattr(stored, name))
        summary.respondents_matched += stored.respondents_matched
        summary.answers_written += stored.answers_written
        summary.comments_written += stored.comments_written
        assessment_id = stored.assessment_ids[0]
        summary.assessment_ids.append(assessment_id)
        _apply_json_details(session, assessment_id, assessment, summary, index)
    session.flush()
    return summary


def _check_json_content(document: _JsonDocument, catalog: Catalog) -> list[str]:
    """What the questionnaire says about the document: item ids, forms, dimensions and KPI ranges."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for a_index, assessment in enumerate(document.assessments):
        where = f"assessments[{a_index}]"
        key = (assessment.team, assessment.id)
        if key in seen:
            problems.append(
                f"{where}: assessment {assessment.id!r} of team {assessment.team!r} appears twice"
            )
        seen.add(key)
        try:
            questionnaire = _questionnaire(
                catalog, assessment.questionnaire_id, assessment.questionnaire_version
            )
        except LookupError as exc:
            problems.append(f"{where}.questionnaire_version: {exc}")
            continue
        on_form = {item.id for item in questionnaire.items_for(assessment.form)}
        all_items = {item.id for item in questionnaire.items_for("full")}
        dimensions = {dimension.id for dimension in questionnaire.dimensions}
        kpis = {kpi.id: kpi for kpi in questionnaire.kpis}
        if assessment.mode == "consensus" and len(assessment.respondents) > 1:
            problems.append(
                f"{where}.respondents: a consensus assessment holds one answer set, "
                f"not {len(assessment.respondents)}"
            )
        ids: set[str] = set()
        for r_index, respondent in enumerate(assessment.respondents):
            r_where = f"{where}.respondents[{r_index}]"
            if respondent.id in ids:
                problems.append(
                    f"{r_where}.id: respondent {respondent.id!r} appears twice in this assessment"
                )
            ids.add(respondent.id)
            for item_id in respondent.answers:
                if item_id not in all_items:
                    problems.append(
                        f"{r_where}.answers[{json.dumps(item_id)}]: unknown item "
                        f"(not in questionnaire {questionnaire.id} {questionnaire.version})"
                    )
                elif item_id not in on_form:
                    problems.append(
                        f"{r_where}.answers[{json.dumps(item_id)}]: not on the {assessment.form} form"
                    )
            for dimension_id in respondent.comments:
                if dimension_id not in dimensions:
                    problems.append(f"{r_where}.comments[{json.dumps(dimension_id)}]: unknown dimension")
        for kpi_id, value in assessment.kpis.items():
            kpi = kpis.get(kpi_id)
            if kpi is None:
                problems.append(f"{where}.kpis[{json.dumps(kpi_id)}]: unknown KPI (known: {', '.join(kpis)})")
            elif not kpi.minimum <= value <= kpi.maximum:
                problems.append(
                    f"{where}.kpis[{json.dumps(kpi_id)}]: {value} is outside {kpi.minimum:g}–{kpi.maximum:g} {kpi.unit}"
                )
        action_ids: set[str] = set()
        for x_index, action in enumerate(assessment.actions):
            if action.id in action_ids:
                problems.append(f"{where}.actions[{x_index}].id: action {action.id!r} appears twice")
            action_ids.add(action.id)
            if action.source_item_id is not None and action.source_item_id not in all_items:
                problems.append(
                    f"{where}.actions[{x_index}].source_item_id: unknown item {action.source_item_id!r}"
                )
    return problems


def _team_responses(assessment: _JsonAssessment) -> TeamResponses:
    return TeamResponses(
        team=assessment.team,
        assessment_id=assessment.id,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=assessment.questionnaire_version,
        form=assessment.form,
        mode=assessment.mode,
        k=assessment.k,
        respondents=[
            RespondentAnswers(
                respondent_id=r.id, role=r.role, answers=dict(r.answers), comments=dict(r.comments)
            )
            for r in assessment.respondents
        ],
        kpis=dict(assessment.kpis),
        ai_hours_per_week=assessment.ai_hours_per_week,
        team_size=assessment.team_size,
        collected_at=max(
            (r.submitted_at for r in assessment.respondents if r.submitted_at is not None),
            default=assessment.created_at,
        ),
    )


def _apply_json_details(
    session: Session, assessment_id: int, document: _JsonAssessment, summary: ImportSummary, index: int
) -> None:
    """What the long form cannot carry: dates, status, round label, item wording, respondent times, actions.

    The item wording is recorded only where the database has none yet: it says what people saw when they
    answered, which a later import must not overwrite.
    """
    assessment = repo.get_assessment(session, assessment_id=assessment_id)
    if document.item_wording is not None:
        repo.set_item_wording(session, assessment_id=assessment_id, item_wording=document.item_wording)
    if document.created_at is not None:
        assessment.created_at = document.created_at
    assessment.round_label = document.round_label
    assessment.status = document.status
    assessment.closed_at = document.closed_at if document.status == "closed" else None
    if document.status == "closed" and assessment.closed_at is None:
        assessment.closed_at = datetime.now(UTC)
    respondents = repo.list_respondents(session, assessment_id=assessment_id)
    by_pseudonym = {r.external_id: r for r in respondents}
    by_key = {r.import_key: r for r in respondents if r.import_key}
    for incoming in document.respondents:
        match = (
            by_pseudonym.get(incoming.id)
            if repo.PSEUDONYM_PATTERN.match(incoming.id)
            else by_key.get(repo.import_key(incoming.id))
        )
        if match is None:  # pragma: no cover - store_team_responses created every respondent
            continue
        if incoming.created_at is not None:
            match.created_at = incoming.created_at
        match.submitted_at = incoming.submitted_at
    existing = {a.external_id: a for a in repo.list_actions(session, assessment_id=assessment_id)}
    ordered = sorted(
        enumerate(document.actions),
        key=lambda pair: pair[1].position if pair[1].position is not None else pair[0],
    )
    for _, action in ordered:
        fields = {
            "title": action.title,
            "finding": action.finding,
            "owner": action.owner,
            "due_date": action.due_date,
            "status": action.status,
            "source_item_id": action.source_item_id,
            "kpi": action.kpi,
            "first_step": action.first_step,
            "horizon_days": action.horizon_days,
        }
        stored = existing.get(action.id)
        if stored is None:
            repo.add_action(session, assessment_id=assessment_id, external_id=action.id, **fields)
            summary.actions_created += 1
        else:
            changed = {name: value for name, value in fields.items() if getattr(stored, name) != value}
            if changed:
                repo.update_action(session, action_id=stored.id, **changed)
            summary.actions_updated += 1
    # the file's order first, then any actions the database had that the file does not name
    actions = {a.external_id: a for a in repo.list_actions(session, assessment_id=assessment_id)}
    named = {action.id for action in document.actions}
    order = [actions[a.id].id for _, a in ordered] + [a.id for key, a in actions.items() if key not in named]
    repo.reorder_actions(session, assessment_id=assessment_id, action_ids=order)
    session.flush()


__all__ = [
    "EXPORT_FORMATS",
    "FORMULA_TRIGGERS",
    "MAX_IMPORT_BYTES",
    "ImportFileError",
    "ImportSummary",
    "detect_format",
    "export_csv",
    "export_data",
    "export_document",
    "export_json",
    "export_responses",
    "export_tables",
    "export_xlsx",
    "import_bytes",
    "import_csv_text",
    "import_file",
    "import_json_text",
    "neutralise_cell",
    "responses_csv",
    "restore_cell",
    "write_csv",
]
