"""The attacker's arithmetic on published releases, property-based (hypothesis).

An attacker keeps every view ever shown of a group (the team, each role segment, the leaders-versus-others
split, each item) and subtracts. These tests play that attacker on random teams, k from 3 to 6 and random
orders of people arriving, changing answers and leaving, and check after every single event that:

- any two views of the same variable (same or nested groups) differ by 0 or at least k people, where a
  person who changed an answer counts as differing (the issue's pairwise rule);
- no sum or difference of up to three views isolates fewer than k people (a brute force that does not
  trust ``smallest_isolated_group``);
- ``smallest_isolated_group`` agrees with that brute force on small random view sets.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.disclosure import (
    Cell,
    DimensionForm,
    Release,
    View,
    _release_views,
    _Variables,
    next_release,
    smallest_isolated_group,
)
from scoring.models import Role

DIMENSION = DimensionForm("permission", ("permission.a", "permission.b", "permission.c"))
ROLES: tuple[Role, ...] = ("leader", "manager", "contributor")


def isolated_by_brute_force(views: Sequence[View], k: int, *, depth: int = 3) -> int | None:
    """The fewest people (< k) some combination of at most ``depth`` views with coefficients ±1, ±2 isolates."""
    best: int | None = None
    views = [view for view in views if view]
    for size in range(1, min(depth, len(views)) + 1):
        for chosen in itertools.combinations(range(len(views)), size):
            for coefficients in itertools.product((-2, -1, 1, 2), repeat=size):
                totals: dict[Cell, int] = {}
                for index, coefficient in zip(chosen, coefficients, strict=True):
                    for cell in views[index]:
                        totals[cell] = totals.get(cell, 0) + coefficient
                people = {cell[0] for cell, total in totals.items() if total}
                if people and len(people) < k and (best is None or len(people) < best):
                    best = len(people)
    return best


def people_differing(first: View, second: View) -> int:
    """How many people two views differ by (in one and not the other, or with another value)."""
    return len({person for person, _ in first ^ second})


cells = st.frozensets(st.tuples(st.sampled_from("abcdefg"), st.integers(1, 2)), min_size=0, max_size=6).map(
    lambda found: frozenset({person: (person, value) for person, value in found}.values())
)


@settings(max_examples=300, deadline=None)
@given(views=st.lists(cells, min_size=1, max_size=4), k=st.integers(3, 5))
def test_the_exact_check_finds_what_a_brute_force_finds(views: list[View], k: int) -> None:
    exact = smallest_isolated_group(views, k)
    brute = isolated_by_brute_force(views, k, depth=len(views))
    if brute is not None:
        # whatever the brute force isolates, the exact check finds (at least as small a group)
        assert exact is not None and exact <= brute
    if exact is None:
        assert brute is None


# --- random histories -------------------------------------------------------------------------------------

answer = st.one_of(st.none(), st.integers(1, 5))
answers = st.dictionaries(st.sampled_from(DIMENSION.item_ids), answer, min_size=1, max_size=3)
event = st.one_of(
    st.tuples(st.just("arrive"), st.sampled_from(ROLES), answers),
    st.tuples(st.just("change"), st.integers(0, 30), answers),
    st.tuples(st.just("leave"), st.integers(0, 30), st.just({})),
)


@settings(max_examples=120, deadline=None)
@given(k=st.integers(3, 6), events=st.lists(event, min_size=1, max_size=22))
def test_no_published_view_can_be_subtracted_to_fewer_than_k_people(
    k: int, events: list[tuple[str, object, dict[str, int | None]]]
) -> None:
    present: dict[str, dict[str, int | None]] = {}
    roles: dict[str, Role] = {}
    history: list[Release] = []
    for number, (kind, who, given_answers) in enumerate(events):
        if kind == "arrive":
            person = f"p{number}"
            roles[person] = who  # type: ignore[assignment]
            present[person] = dict(given_answers)
        elif present:
            person = sorted(present)[int(who) % len(present)]  # type: ignore[call-overload]
            if kind == "change":
                present[person] = dict(given_answers)
            else:
                del present[person]
        release = next_release(DIMENSION, history, present, roles, k)
        if release is None:
            continue
        history.append(release)
        variables = _Variables()
        for published in history:
            _release_views(DIMENSION, published, variables)
        for name, views in variables.views.items():
            shown = [view for view in views if view]
            for first, second in itertools.combinations(shown, 2):
                differing = people_differing(first, second)
                assert differing == 0 or differing >= k, (name, first, second)
            assert isolated_by_brute_force(shown[-6:], k, depth=2) is None, name
        # the first release of a group needs k people; every release holds only people who answered
        assert len(release.answers) >= k
        assert all(person in roles for person in release.answers)


def test_a_fourth_person_does_not_change_the_published_result() -> None:
    """The issue's black-box case: 3 answer, a 4th answers: the published view stays the same."""
    first = {f"p{i}": {"permission.a": 2, "permission.b": 3, "permission.c": 2} for i in range(3)}
    roles: dict[str, Role] = {person: "contributor" for person in first}
    release = next_release(DIMENSION, [], first, roles, 3)
    assert release is not None
    fourth = {**first, "p3": {"permission.a": 5, "permission.b": 5, "permission.c": 5}}
    roles["p3"] = "contributor"
    assert next_release(DIMENSION, [release], fourth, roles, 3) is None
    # two more who answered only item a: items b and c would still grow by one person (p3): wait
    five = {**fourth, "p4": {"permission.a": 4}, "p5": {"permission.a": 1}}
    roles |= {"p4": "leader", "p5": "manager", "p6": "contributor"}
    assert next_release(DIMENSION, [release], five, roles, 3) is None
    # once three newcomers answered every item, everything updates at once
    six = {**five, "p4": dict(fourth["p3"]), "p6": dict(fourth["p3"])}
    later = next_release(DIMENSION, [release], six, roles, 3)
    assert later is not None and set(later.answers) == set(six)


def test_a_lone_team_lead_is_never_isolated_by_role_segments() -> None:
    """1 lead + 5 members published, then 3 more leads: the leader segment would be (all leads) and the
    team minus the earlier team is (the 3 new leads), so the leader segment minus that isolates the first
    lead. The release is made without role segments."""
    item = {"permission.a": 3, "permission.b": 3, "permission.c": 3}
    people = {"lead": item, **{f"m{i}": item for i in range(5)}}
    roles: dict[str, Role] = {"lead": "leader", **{f"m{i}": "contributor" for i in range(5)}}
    first = next_release(DIMENSION, [], people, roles, 3)
    assert first is not None
    people |= {f"l{i}": {"permission.a": 5, "permission.b": 5, "permission.c": 5} for i in range(3)}
    roles |= {f"l{i}": "leader" for i in range(3)}
    second = next_release(DIMENSION, [first], people, roles, 3)
    assert second is not None and len(second.answers) == 9
    assert not second.segments


def test_someone_who_left_is_not_published_again() -> None:
    """A person who left (or deleted their answers) is left out of the next release, also when others'
    changes wait (the release that keeps earlier answers as they were published keeps only those who stay)."""
    full = {"permission.a": 3, "permission.b": 3, "permission.c": 3}
    people = {f"p{i}": dict(full) for i in range(3)}
    roles: dict[str, Role] = {f"p{i}": "contributor" for i in range(7)}
    first = next_release(DIMENSION, [], people, roles, 3)
    assert first is not None
    del people["p0"]  # p0 leaves
    people["p1"] = {**full, "permission.a": 5}  # p1 changes one answer
    people |= {f"p{i}": dict(full) for i in range(3, 6)}  # three newcomers
    later = next_release(DIMENSION, [first], people, roles, 3)
    assert later is not None and "p0" not in later.answers
    assert later.scored == frozenset(later.answers)
