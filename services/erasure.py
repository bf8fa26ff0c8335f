"""Erasure and retention: a person deletes their own answers, an administrator expires old ones.

What erasing a person does (one transaction, under the assessment's publication lock):

- their answers, comments and workshop votes are deleted, the hash of an imported id with them, and their
  resume link from then on says the answers were deleted (``AnswersErasedError``), so it cannot quietly
  start a new, empty answer set;
- in every published release that froze them, each of their values (and comment texts) is replaced by an
  opaque token (``scoring.disclosure.erased_values``): the disclosure check still sees exactly which of
  their cells were in which release, as for someone who left, so no later release can be subtracted from an
  earlier one to recover what they answered; the values themselves are gone;
- the published results stay as they are (their figures were checked when they were published), except
  that the person's comment texts are taken out of them;
- the next publication never includes them: a dimension whose latest release still holds them is held back
  (no figures) until enough new answers let it be released without them (``services.publication``).

Retention (``python cli.py retention apply``): everyone whose last answer or comment (or, with neither,
their joining) is older than the retention period is erased in the same way; published results are kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from scoring.disclosure import ERASED, dimension_forms, erased_values, scored_people
from services.context import AccessError, AnswersErasedError, AppContext, InputError, ServiceError
from storage import erasure as store
from storage import publications as pub
from storage import repository as repo
from storage.models import Respondent

#: What "Delete my answers" deletes, in the words the page shows before asking to confirm.
WHAT_IS_DELETED = (
    "Deleting removes every answer and comment you gave with this link (and your votes in a workshop) from "
    "the database. Team results already published stay as they are for now; the next publication of your "
    "team's results no longer includes you, and no later result ever will. Your resume link then only says "
    "that your answers were deleted. There is no undo."
)


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure deleted and scrubbed (counts only)."""

    answers: int
    comments: int
    votes: int
    releases: int


def erase_my_answers(ctx: AppContext, token: str) -> ErasureReport:
    """Erase the answers, comments and votes of the resume token's holder ("Delete my answers").

    Works for a self-assessment and a workshop participant's link, open or closed. Raises ``AccessError``
    for a token that opens nothing, ``AnswersErasedError`` when it was erased already, and ``ServiceError``
    for a consensus assessment's team link (those are the team's agreed answers, not one person's).
    """
    with ctx.write() as session:
        found = repo.find_respondent_and_workshop(session, token=token or "")
        if found is None:
            raise AccessError("This link does not open any answers; nothing was deleted.")
        respondent = found[0]
        if respondent.erased_at is not None:
            raise AnswersErasedError(respondent.erased_at)
        if respondent.assessment.mode == "consensus":
            raise ServiceError(
                "This is the team's link to its one agreed answer set, not one person's answers: nothing was "
                "deleted. The team's administrator can delete the assessment (python cli.py db delete)."
            )
        return erase_in_session(ctx, session, respondent)


def token_in(link: str) -> str:
    """The resume token in a resume link (``/assess?token=…`` or a workshop's ``/join?resume=…``), or the
    text itself when it is a bare token."""
    from urllib.parse import parse_qs, urlparse

    text = (link or "").strip()
    query = parse_qs(urlparse(text).query)
    for name in ("token", "resume"):
        if query.get(name):
            return query[name][0].strip()
    return text


def erase_in_session(
    ctx: AppContext, session: Session, respondent: Respondent, *, at: datetime | None = None
) -> ErasureReport:
    """Erase one respondent inside an open write transaction (see the module docstring)."""
    assessment = pub.lock_for_publication(session, assessment_id=respondent.assessment_id)
    releases = _scrub_releases(ctx, session, assessment.id, respondent.external_id)
    deleted = store.delete_contributions(session, respondent_id=respondent.id, at=at)
    return ErasureReport(
        answers=deleted.answers, comments=deleted.comments, votes=deleted.votes, releases=releases
    )


def _scrub_releases(ctx: AppContext, session: Session, assessment_id: int, person: str) -> int:
    """Replace ``person``'s values in every release of the assessment by tokens, and take their comment
    texts out of its published results; returns how many release rows changed."""
    rows = store.release_rows(session, assessment_id=assessment_id)
    groups: dict[tuple[str, str], list[Any]] = {}
    for row in rows:
        if person in row.payload.get("answers" if row.kind == "answers" else "texts", {}):
            groups.setdefault((row.dimension_id, row.kind), []).append(row)
    forms = None
    texts: dict[str, set[str]] = {}
    for (dimension_id, kind), group in groups.items():
        field_name = "answers" if kind == "answers" else "texts"
        values = [
            dict(row.payload[field_name][person])
            if kind == "answers"
            else {"text": row.payload["texts"][person]}
            for row in group
        ]
        if kind == "comments":
            texts[dimension_id] = {value["text"].strip() for value in values if value["text"].strip()}
        for row, tokens in zip(group, erased_values(values), strict=True):
            payload = {key: value for key, value in row.payload.items()}
            if kind == "answers" and "scored" not in payload:
                # a release from before "scored" was stored: work it out now, while the values are here
                if forms is None:
                    forms = _forms(ctx, session, assessment_id)
                payload["scored"] = sorted(scored_people(forms[dimension_id], payload["answers"]))
            payload[field_name] = {
                **payload[field_name],
                person: tokens if kind == "answers" else tokens["text"],
            }
            payload[ERASED] = sorted({*payload.get(ERASED, ()), person})
            store.replace_payload(row, payload)
    if texts:
        for result_row in store.result_rows(session, assessment_id=assessment_id):
            store.replace_result(result_row, _without_comments(result_row.result, texts))
    return sum(len(group) for group in groups.values())


def _forms(ctx: AppContext, session: Session, assessment_id: int) -> dict[str, Any]:
    assessment = repo.get_assessment(session, assessment_id=assessment_id)
    try:
        questionnaire = ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
    except KeyError as error:
        raise ServiceError(
            f"Questionnaire {assessment.questionnaire_id} {assessment.questionnaire_version} is not installed "
            "here: its published releases cannot be scrubbed, so nothing was erased. Install it first."
        ) from error
    return {form.id: form for form in dimension_forms(questionnaire, assessment.form)}


def _without_comments(result: dict[str, Any], texts: dict[str, set[str]]) -> dict[str, Any]:
    """A stored result with one occurrence of each of ``texts`` (per dimension) taken out of its comments."""
    comments = {}
    for dimension_id, shown in (result.get("comments") or {}).items():
        remaining = list(shown)
        for text in texts.get(dimension_id, ()):
            for index, candidate in enumerate(remaining):
                if candidate.strip() == text:
                    del remaining[index]
                    break
        comments[dimension_id] = remaining
    return {**result, "comments": comments}


# --- retention ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionGroup:
    """What retention erases in one assessment: counts only, never who."""

    team: str
    assessment_ref: str
    people: int
    answers: int
    comments: int


@dataclass(frozen=True)
class RetentionPlan:
    """Whom a retention period reaches: everyone whose last answer or comment is before ``cutoff``."""

    months: int
    cutoff: datetime
    groups: list[RetentionGroup] = field(default_factory=list)

    @property
    def people(self) -> int:
        """How many people in all."""
        return sum(group.people for group in self.groups)


def retention_months(value: object) -> int:
    """A retention period in whole months (at least 1), or ``InputError`` saying what was wrong with it."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.lstrip("-").isdigit():
        raise InputError({"retention period": f"expected a whole number of months (1 or more), got {text!r}"})
    months = int(text)
    if months < 1:
        raise InputError({"retention period": f"expected a whole number of months (1 or more), got {months}"})
    return months


def months_before(when: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the last day of a shorter month)."""
    import calendar

    index = when.year * 12 + when.month - 1 - months
    year, month = divmod(index, 12)
    day = min(when.day, calendar.monthrange(year, month + 1)[1])
    return when.replace(year=year, month=month + 1, day=day)


def retention_plan(ctx: AppContext, months: int, *, now: datetime | None = None) -> RetentionPlan:
    """What ``retention apply`` would erase with a period of ``months`` (a dry run: nothing changes)."""
    months = retention_months(months)
    cutoff = months_before(now or datetime.now(UTC), months)
    with ctx.read() as session:
        expiring = store.last_activity_before(session, cutoff=cutoff)
    return RetentionPlan(months=months, cutoff=cutoff, groups=_groups(expiring))


def apply_retention(ctx: AppContext, months: int, *, now: datetime | None = None) -> RetentionPlan:
    """Erase everyone a period of ``months`` reaches (one transaction per assessment); returns what it did.

    Published results are kept. Someone who answers again while this runs is left alone (their newest answer
    is checked again inside the transaction that would erase them).
    """
    plan = retention_plan(ctx, months, now=now)
    with ctx.read() as session:
        expiring = store.last_activity_before(session, cutoff=plan.cutoff)
    by_assessment: dict[int, list[int]] = {}
    for person in expiring:
        by_assessment.setdefault(person.assessment_id, []).append(person.respondent_id)
    done: list[store.Expiring] = []
    for assessment_id, respondent_ids in by_assessment.items():
        with ctx.write() as session:
            pub.lock_for_publication(session, assessment_id=assessment_id)
            still = {
                person.respondent_id: person
                for person in store.last_activity_before(
                    session, cutoff=plan.cutoff, assessment_id=assessment_id
                )
            }
            for respondent in store.respondents_of(session, respondent_ids=respondent_ids):
                if respondent.id in still:
                    erase_in_session(ctx, session, respondent)
                    done.append(still[respondent.id])
    return RetentionPlan(months=plan.months, cutoff=plan.cutoff, groups=_groups(done))


def _groups(expiring: Sequence[store.Expiring]) -> list[RetentionGroup]:
    groups: dict[tuple[str, str], list[store.Expiring]] = {}
    for person in expiring:
        groups.setdefault((person.team, person.assessment_ref), []).append(person)
    return [
        RetentionGroup(
            team=team,
            assessment_ref=ref,
            people=len(people),
            answers=sum(person.answers for person in people),
            comments=sum(person.comments for person in people),
        )
        for (team, ref), people in sorted(groups.items())
    ]
