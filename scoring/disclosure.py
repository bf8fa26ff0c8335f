"""Published results: when a group's figures may change without singling anyone out.

Every figure Layerwise shows about a group (a team, a role segment, one team of a workshop) is an aggregate
over a set of people's answers. Someone who keeps every view ever shown can add and subtract them: the team
before and after a fourth person answered differ by that person alone. So results are *published*, not
live: a published release of a dimension freezes the answers it was computed from, and a new release is
made only when :func:`scoring.rules.update_allowed` says the figures it would add cannot be combined with
all earlier ones to isolate fewer than k people.

The check is exact linear algebra over *cells*. A cell is one person's value of one variable at one
release (``(person, value)``; a person who changes an answer gets a new cell). A view is the set of cells
an aggregate was computed over. Any sum, difference or weighted combination of views is a vector over
cells; it reveals something about exactly the people whose cells it does not cancel. The smallest such
set, over every combination of every view, must be 0 or at least k people. Cells that occur in exactly the
same views can never be told apart, so the computation runs over those *atoms* and only has to look at
combinations supported on atoms of fewer than k people.

Everything here is pure: no I/O, no storage, no Streamlit.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from questionnaires.schema import Questionnaire
from scoring.models import Role, TeamResponses, TeamResult
from scoring.rules import effective_k, respondent_dimension_score, update_allowed

Cell = tuple[Hashable, Hashable]
View = frozenset[Cell]

#: More candidate supports than this and a release is refused rather than checked at length (it never
#: happens with teams of realistic size; refusing only delays an update).
MAX_SUPPORTS_CHECKED = 20_000


# --- exact linear algebra over the rationals ---------------------------------------------------------------


def _row_reduce(rows: list[list[Fraction]]) -> list[list[Fraction]]:
    """A basis of the span of ``rows`` (reduced row echelon form, zero rows dropped)."""
    matrix = [row[:] for row in rows if any(row)]
    if not matrix:
        return []
    width = len(matrix[0])
    pivot_row = 0
    for column in range(width):
        pivot = next((r for r in range(pivot_row, len(matrix)) if matrix[r][column] != 0), None)
        if pivot is None:
            continue
        matrix[pivot_row], matrix[pivot] = matrix[pivot], matrix[pivot_row]
        lead = matrix[pivot_row][column]
        matrix[pivot_row] = [value / lead for value in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][column] != 0:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(matrix):
            break
    return [row for row in matrix[:pivot_row] if any(row)]


def _null_space(rows: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """A basis of {x : row · x = 0 for every row} (vectors of length ``width``)."""
    reduced = _row_reduce(rows)
    pivots: list[int] = []
    for row in reduced:
        pivots.append(next(c for c, value in enumerate(row) if value != 0))
    free = [c for c in range(width) if c not in pivots]
    basis = []
    for free_column in free:
        vector = [Fraction(0)] * width
        vector[free_column] = Fraction(1)
        for row, pivot in zip(reduced, pivots, strict=True):
            vector[pivot] = -row[free_column]
        basis.append(vector)
    return basis


# --- the check ---------------------------------------------------------------------------------------------


def smallest_isolated_group(views: Sequence[View], k: int) -> int | None:
    """The fewest people (fewer than k) some combination of ``views`` isolates, or None when none can.

    ``views`` are the cell sets of every aggregate shown for one variable (see the module docstring). A
    combination isolates the people whose cells it does not cancel; only groups of 1 … k−1 people count as
    isolated (a combination that cancels everything reveals nothing). When checking would take too long the
    answer is 1 (treated as unsafe: the update waits).
    """
    views = [view for view in views if view]
    if not views:
        return None
    patterns: dict[tuple[int, ...], set[Cell]] = {}
    for cell in set().union(*views):
        pattern = tuple(index for index, view in enumerate(views) if cell in view)
        patterns.setdefault(pattern, set()).add(cell)
    atoms = list(patterns.items())
    people = [frozenset(person for person, _ in cells) for _, cells in atoms]
    small = [a for a, members in enumerate(people) if len(members) < k]
    if not small:
        return None
    big = [a for a in range(len(atoms)) if a not in small]

    def column(atom: int) -> list[Fraction]:
        pattern = atoms[atom][0]
        return [Fraction(1 if index in pattern else 0) for index in range(len(views))]

    # combinations of views (x) that cancel every big atom: x · column(a) = 0 for each big atom a
    combinations = _null_space([column(a) for a in big], len(views))
    small_columns = [column(a) for a in small]
    # W: what those combinations show on the small atoms
    shown = _row_reduce(
        [[sum((x * c for x, c in zip(combo, col, strict=True)), Fraction(0)) for col in small_columns]
         for combo in combinations]
    )  # fmt: skip
    if not shown:
        return None
    dimension = len(shown)
    width = len(small)
    if dimension > 1 and math.comb(width, dimension - 1) > MAX_SUPPORTS_CHECKED:
        return 1
    best: int | None = None
    for zeros in itertools.combinations(range(width), dimension - 1):
        # vectors y = c · shown with y_j = 0 for j in zeros; a 1-dimensional solution is a minimal support
        constraints = [[shown[row][j] for row in range(dimension)] for j in zeros]
        solutions = _null_space(constraints, dimension)
        if len(solutions) != 1:
            continue
        coefficients = solutions[0]
        vector = [
            sum((c * shown[row][j] for row, c in enumerate(coefficients)), Fraction(0)) for j in range(width)
        ]
        support = frozenset().union(*(people[small[j]] for j in range(width) if vector[j] != 0))
        if support and len(support) < k and (best is None or len(support) < best):
            best = len(support)
            if best == 1:
                break
    return best


# --- releases of one dimension ----------------------------------------------------------------------------

Answers = Mapping[str, int | None]


@dataclass(frozen=True)
class Release:
    """One published release of one dimension of one group: the answers it froze and what it showed.

    ``answers`` maps each person (a stable key, never shown) to their answers to the dimension's items at
    the moment of the release; ``roles`` gives each person's role; ``segments`` says whether role segments
    and perception gaps of this dimension were shown.
    """

    answers: Mapping[str, Answers]
    roles: Mapping[str, Role]
    segments: bool
    #: who had a score in the dimension at the release (stored with it; None: work it out from ``answers``)
    scored: frozenset[str] | None = None


@dataclass(frozen=True)
class DimensionForm:
    """What the check needs to know about one dimension: its item ids on the form."""

    id: str
    item_ids: tuple[str, ...]


@dataclass
class _Variables:
    """The views each variable of a dimension has, release by release."""

    views: dict[str, list[View]] = field(default_factory=dict)

    def add(self, name: str, view: View) -> None:
        self.views.setdefault(name, []).append(view)


def _release_views(dimension: DimensionForm, release: Release, variables: _Variables) -> None:
    """Add the views one release showed: each item over who answered it, and the dimension's score over the
    people with a score (the team, and with segments each role and the non-leaders)."""
    for item_id in dimension.item_ids:
        variables.add(
            item_id,
            frozenset(
                (person, answers[item_id])
                for person, answers in release.answers.items()
                if item_id in answers
            ),
        )
    cells = {
        person: (
            person,
            tuple(sorted((item, -1 if value is None else value) for item, value in answers.items())),
        )
        for person, answers in release.answers.items()
    }
    # the dimension's "don't know" rate and answer counts are sums of the items' counts (checked above);
    # its score, spread, role segments and perception gap are over the people with a score
    scored = release.scored if release.scored is not None else scored_people(dimension, release.answers)
    variables.add("dimension", frozenset(cells[person] for person in scored))
    if release.segments:
        for role in ("leader", "manager", "contributor"):
            variables.add("dimension", frozenset(cells[p] for p in scored if release.roles.get(p) == role))
        variables.add("dimension", frozenset(cells[p] for p in scored if release.roles.get(p) != "leader"))


def scored_people(dimension: DimensionForm, answers: Mapping[str, Answers]) -> frozenset[str]:
    """The people whose answers give them a score in the dimension (``respondent_dimension_score``)."""
    return frozenset(
        person
        for person, given in answers.items()
        if respondent_dimension_score(
            sum(value for value in given.values() if value is not None),
            sum(1 for value in given.values() if value is not None),
            len(dimension.item_ids),
        )
        is not None
    )


def release_is_safe(dimension: DimensionForm, history: Sequence[Release], candidate: Release, k: int) -> bool:
    """Whether publishing ``candidate`` after ``history`` keeps every group anyone can derive at 0 or ≥ k people."""
    variables = _Variables()
    for release in (*history, candidate):
        _release_views(dimension, release, variables)
    return all(update_allowed(smallest_isolated_group(views, k), k) for views in variables.views.values())


def next_release(
    dimension: DimensionForm,
    history: Sequence[Release],
    answers: Mapping[str, Answers],
    roles: Mapping[str, Role],
    k: int,
    *,
    individual: bool = True,
) -> Release | None:
    """The release to publish now for one dimension, or None when nothing may (or needs to) change.

    ``answers`` are everyone's current answers to the dimension's items (people with none are left out).
    Tried in order, the first that :func:`release_is_safe` allows wins: everyone's current answers with
    role segments; the same without segments; earlier people's answers as last published plus the new
    people's current answers (their changes wait), with and then without segments. A consensus answer set
    (``individual=False``) is the team's agreed answer, not individual data: it is published as it is.
    """
    current = {person: dict(given) for person, given in answers.items() if given}
    last = history[-1] if history else None
    if not individual:
        if last is not None and _same(last.answers, current):
            return None
        return Release(answers=current, roles=dict(roles), segments=True) if current else None
    k = effective_k(k)
    candidates: list[dict[str, dict[str, int | None]]] = [current]
    if last is not None:
        # earlier people who still have answers keep what was published of them (their changes wait);
        # someone who left (or erased their answers) is never published again
        kept = {person: dict(given) for person, given in last.answers.items() if person in current}
        kept.update({person: given for person, given in current.items() if person not in last.answers})
        if not _same(kept, current):
            candidates.append(kept)
    all_roles = dict(roles)
    if last is not None:
        for person, role in last.roles.items():
            all_roles.setdefault(person, role)
    for candidate_answers in candidates:
        if not candidate_answers or (last is not None and _same(last.answers, candidate_answers)):
            continue
        candidate_roles = {person: all_roles[person] for person in candidate_answers}
        for segments in (True, False):
            release = Release(answers=candidate_answers, roles=candidate_roles, segments=segments)
            release = Release(
                answers=release.answers,
                roles=release.roles,
                segments=segments,
                scored=scored_people(dimension, release.answers),
            )
            if release_is_safe(dimension, history, release, k):
                return release
    return None


def _same(first: Mapping[str, Answers], second: Mapping[str, Answers]) -> bool:
    return {p: dict(a) for p, a in first.items()} == {p: dict(a) for p, a in second.items()}


# --- the published team result ----------------------------------------------------------------------------


def published_responses(
    base: TeamResponses, releases: Mapping[str, Release], comments: Mapping[str, Mapping[str, str]]
) -> TeamResponses:
    """The scoring input of a published result: each person's answers as frozen in each dimension's release.

    ``base`` gives the team, questionnaire, form, mode, k and outcome figures; ``releases`` the latest
    release of each dimension; ``comments`` the published comments (person → dimension → text).
    """
    from scoring.models import RespondentAnswers

    people: dict[str, dict[str, int | None]] = {}
    roles: dict[str, Role] = {}
    for release in releases.values():
        for person, given in release.answers.items():
            people.setdefault(person, {}).update(given)
            roles[person] = release.roles[person]
    return base.model_copy(
        update={
            "respondents": [
                RespondentAnswers(
                    respondent_id=person,
                    role=roles[person],
                    answers=people[person],
                    comments=dict(comments.get(person, {})),
                )
                for person in sorted(people)
            ]
        }
    )


def hide_segments(result: TeamResult, dimension_ids: set[str]) -> TeamResult:
    """The result with role segments and perception gaps of ``dimension_ids`` hidden (counts stay)."""
    if not dimension_ids:
        return result
    reason = "not shown: it could be subtracted from an earlier published result"
    gaps = [
        gap.model_copy(
            update={
                "suppressed": True,
                "suppressed_reason": reason,
                "leader_mean": None,
                "others_mean": None,
                "gap": None,
                "flagged": False,
            }
        )
        if gap.dimension_id in dimension_ids and not gap.suppressed
        else gap
        for gap in result.gaps
    ]
    segments = [
        segment.model_copy(update={"suppressed": True, "score": None})
        if segment.dimension_id in dimension_ids and not segment.suppressed
        else segment
        for segment in result.segments
    ]
    findings = [
        finding
        for finding in result.findings
        if not (finding.kind == "perception_gap" and finding.dimension_id in dimension_ids)
    ]
    return result.model_copy(update={"gaps": gaps, "segments": segments, "findings": findings})


def dimension_forms(questionnaire: Questionnaire, form: str) -> list[DimensionForm]:
    """Each dimension with the ids of its items on the form (full or pulse)."""
    on_form = {item.id for item in questionnaire.items_for(form)}  # type: ignore[arg-type]
    return [
        DimensionForm(dimension.id, tuple(item.id for item in dimension.items if item.id in on_form))
        for dimension in questionnaire.dimensions
        if any(item.id in on_form for item in dimension.items)
    ]


def comments_release_safe(history: Sequence[Mapping[str, str]], candidate: Mapping[str, str], k: int) -> bool:
    """Whether the comments of one dimension (person → text) may be published after the earlier ones."""
    views = [frozenset(texts.items()) for texts in (*history, candidate)]
    return update_allowed(smallest_isolated_group(views, k), effective_k(k))


# --- erasure ------------------------------------------------------------------------------------------------

#: The payload key listing the people of a release whose values were erased (their cells are kept as tokens).
ERASED = "erased"

#: Why a dimension is not shown while a release still holds someone whose answers were deleted.
HELD_REASON = (
    "held back: someone's answers in it were deleted; it is shown again once enough new answers let it "
    "update without them"
)


def erased_values(value_sets: Sequence[Mapping[str, Hashable]]) -> list[dict[str, str]]:
    """One person's values in successive releases (key → value), each value replaced by an opaque token.

    Equal values of a key get equal tokens and different values different ones, so every cell of the person
    (and which releases share it) stays exactly as it was, and :func:`smallest_isolated_group` sees an erased
    person exactly like one who left, while the values themselves are gone. Tokens (``erased:1``, …) are
    numbered in order of first appearance and say nothing about the values.
    """
    tokens: dict[tuple[str, Hashable], str] = {}
    erased: list[dict[str, str]] = []
    for values in value_sets:
        row = {}
        for key, value in values.items():
            row[key] = tokens.setdefault((key, value), f"erased:{len(tokens) + 1}")
        erased.append(row)
    return erased


def hold_dimensions(result: TeamResult, dimension_ids: Collection[str]) -> TeamResult:
    """The result with ``dimension_ids`` shown as held back (:data:`HELD_REASON`): no score, level or item
    figure, no segment, gap or finding of them. Scored without those dimensions' answers, so nothing of them
    is in the other figures either."""
    if not dimension_ids:
        return result
    dimensions = [
        dimension.model_copy(update={"suppressed": True, "suppressed_reason": HELD_REASON})
        if dimension.id in dimension_ids
        else dimension
        for dimension in result.dimensions
    ]
    comments = {key: texts for key, texts in result.comments.items() if key not in dimension_ids}
    findings = [finding for finding in result.findings if finding.dimension_id not in dimension_ids]
    return result.model_copy(update={"dimensions": dimensions, "comments": comments, "findings": findings})
