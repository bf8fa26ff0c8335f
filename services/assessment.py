"""The self-assessment journey as use cases: start, join, resume, answer, finish, results, plan, exports.

Who may do what (the token is the only key; no id that grants access ever appears in a URL):

- **Resume token** (``/assess?token=…``): one per respondent, shown to them and stored only as a hash. It
  opens that respondent's answers (to read and change while the assessment is open), the team's results
  (aggregated; suppressed under k) with the respondent's own scores beside them, the outcome figures and the
  team's action plan (both team-level: anyone on the team may edit them, and everyone sees the last saved
  version).
- **Share code** (``/start?assessment=…``, individual mode only): lets a teammate create a respondent of
  their own in the assessment and receive their own resume token. It opens nothing else: no answers, no
  results until the teammate holds a resume token. It is stored as its SHA-256 digest, so it is shown only
  when it is made (at start) or used (joining); any member can make a new one (:func:`new_invitation`),
  which replaces the old one. It also shows that someone belongs to the team: starting a new assessment
  under an existing team's name needs it (or the leader passcode).
- A **consensus** assessment has one answer set (one respondent) for the whole team; its resume token is the
  team's link, and nothing in it is suppressed (it is the team's agreed answer, not individual data).

Page-facing functions take the token; the CLI uses the ``*_for_assessment`` variants that take the internal
assessment id. Answers are saved one at a time, at once (an idempotent upsert in storage).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, cast
from urllib.parse import parse_qs, urlparse

from sqlalchemy.orm import Session

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID, Catalog
from questionnaires.schema import Item, Questionnaire
from questionnaires.wording import WordingChange, wording_changes, wording_hashes, wording_warning
from reports.content import report_actions, team_report_content
from reports.exchange import write_csv
from reports.pdf import report_file_name as pdf_file_name
from reports.pdf import team_report_pdf as render_team_pdf
from reports.summary import PageOne, page_one
from scoring import (
    RULES,
    Action,
    ActionPlan,
    BenchmarkComparison,
    BenchmarkPack,
    CapacityInputError,
    RespondentAnswers,
    RespondentView,
    TeamResponses,
    TeamResult,
    build_action_plan,
    capacity_ledger,
    gate_levels,
    peer_percentiles,
    respondent_view,
)
from scoring.capacity import TEAM_SIZE_MAXIMUM
from scoring.models import ROLES, FocusArea, Form, Mode, Role
from scoring.responses import answers_in_questionnaire
from scoring.rules import DEFAULT_TARGET_LEVEL
from services.benchmark_packs import installed_pack
from services.context import (
    DONT_KNOW,
    TEAM_EXISTS_MESSAGE,
    AccessError,
    AnswersErasedError,
    AppContext,
    Choice,
    InputError,
    ServiceError,
    StorageBusyError,
    WorkshopLinkError,
    locked_dimension_error,
    retry_once_on_dropped_connection,
    stored_choice,
)
from services.progress import timeline
from services.publication import PublishedView, publish, publish_stale, published_result, published_results
from services.targets import TargetProfile, set_team_targets, team_targets
from storage import repository as repo
from storage.models import ACTION_STATUSES, FORMS, MODES, Respondent

#: How people read the roles, modes, forms and action statuses.
ROLE_LABELS: dict[str, str] = {"leader": "Team lead", "manager": "Manager", "contributor": "Team member"}
MODE_LABELS: dict[str, str] = {
    "individual": "Each member answers individually",
    "consensus": "The team agrees one set of answers together",
}
FORM_LABELS: dict[str, str] = {
    "full": "Full: every item, about 15 minutes",
    "pulse": "Pulse: 10 items, about 3 minutes",
}
STATUS_LABELS: dict[str, str] = {"open": "Open", "in_progress": "In progress", "done": "Done"}
#: Shown above the items wherever people answer: the higher levels describe several conditions at once.
ANSWER_INSTRUCTION = (
    "Levels 4 and 5 describe several things at once: pick the description that fits your team best. When you "
    "are between two descriptions, pick the lower one."
)

#: The anonymity threshold k a self-assessment may be started with (never below 3; above 50 no team of
#: realistic size would ever see a result).
MIN_K = 3
MAX_K = 50
K_HELP = (
    "The anonymity threshold: team results (and every number computed from individual answers) stay hidden "
    "until at least k people have answered, and a role is shown only with at least k people in it. "
    f"Never below {MIN_K}; raise it for a large team, so that nobody can be singled out."
)

#: The field name of the AI-assisted hours in outcome forms (the other fields are the questionnaire's KPIs).
AI_HOURS_FIELD = "ai_hours_per_week"
AI_HOURS_MAXIMUM = 80.0
#: The field name of the team size (people doing the AI-assisted work) in outcome forms.
TEAM_SIZE_FIELD = "team_size"
#: The questionnaire KPIs the capacity ledger reads (with the AI-assisted hours).
LEDGER_KPIS: tuple[str, ...] = ("task_time_reduction", "meta_work_hours", "redeployed_share")
#: Ledger input name → the outcome field it comes from (for messages next to the right field).
_LEDGER_FIELDS: dict[str, str] = {
    "ai_hours_per_week": AI_HOURS_FIELD,
    "task_time_reduction_pct": "task_time_reduction",
    "meta_work_hours": "meta_work_hours",
    "redeployed_pct": "redeployed_share",
    "team_size": TEAM_SIZE_FIELD,
}
#: Columns of the action-plan CSV, in order.
PLAN_CSV_COLUMNS: tuple[str, ...] = (
    "position",
    "title",
    "owner",
    "due_date",
    "status",
    "finding",
    "first_step",
    "kpi",
    "horizon_days",
    "source_item_id",
)


# --- what the pages get ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RespondentSession:
    """Who a resume token belongs to, the assessment it opens and what they answered so far."""

    token: str
    respondent_id: int
    pseudonym: str
    role: Role
    assessment_id: int
    assessment_ref: str
    team: str
    questionnaire_id: str
    questionnaire_version: str
    form: Form
    mode: Mode
    k: int
    status: str
    submitted: bool
    respondents: int
    #: The invitation code, only right after it was made (starting, :func:`new_invitation`) or used
    #: (joining): it is stored hashed and cannot be shown again later.
    share_code: str | None
    answers: dict[str, int | None] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    #: The step the person was last on (``"1"``…, or ``"done"``); None before they moved for the first time.
    step: str | None = None

    @property
    def is_open(self) -> bool:
        """Whether answers can still be changed."""
        return self.status == "open"

    def choice(self, item_id: str) -> Choice | None:
        """The stored answer as the UI shows it: a level, ``"dont_know"``, or None when unanswered."""
        return stored_choice(self.answers, item_id)


@dataclass(frozen=True)
class SharedAssessment:
    """What a share code shows before someone joins: whose assessment it is and how it is run."""

    team: str
    form: Form
    mode: Mode
    status: str
    respondents: int
    questionnaire_title: str


@dataclass(frozen=True)
class QuestionnaireChoice:
    """A valid questionnaire someone can start an assessment with (the Start page's picker)."""

    id: str
    version: str
    title: str
    language: str
    shipped_default: bool = False

    @property
    def key(self) -> str:
        """A stable key for a widget option: ``<id>@<version>``."""
        return f"{self.id}@{self.version}"

    @property
    def label(self) -> str:
        """How people read it: title, version and language (e.g. "Human system design · 1.0.0 · en")."""
        return f"{self.title} · {self.version} · {self.language}"


@dataclass(frozen=True)
class UnansweredItem:
    """An item of the respondent's form they have not answered (neither a level nor "Don't know")."""

    dimension_id: str
    dimension_name: str
    step: int
    item_id: str
    question: str


@dataclass(frozen=True)
class FinishReport:
    """What finishing said: how many items were answered and which were not (finishing never blocks)."""

    answered: int
    total: int
    unanswered: list[UnansweredItem]


@dataclass(frozen=True)
class OutcomeValues:
    """The outcome figures stored for an assessment: KPI id → value, AI-assisted hours per person, and the
    number of people doing that work (the team size the ledger multiplies by)."""

    kpis: dict[str, float]
    ai_hours_per_week: float | None
    team_size: int | None = None


@dataclass(frozen=True)
class ResultsView:
    """Everything the results page shows for one token."""

    session: RespondentSession
    questionnaire: Questionnaire
    result: TeamResult
    own: RespondentView | None
    benchmark: BenchmarkPack | list[BenchmarkComparison] | None
    benchmark_against: Literal["peers", "pack", "none"]
    benchmark_label: str
    wording_changes: list[WordingChange] = field(default_factory=list)
    publication: PublishedView | None = None
    #: the team's previous round (its latest earlier published result) and its calendar quarter
    previous: TeamResult | None = None
    previous_label: str | None = None
    #: the team's target profile (its own, else the organisation's default, else level 4 everywhere)
    target: TargetProfile | None = None
    #: the story on one page (``reports.summary.page_one``, the same content as the team report's page 1)
    page_one: PageOne | None = None

    @property
    def target_levels(self) -> dict[str, int]:
        """The target level per dimension (``DEFAULT_TARGET_LEVEL`` everywhere when no profile was read)."""
        if self.target is not None:
            return self.target.levels
        return {dimension.id: DEFAULT_TARGET_LEVEL for dimension in self.questionnaire.dimensions}

    @property
    def update_note(self) -> str | None:
        """When the team's published result next changes, in words (None when nothing waits)."""
        publication = self.publication
        if publication is None or not publication.waiting or self.session.mode != "individual":
            return None
        people = "person has" if publication.more_needed == 1 else "people have"
        if not publication.published:
            return (
                f"Team results appear once answers from at least {self.session.k} people can be shown "
                f"without singling anyone out: about {publication.more_needed} more {people} to answer."
            )
        waiting = "1 person's" if publication.waiting == 1 else f"{publication.waiting} people's"
        return (
            f"The team results below were published when {publication.respondents} people had answered. "
            f"{waiting} newer or changed answers are not in them yet: the results update when about "
            f"{publication.more_needed} more {people} answered, so nobody's answers can be worked out "
            "by comparing before and after."
        )

    @property
    def wording_warning(self) -> str | None:
        """The sentence naming the items whose wording changed since the assessment was taken, if any."""
        return wording_warning(self.wording_changes)


@dataclass(frozen=True)
class PlanAction:
    """One action of the team's plan as stored (edited by the team)."""

    id: int
    position: int
    title: str
    finding: str
    first_step: str
    owner: str
    due_date: date | None
    status: str
    kpi: str | None
    horizon_days: int | None
    source_item_id: str | None

    @property
    def custom(self) -> bool:
        """Whether the team wrote this action itself (it comes from no item's recommendation)."""
        return self.source_item_id is None


@dataclass(frozen=True)
class PlanView:
    """The team's plan: the stored actions, the recommendations not in it, and why it is empty if it is."""

    team: str
    actions: list[PlanAction]
    suggestions: list[Action]
    reason: str | None
    #: the 1–3 areas the recommendations lead with, each with why (``scoring.rules.focus_areas``)
    focus: list[FocusArea] = field(default_factory=list)


# --- helpers ----------------------------------------------------------------------------------------------


def _self_assessment_respondent(session: Session, token: str, not_found: str) -> Respondent:
    """The respondent of a self-assessment token; ``AccessError(not_found)`` for a token that opens nothing
    and ``WorkshopLinkError`` for a workshop participant's token (it opens the join page only)."""
    found = repo.find_respondent_and_workshop(session, token=token)
    if found is None:
        raise AccessError(not_found)
    respondent, workshop_id = found
    if respondent.erased_at is not None:
        raise AnswersErasedError(respondent.erased_at)
    if workshop_id is not None:
        raise WorkshopLinkError(token)
    return respondent


def _session_for(session: Session, token: str, *, share_code: str | None = None) -> RespondentSession:
    """The session of a self-assessment token; ``share_code`` is the invitation code when the caller has
    just made or used it (codes are stored hashed, so it cannot be read back)."""
    respondent = _self_assessment_respondent(
        session,
        token,
        "This link does not open an assessment. Check that you copied the whole link, "
        "or start a new self-assessment.",
    )
    assessment = repo.get_assessment(session, assessment_id=respondent.assessment_id)
    return RespondentSession(
        token=token.strip(),
        respondent_id=respondent.id,
        pseudonym=respondent.external_id,
        role=cast(Role, respondent.role),
        assessment_id=assessment.id,
        assessment_ref=assessment.external_id,
        team=assessment.team.name,
        questionnaire_id=assessment.questionnaire_id,
        questionnaire_version=assessment.questionnaire_version,
        form=cast(Form, assessment.form),
        mode=cast(Mode, assessment.mode),
        k=assessment.k,
        status=assessment.status,
        submitted=respondent.submitted_at is not None,
        respondents=_members(session, assessment.id),
        share_code=share_code,
        answers=repo.get_answers(session, respondent_id=respondent.id),
        comments=repo.get_comments(session, respondent_id=respondent.id),
        step=respondent.current_step,
    )


def _members(session: Session, assessment_id: int) -> int:
    """How many people joined the assessment and have not erased their answers."""
    return sum(
        respondent.erased_at is None
        for respondent in repo.list_respondents(session, assessment_id=assessment_id)
    )


def _respondent_of(session: Session, token: str) -> tuple[int, int]:
    """(respondent id, assessment id) of a self-assessment token, or ``AccessError`` (also for a workshop
    participant's token: ``WorkshopLinkError``)."""
    respondent = _self_assessment_respondent(
        session, token, "This link does not open an assessment; your answer was not saved."
    )
    return respondent.id, respondent.assessment_id


def _closed_message() -> ServiceError:
    return ServiceError(
        "This assessment is closed, so answers can no longer be changed. Your results are still available."
    )


def form_items(questionnaire: Questionnaire, form: Form) -> list[Item]:
    """The items of a form (full or pulse) in questionnaire order."""
    return questionnaire.items_for(form)


def steps(questionnaire: Questionnaire, form: Form) -> list[tuple[str, list[Item]]]:
    """The assessment's steps: one per dimension, with the dimension's items on the form (at most 8)."""
    on_form = {item.id for item in questionnaire.items_for(form)}
    return [
        (dimension.id, [item for item in dimension.items if item.id in on_form])
        for dimension in questionnaire.dimensions
        if any(item.id in on_form for item in dimension.items)
    ]


# --- start, join, resume ---------------------------------------------------------------------------------


def questionnaire_choices(catalog: Catalog) -> list[QuestionnaireChoice]:
    """The valid questionnaires a new assessment can use: the latest version of each questionnaire id, the
    shipped one first, then by title.

    An older version (the shipped 1.0.0 once 1.1.0 ships) is not offered for new assessments but stays in the
    catalog, so the assessments that answered it keep their results, reports and exports. Broken
    questionnaires are not in the list (``Catalog.errors`` names them). Two entries that would read the same
    get their id added to the title, so no two options look alike.
    """
    try:
        default = catalog.latest(DEFAULT_QUESTIONNAIRE_ID)
    except KeyError:
        default = None
    latest = [catalog.latest(questionnaire_id) for questionnaire_id in catalog.ids()]
    entries = sorted(
        latest,
        key=lambda q: (
            not (default is not None and (q.id, q.version) == (default.id, default.version)),
            q.title.casefold(),
            q.id,
            tuple(int(part) for part in q.version.split(".")),
        ),
    )
    titles = [(q.title, q.version, q.language) for q in entries]
    return [
        QuestionnaireChoice(
            id=q.id,
            version=q.version,
            title=q.title if titles.count((q.title, q.version, q.language)) == 1 else f"{q.title} ({q.id})",
            language=q.language,
            shipped_default=default is not None and (q.id, q.version) == (default.id, default.version),
        )
        for q in entries
    ]


def list_team_names(ctx: AppContext) -> list[str]:
    """The names of the existing teams (demo teams left out), for the Start page's picker."""
    with ctx.read() as session:
        return [team.name for team in repo.list_teams(session, include_demo=False)]


def start_assessment(
    ctx: AppContext,
    *,
    team_name: str,
    mode: str,
    form: str,
    role: str,
    questionnaire_id: str = DEFAULT_QUESTIONNAIRE_ID,
    questionnaire_version: str | None = None,
    k: int | None = None,
    share_code: str | None = None,
    leader_unlocked: bool = False,
    team_size: int | None = None,
) -> RespondentSession:
    """Open a new assessment for a team (created when the name is new) and its first respondent.

    A name that reads the same as an existing team's (case, spacing and Unicode variants included, see
    ``repo.team_name_key``) is that team, and a new assessment for it needs proof of belonging: the
    ``share_code`` of one of that team's assessments (its invitation link), or ``leader_unlocked`` (the
    leader passcode was entered in this browser session). Otherwise ``InputError`` on ``team``, so
    nobody can add an answer set, e.g. a consensus one, that becomes another team's latest result.

    The first respondent is whoever starts it: in individual mode the team lead (who gets a share code to
    invite the team), in consensus mode the team's one agreed answer set. ``k`` (the anonymity threshold,
    default the configured one) must be a whole number of at least 3; a chosen one at most 50. The wording
    hash of every item on the form is recorded with the assessment, so a later change of wording can be
    detected (:func:`wording_changes_for_assessment`). ``team_size`` (optional: how many people are on the
    team, for the response rate and the capacity ledger's totals) is a whole number from 1 up. Invalid input
    raises ``InputError`` naming the fields ``team``, ``mode``, ``form``, ``role``, ``k``, ``team_size`` or
    ``questionnaire``.
    """
    errors: dict[str, str] = {}
    name = (team_name or "").strip()
    if not name:
        errors["team"] = "enter the team's name, or pick an existing team"
    elif len(name) > 200:
        errors["team"] = f"the name is {len(name)} characters long; at most 200 are allowed"
    for field_name, value, allowed in (
        ("mode", mode, MODES),
        ("form", form, FORMS),
        ("role", role, ROLES),
    ):
        if value not in allowed:
            errors[field_name] = f"choose one of: {', '.join(allowed)} (got {value!r})"
    # the configured default is trusted as it is (settings keep it at 3 or more); a chosen k must be 3–50
    threshold = ctx.default_k if k is None else k
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < MIN_K:
        errors["k"] = (
            f"the anonymity threshold must be a whole number of at least {MIN_K} (got {threshold!r})"
        )
    elif k is not None and threshold > MAX_K:
        errors["k"] = f"the anonymity threshold may be at most {MAX_K} (got {threshold})"
    if team_size is not None and (
        isinstance(team_size, bool)
        or not isinstance(team_size, int)
        or not 1 <= team_size <= TEAM_SIZE_MAXIMUM
    ):
        errors["team_size"] = (
            f"the team size must be a whole number from 1 to {TEAM_SIZE_MAXIMUM:,} (got {team_size!r})"
        )
    try:
        questionnaire = ctx.questionnaire(questionnaire_id, questionnaire_version)
    except KeyError as error:
        errors["questionnaire"] = str(error).strip("'\"")
    if errors:
        raise InputError(errors)
    with ctx.write() as session:
        team = repo.find_team_like(session, name=name)
        if team is None:
            team = repo.create_team(session, name=name)
        elif not leader_unlocked and not _opens_team(session, share_code, team.id):
            raise InputError({"team": TEAM_EXISTS_MESSAGE})
        assessment = repo.create_assessment(
            session,
            team_id=team.id,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            form=cast(Form, form),
            mode=cast(Mode, mode),
            k=threshold,
            item_wording=wording_hashes(questionnaire, cast(Form, form)),
        )
        if team_size is not None:
            repo.save_kpis(session, assessment_id=assessment.id, kpis={}, team_size=team_size, replace=False)
        code = repo.create_share_code(session, assessment_id=assessment.id) if mode == "individual" else None
        _, token = repo.create_respondent(session, assessment_id=assessment.id, role=role)
        return _session_for(session, token, share_code=code)


def _opens_team(session: Session, share_code: str | None, team_id: int) -> bool:
    """Whether ``share_code`` is the invitation code of one of the team's assessments."""
    if not share_code:
        return False
    assessment = repo.find_assessment_by_share_code(session, code=share_code)
    return assessment is not None and assessment.team_id == team_id


def invitation_code(link: str | None) -> str | None:
    """The share code in a pasted invitation link (``…/start?assessment=CODE``), or the text itself when it
    is a bare code; None for empty text."""
    text = (link or "").strip()
    if not text:
        return None
    if "assessment=" in text:
        values = parse_qs(urlparse(text).query or text.split("?", 1)[-1]).get("assessment")
        return values[0].strip() if values else None
    return text


def shared_assessment(ctx: AppContext, share_code: str) -> SharedAssessment:
    """What a share code leads to, for the join screen; ``AccessError`` when it leads nowhere."""
    with ctx.read() as session:
        assessment = repo.find_assessment_by_share_code(session, code=share_code)
        if assessment is None:
            raise AccessError(
                "This invitation link does not open an assessment. Ask your team lead for the link again."
            )
        try:
            title = ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version).title
        except KeyError:
            title = assessment.questionnaire_id
        return SharedAssessment(
            team=assessment.team.name,
            form=cast(Form, assessment.form),
            mode=cast(Mode, assessment.mode),
            status=assessment.status,
            respondents=_members(session, assessment.id),
            questionnaire_title=title,
        )


def join_assessment(ctx: AppContext, *, share_code: str, role: str) -> RespondentSession:
    """Create a respondent of one's own in a shared (individual) assessment; returns it with its token."""
    if not role:
        raise InputError({"role": f"pick your role: {', '.join(ROLE_LABELS.values())}"})
    if role not in ROLES:
        raise InputError({"role": f"choose one of: {', '.join(ROLES)} (got {role!r})"})
    with ctx.write() as session:
        assessment = repo.find_assessment_by_share_code(session, code=share_code)
        if assessment is None:
            raise AccessError(
                "This invitation link does not open an assessment. Ask your team lead for the link again."
            )
        if assessment.status != "open":
            raise ServiceError("This assessment is closed and accepts no new answers.")
        _, token = repo.create_respondent(session, assessment_id=assessment.id, role=role)
        return _session_for(session, token, share_code=share_code.strip())


def new_invitation(ctx: AppContext, token: str) -> str:
    """A new invitation code of the token's (individual) assessment; the earlier code stops working.

    Any token holder of the assessment may make one: codes are stored hashed, so a lost link cannot be
    shown again, only replaced. Raises ``AccessError`` for a token that opens nothing (or a workshop link)
    and ``ServiceError`` for a consensus assessment, which has nobody to invite.
    """
    with ctx.write() as session:
        _, assessment_id = _respondent_of(session, token or "")
        assessment = repo.get_assessment(session, assessment_id=assessment_id)
        if assessment.mode != "individual":
            raise ServiceError(
                "A consensus assessment has one answer set for the whole team, so there is nobody to invite: "
                "share the team link instead."
            )
        return repo.create_share_code(session, assessment_id=assessment_id)


def resume(ctx: AppContext, token: str) -> RespondentSession:
    """The respondent a resume token belongs to, with every answer and comment saved so far."""
    with ctx.read() as session:
        return _session_for(session, token or "")


# --- answering -------------------------------------------------------------------------------------------


@retry_once_on_dropped_connection
def save_answer(ctx: AppContext, token: str, item_id: str, choice: Choice | None) -> None:
    """Save one answer at once: a level 1–5, ``"dont_know"``, or None to clear it (unanswered again).

    Raises ``AccessError`` for a token that opens nothing, ``InputError`` for an item or value that is
    not on the respondent's form, ``ServiceError`` when the assessment is closed.
    """
    if choice is not None and choice != DONT_KNOW and (isinstance(choice, bool) or choice not in range(1, 6)):
        raise InputError({item_id: f"an answer is a level 1–5 or don't know, not {choice!r}"})
    with ctx.write() as session:
        respondent_id, assessment_id = _respondent_of(session, token)
        assessment = repo.get_assessment(session, assessment_id=assessment_id)
        questionnaire = ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
        if item_id not in {item.id for item in questionnaire.items_for(cast(Form, assessment.form))}:
            raise InputError({item_id: f"'{item_id}' is not an item of this {assessment.form} form"})
        try:
            if choice is None:
                repo.clear_answer(session, respondent_id=respondent_id, item_id=item_id)
            else:
                value = None if choice == DONT_KNOW else int(choice)
                repo.save_answer(session, respondent_id=respondent_id, item_id=item_id, value=value)
        except repo.ClosedError:
            raise _closed_message() from None
        except repo.LockedDimensionError as error:  # not reachable with a self-assessment token today
            raise locked_dimension_error(questionnaire, error.dimension_id) from None


def save_step(ctx: AppContext, token: str, step: int | str) -> None:
    """Remember the step the respondent is on (a number from 1, or ``"done"``): the resume link reopens it.

    Also while the assessment is closed (it is where the person looks, not an answer). ``InputError`` for
    anything else than a positive whole number or ``"done"``.
    """
    text = str(step)
    if not (text == "done" or (text.isdigit() and int(text) >= 1)):
        raise InputError({"step": f"a step is a number from 1 or 'done', not {step!r}"})
    with ctx.write() as session:
        respondent_id, _ = _respondent_of(session, token)
        repo.set_current_step(session, respondent_id=respondent_id, step=text)


def save_comment(ctx: AppContext, token: str, dimension_id: str, text: str) -> None:
    """Save (or, with empty text, remove) the respondent's comment on a dimension."""
    text = text or ""
    if len(text.strip()) > 5000:
        raise InputError({f"comment:{dimension_id}": "a comment may be at most 5000 characters long"})
    with ctx.write() as session:
        respondent_id, assessment_id = _respondent_of(session, token)
        assessment = repo.get_assessment(session, assessment_id=assessment_id)
        questionnaire = ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
        if dimension_id not in {dimension.id for dimension in questionnaire.dimensions}:
            raise InputError({f"comment:{dimension_id}": f"there is no dimension '{dimension_id}'"})
        try:
            repo.save_comment(session, respondent_id=respondent_id, dimension_id=dimension_id, text=text)
        except repo.ClosedError:
            raise _closed_message() from None


def unanswered_items(
    questionnaire: Questionnaire, form: Form, answers: Mapping[str, int | None]
) -> list[UnansweredItem]:
    """The items of a form not answered yet (a "Don't know" counts as answered), with their step number."""
    missing = []
    for step, (dimension_id, items) in enumerate(steps(questionnaire, form), start=1):
        dimension = questionnaire.dimension(dimension_id)
        for item in items:
            if item.id not in answers:
                missing.append(
                    UnansweredItem(
                        dimension_id=dimension_id,
                        dimension_name=dimension.name,
                        step=step,
                        item_id=item.id,
                        question=item.question.strip(),
                    )
                )
    return missing


def finish(ctx: AppContext, token: str) -> FinishReport:
    """Mark the respondent as finished and list what they left unanswered (finishing never blocks)."""
    with ctx.write() as session:
        current = _session_for(session, token)
        questionnaire = ctx.questionnaire(current.questionnaire_id, current.questionnaire_version)
        if current.is_open:
            repo.mark_submitted(session, respondent_id=current.respondent_id)
        missing = unanswered_items(questionnaire, current.form, current.answers)
        total = len(questionnaire.items_for(current.form))
    publish(ctx, current.assessment_id)
    return FinishReport(answered=total - len(missing), total=total, unanswered=missing)


# --- outcomes --------------------------------------------------------------------------------------------


def get_outcomes(ctx: AppContext, token: str) -> OutcomeValues:
    """The outcome figures stored for the token's assessment."""
    with ctx.read() as session:
        _, assessment_id = _respondent_of(session, token)
        outcomes = repo.get_outcomes(session, assessment_id=assessment_id)
        return OutcomeValues(
            kpis=dict(outcomes.kpis),
            ai_hours_per_week=outcomes.ai_hours_per_week,
            team_size=outcomes.team_size,
        )


def validate_outcomes(
    questionnaire: Questionnaire,
    kpis: Mapping[str, float | None],
    ai_hours_per_week: float | None,
    team_size: float | None = None,
) -> dict[str, str]:
    """Messages per field for outcome figures that cannot be right (empty when all can be saved).

    Each KPI must lie in the range the questionnaire gives it; AI-assisted hours between 0 and 80 per
    person per week; the team size a whole number of people; and when every capacity figure is there, the
    capacity ledger's own checks apply (a reduction below 100 %, AI-assisted hours and meta-work at most 80 h
    together).
    """
    errors: dict[str, str] = {}
    known = {kpi.id: kpi for kpi in questionnaire.kpis}
    for kpi_id, value in kpis.items():
        kpi = known.get(kpi_id)
        if kpi is None:
            errors[kpi_id] = f"'{kpi_id}' is not an outcome figure of this questionnaire"
        elif value is not None and not kpi.minimum <= value <= kpi.maximum:
            errors[kpi_id] = (
                f"{kpi.label} must be between {kpi.minimum:g} and {kpi.maximum:g} {kpi.unit} (got {value:g})"
            )
    if ai_hours_per_week is not None and not 0 <= ai_hours_per_week <= AI_HOURS_MAXIMUM:
        errors[AI_HOURS_FIELD] = (
            f"AI-assisted hours must be between 0 and {AI_HOURS_MAXIMUM:g} hours per person per week "
            f"(got {ai_hours_per_week:g})"
        )
    if team_size is not None and (team_size != int(team_size) or not 1 <= team_size <= TEAM_SIZE_MAXIMUM):
        errors[TEAM_SIZE_FIELD] = (
            f"People doing this work must be a whole number from 1 to {TEAM_SIZE_MAXIMUM:,} (got {team_size:g})"
        )
    ledger_inputs = {
        "ai_hours_per_week": ai_hours_per_week,
        "task_time_reduction_pct": kpis.get("task_time_reduction"),
        "meta_work_hours": kpis.get("meta_work_hours"),
        "redeployed_pct": kpis.get("redeployed_share"),
    }
    if not errors and all(value is not None for value in ledger_inputs.values()):
        try:
            capacity_ledger(**cast(dict[str, float], ledger_inputs))
        except CapacityInputError as error:
            for name, message in error.errors.items():
                errors.setdefault(_LEDGER_FIELDS.get(name, name), message)
    return errors


def save_outcomes(
    ctx: AppContext,
    token: str,
    *,
    kpis: Mapping[str, float | None],
    ai_hours_per_week: float | None,
    team_size: float | None = None,
) -> OutcomeValues:
    """Save the team's outcome figures (empty fields are left out); ``InputError`` names each bad field.

    Nothing is saved while any field is wrong, so the team never ends up with half a set of figures.
    """
    with ctx.write() as session:
        _, assessment_id = _respondent_of(session, token)
        assessment = repo.get_assessment(session, assessment_id=assessment_id)
        questionnaire = ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
        errors = validate_outcomes(questionnaire, kpis, ai_hours_per_week, team_size)
        if errors:
            raise InputError(errors)
        outcomes = repo.save_kpis(
            session,
            assessment_id=assessment_id,
            kpis={kpi_id: float(value) for kpi_id, value in kpis.items() if value is not None},
            ai_hours_per_week=ai_hours_per_week,
            team_size=None if team_size is None else int(team_size),
        )
        return OutcomeValues(
            kpis=dict(outcomes.kpis),
            ai_hours_per_week=outcomes.ai_hours_per_week,
            team_size=outcomes.team_size,
        )


def save_team_targets(ctx: AppContext, token: str, levels: Mapping[str, object] | None) -> TargetProfile:
    """Set the team's own target profile from a team member's link (``None``: the organisation's default).

    A target is team data like the outcome figures, so anyone with the team's link may set it;
    ``InputError`` names each wrong level and nothing is stored while one is wrong.
    """
    with ctx.read() as session:
        _, assessment_id = _respondent_of(session, token)
        assessment = repo.get_assessment(session, assessment_id=assessment_id)
        questionnaire = ctx.questionnaire(assessment.questionnaire_id, assessment.questionnaire_version)
        team = assessment.team.name
    return set_team_targets(ctx, questionnaire, team, levels)


# --- scoring ---------------------------------------------------------------------------------------------


def team_responses_for_assessment(ctx: AppContext, assessment_id: int) -> TeamResponses:
    """Everything an assessment holds, as the input of scoring (answers to items its questionnaire no
    longer has are left out: see ``scoring.responses.answers_in_questionnaire``)."""
    with ctx.read() as session:
        responses = repo.load_team_responses(session, assessment_id=assessment_id)
    questionnaire = ctx.questionnaire(responses.questionnaire_id, responses.questionnaire_version)
    return answers_in_questionnaire(questionnaire, responses)


def score_assessment(ctx: AppContext, assessment_id: int) -> TeamResult:
    """The team's published result for an assessment (see ``services.publication``), after attempting a
    publication for a self-assessment; never a live score of the stored answers."""
    return published_result(ctx, assessment_id, refresh=True).result


def _peer_results(ctx: AppContext, assessment_id: int) -> list[TeamResult]:
    """The published result of the latest assessment of every other team on the same questionnaire (demo
    teams only count as peers of demo teams); teams with nothing published are left out."""
    latest: dict[int, int] = {}
    with ctx.read() as session:
        own = repo.get_assessment(session, assessment_id=assessment_id)
        for assessment in repo.list_assessments(session, include_demo=own.is_demo):
            if assessment.team_id == own.team_id or assessment.questionnaire_id != own.questionnaire_id:
                continue
            latest[assessment.team_id] = assessment.id  # oldest first, so the last one wins
    publish_stale(ctx, list(latest.values()))
    published = published_results(ctx, list(latest.values()))
    return [published[assessment_id] for assessment_id in latest.values() if assessment_id in published]


def benchmark_for(
    ctx: AppContext, assessment_id: int, result: TeamResult
) -> tuple[BenchmarkPack | list[BenchmarkComparison] | None, Literal["peers", "pack", "none"], str]:
    """Peer percentiles when every scored dimension has enough peer teams, else an imported measured pack
    (``python cli.py pack import``) when one fits the questionnaire, else nothing, with the reason.

    Returns the peer comparisons, the pack or None (``reports.charts.benchmark_chart`` takes each), what
    they are against, and a sentence naming the comparison and its n.
    """
    peers = _peer_results(ctx, assessment_id)
    by_peers = peer_percentiles(result, peers)
    scored = [comparison for comparison in by_peers if comparison.score is not None]
    if scored and all(comparison.percentile is not None for comparison in scored):
        return (
            by_peers,
            "peers",
            f"Against {len(peers)} peer teams that answered the same questionnaire (n = {len(peers)}).",
        )
    reason = next((c.reason for c in scored if c.reason), None) or "not enough peer teams yet"
    questionnaire = ctx.questionnaire(result.questionnaire_id, result.questionnaire_version)
    pack = installed_pack(ctx, questionnaire)
    if pack is not None:
        sizes = ", ".join(sorted({str(row.n) for row in pack.rows}))
        return (
            pack,
            "pack",
            f"Peer percentiles need more teams ({reason}), so this compares with the imported pack "
            f"{pack.source_name}: {pack.label} (n = {sizes} teams, collected {pack.rows[0].collected}).",
        )
    return (
        None,
        "none",
        f"No peer percentiles yet ({reason}) and no measured benchmark pack imported: the team compares with "
        "its target and its previous round.",
    )


def previous_round(ctx: AppContext, assessment_id: int) -> tuple[TeamResult | None, str | None]:
    """The team's previous round: the published result of its latest earlier assessment on the same
    questionnaire (id), and that round's calendar quarter; (None, None) when there is none."""
    with ctx.read() as session:
        own = repo.get_assessment(session, assessment_id=assessment_id)
        earlier = [
            a
            for a in repo.list_assessments(session, team_id=own.team_id, include_demo=True)
            if a.id != own.id
            and a.questionnaire_id == own.questionnaire_id
            and a.created_at <= own.created_at
        ]
        labels = {a.id: f"{a.created_at.year} Q{(a.created_at.month - 1) // 3 + 1}" for a in earlier}
    published = published_results(ctx, [a.id for a in earlier])
    for assessment in reversed(earlier):  # newest first
        result = published.get(assessment.id)
        if result is not None and not result.suppressed:
            return result, labels[assessment.id]
    return None, None


def wording_changes_for_assessment(ctx: AppContext, assessment_id: int) -> list[WordingChange]:
    """The items whose wording changed since the assessment was created, and those no longer there.

    Compares the wording hashes recorded with the assessment with the questionnaire (same id and version)
    as it is loaded now. An assessment without a record (made before wording was recorded, or imported
    from a file without it) has nothing to compare, so the list is empty.
    """
    with ctx.read() as session:
        assessment = repo.get_assessment(session, assessment_id=assessment_id)
        recorded = dict(assessment.item_wording or {})
        questionnaire_id, version = assessment.questionnaire_id, assessment.questionnaire_version
    if not recorded:
        return []
    return wording_changes(recorded, ctx.questionnaire(questionnaire_id, version))


def results(ctx: AppContext, token: str) -> ResultsView:
    """The team's results for a token holder, their own scores, and the benchmark comparison."""
    current = resume(ctx, token)
    questionnaire = ctx.questionnaire(current.questionnaire_id, current.questionnaire_version)
    publication = published_result(ctx, current.assessment_id, refresh=True)
    result = publication.result
    known = {item.id for item in questionnaire.items_for("full")}
    own = None
    if current.answers:
        own = respondent_view(
            questionnaire,
            RespondentAnswers(
                respondent_id=current.pseudonym,
                role=current.role,
                # answers to items the questionnaire no longer has are left out (the wording warning names them)
                answers={item: value for item, value in current.answers.items() if item in known},
                comments=current.comments,
            ),
            current.form,
        )
    comparisons, against, label = benchmark_for(ctx, current.assessment_id, result)
    previous, previous_label = previous_round(ctx, current.assessment_id)
    with ctx.read() as session:
        stored = [
            _plan_action(row) for row in repo.list_actions(session, assessment_id=current.assessment_id)
        ]
    recommended = build_action_plan(questionnaire, result)
    page = page_one(
        questionnaire,
        result,
        report_actions(stored or recommended),
        timeline=timeline(ctx, current.assessment_id, questionnaire),
        focus=recommended.focus,
    )
    return ResultsView(
        session=current,
        questionnaire=questionnaire,
        result=result,
        own=own,
        benchmark=comparisons,
        benchmark_against=against,
        benchmark_label=label,
        wording_changes=wording_changes_for_assessment(ctx, current.assessment_id),
        publication=publication,
        previous=previous,
        previous_label=previous_label,
        target=team_targets(ctx, questionnaire, current.team),
        page_one=page,
    )


#: The worked example of the capacity ledger (README and "How scoring works"): 20 h now, 30 % less than
#: before, 2 h of meta-work, 25 % redeployed, 8 people.
LEDGER_EXAMPLE: tuple[float, float, float, float, int] = (20.0, 30.0, 2.0, 25.0, 8)


def ledger_example() -> str:
    """The capacity ledger's worked example in words, computed by the ledger itself."""
    return capacity_ledger(*LEDGER_EXAMPLE).summary


def scoring_rules() -> list[tuple[str, str]]:
    """The scoring rules for people, as (name, sentence) pairs straight from ``scoring.rules``.

    A sentence that starts by repeating its name ("Gating: the first layer…") loses that repetition, so the
    page does not read "Gating. Gating: …"; the words are otherwise exactly the rule's docstring.
    """
    rules = []
    for rule in RULES:
        sentence = rule.sentence
        prefix = f"{rule.name}:"
        if sentence.lower().startswith(prefix.lower()):
            rest = sentence[len(prefix) :].strip()
            sentence = rest[:1].upper() + rest[1:]
        rules.append((rule.name, sentence))
    return rules


def gating_example(
    questionnaire: Questionnaire, own_levels: Sequence[int] = (2, 4, 4, 3)
) -> list[tuple[str, int, int]]:
    """A worked example of gating for "How scoring works": (layer name, own level, gated level) per layer,
    computed by ``scoring.gate_levels`` itself so the example can never contradict the rule."""
    layers = questionnaire.layers
    levels = {layer.id: level for layer, level in zip(layers, own_levels, strict=False)}
    gates = gate_levels(levels, [layer.id for layer in layers])
    return [
        (layer.name, levels[layer.id], gates[layer.id].gated_level or levels[layer.id])
        for layer in layers
        if layer.id in levels
    ]


# --- the action plan -------------------------------------------------------------------------------------


def _plan_action(row: Any) -> PlanAction:
    return PlanAction(
        id=row.id,
        position=row.position,
        title=row.title,
        finding=row.finding,
        first_step=row.first_step,
        owner=row.owner,
        due_date=row.due_date,
        status=row.status,
        kpi=row.kpi,
        horizon_days=row.horizon_days,
        source_item_id=row.source_item_id,
    )


def recommended_plan(ctx: AppContext, assessment_id: int) -> ActionPlan:
    """The ranked recommendations ``scoring.build_action_plan`` makes from the assessment's published result."""
    result = published_result(ctx, assessment_id, refresh=True).result
    questionnaire = ctx.questionnaire(result.questionnaire_id, result.questionnaire_version)
    return build_action_plan(questionnaire, result)


def action_plan_for_assessment(ctx: AppContext, assessment_id: int, *, today: date | None = None) -> PlanView:
    """The team's plan; the first time it is viewed with results, the top recommendations become its
    actions (owner = the recommended role, due date = today + the recommendation's horizon)."""
    recommended = recommended_plan(ctx, assessment_id)
    today = today or datetime.now(UTC).date()
    try:
        with ctx.write() as session:
            if recommended.actions:
                repo.seed_actions(
                    session,
                    assessment_id=assessment_id,
                    actions=[
                        {
                            "title": action.title,
                            "finding": action.finding,
                            "owner": action.owner,
                            "due_date": today + timedelta(days=action.horizon_days),
                            "status": "open",
                            "source_item_id": action.item_id,
                            "kpi": action.kpi,
                            "first_step": action.first_step,
                            "horizon_days": action.horizon_days,
                        }
                        for action in recommended.top_actions
                    ],
                )
            return _plan_view(session, assessment_id, recommended)
    except StorageBusyError:
        # the database is busy: the plan as it stands (the recommendations join it on a later view)
        with ctx.read() as session:
            return _plan_view(session, assessment_id, recommended)


def _plan_view(session: Session, assessment_id: int, recommended: ActionPlan) -> PlanView:
    assessment = repo.get_assessment(session, assessment_id=assessment_id)
    actions = [_plan_action(row) for row in repo.list_actions(session, assessment_id=assessment_id)]
    in_plan = {action.source_item_id for action in actions}
    return PlanView(
        team=assessment.team.name,
        actions=actions,
        suggestions=[action for action in recommended.actions if action.item_id not in in_plan],
        reason=recommended.reason if not actions else None,
        focus=list(recommended.focus),
    )


def action_plan(ctx: AppContext, token: str, *, today: date | None = None) -> PlanView:
    """The team's action plan for a token holder (see :func:`action_plan_for_assessment`)."""
    with ctx.read() as session:
        _, assessment_id = _respondent_of(session, token)
    return action_plan_for_assessment(ctx, assessment_id, today=today)


def _action_gone() -> AccessError:
    return AccessError("This action no longer exists; someone may have removed it.")


def _own_action(session: Session, token: str, action_id: int) -> int:
    """The assessment id, after checking that the action belongs to the token's assessment."""
    _, assessment_id = _respondent_of(session, token)
    try:
        action = repo.get_action(session, action_id=action_id)
    except repo.NotFoundError:
        raise _action_gone() from None
    if action.assessment_id != assessment_id:
        raise AccessError("This action belongs to another team's plan.")
    return assessment_id


def update_action(ctx: AppContext, token: str, action_id: int, **changes: Any) -> PlanAction:
    """Change an action's title, owner, due date or status; ``InputError`` names the field that is wrong."""
    allowed = {"title", "owner", "due_date", "status", "first_step", "kpi"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InputError({name: "this field cannot be edited" for name in unknown})
    errors: dict[str, str] = {}
    if "title" in changes and not (changes["title"] or "").strip():
        errors["title"] = "an action needs a title"
    if "status" in changes and changes["status"] not in ACTION_STATUSES:
        errors["status"] = f"choose one of: {', '.join(ACTION_STATUSES)}"
    if "owner" in changes and len((changes["owner"] or "").strip()) > 200:
        errors["owner"] = "an owner may be at most 200 characters long"
    if errors:
        raise InputError(errors)
    if "owner" in changes:
        changes["owner"] = changes["owner"] or ""
    with ctx.write() as session:
        _own_action(session, token, action_id)
        try:
            row = repo.update_action(session, action_id=action_id, **changes)
        except repo.InvalidValueError as error:
            raise InputError({next(iter(changes), "action"): str(error)}) from None
        except repo.NotFoundError:  # removed by a teammate a moment ago
            raise _action_gone() from None
        return _plan_action(row)


def add_custom_action(
    ctx: AppContext,
    token: str,
    *,
    title: str,
    owner: str = "",
    due_date: date | None = None,
    first_step: str = "",
) -> PlanAction:
    """Add an action the team wrote itself at the end of the plan; ``InputError`` names a bad field."""
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = "an action needs a title"
    elif len(title.strip()) > 300:
        errors["title"] = "a title may be at most 300 characters long"
    if len((owner or "").strip()) > 200:
        errors["owner"] = "an owner may be at most 200 characters long"
    if errors:
        raise InputError(errors)
    with ctx.write() as session:
        _, assessment_id = _respondent_of(session, token)
        row = repo.add_action(
            session,
            assessment_id=assessment_id,
            title=title,
            owner=owner or "",
            due_date=due_date,
            first_step=first_step or "",
            finding="Added by the team.",
        )
        return _plan_action(row)


def add_recommended_action(
    ctx: AppContext, token: str, item_id: str, *, today: date | None = None
) -> PlanAction:
    """Add one of the recommendations not yet in the plan (by its item id) at the end of the plan."""
    with ctx.read() as session:
        _, assessment_id = _respondent_of(session, token)
    recommended = {action.item_id: action for action in recommended_plan(ctx, assessment_id).actions}
    action = recommended.get(item_id)
    if action is None:
        raise InputError({"recommendation": f"there is no recommendation for '{item_id}'"})
    today = today or datetime.now(UTC).date()
    with ctx.write() as session:
        row = repo.add_action(
            session,
            assessment_id=assessment_id,
            title=action.title,
            finding=action.finding,
            owner=action.owner,
            due_date=today + timedelta(days=action.horizon_days),
            source_item_id=action.item_id,
            kpi=action.kpi,
            first_step=action.first_step,
            horizon_days=action.horizon_days,
        )
        return _plan_action(row)


def remove_action(ctx: AppContext, token: str, action_id: int) -> PlanAction:
    """Remove an action from the plan (the ones after it move up); returns it as it was, for an undo
    (:func:`restore_action`)."""
    with ctx.write() as session:
        _own_action(session, token, action_id)
        try:
            removed = _plan_action(repo.get_action(session, action_id=action_id))
            repo.delete_action(session, action_id=action_id)
        except repo.NotFoundError:  # removed by a teammate a moment ago
            raise _action_gone() from None
        return removed


def restore_action(ctx: AppContext, token: str, action: PlanAction) -> PlanAction:
    """Undo a removal: put ``action`` (as :func:`remove_action` returned it) back at its place in the plan,
    with its owner, date, status and text (under a new id)."""
    with ctx.write() as session:
        _, assessment_id = _respondent_of(session, token)
        row = repo.add_action(
            session,
            assessment_id=assessment_id,
            title=action.title,
            finding=action.finding,
            owner=action.owner,
            due_date=action.due_date,
            status=cast(Literal["open", "in_progress", "done"], action.status),
            source_item_id=action.source_item_id,
            kpi=action.kpi,
            first_step=action.first_step,
            horizon_days=action.horizon_days,
            position=action.position,
        )
        return _plan_action(row)


def move_action(ctx: AppContext, token: str, action_id: int, offset: int) -> list[PlanAction]:
    """Move an action up (``offset`` −1) or down (+1) in the plan; returns the plan in its new order."""
    with ctx.write() as session:
        _own_action(session, token, action_id)
        try:
            rows = repo.move_action(session, action_id=action_id, offset=offset)
        except repo.NotFoundError:
            raise _action_gone() from None
        return [_plan_action(row) for row in rows]


# --- exports ---------------------------------------------------------------------------------------------


def plan_csv_for_assessment(ctx: AppContext, assessment_id: int) -> bytes:
    """The team's action plan as CSV (UTF-8; text a spreadsheet would run as a formula is neutralised)."""
    with ctx.read() as session:
        actions = [_plan_action(row) for row in repo.list_actions(session, assessment_id=assessment_id)]
    rows = [
        {
            "position": action.position + 1,
            "title": action.title,
            "owner": action.owner,
            "due_date": "" if action.due_date is None else action.due_date.isoformat(),
            "status": action.status,
            "finding": action.finding,
            "first_step": action.first_step,
            "kpi": action.kpi or "",
            "horizon_days": "" if action.horizon_days is None else action.horizon_days,
            "source_item_id": action.source_item_id or "",
        }
        for action in actions
    ]
    return write_csv(rows, PLAN_CSV_COLUMNS)


def plan_csv(ctx: AppContext, token: str) -> bytes:
    """The action plan of the token's assessment as CSV bytes."""
    with ctx.read() as session:
        _, assessment_id = _respondent_of(session, token)
    return plan_csv_for_assessment(ctx, assessment_id)


def report_file_name(team: str, extension: str) -> str:
    """A safe download file name for a team's report or plan: ``layerwise-<team>.<extension>``."""
    return pdf_file_name(team, extension)


def team_report_pdf_for_assessment(
    ctx: AppContext, assessment_id: int, *, generated_at: datetime | None = None
) -> bytes:
    """The team's PDF report: results, benchmark, capacity, KPIs and the plan (the team's edited actions
    once it has any, else the recommendations), rendered by ``reports.pdf`` from ``reports.content``."""
    result = published_result(ctx, assessment_id, refresh=True).result
    questionnaire = ctx.questionnaire(result.questionnaire_id, result.questionnaire_version)
    # the report shows the team's plan: made (and its due dates fixed) now if it has none yet
    stored = action_plan_for_assessment(ctx, assessment_id).actions
    recommended = build_action_plan(questionnaire, result)
    plan: ActionPlan | list[PlanAction] = stored or recommended
    benchmark, against, _ = benchmark_for(ctx, assessment_id, result)
    previous, previous_label = previous_round(ctx, assessment_id)
    content = team_report_content(
        questionnaire,
        result,
        plan,
        pack=benchmark if isinstance(benchmark, BenchmarkPack) else None,
        peer_comparisons=benchmark if against == "peers" and isinstance(benchmark, list) else None,
        target_levels=team_targets(ctx, questionnaire, result.team).levels,
        previous=previous,
        previous_label=previous_label,
        generated_at=generated_at or datetime.now(UTC),
        wording_note=wording_warning(wording_changes_for_assessment(ctx, assessment_id)),
        timeline=timeline(ctx, assessment_id, questionnaire),
        focus=recommended.focus,
    )
    return render_team_pdf(content)


def team_report_pdf(ctx: AppContext, token: str) -> bytes:
    """The PDF report of the token's assessment (see :func:`team_report_pdf_for_assessment`)."""
    with ctx.read() as session:
        _, assessment_id = _respondent_of(session, token)
    return team_report_pdf_for_assessment(ctx, assessment_id)
