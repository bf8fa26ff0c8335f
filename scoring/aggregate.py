"""Team aggregation: from answer sets to a ``TeamResult`` (scores, levels, gating, consensus, gaps, findings).

One pass over the answers builds per-item level counts and per-respondent dimension sums, so scoring is
linear in the number of answers. Every rule used here lives in ``scoring.rules``; this module only wires them
together and applies the anonymity rule to every number before it leaves.

Scoring a batch (``score_teams``) is built to stay fast for thousands of teams: results are built with
``FrozenModel.trusted`` (numbers computed here are not validated a second time; the inputs were validated
when they were built), an item's numbers are computed once per distinct set of counts and copied to every
item with those counts, and equal results made of plain values (a suppressed segment, a gap, an item's
"divided" finding) are one shared, immutable instance. ``tests/unit/test_scoring_batches.py`` checks that
none of this changes a result.

Decisions (see also the docstrings of ``score_team``):

- A team with fewer than k respondents in an individual assessment is suppressed as a whole: every number
  derived from answers is ``None`` and ``suppressed_reason`` says "needs at least 3 responses; 2 so far".
  Counts of respondents are not answers and stay visible.
- In a team that is not suppressed, a dimension with fewer than k *scored* respondents is suppressed on its
  own; its don't-know rate is still shown when at least k respondents answered something in it (a dimension
  nobody can score is exactly where "people do not know the rules").
- An item's numbers are shown when at least k respondents answered it (a level or "don't know").
- A consensus assessment (one answer set agreed by the team) is not individual data: nothing is suppressed,
  and with a single answer set there is no spread, so consensus labels are ``None``.
"""

from __future__ import annotations

import gc
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import NamedTuple, TypeVar

from questionnaires.schema import Dimension, Questionnaire
from scoring.anonymity import visible_comments, visible_segments
from scoring.capacity import ledger_from_kpis
from scoring.models import (
    ROLES,
    DimensionResult,
    Finding,
    FrozenModel,
    ItemResult,
    Overall,
    PerceptionGap,
    RespondentAnswers,
    RespondentDimension,
    RespondentView,
    Role,
    SegmentResult,
    TeamResponses,
    TeamResult,
)
from scoring.rules import (
    COMMENT_MINIMUM,
    band_of,
    comments_visible,
    consensus_label,
    dont_know_flagged,
    effective_k,
    format_score,
    gap_flagged,
    gate_levels,
    is_suppressed,
    level_of,
    overall_index,
    respondent_dimension_score,
    round_score,
    sample_std,
    stage_of,
    team_dimension_score,
)

_LEVELS = (1, 2, 3, 4, 5)
#: Stands for an unanswered item in a respondent's answer tuple: 0 is no level, so neither
#: ``count(None)`` (don't know), a level count nor ``sum(filter(None, ...))`` (the level total) sees it.
_UNANSWERED = 0

AnswerTuple = tuple[int | None, ...]
_Model = TypeVar("_Model", bound=FrozenModel)


def _answers_getter(item_ids: Sequence[str]) -> Callable[[Mapping[str, int | None]], AnswerTuple]:
    """A function that fetches the answers to these items as a tuple, raising ``KeyError`` if one is missing."""
    if not item_ids:
        return lambda answers: ()
    if len(item_ids) == 1:
        only = item_ids[0]
        return lambda answers: (answers[only],)
    return operator.itemgetter(*item_ids)


class _Layout:
    """Index look-ups for one questionnaire and form, built once per batch (a few dozen items)."""

    def __init__(self, questionnaire: Questionnaire, form: str) -> None:
        self.dimensions: list[Dimension] = list(questionnaire.dimensions)
        dimension_position = {dimension.id: d for d, dimension in enumerate(self.dimensions)}
        self.items = questionnaire.items_for("pulse" if form == "pulse" else "full")
        self.item_dimension = [dimension_position[questionnaire.dimension_of(item.id)] for item in self.items]
        self.item_positions: list[list[int]] = [[] for _ in self.dimensions]  # per dimension, in order
        for i, d in enumerate(self.item_dimension):
            self.item_positions[d].append(i)
        self.items_on_form = [len(positions) for positions in self.item_positions]
        #: per dimension, the ids of its items on the form (in order) and a getter for a respondent's answers
        self.item_ids = [[self.items[i].id for i in positions] for positions in self.item_positions]
        self.answer_getters = [_answers_getter(ids) for ids in self.item_ids]
        self.form_item_ids = frozenset(item.id for item in self.items)
        self.all_item_ids = frozenset(item.id for dimension in self.dimensions for item in dimension.items)
        self.questions = {item.id: item.question for item in self.items}
        self.layer_ids = [dimension.id for dimension in questionnaire.layers]
        self.names = {dimension.id: dimension.name for dimension in self.dimensions}
        #: ItemResults without their ids, by (k, enforced, hidden) and then by counts: an item's numbers
        #: depend on nothing else, and teams of ten can only produce a few thousand different counts, so most
        #: items of a large batch are copied from here instead of computed again
        self.item_prototypes: dict[tuple[int, bool, str | None], dict[tuple[int, ...], ItemResult]] = {}
        #: the "divided" finding of an item, by (item id, standard deviation)
        self.divided_findings: dict[tuple[str, float | None], Finding] = {}
        #: ``visible_segments`` by (respondents per role, k)
        self.visible_roles: dict[tuple[int, ...], set[Role]] = {}
        #: results made of plain values only, by their model and fields (see ``_shared``)
        self.shared: dict[tuple[object, ...], FrozenModel] = {}


class _Draft(NamedTuple):
    """A dimension's numbers before gating."""

    dimension: Dimension
    hidden: str | None
    respondents: int
    score: float | None
    level: int | None
    std: float | None
    dont_know_rate: float | None
    items: list[ItemResult]


class _Tally:
    """What one pass over the answers collects."""

    def __init__(self, layout: _Layout) -> None:
        dimensions = len(layout.dimensions)
        # counts[i][0] is "don't know", counts[i][1..5] the levels.
        self.counts: list[tuple[int, ...]] = [(0,) * 6 for _ in layout.items]
        self.scores: list[list[float]] = [[] for _ in range(dimensions)]
        self.role_scores: list[dict[Role, list[float]]] = [
            {role: [] for role in ROLES} for _ in range(dimensions)
        ]
        self.answering = [0] * dimensions  # respondents who gave any answer in the dimension
        self.answers = [0] * dimensions  # answers given (levels and "don't know")
        self.dont_know = [0] * dimensions


def _tally(layout: _Layout, respondents: Sequence[RespondentAnswers]) -> _Tally:
    """Per-item answer counts and per-respondent dimension scores, in one pass over the answers.

    Works a dimension at a time: every respondent's answers to its items are fetched as one tuple each
    (``_UNANSWERED`` where an item has no answer) and counted with tuple methods, and the item counts come
    from the same tuples taken column by column.
    """
    tally = _Tally(layout)
    answer_sets = [respondent.answers for respondent in respondents]
    roles = [respondent.role for respondent in respondents]
    unknown: set[str] = set()
    for answers in answer_sets:
        if not answers.keys() <= layout.form_item_ids:
            # Items of the questionnaire that are not on this form are ignored; unknown ids are errors.
            unknown.update(answers.keys() - layout.all_item_ids)
    if unknown:
        raise ValueError(f"answers to items that are not in the questionnaire: {', '.join(sorted(unknown))}")
    for d, positions in enumerate(layout.item_positions):
        item_ids = layout.item_ids[d]
        try:  # the usual case: everyone answered every item (a level or "don't know")
            rows = list(map(layout.answer_getters[d], answer_sets))
            given = [len(item_ids)] * len(rows)
        except KeyError:
            rows = [
                tuple([answers.get(item_id, _UNANSWERED) for item_id in item_ids]) for answers in answer_sets
            ]
            given = [len(row) - row.count(_UNANSWERED) for row in rows]
        dont_know = [row.count(None) for row in rows]
        level_totals = [sum(filter(None, row)) for row in rows]  # "don't know" and unanswered drop out
        items_on_form = layout.items_on_form[d]
        scores, role_scores = tally.scores[d], tally.role_scores[d]
        for role, level_total, answers_given, dont_knows in zip(
            roles, level_totals, given, dont_know, strict=True
        ):
            score = respondent_dimension_score(level_total, answers_given - dont_knows, items_on_form)
            if score is not None:
                scores.append(score)
                role_scores[role].append(score)
        tally.answering[d] = sum(1 for answers_given in given if answers_given)
        tally.answers[d] = sum(given)
        tally.dont_know[d] = sum(dont_know)
        # zip(*rows) turns the respondents' tuples into one column per item (no columns without respondents)
        for i, column in zip(positions, zip(*rows, strict=True), strict=False):
            count = column.count
            tally.counts[i] = (count(None), count(1), count(2), count(3), count(4), count(5))
    return tally


def _item_result(
    item_id: str, dimension_id: str, counts: tuple[int, ...], k: int, enforce: bool, hidden: str | None
) -> ItemResult:
    """An item's numbers under the anonymity rule.

    The don't-know count and rate are an aggregate over everyone who answered the item, so they need k such
    respondents; the level numbers (distribution, mean, level, spread) are an aggregate over those who gave
    a level, so they need k of those.
    """
    respondents = sum(counts)
    answered = respondents - counts[0]
    if hidden is None and enforce and is_suppressed(respondents, k):
        hidden = f"needs at least {k} answers; {respondents} so far"
    if hidden is not None:
        return ItemResult.trusted(
            id=item_id,
            dimension_id=dimension_id,
            respondents=respondents,
            suppressed=True,
            suppressed_reason=hidden,
        )
    shared = {
        "id": item_id,
        "dimension_id": dimension_id,
        "respondents": respondents,
        "answered": answered,
        "dont_know": counts[0],
        "dont_know_rate": round(counts[0] / respondents, 3) if respondents else None,
    }
    if answered == 0 or (enforce and is_suppressed(answered, k)):
        reason = f"needs at least {k} answers with a level; {answered} so far" if enforce else None
        return ItemResult.trusted(**shared, suppressed=enforce, suppressed_reason=reason)
    mean = round_score(sum(level * counts[level] for level in _LEVELS) / answered)
    level = level_of(mean)
    raw_std = sample_std(_LEVELS, counts[1:])
    std = None if raw_std is None else round_score(raw_std)
    return ItemResult.trusted(
        **shared,
        suppressed=False,
        distribution={level: counts[level] for level in _LEVELS},
        mean=mean,
        level=level,
        band=band_of(level),
        std=std,
        consensus=consensus_label(std),
    )


def _item_results(
    layout: _Layout, d: int, tally: _Tally, k: int, enforce: bool, hidden: str | None
) -> list[ItemResult]:
    """The ``_item_result`` of each item of dimension ``d``, copied from ``layout.item_prototypes`` when known."""
    prototypes = layout.item_prototypes.get((k, enforce, hidden))
    if prototypes is None:
        prototypes = layout.item_prototypes[k, enforce, hidden] = {}
    dimension_id = layout.dimensions[d].id
    items = []
    for i, item_id in zip(layout.item_positions[d], layout.item_ids[d], strict=True):
        counts = tally.counts[i]
        prototype = prototypes.get(counts)
        if prototype is None:
            prototype = prototypes[counts] = _item_result("", "", counts, k, enforce, hidden)
        if prototype.distribution is None:
            items.append(prototype.trusted_copy(id=item_id, dimension_id=dimension_id))
        else:  # every item gets its own distribution
            distribution = dict(prototype.distribution)
            items.append(
                prototype.trusted_copy(id=item_id, dimension_id=dimension_id, distribution=distribution)
            )
    return items


def score_team(
    questionnaire: Questionnaire, responses: TeamResponses, *, _layouts: dict[str, _Layout] | None = None
) -> TeamResult:
    """Score one team: dimension scores, levels, gating, overall index and stage, consensus, gaps, findings.

    Anonymity is enforced here: in an individual assessment, every aggregate over fewer than k respondents
    comes back ``None`` with a reason. Raises ``ValueError`` when the responses belong to another
    questionnaire or answer item ids the questionnaire does not have (answers to items of the questionnaire
    that are not on the team's form are ignored).
    """
    if responses.questionnaire_id != questionnaire.id:
        raise ValueError(
            f"team '{responses.team}' answered questionnaire '{responses.questionnaire_id}', "
            f"not '{questionnaire.id}'"
        )
    k = effective_k(responses.k)
    individual = responses.mode == "individual"
    layouts = {} if _layouts is None else _layouts  # score_teams shares one per form
    layout = layouts.get(responses.form) or layouts.setdefault(
        responses.form, _Layout(questionnaire, responses.form)
    )
    tally = _tally(layout, responses.respondents)
    team_size = len(responses.respondents)

    team_hidden: str | None = None
    if individual and is_suppressed(team_size, k):
        team_hidden = f"needs at least {k} responses; {team_size} so far"

    # --- dimensions (before gating) ---
    drafts: list[_Draft] = []
    levels: dict[str, int | None] = {}
    for d, dimension in enumerate(layout.dimensions):
        scores = tally.scores[d]
        hidden = team_hidden
        if hidden is None and individual and is_suppressed(len(scores), k):
            hidden = (
                f"needs at least {k} respondents who answered at least half of its items; "
                f"{len(scores)} so far"
            )
        score = level = std = None
        if hidden is None:
            team_score = team_dimension_score(scores)
            if team_score is not None:
                score = round_score(team_score)
                level = level_of(score)
            raw_std = sample_std(scores)
            std = None if raw_std is None else round_score(raw_std)
        dont_know_rate = None
        if (
            team_hidden is None
            and tally.answers[d]
            and not (individual and is_suppressed(tally.answering[d], k))
        ):
            dont_know_rate = round(tally.dont_know[d] / tally.answers[d], 3)
        items = _item_results(layout, d, tally, k, individual, team_hidden)
        levels[dimension.id] = level
        drafts.append(_Draft(dimension, hidden, len(scores), score, level, std, dont_know_rate, items))

    # --- gating ---
    layer_ids = layout.layer_ids
    gates = gate_levels(levels, layer_ids)
    names = layout.names

    dimensions: list[DimensionResult] = []
    findings: list[Finding] = []
    for draft in drafts:
        dimension, level, std, dont_know_rate = draft.dimension, draft.level, draft.std, draft.dont_know_rate
        gate = gates.get(dimension.id)
        gated = level if gate is None else gate.gated_level
        capped_by = None if gate is None else gate.capped_by
        explanation = None
        if capped_by is not None and gated is not None:
            below = gates[capped_by].gated_level
            explanation = f"{dimension.name} is held at {gated} by {names[capped_by]} at {below}"
            skipped = layer_ids[layer_ids.index(capped_by) + 1 : layer_ids.index(dimension.id)]
            if skipped:
                verb = "has" if len(skipped) == 1 else "have"
                explanation += f" ({' and '.join(names[s] for s in skipped)} {verb} no score)"
            elif gates[capped_by].capped_by is not None:
                explanation += f" (itself held by {names[gates[capped_by].capped_by or '']})"
            findings.append(Finding.trusted(kind="capped", dimension_id=dimension.id, message=explanation))
        consensus = consensus_label(std)
        dimensions.append(
            DimensionResult.trusted(
                id=dimension.id,
                name=dimension.name,
                layer=dimension.layer,
                respondents=draft.respondents,
                suppressed=draft.hidden is not None,
                suppressed_reason=draft.hidden,
                score=draft.score,
                level=level,
                level_name=None if level is None else questionnaire.level_name(level),
                gated_level=gated,
                gated_level_name=None if gated is None else questionnaire.level_name(gated),
                capped_by=capped_by,
                cap_explanation=explanation,
                dont_know_rate=dont_know_rate,
                std=std,
                consensus=consensus,
                items=draft.items,
            )
        )
        if dont_know_flagged(dont_know_rate):
            assert dont_know_rate is not None
            findings.append(
                Finding.trusted(
                    kind="dont_know",
                    dimension_id=dimension.id,
                    message=(
                        f'{dimension.name}: {dont_know_rate * 100:.0f} % of answers are "don\'t know" — '
                        "people do not know the rules."
                    ),
                )
            )
        if consensus == "divided":
            findings.append(
                Finding.trusted(
                    kind="divided",
                    dimension_id=dimension.id,
                    message=f"{dimension.name}: the team is divided (standard deviation {format_score(std or 0)}).",
                )
            )
        for item in draft.items:
            if item.consensus == "divided":
                findings.append(_divided_item(layout, dimension, item))
        if team_hidden is None and draft.hidden is None and draft.score is None:
            findings.append(
                Finding.trusted(
                    kind="no_score",
                    dimension_id=dimension.id,
                    message=f"{dimension.name} has no score: fewer than half of its items were answered.",
                )
            )

    # --- overall ---
    if team_hidden is None:
        scored = [dimension.score for dimension in dimensions if dimension.score is not None]
        missing = [dimension.id for dimension in dimensions if dimension.score is None]
        stage = stage_of(gates[layer].gated_level for layer in layer_ids)
        overall = Overall.trusted(
            index=overall_index(scored),
            stage=stage,
            stage_name=None if stage is None else questionnaire.level_name(stage),
            missing=missing,
        )
    else:
        overall = Overall.trusted()

    gaps, segments = _gaps_and_segments(layout, tally, k, team_hidden is None and individual)
    for gap in gaps:
        if gap.flagged and gap.gap is not None:
            name = names[gap.dimension_id]
            findings.append(
                Finding.trusted(
                    kind="perception_gap",
                    dimension_id=gap.dimension_id,
                    message=(
                        f"{name}: leaders score {format_score(gap.leader_mean or 0)}, the others "
                        f"{format_score(gap.others_mean or 0)} (gap {gap.gap:+.2f})."
                    ),
                )
            )

    comments, comments_hidden = _comments(layout, responses, k, individual)
    ledger, ledger_errors = ledger_from_kpis(responses.ai_hours_per_week, responses.kpis, responses.team_size)
    return TeamResult.trusted(
        team=responses.team,
        assessment_id=responses.assessment_id,
        questionnaire_id=responses.questionnaire_id,
        questionnaire_version=responses.questionnaire_version,
        form=responses.form,
        mode=responses.mode,
        k=k,
        respondents=team_size,
        suppressed=team_hidden is not None,
        suppressed_reason=team_hidden,
        overall=overall,
        dimensions=dimensions,
        gaps=gaps,
        segments=segments,
        findings=findings,
        comments=comments,
        comments_hidden_reason=comments_hidden,
        kpis=dict(responses.kpis),
        ledger=ledger,
        ledger_errors=ledger_errors,
    )


def _divided_item(layout: _Layout, dimension: Dimension, item: ItemResult) -> Finding:
    """The finding that the team is divided on an item (the same for every team with the item's spread)."""
    key = (item.id, item.std)
    finding = layout.divided_findings.get(key)
    if finding is None:
        finding = layout.divided_findings[key] = Finding.trusted(
            kind="divided",
            dimension_id=dimension.id,
            item_id=item.id,
            message=(
                f"{dimension.name} — {layout.questions[item.id]} The team is divided "
                f"(standard deviation {format_score(item.std or 0)})."
            ),
        )
    return finding


def _shared(layout: _Layout, model: type[_Model], **fields: object) -> _Model:
    """A result whose fields are all plain values (no lists or dicts), shared by the batch's teams.

    Results are immutable, so teams with the same suppressed segment or the same gap can hold one instance:
    a batch of thousands of teams then builds (and the garbage collector scans) far fewer objects. Values
    are compared with ``==``, so each call site must pass the same fields with the same types (and 0.0 and
    -0.0 would be one; scores and gaps are rounded differences of positive means, never -0.0).
    """
    key = (model, *fields.items())
    result = layout.shared.get(key)
    if result is None:
        result = layout.shared[key] = model.trusted(**fields)
    return result  # type: ignore[return-value]  # the key holds the model


def _mean(values: list[float]) -> float | None:
    mean = team_dimension_score(values)
    return None if mean is None else round_score(mean)


def _gaps_and_segments(
    layout: _Layout, tally: _Tally, k: int, shown: bool
) -> tuple[list[PerceptionGap], list[SegmentResult]]:
    """Perception gaps (leaders vs the rest) and role segments per dimension, under the anonymity rules."""
    gaps: list[PerceptionGap] = []
    segments: list[SegmentResult] = []
    if not shown:
        return gaps, segments
    for d, dimension in enumerate(layout.dimensions):
        by_role = tally.role_scores[d]
        leaders = by_role["leader"]
        others = by_role["manager"] + by_role["contributor"]
        if is_suppressed(len(leaders), k) or is_suppressed(len(others), k):
            gaps.append(
                _shared(
                    layout,
                    PerceptionGap,
                    dimension_id=dimension.id,
                    leaders=len(leaders),
                    others=len(others),
                    suppressed=True,
                    suppressed_reason=(
                        f"needs at least {k} leaders and {k} others with a score; "
                        f"{len(leaders)} and {len(others)} so far"
                    ),
                )
            )
        else:
            leader_mean, others_mean = _mean(leaders), _mean(others)
            assert leader_mean is not None and others_mean is not None
            gap = round_score(leader_mean - others_mean)
            gaps.append(
                _shared(
                    layout,
                    PerceptionGap,
                    dimension_id=dimension.id,
                    leaders=len(leaders),
                    others=len(others),
                    suppressed=False,
                    leader_mean=leader_mean,
                    others_mean=others_mean,
                    gap=gap,
                    flagged=gap_flagged(gap),
                )
            )
        counts = {role: len(scores) for role, scores in by_role.items()}
        key = (*counts.values(), k)
        visible = layout.visible_roles.get(key)
        if visible is None:
            visible = layout.visible_roles[key] = visible_segments(counts, k)
        for role in ROLES:
            if counts[role]:
                segments.append(
                    _shared(
                        layout,
                        SegmentResult,
                        dimension_id=dimension.id,
                        role=role,
                        respondents=counts[role],
                        suppressed=role not in visible,
                        score=_mean(by_role[role]) if role in visible else None,
                    )
                )
    return gaps, segments


def _comments(
    layout: _Layout, responses: TeamResponses, k: int, individual: bool
) -> tuple[dict[str, list[str]], str | None]:
    """Visible comments per dimension, or a reason why they are hidden."""
    texts: dict[str, list[str]] = {}
    for respondent in responses.respondents:
        for dimension_id, text in respondent.comments.items():
            if text.strip():
                texts.setdefault(dimension_id, []).append(text)
    if not texts:
        return {}, None
    team_size = len(responses.respondents)
    if individual and not comments_visible(team_size, k):
        minimum = max(k, COMMENT_MINIMUM)
        return {}, f"comments are shown when at least {minimum} people responded; {team_size} so far"
    # A consensus answer set is the team's agreed text, not individual data.
    group = team_size if individual else max(k, COMMENT_MINIMUM)
    order = {dimension.id: d for d, dimension in enumerate(layout.dimensions)}
    return {
        dimension_id: visible_comments(texts[dimension_id], group, k)
        for dimension_id in sorted(texts, key=lambda key: (order.get(key, len(order)), key))
    }, None


def score_teams(questionnaire: Questionnaire, teams: Sequence[TeamResponses]) -> list[TeamResult]:
    """Score several teams, in the order given; linear in the total number of answers."""
    layouts: dict[str, _Layout] = {}
    with cyclic_gc_paused(len(teams) >= GC_PAUSE_MIN_TEAMS):
        return [score_team(questionnaire, responses, _layouts=layouts) for responses in teams]


#: From this many teams on, ``score_teams`` pauses Python's cyclic garbage collector.
GC_PAUSE_MIN_TEAMS = 50


@contextmanager
def cyclic_gc_paused(active: bool = True) -> Iterator[None]:
    """Pause the cyclic garbage collector while a large batch is scored (measured: about half the time), or
    a large batch of results is read back (the leader view: about a third of its time at 1,000 teams).

    Scoring thousands of teams allocates many small result objects, and each allocation burst makes the
    collector rescan every tracked object, including the whole input. Scoring creates no reference cycles,
    so nothing is left for the collector to find; reference counting frees everything as usual (a cycle
    made meanwhile is found by the next collection after), and the collector's previous state is restored
    afterwards, also on error.

    On resuming, the collector would at once scan everything allocated meanwhile (the results, all alive:
    about a tenth of the batch's time). ``gc.freeze()`` then ``gc.unfreeze()`` instead moves those objects
    straight to the oldest generation, where they are scanned with everything else in a later full
    collection; done only while nothing else is frozen, so nobody else's frozen objects are released.
    """
    if not active or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def respondent_view(
    questionnaire: Questionnaire, respondent: RespondentAnswers, form: str = "full"
) -> RespondentView:
    """A respondent's own dimension scores and levels. Always allowed: these are their own answers."""
    layout = _Layout(questionnaire, form)
    tally = _tally(layout, [respondent])
    dimensions = []
    for d, dimension in enumerate(layout.dimensions):
        counts = [tally.counts[i] for i in layout.item_positions[d]]
        answered = sum(sum(c[1:]) for c in counts)
        dont_know = sum(c[0] for c in counts)
        score = round_score(tally.scores[d][0]) if tally.scores[d] else None
        level = None if score is None else level_of(score)
        dimensions.append(
            RespondentDimension(
                id=dimension.id,
                name=dimension.name,
                score=score,
                level=level,
                level_name=None if level is None else questionnaire.level_name(level),
                answered=answered,
                dont_know=dont_know,
                items=layout.items_on_form[d],
            )
        )
    return RespondentView(respondent_id=respondent.respondent_id, role=respondent.role, dimensions=dimensions)
