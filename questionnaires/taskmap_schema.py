"""The task map format: a team's recurring activities per role, and what it decided about AI for each.

Strict pydantic v2 models, like ``questionnaires.schema``: unknown keys are errors, numbers must be finite,
and every problem is reported on the field it belongs to (``activities[3].hours_per_week``), so a page can
put the message next to the row and column a person typed it in. The same models validate the templates
shipped in ``questionnaires/taskmap-templates`` and a task map imported from CSV. The arithmetic lives in
``scoring.taskmap``.

Hours are **per person in the role, per week, as the activity takes them now** — for an activity AI is
used on, the time it takes today with AI, *without* the review around it (the capacity ledger's wording:
"hours the AI-assisted tasks take per person per week now"). The task-time reduction is gross, as a share
of the time the activity *used to take* before AI; review time (meta-work) is entered separately and
subtracted once.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

Decision = Literal["ai_freely", "ai_with_review", "human_only"]
HumanReason = Literal["judgment", "client_trust", "regulation", "data_class"]

DECISIONS: tuple[Decision, ...] = ("ai_freely", "ai_with_review", "human_only")
DECISION_LABELS: dict[str, str] = {
    "ai_freely": "AI freely",
    "ai_with_review": "AI with review",
    "human_only": "Human only",
}
REASONS: tuple[HumanReason, ...] = ("judgment", "client_trust", "regulation", "data_class")
REASON_LABELS: dict[str, str] = {
    "judgment": "needs human judgment",
    "client_trust": "client trust",
    "regulation": "regulation",
    "data_class": "data class not allowed in AI tools",
}

#: The most hours a person's week in one role may hold (activities now plus their review time).
WEEK_HOURS_MAXIMUM = 80.0
#: The most people one role may have.
PEOPLE_MAXIMUM = 10_000
#: How many rows of each kind a task map may hold.
ROWS_MAXIMUM = 200

Name = Annotated[str, Field(min_length=1, max_length=120)]
Hours = Annotated[float, Field(ge=0, le=WEEK_HOURS_MAXIMUM, allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Role(_Strict):
    """A role on the team and how many people hold it."""

    name: Name
    people: Annotated[int, Field(ge=1, le=PEOPLE_MAXIMUM, strict=True)]


class Activity(_Strict):
    """A recurring activity of one role and the team's decision about AI for it.

    ``hours_per_week``: per person in the role, what the activity takes *now* (review not included).
    ``reduction_pct``: for an AI activity, how much less time it takes than before AI, as a share of the time
    it used to take (gross, 0 to below 100). Review (``ai_with_review`` only) is either
    ``review_minutes`` per occurrence × ``occurrences_per_week``, or ``review_hours_per_week``, per person.
    ``reason``: why a ``human_only`` activity stays with people.
    """

    role: Name
    name: Name
    hours_per_week: Hours
    decision: Decision
    reduction_pct: Annotated[float, Field(ge=0, lt=100, allow_inf_nan=False)] | None = None
    review_minutes: Annotated[float, Field(ge=0, le=24 * 60, allow_inf_nan=False)] | None = None
    occurrences_per_week: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)] | None = None
    review_hours_per_week: Hours | None = None
    reason: HumanReason | None = None

    @model_validator(mode="after")
    def _decision_fields(self) -> Self:
        problems: list[tuple[str, str]] = []
        if self.decision == "human_only":
            if self.reason is None:
                problems.append(("reason", "a human-only activity needs a reason: " + ", ".join(REASONS)))
            for name in ("reduction_pct", "review_minutes", "occurrences_per_week", "review_hours_per_week"):
                if getattr(self, name):
                    problems.append((name, "only AI activities have a reduction or review time"))
        else:
            if self.reduction_pct is None:
                problems.append(
                    ("reduction_pct", "an AI activity needs its expected task-time reduction (%)")
                )
            if self.reason is not None:
                problems.append(("reason", "only human-only activities have a reason"))
        if self.decision == "ai_freely" and (
            self.review_minutes or self.occurrences_per_week or self.review_hours_per_week
        ):
            field = "review_hours_per_week" if self.review_hours_per_week else "review_minutes"
            problems.append(
                (field, "'AI freely' means no review; choose 'AI with review' to budget review time")
            )
        if self.decision == "ai_with_review":
            per_occurrence = self.review_minutes is not None or self.occurrences_per_week is not None
            if per_occurrence and self.review_hours_per_week is not None:
                problems.append(
                    (
                        "review_hours_per_week",
                        "give review time either as minutes × occurrences or as hours per week, not both",
                    )
                )
            elif per_occurrence and (self.review_minutes is None or self.occurrences_per_week is None):
                missing = "occurrences_per_week" if self.occurrences_per_week is None else "review_minutes"
                problems.append(
                    (missing, "review per occurrence needs both minutes and occurrences per week")
                )
            elif not per_occurrence and self.review_hours_per_week is None:
                problems.append(
                    (
                        "review_hours_per_week",
                        "'AI with review' needs the review time: minutes per occurrence × occurrences per "
                        "week, or hours per week",
                    )
                )
        _raise_on(type(self).__name__, problems, self)
        return self

    @property
    def review_hours(self) -> float:
        """Review (meta-work) hours per person per week this activity needs (0 unless ``ai_with_review``)."""
        if self.decision != "ai_with_review":
            return 0.0
        if self.review_hours_per_week is not None:
            return self.review_hours_per_week
        return (self.review_minutes or 0.0) * (self.occurrences_per_week or 0.0) / 60


class Redeployment(_Strict):
    """Where a role deliberately puts freed hours: a named destination, hours per person per week."""

    role: Name
    destination: Name
    hours_per_week: Hours


def _raise_on(
    title: str, problems: list[tuple[str | tuple[str | int, ...], str]], model: BaseModel | None = None
) -> None:
    """Raise one ``ValidationError`` with each problem on its own field (a name, or a path like
    ``("activities", 3, "role")``), so pydantic nests it under the row like any other field error."""
    if not problems:
        return
    details = []
    for where, message in problems:
        loc = (where,) if isinstance(where, str) else where
        value = getattr(model, loc[0], None) if model is not None and len(loc) == 1 else None
        details.append(
            InitErrorDetails(
                type=PydanticCustomError("task_map", "{message}", {"message": message}), loc=loc, input=value
            )
        )
    raise ValidationError.from_exception_data(title, details)


def hours_before(hours_now: float, reduction_pct: float) -> float:
    """What an activity took before AI: the hours it takes now ÷ (1 − the gross reduction)."""
    return hours_now / (1 - reduction_pct / 100)


class TaskMapInput(_Strict):
    """A team's task map: its roles, their activities, and where freed hours are redeployed."""

    roles: Annotated[list[Role], Field(min_length=1, max_length=ROWS_MAXIMUM)]
    activities: Annotated[list[Activity], Field(max_length=ROWS_MAXIMUM)] = []
    redeployments: Annotated[list[Redeployment], Field(max_length=ROWS_MAXIMUM)] = []

    @model_validator(mode="after")
    def _rows_fit_together(self) -> Self:
        """Role names are unique; every activity and redeployment names a role of the map; a person's week
        in a role (activities now plus review) is at most 80 h; a role redeploys no more than it has left
        after review (hours freed − review, per person)."""
        problems: list[tuple[str | tuple[str | int, ...], str]] = []
        roles: dict[str, int] = {}
        for index, role in enumerate(self.roles):
            if role.name.casefold() in roles:
                problems.append((("roles", index, "name"), f"the role '{role.name}' is listed twice"))
            roles.setdefault(role.name.casefold(), index)
        known = ", ".join(f"'{role.name}'" for role in self.roles)
        week: dict[str, float] = {}
        net: dict[str, float] = {}
        for index, activity in enumerate(self.activities):
            key = activity.role.casefold()
            if key not in roles:
                problems.append(
                    (("activities", index, "role"), f"'{activity.role}' is not a role of this map ({known})")
                )
                continue
            week[key] = week.get(key, 0.0) + activity.hours_per_week + activity.review_hours
            freed = 0.0
            if activity.decision != "human_only" and activity.reduction_pct is not None:
                freed = (
                    hours_before(activity.hours_per_week, activity.reduction_pct) - activity.hours_per_week
                )
            net[key] = net.get(key, 0.0) + freed - activity.review_hours
        for key, hours in week.items():
            if hours > WEEK_HOURS_MAXIMUM + 1e-9:
                role = self.roles[roles[key]]
                problems.append(
                    (
                        ("roles", roles[key], "name"),
                        f"the activities of '{role.name}' and their review add up to {hours:g} h per person "
                        f"per week; at most {WEEK_HOURS_MAXIMUM:g} h fit in a week",
                    )
                )
        redeployed: dict[str, float] = {}
        for index, redeployment in enumerate(self.redeployments):
            key = redeployment.role.casefold()
            if key not in roles:
                problems.append(
                    (
                        ("redeployments", index, "role"),
                        f"'{redeployment.role}' is not a role of this map ({known})",
                    )
                )
                continue
            redeployed[key] = redeployed.get(key, 0.0) + redeployment.hours_per_week
            available = max(net.get(key, 0.0), 0.0)
            if redeployed[key] > available + 1e-9:
                problems.append(
                    (
                        ("redeployments", index, "hours_per_week"),
                        f"'{redeployment.role}' has {available:.1f} h per person per week left after review "
                        f"(hours freed − review); its redeployments add up to {redeployed[key]:g} h",
                    )
                )
        _raise_on(type(self).__name__, problems)
        return self


class TaskMapTemplate(_Strict):
    """A shipped starting point for a common kind of team (``questionnaires/taskmap-templates/*.yaml``)."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
    title: Name
    description: Annotated[str, Field(min_length=1, max_length=600)]
    task_map: TaskMapInput


class DataRule(_Strict):
    """Which approved AI tools one class of data may go into (no tools: none)."""

    data_class: Name
    tools: Annotated[str, Field(max_length=300)] = ""


class GuideForm(_Strict):
    """The few things a one-page AI-use guide needs beyond the task map.

    ``data_rules``: which data classes may go into which approved tools; ``contact_name``: the named person
    who decides grey zones, and ``contact_response`` how soon they answer; ``review_date``: when the guide is
    next reviewed (quarterly by default: three months after publishing).
    """

    data_rules: Annotated[list[DataRule], Field(min_length=1, max_length=12)]
    contact_name: Name
    contact_response: Name
    review_date: date
