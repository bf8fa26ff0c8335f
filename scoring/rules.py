"""The scoring rule book: every rule a user could ask "why?" about, each in one named function or constant.

Each public function's docstring starts with the rule in one sentence; ``RULES`` collects those sentences in
reading order so the app's "How scoring works" page shows the rules straight from this code. Change a rule
here and the page, the CLI and the PDF all follow.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import NamedTuple

from questionnaires.schema import LAYER_ORDER
from scoring.models import Band, ConsensusLabel

# --- constants (each used by exactly one rule function below) -----------------------------------------

#: Upper bounds (exclusive) of levels 1–4; a score at or above the last one is level 5.
LEVEL_THRESHOLDS: tuple[float, float, float, float] = (1.8, 2.6, 3.4, 4.2)
#: The default names of levels 1–5 (a questionnaire's scale may rename them).
LEVEL_NAMES: tuple[str, ...] = ("Ad hoc", "Emerging", "Defined", "Managed", "Embedded")
#: Standard deviation below which a group is "aligned", and below which it is still only "mixed".
CONSENSUS_ALIGNED_BELOW = 0.6
CONSENSUS_MIXED_BELOW = 1.0
#: A leader-versus-others gap of at least this size (either direction) is flagged.
GAP_THRESHOLD = 1.0
#: A dimension where at least this share of answers is "don't know" is a finding in itself.
DONT_KNOW_THRESHOLD = 0.30
#: The anonymity threshold k can never be set below this.
MIN_K = 3
#: Free-text comments need at least max(k, this) respondents in the group.
COMMENT_MINIMUM = 5
#: Peer percentiles need at least this many peer teams.
PEER_MINIMUM = 5
#: How many actions an action plan leads with.
TOP_ACTIONS = 7


def round_score(value: float) -> float:
    """Scores, means and standard deviations are shown (and compared with thresholds) at 2 decimals."""
    return round(value, 2)


def format_score(value: float) -> str:
    """A score as people read it: 2 decimals, a trailing zero dropped (1.60 → '1.6', 1.78 → '1.78')."""
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text


# --- maturity -----------------------------------------------------------------------------------------


def respondent_dimension_score(level_total: int, levels_given: int, items_on_form: int) -> float | None:
    """A respondent's dimension score is the mean of the levels they gave in that dimension; someone who gave a level to fewer than half of the dimension's items on their form (full or pulse) has no score there.

    "Don't know" and unanswered items count as not answered: neither enters the mean. Takes the sum and the
    count of the levels given (so callers need not build lists) and the number of the dimension's items on
    the respondent's form.
    """  # noqa: E501 - the first line is the rule sentence shown in the app
    if levels_given == 0 or 2 * levels_given < items_on_form:
        return None
    return level_total / levels_given


def team_dimension_score(respondent_scores: Sequence[float]) -> float | None:
    """A team's dimension score is the mean of its respondents' dimension scores (those who have one)."""
    if not respondent_scores:
        return None
    # fsum is exactly rounded, so the result does not depend on the order of respondents.
    return math.fsum(respondent_scores) / len(respondent_scores)


def level_of(score: float) -> int:
    """Level of a score s (at 2 decimals): 1 if s < 1.8, 2 if s < 2.6, 3 if s < 3.4, 4 if s < 4.2, else 5."""
    shown = round_score(score)
    for level, upper in enumerate(LEVEL_THRESHOLDS, start=1):
        if shown < upper:
            return level
    return 5


def band_of(level: int) -> Band:
    """An item's recommendation band follows its level: low for levels 1–2, mid for 3, high for 4–5."""
    if level <= 2:
        return "low"
    if level == 3:
        return "mid"
    return "high"


class Gate(NamedTuple):
    """The gated level of one layer and the layer directly below that holds it down (if any)."""

    gated_level: int | None
    capped_by: str | None


def gate_levels(
    levels: Mapping[str, int | None], layer_order: Sequence[str] = LAYER_ORDER
) -> dict[str, Gate]:
    """Gating: the first layer's gated level is its level; each next layer's gated level is the lower of its own level and the gated level of the layer below plus one.

    A layer without a level has no gated level; the layers above it are then held to what the rule still
    implies (the nearest layer below that has a gated level, plus one per step). Gating never raises a level.
    """  # noqa: E501 - the first line is the rule sentence shown in the app
    gates: dict[str, Gate] = {}
    ceiling: int | None = None  # the highest level the layers below allow
    ceiling_from: str | None = None  # the nearest layer below with a gated level
    for layer in layer_order:
        own = levels.get(layer)
        if own is None:
            gates[layer] = Gate(None, None)
            if ceiling is not None:
                ceiling += 1
            continue
        if ceiling is not None and ceiling < own:
            gates[layer] = Gate(ceiling, ceiling_from)
        else:
            gates[layer] = Gate(own, None)
        gated = gates[layer].gated_level
        assert gated is not None
        ceiling, ceiling_from = gated + 1, layer
    return gates


def overall_index(dimension_scores: Iterable[float]) -> float | None:
    """Overall index = (mean of the team's dimension scores − 1) / 4 × 100, one decimal, over the dimensions that have a score."""  # noqa: E501
    scores = list(dimension_scores)
    if not scores:
        return None
    return round((math.fsum(scores) / len(scores) - 1) / 4 * 100, 1)


def stage_complete(gated_levels: Iterable[int | None]) -> bool:
    """Stage and ranking need all four layers scored: a team with a layer that has no score (or is suppressed) is "incomplete", has no stage, says which layers are missing and is ranked apart, after the complete teams."""  # noqa: E501 - the first line is the rule sentence shown in the app
    levels = list(gated_levels)
    return bool(levels) and all(level is not None for level in levels)


def stage_of(gated_levels: Iterable[int | None]) -> int | None:
    """Stage = the lowest gated level of the four layers; without all four (see "Complete stage") there is none."""
    levels = list(gated_levels)
    if not stage_complete(levels):
        return None
    return min(level for level in levels if level is not None)


def rank_key(stage: int, index: float | None, team: str) -> tuple[int, float, str]:
    """Ranking: complete teams by stage first (highest first), then by overall index (highest first), then by name; the stage comes first because a layer counts only as far as the one under it allows."""  # noqa: E501 - the first line is the rule sentence shown in the app
    return (-stage, -(index if index is not None else -1.0), team.lower())


def stage_blocker(gated_levels: Sequence[tuple[str, int | None]]) -> str | None:
    """Blocker: the lowest layer whose gated level equals the stage, the foundation that holds the team at its stage (none without a stage).

    ``gated_levels`` are (layer id, gated level) pairs in layer order.
    """  # noqa: E501 - the first line is the rule sentence shown in the app
    stage = stage_of(level for _, level in gated_levels)
    if stage is None:
        return None
    return next(layer for layer, level in gated_levels if level == stage)


#: A paradox mechanism whose items average below this (the lowest score of level 4 Managed) is named as
#: eating the team's gains; at or above it on every mechanism, none is named.
PARADOX_BELOW = 3.4


def paradox_mechanism(mechanism_means: Mapping[str, float]) -> str | None:
    """Paradox mechanism: each item guards against one mechanism that eats AI's gains (expectation inflation, meta-work, rework, permission ambiguity, absorbed capacity); the mechanism whose items have the lowest mean (over the item means the team may see) is the one most likely eating the team's gains, named only when that mean is below 3.4 (the lowest score of level 4)."""  # noqa: E501 - the first line is the rule sentence shown in the app
    if not mechanism_means:
        return None
    # the lowest mean; a tie goes to the mechanism listed first
    lowest = min(mechanism_means, key=lambda mechanism: round_score(mechanism_means[mechanism]))
    return lowest if round_score(mechanism_means[lowest]) < PARADOX_BELOW else None


# --- agreement ----------------------------------------------------------------------------------------


def sample_std(values: Sequence[float], counts: Sequence[int] | None = None) -> float | None:
    """Spread is the sample standard deviation (n − 1) of the respondents' scores (or item values); it needs at least two values.

    With ``counts``, ``values[i]`` occurs ``counts[i]`` times (an item's level distribution).
    """  # noqa: E501
    if counts is None:
        if len(values) < 2:
            return None
        # fsum is exactly rounded: the result does not depend on the order of the values.
        mean = math.fsum(values) / len(values)
        return math.sqrt(math.fsum([(value - mean) ** 2 for value in values]) / (len(values) - 1))
    n = 0
    total = 0.0
    for value, count in zip(values, counts, strict=True):
        n += count
        total += value * count
    if n < 2:
        return None
    mean = total / n
    spread = 0.0
    for value, count in zip(values, counts, strict=True):
        if count:
            spread += count * (value - mean) ** 2
    return math.sqrt(spread / (n - 1))


def consensus_label(std: float | None) -> ConsensusLabel | None:
    """Consensus: a standard deviation below 0.6 is aligned, below 1.0 mixed, otherwise divided."""
    if std is None:
        return None
    shown = round_score(std)
    if shown < CONSENSUS_ALIGNED_BELOW:
        return "aligned"
    if shown < CONSENSUS_MIXED_BELOW:
        return "mixed"
    return "divided"


def gap_flagged(gap: float | None) -> bool:
    """Perception gap: leaders' mean minus the other roles' mean is flagged when it is 1.0 or more either way."""
    return gap is not None and abs(round_score(gap)) >= GAP_THRESHOLD


def dont_know_flagged(rate: float | None) -> bool:
    """A dimension (or item) where 30 % or more of the answers are "don't know" is a finding: people do not know the rules."""  # noqa: E501
    return rate is not None and round(rate, 3) >= DONT_KNOW_THRESHOLD


# --- anonymity ----------------------------------------------------------------------------------------


def effective_k(k: int) -> int:
    """The anonymity threshold k is set per assessment (default 3) and is never below 3."""
    return max(k, MIN_K)


def is_suppressed(respondents: int, k: int) -> bool:
    """Any aggregate of individual answers over fewer than k respondents is suppressed: no numbers are shown."""
    return respondents < effective_k(k)


def segment_visible(segment_respondents: int, team_respondents: int, k: int) -> bool:
    """A segment (a role) is shown only if it has at least k respondents and the rest of its team has 0 or at least k, so nobody can subtract their way to a small group."""  # noqa: E501
    rest = team_respondents - segment_respondents
    return not is_suppressed(segment_respondents, k) and (rest == 0 or not is_suppressed(rest, k))


def update_allowed(isolated_people: int | None, k: int) -> bool:
    """Results are published, not live: a group's published figures change only when no sum or difference of everything ever published for it can single out fewer than k people, so a result updates once at least k more people have answered (or changed answers), and until then new and changed answers wait.

    ``isolated_people`` is the fewest people some combination of the published views and the new one would
    isolate (None when none can; computed by ``scoring.disclosure.smallest_isolated_group``).
    """  # noqa: E501
    return isolated_people is None or isolated_people >= effective_k(k)


def comments_visible(respondents: int, k: int) -> bool:
    """Free-text comments are shown only when the group has at least max(k, 5) respondents, shuffled, without timestamps or roles."""  # noqa: E501
    return respondents >= max(effective_k(k), COMMENT_MINIMUM)


# --- benchmarks ---------------------------------------------------------------------------------------


def peers_sufficient(peers: int) -> bool:
    """Peer percentiles are shown only against at least 5 peer teams that answered the same questionnaire and are not suppressed."""  # noqa: E501
    return peers >= PEER_MINIMUM


#: The fewest teams a dimension of an exported or imported benchmark pack may be built from.
PACK_MINIMUM_TEAMS = 10
#: The target level of every dimension unless the team or leader set another.
DEFAULT_TARGET_LEVEL = 4


def pack_dimension_allowed(teams: int) -> bool:
    """Benchmark packs hold measured data only: a dimension is exported (and accepted on import) only when at least 10 teams, each past its own anonymity threshold k, have a published score there; percentiles are rounded to one decimal and no team is named."""  # noqa: E501
    return teams >= PACK_MINIMUM_TEAMS


def level_floor(level: int) -> float:
    """The lowest score of a level (level 1 starts at 1; level 4 Managed at 3.4)."""
    return 1.0 if level <= 1 else LEVEL_THRESHOLDS[min(level, 5) - 2]


def target_gap(score: float, target_level: int = DEFAULT_TARGET_LEVEL) -> float:
    """Target profile: each dimension is compared with the level the team or leader set as its goal (default level 4 on every dimension); the gap is the score still missing to that level's lowest score (3.4 for level 4), 0 once it is reached."""  # noqa: E501
    return max(0.0, round_score(level_floor(target_level) - round_score(score)))


def percentile_among(score: float, peer_scores: Sequence[float]) -> float:
    """Percentile rank among peers = the share of peer scores below the team's, counting ties as half, × 100."""
    below = sum(1 for peer in peer_scores if peer < score)
    equal = sum(1 for peer in peer_scores if peer == score)
    return percentile_from_counts(below, equal, len(peer_scores))


def percentile_from_counts(below: int, equal: int, peers: int) -> float:
    """``percentile_among`` from the counts of peer scores below and equal to the team's, of ``peers``."""
    return round((below + equal / 2) / peers * 100, 1)


def percentile_in_pack(score: float, points: Sequence[tuple[float, float]]) -> float:
    """Percentile rank in a pack is read off straight lines between its percentiles (p10…p90), with score 1 at 0 and score 5 at 100.

    ``points`` are ``(percentile, score)`` pairs in increasing order. Where several percentiles share a
    score, a team at exactly that score gets the highest of them.
    """  # noqa: E501
    curve = [(0.0, 1.0), *points, (100.0, 5.0)]
    best = 0.0
    for (rank_low, low), (rank_high, high) in itertools.pairwise(curve):
        if score >= high:
            best = rank_high
            continue
        if score > low and high > low:
            best = rank_low + (score - low) / (high - low) * (rank_high - rank_low)
        break
    return round(min(best, 100.0), 1)


# --- capacity -----------------------------------------------------------------------------------------


class CapacityHours(NamedTuple):
    """The capacity ledger's figures, in hours per person per week."""

    hours_before: float
    hours_freed: float
    net_freed_hours: float
    redeployed_hours: float
    absorbed_hours: float


#: Hours in one full-time week, for turning a team's freed hours into full-time equivalents.
FULL_TIME_HOURS_PER_WEEK = 40.0


def capacity_hours(
    ai_hours_now: float, task_time_reduction_pct: float, meta_work_hours: float, redeployed_pct: float
) -> CapacityHours:
    """Capacity ledger: the AI-assisted tasks took (hours now) ÷ (1 − gross reduction %) before, so hours freed = that before-time − hours now; minus the meta-work hours (prompting, reviewing, correcting, counted once, here); what is left is either deliberately redeployed (the team's redeployed %) or absorbed as more of the same work.

    The reduction is gross: how much less time the tasks themselves take, as a share of the time they used
    to take, before any review time; meta-work is entered separately and subtracted once. For example, tasks
    that take 20 h a week now with a 30 % reduction took 20 / 0.7 = 28.6 h before: 8.6 h are freed, not 6.
    When meta-work exceeds the hours freed, nothing is left to redeploy or absorb.
    """  # noqa: E501
    hours_before = ai_hours_now / (1 - task_time_reduction_pct / 100)
    hours_freed = hours_before - ai_hours_now
    net = hours_freed - meta_work_hours
    available = max(net, 0.0)
    redeployed = available * redeployed_pct / 100
    return CapacityHours(hours_before, hours_freed, net, redeployed, available - redeployed)


def full_time_equivalents(team_hours_per_week: float) -> float:
    """Full-time equivalents: a team's hours per week (hours per person × people) ÷ 40 hours of a full-time week."""
    return team_hours_per_week / FULL_TIME_HOURS_PER_WEEK


# --- action plans -------------------------------------------------------------------------------------


def action_rank_key(
    caps_layer_number: int | None,
    dimension_score: float | None,
    divided: bool,
    dont_know_high: bool,
    item_mean: float | None,
    position: int,
) -> tuple[float, ...]:
    """Actions are ranked by (1) layers that cap a higher layer, lowest layer first, (2) lowest dimension score, (3) divided items, (4) high don't-know rate; the top 7 lead the plan.

    Remaining ties go to the lower item mean, then to questionnaire order, so the plan is deterministic.
    """  # noqa: E501
    return (
        0 if caps_layer_number is not None else 1,
        caps_layer_number if caps_layer_number is not None else 0,
        dimension_score if dimension_score is not None else math.inf,
        0 if divided else 1,
        0 if dont_know_high else 1,
        item_mean if item_mean is not None else 0.0,
        position,
    )


#: How many focus areas an action plan leads with, and how many of its top actions one area may hold.
FOCUS_AREAS = 3
FOCUS_ACTIONS = 3


class FocusCandidate(NamedTuple):
    """What the focus rule reads of a dimension that has actions."""

    dimension_id: str
    caps_layer_number: int | None
    score: float | None
    divided_items: int
    dont_know_items: int


def focus_areas(candidates: Sequence[FocusCandidate]) -> list[tuple[str, str]]:
    """Focus areas: a plan leads with at most 3 dimensions: first the layers that cap a higher layer (lowest layer first), then the lowest-scoring dimensions still below level 4 (a score under 3.4), then one the team is divided on or cannot see (many "don't know"); at most 3 of the top 7 actions come from one focus area.

    Returns ``(dimension id, why)`` pairs, ``why`` one of ``caps``, ``lowest``, ``divided``, ``dont_know``;
    a team whose every dimension is at level 4 or above still gets its lowest dimension as its one focus.
    """  # noqa: E501
    chosen: list[tuple[str, str]] = []
    taken: set[str] = set()

    def take(candidate: FocusCandidate, why: str) -> None:
        if len(chosen) < FOCUS_AREAS and candidate.dimension_id not in taken:
            chosen.append((candidate.dimension_id, why))
            taken.add(candidate.dimension_id)

    for candidate in sorted(
        (c for c in candidates if c.caps_layer_number is not None), key=lambda c: c.caps_layer_number or 0
    ):
        take(candidate, "caps")
    scored = sorted((c for c in candidates if c.score is not None), key=lambda c: c.score or 0.0)
    for candidate in scored:
        if (candidate.score or 0.0) < level_floor(4) or not chosen:
            take(candidate, "lowest")
    for candidate in sorted(candidates, key=lambda c: (-c.divided_items, -c.dont_know_items)):
        if candidate.divided_items:
            take(candidate, "divided")
        elif candidate.dont_know_items:
            take(candidate, "dont_know")
    return chosen


def order_by_requirements(ranked_ids: Sequence[str], requires: Mapping[str, Sequence[str]]) -> list[str]:
    """Plan order: an action that builds on another (its `requires` in the questionnaire) comes after it when both are in the plan; otherwise the ranking stands.

    A stable topological order: each place goes to the highest-ranked action whose prerequisites in the
    plan are already placed. The questionnaire refuses cycles, so every action gets a place; should one
    slip through, the rest keep their ranked order at the end.
    """  # noqa: E501
    present = set(ranked_ids)
    pending = list(ranked_ids)
    placed: list[str] = []
    done: set[str] = set()
    while pending:
        ready = next(
            (i for i in pending if all(r in done or r not in present or r == i for r in requires.get(i, ()))),
            None,
        )
        if ready is None:  # a cycle: keep the ranking for what is left
            placed.extend(pending)
            break
        pending.remove(ready)
        placed.append(ready)
        done.add(ready)
    return placed


# --- change over time ---------------------------------------------------------------------------------

#: Student's t, 97.5th percentile (two-sided 95 %), for 1–30 degrees of freedom, then 40, 60, 120 and ∞
#: (the normal 1.960); between table rows it is interpolated linearly in 1 / df.
T_975: tuple[tuple[float, float], ...] = (
    *zip(
        range(1, 31),
        (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
         2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
         2.045, 2.042),
        strict=True,
    ),
    (40, 2.021),
    (60, 2.000),
    (120, 1.980),
)  # fmt: skip
T_975_INFINITY = 1.960


def t_quantile_975(degrees_of_freedom: float) -> float:
    """The 97.5th percentile of Student's t with this many degrees of freedom (from ``T_975``)."""
    df = max(1.0, degrees_of_freedom)
    rows = [(float(d), t) for d, t in T_975]
    if df >= rows[-1][0]:
        (d0, t0), (d1, t1) = rows[-1], (math.inf, T_975_INFINITY)
        share = (1 / d0 - 1 / df) / (1 / d0)  # 0 at the last row, 1 at infinity
        return t0 + (t1 - t0) * share
    for (d0, t0), (d1, t1) in itertools.pairwise(rows):
        if d0 <= df <= d1:
            share = (1 / d0 - 1 / df) / (1 / d0 - 1 / d1)
            return t0 + (t1 - t0) * share
    return rows[0][1]


def change_interval(
    before: tuple[float, float, int], after: tuple[float, float, int]
) -> tuple[float, float, float] | None:
    """Change over time: a change between two rounds counts only when the 95 % confidence interval of the difference of the two means excludes zero (Welch's t: each round's published mean, standard deviation and number of respondents); inside it the change reads "no clear change".

    ``before`` and ``after`` are (mean, standard deviation, n); returns (difference, low, high), or ``None``
    when a round has fewer than 2 respondents (a consensus answer set has no spread to test). The t
    quantile comes from a table (``T_975``) interpolated for Welch's fractional degrees of freedom. With
    seven people a round, a dimension must typically move by about 0.5 to 1 point to count.
    """  # noqa: E501
    (mean_1, sd_1, n_1), (mean_2, sd_2, n_2) = before, after
    if n_1 < 2 or n_2 < 2:
        return None
    difference = mean_2 - mean_1
    var_1, var_2 = sd_1**2 / n_1, sd_2**2 / n_2
    error = math.sqrt(var_1 + var_2)
    if error == 0:
        return difference, difference, difference
    df = (var_1 + var_2) ** 2 / (
        (var_1**2 / (n_1 - 1) if var_1 else 0) + (var_2**2 / (n_2 - 1) if var_2 else 0)
    )
    margin = t_quantile_975(df) * error
    return difference, difference - margin, difference + margin


#: The longest a team should wait for its next round, in days (about six months).
NEXT_ROUND_MAXIMUM_DAYS = 182


def next_round_days(horizons: Iterable[int]) -> int:
    """Next round: recommended when the plan's longest action horizon has passed (so every action had its time), at most six months (182 days) after the plan was made; 90 days when the plan has no actions."""  # noqa: E501
    longest = max(horizons, default=90)
    return min(longest, NEXT_ROUND_MAXIMUM_DAYS)


# --- the rule book as data ----------------------------------------------------------------------------


class Rule(NamedTuple):
    """One rule for people: a short name and the sentence that states it (from the function's docstring)."""

    name: str
    sentence: str


def _sentence(function: object) -> str:
    doc = (getattr(function, "__doc__", None) or "").strip()
    first_paragraph = doc.split("\n\n", 1)[0]
    return " ".join(first_paragraph.split())


_RULE_FUNCTIONS: tuple[tuple[str, object], ...] = (
    ("Respondent score", respondent_dimension_score),
    ("Team score", team_dimension_score),
    ("Levels", level_of),
    ("Recommendation bands", band_of),
    ("Gating", gate_levels),
    ("Overall index", overall_index),
    ("Stage", stage_of),
    ("Complete stage", stage_complete),
    ("Ranking", rank_key),
    ("Blocker", stage_blocker),
    ("Paradox mechanism", paradox_mechanism),
    ("Spread", sample_std),
    ("Consensus", consensus_label),
    ("Perception gap", gap_flagged),
    ("Don't know", dont_know_flagged),
    ("Anonymity threshold", effective_k),
    ("Suppression", is_suppressed),
    ("Segments", segment_visible),
    ("Publication", update_allowed),
    ("Comments", comments_visible),
    ("Peer benchmarks", peers_sufficient),
    ("Peer percentile", percentile_among),
    ("Benchmark packs", percentile_in_pack),
    ("Benchmark pack export", pack_dimension_allowed),
    ("Target profile", target_gap),
    ("Capacity ledger", capacity_hours),
    ("Full-time equivalents", full_time_equivalents),
    ("Action plan", action_rank_key),
    ("Focus areas", focus_areas),
    ("Plan order", order_by_requirements),
    ("Change over time", change_interval),
    ("Next round", next_round_days),
)

#: Every rule, in reading order, as (name, sentence) pairs taken from the docstrings above.
RULES: list[Rule] = [Rule(name, _sentence(function)) for name, function in _RULE_FUNCTIONS]
