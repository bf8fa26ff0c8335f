"""Publishing results: the one way any number about a group reaches anyone but the person who answered.

Results are published, not live. :func:`publish` freezes what may be shown (``scoring.disclosure`` decides,
release by release and dimension by dimension, under ``scoring.rules.update_allowed``) and stores the scored
result; :func:`published_result` reads it back. Every page, PDF, export, the leader view, the room screen,
workshop reveals and ``cli.py report`` go through here; only a person's own answers and scores are shown
live, to that person.

When publication is attempted:

- a self-assessment: whenever a member opens its results, plan or PDF, finishes, when answers are imported,
  when the leader view finds answers newer than the last attempt, and when it is closed (the final release);
- a workshop team: only when the facilitator reveals a dimension (that dimension alone) and when the
  workshop is closed, never from any other page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from questionnaires.schema import Questionnaire
from scoring import TeamResponses, TeamResult, score_team
from scoring.capacity import ledger_from_kpis
from scoring.disclosure import (
    ERASED,
    DimensionForm,
    Release,
    comments_release_safe,
    dimension_forms,
    hide_segments,
    hold_dimensions,
    next_release,
    published_responses,
)
from scoring.models import Role
from scoring.responses import answers_in_questionnaire
from scoring.rules import effective_k
from scoring.standing import team_stage
from scoring.summary import ResultSummary, summarise, summary_json, summary_of_stored
from scoring.taskmap import stored_task_map, with_task_map_ledger
from services.context import AppContext
from storage import publications as pub
from storage import repository as repo
from storage import taskmaps

#: For this long after an assessment's newest answer, another publication attempt is still made: an answer
#: stamped earlier but committed after an attempt read the answers (PostgreSQL runs writers side by side)
#: is then not missed (see ``storage.publications.stale_assessments``).
STALE_MARGIN = timedelta(seconds=2)


@dataclass(frozen=True)
class PublishedView:
    """The published result of an assessment, and what is waiting to be published.

    ``result`` is what everyone but the respondents themselves may see (a suppressed, number-free result
    when nothing is published yet). ``waiting`` counts people whose answers (or changes) are not in it yet;
    ``more_needed`` how many more people must answer before it can update (an estimate: k minus the
    newcomers so far, at least 1 while anything waits).
    """

    result: TeamResult
    published_at: datetime | None
    respondents: int
    waiting: int
    more_needed: int
    final: bool

    @property
    def published(self) -> bool:
        """Whether anything has been published yet."""
        return self.published_at is not None


def _release_from(payload: Mapping[str, Any]) -> Release:
    scored = payload.get("scored")
    return Release(
        answers={person: dict(given) for person, given in payload["answers"].items()},
        roles=dict(payload["roles"]),
        segments=bool(payload["segments"]),
        scored=None if scored is None else frozenset(scored),
    )


def _payload(release: Release) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "answers": {person: dict(given) for person, given in release.answers.items()},
        "roles": dict(release.roles),
        "segments": release.segments,
    }
    if release.scored is not None:
        payload["scored"] = sorted(release.scored)
    return payload


def _current_answers(
    responses: TeamResponses, dimension: DimensionForm
) -> tuple[dict[str, dict[str, int | None]], dict[str, Role]]:
    items = set(dimension.item_ids)
    answers: dict[str, dict[str, int | None]] = {}
    roles: dict[str, Role] = {}
    for respondent in responses.respondents:
        given = {item: value for item, value in respondent.answers.items() if item in items}
        roles[respondent.respondent_id] = respondent.role
        if given:
            answers[respondent.respondent_id] = given
    return answers, roles


def _compose(
    questionnaire: Questionnaire,
    responses: TeamResponses,
    releases: Mapping[tuple[str, str], Sequence[Mapping[str, Any]]],
) -> tuple[TeamResult, int]:
    """The scored result of the latest release of every dimension (and the people it covers).

    A dimension whose latest release still holds someone whose answers were erased is held back
    (:func:`scoring.disclosure.hold_dimensions`): their values are gone, and scoring it without them would
    let its figures be subtracted from the ones published before (the release waits for enough new answers).
    """
    held = held_dimensions(releases)
    latest: dict[str, Release] = {}
    comments: dict[str, dict[str, str]] = {}
    for (dimension_id, kind), payloads in releases.items():
        if not payloads or dimension_id in held:
            continue
        if kind == "answers":
            latest[dimension_id] = _release_from(payloads[-1])
        else:
            erased = set(payloads[-1].get(ERASED, ()))
            for person, text in payloads[-1]["texts"].items():
                if text and person not in erased:
                    comments.setdefault(person, {})[dimension_id] = text
    frozen = published_responses(responses, latest, comments)
    result = score_team(questionnaire, frozen)
    result = hide_segments(result, {d for d, release in latest.items() if not release.segments})
    return hold_dimensions(result, held), len(frozen.respondents)


def held_dimensions(releases: Mapping[tuple[str, str], Sequence[Mapping[str, Any]]]) -> set[str]:
    """The dimensions whose latest answer release still holds someone whose answers were erased."""
    return {
        dimension_id
        for (dimension_id, kind), payloads in releases.items()
        if kind == "answers" and payloads and payloads[-1].get(ERASED)
    }


def _scoring_input(
    ctx: AppContext, session: Session, assessment_id: int
) -> tuple[Questionnaire, TeamResponses]:
    responses = repo.load_team_responses(session, assessment_id=assessment_id)
    questionnaire = ctx.questionnaire(responses.questionnaire_id, responses.questionnaire_version)
    return questionnaire, answers_in_questionnaire(questionnaire, responses)


def publish_in_session(
    ctx: AppContext,
    session: Session,
    assessment_id: int,
    *,
    dimensions: Collection[str] | None = None,
    final: bool = False,
) -> bool:
    """Publish what the rule allows for one assessment inside an open write transaction; True if it changed.

    ``dimensions`` limits the attempt to those dimensions (a workshop reveal); ``final`` marks the result
    published when the assessment closes (stored even when no release changed, so the final one is known).
    """
    assessment = pub.lock_for_publication(session, assessment_id=assessment_id)
    questionnaire, responses = _scoring_input(ctx, session, assessment_id)
    k = effective_k(assessment.k)
    individual = responses.mode == "individual"
    releases = pub.list_releases(session, assessment_id=assessment_id)
    changed = False
    for dimension in dimension_forms(questionnaire, responses.form):
        if dimensions is not None and dimension.id not in dimensions:
            continue
        answers, roles = _current_answers(responses, dimension)
        history = [_release_from(payload) for payload in releases.get((dimension.id, "answers"), [])]
        release = next_release(dimension, history, answers, roles, k, individual=individual)
        if release is not None:
            payload = _payload(release)
            pub.add_release(
                session,
                assessment_id=assessment_id,
                dimension_id=dimension.id,
                kind="answers",
                payload=payload,
            )
            releases.setdefault((dimension.id, "answers"), []).append(payload)
            changed = True
        changed |= _publish_comments(session, assessment_id, dimension.id, responses, releases, k, individual)
    latest = pub.latest_published(session, assessment_id=assessment_id)
    has_release = any(kind == "answers" and payloads for (_, kind), payloads in releases.items())
    if has_release and (changed or latest is None or (final and not latest.final)):
        if changed or latest is None:
            result, people = _compose(questionnaire, responses, releases)
            stored, summary = result.model_dump(mode="json"), summary_json(result)
        else:
            # closing with nothing new: the final result is the current one as it is (not re-scored, so a
            # dimension held back after an erasure keeps the figures published before it)
            stored, people = dict(latest.result), latest.respondents
            summary = summary_of_stored(stored)
        pub.add_published_result(
            session,
            assessment_id=assessment_id,
            result=stored,
            respondents=people,
            summary=summary,
            final=final,
        )
        changed = True
    pub.set_published_through(
        session, assessment_id=assessment_id, at=pub.latest_activity(session, assessment_id=assessment_id)
    )
    return changed


def _publish_comments(
    session: Session,
    assessment_id: int,
    dimension_id: str,
    responses: TeamResponses,
    releases: dict[tuple[str, str], list[dict[str, Any]]],
    k: int,
    individual: bool,
) -> bool:
    """Publish a dimension's comments: those of the people in its latest answer release, when safe.

    A release holds every member of the group, with their comment or an empty text: comments are shown
    without names, so a comment hides among all the group's members, not only among the other comments.
    """
    answer_releases = releases.get((dimension_id, "answers"), [])
    if not answer_releases:
        return False
    members = set(answer_releases[-1]["answers"])
    texts = {
        respondent.respondent_id: (respondent.comments.get(dimension_id) or "").strip()
        for respondent in responses.respondents
        if respondent.respondent_id in members
    }
    history = [dict(payload["texts"]) for payload in releases.get((dimension_id, "comments"), [])]
    if history and history[-1] == texts:
        return False
    if not history and not any(texts.values()):
        # "no comments" is a view too: keep it, so that a first comment is checked against it
        pub.add_release(
            session,
            assessment_id=assessment_id,
            dimension_id=dimension_id,
            kind="comments",
            payload={"texts": texts},
        )
        releases.setdefault((dimension_id, "comments"), []).append({"texts": texts})
        return False
    if individual and not comments_release_safe(history, texts, k):
        return False
    payload = {"texts": texts}
    pub.add_release(
        session, assessment_id=assessment_id, dimension_id=dimension_id, kind="comments", payload=payload
    )
    releases.setdefault((dimension_id, "comments"), []).append(payload)
    return True


def publish(
    ctx: AppContext, assessment_id: int, *, dimensions: Collection[str] | None = None, final: bool = False
) -> bool:
    """Publish what the rule allows for one self-assessment (its own transaction); True if anything changed.

    A workshop team's assessment is left alone (False): it is published by its reveals and its closing only.
    """
    if dimensions is None and not final:
        with ctx.read() as session:
            # nothing answered or changed since the last attempt (and not a workshop team): nothing to do
            if not pub.stale_assessments(session, assessment_ids=[assessment_id], margin=STALE_MARGIN):
                return False
    with ctx.write() as session:
        if pub.in_workshop(session, assessment_id=assessment_id):
            return False
        return publish_in_session(ctx, session, assessment_id, dimensions=dimensions, final=final)


def publish_stale(ctx: AppContext, assessment_ids: Sequence[int]) -> int:
    """Attempt publication for the self-assessments among ``assessment_ids`` with answers newer than their
    last attempt; returns how many changed. Workshop assessments are left to their reveals."""
    with ctx.read() as session:
        stale = pub.stale_assessments(session, assessment_ids=assessment_ids, margin=STALE_MARGIN)
    return _publish_each(ctx, stale)


def publish_stale_and_find_answered(ctx: AppContext, assessment_ids: Sequence[int]) -> set[int]:
    """:func:`publish_stale`, then the assessments among ``assessment_ids`` in which anyone has answered
    anything (as :func:`answered`): both from one read of when each assessment's answers last changed."""
    with ctx.read() as session:
        activity = pub.latest_activity_many(session, assessment_ids=assessment_ids)
        stale = pub.stale_assessments(
            session, assessment_ids=assessment_ids, margin=STALE_MARGIN, activity=activity
        )
    _publish_each(ctx, stale)
    return set(activity)


def _publish_each(ctx: AppContext, assessment_ids: Sequence[int]) -> int:
    changed = 0
    for assessment_id in assessment_ids:
        try:
            changed += publish(ctx, assessment_id)
        except KeyError:  # its questionnaire is not installed here: nothing can be scored
            continue
    return changed


#: What an unpublished result depends on besides the team's name, assessment id and outcome figures: the
#: questionnaire (id, version), form, mode, k, how many people answered and (scored blank) their roles.
_BlankKey = tuple[str, str, str, str, int, int, tuple[str, ...] | None]


def _unpublished(
    questionnaire: Questionnaire, responses: TeamResponses, memo: dict[_BlankKey, TeamResult] | None = None
) -> TeamResult:
    """A result with no numbers at all, for an assessment nothing has been published of yet.

    It says how many people have answered (a count, never an answer) and why nothing is shown. Such results
    differ only by what ``_BlankKey`` holds, the team's name and assessment id and its outcome figures: with
    a ``memo``, teams that agree on the key are scored once (the leader view meets a hundred of them at
    1,000 teams) and given their own name, id and figures.
    """
    k = effective_k(responses.k)
    people = len(responses.respondents)
    blank_scored = responses.mode == "individual" and people < k
    key: _BlankKey = (
        questionnaire.id,
        questionnaire.version,
        responses.form,
        responses.mode,
        k,
        people,
        tuple(respondent.role for respondent in responses.respondents) if blank_scored else None,
    )
    scored = None if memo is None else memo.get(key)
    if scored is None:
        neutral = responses.model_copy(
            update={
                "team": "-",
                "assessment_id": None,
                "kpis": {},
                "ai_hours_per_week": None,
                "team_size": None,
            }
        )
        if blank_scored:
            # scored without any answer: the same "needs at least k responses; n so far" as always
            blank = [
                respondent.model_copy(update={"answers": {}, "comments": {}})
                for respondent in responses.respondents
            ]
            scored = score_team(questionnaire, neutral.model_copy(update={"respondents": blank}))
        else:
            empty = score_team(questionnaire, neutral.model_copy(update={"respondents": []}))
            reason = (
                "nothing published yet: results appear once they can be shown without singling anyone out"
            )
            scored = empty.trusted_copy(suppressed=True, suppressed_reason=reason, respondents=people)
        if memo is not None:
            memo[key] = scored
    ledger, ledger_errors = ledger_from_kpis(
        responses.ai_hours_per_week, dict(responses.kpis), responses.team_size
    )
    return scored.trusted_copy(
        team=responses.team,
        assessment_id=responses.assessment_id,
        kpis=dict(responses.kpis),
        ledger=ledger,
        ledger_errors=ledger_errors,
    )


def published_result(ctx: AppContext, assessment_id: int, *, refresh: bool = False) -> PublishedView:
    """The assessment's published result (``refresh``: attempt a publication first, self-assessments only).

    The team-entered outcome figures (KPIs, AI-assisted hours) are not individual answers: the ledger and
    KPIs always show their current values.
    """
    if refresh:
        publish(ctx, assessment_id)
    with ctx.read() as session:
        questionnaire, responses = _scoring_input(ctx, session, assessment_id)
        row = pub.latest_published(session, assessment_id=assessment_id)
        releases = pub.list_releases(session, assessment_id=assessment_id)
        task_map = stored_task_map(taskmaps.get_task_map(session, assessment_id=assessment_id))
        k = effective_k(repo.get_assessment(session, assessment_id=assessment_id).k)
        if row is None:
            result, published_at, people, final = _unpublished(questionnaire, responses), None, 0, False
        else:
            result = _stored_result(row.result)
            published_at, people, final = row.published_at, row.respondents, row.final
    result = _with_outcomes(result, responses.kpis, responses.ai_hours_per_week, responses.team_size)
    result = with_task_map_ledger(result, task_map)
    waiting, newcomers = _waiting_and_newcomers(responses, releases)
    more = 0 if not waiting else max(1, k - newcomers)
    return PublishedView(
        result=result,
        published_at=published_at,
        respondents=people,
        waiting=waiting,
        more_needed=more if responses.mode == "individual" else 0,
        final=final,
    )


def _published_answers(releases: Mapping[tuple[str, str], Sequence[Mapping[str, Any]]]) -> dict[str, dict]:
    people: dict[str, dict] = {}
    for (_, kind), payloads in releases.items():
        if kind == "answers" and payloads:
            for person, given in payloads[-1]["answers"].items():
                people.setdefault(person, {}).update(given)
    return people


def _waiting_and_newcomers(
    responses: TeamResponses, releases: Mapping[tuple[str, str], Sequence[Mapping[str, Any]]]
) -> tuple[int, int]:
    """How many people's current answers differ from what is published of them (new, changed or more
    answers), and how many of them have nothing published at all."""
    published = _published_answers(releases)
    waiting = newcomers = 0
    for respondent in responses.respondents:
        if published.get(respondent.respondent_id) != respondent.answers:
            waiting += 1
            newcomers += respondent.respondent_id not in published
    return waiting, newcomers


def published_results(
    ctx: AppContext,
    assessment_ids: Sequence[int],
    *,
    reduce: Callable[[TeamResult], TeamResult] | None = None,
) -> dict[int, TeamResult]:
    """The published results of several assessments (those with one), read back, not re-scored; the
    team-entered outcome figures are the current ones.

    ``reduce``, when given, is applied to each result as soon as it is read (with its outcome figures), and
    only what it returns is kept: the full results are then never all in memory at once."""
    with ctx.read() as session:
        stored = pub.latest_published_json_many(session, assessment_ids=assessment_ids)
        every_outcome = repo.get_outcomes_many(session, assessment_ids=list(stored))
        every_task_map = taskmaps.get_task_maps(session, assessment_ids=list(stored))
    results = {}
    for assessment_id in list(stored):
        text = stored.pop(assessment_id)  # each stored text is let go once read
        outcomes = every_outcome[assessment_id]
        result = with_task_map_ledger(
            _with_outcomes(
                _stored_result_json(text), outcomes.kpis, outcomes.ai_hours_per_week, outcomes.team_size
            ),
            stored_task_map(every_task_map.get(assessment_id)),
        )
        results[assessment_id] = result if reduce is None else reduce(result)
    return results


@dataclass(frozen=True)
class Summaries:
    """The summaries of several assessments' published results (``scoring.summary``), and a digest of
    everything else the assessments' full results and reports are made from: which result is current, and
    the team-entered outcome figures and task maps (not in a summary; they change without a publication)."""

    summaries: dict[int, ResultSummary]
    digest: str


def published_summaries(ctx: AppContext, assessment_ids: Sequence[int]) -> Summaries:
    """The summaries of the current published results of several assessments (those with one): read back as
    stored, never re-scored (a handful of queries); the digest covers all of ``assessment_ids``. A result
    stored without a summary is summarised from its full result. The stage follows today's rule, as in
    :func:`published_results`."""
    with ctx.read() as session:
        stored = pub.latest_summary_json_many(session, assessment_ids=assessment_ids)
        missing = [assessment_id for assessment_id, (_, text) in stored.items() if text is None]
        full = pub.latest_published_json_many(session, assessment_ids=missing) if missing else {}
        outcomes = repo.outcome_rows_many(session, assessment_ids=assessment_ids)
        task_maps = taskmaps.task_map_times(session, assessment_ids=assessment_ids)
    read = {
        assessment_id: None if text is None else _stored_summary_json(text)
        for assessment_id, (_, text) in stored.items()
    }
    unreadable = [assessment_id for assessment_id, summary in read.items() if summary is None]
    if len(unreadable) > len(full):  # a summary of another version: its full result is read instead
        with ctx.read() as session:
            full = pub.latest_published_json_many(session, assessment_ids=unreadable)
    summaries: dict[int, ResultSummary] = {}
    for assessment_id, summary in read.items():
        if summary is None:
            summary = summarise(_stored_result_json(full[assessment_id]))
        summaries[assessment_id] = summary.trusted_copy(result=_current_stage(summary.result))
    current = sorted((assessment_id, seq) for assessment_id, (seq, _) in stored.items())
    digest = hashlib.sha256(repr((current, outcomes, sorted(task_maps.items()))).encode("utf-8")).hexdigest()
    return Summaries(summaries, digest)


def _stored_summary_json(text: str) -> ResultSummary | None:
    """A stored summary read back (strict first, as :func:`_stored_result_json`); None when it is not one of
    today's summaries (another version, or a shape these models no longer read)."""
    try:
        return ResultSummary.model_validate_json(text, strict=True)
    except ValidationError:
        try:
            return ResultSummary.model_validate_json(text)
        except ValidationError:
            return None


def _stored_result_json(text: str) -> TeamResult:
    """A published result read back from its stored JSON text (see :func:`_stored_result`).

    Validating the text directly is the fast path, in strict mode first: the text is a dump of the same
    models, so nothing needs converting, and strict validation takes about a quarter less time (the leader
    view validates a thousand or more of these on opening). A text strict mode refuses is validated as
    before; a result whose stored ledger has an older shape fails that too and is read the slow way, with
    the ledger dropped before validation.
    """
    try:
        result = TeamResult.model_validate_json(text, strict=True)
    except ValidationError:
        try:
            result = TeamResult.model_validate_json(text)
        except ValidationError:
            return _stored_result(json.loads(text))
    return _current_stage(result)


def _stored_result(stored: Mapping[str, Any]) -> TeamResult:
    """A published result read back; its ledger is dropped (it is recomputed from the current outcome
    figures, and results published before the ledger's team totals have a ledger of an older shape), and its
    stage follows the current stage rule."""
    return _current_stage(TeamResult.model_validate({**stored, "ledger": None, "ledger_errors": {}}))


def _current_stage(result: TeamResult) -> TeamResult:
    """``result`` with the stage of today's rule (all four layers scored), read off its published gated
    levels, so a result published before that rule never shows a stage built on some layers only."""
    stage = team_stage(result)
    if stage == result.overall.stage:
        return result
    stage_name = None if stage is None else result.overall.stage_name
    overall = result.overall.trusted_copy(stage=stage, stage_name=stage_name)
    return result.trusted_copy(overall=overall)


def _with_outcomes(
    result: TeamResult, kpis: Mapping[str, float], ai_hours: float | None, team_size: int | None
) -> TeamResult:
    ledger, ledger_errors = ledger_from_kpis(ai_hours, dict(kpis), team_size)
    # values of the right types already (a validated result, scoring's ledger): copied without validating
    return result.trusted_copy(kpis=dict(kpis), ledger=ledger, ledger_errors=ledger_errors)


def unpublished_results(ctx: AppContext, assessment_ids: Sequence[int]) -> dict[int, TeamResult]:
    """What others see of assessments nothing has been published of yet, several at once (a handful of
    queries, not one load per assessment): how many people answered and why no figure is shown.

    An assessment whose questionnaire is not installed here is left out. For one assessment,
    :func:`published_result` gives the same result.
    """
    with ctx.read() as session:
        waiting = repo.load_answer_counts_many(session, assessment_ids=assessment_ids)
        every_task_map = taskmaps.get_task_maps(session, assessment_ids=list(waiting))
    return {
        assessment_id: with_task_map_ledger(
            _with_outcomes(result, responses.kpis, responses.ai_hours_per_week, responses.team_size),
            stored_task_map(every_task_map.get(assessment_id)),
        )
        for assessment_id, responses, result in _unpublished_each(ctx, waiting)
    }


def _unpublished_each(
    ctx: AppContext, waiting: Mapping[int, TeamResponses]
) -> Iterator[tuple[int, TeamResponses, TeamResult]]:
    """Each waiting assessment's unpublished result (no outcome figures yet), alike ones scored once; an
    assessment whose questionnaire is not installed here is skipped."""
    memo: dict[_BlankKey, TeamResult] = {}
    for assessment_id, responses in waiting.items():
        try:
            questionnaire = ctx.questionnaire(responses.questionnaire_id, responses.questionnaire_version)
        except KeyError:
            continue
        yield assessment_id, responses, _unpublished(questionnaire, responses, memo)


def unpublished_summaries(ctx: AppContext, assessment_ids: Sequence[int]) -> dict[int, ResultSummary]:
    """The summaries of :func:`unpublished_results` (read the same way, without the outcome figures and
    task maps a summary leaves out)."""
    with ctx.read() as session:
        waiting = repo.load_answer_counts_many(session, assessment_ids=assessment_ids)
    return {assessment_id: summarise(result) for assessment_id, _, result in _unpublished_each(ctx, waiting)}


def answered(ctx: AppContext, assessment_ids: Sequence[int]) -> set[int]:
    """The assessments among ``assessment_ids`` in which anyone has answered anything (one query)."""
    with ctx.read() as session:
        return set(pub.latest_activity_many(session, assessment_ids=assessment_ids))


def pooled_responses(
    session: Session,
    assessment_ids: Sequence[int],
    base: TeamResponses,
    *,
    dimensions: Mapping[str, Collection[int]] | None = None,
) -> TeamResponses:
    """Several assessments' *published* answers as one group (a unit, or the teams a workshop reveal showed).

    Per dimension, the latest release of each assessment (only those in ``dimensions[dimension_id]`` when
    given), people kept apart by their assessment. ``base`` gives the group's name, questionnaire, form and k.
    Never a live answer: a pooled figure is then a function of published releases only, so it cannot be
    subtracted to anything that was not already published. An assessment whose dimension is held back
    (someone's answers in its latest release were erased) adds nothing to that dimension (see :func:`pooled`).
    """
    return _pooled_responses(session, assessment_ids, base, dimensions)[0]


def _pooled_responses(
    session: Session,
    assessment_ids: Sequence[int],
    base: TeamResponses,
    dimensions: Mapping[str, Collection[int]] | None,
) -> tuple[TeamResponses, set[str]]:
    people: dict[str, dict[str, int | None]] = {}
    roles: dict[str, Role] = {}
    held: set[str] = set()
    contributed: set[str] = set()
    for assessment_id in assessment_ids:
        releases = pub.list_releases(session, assessment_id=assessment_id)
        held_here = held_dimensions(releases)
        for (dimension_id, kind), payloads in releases.items():
            if kind != "answers" or not payloads:
                continue
            if dimensions is not None and assessment_id not in dimensions.get(dimension_id, ()):
                continue
            if dimension_id in held_here:
                held.add(dimension_id)
                continue
            contributed.add(dimension_id)
            for person, given in payloads[-1]["answers"].items():
                key = f"{assessment_id}:{person}"
                people.setdefault(key, {}).update(given)
                roles[key] = payloads[-1]["roles"][person]
    from scoring import RespondentAnswers

    responses = base.model_copy(
        update={
            "mode": "individual",
            "kpis": {},
            "ai_hours_per_week": None,
            "respondents": [
                RespondentAnswers(respondent_id=key, role=roles[key], answers=people[key])
                for key in sorted(people)
            ],
        }
    )
    return responses, held - contributed


def pooled_result(
    questionnaire: Questionnaire, responses: TeamResponses, *, held: Collection[str] = ()
) -> TeamResult:
    """The scored pooled group, role segments and gaps hidden (a pooled role split was never published);
    ``held`` dimensions shown as held back."""
    result = score_team(questionnaire, answers_in_questionnaire(questionnaire, responses))
    return hold_dimensions(hide_segments(result, {dimension.id for dimension in result.dimensions}), held)


def pooled(
    session: Session,
    questionnaire: Questionnaire,
    assessment_ids: Sequence[int],
    base: TeamResponses,
    *,
    dimensions: Mapping[str, Collection[int]] | None = None,
) -> TeamResult:
    """The pooled result of several assessments' published answers (:func:`pooled_responses`, then
    :func:`pooled_result`).

    An assessment whose dimension is held back after an erasure is left out of that dimension's pool: the
    pool then changes by exactly that team's latest release, whose figures were published as the team's own
    (a release always covers at least k people), so nothing new can be subtracted; pooling it without the
    erased person instead would isolate them. A dimension every team of the pool holds back is shown as held.
    """
    responses, held = _pooled_responses(session, assessment_ids, base, dimensions)
    return pooled_result(questionnaire, responses, held=held)
