"""Scoring a batch of teams gives exactly the numbers of a plain computation, built exactly as validation would.

``score_teams`` shares work between the teams of a batch (an item's numbers are computed once per distinct set
of counts, equal immutable results are one instance) and builds results without validating them again
(``FrozenModel.trusted``). None of that may change a result: these tests compare a batch with its teams scored
one by one, with results built through pydantic validation, and with a straightforward re-computation from the
raw answers. The batches repeat answer sets on purpose, so that teams do share work.
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Sequence
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import score_team, score_teams, visible_segments
from scoring.aggregate import GC_PAUSE_MIN_TEAMS
from scoring.models import (
    ROLES,
    FrozenModel,
    ItemResult,
    Overall,
    RespondentAnswers,
    Role,
    TeamResponses,
    TeamResult,
)
from scoring.rules import consensus_label, level_of, sample_std
from tests.unit.scoring_support import make_questionnaire

Q = make_questionnaire((6, 7, 8, 6, 7))
FULL_ITEMS = [item.id for item in Q.items_for("full")]

#: an answer: a level, "don't know" (None) or unanswered ("skip"); few values, so counts repeat across teams
answer_values = st.sampled_from([1, 2, 3, 3, 4, 5, None, "skip"])


@st.composite
def answer_sets(draw: st.DrawFn) -> list[tuple[Role, dict[str, int | None]]]:
    people = []
    for _ in range(draw(st.integers(min_value=0, max_value=7))):
        values = draw(st.lists(answer_values, min_size=len(FULL_ITEMS), max_size=len(FULL_ITEMS)))
        answers = {item: value for item, value in zip(FULL_ITEMS, values, strict=True) if value != "skip"}
        people.append((draw(st.sampled_from(ROLES)), answers))
    return people


def team_of(
    name: str,
    people: Sequence[tuple[Role, dict[str, int | None]]],
    *,
    k: int = 3,
    form: str = "full",
    mode: str = "individual",
) -> TeamResponses:
    return TeamResponses(
        team=name,
        questionnaire_id=Q.id,
        questionnaire_version=Q.version,
        form=form,  # type: ignore[arg-type]
        mode=mode,  # type: ignore[arg-type]
        k=k,
        respondents=[
            RespondentAnswers(respondent_id=f"{name}-r{index}", role=role, answers=answers)
            for index, (role, answers) in enumerate(people)
        ],
    )


@st.composite
def batches(draw: st.DrawFn) -> list[TeamResponses]:
    """Teams that answer alike (the same answer sets, reordered) next to teams that do not."""
    k = draw(st.integers(min_value=3, max_value=5))
    form = draw(st.sampled_from(["full", "pulse"]))
    shared = draw(answer_sets())
    other_k = draw(st.sampled_from([k, k, 3, 4]))  # k is per assessment: alike answers, other threshold
    teams = [team_of("A", shared, k=k, form=form), team_of("B", shared[::-1], k=other_k, form=form)]
    for index in range(draw(st.integers(min_value=0, max_value=3))):
        teams.append(team_of(f"C{index}", draw(answer_sets()), k=k, form=form))
    if draw(st.booleans()):  # one answer set agreed by a whole team: nothing suppressed
        teams.append(team_of("D", shared[:1], k=k, form=form, mode="consensus"))
    return draw(st.permutations(teams))


def dumps(results: Sequence[TeamResult]) -> list[tuple[str, str, str]]:
    """Everything that tells two results apart: values with their types, which fields were set, field order."""
    return [(r.model_dump_json(), r.model_dump_json(exclude_unset=True), repr(r)) for r in results]


@settings(max_examples=60, deadline=None)
@given(batches())
def test_a_batch_scores_each_team_as_if_it_were_alone(teams: list[TeamResponses]) -> None:
    alone = [score_team(Q, team) for team in teams]
    together = score_teams(Q, teams)
    assert together == alone
    assert dumps(together) == dumps(alone)


def _validated(cls: type[FrozenModel], **values: Any) -> FrozenModel:
    return cls(**values)


def _validated_copy(self: FrozenModel, **changes: Any) -> FrozenModel:
    values = {name: getattr(self, name) for name in self.model_fields_set}
    return type(self)(**{**values, **changes})


@settings(max_examples=60, deadline=None)
@given(batches())
def test_results_are_what_validation_would_build(teams: list[TeamResponses]) -> None:
    trusted = score_teams(Q, teams)
    with (
        mock.patch.object(FrozenModel, "trusted", classmethod(_validated)),
        mock.patch.object(FrozenModel, "trusted_copy", _validated_copy),
    ):
        validated = score_teams(Q, teams)
    assert trusted == validated
    assert dumps(trusted) == dumps(validated)


# --- a plain re-computation from the raw answers, item by item and respondent by respondent ---------------


def reference(team: TeamResponses) -> dict[str, Any]:
    """The numbers of one team, computed the long way (the rules themselves come from ``scoring.rules``)."""
    k = max(team.k, 3)
    hidden = len(team.respondents) < k
    numbers: dict[str, Any] = {"dimensions": {}, "items": {}, "segments": [], "gaps": {}, "divided": set()}
    for dimension in Q.dimensions:
        ids = [item.id for item in Q.items_for(team.form) if Q.dimension_of(item.id) == dimension.id]
        scores: dict[Role, list[float]] = {role: [] for role in ROLES}
        given_by_all: list[int | None] = []
        answering = 0
        for person in team.respondents:
            given = [person.answers[item_id] for item_id in ids if item_id in person.answers]
            levels = [value for value in given if value is not None]
            answering += bool(given)
            given_by_all += given
            if levels and 2 * len(levels) >= len(ids):
                scores[person.role].append(sum(levels) / len(levels))
        everyone = [score for role in ROLES for score in scores[role]]
        shown = not hidden and len(everyone) >= k
        std = sample_std(everyone) if shown else None
        numbers["dimensions"][dimension.id] = {
            "respondents": len(everyone),
            "score": round(math.fsum(everyone) / len(everyone), 2) if shown and everyone else None,
            "std": None if std is None else round(std, 2),
            "dont_know_rate": (
                round(given_by_all.count(None) / len(given_by_all), 3)
                if not hidden and given_by_all and answering >= k
                else None
            ),
        }
        for item_id in ids:
            values = [person.answers[item_id] for person in team.respondents if item_id in person.answers]
            levels = [value for value in values if value is not None]
            item: dict[str, Any] = {"respondents": len(values), "dont_know": None, "mean": None}
            if not hidden and len(values) >= k:
                item["dont_know"] = values.count(None)
                item["dont_know_rate"] = round(values.count(None) / len(values), 3)
                if len(levels) >= k:
                    item["mean"] = round(sum(levels) / len(levels), 2)
                    item["level"] = level_of(item["mean"])
                    item["distribution"] = {level: levels.count(level) for level in range(1, 6)}
                    item_std = sample_std(levels)
                    item["std"] = None if item_std is None else round(item_std, 2)
                    if consensus_label(item["std"]) == "divided":
                        numbers["divided"].add(item_id)
            numbers["items"][item_id] = item
        if not hidden:
            counts = {role: len(scores[role]) for role in ROLES}
            visible = visible_segments(counts, k)
            for role in ROLES:
                if counts[role]:
                    mean = round(math.fsum(scores[role]) / counts[role], 2) if role in visible else None
                    numbers["segments"].append((dimension.id, role, counts[role], mean))
            leaders, others = scores["leader"], scores["manager"] + scores["contributor"]
            if len(leaders) >= k and len(others) >= k:
                leader_mean = round(math.fsum(leaders) / len(leaders), 2)
                others_mean = round(math.fsum(others) / len(others), 2)
                numbers["gaps"][dimension.id] = round(leader_mean - others_mean, 2)
            else:
                numbers["gaps"][dimension.id] = None
    return numbers


def assert_matches_reference(result: TeamResult, team: TeamResponses) -> None:
    expected = reference(team)
    for dimension in result.dimensions:
        assert {
            "respondents": dimension.respondents,
            "score": dimension.score,
            "std": dimension.std,
            "dont_know_rate": dimension.dont_know_rate,
        } == expected["dimensions"][dimension.id], dimension.id
        for item in dimension.items:
            want = expected["items"][item.id]
            assert item.dimension_id == dimension.id
            assert (item.respondents, item.dont_know, item.mean) == (
                want["respondents"],
                want["dont_know"],
                want["mean"],
            ), item.id
            if want["dont_know"] is not None:
                assert item.dont_know_rate == want["dont_know_rate"]
            if want["mean"] is not None:
                assert (item.level, item.distribution, item.std) == (
                    want["level"],
                    want["distribution"],
                    want["std"],
                ), item.id
    segments = [(s.dimension_id, s.role, s.respondents, s.score) for s in result.segments]
    assert segments == expected["segments"]
    assert {gap.dimension_id: gap.gap for gap in result.gaps} == expected["gaps"]
    divided = {f.item_id for f in result.findings if f.kind == "divided" and f.item_id is not None}
    assert divided == expected["divided"]


@settings(max_examples=60, deadline=None)
@given(batches())
def test_batch_numbers_match_a_plain_computation(teams: list[TeamResponses]) -> None:
    for result, team in zip(score_teams(Q, teams), teams, strict=True):
        if team.mode == "individual":  # the reference applies the anonymity rule throughout
            assert_matches_reference(result, team)


def large_batch() -> list[TeamResponses]:
    """Enough teams to pause the garbage collector and to reuse most item numbers and segments."""
    rng = random.Random(11)
    teams = []
    for index in range(GC_PAUSE_MIN_TEAMS + 30):
        people = []
        for person in range(rng.randint(2, 9)):
            base = rng.randint(1, 5)
            answers = {
                item_id: None if rng.random() < 0.1 else min(5, max(1, base + rng.randint(-1, 1)))
                for item_id in FULL_ITEMS
                if rng.random() < 0.95
            }
            people.append((ROLES[person % 3], answers))
        teams.append(team_of(f"T{index}", people))
    return teams


def test_a_large_batch_with_many_repeated_counts() -> None:
    teams = large_batch()
    results = score_teams(Q, teams)
    assert dumps(results) == dumps([score_team(Q, team) for team in teams])
    for result, team in zip(results, teams, strict=True):
        assert_matches_reference(result, team)
    distributions = [
        id(item.distribution)
        for result in results
        for dimension in result.dimensions
        for item in dimension.items
        if item.distribution is not None
    ]
    assert len(set(distributions)) == len(distributions)  # items never share a mutable part


def test_trusted_builds_and_copies_like_pydantic() -> None:
    values = {"id": "permission.item1", "dimension_id": "permission", "respondents": 2, "suppressed": True}
    trusted, validated = ItemResult.trusted(**values), ItemResult(**values)
    assert dumps_one(trusted) == dumps_one(validated)
    changed = {"mean": 3.5, "respondents": 4}  # one field that was not set, one that was
    assert dumps_one(trusted.trusted_copy(**changed)) == dumps_one(validated.model_copy(update=changed))
    assert trusted.model_fields_set == {"id", "dimension_id", "respondents", "suppressed"}
    assert Overall.trusted().missing is not Overall.trusted().missing  # default factories run each time


def dumps_one(result: FrozenModel) -> tuple[str, str, str, set[str]]:
    return (
        result.model_dump_json(),
        result.model_dump_json(exclude_unset=True),
        repr(result),
        result.model_fields_set,
    )


def test_a_large_batch_leaves_the_garbage_collector_as_it_found_it() -> None:
    teams = large_batch()
    assert gc.isenabled()
    # objects frozen before (the app freezes its long-lived objects after loading modules, and AppTest tests
    # run it in this process) are not the batch's doing: it must leave the count where it found it
    frozen = gc.get_freeze_count()
    score_teams(Q, teams)
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    gc.disable()
    try:
        score_teams(Q, teams)
        assert not gc.isenabled()
    finally:
        gc.enable()
    gc.freeze()  # someone else's frozen objects stay frozen
    try:
        frozen = gc.get_freeze_count()
        score_teams(Q, teams)
        assert gc.isenabled() and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
