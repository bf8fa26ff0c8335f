"""Properties that hold for any answers (hypothesis): ranges, order independence, gating, monotonicity,
and that nothing computed over fewer than k respondents ever yields a number."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import gate_levels, score_team
from scoring.models import ROLES, RespondentAnswers, TeamResponses, TeamResult
from tests.unit.scoring_support import everywhere, make_questionnaire

Q = make_questionnaire((6, 7, 8, 6, 7))
FULL_ITEMS = [item.id for item in Q.items_for("full")]
LAYERS = [dimension.id for dimension in Q.layers]

#: an answer: a level, "don't know" (None), or unanswered (the key is left out)
answer_values = st.one_of(st.integers(min_value=1, max_value=5), st.none(), st.just("skip"))


@st.composite
def respondents(draw: st.DrawFn, max_size: int = 10) -> list[RespondentAnswers]:
    count = draw(st.integers(min_value=0, max_value=max_size))
    people = []
    for index in range(count):
        values = draw(st.lists(answer_values, min_size=len(FULL_ITEMS), max_size=len(FULL_ITEMS)))
        answers = {item: value for item, value in zip(FULL_ITEMS, values, strict=True) if value != "skip"}
        people.append(
            RespondentAnswers(respondent_id=f"r{index}", role=draw(st.sampled_from(ROLES)), answers=answers)
        )
    return people


def team(people: list[RespondentAnswers], k: int = 3) -> TeamResponses:
    return TeamResponses(
        team="T", questionnaire_id=Q.id, questionnaire_version=Q.version, k=k, respondents=people
    )


@settings(max_examples=60, deadline=None)
@given(respondents())
def test_scores_stay_within_one_and_five(people: list[RespondentAnswers]) -> None:
    result = score_team(Q, team(people))
    for dimension in result.dimensions:
        if dimension.score is not None:
            assert 1 <= dimension.score <= 5
            assert dimension.level is not None and 1 <= dimension.level <= 5
        for item in dimension.items:
            if item.mean is not None:
                assert 1 <= item.mean <= 5
        if dimension.dont_know_rate is not None:
            assert 0 <= dimension.dont_know_rate <= 1
    if result.overall.index is not None:
        assert 0 <= result.overall.index <= 100


@settings(max_examples=60, deadline=None)
@given(respondents(), st.randoms(use_true_random=False))
def test_reordering_respondents_changes_nothing(people: list[RespondentAnswers], random: object) -> None:
    shuffled = list(people)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    assert score_team(Q, team(shuffled)) == score_team(Q, team(people))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=5)), min_size=4, max_size=4))
def test_gating_never_raises_a_level(levels: list[int | None]) -> None:
    gates = gate_levels(dict(zip(LAYERS, levels, strict=True)), LAYERS)
    for layer, own in zip(LAYERS, levels, strict=True):
        gated = gates[layer].gated_level
        assert (gated is None) == (own is None)
        if own is not None and gated is not None:
            assert 1 <= gated <= own
            assert (gates[layer].capped_by is None) == (gated == own)


@settings(max_examples=60, deadline=None)
@given(respondents())
def test_gated_levels_in_results_never_exceed_levels(people: list[RespondentAnswers]) -> None:
    for dimension in score_team(Q, team(people)).dimensions:
        if dimension.level is not None:
            assert dimension.gated_level is not None and dimension.gated_level <= dimension.level


@settings(max_examples=60, deadline=None)
@given(respondents())
def test_adding_an_all_fives_respondent_never_lowers_a_score(people: list[RespondentAnswers]) -> None:
    before = score_team(Q, team(people))
    enthusiast = RespondentAnswers(respondent_id="fives", role="contributor", answers=everywhere(Q, 5))
    after = score_team(Q, team([*people, enthusiast]))
    for old, new in zip(before.dimensions, after.dimensions, strict=True):
        if old.score is not None:
            assert new.score is not None and new.score >= old.score
        for old_item, new_item in zip(old.items, new.items, strict=True):
            if old_item.mean is not None:
                assert new_item.mean is not None and new_item.mean >= old_item.mean
    if before.overall.index is not None and not before.overall.missing:
        assert after.overall.index is not None and after.overall.index >= before.overall.index


def assert_no_numbers_below_k(result: TeamResult, k: int) -> None:
    """Every number derived from answers must come from at least k respondents."""
    if result.respondents < k:
        assert result.suppressed
        assert result.overall.index is None and result.overall.stage is None
        assert result.gaps == [] and result.segments == [] and result.comments == {}
    for dimension in result.dimensions:
        if dimension.respondents < k or result.suppressed:
            assert dimension.score is None and dimension.level is None and dimension.std is None
            assert dimension.consensus is None and dimension.gated_level is None
        if result.suppressed:
            assert dimension.dont_know_rate is None
        for item in dimension.items:
            if item.respondents < k or result.suppressed:
                assert item.dont_know is None and item.dont_know_rate is None and item.answered is None
            if item.answered is None or item.answered < k:
                assert item.mean is None and item.distribution is None and item.std is None
    for gap in result.gaps:
        if gap.leaders < k or gap.others < k:
            assert gap.gap is None and gap.leader_mean is None and gap.others_mean is None
    for segment in result.segments:
        if segment.respondents < k:
            assert segment.score is None


@settings(max_examples=80, deadline=None)
@given(respondents(max_size=8), st.integers(min_value=3, max_value=6))
def test_nothing_under_k_respondents_ever_yields_a_number(people: list[RespondentAnswers], k: int) -> None:
    assert_no_numbers_below_k(score_team(Q, team(people, k=k)), k)
