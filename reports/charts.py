"""Charts: one function per chart, shared by the Streamlit pages and the PDF reports.

Every chart function returns an Altair chart whose styling is explicit (it does not depend on an Altair or
Streamlit theme: pages show them with ``st.altair_chart(chart, theme=None)``), uses colour-blind safe colours
(the Tableau colour-blind palette) and pins the bundled font "DejaVu Sans". Each chart has a companion
``*_table`` function returning the same numbers as a ``pandas.DataFrame`` for people who cannot read the
chart (pages show it in an expander, the PDF prints the key numbers beside the chart).

Anonymity: charts only ever receive numbers that scoring let through. A suppressed team, dimension or item
is drawn as the word "suppressed" with no value, or left out with a note in the subtitle; the ``*_table``
functions carry ``None`` and the reason.

``render_scenegraph`` lays a chart out with vl-convert (no network access: ``allowed_base_urls=[]``) for the
PDF, which draws it as vector graphics (``reports.vector``); ``render_png`` turns it into PNG bytes. Both
register the bundled fonts and cache by the chart's spec, so identical charts are laid out once.
"""

from __future__ import annotations

import functools
import json
import re
import textwrap
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import altair as alt
import pandas as pd
from altair.utils.schemapi import debug_mode

import reports.altair_speed  # noqa: F401  (reuses Altair's schema class table; see the module)
from questionnaires.schema import Questionnaire
from reports.wording import plural
from scoring import standing
from scoring.benchmarks import pack_percentiles
from scoring.models import (
    BenchmarkComparison,
    BenchmarkPack,
    CapacityLedger,
    DimensionResult,
    TeamResult,
)
from scoring.rules import (
    DEFAULT_TARGET_LEVEL,
    LEVEL_NAMES,
    format_score,
    full_time_equivalents,
    level_floor,
    target_gap,
)
from scoring.taskmap import WeekSlice

__all__ = [
    "FONT",
    "FONT_DIR",
    "LEVEL_COLOURS",
    "benchmark_chart",
    "benchmark_table",
    "capacity_waterfall",
    "capacity_waterfall_table",
    "gap_chart",
    "gap_table",
    "item_distribution",
    "item_distribution_table",
    "item_heatmap",
    "item_heatmap_table",
    "item_label",
    "kpi_reference_chart",
    "kpi_reference_table",
    "layer_ladder",
    "layer_ladder_table",
    "org_heatmap",
    "org_heatmap_table",
    "render_png",
    "render_scenegraph",
    "trend_chart",
    "trend_table",
]

#: The font every chart uses; the same file is bundled in ``reports/fonts`` and registered for vl-convert.
FONT = "DejaVu Sans"
FONT_DIR = Path(__file__).resolve().parent / "fonts"

# Tableau's colour-blind palette (distinguishable with protanopia, deuteranopia and tritanopia).
BLUE_DARK = "#006BA4"
BLUE = "#5F9ED1"
BLUE_LIGHT = "#A2C8EC"
ORANGE_DARK = "#C85200"
ORANGE = "#FF800E"
ORANGE_LIGHT = "#FFBC79"
GREY_DARK = "#595959"
GREY = "#898989"
GREY_MID = "#ABABAB"
GREY_LIGHT = "#CFCFCF"
SUPPRESSED_FILL = "#F2F2F2"
TEXT = "#262626"
#: Levels 1–5: a diverging orange → grey → blue scale (low levels warm, high levels cool).
LEVEL_COLOURS: tuple[str, ...] = (ORANGE_DARK, ORANGE_LIGHT, GREY_LIGHT, BLUE_LIGHT, BLUE_DARK)
#: "Don't know" is no level: dark grey, far from the light grey of the middle level 3 (same palette).
DONT_KNOW_COLOUR = GREY_DARK
#: Below this width (a phone) a chart's legend wraps onto more lines and its item labels get shorter.
NARROW = 560
#: Below this width a chart is drawn for a phone (``ui.PHONE_CHART_WIDTH``): text under the bars instead of
#: beside them, labels above the dots, level numbers instead of names; the subtitle or notes name the rest.
PHONE = 420
#: On a phone: the room for the row labels on the left (the plot takes the rest of the width).
NARROW_LABELS = 140
#: Many series (teams in a trend): the ten colours of the palette.
SERIES_COLOURS: tuple[str, ...] = (
    "#006BA4",
    "#FF800E",
    "#ABABAB",
    "#595959",
    "#5F9ED1",
    "#C85200",
    "#898989",
    "#A2C8EC",
    "#FFBC79",
    "#CFCFCF",
)
#: A shape per team beside its colour (trend), so the series can be told apart without colour; every one of
#: them is one the PDF's vector drawing paints (``reports.vector.SYMBOLS``). Past eight teams shapes repeat,
#: with other colours.
TEAM_SHAPES: tuple[str, ...] = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "cross",
    "triangle-down",
    "triangle-right",
    "triangle-left",
)
SUPPRESSED = "suppressed"
#: Default chart width in pixels: rendered at scale 2 it fills an A4 text column sharply.
WIDTH = 520


# --- shared styling -----------------------------------------------------------------------------------

_F = TypeVar("_F", bound=Callable[..., Any])


def _unvalidated(function: _F) -> _F:
    """Build the chart without Altair's JSON-schema validation of every object (about 80 % of the time it
    takes to build a chart); the tests validate every chart's full spec instead."""

    @functools.wraps(function)
    def build(*args: Any, **kwargs: Any) -> Any:
        with debug_mode(False):
            return function(*args, **kwargs)

    return cast(_F, build)


def _styled(
    chart: Any, title: str, subtitle: str | Sequence[str] | None = None, *, width: int = WIDTH
) -> Any:
    """Apply the explicit, theme-independent styling every chart shares (subtitle lines wrapped to ``width``)."""
    given = (
        [] if subtitle is None else [subtitle] if isinstance(subtitle, str) else [s for s in subtitle if s]
    )
    # DejaVu Sans at 11 px averages about 6.3 px per character; a phone has no room to spare for the padding
    columns = max(int((width - 20) / 6.3), 40) if width < PHONE else max(int(width / 6.3), 50)
    subtitle_lines = [wrapped for line in given for wrapped in textwrap.wrap(line, columns) or [""]]
    # the bold 14 px title (about 8.8 px per character) wraps on a phone too
    title_lines = textwrap.wrap(title, max(int((width - 20) / 8.8), 20)) if width < PHONE else [title]
    title_params = alt.TitleParams(
        text=title_lines if len(title_lines) > 1 else title,
        subtitle=subtitle_lines or alt.Undefined,
        anchor="start",
        font=FONT,
        fontSize=14,
        fontWeight="bold",
        color=TEXT,
        subtitleFont=FONT,
        subtitleFontSize=11,
        subtitleColor=GREY_DARK,
        offset=10,
    )
    # One config object assigned in place: each chained .configure_*() would deep-copy the chart and its
    # inline data (measured: half of a report's chart time went into those copies).
    chart.title = title_params
    chart.config = alt.Config(
        font=FONT,
        background="white",
        padding={"left": 6, "right": 14, "top": 6, "bottom": 6},
        axis=alt.AxisConfig(
            labelFont=FONT,
            titleFont=FONT,
            labelFontSize=11,
            titleFontSize=11,
            titleFontWeight="normal",
            labelColor=TEXT,
            titleColor=GREY_DARK,
            gridColor="#E6E6E6",
            domainColor=GREY_MID,
            tickColor=GREY_MID,
        ),
        legend=alt.LegendConfig(
            labelFont=FONT,
            titleFont=FONT,
            labelFontSize=11,
            titleFontSize=11,
            labelColor=TEXT,
            titleColor=GREY_DARK,
            orient="bottom",
            direction="horizontal",
            symbolStrokeWidth=0,
            labelLimit=260,
        ),
        header=alt.HeaderConfig(
            labelFont=FONT, titleFont=FONT, labelFontSize=11, titleFontSize=11, labelColor=TEXT
        ),
        text=alt.MarkConfig(font=FONT, fontSize=11, color=TEXT),
        title=alt.TitleConfig(font=FONT, subtitleFont=FONT),
        view=alt.ViewConfig(stroke=None),
    )
    return chart


def _sized(chart: Any, **properties: Any) -> Any:
    """``chart.properties(**properties)`` in place: ``properties()`` copies the chart, and a layer's copy
    deep-copies every layer with its inline data (about 3 % of a team report's time); a chart a function has
    just built is its own, so it is changed where it is."""
    for name, value in properties.items():
        setattr(chart, name, value)
    return chart


def _level_names(names: Sequence[str] | None) -> list[str]:
    return list(names) if names is not None else list(LEVEL_NAMES)


def _level_axis(names: Sequence[str], title: str | None = "Level") -> alt.Axis:
    """An axis with ticks at levels 1–5, labelled '1 Ad hoc' … '5 Embedded'."""
    mapping = ", ".join(
        f"'{level}': {json.dumps([str(level), name])}" for level, name in enumerate(names, start=1)
    )
    return alt.Axis(
        values=[1, 2, 3, 4, 5],
        labelExpr=f"({{{mapping}}})[datum.value] || ''",
        labelOverlap=False,
        labelLineHeight=12,
        labelFontSize=10,
        title=title,
        grid=True,
        labelAngle=0,
        labelFlush=False,
    )


def _names_from(results: Sequence[TeamResult]) -> list[str]:
    """The scale's level names as the results name them (LEVEL_NAMES for levels not seen)."""
    names = list(LEVEL_NAMES)
    for result in results:
        for dimension in result.dimensions:
            for level, name in (
                (dimension.level, dimension.level_name),
                (dimension.gated_level, dimension.gated_level_name),
            ):
                if level is not None and name:
                    names[level - 1] = name
    return names


def _series(chart: Any, name: str, scale: alt.Scale, legend: alt.Legend | None = None) -> Any:
    """Colour a layer that draws one named series: a constant in a shared scale, so the legend lists it."""
    return chart.transform_calculate(series=json.dumps(name)).encode(
        color=alt.Color("series:N", scale=scale, legend=legend, title=None)
    )


def item_label(item_id: str) -> str:
    """A short label for an item from its stable id: ``permission.one_page_guide`` → 'One page guide'."""
    slug = item_id.split(".", 1)[-1].replace("_", " ").strip()
    return slug[:1].upper() + slug[1:]


def _empty(title: str, message: str, width: int = WIDTH) -> alt.Chart:
    """A chart that says in words why there is nothing to draw."""
    chart = (
        alt.Chart(alt.Data(values=[{"message": message}]))
        .mark_text(align="left", baseline="middle", fontSize=12, color=GREY_DARK)
        .encode(text="message:N", x=alt.value(4), y=alt.value(20))
        .properties(width=width, height=40)
    )
    return _styled(chart, title, width=width)


def _centred_lines(line_height: int = 12, most: int = 3, label: str = "datum.value") -> dict[str, Any]:
    """An axis's ``labelOffset`` that centres a label of several lines (``label``, an expression of the
    label's text, holds newlines) on its row: Vega draws a label's further lines downwards from the first."""
    return {
        "condition": [
            {
                "test": f"length(split({label}, {json.dumps(chr(10))})) == {lines}",
                "value": -(lines - 1) * line_height / 2,
            }
            for lines in range(most, 1, -1)
        ],
        "value": 0,
    }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-friendly dicts (NaN → None) for an inline Vega-Lite dataset."""
    cleaned = frame.astype(object).where(frame.notna(), None)
    return [dict(row) for row in cleaned.to_dict(orient="records")]


# --- layer ladder ---------------------------------------------------------------------------------------


def weakest_unlayered(result: TeamResult) -> DimensionResult | None:
    """A dimension outside the four layers (Capacity governance) when it is the team's weakest scored
    dimension (ties: the first in questionnaire order), else None: the ladder then shows it too, or a chart of
    the layers would hide where the team is weakest."""
    scored = [dimension for dimension in result.dimensions if dimension.score is not None]
    if not scored:
        return None
    weakest = min(scored, key=lambda dimension: dimension.score or 0)
    return weakest if weakest.layer is None else None


def layer_ladder_table(result: TeamResult) -> pd.DataFrame:
    """The four layers, layer 1 first: own level, gated level (what counts), what caps it, or why suppressed;
    then Capacity governance (no layer, nothing gated) when it is the weakest dimension."""
    names = {dimension.id: dimension.name for dimension in result.dimensions}
    rows = []
    for dimension in sorted(
        (d for d in result.dimensions if d.layer is not None), key=lambda d: d.layer or 0
    ):
        if dimension.level is None:
            note = f"{SUPPRESSED}: {dimension.suppressed_reason}" if dimension.suppressed else "no score"
        elif dimension.capped_by is not None:
            note = (
                dimension.cap_explanation or f"held by {names.get(dimension.capped_by, dimension.capped_by)}"
            )
        else:
            note = ""
        rows.append(
            {
                "layer": dimension.layer,
                "dimension": dimension.name,
                "score": dimension.score,
                "level": dimension.level,
                "level_name": dimension.level_name,
                "gated_level": dimension.gated_level,
                "gated_level_name": dimension.gated_level_name,
                "capped_by": names.get(dimension.capped_by) if dimension.capped_by else None,
                "note": note,
            }
        )
    weakest = weakest_unlayered(result)
    if weakest is not None:
        rows.append(
            {
                "layer": None,
                "dimension": weakest.name,
                "score": weakest.score,
                "level": weakest.level,
                "level_name": weakest.level_name,
                "gated_level": None,
                "gated_level_name": None,
                "capped_by": None,
                "note": (
                    f"{weakest.name} is the weakest dimension (score {format_score(weakest.score or 0)}); it "
                    "is not a layer, so it neither holds a layer down nor is held"
                ),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "layer",
            "dimension",
            "score",
            "level",
            "level_name",
            "gated_level",
            "gated_level_name",
            "capped_by",
            "note",
        ],
    )
    table["layer"] = table["layer"].astype("Int64")  # an integer column that can say "no layer"
    return table


@_unvalidated
def layer_ladder(result: TeamResult, *, width: int = WIDTH, level_names: Sequence[str] | None = None) -> Any:
    """The four layers as a ladder (layer 1 at the bottom): own level and gated level, caps made visible.

    A light bar shows the level a layer reached on its own; the dark bar inside it the gated level that
    counts. Where a lower layer holds a layer down, the light bar sticks out beyond the dark one and the
    label on the right says "own 4 → held at 2 (Permission)". A suppressed layer shows "suppressed".
    Capacity governance, which is no layer, stands above the ladder (its own level only) when it is the
    team's weakest dimension.
    """
    table = layer_ladder_table(result)
    names = _level_names(level_names) if level_names is not None else _names_from([result])
    if table.empty or table["layer"].isna().all():
        return _empty("The four layers", "This questionnaire has no layers.", width)
    table["row"] = [
        f"–  {name}" if pd.isna(layer) else f"{layer}  {name}"
        for layer, name in zip(table["layer"], table["dimension"], strict=True)
    ]
    labels = []
    for row in table.itertuples():
        if pd.isna(row.layer):
            labels.append(f"weakest: {int(row.level)} {row.level_name} · score {format_score(row.score)}")
        elif pd.isna(row.level):
            labels.append(SUPPRESSED if str(row.note).startswith(SUPPRESSED) else "no score")
        elif not pd.isna(row.capped_by) and row.capped_by:
            labels.append(f"own {int(row.level)} → held at {int(row.gated_level)} by {row.capped_by}")
        else:
            labels.append(f"{int(row.gated_level)} {row.gated_level_name} · score {format_score(row.score)}")
    table["label"] = labels
    records = _records(table[["layer", "row", "level", "gated_level", "label"]])
    data = alt.Data(values=records)
    # layer 1 at the bottom; a dimension without a layer on top
    order = [
        row
        for _, row in sorted(
            zip(table["layer"].fillna(len(table) + 1), table["row"], strict=True), reverse=True
        )
    ]
    # a phone: the notes go under each bar instead of beside the chart (a vertical layout)
    narrow = width < PHONE
    plot_width = width - NARROW_LABELS if narrow else max(width - 220, 200)
    y = alt.Y(
        "row:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            labelFontSize=12,
            labelPadding=6,
            ticks=False,
            domain=False,
            labelLimit=NARROW_LABELS - 20 if narrow else 200,
        ),
    )
    colour = alt.Scale(domain=["Own level", "Gated level (what counts)"], range=[BLUE_LIGHT, BLUE_DARK])
    x_scale = alt.Scale(domain=[0, 5], nice=False)
    base = alt.Chart(data).encode(y=y)
    own = (
        base.transform_filter("datum.level != null")
        .mark_bar(size=26, cornerRadiusEnd=2)
        .encode(
            # on a phone the level names would run into each other: numbers on the axis, names in the notes
            x=alt.X(
                "level:Q",
                scale=x_scale,
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d", title="Level (1–5)", grid=True)
                if narrow
                else _level_axis(names, title=None),
            ),
            tooltip=[alt.Tooltip("row:N", title="Layer"), alt.Tooltip("level:Q", title="Own level")],
        )
    )
    gated = (
        base.transform_filter("datum.gated_level != null")
        .mark_bar(size=12, cornerRadiusEnd=2)
        .encode(
            x=alt.X("gated_level:Q", scale=x_scale),
            tooltip=[alt.Tooltip("row:N", title="Layer"), alt.Tooltip("gated_level:Q", title="Gated level")],
        )
    )
    own = _series(own, "Own level", colour, alt.Legend(title=None))
    gated = _series(gated, "Gated level (what counts)", colour)
    notes = base.mark_text(
        align="left", baseline="top" if narrow else "middle", fontSize=11, dy=16 if narrow else 0
    ).encode(
        x=alt.value(0 if narrow else plot_width + 10),
        text="label:N",
        color=alt.condition(
            "indexof(datum.label, 'held at') >= 0 || indexof(datum.label, 'weakest') == 0",
            alt.value(ORANGE_DARK),
            alt.value(GREY_DARK),
        ),
    )
    chart = _sized(alt.layer(own, gated, notes), width=plot_width, height=alt.Step(60 if narrow else 44))
    stage = result.overall.stage
    subtitle = "A layer cannot be stronger than the one under it allows."
    if result.suppressed:
        subtitle = f"Suppressed: {result.suppressed_reason}."
    elif stage is not None:
        subtitle = (
            f"Stage {stage} {result.overall.stage_name}: the lowest gated level of the four layers. "
            + subtitle
        )
    if table["layer"].isna().any():
        subtitle += " On top: the weakest dimension (no layer)."
    return _styled(chart, "The four layers", subtitle, width=width)


# --- benchmark ------------------------------------------------------------------------------------------


def target_table(
    result: TeamResult, target_levels: Mapping[str, int], previous: TeamResult | None = None
) -> pd.DataFrame:
    """Per dimension: the team's score, its target level and gap (``scoring.rules.target_gap``), and the
    score of the team's previous round (empty when there is none or it has no number there)."""
    before = {} if previous is None else {d.id: d.score for d in previous.dimensions}
    rows = []
    for dimension in result.dimensions:
        target = target_levels.get(dimension.id, DEFAULT_TARGET_LEVEL)
        rows.append(
            {
                "dimension": dimension.name,
                "score": dimension.score,
                "target": target,
                "target score": level_floor(target),
                "gap to target": None if dimension.score is None else target_gap(dimension.score, target),
                "previous round": before.get(dimension.id),
                "change": (
                    None
                    if dimension.score is None or before.get(dimension.id) is None
                    else round(dimension.score - before[dimension.id], 2)  # type: ignore[operator]
                ),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["dimension", "score", "target", "target score", "gap to target", "previous round", "change"],
    )


@_unvalidated
def target_chart(
    result: TeamResult,
    target_levels: Mapping[str, int],
    previous: TeamResult | None = None,
    *,
    previous_label: str | None = None,
    width: int = WIDTH,
) -> Any:
    """The team's dimension scores against its target profile (a tick per dimension) and its previous round
    (a hollow dot); the subtitle names both comparisons and their n."""
    table = target_table(result, target_levels, previous)
    table["key_team"] = "This round"
    data = alt.Data(values=_records(table))
    order = list(table["dimension"])
    y = alt.Y("dimension:N", sort=order, title=None, axis=alt.Axis(ticks=False, domain=False, labelPadding=6))
    x_scale = alt.Scale(domain=[1, 5], nice=False)
    x_axis = alt.Axis(values=[1, 2, 3, 4, 5], format="d", title="Dimension score (1–5)", grid=True)
    keys = ["This round", "Target", "Previous round"]
    colour = alt.Scale(domain=keys, range=[BLUE_DARK, ORANGE_DARK, GREY])
    target = (
        alt.Chart()
        .transform_calculate(key="'Target'")
        .mark_tick(thickness=3, size=18)
        .encode(
            y=y, x=alt.X("target score:Q", scale=x_scale, axis=x_axis), color=alt.Color("key:N", scale=colour)
        )
    )
    before = (
        alt.Chart()
        .transform_filter("datum['previous round'] != null")
        .transform_calculate(key="'Previous round'")
        .mark_point(size=90, filled=False, strokeWidth=2)
        .encode(y=y, x=alt.X("previous round:Q", scale=x_scale), color=alt.Color("key:N", scale=colour))
    )
    team = (
        alt.Chart()
        .transform_filter("datum.score != null")
        .mark_point(size=110, filled=True, opacity=1)
        .encode(
            y=y,
            x=alt.X("score:Q", scale=x_scale),
            color=alt.Color(
                "key_team:N",
                scale=colour,
                legend=alt.Legend(title=None, orient="bottom", columns=1 if width < PHONE else alt.Undefined),
            ),
        )
    )
    chart = _sized(
        alt.layer(target, before, team, data=data),
        width=width - (196 if width < PHONE else 190),
        height=alt.Step(24),
    )
    levels = sorted(set(table["target"]))
    target_text = (
        f"target level {levels[0]} on every dimension (a score of {level_floor(levels[0]):g} or more)"
        if len(levels) == 1
        else "the target level set per dimension"
    )
    if previous is None:
        previous_text = "no previous round yet"
    else:
        previous_text = f"previous round {previous_label or ''} (n = {previous.respondents})".replace(
            "  ", " "
        )
    subtitle = f"This round (n = {result.respondents}) against {target_text}, and {previous_text}."
    return _styled(chart, "Against the target and the previous round", subtitle, width=width)


def benchmark_table(
    result: TeamResult, benchmark: BenchmarkPack | Sequence[BenchmarkComparison] | None
) -> pd.DataFrame:
    """Per dimension: the team's score and percentile, and the pack's p10–p90, n, source and label.

    ``benchmark`` is a ``BenchmarkPack`` (compared with ``scoring.pack_percentiles``) or a list of
    ``BenchmarkComparison`` (e.g. from ``scoring.peer_percentiles``).
    """
    columns = [
        "dimension",
        "score",
        "percentile",
        "p10",
        "p25",
        "p50",
        "p75",
        "p90",
        "n",
        "against",
        "source",
        "label",
        "note",
    ]
    if benchmark is None:
        return pd.DataFrame([], columns=columns)
    pack = benchmark if isinstance(benchmark, BenchmarkPack) else None
    comparisons = pack_percentiles(result, pack) if pack is not None else list(benchmark)  # type: ignore[arg-type]
    by_id = {comparison.dimension_id: comparison for comparison in comparisons}
    rows = []
    for dimension in result.dimensions:
        comparison = by_id.get(dimension.id)
        row = pack.row(dimension.id) if pack is not None else None
        note = ""
        if dimension.score is None:
            note = f"{SUPPRESSED}: {dimension.suppressed_reason}" if dimension.suppressed else "no score"
        elif comparison is not None and comparison.percentile is None:
            note = comparison.reason or ""
        rows.append(
            {
                "dimension": dimension.name,
                "score": dimension.score,
                "percentile": None if comparison is None else comparison.percentile,
                "p10": None if row is None else row.p10,
                "p25": None if row is None else row.p25,
                "p50": None if row is None else row.p50,
                "p75": None if row is None else row.p75,
                "p90": None if row is None else row.p90,
                "n": None if comparison is None else comparison.peers,
                "against": None if comparison is None else comparison.against,
                "source": None if row is None else row.source,
                "label": None if row is None else row.label,
                "note": note,
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _ordinal(value: float) -> str:
    number = round(value)
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


@_unvalidated
def benchmark_chart(
    result: TeamResult,
    benchmark: BenchmarkPack | Sequence[BenchmarkComparison] | None,
    *,
    width: int = WIDTH,
) -> Any:
    """Dimension scores against a benchmark: the pack's p10–p90 and p25–p75 bands and p50, or peer percentiles.

    With a ``BenchmarkPack`` each dimension shows the band, the median tick and the team's score as a dot,
    labelled with its percentile rank. With peer comparisons (``scoring.peer_percentiles``) each dimension
    shows the team's percentile rank among peers, or why there is none. The subtitle names the benchmark.
    """
    if benchmark is None:
        return _empty("Benchmark", "No benchmark to compare with.", width)
    table = benchmark_table(result, benchmark)
    labels = []
    for row in table.itertuples():
        if pd.isna(row.score):
            labels.append(SUPPRESSED if str(row.note).startswith(SUPPRESSED) else "no score")
        elif pd.isna(row.percentile):
            labels.append(f"{format_score(row.score)} · no percentile")
        else:
            labels.append(f"{format_score(row.score)} · {_ordinal(row.percentile)} percentile")
    table["text"] = labels
    # a phone: the score and percentile go under each row instead of beside the chart (a vertical layout)
    narrow = width < PHONE
    # on a phone the labels and the padding take NARROW_LABELS and a few pixels more
    plot_width = width - NARROW_LABELS - 6 if narrow else max(width - 190, 200)
    step = 58 if narrow else 40
    order = list(table["dimension"])
    y = alt.Y(
        "dimension:N",
        sort=order,
        title=None,
        axis=alt.Axis(
            ticks=False, domain=False, labelPadding=6, labelLimit=NARROW_LABELS - 20 if narrow else 200
        ),
    )
    notes = (
        alt.Chart()
        .mark_text(align="left", baseline="top" if narrow else "middle", dy=15 if narrow else 0)
        .encode(y=y, x=alt.value(0 if narrow else plot_width + 10), text="text:N")
    )
    if isinstance(benchmark, BenchmarkPack):
        pack = benchmark
        data = alt.Data(
            values=_records(table[["dimension", "score", "p10", "p25", "p50", "p75", "p90", "text"]])
        )
        keys = ["Benchmark p10–p90", "Benchmark p25–p75", "Benchmark median (p50)", "Your team"]
        colour = alt.Scale(domain=keys, range=["#E3E3E3", GREY_LIGHT, GREY_DARK, BLUE_DARK])
        x_scale = alt.Scale(domain=[1, 5], nice=False)
        x_axis = alt.Axis(values=[1, 2, 3, 4, 5], format="d", title="Dimension score (1–5)", grid=True)
        with_band = "datum.p10 != null"
        # the p10–p90 band thinner than the p25–p75 band (as a box plot's whisker and box): the two are told
        # apart by their thickness, not only by their shade of grey
        wide = (
            alt.Chart()
            .transform_filter(with_band)
            .mark_bar(size=8)
            .encode(
                y=y,
                x=alt.X("p10:Q", scale=x_scale, axis=x_axis),
                x2="p90:Q",
            )
        )
        inner = (
            alt.Chart()
            .transform_filter(with_band)
            .mark_bar(size=20)
            .encode(y=y, x=alt.X("p25:Q", scale=x_scale), x2="p75:Q")
        )
        median = (
            alt.Chart()
            .transform_filter(with_band)
            .mark_tick(thickness=3, size=26)
            .encode(y=y, x=alt.X("p50:Q", scale=x_scale))
        )
        team = (
            alt.Chart()
            .transform_filter("datum.score != null")
            .mark_point(filled=True, size=150, opacity=1, stroke="white", strokeWidth=1.5)
            .encode(
                y=y,
                x=alt.X("score:Q", scale=x_scale),
                tooltip=[
                    alt.Tooltip("dimension:N", title="Dimension"),
                    alt.Tooltip("score:Q", title="Score"),
                    alt.Tooltip("p50:Q", title="Benchmark median"),
                ],
            )
        )
        wide = _series(wide, keys[0], colour, alt.Legend(title=None, columns=1 if narrow else 4))
        inner = _series(inner, keys[1], colour)
        median = _series(median, keys[2], colour)
        team = _series(team, keys[3], colour)
        chart = _sized(
            alt.layer(wide, inner, median, team, notes, data=data), width=plot_width, height=alt.Step(step)
        )
        ns = sorted({row.n for row in pack.rows})
        subtitle = [
            f"{pack.label} (n = {', '.join(str(n) for n in ns)}; {pack.source_name})",
            "Thin bar: p10–p90 of the benchmark; thick bar: p25–p75; tick: its median; dot: your team.",
        ]
        return _styled(chart, "Dimensions against the benchmark", subtitle, width=width)

    data = alt.Data(values=_records(table[["dimension", "score", "percentile", "n", "text"]]))
    x_scale = alt.Scale(domain=[0, 100], nice=False)
    bars = (
        alt.Chart()
        .transform_filter("datum.percentile != null")
        .mark_bar(size=20, color=BLUE_DARK)
        .encode(
            y=y,
            x=alt.X(
                "percentile:Q",
                scale=x_scale,
                axis=alt.Axis(values=[0, 25, 50, 75, 100], title="Percentile rank among peer teams"),
            ),
            tooltip=[
                alt.Tooltip("dimension:N"),
                alt.Tooltip("percentile:Q"),
                alt.Tooltip("n:Q", title="Peer teams"),
            ],
        )
    )
    median = alt.Chart().mark_rule(color=GREY_DARK, strokeDash=[4, 3]).encode(x=alt.datum(50))
    chart = _sized(alt.layer(bars, median, notes, data=data), width=plot_width, height=alt.Step(step))
    peers = [int(n) for n in table["n"].dropna()]
    subtitle = f"Peer teams that answered the same questionnaire (up to {max(peers) if peers else 0}); dashed: median"
    return _styled(chart, "Dimensions against peer teams", subtitle, width=width)


# --- item heat table ------------------------------------------------------------------------------------


def item_heatmap_table(questionnaire: Questionnaire, result: TeamResult) -> pd.DataFrame:
    """One row per item on the team's form: mean, level, spread, counts per level and "don't know"."""
    rows = []
    names = [level.name for level in questionnaire.scale.levels]
    dimension_names = {dimension.id: dimension.name for dimension in questionnaire.dimensions}
    for dimension in result.dimensions:
        for item in dimension.items:
            try:
                question = questionnaire.item(item.id).question
            except KeyError:
                question = item.id
            row: dict[str, Any] = {
                "dimension": dimension_names.get(dimension.id, dimension.name),
                "item_id": item.id,
                "item": item_label(item.id),
                "question": question.strip(),
                "respondents": item.respondents,
                "mean": item.mean,
                "level": item.level,
                "level_name": None if item.level is None else names[item.level - 1],
                "std": item.std,
                "consensus": item.consensus,
            }
            for level in range(1, 6):
                row[f"level_{level}"] = None if item.distribution is None else item.distribution.get(level, 0)
            row["dont_know"] = item.dont_know
            row["note"] = f"{SUPPRESSED}: {item.suppressed_reason}" if item.suppressed else ""
            rows.append(row)
    columns = [
        "dimension",
        "item_id",
        "item",
        "question",
        "respondents",
        "mean",
        "level",
        "level_name",
        "std",
        "consensus",
        *[f"level_{level}" for level in range(1, 6)],
        "dont_know",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)


#: The item heat table's mean colours: dark orange at 1, light grey at 3, dark blue at 5 (lab-interpolated).
MEAN_DOMAIN = (1.0, 3.0, 5.0)
MEAN_COLOURS = (ORANGE_DARK, "#F2F2F2", BLUE_DARK)
#: A count cell's opacity: from this at nobody to this at everyone choosing its level.
COUNT_OPACITY = (0.05, 1.0)


def _count_opacity(share: float) -> float:
    return COUNT_OPACITY[0] + (COUNT_OPACITY[1] - COUNT_OPACITY[0]) * share


@_unvalidated
def item_heatmap(questionnaire: Questionnaire, result: TeamResult, *, width: int = WIDTH) -> Any:
    """The item heat table: one row per item, its mean (coloured by level) and how many chose each level.

    Items are grouped by dimension. A suppressed item shows "suppressed" and no numbers.
    """
    table = item_heatmap_table(questionnaire, result)
    if table.empty:
        return _empty("Items", "No items to show.", width)
    level_names = [level.name for level in questionnaire.scale.levels]
    columns = ["Mean", *[f"{level} {name}" for level, name in enumerate(level_names, start=1)], "Don't know"]
    # a phone: narrower item labels and cells, the level columns headed by their number alone
    narrow = width < PHONE
    # One y position per row: a bold heading row per dimension, then its items (keys keep them unique).
    cells: list[dict[str, Any]] = []
    row_labels: dict[str, str] = {}
    headings: list[str] = []
    previous_dimension = None
    for row in table.itertuples():
        if row.dimension != previous_dimension:
            key = f"r{len(row_labels):03d}"
            row_labels[key] = str(row.dimension)
            headings.append(key)
            previous_dimension = row.dimension
        key = f"r{len(row_labels):03d}"
        row_labels[key] = str(row.item)
        counted = [getattr(row, f"level_{level}") for level in range(1, 6)]
        total = sum(int(c) for c in counted if not pd.isna(c)) + (
            0 if pd.isna(row.dont_know) else int(row.dont_know)
        )
        base = {"row": key, "question": row.question}
        if row.note:
            # a grey row without numbers; the word sits in the middle column, where it has room
            for position, column in enumerate(columns):
                text = SUPPRESSED if position == len(columns) // 2 else ""
                cells.append(
                    {
                        **base,
                        "column": column,
                        "kind": "suppressed",
                        "text": text,
                        "mean": None,
                        "share": None,
                    }
                )
            continue
        mean = None if pd.isna(row.mean) else float(row.mean)
        text = "—" if mean is None else format_score(mean)
        ink = TEXT if mean is None else cell_ink(lab_scale(MEAN_DOMAIN, MEAN_COLOURS, mean))
        cells.append(
            {**base, "column": "Mean", "kind": "mean", "text": text, "mean": mean, "share": None, "ink": ink}
        )
        for level, (column, value) in enumerate(zip(columns[1:], [*counted, row.dont_know], strict=True), 1):
            count = None if pd.isna(value) else int(value)
            share = None if count is None or total == 0 else count / total
            hue = LEVEL_COLOURS[level - 1] if level <= len(LEVEL_COLOURS) else GREY_MID
            cells.append(
                {
                    **base,
                    "column": column,
                    "kind": "count",
                    "text": "" if count is None else str(count),
                    "mean": None,
                    "share": share,
                    # the level's own colour (the legend's), stronger the more people chose it: six people
                    # at "1 Ad hoc" read dark orange, never the blue of a high level
                    "fill": hue,
                    "strength": share or 0.0,
                    # the text's colour from the cell's colour as drawn (its opacity over white): 4.5:1 or more
                    "ink": cell_ink(on_white(hue, _count_opacity(share or 0.0))),
                }
            )
    x = alt.X(
        "column:N",
        sort=columns,
        title=None,
        scale=alt.Scale(domain=columns),
        axis=alt.Axis(
            orient="top",
            labelAngle=0,
            ticks=False,
            domain=False,
            labelFontSize=10,
            # "1 Ad hoc" → "1" over "Ad hoc"; on a phone "1" alone (the subtitle names the levels) and
            # "Don't know" over two lines
            labelExpr=(
                (
                    "indexof('123456789', slice(datum.label, 0, 1)) >= 0 ? [slice(datum.label, 0, 1), ''] : "
                    if narrow
                    else ""
                )
                + "indexof(datum.label, ' ') > 0 ? [slice(datum.label, 0, indexof(datum.label, ' ')), "
                "slice(datum.label, indexof(datum.label, ' ') + 1)] : ['', datum.label]"
            ),
            labelLineHeight=12,
            labelLimit=80,
            labelPadding=15,
        ),
    )
    label_width = 110 if narrow else 180
    cell_width = max((width - label_width - (30 if narrow else 20)) / len(columns), 30 if narrow else 54)
    if narrow:
        # a phone: item names and dimension headings wrap onto two lines (bold headings are wider) rather
        # than being cut; the rows grow to hold them
        row_labels = {
            key: "\n".join(textwrap.wrap(label, int(label_width / (7.4 if key in headings else 6.6)))[:2])
            for key, label in row_labels.items()
        }
    two_lines = any("\n" in label for label in row_labels.values())
    label_map = json.dumps(row_labels)
    y = alt.Y(
        "row:N",
        sort=list(row_labels),
        scale=alt.Scale(domain=list(row_labels)),
        title=None,
        axis=alt.Axis(
            ticks=False,
            domain=False,
            labelLimit=label_width,
            labelPadding=4,
            labelExpr=f"split(({label_map})[datum.value], {json.dumps(chr(10))})"
            if two_lines
            else f"({label_map})[datum.value]",
            labelLineHeight=12 if two_lines else alt.Undefined,
            labelFontWeight=alt.condition(
                f"indexof({json.dumps(headings)}, datum.value) >= 0", alt.value("bold"), alt.value("normal")
            ),
            labelAlign=alt.condition(
                f"indexof({json.dumps(headings)}, datum.value) >= 0", alt.value("left"), alt.value("right")
            ),
            labelOffset=_centred_lines(most=2, label=f"({label_map})[datum.value]") if two_lines else 0,
        ),
    )
    del label_width
    mean_cells = (
        alt.Chart()
        .transform_filter("datum.kind == 'mean'")
        .mark_rect(stroke="white", strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "mean:Q",
                scale=alt.Scale(domain=list(MEAN_DOMAIN), range=list(MEAN_COLOURS), interpolate="lab"),
                legend=None,
            ),
            tooltip=[alt.Tooltip("question:N", title="Question"), alt.Tooltip("mean:Q", title="Mean")],
        )
    )
    count_cells = (
        alt.Chart()
        .transform_filter("datum.kind == 'count'")
        .mark_rect(stroke="white", strokeWidth=1.5)
        .encode(
            x=x,
            y=y,
            color=alt.Color("fill:N", scale=None, legend=None),
            fillOpacity=alt.FillOpacity(
                "strength:Q", scale=alt.Scale(domain=[0, 1], range=list(COUNT_OPACITY)), legend=None
            ),
            tooltip=[alt.Tooltip("question:N", title="Question"), alt.Tooltip("text:N", title="Respondents")],
        )
    )
    hidden_cells = (
        alt.Chart()
        .transform_filter("datum.kind == 'suppressed'")
        .mark_rect(fill=SUPPRESSED_FILL, stroke="white")
        .encode(x=x, y=y)
    )
    text = (
        alt.Chart()
        .mark_text(baseline="middle", fontSize=10)
        .encode(
            x=x,
            y=y,
            text="text:N",
            color=alt.Color("ink:N", scale=None, legend=None),
        )
    )
    chart = _sized(
        alt.layer(mean_cells, count_cells, hidden_cells, text, data=alt.Data(values=cells)),
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(color="independent")),
        width=alt.Step(cell_width),
        height=alt.Step(28 if two_lines else 17),
    )
    subtitle = (
        "Mean per item and how many respondents chose each level; colours follow the level (orange low, blue "
        "high), stronger the more people chose it."
    )
    if narrow:
        subtitle += " Levels: " + ", ".join(columns[1:-1]) + "."
    hidden = int((table["note"] != "").sum())
    if hidden:
        subtitle += (
            f" {plural(hidden, 'item')} without numbers: fewer than {result.k} answers (with a level)."
        )
    return _styled(chart, "Items", subtitle, width=width)


# --- capacity ledger ------------------------------------------------------------------------------------


def capacity_waterfall_table(ledger: CapacityLedger) -> pd.DataFrame:
    """The ledger's steps in hours per person per week (freed, minus meta-work, net, redeployed, absorbed),
    and for the whole team (hours × people, and full-time equivalents) when the team size was entered."""
    rows = [
        {
            "step": "Freed by AI",
            "hours": ledger.hours_freed,
            "start": 0.0,
            "end": ledger.hours_freed,
            "kind": "freed",
        },
        {
            "step": "Meta-work",
            "hours": -ledger.meta_work_hours,
            "start": ledger.hours_freed,
            "end": ledger.net_freed_hours,
            "kind": "meta-work",
        },
        {
            "step": "Net freed",
            "hours": ledger.net_freed_hours,
            "start": 0.0,
            "end": ledger.net_freed_hours,
            "kind": "net",
        },
        {
            "step": "Redeployed",
            "hours": ledger.redeployed_hours,
            "start": 0.0,
            "end": ledger.redeployed_hours,
            "kind": "redeployed",
        },
        {
            "step": "Absorbed",
            "hours": ledger.absorbed_hours,
            "start": ledger.redeployed_hours,
            "end": ledger.redeployed_hours + ledger.absorbed_hours,
            "kind": "absorbed",
        },
    ]
    table = pd.DataFrame(rows, columns=["step", "hours", "start", "end", "kind"])
    if ledger.team_size is not None:
        size = ledger.team_size
        table["team hours"] = [round(hours * size, 1) for hours in table["hours"]]
        table["team FTE"] = [round(full_time_equivalents(hours * size), 2) for hours in table["hours"]]
    return table


def _hours(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


@_unvalidated
def capacity_waterfall(ledger: CapacityLedger, *, width: int = WIDTH) -> Any:
    """A waterfall of one person-week: hours freed → minus meta-work → net freed → redeployed and absorbed;
    the subtitle gives the before-and-now hours and, with a team size, the team's totals and FTE."""
    table = capacity_waterfall_table(ledger)[["step", "hours", "start", "end", "kind"]]
    table["text"] = [f"−{_hours(-h)} h" if h < 0 else f"{_hours(h)} h" for h in table["hours"]]
    table["text_at"] = [max(s, e) for s, e in zip(table["start"], table["end"], strict=True)]
    steps = list(table["step"])
    kinds = ["freed", "meta-work", "net", "redeployed", "absorbed"]
    colour = alt.Scale(domain=kinds, range=[BLUE, ORANGE_DARK, GREY_DARK, BLUE_DARK, ORANGE_LIGHT])
    data = alt.Data(values=_records(table))
    top = max([ledger.hours_freed, ledger.net_freed_hours, 0.0]) or 1.0
    low = min(ledger.net_freed_hours, 0.0)
    narrow = width < PHONE
    x = alt.X(
        "step:N",
        sort=steps,
        title=None,
        axis=alt.Axis(
            labelAngle=0,
            labelLimit=110,
            ticks=False,
            # a phone: "Freed by AI" → "Freed" over "by AI", so neighbouring labels never touch
            **(
                {
                    "labelExpr": "indexof(datum.label, ' ') > 0 ? [slice(datum.label, 0, "
                    "indexof(datum.label, ' ')), slice(datum.label, indexof(datum.label, ' ') + 1)] : datum.label",
                    "labelFontSize": 10,
                }
                if narrow
                else {}
            ),
        ),
    )
    y_scale = alt.Scale(domain=[low, top * 1.15], nice=True)
    bars = (
        alt.Chart()
        .mark_bar(size=40 if narrow else 56)
        .encode(
            x=x,
            y=alt.Y("start:Q", scale=y_scale, title="Hours per person per week"),
            y2="end:Q",
            color=alt.Color("kind:N", scale=colour, legend=None),
            tooltip=[alt.Tooltip("step:N"), alt.Tooltip("hours:Q", title="Hours")],
        )
    )
    labels = (
        alt.Chart()
        .mark_text(baseline="bottom", dy=-4, fontSize=11)
        .encode(x=x, y=alt.Y("text_at:Q", scale=y_scale), text="text:N")
    )
    zero = alt.Chart().mark_rule(color=GREY_MID).encode(y=alt.datum(0))
    chart = _sized(alt.layer(bars, zero, labels, data=data), width=width - 60, height=230)
    subtitle = (
        f"Per person per week: the AI-assisted tasks take {_hours(ledger.ai_hours_per_week)} h now and took "
        f"{_hours(ledger.hours_before)} h before ({ledger.task_time_reduction_pct:g} % less, gross); "
        "meta-work is subtracted once."
    )
    if ledger.team_size is not None and ledger.team_net_fte is not None:
        subtitle += (
            f" Team of {ledger.team_size}: {_hours(max(ledger.team_net_freed_hours or 0.0, 0.0))} h a week "
            f"after meta-work = {ledger.team_net_fte:.1f} FTE."
        )
    return _styled(chart, "Capacity ledger", subtitle, width=width)


# --- KPIs against reference points ----------------------------------------------------------------------


_CONTEXT_WORDS = ("with", "without", "before", "after", "in", "for", "at")


def _reference_label(label: str, kpi_label: str) -> str:
    """A reference point's label without the words it shares with its KPI's label, when what is left reads
    on its own ('Rework rate without an optimisation strategy' → 'Without an optimisation strategy')."""
    words, kpi_words = label.split(), kpi_label.split()
    shared = 0
    while shared < min(len(words), len(kpi_words)) and words[shared].lower() == kpi_words[shared].lower():
        shared += 1
    rest = words[shared:]
    if shared >= 1 and len(rest) >= 2 and rest[0].lower() in _CONTEXT_WORDS:
        text = " ".join(rest)
        return text[:1].upper() + text[1:]
    return label


def _article_of(source: str) -> str:
    """'article 003' from a reference point's source ('… (source article 003)'), else the source as written."""
    found = re.search(r"source (article \d+)", source)
    return found.group(1) if found else source


def kpi_reference_table(questionnaire: Questionnaire, kpis: Mapping[str, float]) -> pd.DataFrame:
    """Each KPI that has a team value or reference points: the team's value and each reference point with its
    kind (measured case, comparison of two organisations, hypothetical example) and its source article."""
    rows = []
    for kpi in questionnaire.kpis:
        references = [point for point in questionnaire.reference_points if point.kpi == kpi.id]
        value = kpis.get(kpi.id)
        if value is None and not references:
            continue
        better = "lower is better" if kpi.better == "lower" else "higher is better"
        heading = f"{kpi.label} ({kpi.unit}, {better})"
        if value is not None:
            rows.append(
                {
                    "kpi_id": kpi.id,
                    "kpi": heading,
                    "who": "Your team",
                    "value": float(value),
                    "kind": "",
                    "context": "",
                    "source": "entered by the team",
                }
            )
        for point in references:
            who = _reference_label(point.label, kpi.label)
            rows.append(
                {
                    "kpi_id": kpi.id,
                    "kpi": heading,
                    "who": who,
                    "value": point.value,
                    "kind": point.kind,
                    "context": point.context,
                    "source": point.source,
                }
            )
    return pd.DataFrame(rows, columns=["kpi_id", "kpi", "who", "value", "kind", "context", "source"])


@_unvalidated
def kpi_reference_chart(
    questionnaire: Questionnaire, kpis: Mapping[str, float], *, width: int = WIDTH
) -> Any:
    """The team's KPIs against published reference points: one small dot plot per KPI, the team in blue.

    Each reference point's label says what kind of figure it is, and each KPI's header names the kinds and
    source articles of its points. Only the KPIs the team entered are shown; a team that entered none sees
    every KPI's reference points, so the page says what to measure. Each axis runs over the KPI's own range
    (satisfaction from 1, never past 5).
    """
    table = kpi_reference_table(questionnaire, kpis)
    if table.empty:
        return _empty("KPIs against reference points", "No KPIs or reference points.", width)
    # a phone: each point's label above its dot instead of beside the plot (a vertical layout)
    narrow = width < PHONE
    entered_ids = set(table.loc[table["who"] == "Your team", "kpi_id"])
    if entered_ids:
        # only what the team measured; reference points alone would fill the page with KPIs nobody entered
        table = table[table["kpi_id"].isin(entered_ids)].reset_index(drop=True)
    headers = {}
    for kpi_id, rows in table.groupby("kpi_id", sort=False):
        points = rows[rows["kind"] != ""]
        kinds = "; ".join(
            dict.fromkeys(
                f"{kind}, {_article_of(source)}"
                for kind, source in zip(points["kind"], points["source"], strict=True)
            )
        )
        headers[kpi_id] = f"{rows.iloc[0]['kpi']} · {kinds}" if kinds else str(rows.iloc[0]["kpi"])
        if narrow:
            # a phone: the header over as many lines as it needs ("|" breaks it, see the header's labelExpr)
            headers[kpi_id] = "|".join(textwrap.wrap(headers[kpi_id], max(int(width / 6.8), 30)))
    table["kpi"] = [headers[kpi_id] for kpi_id in table["kpi_id"]]
    table["is_team"] = table["who"] == "Your team"
    table["kind"] = ["Your team" if is_team else "Reference point" for is_team in table["is_team"]]
    table["text"] = [f"{value:g}" for value in table["value"]]
    # each facet gets its own x domain: from the KPI's minimum (satisfaction starts at 1) to a little above
    # its largest value (room for the labels), never past the KPI's maximum (satisfaction ends at 5)
    limits = {kpi.id: (kpi.minimum, kpi.maximum) for kpi in questionnaire.kpis}
    largest = table.groupby("kpi_id")["value"].transform("max")
    table["zero"] = [limits[kpi_id][0] for kpi_id in table["kpi_id"]]
    table["x_max"] = [
        max(min(limits[kpi_id][1], value * 1.18), limits[kpi_id][0] + 1e-9)
        for kpi_id, value in zip(table["kpi_id"], largest, strict=True)
    ]
    data = alt.Data(values=_records(table))
    label_width = 320
    plot_width = width - 50 if narrow else max(width - label_width - 40, 160)
    y = alt.Y(
        "who:N",
        sort=None,
        title=None,
        axis=alt.Axis(labels=False, ticks=False, domain=False)
        if narrow
        else alt.Axis(labelLimit=label_width, ticks=False, domain=False),
    )
    x = alt.X(
        "value:Q", title=None, scale=alt.Scale(zero=False, nice=False), axis=alt.Axis(grid=True, tickCount=5)
    )
    kinds = ["Your team", "Reference point"]
    rule = alt.Chart().mark_rule(color="#E6E6E6", strokeWidth=6).encode(y=y, x=alt.X("zero:Q"), x2="value:Q")
    dots = (
        alt.Chart()
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            y=y,
            x=x,
            shape=alt.Shape(
                "kind:N", scale=alt.Scale(domain=kinds, range=["circle", "diamond"]), legend=None
            ),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(domain=kinds, range=[BLUE_DARK, GREY]),
                legend=alt.Legend(title=None),
            ),
            tooltip=[alt.Tooltip("who:N"), alt.Tooltip("value:Q"), alt.Tooltip("source:N")],
        )
    )
    labels = alt.Chart().mark_text(align="left", dx=9, fontSize=11).encode(y=y, x=x, text="text:N")
    names = (
        alt.Chart()
        .mark_text(align="left", baseline="bottom", dy=-8, fontSize=11, limit=plot_width)
        .encode(y=y, x=alt.value(0), text="who:N")
    )
    extent = alt.Chart().mark_point(opacity=0).encode(y=y, x="x_max:Q")
    start = alt.Chart().mark_point(opacity=0).encode(y=y, x="zero:Q")
    chart = (
        _sized(
            alt.layer(rule, dots, labels, extent, start, *([names] if narrow else [])),
            width=plot_width,
            height=alt.Step(38 if narrow else 20),
        )
        .facet(
            row=alt.Row(
                "kpi:N",
                sort=list(dict.fromkeys(table["kpi"])),
                title=None,
                header=alt.Header(
                    labelAngle=0,
                    labelAlign="left",
                    labelAnchor="start",
                    labelOrient="top",
                    labelFontWeight="bold",
                    labelPadding=2,
                    labelLimit=width - 20,
                    **({"labelExpr": "split(datum.label, '|')", "labelLineHeight": 13} if narrow else {}),
                ),
            ),
            data=data,
            spacing=10,
        )
        .resolve_scale(x="independent", y="independent")
    )
    entered = int(table["is_team"].sum())
    subtitle = (
        "Each reference point says what kind of figure it is; sources are listed with the table."
        if entered
        else "The team has not entered KPIs yet: reference points only, each saying what kind of figure it is."
    )
    return _styled(chart, "KPIs against reference points", subtitle, width=width)


# --- workshop: distribution per item -------------------------------------------------------------------


def item_distribution_table(questionnaire: Questionnaire, dimension_result: DimensionResult) -> pd.DataFrame:
    """One row per item of a dimension: how many chose each level and "don't know" (None when suppressed)."""
    rows = []
    for item in dimension_result.items:
        try:
            question = questionnaire.item(item.id).question.strip()
        except KeyError:
            question = item.id
        row: dict[str, Any] = {"item_id": item.id, "item": item_label(item.id), "question": question}
        for level in range(1, 6):
            row[f"level_{level}"] = None if item.distribution is None else item.distribution.get(level, 0)
        row["dont_know"] = item.dont_know
        row["consensus"] = item.consensus
        row["note"] = f"{SUPPRESSED}: {item.suppressed_reason}" if item.suppressed else ""
        rows.append(row)
    columns = [
        "item_id",
        "item",
        "question",
        *[f"level_{level}" for level in range(1, 6)],
        "dont_know",
        "consensus",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a ``#RRGGBB`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    red, green, blue = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#RRGGBB`` colours (1 to 21; text needs 4.5 for AA)."""
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_colour_on(fill: str) -> str:
    """Black or white, whichever contrasts more with ``fill`` (at least 4.5:1 on every colour of the palette)."""
    return max(("#000000", "#FFFFFF"), key=lambda text: contrast_ratio(text, fill))


def cell_ink(fill: str) -> str:
    """The colour of text on a cell of colour ``fill``: the charts' usual dark grey where it reaches 4.5:1,
    else black or white, whichever contrasts more."""
    return TEXT if contrast_ratio(TEXT, fill) >= 4.5 else text_colour_on(fill)


def on_white(colour: str, opacity: float) -> str:
    """``colour`` drawn at ``opacity`` over white, as ``#RRGGBB``."""
    channels = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * opacity + 255 * (1 - opacity)):02X}" for c in channels)


# d3-color's CIELAB (D50, Bradford-adapted sRGB), which Vega's "lab" interpolation uses
_LAB_WHITE = (0.96422, 1.0, 0.82521)
_T0, _T1 = 4 / 29, 6 / 29
_T2, _T3 = 3 * _T1 * _T1, _T1**3


def _to_lab(colour: str) -> tuple[float, float, float]:
    red, green, blue = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    )

    def f(t: float) -> float:
        return t ** (1 / 3) if t > _T3 else t / _T2 + _T0

    y = f(0.2225045 * red + 0.7168786 * green + 0.0606169 * blue)
    if red == green == blue:
        x = z = y
    else:
        x = f((0.4360747 * red + 0.3850649 * green + 0.1430804 * blue) / _LAB_WHITE[0])
        z = f((0.0139322 * red + 0.0971045 * green + 0.7141733 * blue) / _LAB_WHITE[2])
    return 116 * y - 16, 500 * (x - y), 200 * (y - z)


def _from_lab(lightness: float, a: float, b: float) -> str:
    def f(t: float) -> float:
        return t**3 if t > _T1 else _T2 * (t - _T0)

    y = (lightness + 16) / 116
    x, y, z = _LAB_WHITE[0] * f(y + a / 500), f(y), _LAB_WHITE[2] * f(y - b / 200)
    linear = (
        3.1338561 * x - 1.6168667 * y - 0.4906146 * z,
        -0.9787684 * x + 1.9161415 * y + 0.0334540 * z,
        0.0719453 * x - 0.2289914 * y + 1.4052427 * z,
    )
    channels = (255 * (12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055) for c in linear)
    return "#" + "".join(f"{min(255, max(0, round(c))):02X}" for c in channels)


def lab_scale(domain: Sequence[float], colours: Sequence[str], value: float) -> str:
    """The colour a Vega linear colour scale with ``interpolate="lab"`` gives ``value`` (clamped)."""
    value = min(max(value, domain[0]), domain[-1])
    for low, high, start, end in zip(domain, domain[1:], colours, colours[1:], strict=False):
        if value <= high:
            share = 0.0 if high == low else (value - low) / (high - low)
            first, second = _to_lab(start), _to_lab(end)
            return _from_lab(*(p + (q - p) * share for p, q in zip(first, second, strict=True)))
    return colours[-1]


#: DejaVu Sans advance widths in em (from the bundled font: units per em 2048) of the characters a segment
#: label of the reveal chart uses ("L3: 12", "?: 2"); tests check them against the font file.
_LABEL_ADVANCE = {
    **dict.fromkeys("0123456789", 1303 / 2048),
    "L": 1141 / 2048,
    ":": 690 / 2048,
    " ": 651 / 2048,
    "?": 1087 / 2048,
}
#: The reveal chart's segment labels: 11 px, and the room they need inside a segment either side.
SEGMENT_FONT_SIZE = 11
SEGMENT_MARGIN = 3


def segment_label_width(text: str, size: float = SEGMENT_FONT_SIZE) -> float:
    """The width in pixels of a reveal chart's segment label set in DejaVu Sans at ``size`` px."""
    return sum(_LABEL_ADVANCE[character] for character in text) * size


def _segment_label(short: str, count: int, segment_width: float) -> str:
    """What a reveal segment ``segment_width`` pixels wide says: its level and count ("L3: 4"), else its
    level alone ("L3"), else nothing (the tooltip, the summary and the table under the chart give it)."""
    for text in (f"{short}: {count}", short):
        if segment_label_width(text) + 2 * SEGMENT_MARGIN <= segment_width:
            return text
    return ""


@_unvalidated
def item_distribution(
    questionnaire: Questionnaire,
    dimension_result: DimensionResult,
    *,
    width: int = WIDTH,
    answered_by: str = "the team",
) -> Any:
    """The workshop reveal: for each item of one dimension, a bar stacked by how many chose each level.

    "Don't know" is grey at the end; divided items are marked; a suppressed item says "suppressed". Colour
    is never the only carrier: each segment wide enough says its level and count ("L3: 4", "?: 1" for
    "don't know") in black or white, whichever contrasts more with its colour; a narrower one says its level
    alone or, narrower still, nothing, and keeps its place in the fixed order L1 … L5, ? (its tooltip, the
    summary and the table under the chart give its numbers). The legend names the levels.
    """
    table = item_distribution_table(questionnaire, dimension_result)
    level_names = [level.name for level in questionnaire.scale.levels]
    keys = [
        *[f"{level} {name}" for level, name in enumerate(level_names, start=1)],
        questionnaire.scale.dont_know,
    ]
    shorts = [*[f"L{level}" for level in range(1, len(level_names) + 1)], "?"]
    fills = [*LEVEL_COLOURS, DONT_KNOW_COLOUR]
    narrow = width < NARROW
    label_limit = 120 if narrow else 230
    plot_width = width - label_limit - 30 if narrow else max(width - 250, 200)
    # item names wrap onto up to three lines (an axis draws them line by line): the "◆ divided" mark is
    # never cut (past three lines a name is, and the table under the chart has it in full)
    label_columns = max(int(label_limit / 6.6), 12)
    item_labels = {
        row.item_id: "\n".join(
            textwrap.wrap(row.item + ("  ◆ divided" if row.consensus == "divided" else ""), label_columns)[:3]
        )
        for row in table.itertuples()
    }
    totals = [
        sum(
            0 if pd.isna(getattr(row, f"level_{level}")) else int(getattr(row, f"level_{level}"))
            for level in range(1, 6)
        )
        + (0 if pd.isna(row.dont_know) else int(row.dont_know))
        for row in table.itertuples()
        if not row.note
    ]
    # the x scale runs from 0 to the longest bar exactly, so a segment's width in pixels is known here
    most = max(totals, default=0) or 1
    pixels_per_person = plot_width / most
    segments = []
    notes = []
    for row in table.itertuples():
        label = item_labels[row.item_id]
        if row.note:
            notes.append({"item": label, "text": SUPPRESSED})
            continue
        values = [*[getattr(row, f"level_{level}") for level in range(1, 6)], row.dont_know]
        for order, (key, value) in enumerate(zip(keys, values, strict=True)):
            if pd.isna(value) or int(value) == 0:
                continue
            segments.append(
                {
                    "item": label,
                    "answer": key,
                    "order": order,
                    "count": int(value),
                    "question": row.question,
                    "label": _segment_label(shorts[order], int(value), int(value) * pixels_per_person),
                    "label_colour": text_colour_on(fills[order]),
                }
            )
    item_order = [item_labels[row.item_id] for row in table.itertuples()]
    colour = alt.Scale(domain=keys, range=fills)
    legend_names = json.dumps(
        dict(
            zip(
                keys,
                [
                    f"{short} {key.split(' ', 1)[-1]}" if short != "?" else f"? {key}"
                    for short, key in zip(shorts, keys, strict=True)
                ],
                strict=True,
            )
        )
    )
    y = alt.Y(
        "item:N",
        sort=item_order,
        title=None,
        axis=alt.Axis(
            labelLimit=label_limit,
            ticks=False,
            domain=False,
            labelExpr="split(datum.label, '\\n')",
            labelLineHeight=12,
            labelOffset=_centred_lines(),
        ),
    )
    x_scale = alt.Scale(domain=[0, most], nice=False)
    bars = (
        alt.Chart(alt.Data(values=segments))
        .mark_bar(size=20, stroke="white", strokeWidth=1)
        .encode(
            y=y,
            x=alt.X(
                "count:Q",
                stack="zero",
                title="Respondents",
                scale=x_scale,
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color(
                "answer:N",
                scale=colour,
                sort=keys,
                legend=alt.Legend(
                    title=None,
                    columns=2 if narrow else 6,
                    symbolType="square",
                    labelExpr=f"{legend_names}[datum.value] || datum.value",
                ),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("question:N", title="Question"),
                alt.Tooltip("answer:N"),
                alt.Tooltip("count:Q"),
            ],
        )
    )
    layers: list[Any] = [bars]
    if any(segment["label"] for segment in segments):
        layers.append(
            alt.Chart(alt.Data(values=segments))
            .transform_stack(stack="count", groupby=["item"], as_=["c0", "c1"], sort=[alt.SortField("order")])
            .transform_calculate(mid="(datum.c0 + datum.c1) / 2")
            .transform_filter("datum.label != ''")
            .mark_text(fontSize=SEGMENT_FONT_SIZE)
            .encode(
                y=y,
                x=alt.X("mid:Q", scale=x_scale),
                text="label:N",
                color=alt.Color("label_colour:N", scale=None, legend=None),
            )
        )
    if notes:
        layers.append(
            alt.Chart(alt.Data(values=notes))
            .mark_text(align="left", color=GREY_DARK, fontStyle="italic")
            .encode(y=y, x=alt.value(4), text="text:N")
        )
    lines = max((label.count("\n") + 1 for label in item_order), default=1)
    chart = _sized(alt.layer(*layers), width=plot_width, height=alt.Step(max(30, 12 * lines + 6)))
    if dimension_result.suppressed:
        subtitle = [f"{SUPPRESSED.capitalize()}: {dimension_result.suppressed_reason}."]
    else:
        subtitle = [
            f"{dimension_result.respondents} respondents with a score. ◆ divided: standard deviation of 1.0 or more. "
            "In the bars: level (? = don't know) and how many chose it.",
        ]
    return _styled(chart, f"How {answered_by} answered: {dimension_result.name}", subtitle, width=width)


# --- organisation ---------------------------------------------------------------------------------------


#: The first column of the organisation heatmap: each team's stage.
STAGE_COLUMN = "Stage"

#: A heat table on a phone: the room for the team names (wrapped onto up to three lines) and the least width
#: of a cell (a level number, or a gap such as "+0.52 !" at 10 px).
PHONE_HEAT_LABELS = 116
PHONE_HEAT_CELL = 34
#: In a cell that has no number on a phone (suppressed, no score): too narrow for the word, which the
#: subtitle and the table under the chart give.
NO_NUMBER = "–"


def _wrapped_names(names: Sequence[str], width: int) -> dict[str, str]:
    """Each name wrapped onto up to three lines of ``width`` pixels (11 px text), joined by newlines: the
    heat tables' row labels on a phone, which an axis draws line by line (``split(datum.label, '\\n')``)."""
    columns = max(int(width / 6.8), 8)
    wrapped = {}
    for name in names:
        lines = textwrap.wrap(name, columns, break_long_words=True, break_on_hyphens=False) or [name]
        if len(lines) > 3:
            # past three lines the name is cut; the table under the chart has it in full
            lines = [*lines[:2], lines[2][: columns - 1] + "…"]
        wrapped[name] = "\n".join(lines)
    return wrapped


def _heat_axes(
    columns: Sequence[str],
    rows: Sequence[str],
    width: int,
    *,
    row_field: str = "team",
    header_limit: bool = True,
) -> tuple[alt.X, alt.Y, float, float]:
    """The column axis (on top), the row axis, the cell width and the row height of a teams × dimensions
    heat table ``width`` pixels wide.

    Wide: two-line column headers, cells wide enough for "5 Embedded ↓" at 10 px (the chart grows rather
    than cut a level's name), team names up to 150 px. On a phone (``width < PHONE``) the teams stay rows: a
    phone scrolls down, and the teams are what grows (transposed, a thousand teams would be a thousand
    columns); the few columns get narrow enough to fit (:data:`PHONE_HEAT_CELL`, numbers only in the
    cells), their headers stand upright, and team names wrap onto up to three lines (``row_field`` holds
    the wrapped names: :func:`_wrapped_names`). ``header_limit`` cuts a wide column header at the cell's
    width (the organisation heatmap; the gap table leaves it as it was).
    """
    if width < PHONE:
        cell_width = max((width - PHONE_HEAT_LABELS - 40) / max(len(columns), 1), PHONE_HEAT_CELL)
        x = alt.X(
            "dimension:N",
            sort=list(columns),
            title=None,
            axis=alt.Axis(
                orient="top",
                labelAngle=-90,
                labelAlign="left",
                labelBaseline="middle",
                ticks=False,
                domain=False,
                labelPadding=6,
                labelLimit=160,
            ),
        )
        lines = max((name.count("\n") + 1 for name in rows), default=1)
        y = alt.Y(
            f"{row_field}:N",
            sort=list(rows),
            title=None,
            axis=alt.Axis(
                ticks=False,
                domain=False,
                labelExpr="split(datum.label, '\\n')",
                labelLineHeight=12,
                labelOffset=_centred_lines(),
                labelLimit=PHONE_HEAT_LABELS,
            ),
        )
        return x, y, cell_width, max(24, 12 * lines + 6)
    label_width = 150
    # wide enough for "5 Embedded ↓" at 10 px: the chart grows rather than cut a level's name
    cell_width = max((width - label_width) / max(len(columns), 1), 76)
    x = alt.X(
        "dimension:N",
        sort=list(columns),
        title=None,
        axis=alt.Axis(
            orient="top",
            labelAngle=0,
            ticks=False,
            domain=False,
            labelLimit=cell_width if header_limit else alt.Undefined,
            # Vega draws extra label lines downwards: two lines for every label, padded to clear the cells
            labelExpr=(
                "length(datum.label) > 12 && indexof(datum.label, ' ') > 0 ? "
                "[slice(datum.label, 0, indexof(datum.label, ' ')), slice(datum.label, indexof(datum.label, ' ') + 1)]"
                " : ['', datum.label]"
            ),
            labelLineHeight=13,
            labelPadding=16,
        ),
    )
    y = alt.Y(
        f"{row_field}:N",
        sort=list(rows),
        title=None,
        axis=alt.Axis(ticks=False, domain=False, labelLimit=label_width),
    )
    return x, y, cell_width, 24 if len(rows) <= 15 else 20


def org_heatmap_table(results: Sequence[TeamResult]) -> pd.DataFrame:
    """Teams × dimensions: each team's gated level per dimension (None when suppressed), and the overall index.

    ``mode`` marks a consensus result (one answer set the team agreed together) apart from individual ones.
    """
    rows = []
    for result in results:
        for dimension in result.dimensions:
            if dimension.gated_level is None:
                note = f"{SUPPRESSED}: {dimension.suppressed_reason}" if dimension.suppressed else "no score"
            else:
                note = dimension.cap_explanation or ""
            rows.append(
                {
                    "team": result.team,
                    "mode": result.mode,
                    "dimension": dimension.name,
                    "dimension_id": dimension.id,
                    "score": dimension.score,
                    "gated_level": dimension.gated_level,
                    "gated_level_name": dimension.gated_level_name,
                    "capped": dimension.capped_by is not None,
                    "index": result.overall.index,
                    "respondents": result.respondents,
                    "note": note,
                }
            )
    columns = [
        "team",
        "mode",
        "dimension",
        "dimension_id",
        "score",
        "gated_level",
        "gated_level_name",
        "capped",
        "index",
        "respondents",
        "note",
    ]
    return pd.DataFrame(rows, columns=columns)


@_unvalidated
def org_heatmap(results: Sequence[TeamResult], *, width: int = WIDTH) -> Any:
    """Teams (rows, in stage order) × their stage and the dimensions (columns), each cell the gated level,
    coloured by level; ↓ marks a cap.

    A suppressed team or dimension is a grey cell reading "suppressed" with no number.
    """
    table = org_heatmap_table(results)
    if table.empty:
        return _empty("Teams at a glance", "No teams yet.", width)
    names = _names_from(results)
    texts = []
    for row in table.itertuples():
        if pd.isna(row.gated_level):
            texts.append(SUPPRESSED if str(row.note).startswith(SUPPRESSED) else "no score")
        else:
            texts.append(
                f"{int(row.gated_level)} {row.gated_level_name or names[int(row.gated_level) - 1]}"
                + (" ↓" if row.capped else "")
            )
    table["text"] = texts
    table["level_key"] = [None if pd.isna(level) else str(int(level)) for level in table["gated_level"]]
    # a first column with each team's stage, and the teams in stage order (as the ranking): the highest
    # stage on top, then teams without a stage, then suppressed teams
    complete, incomplete, suppressed = standing.ranked(results)
    stage_rows = []
    for result in [*complete, *incomplete, *suppressed]:
        stage = standing.team_stage(result)
        stage_rows.append(
            {
                "team": result.team,
                "mode": result.mode,
                "dimension": STAGE_COLUMN,
                "dimension_id": "stage",
                "text": SUPPRESSED
                if result.suppressed
                else "no stage"
                if stage is None
                else f"{stage} {names[stage - 1]}",
                "level_key": None if stage is None else str(stage),
                "note": result.suppressed_reason or standing.incomplete_reason(result) or "",
                "respondents": result.respondents,
            }
        )
    table = pd.concat([pd.DataFrame(stage_rows), table], ignore_index=True)
    phone = width < PHONE
    teams = [row["team"] for row in stage_rows]
    if phone:
        # numbers only: the legend names the levels, the subtitle says what "–" is
        table["text"] = [
            NO_NUMBER if pd.isna(level) else text.split(" ", 1)[0] + (" ↓" if text.endswith("↓") else "")
            for level, text in zip(table["level_key"], table["text"], strict=True)
        ]
        labels = _wrapped_names(teams, PHONE_HEAT_LABELS)
        table["row"] = [labels[team] for team in table["team"]]
        rows = [labels[team] for team in teams]
    else:
        rows = teams
    data = alt.Data(values=_records(table.drop(columns=["index"])))
    dimensions = list(dict.fromkeys(table["dimension"]))
    x, y, cell_width, row_height = _heat_axes(dimensions, rows, width, row_field="row" if phone else "team")
    colour = alt.Scale(domain=["1", "2", "3", "4", "5"], range=list(LEVEL_COLOURS))
    cells = (
        alt.Chart()
        .transform_filter("datum.level_key != null")
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "level_key:N",
                scale=colour,
                legend=alt.Legend(
                    title="Gated level",
                    labelExpr="({"
                    + ", ".join(f"'{i}': '{i} {n}'" for i, n in enumerate(names, start=1))
                    + "})[datum.value]",
                    orient="bottom",
                    direction="horizontal",
                    symbolType="square",
                    columns=2 if phone else alt.Undefined,
                ),
            ),
            tooltip=[
                alt.Tooltip("team:N"),
                alt.Tooltip("dimension:N"),
                alt.Tooltip("text:N", title="Gated level"),
                alt.Tooltip("note:N"),
            ],
        )
    )
    hidden = (
        alt.Chart()
        .transform_filter("datum.level_key == null")
        .mark_rect(fill=SUPPRESSED_FILL, stroke="white", strokeWidth=2)
        .encode(x=x, y=y)
    )
    text = (
        alt.Chart()
        .mark_text(fontSize=10)
        .encode(
            x=x,
            y=y,
            text="text:N",
            color=alt.condition(
                "datum.level_key == '1' || datum.level_key == '5'", alt.value("white"), alt.value(TEXT)
            ),
        )
    )
    chart = _sized(
        alt.layer(cells, hidden, text, data=data), width=alt.Step(cell_width), height=alt.Step(row_height)
    )
    suppressed = [result.team for result in results if result.suppressed]
    subtitle = ["Gated level per dimension; ↓ = held down by a lower layer."]
    if phone:
        subtitle.append(f"{NO_NUMBER} = suppressed or no score (the table below says which).")
    if suppressed:
        subtitle.append(
            f"Suppressed (fewer responses than the anonymity threshold): {plural(len(suppressed), 'team')}."
        )
    return _styled(chart, "Teams at a glance", subtitle, width=width)


TrendRounds = Mapping[str, Sequence[TeamResult]] | Sequence[tuple[str, Sequence[TeamResult]]]


def _rounds(rounds: TrendRounds) -> list[tuple[str, Sequence[TeamResult]]]:
    return (
        list(rounds.items())
        if isinstance(rounds, Mapping)
        else [(str(label), results) for label, results in rounds]
    )


def trend_table(rounds: TrendRounds) -> pd.DataFrame:
    """One row per round and team: the overall index and stage (None with a note when suppressed).

    ``rounds`` maps a round label (e.g. '2025 Q1') to the team results of that round, in time order; a list
    of ``(label, results)`` pairs works too.
    """
    rows = []
    for position, (label, results) in enumerate(_rounds(rounds)):
        for result in results:
            note = f"{SUPPRESSED}: {result.suppressed_reason}" if result.suppressed else ""
            rows.append(
                {
                    "round": label,
                    "position": position,
                    "team": result.team,
                    "index": result.overall.index,
                    "stage": result.overall.stage,
                    "respondents": result.respondents,
                    "note": note,
                }
            )
    return pd.DataFrame(rows, columns=["round", "position", "team", "index", "stage", "respondents", "note"])


#: A same-teams median needs at least this many teams present (complete) in both rounds of a pair: the
#: "median" of one team is that team's own line, already drawn.
SAME_TEAMS_MINIMUM = 2


def _complete(result: TeamResult) -> bool:
    return not result.suppressed and result.overall.index is not None and not result.overall.missing


def same_teams_trend_table(rounds: TrendRounds) -> pd.DataFrame:
    """The organisation's trend over the same teams: for each pair of consecutive rounds, the median index at
    both ends over the teams with a complete result (every dimension scored) in both rounds, with that n.

    One row per pair and end (``end`` is "from" or "to"); a pair with fewer than ``SAME_TEAMS_MINIMUM``
    such teams has ``median`` None and says why in ``note``. A team that answered in one round only, or
    whose result is partial (a workshop that revealed some dimensions), never moves the line.
    """
    ordered = _rounds(rounds)
    rows = []
    for position in range(len(ordered) - 1):
        (label_from, results_from), (label_to, results_to) = ordered[position], ordered[position + 1]
        before = {r.team: r.overall.index for r in results_from if _complete(r)}
        after = {r.team: r.overall.index for r in results_to if _complete(r)}
        teams = sorted(set(before) & set(after))
        pair = f"{label_from} → {label_to}"
        enough = len(teams) >= SAME_TEAMS_MINIMUM
        note = (
            ""
            if enough
            else f"{plural(len(teams), 'team')} with complete results in both rounds; a median needs "
            f"{SAME_TEAMS_MINIMUM}"
        )
        for end, label, values, at in (
            ("from", label_from, before, position),
            ("to", label_to, after, position + 1),
        ):
            median = float(pd.Series([values[t] for t in teams]).median()) if enough else None
            rows.append(
                {
                    "pair": pair,
                    "end": end,
                    "round": label,
                    "position": at,
                    "median": None if median is None else round(median, 1),
                    "n": len(teams),
                    "teams": ", ".join(teams),
                    "note": note,
                }
            )
    return pd.DataFrame(rows, columns=["pair", "end", "round", "position", "median", "n", "teams", "note"])


@_unvalidated
def trend_chart(rounds: TrendRounds, *, width: int = WIDTH, highlight: str | None = None) -> Any:
    """Each team's overall index (0–100) over rounds; a suppressed round is a gap, named in the subtitle.

    With ``highlight`` one team is drawn in blue and the others in light grey.
    """
    table = trend_table(rounds)
    round_labels = [label for label, _ in _rounds(rounds)]
    if table.empty:
        return _empty("Index over time", "No rounds yet.", width)
    visible = table[table["index"].notna()]
    if visible.empty:
        return _empty(
            "Overall index over time",
            "No index to show yet: every round is suppressed or has no score.",
            width,
        )
    data = alt.Data(values=_records(visible))
    # a phone: round labels on two lines ("2026" over "Q1"), the legend in one column with whole team names
    narrow = width < PHONE
    x = alt.X(
        "round:N",
        sort=round_labels,
        title=None,
        axis=alt.Axis(labelAngle=0, labelLimit=120, labelExpr="split(datum.label, ' ')", labelLineHeight=12)
        if narrow
        else alt.Axis(labelAngle=0, labelLimit=120),
    )
    legend = alt.Legend(title=None, columns=1 if narrow else 4, labelLimit=width - 60 if narrow else 140)
    y = alt.Y("index:Q", scale=alt.Scale(domain=[0, 100]), title="Overall index (0–100)")
    # the legend names the teams drawn; a team suppressed in every round has no line (the subtitle names it)
    teams = list(dict.fromkeys(visible["team"]))
    if highlight is not None:
        colour = alt.Color(
            "team:N",
            scale=alt.Scale(
                domain=teams, range=[BLUE_DARK if team == highlight else GREY_LIGHT for team in teams]
            ),
            legend=None,
        )
    else:
        colour = alt.Color(
            "team:N",
            scale=alt.Scale(domain=teams, range=list(SERIES_COLOURS)),
            legend=legend if len(teams) <= 12 else None,
        )
    many = highlight is None and len(teams) > len(SERIES_COLOURS)
    if many:
        # too many teams to tell apart by colour: every team in light grey, the median across teams in blue
        colour = alt.value(GREY_LIGHT)
    lines = (
        alt.Chart()
        .mark_line(strokeWidth=1.5 if many else 2.5)
        .encode(x=x, y=y, color=colour, detail="team:N")
    )
    points = (
        alt.Chart()
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x=x,
            y=y,
            color=colour,
            tooltip=[alt.Tooltip("team:N"), alt.Tooltip("round:N"), alt.Tooltip("index:Q", title="Index")],
        )
    )
    if highlight is None and not many:
        # each team has a shape of its own as well as a colour: the lines can be told apart without colour
        points = points.encode(
            shape=alt.Shape(
                "team:N",
                scale=alt.Scale(
                    domain=teams, range=[TEAM_SHAPES[i % len(TEAM_SHAPES)] for i in range(len(teams))]
                ),
                legend=legend if len(teams) <= 12 else None,
            )
        )
    layers: list[Any] = [lines, points]
    same_teams = same_teams_trend_table(rounds) if many else pd.DataFrame()
    shown_pairs = same_teams[same_teams["median"].notna()] if many else same_teams
    if many:
        layers = [lines]
    if many and not shown_pairs.empty:
        # a phone: the median over its n on two lines, narrow enough not to run into the next round's
        shown_pairs = shown_pairs.assign(
            label=[
                [f"{m:.1f}", f"n={n}"] if narrow else f"{m:.1f} (n={n})"
                for m, n in zip(shown_pairs["median"], shown_pairs["n"], strict=True)
            ]
        )
        pair_data = alt.Data(values=_records(shown_pairs))
        pair_y = alt.Y("median:Q", scale=alt.Scale(domain=[0, 100]), title="Overall index (0–100)")
        layers.append(
            alt.Chart(pair_data)
            .mark_line(strokeWidth=3, color=BLUE_DARK, point=alt.OverlayMarkDef(color=BLUE_DARK, size=60))
            .encode(
                x=x,
                y=pair_y,
                detail="pair:N",
                tooltip=[
                    alt.Tooltip("pair:N", title="Rounds"),
                    alt.Tooltip("median:Q", title="Median index"),
                    alt.Tooltip("n:Q", title="Same teams (n)"),
                ],
            )
        )
        # the pair's start under its point, its end above (two lines of 12 px each on a phone)
        for end, offset in (("from", 14), ("to", -12)):
            text = alt.Chart(pair_data).transform_filter(alt.datum.end == end)
            if narrow:
                text = text.mark_text(
                    dy=8 if end == "from" else -32,
                    baseline="top",
                    lineHeight=12,
                    fontSize=10,
                    color=BLUE_DARK,
                )
            else:
                text = text.mark_text(dy=offset, fontSize=10, color=BLUE_DARK)
            layers.append(text.encode(x=x, y=pair_y, text="label:N"))
    if highlight is not None or len(teams) == 1:
        layers.append(
            alt.Chart()
            .mark_text(dy=-12, fontSize=11)
            .encode(x=x, y=y, text=alt.Text("index:Q", format=".1f"))
            .transform_filter(alt.datum.team == (highlight or teams[0]))
        )
    # the y axis and its title take about 50 px (the padding the rest)
    chart = _sized(alt.layer(*layers, data=data), width=width - (75 if narrow else 60), height=220)
    hidden = table[table["index"].isna()]
    subtitle: list[str] = []
    if many and not shown_pairs.empty:
        subtitle.append(
            "Blue: the median of the same teams from one round to the next (n = teams with complete results "
            "in both rounds); grey: each team."
        )
    elif many:
        subtitle.append(
            "Grey: each team. No same-teams median: no two consecutive rounds share "
            f"{SAME_TEAMS_MINIMUM} teams with complete results."
        )
    if not hidden.empty:
        pairs = [f"{team} in {label}" for team, label in zip(hidden["team"], hidden["round"], strict=True)]
        listed = ", ".join(pairs[:4]) + (f" and {len(pairs) - 4} more" if len(pairs) > 4 else "")
        subtitle.append(f"Not shown (suppressed or no score): {listed}.")
    return _styled(chart, "Overall index over time", subtitle or None, width=width)


def gap_table(results: TeamResult | Sequence[TeamResult]) -> pd.DataFrame:
    """Leaders' mean vs the other roles' mean per team and dimension (None with the reason when suppressed)."""
    team_results = [results] if isinstance(results, TeamResult) else list(results)
    rows = []
    for result in team_results:
        names = {dimension.id: dimension.name for dimension in result.dimensions}
        for gap in result.gaps:
            rows.append(
                {
                    "team": result.team,
                    "dimension": names.get(gap.dimension_id, gap.dimension_id),
                    "leaders": gap.leaders,
                    "others": gap.others,
                    "leader_mean": gap.leader_mean,
                    "others_mean": gap.others_mean,
                    "gap": gap.gap,
                    "flagged": gap.flagged,
                    "note": f"{SUPPRESSED}: {gap.suppressed_reason}" if gap.suppressed else "",
                }
            )
        if not result.gaps:
            rows.append(
                {
                    "team": result.team,
                    "dimension": None,
                    "leaders": None,
                    "others": None,
                    "leader_mean": None,
                    "others_mean": None,
                    "gap": None,
                    "flagged": False,
                    "note": f"{SUPPRESSED}: {result.suppressed_reason}"
                    if result.suppressed
                    else "no perception gaps computed",
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "team",
            "dimension",
            "leaders",
            "others",
            "leader_mean",
            "others_mean",
            "gap",
            "flagged",
            "note",
        ],
    )


@_unvalidated
def gap_chart(results: TeamResult | Sequence[TeamResult], *, width: int = WIDTH) -> Any:
    """Perception gaps: leaders' mean against the other roles' mean, per dimension.

    For one team: a dumbbell per dimension, leaders (orange diamond) and the others (blue dot) joined by a
    line, labelled with the gap. For several teams: a heat table of teams × dimensions holding the gap
    (leaders minus others). Only gaps where both groups pass the anonymity rule carry a number; the others
    read "suppressed" (or the team is named in the subtitle). Gaps of 1.0 or more are flagged.
    """
    table = gap_table(results)
    team_results = [results] if isinstance(results, TeamResult) else list(results)
    shown = table[table["gap"].notna()].copy()
    if shown.empty:
        return _empty(
            "Perception gaps",
            "No perception gap can be shown: each needs at least k leaders and k others with a score.",
            width,
        )
    if len(team_results) > 1:
        return _gap_heatmap(table, team_results, width)
    shown["text"] = [
        f"gap {gap:+.2f}" if flagged else f"{gap:+.2f}"
        for gap, flagged in zip(shown["gap"], shown["flagged"], strict=True)
    ]
    hidden = table[table["gap"].isna() & table["dimension"].notna()]
    long = []
    for row in shown.itertuples():
        long.append({"row": row.dimension, "group": "Leaders", "mean": row.leader_mean, "n": row.leaders})
        long.append({"row": row.dimension, "group": "Others", "mean": row.others_mean, "n": row.others})
    notes = [{"row": row.dimension, "text": SUPPRESSED} for row in hidden.itertuples()]
    order = list(dict.fromkeys(table["dimension"].dropna()))
    # a phone: the gap goes under each row instead of beside the chart (a vertical layout, as the benchmark)
    narrow = width < PHONE
    y = alt.Y(
        "row:N",
        sort=order,
        title=None,
        axis=alt.Axis(ticks=False, domain=False, labelLimit=NARROW_LABELS - 20 if narrow else 220),
    )
    x_scale = alt.Scale(domain=[1, 5], nice=False)
    shown["row"] = shown["dimension"]
    lines = (
        alt.Chart(alt.Data(values=_records(shown[["row", "leader_mean", "others_mean", "flagged"]])))
        .mark_rule(strokeWidth=3)
        .encode(
            y=y,
            x=alt.X(
                "leader_mean:Q",
                scale=x_scale,
                title="Mean dimension score (1–5)",
                axis=alt.Axis(values=[1, 2, 3, 4, 5], format="d"),
            ),
            x2="others_mean:Q",
            color=alt.condition("datum.flagged", alt.value(ORANGE_DARK), alt.value(GREY_LIGHT)),
        )
    )
    groups = ["Leaders", "Others"]
    dots = (
        alt.Chart(alt.Data(values=long))
        .mark_point(filled=True, size=120, opacity=1)
        .encode(
            y=y,
            x=alt.X("mean:Q", scale=x_scale),
            color=alt.Color(
                "group:N",
                scale=alt.Scale(domain=groups, range=[ORANGE, BLUE_DARK]),
                legend=alt.Legend(title=None),
            ),
            shape=alt.Shape(
                "group:N", scale=alt.Scale(domain=groups, range=["diamond", "circle"]), legend=None
            ),
            tooltip=[alt.Tooltip("row:N"), alt.Tooltip("group:N"), alt.Tooltip("mean:Q"), alt.Tooltip("n:Q")],
        )
    )
    plot_width = width - NARROW_LABELS - 10 if narrow else max(width - 300, 200)
    labels = (
        alt.Chart(
            alt.Data(
                values=[
                    *_records(shown[["row", "text", "flagged"]]),
                    *[{**n, "flagged": False} for n in notes],
                ]
            )
        )
        .mark_text(align="left", **({"baseline": "top", "dy": 12} if narrow else {}))
        .encode(
            y=y,
            x=alt.value(0 if narrow else plot_width + 10),
            text="text:N",
            color=alt.condition("datum.flagged", alt.value(ORANGE_DARK), alt.value(GREY_DARK)),
        )
    )
    chart = _sized(alt.layer(lines, dots, labels), width=plot_width, height=alt.Step(50 if narrow else 30))
    subtitle = "Flagged when leaders and the others differ by 1.0 or more."
    return _styled(chart, "Perception gaps: leaders vs the others", subtitle, width=width)


def _gap_heatmap(table: pd.DataFrame, team_results: Sequence[TeamResult], width: int) -> Any:
    """Teams × dimensions, each cell the gap (leaders minus others), coloured orange (leaders higher) to blue."""
    cells = table[table["dimension"].notna()].copy()
    cells["text"] = [
        SUPPRESSED if pd.isna(gap) else f"{gap:+.2f}" + (" !" if flagged else "")
        for gap, flagged in zip(cells["gap"], cells["flagged"], strict=True)
    ]
    phone = width < PHONE
    teams = list(dict.fromkeys(cells["team"]))
    rows = teams
    if phone:
        cells["text"] = [NO_NUMBER if text == SUPPRESSED else text for text in cells["text"]]
        labels = _wrapped_names(teams, PHONE_HEAT_LABELS)
        cells["row"] = [labels[team] for team in cells["team"]]
        rows = [labels[team] for team in teams]
    fields = ["team", "dimension", "gap", "flagged", "text", "leaders", "others"]
    data = alt.Data(values=_records(cells[[*fields, "row"] if phone else fields]))
    dimensions = list(dict.fromkeys(cells["dimension"]))
    x, y, cell_width, row_height = _heat_axes(
        dimensions, rows, width, row_field="row" if phone else "team", header_limit=False
    )
    shown = (
        alt.Chart()
        .transform_filter("datum.gap != null")
        .mark_rect(stroke="white", strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "gap:Q",
                scale=alt.Scale(domain=[-2, 0, 2], range=[BLUE_DARK, "#F2F2F2", ORANGE_DARK], clamp=True),
                legend=alt.Legend(
                    title="Leaders minus others", orient="bottom", direction="horizontal", gradientLength=200
                ),
            ),
            tooltip=[
                alt.Tooltip("team:N"),
                alt.Tooltip("dimension:N"),
                alt.Tooltip("gap:Q"),
                alt.Tooltip("leaders:Q"),
                alt.Tooltip("others:Q"),
            ],
        )
    )
    hidden = (
        alt.Chart()
        .transform_filter("datum.gap == null")
        .mark_rect(fill=SUPPRESSED_FILL, stroke="white", strokeWidth=2)
        .encode(x=x, y=y)
    )
    text = (
        alt.Chart()
        .mark_text(fontSize=10)
        .encode(
            x=x,
            y=y,
            text="text:N",
            color=alt.condition(
                "datum.gap != null && abs(datum.gap) >= 1.3", alt.value("white"), alt.value(TEXT)
            ),
        )
    )
    chart = _sized(
        alt.layer(shown, hidden, text, data=data), width=alt.Step(cell_width), height=alt.Step(row_height)
    )
    subtitle = [
        "Leaders' mean minus the others' mean; ! marks a gap of 1.0 or more either way.",
        "A gap needs at least k leaders and k others with a score"
        + (f"; {NO_NUMBER} = suppressed." if phone else "."),
    ]
    without = [result.team for result in team_results if not result.gaps]
    if without:
        subtitle.append(f"Left out (suppressed or no roles to compare): {plural(len(without), 'team')}.")
    return _styled(chart, "Perception gaps: leaders vs the others", subtitle, width=width)


# --- task map: a role's week before and after ----------------------------------------------------------

#: Category → colour of the role-week chart (human work grey, AI work blues, review orange, freed time).
ROLE_WEEK_COLOURS = {
    "Human only": GREY_MID,
    "AI with review": BLUE,
    "Review (meta-work)": ORANGE_DARK,
    "AI freely": BLUE_LIGHT,
    "Redeployed": BLUE_DARK,
    "Absorbed": ORANGE_LIGHT,
}


def role_week_table(slices: Sequence[WeekSlice]) -> pd.DataFrame:
    """A role's week per person by category, one row per role, week (before / after) and category."""
    rows = [
        {"role": s.role, "week": week, "bar": f"{s.role} · {week}", "category": s.category, "hours": hours}
        for s in slices
        for week, hours in (("before", s.before), ("after", s.after))
        if hours > 0
    ]
    return pd.DataFrame(rows, columns=["role", "week", "bar", "category", "hours"])


@_unvalidated
def role_week_chart(slices: Sequence[WeekSlice], *, width: int = WIDTH) -> Any:
    """Each role's week per person, before AI and after the team's decisions, stacked by category (human
    only, AI with review, its review, AI freely, redeployed, absorbed).

    Each role's name stands on a line of its own above its two bars (wrapped, never cut), so the bars keep
    the width a phone has: the axis beside them says only "before" and "after".
    """
    table = role_week_table(slices)
    if table.empty:
        return _empty("A role's week, before and after", "The task map has no hours yet.", width)
    categories = list(ROLE_WEEK_COLOURS)
    table["order"] = [categories.index(category) for category in table["category"]]
    narrow = width < PHONE
    roles = list(dict.fromkeys(table["role"]))
    # the rows: a heading row per role (its name), then its bars; a bar row's key is "role · week"
    rows = []
    for role in roles:
        rows.append(role)
        rows.extend(bar for bar in dict.fromkeys(table["bar"]) if bar.startswith(f"{role} · "))
    # the role names start where the axis labels start (about 50 px left of the plot), in bold
    lines_per_name = max(int((width - 20) / 7.6), 20)  # bold 11 px: about 7.6 px a character
    headings = [
        {"bar": role, "name": textwrap.wrap(role, lines_per_name, break_long_words=True)[:3] or [role]}
        for role in roles
    ]
    tallest = max(len(heading["name"]) for heading in headings)
    step = max(26, 13 * tallest + 6)
    y = alt.Y(
        "bar:N",
        sort=rows,
        title=None,
        axis=alt.Axis(
            ticks=False,
            domain=False,
            # a bar row shows its week; a heading row shows nothing on the axis (its name is drawn above)
            labelExpr=f"indexof(datum.label, {json.dumps(' · ')}) >= 0 ? "
            f"slice(datum.label, lastindexof(datum.label, {json.dumps(' · ')}) + 3) : ''",
            labelLimit=80,
        ),
    )
    colour = alt.Scale(domain=categories, range=list(ROLE_WEEK_COLOURS.values()))
    bars = (
        alt.Chart(alt.Data(values=_records(table)))
        .mark_bar(height=16)
        .encode(
            y=y,
            x=alt.X("sum(hours):Q", title="Hours per person per week", stack="zero"),
            color=alt.Color(
                "category:N",
                scale=colour,
                title=None,
                legend=alt.Legend(columns=2 if narrow else 3, labelLimit=width // 2 - 30),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("role:N"),
                alt.Tooltip("week:N"),
                alt.Tooltip("category:N"),
                alt.Tooltip("hours:Q", title="Hours", format=".1f"),
            ],
        )
    )
    names = (
        alt.Chart(alt.Data(values=headings))
        .mark_text(align="left", baseline="middle", fontSize=11, fontWeight="bold", lineHeight=13)
        .encode(y=y, x=alt.value(-50), text="name:N")
    )
    chart = _sized(alt.layer(bars, names), width=width - 90, height=alt.Step(step))
    subtitle = (
        "Before: the AI activities at the time they used to take. After: their time now, plus review, and the "
        "freed hours split into redeployed and absorbed."
    )
    return _styled(chart, "A role's week, before and after", subtitle, width=width)


# --- rendering ------------------------------------------------------------------------------------------

_font_lock = threading.Lock()
_fonts_registered = False
_png_cache: OrderedDict[tuple[str, float], bytes] = OrderedDict()
_PNG_CACHE_SIZE = 256
#: spec JSON → scenegraph JSON; a team report's charts take about 0.3 MB here (specs and layouts)
_scenegraph_cache: OrderedDict[str, str] = OrderedDict()
_SCENEGRAPH_CACHE_SIZE = 256


def _register_fonts() -> None:
    """Register the bundled fonts with vl-convert once per process."""
    global _fonts_registered
    with _font_lock:
        if not _fonts_registered:
            import vl_convert

            vl_convert.register_font_directory(str(FONT_DIR))
            _fonts_registered = True


def chart_spec(chart: Any) -> dict[str, Any]:
    """The chart's Vega-Lite spec as a dict (what ``render_png`` renders)."""
    # the chart functions build valid specs; skipping Altair's JSON-schema validation saves ~0.1 s a chart
    spec: dict[str, Any] = chart.to_dict(validate=False)
    return spec


def render_scenegraph(chart: Any) -> dict[str, Any]:
    """The chart laid out by Vega (vl-convert, bundled font, no network access): its scenegraph, every mark
    with its final position, size, colour and text, for ``reports.vector`` to draw as vector graphics.

    Laying out skips rasterising, which is most of a PNG's time (text above all). Cached in-process by the
    spec's JSON like :func:`render_png`, as compact JSON (a fifth of the memory of the dict, so a ZIP of a
    few dozen team reports fits): each call returns a fresh dict.
    """
    spec = chart_spec(chart) if not isinstance(chart, dict) else chart
    key = json.dumps(spec, sort_keys=True, default=str)
    with _font_lock:
        cached = _scenegraph_cache.get(key)
        if cached is not None:
            _scenegraph_cache.move_to_end(key)
    if cached is not None:
        scenegraph: dict[str, Any] = json.loads(cached)
        return scenegraph
    _register_fonts()
    import vl_convert

    scenegraph = vl_convert.vegalite_to_scenegraph(key, allowed_base_urls=[])
    compact = json.dumps(scenegraph, separators=(",", ":"))
    with _font_lock:
        _scenegraph_cache[key] = compact
        while len(_scenegraph_cache) > _SCENEGRAPH_CACHE_SIZE:
            _scenegraph_cache.popitem(last=False)
    return scenegraph


def render_png(chart: Any, scale: float = 2) -> bytes:
    """The chart as PNG bytes, rendered by vl-convert with the bundled font and no network access.

    Results are cached in-process by the spec's JSON (and the scale), so identical charts render once. The
    first render in a process takes about half a second (vl-convert starts its engine); later ones tens of
    milliseconds.
    """
    spec = chart_spec(chart) if not isinstance(chart, dict) else chart
    key = (json.dumps(spec, sort_keys=True, default=str), float(scale))
    with _font_lock:
        cached = _png_cache.get(key)
        if cached is not None:
            _png_cache.move_to_end(key)
            return cached
    _register_fonts()
    import vl_convert

    png: bytes = vl_convert.vegalite_to_png(key[0], scale=scale, allowed_base_urls=[])
    with _font_lock:
        _png_cache[key] = png
        while len(_png_cache) > _PNG_CACHE_SIZE:
            _png_cache.popitem(last=False)
    return png
