"""Live workshops as use cases: create, join, answer, the facilitator's live panel, reveal, actions, close.

Who may do what (a secret in the URL is the only key; no internal id that grants access appears in a URL):

- **Facilitator token** (``/facilitate?token=…``): made with ``secrets.token_urlsafe(32)`` when the workshop is
  created, shown once, stored only as its SHA-256 digest and compared in constant time. It opens exactly one
  workshop: its live panel (counts only, never partial means), lock/unlock, reveal, actions, close, the PDF.
- **Join code** (``/join?code=ABC123``): six characters from an alphabet without look-alikes (no 0/O, 1/I/L).
  It grants the participant role only: joining creates a respondent of one's own and nothing else. Wrong
  codes are slowed down (see :func:`throttle_delay`; checked and counted in one step by
  :func:`reserve_attempt`) with counters kept in the database, so every app server sees the same counts;
  no IP address is stored, the key is a per-browser random value. The same code opens
  the room screen (``/room?code=ABC123``, :func:`room_view`) for the shared screen: counts and revealed
  results only, which is what the room sees anyway, and never the facilitator token.
- **Resume token** (``/join?resume=…``): one per participant, like a self-assessment's resume token. It opens
  that participant's own answers and the results the facilitator revealed, never anyone's answers.

The reveal rule: revealing a dimension locks it, and the result is frozen at that moment (a snapshot of
the scored ``DimensionResult`` is stored with the workshop's state). A result that moved with every late
answer would let anyone watching subtract one person's answer. A revealed dimension cannot be unlocked,
participants cannot change its answers, and nothing is revealed for a group under the anonymity threshold k:
the reveal is refused and says how many more answers it needs.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import cast

from sqlalchemy.orm import Session

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from questionnaires.schema import Item, Questionnaire
from questionnaires.wording import wording_hashes
from reports.wording import plural
from scoring import DimensionResult, ItemResult, TeamResult
from scoring.models import ROLES, Form, Role
from scoring.rules import format_score
from services import publication
from services.context import (
    DONT_KNOW,
    AccessError,
    AnswersErasedError,
    AppContext,
    Choice,
    InputError,
    ServiceError,
    locked_dimension_error,
    retry_once_on_dropped_connection,
    stored_choice,
)
from services.context import (
    DimensionLockedError as DimensionLockedError,  # raised here, shared with services.assessment
)
from storage import publications as pub
from storage import repository as repo
from storage import votes
from storage.models import FORMS, ActionItem

#: Most teams a workshop covers (each gets an assessment of its own).
MAX_TEAMS = 20
#: Where a revealed dimension's frozen result is kept (app settings, shared by every server).
_REVEAL_KEY = repo.WORKSHOP_SETTINGS_PREFIX + "reveal.{dimension_id}"

#: The clock the throttle reads (seconds since the epoch); tests replace it.
clock: Callable[[], float] = time.time


# --- errors ----------------------------------------------------------------------------------------------


class WorkshopClosedError(ServiceError):
    """The workshop is closed: no new participants, no new or changed answers."""


class RevealRefusedError(ServiceError):
    """The reveal was refused because the group is too small for the anonymity rule (nothing changed)."""


class ThrottledError(ServiceError):
    """Too many wrong attempts: try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(message)


# --- throttling of wrong codes and passcodes --------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleRule:
    """How one counter of wrong attempts slows things down.

    After ``free_failures`` wrong attempts, each further attempt must wait 2, 4, 8, … seconds
    (at most ``max_delay_seconds``); a key with no wrong attempt for ``forget_after_seconds`` starts afresh.
    """

    scope: str
    free_failures: int
    max_delay_seconds: int
    forget_after_seconds: int = 900


#: One browser trying join codes, and every browser together (so a script opening new sessions is slowed too).
JOIN_PER_CLIENT = ThrottleRule("join", free_failures=3, max_delay_seconds=300)
JOIN_ALL_CLIENTS = ThrottleRule("join-all", free_failures=30, max_delay_seconds=10)


def throttle_delay(failures: int, rule: ThrottleRule) -> int:
    """Wrong attempts are slowed down: once the free ones are used up, each further attempt must wait, 2 seconds after the first further wrong one and twice as long after each next, up to the rule's maximum."""  # noqa: E501
    extra = failures - rule.free_failures + 1
    if extra <= 0:
        return 0
    return int(min(rule.max_delay_seconds, 2**extra))


def _throttle_key(rule: ThrottleRule, client_key: str | None) -> str:
    if client_key is None:
        return f"throttle.{rule.scope}.*"
    # only a digest of the browser's random key is stored
    return f"throttle.{rule.scope}.{hashlib.sha256(client_key.encode('utf-8')).hexdigest()[:40]}"


def _throttle_state(value: str | None) -> tuple[int, float]:
    try:
        data = json.loads(value or "{}")
        return int(data.get("failures", 0)), float(data.get("last", 0.0))
    except (ValueError, TypeError, AttributeError):
        return 0, 0.0


def _throttle_keys(rules: Sequence[ThrottleRule], client_key: str) -> list[tuple[ThrottleRule, str]]:
    keys = []
    for rule in rules:
        per_client = not rule.scope.endswith("-all")
        keys.append((rule, _throttle_key(rule, client_key if per_client else None)))
    return keys


@dataclass(frozen=True)
class _ReservedCount:
    """One counter an attempt was counted against in advance, with what to put back if it was right."""

    key: str
    previous_last: float
    reserved_at: float


@dataclass(frozen=True)
class Attempt:
    """The outcome of :func:`reserve_attempt`: the seconds to wait (0: allowed), and what was counted."""

    wait: int
    counted: tuple[_ReservedCount, ...] = ()


def reserve_attempt(session: Session, rules: Sequence[ThrottleRule], client_key: str) -> Attempt:
    """Check the throttle and count the attempt as wrong in one step, with the counters row-locked.

    Checking first and counting later let parallel wrong attempts all pass the check before any was
    counted; here each attempt takes the counters' row locks (PostgreSQL ``FOR UPDATE``; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers), so parallel attempts pass one at a time, exactly as
    many as one after the other would. When the attempt must wait nothing is counted. An attempt that
    turns out right is given back with :func:`release_attempt`.
    """
    now = clock()
    wait = 0.0
    states: list[tuple[str, int, float]] = []
    for rule, key in _throttle_keys(rules, client_key):  # always in the same order: no deadlock
        repo.add_setting_if_absent(session, key=key, value="{}")
        failures, last = _throttle_state(repo.lock_setting(session, key=key))
        if now - last > rule.forget_after_seconds:
            failures = 0
        else:
            wait = max(wait, last + throttle_delay(failures, rule) - now)
        states.append((key, failures, last))
    if wait > 0:
        return Attempt(wait=max(1, int(wait + 0.999)))
    for key, failures, _ in states:
        repo.set_setting(session, key=key, value=json.dumps({"failures": failures + 1, "last": now}))
    # forget counters nobody has touched for a while (by the longest forget window)
    horizon = datetime.fromtimestamp(now, UTC) - timedelta(seconds=max(r.forget_after_seconds for r in rules))
    repo.delete_settings(session, prefix="throttle.", updated_before=horizon)
    return Attempt(wait=0, counted=tuple(_ReservedCount(key, last, now) for key, _, last in states))


def release_attempt(session: Session, attempt: Attempt) -> None:
    """Give back an attempt :func:`reserve_attempt` counted, because it was right (row-locked).

    The count goes down by one; the time of the last wrong attempt goes back to what it was, unless another
    wrong attempt came in since (then its time stays).
    """
    for counted in attempt.counted:
        failures, last = _throttle_state(repo.lock_setting(session, key=counted.key))
        restored_last = counted.previous_last if last == counted.reserved_at else last
        repo.set_setting(
            session,
            key=counted.key,
            value=json.dumps({"failures": max(failures - 1, 0), "last": restored_last}),
        )


def seconds(count: int) -> str:
    """``1 second``, ``2 seconds``: a count of seconds as a person writes it."""
    return f"{count} second" if count == 1 else f"{count} seconds"


def _throttled_message(what: str, wait: int) -> ThrottledError:
    return ThrottledError(
        f"Too many wrong {what} were tried. Please wait {seconds(wait)} and try again.", wait
    )


# --- what the pages get ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedWorkshop:
    """A new workshop: its join code and the facilitator token (shown once, never stored in clear)."""

    workshop_id: int
    code: str
    facilitator_token: str
    name: str


@dataclass(frozen=True)
class WorkshopDimension:
    """A dimension the workshop covers, with its state."""

    id: str
    name: str
    position: int
    items: int
    locked: bool
    revealed: bool


@dataclass(frozen=True)
class WorkshopInfo:
    """What a join code shows before someone joins (nothing about anyone's answers)."""

    code: str
    name: str
    status: str
    form: Form
    teams: tuple[str, ...]
    questionnaire_title: str
    dimensions: tuple[WorkshopDimension, ...]

    @property
    def is_open(self) -> bool:
        """Whether the workshop still admits people and answers."""
        return self.status == "open"


@dataclass(frozen=True)
class ParticipantSession:
    """A participant (by resume token): their workshop, its dimensions' state and their own answers."""

    token: str
    respondent_id: int
    workshop_id: int
    code: str
    workshop_name: str
    team: str
    role: Role
    status: str
    form: Form
    k: int
    questionnaire_id: str
    questionnaire_version: str
    current_dimension: str | None
    state_version: int
    dimensions: tuple[WorkshopDimension, ...]
    answers: dict[str, int | None] = field(default_factory=dict)

    @property
    def is_open(self) -> bool:
        """Whether answers can still be given."""
        return self.status == "open"

    def choice(self, item_id: str) -> Choice | None:
        """The stored answer as the UI shows it: a level, ``"dont_know"``, or None when unanswered."""
        return stored_choice(self.answers, item_id)

    def dimension(self, dimension_id: str) -> WorkshopDimension:
        """One of the workshop's dimensions (``KeyError`` when it does not cover it)."""
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(f"workshop {self.code} does not cover dimension {dimension_id!r}")


@dataclass(frozen=True)
class DimensionProgress:
    """Counts for one dimension on the live panel: never a level, a mean or anyone's answer."""

    id: str
    name: str
    position: int
    items: int
    started: int
    done: int
    answers: int
    expected_answers: int
    locked: bool
    revealed: bool
    #: the workshop is closed: a dimension never revealed stays so
    closed: bool = False

    @property
    def state(self) -> str:
        """What the panels call it: "revealed", "not revealed" (closed), "locked" or "open"."""
        if self.revealed:
            return "revealed"
        if self.closed:
            return "not revealed"
        return "locked" if self.locked else "open"


@dataclass(frozen=True)
class LivePanel:
    """Everything the facilitator's live panel shows, read in one call (a handful of queries)."""

    workshop_id: int
    code: str
    name: str
    status: str
    form: Form
    k: int
    teams: tuple[str, ...]
    joined: int
    done: int
    state_version: int
    current_dimension: str | None
    dimensions: tuple[DimensionProgress, ...]
    #: when the facilitator's timer for the room's dimension runs out (None: no timer)
    timer_ends_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether the workshop still admits people and answers."""
        return self.status == "open"

    def timer_left(self, now: datetime) -> str | None:
        """The room's timer as the room screen shows it: "2:41 left", "Time is up", or None (no timer)."""
        if self.timer_ends_at is None:
            return None
        seconds_left = int((self.timer_ends_at - now).total_seconds())
        if seconds_left <= 0:
            return "Time is up"
        return f"{seconds_left // 60}:{seconds_left % 60:02d} left"

    @property
    def current(self) -> DimensionProgress | None:
        """The dimension the room is on (None: the lobby, before the first dimension)."""
        return next((d for d in self.dimensions if d.id == self.current_dimension), None)

    @property
    def room_step(self) -> str:
        """Where the room is, as the facilitator's Next / Previous buttons count: "Lobby" or "2 of 5: Definition"."""
        current = self.current
        if current is None:
            return "Lobby"
        return f"{self.dimensions.index(current) + 1} of {len(self.dimensions)}: {current.name}"

    @property
    def room_position(self) -> str:
        """The room's dimension counted in the workshop: "Dimension 2 of 5" (empty in the lobby)."""
        current = self.current
        if current is None:
            return ""
        return f"Dimension {self.dimensions.index(current) + 1} of {len(self.dimensions)}"

    @property
    def current_done_share(self) -> float:
        """The share of the people joined who answered every item of the room's dimension (0 to 1)."""
        current = self.current
        if current is None or not self.joined:
            return 0.0
        return min(current.done / self.joined, 1.0)

    @property
    def at_first(self) -> bool:
        """Whether the room is in the lobby (nothing before it)."""
        return self.current is None

    @property
    def at_last(self) -> bool:
        """Whether the room is on the last dimension (nothing after it)."""
        return bool(self.dimensions) and self.current == self.dimensions[-1]

    @property
    def unrevealed(self) -> tuple[str, ...]:
        """The names of the dimensions not revealed (yet): closing now shows them by name only, forever."""
        return tuple(dimension.name for dimension in self.dimensions if not dimension.revealed)


@dataclass(frozen=True)
class RevealedItem:
    """One item of a revealed dimension: its (anonymity-checked) result and a prompt for the discussion."""

    item_id: str
    question: str
    result: ItemResult
    divided: bool
    prompt: str | None


@dataclass(frozen=True)
class RevealedDimension:
    """The frozen group result of a revealed dimension: divided items first, each with a discussion prompt."""

    dimension_id: str
    name: str
    result: DimensionResult
    items: tuple[RevealedItem, ...]
    revealed_at: datetime | None
    group: int
    #: each team with a published result of its own (workshops of several teams), in workshop order
    teams: tuple[tuple[str, DimensionResult], ...] = ()
    #: teams with no number anywhere (fewer than k of them answered, or not yet publishable)
    hidden_teams: tuple[str, ...] = ()


@dataclass(frozen=True)
class WorkshopAction:
    """An action agreed in the workshop (it is part of the team's action plan)."""

    id: int
    team: str
    title: str
    owner: str
    due_date: date | None
    source_item_id: str | None


@dataclass(frozen=True)
class RoomView:
    """What the room screen (``/room?code=…``) shows: the live counts and the revealed results.

    It is what anyone holding the join code may see on the shared screen: counts (never a level, a mean or
    anyone's answer before a reveal), the frozen results of revealed dimensions, and no facilitator token
    (only its digest is stored) or any other key.
    """

    panel: LivePanel
    questionnaire: Questionnaire
    revealed: tuple[RevealedDimension, ...]

    @property
    def is_open(self) -> bool:
        """Whether the workshop still admits people and answers."""
        return self.panel.is_open


# --- helpers ----------------------------------------------------------------------------------------------


def _closed() -> WorkshopClosedError:
    return WorkshopClosedError(
        "This workshop is closed, so answers can no longer be given or changed. The revealed results stay visible."
    )


def _facilitated(session: Session, token: str) -> int:
    workshop = repo.find_workshop_by_facilitator_token(session, token=token or "")
    if workshop is None:
        raise AccessError(
            "This facilitator link does not open a workshop. Check that you copied the whole link."
        )
    return workshop.id


def _questionnaire_of(ctx: AppContext, session: Session, assessment_ids: Sequence[int]) -> Questionnaire:
    if not assessment_ids:
        raise ServiceError("This workshop covers no team's assessment.")
    assessment = repo.get_assessment(session, assessment_id=assessment_ids[0])
    return ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)


def _dimension_items(questionnaire: Questionnaire, form: str, dimension_id: str) -> list[Item]:
    on_form = {item.id for item in questionnaire.items_for(cast(Form, form))}
    return [item for item in questionnaire.dimension(dimension_id).items if item.id in on_form]


def _dimensions(questionnaire: Questionnaire, state: repo.WorkshopState) -> tuple[WorkshopDimension, ...]:
    return tuple(
        WorkshopDimension(
            id=d.dimension_id,
            name=questionnaire.dimension(d.dimension_id).name,
            position=d.position,
            items=len(_dimension_items(questionnaire, state.form, d.dimension_id)),
            locked=d.locked,
            revealed=d.revealed,
        )
        for d in sorted(state.dimensions, key=lambda d: d.position)
    )


def _team_names(session: Session, assessment_ids: Sequence[int]) -> tuple[str, ...]:
    return tuple(repo.get_assessment(session, assessment_id=a).team.name for a in assessment_ids)


def _info(ctx: AppContext, session: Session, workshop_id: int) -> WorkshopInfo:
    state = repo.get_workshop_state(session, workshop_id=workshop_id)
    questionnaire = _questionnaire_of(ctx, session, state.assessment_ids)
    return WorkshopInfo(
        code=state.code,
        name=state.name,
        status=state.status,
        form=cast(Form, state.form),
        teams=_team_names(session, state.assessment_ids),
        questionnaire_title=questionnaire.title,
        dimensions=_dimensions(questionnaire, state),
    )


def _participant(ctx: AppContext, session: Session, token: str) -> ParticipantSession:
    respondent = repo.find_respondent_by_token(session, token=token or "")
    if respondent is not None and respondent.erased_at is not None:
        raise AnswersErasedError(respondent.erased_at)
    workshop = None
    if respondent is not None:
        workshop = repo.find_workshop_of_assessment(session, assessment_id=respondent.assessment_id)
    if respondent is None or workshop is None:
        raise AccessError(
            "This link does not open a workshop. Check that you copied the whole link, or join with the code."
        )
    state = repo.get_workshop_state(session, workshop_id=workshop.id)
    assessment = repo.get_assessment(session, assessment_id=respondent.assessment_id)
    questionnaire = ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
    return ParticipantSession(
        token=token.strip(),
        respondent_id=respondent.id,
        workshop_id=state.workshop_id,
        code=state.code,
        workshop_name=state.name,
        team=assessment.team.name,
        role=cast(Role, respondent.role),
        status=state.status,
        form=cast(Form, state.form),
        k=state.k,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=assessment.questionnaire_version,
        current_dimension=state.current_dimension,
        state_version=state.state_version,
        dimensions=_dimensions(questionnaire, state),
        answers=repo.get_answers(session, respondent_id=respondent.id),
    )


def _pooled_result(
    questionnaire: Questionnaire,
    session: Session,
    state: repo.WorkshopState,
    name: str,
    shown: dict[str, list[int]],
) -> TeamResult:
    """The shown teams' published answers as one group, scored (``services.publication.pooled_responses``)."""
    first = repo.load_team_responses(session, assessment_id=state.assessment_ids[0])
    base = first.model_copy(update={"team": name, "form": cast(Form, state.form), "k": state.k})
    return publication.pooled(session, questionnaire, state.assessment_ids, base, dimensions=shown)


def discussion_prompt(questionnaire: Questionnaire, item: ItemResult) -> str | None:
    """A divided item gets a question for the room: what the next level up would look like here."""
    if item.consensus != "divided":
        return None
    target = min((item.level or 3) + 1, 5)
    level_text = questionnaire.item(item.id).levels[target - 1].strip()
    spread = "" if item.std is None else f" (standard deviation {format_score(item.std)})"
    return (
        f"You see this differently{spread}. What would level {target} look like here? "
        f"Level {target} reads: {level_text}"
    )


def _revealed(
    questionnaire: Questionnaire,
    result: DimensionResult,
    revealed_at: datetime | None,
    group: int,
    teams: Sequence[tuple[str, DimensionResult]] = (),
    hidden_teams: Sequence[str] = (),
) -> RevealedDimension:
    items = []
    for position, item in enumerate(result.items):
        divided = item.consensus == "divided"
        items.append(
            (
                (
                    0 if divided else 1 if not item.suppressed else 2,
                    -(item.std or 0) if divided else 0,
                    position,
                ),
                RevealedItem(
                    item_id=item.id,
                    question=questionnaire.item(item.id).question.strip(),
                    result=item,
                    divided=divided,
                    prompt=discussion_prompt(questionnaire, item),
                ),
            )
        )
    items.sort(key=lambda pair: pair[0])
    return RevealedDimension(
        dimension_id=result.id,
        name=result.name,
        result=result,
        items=tuple(item for _, item in items),
        revealed_at=revealed_at,
        group=group,
        teams=tuple(teams),
        hidden_teams=tuple(hidden_teams),
    )


def _snapshot_key(workshop_id: int, dimension_id: str) -> str:
    return _REVEAL_KEY.format(workshop_id=workshop_id, dimension_id=dimension_id)


def _read_snapshot(
    session: Session, questionnaire: Questionnaire, workshop_id: int, dimension_id: str
) -> RevealedDimension | None:
    stored = repo.get_setting(session, key=_snapshot_key(workshop_id, dimension_id))
    if stored is None:
        return None
    data = json.loads(stored)
    revealed_at = datetime.fromisoformat(data["revealed_at"]) if data.get("revealed_at") else None
    result = DimensionResult.model_validate(data["result"])
    teams = [(name, DimensionResult.model_validate(team)) for name, team in data.get("teams", [])]
    return _revealed(
        questionnaire, result, revealed_at, int(data.get("group", 0)), teams, data.get("hidden_teams", [])
    )


def _revealed_team_ids(session: Session, workshop_id: int, dimension_id: str) -> list[int]:
    stored = repo.get_setting(session, key=_snapshot_key(workshop_id, dimension_id))
    return [] if stored is None else [int(i) for i in json.loads(stored).get("team_ids", [])]


# --- facilitator: create and open ------------------------------------------------------------------------


def create_workshop(
    ctx: AppContext,
    *,
    name: str,
    team_names: Sequence[str],
    form: str,
    k: int | None = None,
    dimension_ids: Sequence[str] | None = None,
    questionnaire_id: str = DEFAULT_QUESTIONNAIRE_ID,
    questionnaire_version: str | None = None,
    leader_unlocked: bool = False,
) -> CreatedWorkshop:
    """Create a workshop with a fresh assessment per team; returns its join code and facilitator token.

    A team name that reads the same as an existing team's (case, spacing and Unicode variants included)
    joins that team's history, which only a facilitator who unlocked the leader view in this browser
    session may do (``leader_unlocked``); otherwise ``InputError`` on ``teams`` names the team.

    ``k`` defaults to the configured default (3) and is never below 3; ``dimension_ids`` default to every
    dimension. Invalid input raises ``InputError`` naming the fields ``name``, ``teams``, ``form``, ``k``,
    ``dimensions`` or ``questionnaire``.
    """
    errors: dict[str, str] = {}
    workshop_name = (name or "").strip()
    if not workshop_name:
        errors["name"] = "give the workshop a name, e.g. 'Support team, March'"
    elif len(workshop_name) > 100:
        errors["name"] = f"the name is {len(workshop_name)} characters long; at most 100 are allowed"
    teams = list(dict.fromkeys(team.strip() for team in team_names if team and team.strip()))
    if not teams:
        errors["teams"] = "name at least one team"
    elif len(teams) > MAX_TEAMS:
        errors["teams"] = f"a workshop covers at most {MAX_TEAMS} teams ({len(teams)} given)"
    elif any(len(team) > 200 for team in teams):
        errors["teams"] = "a team name has at most 200 characters"
    if form not in FORMS:
        errors["form"] = f"choose one of: {', '.join(FORMS)} (got {form!r})"
    threshold = ctx.default_k if k is None else k
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 3:
        errors["k"] = f"the anonymity threshold must be a whole number of at least 3 (got {threshold!r})"
    questionnaire: Questionnaire | None = None
    try:
        questionnaire = ctx.questionnaire(questionnaire_id, questionnaire_version)
    except KeyError as error:
        errors["questionnaire"] = str(error).strip("'\"")
    chosen: list[str] = []
    if questionnaire is not None:
        known = [dimension.id for dimension in questionnaire.dimensions]
        chosen = known if dimension_ids is None else [d for d in known if d in set(dimension_ids)]
        unknown = sorted(set(dimension_ids or ()) - set(known))
        if unknown:
            errors["dimensions"] = f"not dimensions of this questionnaire: {', '.join(unknown)}"
        elif not chosen:
            errors["dimensions"] = "choose at least one dimension"
    if errors:
        raise InputError(errors)
    assert questionnaire is not None
    with ctx.write() as session:
        existing = {name: repo.find_team_like(session, name=name) for name in teams}
        taken = [team.name for team in existing.values() if team is not None]
        if taken and not leader_unlocked:
            raise InputError(
                {
                    "teams": f"{', '.join(repr(name) for name in taken)}: a team with this name already "
                    "exists. Unlock the leader view (leader passcode) in this browser to run a workshop "
                    "for an existing team, or choose another name."
                }
            )
        assessment_ids = []
        for team_name in teams:
            team = existing[team_name] or repo.create_team(session, name=team_name)
            assessment = repo.create_assessment(
                session,
                team_id=team.id,
                questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version,
                form=cast(Form, form),
                mode="individual",
                k=threshold,
                round_label=f"Workshop: {workshop_name}",
                item_wording=wording_hashes(questionnaire, cast(Form, form)),
            )
            assessment_ids.append(assessment.id)
        workshop, token = repo.create_workshop(
            session,
            name=workshop_name,
            form=cast(Form, form),
            k=threshold,
            dimensions=chosen,
            assessment_ids=assessment_ids,
            team_id=None,
        )
        if len(assessment_ids) == 1:
            workshop.team_id = repo.get_assessment(session, assessment_id=assessment_ids[0]).team_id
        return CreatedWorkshop(
            workshop_id=workshop.id, code=workshop.code, facilitator_token=token, name=workshop_name
        )


def facilitator_workshop(ctx: AppContext, token: str) -> int:
    """The id of the workshop a facilitator token opens; ``AccessError`` for any other token."""
    with ctx.read() as session:
        return _facilitated(session, token)


def live_panel(ctx: AppContext, workshop_id: int) -> LivePanel:
    """The live panel's data in one call: people joined, answers and finished people per dimension.

    Counts only: no level, mean or answer value is read. Call it after checking the facilitator token, or
    the join code (:func:`room_view`): the room may see these counts too.
    """
    with ctx.read() as session:
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        questionnaire = _questionnaire_of(ctx, session, state.assessment_ids)
        respondent_ids, keys = repo.list_answer_keys(session, assessment_ids=state.assessment_ids)
        teams = _team_names(session, state.assessment_ids)
        timer = _read_timer(session, workshop_id)
    dimensions = _dimensions(questionnaire, state)
    item_dimension = {
        item.id: dimension.id
        for dimension in dimensions
        for item in _dimension_items(questionnaire, state.form, dimension.id)
    }
    per_respondent: dict[int, dict[str, int]] = {rid: {} for rid in respondent_ids}
    answers: dict[str, int] = {dimension.id: 0 for dimension in dimensions}
    for respondent_id, item_id in keys:
        dimension_id = item_dimension.get(item_id)
        if dimension_id is None:
            continue
        answers[dimension_id] += 1
        counts = per_respondent.setdefault(respondent_id, {})
        counts[dimension_id] = counts.get(dimension_id, 0) + 1
    joined = len(respondent_ids)
    progress = []
    for dimension in dimensions:
        given = [counts.get(dimension.id, 0) for counts in per_respondent.values()]
        progress.append(
            DimensionProgress(
                id=dimension.id,
                name=dimension.name,
                position=dimension.position,
                items=dimension.items,
                started=sum(1 for count in given if count),
                done=sum(1 for count in given if dimension.items and count >= dimension.items),
                answers=answers[dimension.id],
                expected_answers=joined * dimension.items,
                locked=dimension.locked,
                revealed=dimension.revealed,
                closed=state.status != "open",
            )
        )
    done = sum(
        1
        for counts in per_respondent.values()
        if all(counts.get(dimension.id, 0) >= dimension.items for dimension in dimensions)
        and any(counts.values())
    )
    return LivePanel(
        workshop_id=state.workshop_id,
        code=state.code,
        name=state.name,
        status=state.status,
        form=cast(Form, state.form),
        k=state.k,
        teams=teams,
        joined=joined,
        done=done,
        state_version=state.state_version,
        current_dimension=state.current_dimension,
        dimensions=tuple(progress),
        timer_ends_at=timer[1] if timer is not None and timer[0] == state.current_dimension else None,
    )


def state_version(ctx: AppContext, workshop_id: int) -> int:
    """The workshop's change counter (cheap to poll: pages re-read when it moved)."""
    with ctx.read() as session:
        return repo.get_state_version(session, workshop_id=workshop_id)


# --- facilitator: lock, reveal, move the room -------------------------------------------------------------


def _change_dimension(ctx: AppContext, token: str, dimension_id: str, *, locked: bool) -> None:
    with ctx.write() as session:
        workshop_id = _facilitated(session, token)
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        if state.status != "open":
            raise _closed()
        try:
            current = state.dimension(dimension_id)
        except KeyError as error:
            raise InputError({"dimension": str(error).strip("'\"")}) from None
        if not locked and current.revealed:
            raise ServiceError(
                "A revealed dimension stays locked, so its result cannot move with a late answer."
            )
        repo.set_dimension_state(session, workshop_id=workshop_id, dimension_id=dimension_id, locked=locked)


def lock_dimension(ctx: AppContext, token: str, dimension_id: str) -> None:
    """Lock a dimension: participants can no longer give or change its answers."""
    _change_dimension(ctx, token, dimension_id, locked=True)


def unlock_dimension(ctx: AppContext, token: str, dimension_id: str) -> None:
    """Unlock a dimension again (refused once it is revealed: a revealed result never moves)."""
    _change_dimension(ctx, token, dimension_id, locked=False)


def set_current_dimension(ctx: AppContext, token: str, dimension_id: str | None) -> None:
    """Point the room at a dimension (participants' screens open it), or at none."""
    with ctx.write() as session:
        workshop_id = _facilitated(session, token)
        try:
            repo.set_current_dimension(session, workshop_id=workshop_id, dimension_id=dimension_id)
        except repo.ClosedError:
            raise _closed() from None
        except repo.NotFoundError as error:
            raise InputError({"dimension": str(error)}) from None


#: Planning figures for the duration estimate: answering one item on a phone, and revealing and discussing
#: one dimension (the result, its divided items, and the actions that come out of it).
SECONDS_PER_ITEM = 30
DISCUSSION_MINUTES_PER_DIMENSION = 8


def estimated_minutes(
    questionnaire: Questionnaire, form: Form, dimension_ids: Sequence[str]
) -> tuple[int, int]:
    """How long a workshop takes, roughly: (minutes of answering, minutes in all with the discussions).

    Answering takes about :data:`SECONDS_PER_ITEM` per item of the form, and each dimension about
    :data:`DISCUSSION_MINUTES_PER_DIMENSION` minutes of reveal and discussion.
    """
    items = sum(len(_dimension_items(questionnaire, form, dimension_id)) for dimension_id in dimension_ids)
    answering = max(1, round(items * SECONDS_PER_ITEM / 60)) if items else 0
    return answering, answering + DISCUSSION_MINUTES_PER_DIMENSION * len(dimension_ids)


def _timer_key(workshop_id: int) -> str:
    return f"workshop:{workshop_id}:timer"


def _read_timer(session: Session, workshop_id: int) -> tuple[str, datetime] | None:
    """The room's timer: the dimension it was started for and when it runs out."""
    stored = repo.get_setting(session, key=_timer_key(workshop_id))
    if not stored:
        return None
    value = json.loads(stored)
    return str(value["dimension"]), datetime.fromisoformat(value["ends_at"])


def now() -> datetime:
    """The time the timers are read against (tests replace it)."""
    return datetime.now(UTC)


#: The timers a facilitator can start for the room's dimension, in minutes.
TIMER_MINUTES = (1, 2, 3, 5, 10)


def start_timer(ctx: AppContext, token: str, minutes: int | None) -> None:
    """Start a timer of ``minutes`` for the dimension the room is on (the room screen counts down), or stop
    it (None). Moving the room to another dimension leaves the timer behind."""
    with ctx.write() as session:
        workshop_id = _facilitated(session, token)
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        if state.status != "open":
            raise _closed()
        if minutes is None:
            repo.delete_setting(session, key=_timer_key(workshop_id))
        elif state.current_dimension is None:
            raise ServiceError("Move the room to a dimension first (Next): the timer is for that dimension.")
        else:
            ends_at = now() + timedelta(minutes=minutes)
            repo.set_setting(
                session,
                key=_timer_key(workshop_id),
                value=json.dumps({"dimension": state.current_dimension, "ends_at": ends_at.isoformat()}),
            )
        repo.touch_workshop(session, workshop_id=workshop_id)


def step_room(ctx: AppContext, token: str, step: int) -> str | None:
    """Move the room one dimension forward (``step`` 1) or back (-1) in the workshop's order: the room screen
    and the phones follow. Before the first dimension is the lobby (None); the ends stay where they are."""
    with ctx.write() as session:
        workshop_id = _facilitated(session, token)
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        if state.status != "open":
            raise _closed()
        order: list[str | None] = [
            None,
            *(d.dimension_id for d in sorted(state.dimensions, key=lambda d: d.position)),
        ]
        here = order.index(state.current_dimension) if state.current_dimension in order else 0
        target = order[max(0, min(len(order) - 1, here + step))]
        repo.set_current_dimension(session, workshop_id=workshop_id, dimension_id=target)
        return target


def reveal_dimension(ctx: AppContext, token: str, dimension_id: str) -> RevealedDimension:
    """Reveal a dimension to the room: lock it, freeze its group result (scored under the anonymity rule) and
    point the room at it, so the room screen and every phone show the result without a second step.

    Raises ``RevealRefusedError`` (and changes nothing) when the group has too few answers for k to allow
    any number. Revealing a revealed dimension again returns the same frozen result.
    """
    with ctx.write() as session:
        workshop_id = _facilitated(session, token)
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        if state.status != "open":
            raise _closed()
        try:
            current = state.dimension(dimension_id)
        except KeyError as error:
            raise InputError({"dimension": str(error).strip("'\"")}) from None
        questionnaire = _questionnaire_of(ctx, session, state.assessment_ids)
        if current.revealed:
            existing = _read_snapshot(session, questionnaire, workshop_id, dimension_id)
            if existing is not None:
                return existing
        # lock first: the row lock (PostgreSQL) / write lock (SQLite) is held until this commits
        repo.lock_dimension(session, workshop_id=workshop_id, dimension_id=dimension_id)
        names = _team_names(session, state.assessment_ids)
        shown: list[int] = []
        team_results: list[tuple[str, DimensionResult]] = []
        hidden: list[str] = []
        for assessment_id, team in zip(state.assessment_ids, names, strict=True):
            # each team is published on its own, under the same rule as everywhere
            publication.publish_in_session(ctx, session, assessment_id, dimensions={dimension_id})
            row = pub.latest_published(session, assessment_id=assessment_id)
            releases = pub.list_releases(session, assessment_id=assessment_id)
            team_result = (
                None if row is None else TeamResult.model_validate(row.result).dimension(dimension_id)
            )
            if (
                releases.get((dimension_id, "answers"))
                and team_result is not None
                and not team_result.suppressed
            ):
                shown.append(assessment_id)
                team_results.append((team, team_result))
            else:
                hidden.append(team)
        if not shown:
            counts = _answer_counts(session, questionnaire, state, dimension_id)
            detail = "; ".join(f"{team}: {counts.get(team, 0)}" for team in names)
            # raising inside the unit of work rolls the lock back: a refused reveal changes nothing
            raise RevealRefusedError(
                f"Not revealed: {questionnaire.dimension(dimension_id).name} needs answers from at least "
                f"{state.k} people of one team (people who answered so far: {detail}). Nothing is shown for "
                f"a group under k = {state.k}; the dimension stays as it was."
            )
        pooled = _pooled_result(questionnaire, session, state, state.name, {dimension_id: shown})
        result = pooled.dimension(dimension_id)
        revealed_at = datetime.now(UTC)
        several = len(state.assessment_ids) > 1
        repo.set_setting(
            session,
            key=_snapshot_key(workshop_id, dimension_id),
            value=json.dumps(
                {
                    "result": result.model_dump(mode="json"),
                    "revealed_at": revealed_at.isoformat(),
                    "group": pooled.respondents,
                    "team_ids": shown,
                    "teams": [[team, r.model_dump(mode="json")] for team, r in team_results]
                    if several
                    else [],
                    "hidden_teams": hidden if several else [],
                }
            ),
        )
        repo.reveal_dimension(session, workshop_id=workshop_id, dimension_id=dimension_id)
        # one step: the room screen and every phone open the result at once (same transaction, same bump)
        repo.set_current_dimension(session, workshop_id=workshop_id, dimension_id=dimension_id)
        return _revealed(
            questionnaire,
            result,
            revealed_at,
            pooled.respondents,
            team_results if several else (),
            hidden if several else (),
        )


def _answer_counts(
    session: Session, questionnaire: Questionnaire, state: repo.WorkshopState, dimension_id: str
) -> dict[str, int]:
    """Per team, how many people answered at least one item of the dimension (a count, never an answer)."""
    items = {item.id for item in _dimension_items(questionnaire, state.form, dimension_id)}
    counts: dict[str, int] = {}
    for assessment_id, team in zip(
        state.assessment_ids, _team_names(session, state.assessment_ids), strict=True
    ):
        responses = repo.load_team_responses(session, assessment_id=assessment_id)
        counts[team] = sum(1 for r in responses.respondents if items & set(r.answers))
    return counts


def revealed_dimensions(ctx: AppContext, workshop_id: int) -> list[RevealedDimension]:
    """The frozen results of the workshop's revealed dimensions, in the workshop's order."""
    with ctx.read() as session:
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        questionnaire = _questionnaire_of(ctx, session, state.assessment_ids)
        revealed = []
        for dimension in sorted(state.dimensions, key=lambda d: d.position):
            if dimension.revealed:
                snapshot = _read_snapshot(session, questionnaire, workshop_id, dimension.dimension_id)
                if snapshot is not None:
                    revealed.append(snapshot)
        return revealed


def revealed_for_participant(ctx: AppContext, token: str) -> list[RevealedDimension]:
    """The revealed results a participant may see: the group's, never anyone's answers."""
    with ctx.read() as session:
        participant = _participant(ctx, session, token)
    return revealed_dimensions(ctx, participant.workshop_id)


def room_view(ctx: AppContext, code: str, *, client_key: str) -> RoomView:
    """The room screen of the workshop a join code opens: live counts and the revealed results.

    The join code is the only key, as for joining: a wrong code counts against the same throttle
    (``AccessError``, then ``ThrottledError``), so the room screen is no way around it. The view holds counts
    and frozen reveals only, exactly what the room may see; a closed workshop is found (its panel says so).
    """
    workshop_id = _workshop_id_for_code(ctx, code, client_key)
    return RoomView(
        panel=live_panel(ctx, workshop_id),
        questionnaire=workshop_questionnaire(ctx, workshop_id),
        revealed=tuple(revealed_dimensions(ctx, workshop_id)),
    )


def workshop_questionnaire(ctx: AppContext, workshop_id: int) -> Questionnaire:
    """The questionnaire a workshop's teams answer."""
    with ctx.read() as session:
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        return _questionnaire_of(ctx, session, state.assessment_ids)


# --- facilitator: actions, close, PDF ---------------------------------------------------------------------


def add_action(
    ctx: AppContext,
    token: str,
    *,
    title: str,
    owner: str = "",
    due_date: date | None = None,
    team: str | None = None,
    item_id: str | None = None,
) -> WorkshopAction:
    """Capture an action the room agreed; it joins the action plan of the team (the first team by default)."""
    clean_title, clean_owner = _action_fields(title, owner)
    with ctx.write() as session:
        workshop_id = _facilitated(session, token)
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        teams = dict(zip(_team_names(session, state.assessment_ids), state.assessment_ids, strict=True))
        chosen = team or next(iter(teams))
        if chosen not in teams:
            raise InputError({"team": f"'{chosen}' is not a team of this workshop ({', '.join(teams)})"})
        source = item_id or None
        if source is not None:
            questionnaire = _questionnaire_of(ctx, session, state.assessment_ids)
            try:
                questionnaire.item(source)
            except KeyError as error:
                raise InputError({"item": str(error).strip("'\"")}) from None
        action = repo.add_action(
            session,
            assessment_id=teams[chosen],
            title=clean_title,
            owner=clean_owner,
            due_date=due_date,
            source_item_id=source,
            finding=f"Agreed in the workshop '{state.name}'.",
            workshop_id=workshop_id,
        )
        repo.touch_workshop(session, workshop_id=workshop_id)  # co-facilitators' pages redraw
        return WorkshopAction(
            id=action.id,
            team=chosen,
            title=action.title,
            owner=action.owner,
            due_date=action.due_date,
            source_item_id=action.source_item_id,
        )


def _action_fields(title: str, owner: str) -> tuple[str, str]:
    """The title and owner of an action, trimmed, or ``InputError`` saying what is wrong with them."""
    errors: dict[str, str] = {}
    clean_title = (title or "").strip()
    if not clean_title:
        errors["title"] = "Write what will be done, e.g. 'Publish a one-page AI-use guide'"
    elif len(clean_title) > 300:
        errors["title"] = f"The title is {len(clean_title)} characters long; at most 300 are allowed"
    if len((owner or "").strip()) > 200:
        errors["owner"] = "The owner has at most 200 characters"
    if errors:
        raise InputError(errors)
    return clean_title, (owner or "").strip()


def _workshop_action(session: Session, token: str, action_id: int) -> tuple[int, ActionItem]:
    """The facilitated workshop's id and one of its actions, while it is open (else a message for people)."""
    workshop_id = _facilitated(session, token)
    if repo.get_workshop(session, workshop_id=workshop_id).status != "open":
        raise ServiceError("This workshop is closed, so its actions can no longer be changed.")
    try:
        action = repo.get_action(session, action_id=action_id)
    except repo.NotFoundError:
        raise ServiceError("That action was removed meanwhile (by a co-facilitator?).") from None
    if action.workshop_id != workshop_id:
        raise AccessError("That action is not one of this workshop's.")
    return workshop_id, action


def update_workshop_action(
    ctx: AppContext, token: str, action_id: int, *, title: str, owner: str = "", due_date: date | None = None
) -> None:
    """Correct an action agreed in the workshop (title, owner, due date) until the workshop is closed."""
    clean_title, clean_owner = _action_fields(title, owner)
    with ctx.write() as session:
        workshop_id, action = _workshop_action(session, token, action_id)
        repo.update_action(
            session, action_id=action.id, title=clean_title, owner=clean_owner, due_date=due_date
        )
        repo.touch_workshop(session, workshop_id=workshop_id)


def remove_workshop_action(ctx: AppContext, token: str, action_id: int) -> None:
    """Remove an action agreed in the workshop (also from the team's plan) until the workshop is closed."""
    with ctx.write() as session:
        workshop_id, action = _workshop_action(session, token, action_id)
        repo.delete_action(session, action_id=action.id)
        repo.touch_workshop(session, workshop_id=workshop_id)


#: How many votes each participant has to prioritise the proposed actions (at most one per action).
VOTES_PER_PERSON = 3


def vote_for_action(ctx: AppContext, token: str, action_id: int, chosen: bool) -> None:
    """A participant gives (``chosen``) or takes back a vote for a proposed action: at most one per action and
    :data:`VOTES_PER_PERSON` in all, while the workshop is open. Nobody ever sees who voted for what."""
    with ctx.write() as session:
        me = _participant(ctx, session, token)
        if me.status != "open":
            raise _closed()
        try:
            action = repo.get_action(session, action_id=action_id)
        except repo.NotFoundError:
            raise ServiceError("That action was removed meanwhile.") from None
        if action.workshop_id != me.workshop_id:
            raise AccessError("That action is not one of this workshop's.")
        votes.lock_voter(session, respondent_id=me.respondent_id)
        mine = votes.votes_of(session, workshop_id=me.workshop_id, respondent_id=me.respondent_id)
        if not chosen:
            votes.remove_vote(session, action_id=action_id, respondent_id=me.respondent_id)
        elif action_id not in mine:
            if len(mine) >= VOTES_PER_PERSON:
                raise ServiceError(f"You have used your {VOTES_PER_PERSON} votes: take one back first.")
            votes.add_vote(
                session, workshop_id=me.workshop_id, action_id=action_id, respondent_id=me.respondent_id
            )


def votes_left(mine: set[int]) -> str:
    """What a participant reads above the proposed actions: "3 votes, one per action: 2 left"."""
    left = max(VOTES_PER_PERSON - len(mine), 0)
    return f"{VOTES_PER_PERSON} votes, one per action: {left} left"


def my_votes(ctx: AppContext, token: str) -> set[int]:
    """The ids of the actions this participant voted for."""
    with ctx.read() as session:
        me = _participant(ctx, session, token)
        return votes.votes_of(session, workshop_id=me.workshop_id, respondent_id=me.respondent_id)


def ranked_actions(ctx: AppContext, workshop_id: int) -> list[tuple[WorkshopAction, int]]:
    """The workshop's actions with their votes, most votes first (ties keep the plan's order)."""
    actions = workshop_actions(ctx, workshop_id)
    with ctx.read() as session:
        counts = votes.vote_counts(session, workshop_id=workshop_id)
    ranked = [(action, counts.get(action.id, 0)) for action in actions]
    return sorted(ranked, key=lambda pair: -pair[1])


def workshop_actions(ctx: AppContext, workshop_id: int) -> list[WorkshopAction]:
    """The actions agreed in this workshop, team by team, in plan order."""
    with ctx.read() as session:
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        actions = []
        for assessment_id, team in zip(
            state.assessment_ids, _team_names(session, state.assessment_ids), strict=True
        ):
            for action in repo.list_actions(session, assessment_id=assessment_id):
                if action.workshop_id == workshop_id:
                    actions.append(
                        WorkshopAction(
                            id=action.id,
                            team=team,
                            title=action.title,
                            owner=action.owner,
                            due_date=action.due_date,
                            source_item_id=action.source_item_id,
                        )
                    )
        return actions


def close_workshop(ctx: AppContext, token: str) -> None:
    """Close the workshop and its teams' assessments: no new participants, no new or changed answers; each
    team's final result is published under the publication rule (``services.publication``)."""
    with ctx.write() as session:
        workshop_id = _facilitated(session, token)
        state = repo.close_workshop(session, workshop_id=workshop_id)
        for assessment_id in state.assessment_ids:
            repo.close_assessment(session, assessment_id=assessment_id)
            # the final publication of each team, under the same rule (its leader view and reports read it)
            publication.publish_in_session(ctx, session, assessment_id, final=True)


# --- participants -----------------------------------------------------------------------------------------


def _workshop_id_for_code(ctx: AppContext, code: str, client_key: str) -> int:
    """The id of the workshop a join code opens; a wrong code is counted against the join throttle."""
    with ctx.write() as session:
        attempt = reserve_attempt(session, (JOIN_PER_CLIENT, JOIN_ALL_CLIENTS), client_key)
        if attempt.wait:
            raise _throttled_message("codes", attempt.wait)
        workshop = repo.find_workshop_by_code(session, code=code or "")
        if workshop is None:
            workshop_id = None  # the attempt stays counted
        else:
            release_attempt(session, attempt)
            workshop_id = workshop.id
    if workshop_id is None:  # raised after the block, so the counted failure is committed
        raise AccessError(
            "No workshop has this code. Check the code on the facilitator's screen "
            f"({repo.JOIN_CODE_LENGTH} letters and digits)."
        )
    return workshop_id


def find_workshop(ctx: AppContext, code: str, *, client_key: str) -> WorkshopInfo:
    """What a join code opens; wrong codes are counted and slowed down (``ThrottledError``).

    Raises ``AccessError`` for a code that opens nothing. A closed workshop is found (its info says so).
    """
    workshop_id = _workshop_id_for_code(ctx, code, client_key)
    with ctx.read() as session:
        return _info(ctx, session, workshop_id)


def join_workshop(
    ctx: AppContext, *, code: str, role: str, team: str | None = None, client_key: str
) -> ParticipantSession:
    """Join a workshop with its code as a participant (a respondent of one's own); returns the resume token.

    The code grants this and nothing else. Raises ``InputError`` (role, team), ``AccessError`` (wrong code,
    counted like in :func:`find_workshop`) and ``WorkshopClosedError``.
    """
    if role not in ROLES:
        raise InputError({"role": f"Choose one of: {', '.join(ROLES)} (got {role!r})"})
    info = find_workshop(ctx, code, client_key=client_key)
    if not info.is_open:
        raise WorkshopClosedError("This workshop is closed and accepts no new participants.")
    with ctx.write() as session:
        workshop = repo.find_workshop_by_code(session, code=code)
        if workshop is None:  # pragma: no cover - deleted between the two transactions
            raise AccessError("No workshop has this code.")
        state = repo.get_workshop_state(session, workshop_id=workshop.id)
        teams = dict(zip(_team_names(session, state.assessment_ids), state.assessment_ids, strict=True))
        chosen = team if team is not None else (next(iter(teams)) if len(teams) == 1 else None)
        if chosen not in teams:
            raise InputError({"team": f"Choose your team: {', '.join(teams)}"})
        try:
            _, token = repo.create_respondent(session, assessment_id=teams[chosen], role=role)
        except repo.ClosedError:
            raise WorkshopClosedError("This workshop is closed and accepts no new participants.") from None
        return _participant(ctx, session, token)


@dataclass(frozen=True)
class RoomState:
    """Where the room is, as a participant's phone says it (counts only, never anyone's answers)."""

    state_version: int
    message: str
    #: "waiting" (lobby or done, waiting for the facilitator), "answering", "discussing" or "closed"
    stage: str


def room_state(ctx: AppContext, token: str) -> RoomState:
    """The state of the room for this participant: "Waiting for the facilitator to start", "Permission: 12
    of 15 people answered", "Permission is being discussed", … (the phone polls it every few seconds)."""
    me = participant(ctx, token)
    panel = live_panel(ctx, me.workshop_id)
    here = panel.current
    if not panel.is_open:
        return RoomState(panel.state_version, "The workshop is closed. Thank you for taking part.", "closed")
    if here is None:
        return RoomState(
            panel.state_version,
            f"Waiting for the facilitator to start · {plural(panel.joined, 'person', 'people')} joined.",
            "waiting",
        )
    if here.revealed:
        return RoomState(panel.state_version, f"{here.name} is being discussed.", "discussing")
    counted = f"{here.name}: {here.done} of {plural(panel.joined, 'person', 'people')} answered"
    questionnaire = _questionnaire_for(ctx, me)
    mine = [item.id for item in dimension_items(questionnaire, me.form, here.id)]
    if here.locked or all(item_id in me.answers for item_id in mine):
        return RoomState(
            panel.state_version, f"{counted}. Waiting for the facilitator to reveal the result.", "waiting"
        )
    return RoomState(panel.state_version, f"{counted}.", "answering")


def _questionnaire_for(ctx: AppContext, me: ParticipantSession) -> Questionnaire:
    return ctx.questionnaire(me.questionnaire_id, me.questionnaire_version)


def first_unanswered(items: Sequence[Item], answers: Mapping[str, object]) -> int:
    """Where the one-question mode starts: the first item not answered yet (the last one when all are)."""
    return next((index for index, item in enumerate(items) if item.id not in answers), max(len(items) - 1, 0))


def clamp_position(position: int, count: int) -> int:
    """A question's position in the one-question mode, kept among the ``count`` questions there are."""
    return max(0, min(position, count - 1))


def next_position(position: int, count: int) -> int:
    """The question after ``position`` in the one-question mode, staying on the last one."""
    return clamp_position(position + 1, count)


def participant(ctx: AppContext, token: str) -> ParticipantSession:
    """The participant a resume token belongs to, with their answers and the workshop's current state."""
    with ctx.read() as session:
        return _participant(ctx, session, token)


@retry_once_on_dropped_connection
def save_answer(ctx: AppContext, token: str, item_id: str, choice: Choice | None) -> None:
    """Save one of a participant's answers at once: a level 1–5, ``"dont_know"``, or None to clear it.

    Raises ``AccessError`` (token), ``InputError`` (an item not in the workshop, or a bad value),
    ``DimensionLockedError`` (the dimension is locked or revealed) and ``WorkshopClosedError``.
    """
    if choice is not None and choice != DONT_KNOW and (isinstance(choice, bool) or choice not in range(1, 6)):
        raise InputError({item_id: f"An answer is a level 1–5 or don't know, not {choice!r}"})
    with ctx.write() as session:
        current = _participant(ctx, session, token)
        if not current.is_open:
            raise _closed()
        questionnaire = ctx.questionnaire(current.questionnaire_id, current.questionnaire_version)
        dimension_id = questionnaire.dimension_of(item_id)
        try:
            current.dimension(dimension_id)
        except KeyError:
            raise InputError({item_id: f"'{item_id}' is not asked in this workshop"}) from None
        if item_id not in {item.id for item in _dimension_items(questionnaire, current.form, dimension_id)}:
            raise InputError({item_id: f"'{item_id}' is not on this workshop's {current.form} form"})
        # the lock itself is checked by storage, in the same statement as the write (one rule for every path)
        try:
            if choice is None:
                repo.clear_answer(session, respondent_id=current.respondent_id, item_id=item_id)
            else:
                value = None if choice == DONT_KNOW else int(choice)
                repo.save_answer(session, respondent_id=current.respondent_id, item_id=item_id, value=value)
        except repo.ClosedError:
            raise _closed() from None
        except repo.LockedDimensionError as error:
            raise locked_dimension_error(questionnaire, error.dimension_id) from None


def dimension_items(questionnaire: Questionnaire, form: Form, dimension_id: str) -> list[Item]:
    """The items of one dimension on a form (full or pulse), in questionnaire order."""
    return _dimension_items(questionnaire, form, dimension_id)


# --- the join link's QR code ------------------------------------------------------------------------------


def qr_png(url: str) -> bytes:
    """A QR code of ``url`` as PNG bytes (for the facilitator's screen)."""
    import qrcode

    image = qrcode.make(url, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- the workshop PDF -------------------------------------------------------------------------------------


def workshop_result(ctx: AppContext, workshop_id: int) -> tuple[Questionnaire, TeamResult, int, list[str]]:
    """The room's result for the report: revealed dimensions as frozen at their reveal, plus who joined.

    Returns the questionnaire, the group's ``TeamResult`` (scored under the anonymity rule, with every revealed
    dimension replaced by its frozen snapshot and the item numbers of unrevealed ones left out), the number of
    people who joined and the revealed dimension ids.
    """
    with ctx.read() as session:
        state = repo.get_workshop_state(session, workshop_id=workshop_id)
        questionnaire = _questionnaire_of(ctx, session, state.assessment_ids)
        teams = ", ".join(_team_names(session, state.assessment_ids))
        joined, _ = repo.list_answer_keys(session, assessment_ids=state.assessment_ids)
        frozen: dict[str, DimensionResult] = {}
        shown: dict[str, list[int]] = {}
        for dimension in state.dimensions:
            if dimension.revealed:
                snapshot = _read_snapshot(session, questionnaire, workshop_id, dimension.dimension_id)
                if snapshot is not None:
                    frozen[dimension.dimension_id] = snapshot.result
                    shown[dimension.dimension_id] = _revealed_team_ids(
                        session, workshop_id, dimension.dimension_id
                    )
        # the published answers of the teams shown at each reveal; nothing live, nothing unrevealed
        result = _pooled_result(questionnaire, session, state, teams, shown)
    covered = {d.dimension_id for d in state.dimensions}
    # revealed dimensions exactly as the room saw them; the others were never shown, so the report names them
    dimensions = [
        frozen[d.id] if d.id in frozen else d.model_copy(update={"items": [], "consensus": None, "std": None})
        for d in result.dimensions
        if d.id in covered
    ]
    return questionnaire, result.model_copy(update={"dimensions": dimensions}), len(joined), list(frozen)


def team_results(ctx: AppContext, workshop_id: int) -> dict[str, dict[str, DimensionResult | None]]:
    """Each team's revealed results, as frozen at each reveal (the snapshots the room saw, published under
    the anonymity rule): team → dimension id → its result, or None where the team had too few answers and
    the room saw no number of it. Empty for a workshop of one team (its result is the group's)."""
    with ctx.read() as session:
        names = _team_names(session, repo.get_workshop_state(session, workshop_id=workshop_id).assessment_ids)
    by_team: dict[str, dict[str, DimensionResult | None]] = {team: {} for team in names}
    for revealed in revealed_dimensions(ctx, workshop_id):
        for team, result in revealed.teams:
            by_team.setdefault(team, {})[revealed.dimension_id] = result
        for team in revealed.hidden_teams:
            by_team.setdefault(team, {})[revealed.dimension_id] = None
    return by_team if len(names) > 1 else {}


def workshop_report(ctx: AppContext, workshop_id: int) -> bytes:
    """The report of workshop ``workshop_id`` as PDF bytes (see :func:`workshop_pdf`)."""
    from reports.content import workshop_report_content
    from reports.pdf import workshop_report_pdf

    with ctx.read() as session:
        name = repo.get_workshop_state(session, workshop_id=workshop_id).name
    questionnaire, result, joined, revealed = workshop_result(ctx, workshop_id)
    content = workshop_report_content(
        questionnaire,
        result,
        workshop=name,
        generated_at=datetime.now(UTC),
        agreed_actions=workshop_actions(ctx, workshop_id),
        participants=joined,
        revealed=revealed,
        team_results=team_results(ctx, workshop_id),
    )
    return workshop_report_pdf(content)


def workshop_pdf(ctx: AppContext, token: str) -> bytes:
    """The workshop report as PDF bytes: participants (counts), each team's revealed results, the group's
    revealed results as frozen, the divided items and the agreed actions. A group under k shows no numbers;
    unrevealed dimensions are only named."""
    return workshop_report(ctx, facilitator_workshop(ctx, token))
