"""Benchmarks: a team's percentile rank per dimension against peer teams and against a benchmark pack.

Packs are CSV files read elsewhere (``reports/packs.py``); ``parse_benchmark_pack`` checks rows that are
already read. Packs hold measured data only: ``build_pack`` makes one from published team results (at
least 10 teams per dimension, each past its k), and ``pack_mismatches`` refuses a pack made for another
questionnaire version or other item wording. Nothing is shipped: a team compares with its previous round,
its target profile and (from 5) its peers; a pack is an addition an organisation imports.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Mapping, Sequence

from scoring.models import BenchmarkComparison, BenchmarkPack, BenchmarkRow, DimensionResult, TeamResult
from scoring.rules import (
    PACK_MINIMUM_TEAMS,
    PEER_MINIMUM,
    pack_dimension_allowed,
    peers_sufficient,
    percentile_among,
    percentile_from_counts,
    percentile_in_pack,
)

PACK_COLUMNS: tuple[str, ...] = (
    "dimension",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "n",
    "source",
    "collected",
    "label",
    "questionnaire_id",
    "questionnaire_version",
    "wording",
)
_TEXT_COLUMNS: tuple[str, ...] = PACK_COLUMNS[7:]
_PERCENTILES: tuple[tuple[str, float], ...] = (
    ("p10", 10),
    ("p25", 25),
    ("p50", 50),
    ("p75", 75),
    ("p90", 90),
)


class BenchmarkPackError(ValueError):
    """A benchmark pack that cannot be used; ``errors`` lists one message per problem, naming the line."""

    def __init__(self, source_name: str, errors: list[str]) -> None:
        self.source_name = source_name
        self.errors = errors
        super().__init__(f"{source_name}: " + "; ".join(errors))


def parse_benchmark_pack(
    rows: Sequence[Mapping[str, str | None]], source_name: str, first_line: int = 2
) -> BenchmarkPack:
    """Check already-read CSV rows (``dimension, p10, p25, p50, p75, p90, n, source, collected, label``).

    Percentiles must be numbers between 1 and 5 that never decrease from p10 to p90, ``n`` a whole number
    of 0 or more, the text columns non-empty, and each dimension appear once. Raises ``BenchmarkPackError``
    naming the line and column of every problem; ``first_line`` is the file line of ``rows[0]``.
    """
    errors: list[str] = []
    parsed: list[BenchmarkRow] = []
    seen: dict[str, int] = {}
    if not rows:
        raise BenchmarkPackError(source_name, ["the pack has no rows"])
    missing = [column for column in PACK_COLUMNS if column not in rows[0]]
    if missing:
        raise BenchmarkPackError(
            source_name,
            [f"line 1: missing column(s) {', '.join(missing)} (expected {', '.join(PACK_COLUMNS)})"],
        )
    for offset, row in enumerate(rows):
        line = first_line + offset
        problems: list[str] = []
        text = {column: (row.get(column) or "").strip() for column in PACK_COLUMNS}
        for column in ("dimension", *_TEXT_COLUMNS):
            if not text[column]:
                problems.append(f"line {line}, column {column}: empty")
        values: dict[str, float] = {}
        for column, _ in _PERCENTILES:
            try:
                value = float(text[column])
            except ValueError:
                problems.append(f"line {line}, column {column}: '{text[column]}' is not a number")
                continue
            if not math.isfinite(value) or not 1 <= value <= 5:
                problems.append(f"line {line}, column {column}: {text[column]} is outside 1–5")
                continue
            values[column] = value
        if len(values) == len(_PERCENTILES):
            ordered = [values[column] for column, _ in _PERCENTILES]
            if ordered != sorted(ordered):
                problems.append(
                    f"line {line}: percentiles must not decrease from p10 to p90 (found {ordered})"
                )
        try:
            n = int(text["n"])
            if n < 0:
                raise ValueError
        except ValueError:
            problems.append(f"line {line}, column n: '{text['n']}' is not a whole number of 0 or more")
            n = 0
        dimension = text["dimension"]
        if dimension in seen:
            problems.append(
                f"line {line}, column dimension: '{dimension}' already appears on line {seen[dimension]}"
            )
        seen.setdefault(dimension, line)
        if problems:
            errors.extend(problems)
            continue
        parsed.append(BenchmarkRow(dimension=dimension, n=n, **values, **{c: text[c] for c in _TEXT_COLUMNS}))
    if errors:
        raise BenchmarkPackError(source_name, errors)
    return BenchmarkPack(source_name=source_name, rows=parsed)


def _quantile(ordered: Sequence[float], share: float) -> float:
    """The value at ``share`` (0–1) of sorted values, on straight lines between neighbours."""
    position = share * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def build_pack(
    results: Sequence[TeamResult],
    *,
    questionnaire_id: str,
    questionnaire_version: str,
    wording: Mapping[str, str],
    collected: str,
    source: str,
) -> tuple[BenchmarkPack, dict[str, str]]:
    """A measured pack from published team results, and why each dimension left out was left out.

    Only results of that questionnaire id and version count, one per team (the caller passes each team's
    latest); per dimension only teams with a (not suppressed) score. A dimension needs at least
    ``PACK_MINIMUM_TEAMS`` such teams (``scoring.rules.pack_dimension_allowed``). Percentiles are rounded to
    one decimal; no team is named.
    """
    same = [
        r
        for r in results
        if r.questionnaire_id == questionnaire_id and r.questionnaire_version == questionnaire_version
    ]
    rows: list[BenchmarkRow] = []
    skipped: dict[str, str] = {}
    for dimension_id, dimension_wording in wording.items():
        scores = sorted(
            d.score for r in same for d in r.dimensions if d.id == dimension_id and d.score is not None
        )
        if not pack_dimension_allowed(len(scores)):
            skipped[dimension_id] = (
                f"needs at least {PACK_MINIMUM_TEAMS} teams with a published score; {len(scores)}"
            )
            continue
        values = {column: round(_quantile(scores, rank / 100), 1) for column, rank in _PERCENTILES}
        rows.append(
            BenchmarkRow(
                dimension=dimension_id,
                n=len(scores),
                source=source,
                collected=collected,
                label=f"Measured: {len(scores)} teams",
                questionnaire_id=questionnaire_id,
                questionnaire_version=questionnaire_version,
                wording=dimension_wording,
                **values,
            )
        )
    return BenchmarkPack(source_name=source, rows=rows), skipped


def pack_mismatches(
    pack: BenchmarkPack, *, questionnaire_id: str, questionnaire_version: str, wording: Mapping[str, str]
) -> list[str]:
    """Why a pack cannot be compared with this questionnaire (empty when it can), one reason per row.

    A row must be for the same questionnaire id and version, for a dimension the questionnaire has, with
    the same item wording (``wording``: dimension → wording hash) and at least ``PACK_MINIMUM_TEAMS``
    teams.
    """
    problems = []
    for index, row in enumerate(pack.rows):
        where = f"line {index + 2} ({row.dimension})"
        if (row.questionnaire_id, row.questionnaire_version) != (questionnaire_id, questionnaire_version):
            problems.append(
                f"{where}: made for questionnaire {row.questionnaire_id} {row.questionnaire_version}, "
                f"expected {questionnaire_id} {questionnaire_version}"
            )
        elif row.dimension not in wording:
            problems.append(f"{where}: {questionnaire_id} has no dimension '{row.dimension}'")
        elif row.wording != wording[row.dimension]:
            problems.append(
                f"{where}: the wording of its items differs from this installation's, so its scores do not "
                "answer the same questions"
            )
        if not pack_dimension_allowed(row.n):
            problems.append(f"{where}: n = {row.n} teams, fewer than {PACK_MINIMUM_TEAMS}")
    return problems


def pack_percentiles(result: TeamResult, pack: BenchmarkPack) -> list[BenchmarkComparison]:
    """The team's percentile rank per dimension within a pack (``None`` with a reason when unknown)."""
    comparisons = []
    for dimension in result.dimensions:
        row = pack.row(dimension.id)
        percentile = reason = None
        if row is None:
            reason = f"the pack {pack.source_name} has no row for {dimension.name}"
        elif dimension.score is None:
            reason = dimension.suppressed_reason or "no score"
        else:
            points = [(rank, getattr(row, column)) for column, rank in _PERCENTILES]
            percentile = percentile_in_pack(dimension.score, points)
        comparisons.append(
            BenchmarkComparison(
                dimension_id=dimension.id,
                against="pack",
                score=dimension.score,
                percentile=percentile,
                peers=None if row is None else row.n,
                source=None if row is None else row.source,
                label=None if row is None else row.label,
                reason=reason,
            )
        )
    return comparisons


def _same_team(a: TeamResult, b: TeamResult) -> bool:
    return a.team == b.team and a.assessment_id == b.assessment_id


def peer_percentiles(result: TeamResult, peers: Sequence[TeamResult]) -> list[BenchmarkComparison]:
    """The team's percentile rank per dimension among peer teams (``percentile`` ``None`` below 5 peers).

    Peers are the other teams' results that answered the same questionnaire (same id; any version) and are
    not suppressed; per dimension only peers with a (non-suppressed) score there count. The team itself is
    left out when it appears in ``peers``.
    """
    eligible = [
        peer
        for peer in peers
        if peer.questionnaire_id == result.questionnaire_id
        and not peer.suppressed
        and not _same_team(peer, result)
    ]
    comparisons = []
    for dimension in result.dimensions:
        scores = [
            peer_dimension.score
            for peer in eligible
            for peer_dimension in peer.dimensions
            if peer_dimension.id == dimension.id and peer_dimension.score is not None
        ]
        comparisons.append(
            _peer_comparison(
                dimension, len(scores), lambda score, scores=scores: percentile_among(score, scores)
            )
        )
    return comparisons


def _peer_comparison(
    dimension: DimensionResult, peers: int, rank: Callable[[float], float]
) -> BenchmarkComparison:
    """One dimension's comparison with ``peers`` peer scores; ``rank`` gives the percentile of a score."""
    percentile = reason = None
    if dimension.score is None:
        reason = dimension.suppressed_reason or "no score"
    elif not peers_sufficient(peers):
        reason = f"needs at least {PEER_MINIMUM} peer teams; {peers} so far"
    else:
        percentile = rank(dimension.score)
    return BenchmarkComparison(
        dimension_id=dimension.id,
        against="peers",
        score=dimension.score,
        percentile=percentile,
        peers=peers,
        reason=reason,
    )


def peer_percentiles_all(results: Sequence[TeamResult]) -> dict[str, list[BenchmarkComparison]]:
    """``peer_percentiles`` of every team among all the others, by team name, in one pass per dimension.

    The same numbers as calling ``peer_percentiles(result, results)`` for each result (a test compares
    them), without comparing every team with every other team dimension by dimension: the scores are
    sorted once per questionnaire and dimension, and each team's own score is taken out by counting.
    """
    pools: dict[tuple[str, str], list[tuple[float, TeamResult]]] = {}
    for result in results:
        if result.suppressed:
            continue
        for dimension in result.dimensions:
            if dimension.score is not None:
                pools.setdefault((result.questionnaire_id, dimension.id), []).append(
                    (dimension.score, result)
                )
    sorted_scores = {key: sorted(score for score, _ in pool) for key, pool in pools.items()}
    own_scores: dict[tuple[str, str, tuple[str, str | None]], list[float]] = {}
    for key, pool in pools.items():
        for score, other in pool:
            own_scores.setdefault((*key, (other.team, other.assessment_id)), []).append(score)
    comparisons: dict[str, list[BenchmarkComparison]] = {}
    for result in results:
        rows = []
        for dimension in result.dimensions:
            key = (result.questionnaire_id, dimension.id)
            scores = sorted_scores.get(key, [])
            own = own_scores.get((*key, (result.team, result.assessment_id)), [])
            count = len(scores) - len(own)

            def rank(
                score: float, scores: list[float] = scores, own: list[float] = own, count: int = count
            ) -> float:
                # the team's own scores are in the sorted pool: counted out, not searched for
                below = bisect.bisect_left(scores, score) - sum(1 for s in own if s < score)
                equal = bisect.bisect_right(scores, score) - bisect.bisect_left(scores, score)
                equal -= sum(1 for s in own if s == score)
                return percentile_from_counts(below, equal, count)

            rows.append(_peer_comparison(dimension, count, rank))
        comparisons[result.team] = rows
    return comparisons
