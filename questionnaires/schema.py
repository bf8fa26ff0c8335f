"""The questionnaire format: strict pydantic v2 models.

A questionnaire is a folder: ``questionnaire.yaml`` holds its metadata (id, version, answer scale, outcome
KPIs, reference points, the ordered list of dimension files) and each dimension lives in its own
``<dimension id>.yaml``. ``loader.py`` reads the YAML; these models decide what is valid. Every model
forbids unknown keys and refuses type coercion (``strict=True``), so ``pulse: "yes"`` or a question that
YAML silently read as the boolean ``false`` is an error instead of a surprise.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

SLUG = r"^[a-z][a-z0-9_]*$"
ITEM_ID = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
SEMVER = r"^\d+\.\d+\.\d+$"
QUESTIONNAIRE_ID = r"^[a-z0-9][a-z0-9-]*$"

NonEmpty = Annotated[str, Field(min_length=1)]
Paradox = Literal["expectation_inflation", "meta_work", "permission_ambiguity", "absorbed_capacity", "rework"]
Band = Literal["low", "mid", "high"]

#: The four layers in the order they build on each other (layer 1 first). Capacity governance has no layer.
LAYER_ORDER: tuple[str, ...] = ("permission", "definition", "boundaries", "coaching")
GOVERNANCE_ID = "capacity_governance"


class StrictModel(BaseModel):
    """Base: unknown keys are errors, values are never coerced, instances are immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Recommendation(StrictModel):
    """What to do when an item sits in a band: a titled action with a concrete first step."""

    title: NonEmpty
    first_step: NonEmpty
    owner: NonEmpty = Field(description="The role that owns the action, e.g. 'Team lead'.")
    horizon_days: Literal[30, 60, 90]
    kpi: NonEmpty = Field(description="The indicator to watch to see whether the action works.")
    requires: list[Annotated[str, Field(pattern=ITEM_ID)]] = Field(
        default_factory=list,
        description=(
            "The actions this one builds on, by the id of the item they come from (e.g. "
            "'permission.one_page_guide'): when both are in a plan, this one comes after them."
        ),
    )


class Recommendations(StrictModel):
    """One recommendation per band: ``low`` = levels 1–2, ``mid`` = level 3, ``high`` = levels 4–5."""

    low: Recommendation
    mid: Recommendation
    high: Recommendation


class Item(StrictModel):
    """One question with five behaviourally anchored levels (1 ad hoc … 5 embedded)."""

    id: Annotated[str, Field(pattern=ITEM_ID, description="Stable id '<dimension>.<slug>'.")]
    question: NonEmpty
    levels: Annotated[
        list[NonEmpty],
        Field(
            min_length=5,
            max_length=5,
            description="Exactly five descriptions of what the situation looks like, level 1 first.",
        ),
    ]
    why_it_matters: NonEmpty
    paradox: Paradox = Field(
        description="Which part of the AI productivity paradox this item guards against."
    )
    pulse: bool = False
    recommendations: Recommendations

    @computed_field  # type: ignore[prop-decorator]
    @property
    def wording_hash(self) -> str:
        """A short hash of the question and level wording: changes whenever the wording does."""
        text = "\u241e".join([self.question, *self.levels])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Dimension(StrictModel):
    """One of the five dimensions; the four layers carry ``layer`` 1–4, capacity governance ``null``."""

    id: Annotated[str, Field(pattern=SLUG)]
    name: NonEmpty
    layer: Annotated[int, Field(ge=1, le=4)] | None
    summary: NonEmpty = Field(description="One sentence: what this dimension is about.")
    mature_state: NonEmpty = Field(description="What a mature organisation has in this dimension.")
    depends_on: NonEmpty | None = Field(
        default=None, description="Why this layer needs the one below it (layers 2–4)."
    )
    items: Annotated[list[Item], Field(min_length=6, max_length=8)]

    @model_validator(mode="after")
    def _items_belong_here(self) -> Dimension:
        problems = []
        seen: set[str] = set()
        for index, item in enumerate(self.items):
            prefix = item.id.split(".", 1)[0]
            if prefix != self.id:
                problems.append(f"items[{index}].id '{item.id}' must start with '{self.id}.'")
            if item.id in seen:
                problems.append(f"items[{index}].id '{item.id}' is used twice")
            seen.add(item.id)
        pulse_count = sum(item.pulse for item in self.items)
        if pulse_count != 2:
            problems.append(f"exactly 2 items must have pulse: true (found {pulse_count})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def pulse_items(self) -> list[Item]:
        """The items of the 10-item pulse form that belong to this dimension."""
        return [item for item in self.items if item.pulse]


class ScaleLevel(StrictModel):
    """A level of the answer scale, shared by all items."""

    value: Annotated[int, Field(ge=1, le=5)]
    name: NonEmpty


class Scale(StrictModel):
    """The answer scale, defined once: five named levels plus a "don't know" option that is not a level."""

    levels: Annotated[list[ScaleLevel], Field(min_length=5, max_length=5)]
    dont_know: NonEmpty = "Don't know"

    @field_validator("levels")
    @classmethod
    def _levels_in_order(cls, levels: list[ScaleLevel]) -> list[ScaleLevel]:
        values = [level.value for level in levels]
        if values != [1, 2, 3, 4, 5]:
            raise ValueError(f"levels must have values 1, 2, 3, 4, 5 in that order (found {values})")
        return levels


class Kpi(StrictModel):
    """An outcome figure a team may enter, with the range a valid value lies in."""

    id: Annotated[str, Field(pattern=SLUG)]
    label: NonEmpty
    unit: NonEmpty
    minimum: float
    maximum: float
    better: Literal["lower", "higher"]
    help: NonEmpty

    @model_validator(mode="after")
    def _range(self) -> Kpi:
        if self.minimum >= self.maximum:
            raise ValueError(f"minimum ({self.minimum}) must be below maximum ({self.maximum})")
        return self


#: What kind of figure a reference point is, in the words every label, chart and table uses.
ReferenceKind = Literal["measured case", "comparison of two organisations", "hypothetical example"]


class ReferencePoint(StrictModel):
    """A published figure a team's KPI can be compared with: what kind of figure it is and which article
    it comes from. A figure that only illustrates a question is not a reference point."""

    kpi: Annotated[str, Field(pattern=SLUG)]
    label: NonEmpty = Field(
        description="Names the situation and says the kind, e.g. '… (hypothetical example)'."
    )
    value: float
    kind: ReferenceKind = Field(
        description=(
            "measured case: measured in one named organisation; comparison of two organisations: two "
            "organisations side by side, not a before/after; hypothetical example: an illustration the "
            "article asks the reader to consider."
        )
    )
    context: NonEmpty = Field(
        description="Which situation the figure describes, e.g. 'with an optimisation strategy'."
    )
    source: NonEmpty = Field(description="The article: its title and where it is kept.")


class QuestionnaireMeta(StrictModel):
    """The contents of ``questionnaire.yaml``: everything but the dimensions, which it names in order."""

    id: Annotated[str, Field(pattern=QUESTIONNAIRE_ID)]
    version: Annotated[str, Field(pattern=SEMVER)]
    title: NonEmpty
    language: Annotated[str, Field(pattern=r"^[a-z]{2}(-[A-Z]{2})?$")] = "en"
    description: NonEmpty
    scale: Scale
    dimensions: Annotated[list[Annotated[str, Field(pattern=SLUG)]], Field(min_length=1)]
    kpis: list[Kpi] = []
    reference_points: list[ReferencePoint] = []


class Questionnaire(StrictModel):
    """A whole questionnaire: metadata plus its dimensions in order, validated across files."""

    id: Annotated[str, Field(pattern=QUESTIONNAIRE_ID)]
    version: Annotated[str, Field(pattern=SEMVER)]
    title: NonEmpty
    language: str = "en"
    description: NonEmpty
    scale: Scale
    kpis: list[Kpi] = []
    reference_points: list[ReferencePoint] = []
    dimensions: Annotated[list[Dimension], Field(min_length=1)]

    @model_validator(mode="after")
    def _cross_checks(self) -> Questionnaire:
        problems: list[str] = []
        layered = [dim for dim in self.dimensions if dim.layer is not None]
        layers = [dim.layer for dim in layered]
        if layers != [1, 2, 3, 4]:
            problems.append(
                "the four layers must appear in order with layer 1, 2, 3, 4 "
                f"(found {[(dim.id, dim.layer) for dim in layered]})"
            )
        ids = [dim.id for dim in self.dimensions]
        if len(set(ids)) != len(ids):
            problems.append(f"dimension ids must be unique (found {ids})")
        item_ids = [item.id for dim in self.dimensions for item in dim.items]
        duplicates = sorted({i for i in item_ids if item_ids.count(i) > 1})
        if duplicates:
            problems.append(f"item ids must be unique across the questionnaire (repeated: {duplicates})")
        kpi_ids = [kpi.id for kpi in self.kpis]
        for index, point in enumerate(self.reference_points):
            if point.kpi not in kpi_ids:
                problems.append(
                    f"reference_points[{index}].kpi '{point.kpi}' is not one of the kpis {kpi_ids}"
                )
        problems.extend(str(problem) for problem in requirement_problems(self.dimensions))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- convenient look-ups (not part of the stored format) --------------------------------------------

    @property
    def layers(self) -> list[Dimension]:
        """The layered dimensions (Permission, Definition, Boundaries, Coaching) in layer order."""
        return sorted((dim for dim in self.dimensions if dim.layer is not None), key=lambda d: d.layer or 0)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id; ``KeyError`` names the id when there is none."""
        for dim in self.dimensions:
            if dim.id == dimension_id:
                return dim
        raise KeyError(f"no dimension '{dimension_id}' in questionnaire '{self.id}'")

    def item(self, item_id: str) -> Item:
        """The item with this id; ``KeyError`` names the id when there is none."""
        for dim in self.dimensions:
            for item in dim.items:
                if item.id == item_id:
                    return item
        raise KeyError(f"no item '{item_id}' in questionnaire '{self.id}' {self.version}")

    def items_for(self, form: Literal["full", "pulse"]) -> list[Item]:
        """All items of a form, in questionnaire order: every item for ``full``, pulse items for ``pulse``."""
        return [item for dim in self.dimensions for item in dim.items if form == "full" or item.pulse]

    def dimension_of(self, item_id: str) -> str:
        """The id of the dimension an item belongs to."""
        return item_id.split(".", 1)[0]

    def level_name(self, level: int) -> str:
        """The scale's name of a level 1–5 (e.g. 3 → 'Defined')."""
        return self.scale.levels[level - 1].name


BANDS: tuple[Band, ...] = ("low", "mid", "high")


class RequirementProblem(NamedTuple):
    """A ``requires`` entry that cannot hold: where it is (dimension, item index, band) and what is wrong."""

    dimension_id: str
    item_index: int
    band: Band
    message: str

    @property
    def path(self) -> tuple[str | int, ...]:
        """The YAML path of the ``requires`` list in the dimension's file."""
        return ("items", self.item_index, "recommendations", self.band, "requires")

    def __str__(self) -> str:
        where = f"items[{self.item_index}].recommendations.{self.band}.requires"
        return f"{self.dimension_id}.yaml: {where}: {self.message}"


def requirement_problems(dimensions: Sequence[Dimension]) -> list[RequirementProblem]:
    """Every ``requires`` entry that names no item of the questionnaire, and every cycle of requirements.

    An action is named by the id of the item it comes from; a plan holds one action per item, so the
    requirements of all three bands of an item count together when looking for cycles (an action that
    requires itself, or A requires B requires A, could never be ranked).
    """
    titles: dict[str, str] = {}
    places: dict[str, tuple[str, int]] = {}
    for dimension in dimensions:
        for index, item in enumerate(dimension.items):
            titles[item.id] = item.recommendations.low.title
            places[item.id] = (dimension.id, index)
    problems: list[RequirementProblem] = []
    edges: dict[str, list[tuple[str, Band]]] = {}
    for dimension in dimensions:
        for index, item in enumerate(dimension.items):
            for band in BANDS:
                recommendation = getattr(item.recommendations, band)
                for required in recommendation.requires:
                    if required not in titles:
                        problems.append(
                            RequirementProblem(
                                dimension.id,
                                index,
                                band,
                                f"the action '{recommendation.title}' ({item.id}) requires '{required}', "
                                "which is not an item of this questionnaire",
                            )
                        )
                    else:
                        edges.setdefault(item.id, []).append((required, band))
    # depth-first search for cycles; each cycle is reported once, at the item where it is found
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(item_id: str) -> None:
        state[item_id] = 1
        path.append(item_id)
        for required, band in edges.get(item_id, []):
            if state.get(required) == 1:
                cycle = [*path[path.index(required) :], required]
                dimension_id, index = places[item_id]
                recommendation = getattr(
                    next(d for d in dimensions if d.id == dimension_id).items[index].recommendations, band
                )
                problems.append(
                    RequirementProblem(
                        dimension_id,
                        index,
                        band,
                        f"the action '{recommendation.title}' ({item_id}) is part of a cycle of requirements: "
                        + " → ".join(cycle),
                    )
                )
            elif required not in state:
                visit(required)
        path.pop()
        state[item_id] = 2

    for item_id in titles:
        if item_id not in state:
            visit(item_id)
    return problems


def is_valid_item_id(value: str) -> bool:
    """Whether a string is a well-formed item id ``<dimension>.<slug>``."""
    return re.fullmatch(ITEM_ID, value) is not None
