"""Responses in long CSV form ⇄ ``TeamResponses``: pure conversion of rows that are already read.

A responses file has one answer per line: ``assessment,team,respondent,role,item_id,value`` with ``value`` a
level 1–5 or ``dont_know`` and ``role`` one of ``leader``, ``manager``, ``contributor``. Optional columns:
``questionnaire_version``, ``submitted_at`` (ISO 8601), and, written by ``rows_from_responses`` so that an
export reads back unchanged, ``form`` (``full``/``pulse``) and ``mode`` (``individual``/``consensus``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from pydantic import ValidationError

from questionnaires.schema import Questionnaire
from scoring.models import ROLES, Form, Mode, RespondentAnswers, Role, TeamResponses

REQUIRED_COLUMNS: tuple[str, ...] = ("assessment", "team", "respondent", "role", "item_id", "value")
OPTIONAL_COLUMNS: tuple[str, ...] = ("questionnaire_version", "submitted_at", "form", "mode")
EXPORT_COLUMNS: tuple[str, ...] = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
DONT_KNOW = "dont_know"
#: At most this many problems are listed; a file with more is summarised with a count.
MAX_ERRORS = 50


class ResponseDataError(ValueError):
    """A responses file that cannot be scored; ``errors`` lists one message per problem, naming the line."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class _Team:
    """What is collected for one (assessment, team) while reading rows."""

    assessment: str
    team: str
    first_line: int
    respondents: dict[str, tuple[Role, dict[str, int | None]]] = field(default_factory=dict)
    respondent_lines: dict[str, int] = field(default_factory=dict)
    answer_lines: dict[tuple[str, str], int] = field(default_factory=dict)
    settings: dict[str, tuple[str, int]] = field(default_factory=dict)  # column → (value, first line)
    latest: datetime | None = None
    items: set[str] = field(default_factory=set)


def _parse_value(raw: str) -> int | None:
    if raw.lower() == DONT_KNOW:
        return None
    if raw in {"1", "2", "3", "4", "5"}:
        return int(raw)
    raise ValueError(raw)


def responses_from_rows(
    rows: Iterable[Mapping[str, str | None]],
    questionnaire: Questionnaire,
    first_line: int = 2,
    k: int = 3,
) -> list[TeamResponses]:
    """Turn long-CSV rows (as ``csv.DictReader`` gives them) into one ``TeamResponses`` per (assessment, team).

    Raises ``ResponseDataError`` listing every problem with its line number and column: a missing column,
    an unknown item id, a value that is not 1–5 or ``dont_know``, an unknown role, a respondent answering one
    item twice or changing role, an unreadable ``submitted_at``. ``first_line`` is the file line of the first
    row (2 after a header). When no ``form`` column says otherwise, a team whose answers are all pulse items
    took the pulse form. Teams and respondents keep the order in which they first appear.
    """
    errors: list[str] = []
    teams: dict[tuple[str, str], _Team] = {}
    known_items = {item.id for item in questionnaire.items_for("full")}
    pulse_items = {item.id for item in questionnaire.items_for("pulse")}
    for offset, row in enumerate(rows):
        line = first_line + offset
        if offset == 0:
            missing = [column for column in REQUIRED_COLUMNS if column not in row]
            if missing:
                raise ResponseDataError(
                    [
                        f"line {first_line - 1}: missing column(s) {', '.join(missing)} "
                        f"(expected {','.join(REQUIRED_COLUMNS)})"
                    ]
                )
        if len(errors) > MAX_ERRORS:
            continue
        values = {column: (row.get(column) or "").strip() for column in EXPORT_COLUMNS}
        row_errors: list[str] = []
        for column in ("team", "respondent", "item_id", "value", "role"):
            if not values[column]:
                row_errors.append(f"line {line}, column {column}: empty")
        role = values["role"].lower()
        if role and role not in ROLES:
            row_errors.append(
                f"line {line}, column role: unknown role '{values['role']}' (expected {', '.join(ROLES)})"
            )
        item_id = values["item_id"]
        if item_id and item_id not in known_items:
            row_errors.append(
                f"line {line}, column item_id: unknown item '{item_id}' "
                f"(not in questionnaire {questionnaire.id} {questionnaire.version})"
            )
        value: int | None = None
        if values["value"]:
            try:
                value = _parse_value(values["value"])
            except ValueError:
                row_errors.append(
                    f"line {line}, column value: '{values['value']}' is not a level 1–5 or {DONT_KNOW}"
                )
        submitted: datetime | None = None
        if values["submitted_at"]:
            try:
                submitted = datetime.fromisoformat(values["submitted_at"])
            except ValueError:
                row_errors.append(
                    f"line {line}, column submitted_at: '{values['submitted_at']}' is not an ISO 8601 date-time"
                )
        for column, allowed in (("form", ("full", "pulse")), ("mode", ("individual", "consensus"))):
            if values[column] and values[column] not in allowed:
                row_errors.append(
                    f"line {line}, column {column}: '{values[column]}' is not one of {', '.join(allowed)}"
                )
        if row_errors:
            errors.extend(row_errors)
            continue

        key = (values["assessment"], values["team"])
        team = teams.get(key)
        if team is None:
            team = teams[key] = _Team(values["assessment"], values["team"], line)
        respondent = values["respondent"]
        where = f"team '{team.team}'" + (f" of assessment '{team.assessment}'" if team.assessment else "")
        if respondent in team.respondents:
            known_role = team.respondents[respondent][0]
            if known_role != role:
                errors.append(
                    f"line {line}, column role: respondent '{respondent}' in {where} was '{known_role}' "
                    f"on line {team.respondent_lines[respondent]}, here '{role}'"
                )
                continue
        else:
            team.respondents[respondent] = (cast(Role, role), {})
            team.respondent_lines[respondent] = line
        first = team.answer_lines.get((respondent, item_id))
        if first is not None:
            errors.append(
                f"line {line}, column item_id: respondent '{respondent}' in {where} answers '{item_id}' twice "
                f"(first on line {first})"
            )
            continue
        team.answer_lines[(respondent, item_id)] = line
        team.respondents[respondent][1][item_id] = value
        team.items.add(item_id)
        for column in ("questionnaire_version", "form", "mode"):
            if not values[column]:
                continue
            setting = team.settings.get(column)
            if setting is None:
                team.settings[column] = (values[column], line)
            elif setting[0] != values[column]:
                errors.append(
                    f"line {line}, column {column}: '{values[column]}' differs from '{setting[0]}' "
                    f"on line {setting[1]} for {where}"
                )
        if submitted is not None:
            try:
                if team.latest is None or submitted > team.latest:
                    team.latest = submitted
            except TypeError:
                errors.append(
                    f"line {line}, column submitted_at: mixes date-times with and without a time zone in {where}"
                )

    results: list[TeamResponses] = []
    for team in teams.values():
        form = team.settings.get("form", ("pulse" if team.items <= pulse_items else "full", 0))[0]
        mode = team.settings.get("mode", ("individual", 0))[0]
        where = f"team '{team.team}'" + (f" of assessment '{team.assessment}'" if team.assessment else "")
        if form == "pulse":
            for (_respondent, item_id), answer_line in team.answer_lines.items():
                if item_id not in pulse_items:
                    errors.append(
                        f"line {answer_line}, column item_id: '{item_id}' is not on the pulse form {where} took"
                    )
        if mode == "consensus" and len(team.respondents) > 1:
            second = list(team.respondent_lines.values())[1]
            errors.append(
                f"line {second}, column respondent: {where} is a consensus assessment (one agreed answer set) "
                f"but has {len(team.respondents)} respondents"
            )
            continue
        try:
            results.append(
                TeamResponses(
                    team=team.team,
                    assessment_id=team.assessment or None,
                    questionnaire_id=questionnaire.id,
                    questionnaire_version=team.settings.get(
                        "questionnaire_version", (questionnaire.version, 0)
                    )[0],
                    form=cast(Form, form),
                    mode=cast(Mode, mode),
                    k=k,
                    respondents=[
                        RespondentAnswers(respondent_id=respondent_id, role=role, answers=answers)
                        for respondent_id, (role, answers) in team.respondents.items()
                    ],
                    collected_at=team.latest,
                )
            )
        except ValidationError as error:
            errors.append(f"line {team.first_line}: {where} cannot be scored: {error}")
    if errors:
        if len(errors) > MAX_ERRORS:
            errors = [*errors[:MAX_ERRORS], f"… and more problems (only the first {MAX_ERRORS} are listed)"]
        raise ResponseDataError(errors)
    return results


def rows_from_responses(teams: Sequence[TeamResponses]) -> list[dict[str, str]]:
    """The long-CSV rows of answer sets (columns ``EXPORT_COLUMNS``); ``responses_from_rows`` reads them back.

    "Don't know" is written as ``dont_know``; unanswered items have no row; ``submitted_at`` is the team's
    ``collected_at`` (ISO 8601) or empty. Comments are not part of the long form.
    """
    rows: list[dict[str, str]] = []
    for team in teams:
        submitted = team.collected_at.isoformat() if team.collected_at else ""
        for respondent in team.respondents:
            for item_id, value in respondent.answers.items():
                rows.append(
                    {
                        "assessment": team.assessment_id or "",
                        "team": team.team,
                        "respondent": respondent.respondent_id,
                        "role": respondent.role,
                        "item_id": item_id,
                        "value": DONT_KNOW if value is None else str(value),
                        "questionnaire_version": team.questionnaire_version,
                        "submitted_at": submitted,
                        "form": team.form,
                        "mode": team.mode,
                    }
                )
    return rows


def answers_in_questionnaire(questionnaire: Questionnaire, responses: TeamResponses) -> TeamResponses:
    """The responses without answers to items the questionnaire no longer has.

    Stored answers can outlive an item: an installation may edit a questionnaire's files without a new
    version. Scoring refuses unknown items (a responses file that names one is an error), so answers already
    stored are scored on the items that still exist, and the wording check names the ones that went.
    Returns ``responses`` itself when every answer is to a known item.
    """
    known = {item.id for item in questionnaire.items_for("full")}
    if all(item_id in known for person in responses.respondents for item_id in person.answers):
        return responses
    people = [
        person.model_copy(
            update={"answers": {item: value for item, value in person.answers.items() if item in known}}
        )
        for person in responses.respondents
    ]
    return responses.model_copy(update={"respondents": people})
