"""The inputs and results of scoring: frozen pydantic v2 models.

Inputs (``RespondentAnswers``, ``TeamResponses``) are what callers hand to ``score_team``; results
(``TeamResult`` and the models it holds) are what pages, the CLI and the PDF read. ``TeamResult.model_dump(
mode="json")`` is the JSON contract of ``python cli.py score --json``.

Numbers in results: scores, means and standard deviations are rounded to 2 decimals, rates (0–1) to 3
decimals, the overall index to 1 decimal. Every number derived from individual answers is ``None`` when the
anonymity rule suppresses it; ``suppressed_reason`` then says why in words.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StrictInt, computed_field, model_validator

Role = Literal["leader", "manager", "contributor"]
Form = Literal["full", "pulse"]
Mode = Literal["individual", "consensus"]
ConsensusLabel = Literal["aligned", "mixed", "divided"]
Band = Literal["low", "mid", "high"]
FindingKind = Literal["capped", "dont_know", "divided", "perception_gap", "no_score"]

ROLES: tuple[Role, ...] = ("leader", "manager", "contributor")

#: An answer: a level 1–5, or ``None`` for "don't know". An item without a key is unanswered.
Answer = Annotated[StrictInt, Field(ge=1, le=5)] | None


class FrozenModel(BaseModel):
    """Base of every scoring model: immutable, unknown fields are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def trusted(cls, **values: Any) -> Self:
        """Build an instance from values scoring computed itself, without validating them again.

        Like ``model_construct``: fields not given take their defaults and do not count as set, so the
        instance equals, and dumps like, ``cls(**values)``. ``model_construct`` reads every field's settings
        on each call and is slower than validating; scoring builds about a hundred results per team, so
        this keeps each model's defaults at hand. Only for values already of the right types (a test builds
        every result both ways on random answers and compares); data from outside is validated.
        """
        defaults, factories = _DEFAULTS.get(cls) or _defaults_of(cls)
        fields = dict(defaults)  # in field order, as validation leaves them
        fields.update(values)
        for name, factory in factories:
            if name not in values:
                fields[name] = factory()
        return cls._from_fields(fields, set(values))

    def trusted_copy(self, **changes: Any) -> Self:
        """A shallow copy with ``changes``, without validating them: ``model_copy(update=changes)``, faster.

        When only fields that were already set change, the copy shares the original's set of set fields:
        pydantic never changes that set in place on a frozen model (its copies get their own), and one set
        less per copy is less for the garbage collector to scan.
        """
        fields = self.__dict__.copy()
        fields.update(changes)
        fields_set = self.__pydantic_fields_set__
        if not changes.keys() <= fields_set:
            fields_set = fields_set | changes.keys()
        return type(self)._from_fields(fields, fields_set)

    @classmethod
    def _from_fields(cls, fields: dict[str, Any], fields_set: set[str]) -> Self:
        # What model_construct sets on an instance of a model without extra or private attributes.
        instance = cls.__new__(cls)
        _object_setattr(instance, "__dict__", fields)
        _object_setattr(instance, "__pydantic_fields_set__", fields_set)
        _object_setattr(instance, "__pydantic_extra__", None)
        _object_setattr(instance, "__pydantic_private__", None)
        return instance


_object_setattr = object.__setattr__
_Defaults = tuple[dict[str, Any], tuple[tuple[str, Callable[[], Any]], ...]]

#: Per model: every field's default in field order (``None`` for required fields and default factories),
#: and the ``(name, default_factory)`` pairs; for ``FrozenModel.trusted``.
_DEFAULTS: dict[type[BaseModel], _Defaults] = {}


def _defaults_of(model: type[BaseModel]) -> _Defaults:
    defaults: dict[str, Any] = {}
    factories: list[tuple[str, Callable[[], Any]]] = []
    for name, field in model.model_fields.items():
        if field.default_factory is not None:  # called without arguments, as these models' factories are
            defaults[name] = None
            factories.append((name, field.default_factory))  # type: ignore[arg-type]
        elif field.is_required():
            defaults[name] = None
        elif isinstance(field.default, None | bool | int | float | str):
            defaults[name] = field.default
        else:  # validation would give each instance its own copy; use a default_factory instead
            raise TypeError(f"{model.__name__}.{name}: trusted() shares defaults, so they must be immutable")
    _DEFAULTS[model] = (defaults, tuple(factories))
    return _DEFAULTS[model]


# --- inputs -------------------------------------------------------------------------------------------


class RespondentAnswers(FrozenModel):
    """One respondent's answer set: item id → level 1–5 or ``None`` (don't know); missing key = unanswered."""

    respondent_id: Annotated[str, Field(min_length=1)]
    role: Role
    answers: dict[str, Answer]
    comments: dict[str, str] = Field(
        default_factory=dict, description="Dimension id → free text the respondent wrote about it."
    )


class TeamResponses(FrozenModel):
    """Everything one team answered in one assessment, plus the settings that govern how it is scored.

    ``k`` is the anonymity threshold of the assessment (never below 3). ``mode="consensus"`` means the team
    agreed one answer set together: it holds at most one respondent and is not individual data, so nothing
    is suppressed. ``kpis``, ``ai_hours_per_week`` and ``team_size`` are team-entered outcome figures (not
    individual answers) used by the capacity ledger.
    """

    team: Annotated[str, Field(min_length=1)]
    assessment_id: str | None = None
    questionnaire_id: str
    questionnaire_version: str
    form: Form = "full"
    mode: Mode = "individual"
    k: int = Field(
        default=3, ge=3, description="Anonymity threshold: aggregates need at least k respondents."
    )
    respondents: list[RespondentAnswers]
    kpis: dict[str, float] = Field(default_factory=dict)
    ai_hours_per_week: float | None = None
    team_size: int | None = None
    collected_at: datetime | None = None

    @model_validator(mode="after")
    def _consistent(self) -> TeamResponses:
        ids = [respondent.respondent_id for respondent in self.respondents]
        if len(set(ids)) != len(ids):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"respondent ids must be unique within a team (repeated: {repeated})")
        if self.mode == "consensus" and len(self.respondents) > 1:
            raise ValueError(
                f"a consensus assessment holds one agreed answer set, not {len(self.respondents)} respondents"
            )
        return self


# --- results ------------------------------------------------------------------------------------------


class ItemResult(FrozenModel):
    """A team's result on one item. Numbers are ``None`` when fewer than k respondents answered it.

    ``respondents`` counts everyone who answered the item (a level or "don't know"); ``answered`` those who
    gave a level. ``distribution`` maps each level 1–5 to how many chose it.
    """

    id: str
    dimension_id: str
    respondents: int
    suppressed: bool
    suppressed_reason: str | None = None
    answered: int | None = None
    dont_know: int | None = None
    dont_know_rate: float | None = None
    distribution: dict[int, int] | None = None
    mean: float | None = None
    level: int | None = None
    band: Band | None = None
    std: float | None = None
    consensus: ConsensusLabel | None = None


class DimensionResult(FrozenModel):
    """A team's result on one dimension.

    ``respondents`` counts the respondents who have a score in this dimension (they gave a level to at
    least half of its items). ``gated_level`` is the level after layer gating; ``capped_by`` names the layer
    that holds it down (``None`` when not capped) and ``cap_explanation`` says so in a sentence.
    ``dont_know_rate`` is the share of "don't know" among all answers given in the dimension.
    """

    id: str
    name: str
    layer: int | None
    respondents: int
    suppressed: bool
    suppressed_reason: str | None = None
    score: float | None = None
    level: int | None = None
    level_name: str | None = None
    gated_level: int | None = None
    gated_level_name: str | None = None
    capped_by: str | None = None
    cap_explanation: str | None = None
    dont_know_rate: float | None = None
    std: float | None = None
    consensus: ConsensusLabel | None = None
    items: list[ItemResult] = Field(default_factory=list)


class Overall(FrozenModel):
    """The team's overall index (0–100, one decimal) and stage (the lowest gated level of the four layers).

    ``missing`` lists the dimensions (for the index) and layers (for the stage) that have no score and were
    left out.
    """

    index: float | None = None
    stage: int | None = None
    stage_name: str | None = None
    missing: list[str] = Field(default_factory=list)


class PerceptionGap(FrozenModel):
    """Leaders' mean dimension score minus the other roles' mean; ``flagged`` when |gap| ≥ 1.0.

    Shown only when both sides pass the anonymity rule; otherwise the numbers are ``None``.
    """

    dimension_id: str
    leaders: int
    others: int
    suppressed: bool
    suppressed_reason: str | None = None
    leader_mean: float | None = None
    others_mean: float | None = None
    gap: float | None = None
    flagged: bool = False


class SegmentResult(FrozenModel):
    """One role's mean score on one dimension, shown only when the segment rule allows it."""

    dimension_id: str
    role: Role
    respondents: int
    suppressed: bool
    score: float | None = None


class Finding(FrozenModel):
    """Something the team should notice, in words with its numbers."""

    kind: FindingKind
    dimension_id: str
    item_id: str | None = None
    message: str


class CapacityLedger(FrozenModel):
    """Where the hours AI freed go, per person per week, and for the team when its size is known.

    hours before = AI-assisted hours now ÷ (1 − gross task-time reduction); hours freed = hours before − hours
    now; net freed = hours freed − meta-work hours; the net (when positive) is split into ``redeployed_hours``
    (the share the team deliberately redeployed) and ``absorbed_hours`` (the rest, absorbed as more of the
    same work). The ``team_*`` figures are those × ``team_size``; ``team_net_fte`` is the net in full-time
    equivalents. ``redeployed_note`` says why a redeployed share entered as a KPI has no hours behind it.
    """

    ai_hours_per_week: float
    task_time_reduction_pct: float
    meta_work_hours: float
    redeployed_pct: float
    hours_before: float
    hours_freed: float
    net_freed_hours: float
    redeployed_hours: float
    absorbed_hours: float
    meta_work_exceeds_savings: bool
    summary: str
    team_size: int | None = None
    team_hours_freed: float | None = None
    team_net_freed_hours: float | None = None
    team_redeployed_hours: float | None = None
    team_absorbed_hours: float | None = None
    team_net_fte: float | None = None
    team_summary: str | None = None
    redeployed_note: str | None = None


class TeamResult(FrozenModel):
    """Everything scoring says about one team. Its JSON dump is the ``cli.py score --json`` contract.

    When the team is suppressed (fewer than k respondents in an individual assessment) every number derived
    from answers is ``None`` and ``suppressed_reason`` says how many responses are needed.
    """

    team: str
    assessment_id: str | None = None
    questionnaire_id: str
    questionnaire_version: str
    form: Form
    mode: Mode
    k: int
    respondents: int
    suppressed: bool
    suppressed_reason: str | None = None
    overall: Overall
    dimensions: list[DimensionResult]
    gaps: list[PerceptionGap] = Field(default_factory=list)
    segments: list[SegmentResult] = Field(default_factory=list)
    findings: list[Finding] = Field(default_factory=list)
    comments: dict[str, list[str]] = Field(
        default_factory=dict, description="Dimension id → visible comments (shuffled, no names or roles)."
    )
    comments_hidden_reason: str | None = None
    kpis: dict[str, float] = Field(default_factory=dict)
    ledger: CapacityLedger | None = None
    ledger_errors: dict[str, str] = Field(default_factory=dict)

    def dimension(self, dimension_id: str) -> DimensionResult:
        """The result of one dimension; ``KeyError`` names the id when there is none."""
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(f"no dimension '{dimension_id}' in the result of team '{self.team}'")


class RespondentDimension(FrozenModel):
    """A respondent's own score on one dimension (always visible to that respondent)."""

    id: str
    name: str
    score: float | None
    level: int | None
    level_name: str | None
    answered: int
    dont_know: int
    items: int


class RespondentView(FrozenModel):
    """What a respondent sees of their own answers: their dimension scores, never anyone else's."""

    respondent_id: str
    role: Role
    dimensions: list[RespondentDimension]


class Action(FrozenModel):
    """One recommended action: the item's recommendation for the band it reached, and why it was chosen."""

    rank: int
    item_id: str
    dimension_id: str
    band: Band
    title: str
    finding: str = Field(description="What triggered the action, in words with its numbers.")
    first_step: str
    owner: str
    horizon_days: int
    kpi: str
    reasons: list[str] = Field(default_factory=list, description="The ranking reasons that applied.")
    requires: list[str] = Field(
        default_factory=list,
        description="The item ids of the actions this one builds on (from the questionnaire).",
    )
    item_ids: list[str] = Field(
        default_factory=list, description="The items the action came from (what shows whether it worked)."
    )


class FocusArea(FrozenModel):
    """A dimension the plan leads with (``scoring.rules.focus_areas``) and, in a sentence, why it was chosen."""

    dimension_id: str
    name: str
    why: Literal["caps", "lowest", "divided", "dont_know"]
    reason: str


class ActionPlan(FrozenModel):
    """All actions in rank order; ``top_actions`` are the first ``top`` (7 by default)."""

    actions: list[Action]
    top: int = 7
    team: str | None = None
    reason: str | None = Field(default=None, description="Why the plan is empty, when it is.")
    focus: list[FocusArea] = Field(default_factory=list, description="The 1–3 areas the plan leads with.")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def top_actions(self) -> list[Action]:
        """The first ``top`` actions."""
        return self.actions[: self.top]

    @property
    def more_actions(self) -> list[Action]:
        """The actions after the top ones."""
        return self.actions[self.top :]


class BenchmarkRow(FrozenModel):
    """One dimension of a benchmark pack: the score at the 10th…90th percentile and where it comes from."""

    dimension: str
    p10: float
    p25: float
    p50: float
    p75: float
    p90: float
    n: int
    source: str
    collected: str
    label: str
    questionnaire_id: str
    questionnaire_version: str
    #: the wording hash of the dimension's items (``questionnaires.wording.dimension_wording_hash``)
    wording: str


class BenchmarkPack(FrozenModel):
    """A benchmark pack: one row per dimension, read from a CSV named ``source_name``."""

    source_name: str
    rows: list[BenchmarkRow]

    @property
    def label(self) -> str:
        """The pack's label (from its rows), e.g. 'Illustrative — not measured industry data'."""
        labels = list(dict.fromkeys(row.label for row in self.rows))
        return "; ".join(labels)

    def row(self, dimension_id: str) -> BenchmarkRow | None:
        """The row of a dimension, or ``None`` when the pack has none."""
        for row in self.rows:
            if row.dimension == dimension_id:
                return row
        return None


class BenchmarkComparison(FrozenModel):
    """A team's percentile rank on one dimension against peers or a pack; ``None`` with a reason if unknown."""

    dimension_id: str
    against: Literal["peers", "pack"]
    score: float | None
    percentile: float | None
    peers: int | None = None
    source: str | None = None
    label: str | None = None
    reason: str | None = None
