"""The task map and the one-page AI-use guide: the use cases the "Task map" page and the CLI call.

Who may edit: the task map, like the outcome figures, is team-level data, not an individual answer. Anyone
holding one of the team's self-assessment links (a respondent's resume token) may view, edit, import,
clear it and publish a guide from it; the last saved version counts. Nothing in it is attributed to a
person, so it is shown live to everyone with the team's link, and the anonymity rule (which protects
individual answers) does not apply to it. A workshop team has an assessment of its own, and so its own task map:
the facilitator's link opens the task map of every team of the workshop (``/task-map?workshop=…``);
participants' links open the join page only.

Guides are versioned: publishing adds version N + 1 and keeps every earlier one. Publishing marks the
plan's action "Publish a one-page AI-use decision guide" (:data:`GUIDE_ITEM_ID`) done when the plan has it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import ValidationError

from questionnaires.loader import taskmap_templates
from questionnaires.taskmap_schema import GuideForm, TaskMapInput, TaskMapTemplate
from reports.content import format_date
from reports.guide import guide_content, guide_html, guide_markdown, guide_pdf
from reports.pdf import report_file_name
from reports.taskmap_csv import read_task_map_csv, task_map_csv
from scoring.models import CapacityLedger
from scoring.taskmap import (
    TaskMapError,
    TaskMapTotals,
    WeekSlice,
    default_review_date,
    ledger_from_task_map,
    parse_task_map,
    role_week,
    stored_task_map,
    task_map_totals,
    where_label,
)
from services.assessment import _respondent_of
from services.context import AppContext, InputError
from services.workshop import _facilitated as facilitator_workshop_id
from storage import repository as repo
from storage import taskmaps
from storage.taskmaps import StoredGuide

#: The questionnaire item whose recommended action is "Publish a one-page AI-use decision guide".
GUIDE_ITEM_ID = "permission.one_page_guide"
GuideFormat = Literal["pdf", "md", "html"]
MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "md": "text/markdown", "html": "text/html"}


class TaskMapInputError(InputError):
    """A task map that cannot be saved: ``errors`` maps "Activities row 4, hours per week" to a message, and
    ``where`` maps ``(section, row index, field)`` to the same message (for marking cells)."""

    def __init__(self, error: TaskMapError) -> None:
        self.where = dict(error.errors)
        super().__init__({where_label(*where): message for where, message in self.where.items()})

    def split(self, section: str, row: int) -> tuple[dict[str, str], list[str]]:
        """The problems of one row by field (for messages under its form fields), and every other problem
        as "Activities row 2, role: …" lines."""
        fields: dict[str, str] = {}
        others: list[str] = []
        for (where_section, where_row, field), message in self.where.items():
            if where_section == section and where_row == row and field:
                fields[field] = message
            else:
                others.append(f"{where_label(where_section, where_row, field)}: {message}")
        return fields, others


@dataclass(frozen=True)
class TaskMapView:
    """An assessment's task map with its totals, role weeks and the capacity ledger it gives."""

    assessment_id: int
    team: str
    task_map: TaskMapInput | None
    totals: TaskMapTotals | None
    week: list[WeekSlice]
    ledger: CapacityLedger | None


def _view(assessment_id: int, team: str, task_map: TaskMapInput | None) -> TaskMapView:
    if task_map is None:
        return TaskMapView(assessment_id, team, None, None, [], None)
    totals = task_map_totals(task_map)
    return TaskMapView(
        assessment_id, team, task_map, totals, role_week(totals), ledger_from_task_map(task_map)
    )


def _assessment_of(ctx: AppContext, token: str) -> int:
    with ctx.read() as session:
        return _respondent_of(session, token)[1]


@dataclass(frozen=True)
class TaskMapAccess:
    """A task map a link opens: the assessment and its team's name."""

    assessment_id: int
    team: str


def access_for_token(ctx: AppContext, token: str) -> TaskMapAccess:
    """The task map a self-assessment link opens (its team's); ``AccessError`` for any other link."""
    with ctx.read() as session:
        assessment_id = _respondent_of(session, token)[1]
        return TaskMapAccess(
            assessment_id, repo.get_assessment(session, assessment_id=assessment_id).team.name
        )


def workshop_teams(ctx: AppContext, facilitator_token: str) -> list[TaskMapAccess]:
    """The task maps a facilitator link opens: one per team of the workshop (each team has its own
    assessment); ``AccessError`` for any other link. Participants' links open the join page only."""
    with ctx.read() as session:
        workshop_id = facilitator_workshop_id(session, facilitator_token)
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        return [
            TaskMapAccess(assessment_id, repo.get_assessment(session, assessment_id=assessment_id).team.name)
            for assessment_id in state.assessment_ids
        ]


def task_map_for_assessment(ctx: AppContext, assessment_id: int) -> TaskMapView:
    """The assessment's task map (``task_map`` None when the team has none)."""
    with ctx.read() as session:
        team = repo.get_assessment(session, assessment_id=assessment_id).team.name
        payload = taskmaps.get_task_map(session, assessment_id=assessment_id)
    return _view(assessment_id, team, stored_task_map(payload))


def task_map(ctx: AppContext, token: str) -> TaskMapView:
    """The task map of the token's team (see :func:`task_map_for_assessment`)."""
    return task_map_for_assessment(ctx, _assessment_of(ctx, token))


def save_task_map_for_assessment(ctx: AppContext, assessment_id: int, data: Mapping[str, Any]) -> TaskMapView:
    """Validate and store a task map; ``TaskMapInputError`` names each bad row and field, and nothing is
    saved while any is wrong."""
    try:
        parsed = parse_task_map(data)
    except TaskMapError as error:
        raise TaskMapInputError(error) from None
    with ctx.write() as session:
        taskmaps.save_task_map(session, assessment_id=assessment_id, payload=parsed.model_dump(mode="json"))
    return task_map_for_assessment(ctx, assessment_id)


def save_task_map(ctx: AppContext, token: str, data: Mapping[str, Any]) -> TaskMapView:
    """Save the token's team's task map (see :func:`save_task_map_for_assessment`)."""
    return save_task_map_for_assessment(ctx, _assessment_of(ctx, token), data)


Section = Literal["roles", "activities", "redeployments"]


def _current_data(ctx: AppContext, assessment_id: int) -> dict[str, list[dict[str, Any]]]:
    with ctx.read() as session:
        payload = taskmaps.get_task_map(session, assessment_id=assessment_id)
    data = dict(payload or {})
    return {
        section: [dict(row) for row in data.get(section, [])]
        for section in ("roles", "activities", "redeployments")
    }


def save_row_for_assessment(
    ctx: AppContext, assessment_id: int, section: Section, row: int | None, values: Mapping[str, Any]
) -> TaskMapView:
    """Add a row to a section of the task map (``row`` None) or replace row ``row``, and save the whole map.

    Empty values are left out. Renaming a role renames it in its activities and redeployments too. Raises
    ``TaskMapInputError`` (nothing saved) when the map with this row is not valid.
    """
    data = _current_data(ctx, assessment_id)
    cleaned = {key: value for key, value in values.items() if value is not None and value != ""}
    rows = data[section]
    if row is None:
        rows.append(cleaned)
    else:
        if not 0 <= row < len(rows):
            raise InputError({section: f"row {row + 1} is no longer there; reload the page"})
        old_name = rows[row].get("name") if section == "roles" else None
        rows[row] = cleaned
        new_name = cleaned.get("name")
        if old_name and new_name and old_name != new_name:
            for other in (*data["activities"], *data["redeployments"]):
                if str(other.get("role", "")).casefold() == str(old_name).casefold():
                    other["role"] = new_name
    return save_task_map_for_assessment(ctx, assessment_id, data)


def save_row(
    ctx: AppContext, token: str, section: Section, row: int | None, values: Mapping[str, Any]
) -> TaskMapView:
    """Add or replace one row of the token's team's task map (see :func:`save_row_for_assessment`)."""
    return save_row_for_assessment(ctx, _assessment_of(ctx, token), section, row, values)


def remove_row_for_assessment(ctx: AppContext, assessment_id: int, section: Section, row: int) -> TaskMapView:
    """Remove one row of the task map and save; a role that activities still name cannot go
    (``TaskMapInputError`` names those rows)."""
    data = _current_data(ctx, assessment_id)
    if not 0 <= row < len(data[section]):
        raise InputError({section: f"row {row + 1} is no longer there; reload the page"})
    del data[section][row]
    return save_task_map_for_assessment(ctx, assessment_id, data)


def remove_row(ctx: AppContext, token: str, section: Section, row: int) -> TaskMapView:
    """Remove one row of the token's team's task map (see :func:`remove_row_for_assessment`)."""
    return remove_row_for_assessment(ctx, _assessment_of(ctx, token), section, row)


def start_from_template_for_assessment(ctx: AppContext, assessment_id: int, template_id: str) -> TaskMapView:
    """Replace the task map with a shipped template's."""
    chosen = {template.id: template for template in templates()}.get(template_id)
    if chosen is None:
        raise InputError({"template": f"there is no template '{template_id}'"})
    return save_task_map_for_assessment(ctx, assessment_id, chosen.task_map.model_dump(mode="json"))


def start_from_template(ctx: AppContext, token: str, template_id: str) -> TaskMapView:
    """Replace the token's team's task map with a template's (see :func:`start_from_template_for_assessment`)."""
    return start_from_template_for_assessment(ctx, _assessment_of(ctx, token), template_id)


def clear_task_map(ctx: AppContext, token: str) -> None:
    """Remove the team's task map (the Outcomes figures count again; published guides are kept)."""
    assessment_id = _assessment_of(ctx, token)
    with ctx.write() as session:
        taskmaps.delete_task_map(session, assessment_id=assessment_id)


def templates() -> list[TaskMapTemplate]:
    """The shipped task-map templates (service desk, analysts and risk reporting, software, marketing)."""
    return taskmap_templates()


def export_csv_for_assessment(ctx: AppContext, assessment_id: int) -> bytes:
    """The assessment's task map as CSV (an error for people when there is none)."""
    view = task_map_for_assessment(ctx, assessment_id)
    if view.task_map is None:
        raise InputError({"task map": "there is no task map to export yet"})
    return task_map_csv(view.task_map)


def import_csv_for_assessment(
    ctx: AppContext, assessment_id: int, data: bytes, file: str = "task map CSV"
) -> TaskMapView:
    """Replace the task map with the one in a CSV file, all or nothing (``reports.exchange.ImportFileError``
    lists every problem by line)."""
    parsed = read_task_map_csv(data, file)
    return save_task_map_for_assessment(ctx, assessment_id, parsed.model_dump(mode="json"))


def import_csv(ctx: AppContext, token: str, data: bytes, file: str = "task map CSV") -> TaskMapView:
    """Import a task map CSV for the token's team (see :func:`import_csv_for_assessment`)."""
    return import_csv_for_assessment(ctx, _assessment_of(ctx, token), data, file)


def file_name(team: str, what: str, extension: str) -> str:
    """A safe download name: ``layerwise-<team>-<what>.<extension>``."""
    return report_file_name(f"{team}-{what}", extension)


def error_lines(error: Exception) -> list[str]:
    """An import's or a save's problems, one line each (an ``ImportFileError`` lists them by line)."""
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict):
        return [f"{where}: {message}" for where, message in errors.items()]
    if isinstance(errors, list):
        return [str(message) for message in errors]
    return [str(error)]


# --- the guide ---------------------------------------------------------------------------------------------


def default_guide_form(today: date | None = None) -> dict[str, Any]:
    """The guide form's starting values: three common data classes and a review in three months."""
    day = today or datetime.now(UTC).date()
    return {
        "data_rules": [
            {"data_class": "Public information", "tools": ""},
            {"data_class": "Internal documents", "tools": ""},
            {"data_class": "Customer or personal data", "tools": ""},
        ],
        "contact_name": "",
        "contact_response": "within one working day",
        "review_date": default_review_date(day),
    }


#: Guide form field → its label on the page (for messages).
GUIDE_FIELD_LABELS = {
    "data_rules": "data rules",
    "contact_name": "who decides grey zones",
    "contact_response": "how soon they answer",
    "review_date": "review date",
}


def guide_form_start(ctx: AppContext, assessment_id: int, today: date | None = None) -> dict[str, Any]:
    """The guide form's starting values: the newest published version's (with a new review date three months
    from today), or :func:`default_guide_form` for a first guide."""
    day = today or datetime.now(UTC).date()
    with ctx.read() as session:
        newest = taskmaps.get_guide(session, assessment_id=assessment_id)
    if newest is None:
        return default_guide_form(day)
    return dict(newest.form) | {"review_date": default_review_date(day)}


def _form_errors(error: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        loc = problem["loc"]
        if len(loc) >= 3 and loc[0] == "data_rules":
            key = f"data rule {int(loc[1]) + 1}, {str(loc[2]).replace('_', ' ')}"
        else:
            key = GUIDE_FIELD_LABELS.get(str(loc[0]) if loc else "", "form")
        message = "is required" if problem["type"] in {"missing", "string_too_short"} else str(problem["msg"])
        errors.setdefault(key, message)
    return errors


def publish_guide_for_assessment(ctx: AppContext, assessment_id: int, form: Mapping[str, Any]) -> StoredGuide:
    """Publish the next version of the team's guide from its task map and ``form``; ``InputError`` names each
    bad field (or says the task map is missing). Marks the plan's guide action done."""
    try:
        parsed = GuideForm.model_validate(dict(form))
    except ValidationError as error:
        raise InputError(_form_errors(error)) from None
    with ctx.write() as session:
        current = stored_task_map(taskmaps.get_task_map(session, assessment_id=assessment_id))
        if current is None or not current.activities:
            raise InputError(
                {"task map": "save a task map with at least one activity before publishing a guide"}
            )
        guide = taskmaps.add_guide(
            session,
            assessment_id=assessment_id,
            form=parsed.model_dump(mode="json"),
            task_map=current.model_dump(mode="json"),
        )
        for action in repo.list_actions(session, assessment_id=assessment_id):
            if action.source_item_id == GUIDE_ITEM_ID and action.status != "done":
                repo.update_action(session, action_id=action.id, status="done")
        return guide


def publish_guide(ctx: AppContext, token: str, form: Mapping[str, Any]) -> StoredGuide:
    """Publish a guide for the token's team (see :func:`publish_guide_for_assessment`)."""
    return publish_guide_for_assessment(ctx, _assessment_of(ctx, token), form)


def guides_for_assessment(ctx: AppContext, assessment_id: int) -> list[StoredGuide]:
    """Every published version of the assessment's guide, oldest first."""
    with ctx.read() as session:
        return taskmaps.list_guides(session, assessment_ids=[assessment_id])


def guides(ctx: AppContext, token: str) -> list[StoredGuide]:
    """Every published version of the token's team's guide, oldest first."""
    return guides_for_assessment(ctx, _assessment_of(ctx, token))


def guide_file_for_assessment(
    ctx: AppContext, assessment_id: int, fmt: GuideFormat = "pdf", version: int | None = None
) -> tuple[bytes, str]:
    """A published guide (the newest unless ``version``) as PDF, Markdown or HTML, and its file name."""
    with ctx.read() as session:
        team = repo.get_assessment(session, assessment_id=assessment_id).team.name
        stored = taskmaps.get_guide(session, assessment_id=assessment_id, version=version)
    if stored is None:
        which = "a guide" if version is None else f"version {version} of the guide"
        raise InputError({"guide": f"this team has not published {which} yet"})
    content = guide_content(
        team,
        TaskMapInput.model_validate(stored.task_map),
        GuideForm.model_validate(stored.form),
        version=stored.version,
        published=stored.published_at,
    )
    name = file_name(team, f"ai-use-guide-v{stored.version}", fmt)
    if fmt == "pdf":
        return guide_pdf(content), name
    if fmt == "md":
        return guide_markdown(content).encode("utf-8"), name
    return guide_html(content).encode("utf-8"), name


def guide_file(
    ctx: AppContext, token: str, fmt: GuideFormat = "pdf", version: int | None = None
) -> tuple[bytes, str]:
    """A published guide of the token's team (see :func:`guide_file_for_assessment`)."""
    return guide_file_for_assessment(ctx, _assessment_of(ctx, token), fmt, version)


@dataclass(frozen=True)
class GuideNote:
    """The team's newest guide, for the Results page of this or a later round."""

    version: int
    published_at: datetime
    review_date: date
    round_assessment_id: int

    @property
    def sentence(self) -> str:
        """The guide in one sentence."""
        due = "was due" if self.review_date < datetime.now(UTC).date() else "is due"
        return (
            f"Your team's AI-use guide: version {self.version}, published {format_date(self.published_at)}; "
            f"its review {due} {format_date(self.review_date)}."
        )


def latest_team_guide(ctx: AppContext, assessment_id: int) -> GuideNote | None:
    """The newest guide the team published in this round or any earlier one (None when it has none)."""
    with ctx.read() as session:
        own = repo.get_assessment(session, assessment_id=assessment_id)
        rounds = [a.id for a in repo.list_assessments(session, team_id=own.team_id, include_demo=True)]
        published = taskmaps.list_guides(session, assessment_ids=rounds)
    if not published:
        return None
    newest = published[-1]
    return GuideNote(
        version=newest.version,
        published_at=newest.published_at,
        review_date=date.fromisoformat(str(newest.form["review_date"])),
        round_assessment_id=newest.assessment_id,
    )
