"""Every chart in words: a sentence or two built from the chart's own table (``reports.charts.*_table``).

A page shows the summary beside its chart, so a person who cannot see the chart (or cannot tell its colours
apart) reads what it shows: the highest and lowest values, the gaps that matter, what is suppressed. Each
function is pure and takes the very table the chart is drawn from, so the words never disagree with it.
Names in the summaries (teams, dimensions, roles) are as the table holds them; pages escape them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from reports.wording import plural
from scoring.rules import format_score

__all__ = [
    "benchmark_summary",
    "gap_summary",
    "item_distribution_summary",
    "item_heatmap_summary",
    "kpi_reference_summary",
    "layer_ladder_summary",
    "org_heatmap_summary",
    "role_week_summary",
    "target_summary",
    "trend_summary",
]

#: How many names a summary lists before it says "and N more".
LISTED = 3


def _present(value: Any) -> bool:
    return value is not None and not pd.isna(value)


def _listed(names: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C', 'A, B, C and 2 more'."""
    names = list(names)
    if len(names) > LISTED:
        return ", ".join(names[:LISTED]) + f" and {len(names) - LISTED} more"
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _hours(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _ordinal(value: float) -> str:
    number = round(value)
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _without_numbers(table: pd.DataFrame, value: str, label: str = "dimension") -> str:
    """' No numbers for X (suppressed).' for the rows whose ``value`` is missing, else ''."""
    missing = [
        str(name) for name, number in zip(table[label], table[value], strict=True) if not _present(number)
    ]
    return f" No numbers for {_listed(missing)}." if missing else ""


def _extremes(table: pd.DataFrame, value: str, label: str, show: Any) -> str:
    """'A is highest at 3.4; B lowest at 1.8' over the rows with a value ('' when none)."""
    shown = table[[_present(v) for v in table[value]]]
    if shown.empty:
        return ""
    top = shown.loc[shown[value].astype(float).idxmax()]
    low = shown.loc[shown[value].astype(float).idxmin()]
    if len(shown) == 1 or top[value] == low[value]:
        return (
            f"{top[label]} is at {show(top[value])}" if len(shown) == 1 else f"All are at {show(top[value])}"
        )
    return f"{top[label]} is highest at {show(top[value])}; {low[label]} lowest at {show(low[value])}"


def layer_ladder_summary(table: pd.DataFrame) -> str:
    """The four layers (``layer_ladder_table``): the strongest and weakest level that counts, and each cap.

    "Permission is highest at level 4 Managed; Coaching lowest at level 2 Emerging. Held down: Boundaries
    at level 2 by Permission (own level 3)."
    """
    if table.empty:
        return "This questionnaire has no layers."
    table = table.assign(
        counts=[
            f"level {int(level)} {name}" if _present(level) else ""
            for level, name in zip(table["gated_level"], table["gated_level_name"], strict=True)
        ]
    )
    shown = table[[_present(v) for v in table["gated_level"]]]
    if shown.empty:
        return "No layer has a score yet." + _without_numbers(table, "gated_level")
    top = shown.loc[shown["gated_level"].astype(float).idxmax()]
    low = shown.loc[shown["gated_level"].astype(float).idxmin()]
    if top["gated_level"] == low["gated_level"]:
        text = f"Every layer with a score counts at {top['counts']}."
    else:
        text = (
            f"{top['dimension']} is highest at {top['counts']}; {low['dimension']} lowest at {low['counts']}."
        )
    capped = [
        f"{row.dimension} at level {int(row.gated_level)} by {row.capped_by} (own level {int(row.level)})"
        for row in shown.itertuples()
        if _present(row.capped_by) and row.capped_by
    ]
    text += f" Held down: {'; '.join(capped)}." if capped else " No layer is held down by the one under it."
    return text + _without_numbers(table, "gated_level")


def target_summary(table: pd.DataFrame) -> str:
    """Scores against the target (``target_table``): highest and lowest, how many reach their target, the
    furthest below it, and the largest change since the previous round.

    "Permission is highest at 3.4; Coaching lowest at 1.8, 1.6 below the target 3.4 (level 4). 1 of 5
    dimensions reaches its target."
    """
    shown = table[[_present(v) for v in table["score"]]]
    if shown.empty:
        return "No dimension has a score yet."
    text = _extremes(table, "score", "dimension", format_score)
    furthest = shown.loc[shown["gap to target"].astype(float).idxmax()]
    if furthest["gap to target"] > 0:
        text += (
            f"; {furthest['dimension']} is furthest below its target, {format_score(furthest['gap to target'])}"
            f" under {format_score(furthest['target score'])} (level {int(furthest['target'])})"
        )
    reached = int((shown["gap to target"].astype(float) == 0).sum())
    verb = "reaches its" if reached == 1 else "reach their"
    text += f". {reached} of {plural(len(shown), 'dimension')} {verb} target."
    changes = shown[[_present(v) for v in shown["change"]]]
    if not changes.empty:
        moved = changes.loc[changes["change"].astype(float).abs().idxmax()]
        change = float(moved["change"])
        text += (
            " No change since the previous round."
            if change == 0
            else f" Largest change since the previous round: {moved['dimension']}, {change:+.2f}."
        )
    return text + _without_numbers(table, "score")


def benchmark_summary(table: pd.DataFrame) -> str:
    """The team against a benchmark (``benchmark_table``): its highest and lowest percentile rank and, with a
    pack, on how many dimensions it is above the pack's median.

    "Highest percentile: Permission, 82nd (score 3.6); lowest: Coaching, 12th (score 1.9). Above the
    benchmark median on 3 of 5 dimensions."
    """
    if table.empty:
        return "No benchmark to compare with."
    ranked = table[[_present(v) for v in table["percentile"]]]
    if ranked.empty:
        text = "No dimension has a percentile rank."
    else:
        top = ranked.loc[ranked["percentile"].astype(float).idxmax()]
        low = ranked.loc[ranked["percentile"].astype(float).idxmin()]
        first = f"{top['dimension']}, {_ordinal(top['percentile'])} (score {format_score(top['score'])})"
        if len(ranked) == 1:
            text = f"Percentile rank: {first}."
        else:
            last = f"{low['dimension']}, {_ordinal(low['percentile'])} (score {format_score(low['score'])})"
            text = f"Highest percentile: {first}; lowest: {last}."
    with_median = table[
        [_present(s) and _present(m) for s, m in zip(table["score"], table["p50"], strict=True)]
    ]
    if not with_median.empty:
        above = int((with_median["score"].astype(float) > with_median["p50"].astype(float)).sum())
        text += f" Above the benchmark median on {above} of {plural(len(with_median), 'dimension')}."
    return text + _without_numbers(table, "score")


def item_heatmap_summary(table: pd.DataFrame) -> str:
    """The item heat table (``item_heatmap_table``): the highest and lowest item mean, the item with the
    most "Don't know" answers, how many items are divided and how many have no numbers.

    "Highest item mean: Guide known (Permission) at 4.2; lowest: Coaching in 1:1s (Coaching) at 1.6.
    Most "Don't know": Guide updated, 3 people. 2 items divided."
    """
    if table.empty:
        return "No items to show."
    table = table.assign(named=[f"{i} ({d})" for i, d in zip(table["item"], table["dimension"], strict=True)])
    shown = table[[_present(v) for v in table["mean"]]]
    if shown.empty:
        text = "No item has a mean yet."
    else:
        top = shown.loc[shown["mean"].astype(float).idxmax()]
        low = shown.loc[shown["mean"].astype(float).idxmin()]
        text = (
            f"Highest item mean: {top['named']} at {format_score(top['mean'])}; "
            f"lowest: {low['named']} at {format_score(low['mean'])}."
        )
    counted = table[
        [_present(v) and not note for v, note in zip(table["dont_know"], table["note"], strict=True)]
    ]
    unsure = counted[counted["dont_know"].astype(float) > 0] if not counted.empty else counted
    if unsure.empty:
        text += ' Nobody answered "Don\'t know".'
    else:
        most = unsure.loc[unsure["dont_know"].astype(float).idxmax()]
        text += (
            f' "Don\'t know" on {plural(len(unsure), "item")}, most often {most["named"]}: '
            f"{plural(int(most['dont_know']), 'person', 'people')}."
        )
    divided = int((table["consensus"] == "divided").sum())
    if divided:
        text += f" {plural(divided, 'item')} divided (a spread of 1.0 or more)."
    hidden = int((table["note"] != "").sum())
    if hidden:
        text += f" {plural(hidden, 'item')} without numbers (too few answers)."
    return text


def kpi_reference_summary(table: pd.DataFrame) -> str:
    """The team's KPIs against reference points (``kpi_reference_table``): per KPI the team entered, its
    value and the range of the reference points; without any, how many reference points there are.

    "Rework rate (%, lower is better): your team 12, reference points 5 to 18."
    """
    if table.empty:
        return "No KPIs or reference points."
    entered = set(table.loc[table["who"] == "Your team", "kpi_id"])
    if not entered:
        kpis = table["kpi"].nunique()
        return (
            f"The team has not entered KPIs yet; the chart shows {plural(len(table), 'reference point')} "
            f"for {plural(kpis, 'KPI')}."
        )
    parts = []
    for _, rows in table[table["kpi_id"].isin(entered)].groupby("kpi_id", sort=False):
        team = rows[rows["who"] == "Your team"]["value"].iloc[0]
        points = rows[rows["who"] != "Your team"]["value"].astype(float)
        text = f"{rows['kpi'].iloc[0]}: your team {team:g}"
        if len(points) == 1:
            text += f", reference point {points.iloc[0]:g}"
        elif len(points) > 1:
            text += f", reference points {points.min():g} to {points.max():g}"
        parts.append(text)
    return ". ".join(parts) + "."


def item_distribution_summary(table: pd.DataFrame, level_names: Sequence[str], dont_know: str) -> str:
    """One dimension's answers per item (``item_distribution_table``): the most chosen level over all items,
    the "Don't know" answers, and which items are divided or have no numbers.

    "Most answers at 3 Defined (9 of 20); "Don't know": 2. Divided: Guide known."
    """
    shown = table[table["note"] == ""]
    if shown.empty:
        return "No item has numbers yet (too few answers)." if not table.empty else "No items to show."
    counts = [int(shown[f"level_{level}"].fillna(0).sum()) for level in range(1, 6)]
    unsure = int(shown["dont_know"].fillna(0).sum())
    total = sum(counts) + unsure
    if total == 0:
        return "Nobody has answered yet."
    level = counts.index(max(counts)) + 1
    name = level_names[level - 1] if level <= len(level_names) else ""
    text = f"Most answers at {level} {name} ({max(counts)} of {total}); “{dont_know}”: {unsure}."
    divided = [
        str(item)
        for item, consensus in zip(shown["item"], shown["consensus"], strict=True)
        if consensus == "divided"
    ]
    text += f" Divided: {_listed(divided)}." if divided else " No item is divided."
    hidden = len(table) - len(shown)
    if hidden:
        text += f" {plural(hidden, 'item')} without numbers (too few answers)."
    return text


def org_heatmap_summary(table: pd.DataFrame) -> str:
    """Teams × dimensions (``org_heatmap_table``): per dimension the median gated level over the teams with
    one, its highest and lowest, how many cells are held down, and the teams without numbers.

    "Across 6 teams: Permission has the highest median level (4), Coaching the lowest (2). 3 levels are
    held down by a lower layer. No numbers for Tiny team."
    """
    if table.empty:
        return "No teams yet."
    teams = list(dict.fromkeys(table["team"]))
    shown = table[[_present(v) for v in table["gated_level"]]]
    if shown.empty:
        return f"None of the {plural(len(teams), 'team')} has a level to show."
    medians = shown.groupby("dimension", sort=False)["gated_level"].median()
    counted = shown["team"].nunique()
    top, low = medians.idxmax(), medians.idxmin()
    if medians[top] == medians[low]:
        text = f"Across {plural(counted, 'team')} with numbers, every dimension has a median level of {medians[top]:g}."
    else:
        text = (
            f"Across {plural(counted, 'team')} with numbers, {top} has the highest median level ({medians[top]:g}) "
            f"and {low} the lowest ({medians[low]:g})."
        )
    capped = int(shown["capped"].astype(bool).sum())
    if capped:
        text += f" {plural(capped, 'level is', 'levels are')} held down by a lower layer (marked ↓)."
    with_numbers = set(shown["team"])  # once, not once per team (a thousand teams on the leader page)
    missing = [team for team in teams if team not in with_numbers]
    if missing:
        text += f" No numbers for {_listed(missing)}."
    return text


def trend_summary(table: pd.DataFrame, *, highlight: str | None = None) -> str:
    """Each team's overall index over the rounds (``trend_table``): from its first to its last round with
    an index, the team that rose most and the one that fell most (or the highlighted team's path).

    "6 teams in two rounds or more. Rose most: Platform, 42.0 in 2025 Q1 → 55.5 in 2026 Q1; fell most:
    Data, 60.0 in 2025 Q1 → 51.0 in 2026 Q1."
    """
    shown = table[[_present(v) for v in table["index"]]].sort_values("position", kind="stable")
    if shown.empty:
        return "No index to show yet."
    paths: dict[str, str] = {}
    moves: dict[str, float] = {}
    for team, rows in shown.groupby("team", sort=False):
        first, last = rows.iloc[0], rows.iloc[-1]
        paths[str(team)] = f"{team}, {first['index']:.1f} in {first['round']}"
        if len(rows) > 1:
            paths[str(team)] += f" → {last['index']:.1f} in {last['round']}"
            moves[str(team)] = float(last["index"]) - float(first["index"])
    if highlight is not None and highlight in paths:
        return f"Overall index of {paths[highlight]} (the other teams in grey)."
    if len(paths) <= 2:
        return "Overall index: " + "; ".join(paths.values()) + "."
    if not moves:
        return _extremes(shown, "index", "team", lambda v: f"{v:.1f}") + " (each team in one round only)."
    up, down = max(moves, key=moves.__getitem__), min(moves, key=moves.__getitem__)
    if len(moves) == 1:
        return f"Overall index of {paths[up]}; the other teams have one round each."
    if moves[up] == moves[down] == 0:
        return f"{plural(len(moves), 'team')} in two rounds or more; no team's index changed."
    text = f"{plural(len(moves), 'team')} in two rounds or more. Rose most: {paths[up]}"
    return text + (
        f"; fell most: {paths[down]}." if moves[down] < 0 else f"; no team fell (least rise: {paths[down]})."
    )


def gap_summary(table: pd.DataFrame) -> str:
    """Perception gaps (``gap_table``): the largest gap between the leaders' and the others' mean, and how
    many gaps are flagged (1.0 or more either way).

    "Largest gap: Coaching, leaders 3.8 vs the others 2.1 (+1.7). 1 of 5 gaps is flagged (1.0 or more)."
    """
    shown = table[[_present(v) for v in table["gap"]]]
    if shown.empty:
        return "No perception gap can be shown: each needs at least k leaders and k others with a score."
    several = table["team"].nunique() > 1
    largest = shown.loc[shown["gap"].astype(float).abs().idxmax()]
    where = f"{largest['team']}, {largest['dimension']}" if several else str(largest["dimension"])
    text = (
        f"Largest gap: {where}, leaders {format_score(largest['leader_mean'])} vs the others "
        f"{format_score(largest['others_mean'])} ({float(largest['gap']):+.2f})."
    )
    flagged = int(shown["flagged"].astype(bool).sum())
    text += f" {flagged} of {plural(len(shown), 'gap')} flagged (1.0 or more either way)."
    hidden = int((table["gap"].isna() & table["dimension"].notna()).sum())
    if hidden:
        text += f" {plural(hidden, 'gap')} not shown (too few leaders or others)."
    without = list(table.loc[table["dimension"].isna(), "team"])
    if without:
        text += f" Left out: {_listed([str(team) for team in without])}."
    return text


def role_week_summary(table: pd.DataFrame) -> str:
    """A role's week (``role_week_table``): per role the hours before and after, and where the after-week
    goes besides human-only work (review, redeployed, absorbed).

    "Analyst: 40 h before, 36 h after, of which review (meta-work) 4 h, redeployed 3 h, absorbed 5 h."
    """
    if table.empty:
        return "The task map has no hours yet."
    parts = []
    for role, rows in table.groupby("role", sort=False):
        before = float(rows.loc[rows["week"] == "before", "hours"].sum())
        after_rows = rows[rows["week"] == "after"]
        after = float(after_rows["hours"].sum())
        text = f"{role}: {_hours(before)} h before, {_hours(after)} h after"
        named = [
            f"{category.lower()} {_hours(hours)} h"
            for category, hours in zip(after_rows["category"], after_rows["hours"], strict=True)
            if category in ("Review (meta-work)", "Redeployed", "Absorbed")
        ]
        if named:
            text += ", of which " + ", ".join(named)
        parts.append(text)
    shown = parts[:LISTED]
    more = f" And {plural(len(parts) - LISTED, 'more role')}." if len(parts) > LISTED else ""
    return ". ".join(shown) + "." + more
