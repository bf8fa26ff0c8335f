"""Erasure attacks (issue 19): whatever order people join, change, erase their answers and publish in, no
combination of the releases published before and after an erasure singles out fewer than k people, what
anyone sees is a stored published result, and the erased person's values and comments are gone.

Played through the services on a real SQLite file; random arrival orders with hypothesis, plus the plain
case of the issue compared figure by figure.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from scoring.disclosure import (
    ERASED,
    HELD_REASON,
    _release_views,
    _Variables,
    dimension_forms,
    smallest_isolated_group,
)
from services import assessment as journey
from services import erasure
from services.context import AppContext, make_context
from services.publication import _release_from, publish, published_result
from storage import publications as pub
from storage import repository as repo


@pytest.fixture
def sqlite_ctx(sqlite_url: str) -> Iterator[AppContext]:
    context = make_context(sqlite_url)
    yield context
    context.database.dispose()


def answer_everything(ctx: AppContext, token: str, level: int) -> None:
    for index, item in enumerate(ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse")):
        journey.save_answer(ctx, token, item.id, (level + index) % 5 + 1)


def smallest_groups(ctx: AppContext, assessment_id: int, k: int) -> list[int]:
    """Per variable, the fewest people any combination of all its releases (answers and comments) isolates."""
    with ctx.read() as session:
        releases = pub.list_releases(session, assessment_id=assessment_id)
    found = []
    for dimension in dimension_forms(ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID), "pulse"):
        variables = _Variables()
        for payload in releases.get((dimension.id, "answers"), []):
            _release_views(dimension, _release_from(payload), variables)
        views = list(variables.views.values())
        views.append([frozenset(p["texts"].items()) for p in releases.get((dimension.id, "comments"), [])])
        for variable_views in views:
            smallest = smallest_isolated_group(variable_views, k)
            if smallest is not None:
                found.append(smallest)
    return found


events = st.lists(
    st.tuples(
        st.sampled_from(["join", "join", "change", "erase", "publish"]), st.integers(0, 20), st.integers(1, 5)
    ),
    min_size=4,
    max_size=10,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(3, 4), steps=events)
def test_no_combination_of_releases_before_and_after_erasures_isolates_anyone(
    sqlite_ctx: AppContext, k: int, steps: list[tuple[str, int, int]]
) -> None:
    ctx = sqlite_ctx
    with ctx.read() as session:
        name = f"Team {len(repo.list_teams(session))}"
    lead = journey.start_assessment(ctx, team_name=name, mode="individual", form="pulse", role="leader", k=k)
    assert lead.share_code
    members = [lead.token]
    answer_everything(ctx, lead.token, 2)
    for _ in range(k):  # a team published over more than k people, so an erasure has something to leak
        token = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
        answer_everything(ctx, token, len(members))
        journey.save_comment(ctx, token, "permission", f"remark {len(members)}")
        members.append(token)
    publish(ctx, lead.assessment_id)
    erased_texts: set[str] = set()
    for kind, who, level in steps:
        if kind == "join" or len(members) < 2:
            role = "leader" if who % 3 == 0 else "contributor"
            token = journey.join_assessment(ctx, share_code=lead.share_code, role=role).token
            answer_everything(ctx, token, level)
            members.append(token)
        elif kind == "change":
            journey.save_answer(ctx, members[who % len(members)], "permission.one_page_guide", level)
        elif kind == "erase":
            token = members.pop(1 + who % (len(members) - 1))
            erased_texts |= set(journey.resume(ctx, token).comments.values())
            erasure.erase_my_answers(ctx, token)
        else:
            publish(ctx, lead.assessment_id)
        # what a member sees is exactly the stored published result (never a live score)
        assert journey.results(ctx, members[0]).result == published_result(ctx, lead.assessment_id).result
        # no combination of every release ever published isolates 1 … k−1 people
        assert [size for size in smallest_groups(ctx, lead.assessment_id, k) if size < k] == []
        # an erased person's comments are gone from what is shown
        shown = published_result(ctx, lead.assessment_id).result.comments
        assert not erased_texts & {text for texts in shown.values() for text in texts}
    # and their values: in every release that froze them, only tokens are left
    with ctx.read() as session:
        releases = pub.list_releases(session, assessment_id=lead.assessment_id)
    for (_, kind), payloads in releases.items():
        for payload in payloads:
            frozen = payload["answers" if kind == "answers" else "texts"]
            for person in payload.get(ERASED, []):
                values = frozen[person].values() if kind == "answers" else [frozen[person]]
                assert all(str(value).startswith("erased:") for value in values)


def test_old_minus_new_figures_do_not_give_the_erased_answers(sqlite_ctx: AppContext) -> None:
    """The plain attack: the item distributions a member saw before and after the erasure (and after the
    next publication) never differ by exactly the erased person's answer."""
    ctx = sqlite_ctx
    lead = journey.start_assessment(ctx, team_name="Subtract", mode="individual", form="pulse", role="leader")
    assert lead.share_code
    tokens = [lead.token]
    answer_everything(ctx, lead.token, 0)
    for level in range(1, 4):
        token = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
        answer_everything(ctx, token, level)
        tokens.append(token)
    publish(ctx, lead.assessment_id)
    seen = [published_result(ctx, lead.assessment_id).result]
    victim = journey.resume(ctx, tokens[2]).answers
    erasure.erase_my_answers(ctx, tokens[2])
    seen.append(published_result(ctx, lead.assessment_id, refresh=True).result)
    newcomer = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
    answer_everything(ctx, newcomer, 1)  # one newcomer: not enough to publish without the erased person
    seen.append(published_result(ctx, lead.assessment_id, refresh=True).result)
    for _ in range(3):
        more = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
        answer_everything(ctx, more, 4)
    seen.append(published_result(ctx, lead.assessment_id, refresh=True).result)
    assert seen[0] == seen[1] == seen[2]  # nothing moved until enough new people answered
    assert seen[3].respondents == 3 + 1 + 3  # then without the erased person
    for before, after in itertools.combinations(seen, 2):  # every pair of what a member saw
        for old, new in zip(before.dimensions, after.dimensions, strict=True):
            for old_item, new_item in zip(old.items, new.items, strict=True):
                if old_item.distribution is None or new_item.distribution is None:
                    continue
                difference = {
                    level: old_item.distribution.get(level, 0) - new_item.distribution.get(level, 0)
                    for level in set(old_item.distribution) | set(new_item.distribution)
                }
                changed = sum(abs(count) for count in difference.values())
                # either nothing changed, or more than one person's answer moved
                assert changed == 0 or changed >= 3, (old_item.id, difference, victim.get(old_item.id))


def test_a_unit_leaves_out_a_team_held_back_after_an_erasure(sqlite_ctx: AppContext) -> None:
    """Units pool their teams' latest releases. After an erasure in North, North's dimensions add nothing to
    the unit (its published figures were North's own, so the unit moves by exactly those), South's still
    count; the erased person is in no unit figure; when every team is held back, so is the unit."""
    from services import leader, units

    ctx = sqlite_ctx
    tokens: dict[str, list[str]] = {}
    for name, level in (("North", 1), ("South", 3)):
        lead = journey.start_assessment(ctx, team_name=name, mode="individual", form="pulse", role="leader")
        assert lead.share_code
        answer_everything(ctx, lead.token, level)
        tokens[name] = [lead.token]
        for offset in range(3):
            token = journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token
            answer_everything(ctx, token, level + offset)
            tokens[name].append(token)
        publish(ctx, lead.assessment_id)
    units.import_structure(ctx, "unit,parent_unit,team\nRegion,,North\nRegion,,South\n")
    region = units.unit_tree(ctx)[0].id

    def unit_view():  # type: ignore[no-untyped-def]
        return units.unit_result(ctx, leader.leader_view(ctx), region)

    assert [d.respondents for d in unit_view().dimensions] == [8] * len(unit_view().dimensions)
    south_alone = {
        d.id: d.score
        for d in published_result(
            ctx, journey.resume(ctx, tokens["South"][0]).assessment_id
        ).result.dimensions
    }
    erasure.erase_my_answers(ctx, tokens["North"][1])
    after = unit_view()
    for dimension in after.dimensions:
        assert dimension.respondents == 4 and dimension.score == south_alone[dimension.id]
    erasure.erase_my_answers(ctx, tokens["South"][2])
    assert all(d.suppressed and d.suppressed_reason == HELD_REASON for d in unit_view().dimensions)
