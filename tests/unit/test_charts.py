"""Charts: one Altair chart per function, explicit styling, the bundled font, tables beside them, and no
suppressed number anywhere in a chart's data."""

from __future__ import annotations

import json
import re
from typing import Any

import altair as alt
import pytest

from questionnaires.loader import default_questionnaire
from questionnaires.schema import Questionnaire
from reports import charts
from scoring import capacity_ledger, peer_percentiles, score_team
from scoring.models import TeamResult
from tests.packs import measured_pack
from tests.report_samples import sample_team
from ui import PHONE_CHART_WIDTH

PALETTE = {colour.upper() for colour in charts.SERIES_COLOURS} | {
    charts.SUPPRESSED_FILL,
    charts.TEXT,
    "#E6E6E6",
    "#E3E3E3",
    "#F2F2F2",
    "#F7F7F7",
    "#FFFFFF",
    "#000000",  # text on a light segment (charts.text_colour_on)
}


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return default_questionnaire()


@pytest.fixture(scope="module")
def result(questionnaire: Questionnaire) -> TeamResult:
    return score_team(questionnaire, sample_team(questionnaire, "Service desk"))


@pytest.fixture(scope="module")
def small(questionnaire: Questionnaire) -> TeamResult:
    """Two respondents: suppressed as a whole (k = 3)."""
    return score_team(questionnaire, sample_team(questionnaire, "Tiny team", size=2, seed=5))


@pytest.fixture(scope="module")
def peers(questionnaire: Questionnaire) -> list[TeamResult]:
    return [score_team(questionnaire, sample_team(questionnaire, f"Peer {i}", seed=i)) for i in range(6)]


def every_chart(
    questionnaire: Questionnaire, result: TeamResult, small: TeamResult, peers: list[TeamResult]
) -> dict[str, Any]:
    assert result.ledger is not None
    return {
        "layer_ladder": charts.layer_ladder(result),
        "benchmark_pack": charts.benchmark_chart(result, measured_pack(questionnaire)),
        "benchmark_peers": charts.benchmark_chart(result, peer_percentiles(result, peers)),
        "item_heatmap": charts.item_heatmap(questionnaire, result),
        "capacity_waterfall": charts.capacity_waterfall(result.ledger),
        "kpi_reference_chart": charts.kpi_reference_chart(questionnaire, result.kpis),
        "item_distribution": charts.item_distribution(questionnaire, result.dimensions[0]),
        "org_heatmap": charts.org_heatmap([result, small, *peers]),
        "trend_chart": charts.trend_chart([("2025 Q4", [result, small]), ("2026 Q1", [result, *peers])]),
        "gap_chart_team": charts.gap_chart(result),
        "gap_chart_org": charts.gap_chart([result, small, *peers]),
    }


def test_every_chart_is_a_valid_vega_lite_spec_with_the_bundled_font_and_explicit_styling(
    questionnaire: Questionnaire, result: TeamResult, small: TeamResult, peers: list[TeamResult]
) -> None:
    for name, chart in every_chart(questionnaire, result, small, peers).items():
        assert isinstance(chart, alt.TopLevelMixin), name
        spec = chart.to_dict(validate=True)  # the chart functions skip validation; the test does not
        config = spec["config"]
        assert config["font"] == "DejaVu Sans", name
        assert config["axis"]["labelFont"] == "DejaVu Sans", name
        assert config["legend"]["labelFont"] == "DejaVu Sans", name
        assert config["background"] == "white", name
        assert spec["title"]["text"], name
        assert spec["title"]["font"] == "DejaVu Sans", name


def test_charts_use_only_the_colour_blind_safe_palette(
    questionnaire: Questionnaire, result: TeamResult, small: TeamResult, peers: list[TeamResult]
) -> None:
    for name, chart in every_chart(questionnaire, result, small, peers).items():
        text = json.dumps(chart.to_dict(validate=False))
        colours = {colour.upper() for colour in re.findall(r"#[0-9A-Fa-f]{6}\b", text)}
        assert colours <= PALETTE, f"{name} uses {sorted(colours - PALETTE)}"


def test_the_ladder_shows_the_cap_and_its_table_carries_the_numbers(result: TeamResult) -> None:
    table = charts.layer_ladder_table(result)
    assert list(table["dimension"]) == ["Permission", "Definition", "Boundaries", "Coaching"]
    definition = table[table["dimension"] == "Definition"].iloc[0]
    assert (definition["level"], definition["gated_level"], definition["capped_by"]) == (4, 3, "Permission")
    assert definition["note"] == "Definition is held at 3 by Permission at 2"
    text = json.dumps(charts.layer_ladder(result).to_dict(validate=False), ensure_ascii=False)
    assert "own 4 → held at 3 by Permission" in text


def test_the_ladder_shows_capacity_governance_on_top_where_it_is_the_weakest_dimension(
    result: TeamResult,
) -> None:
    assert list(charts.layer_ladder_table(result)["dimension"]) == [
        "Permission",
        "Definition",
        "Boundaries",
        "Coaching",
    ]  # Capacity governance is not this team's weakest dimension
    weak = result.model_copy(
        update={
            "dimensions": [
                d.model_copy(update={"score": 1.2, "level": 1, "level_name": "Ad hoc"})
                if d.layer is None
                else d
                for d in result.dimensions
            ]
        }
    )
    table = charts.layer_ladder_table(weak)
    assert list(table["dimension"]) == [
        "Permission",
        "Definition",
        "Boundaries",
        "Coaching",
        "Capacity governance",
    ]
    assert "weakest dimension" in table.iloc[-1]["note"]
    spec = charts.layer_ladder(weak).to_dict(validate=False)
    text = json.dumps(spec, ensure_ascii=False)
    assert "weakest: 1 Ad hoc · score 1.2" in text
    # drawn on top of the ladder (layer 4 next, layer 1 at the bottom)
    assert re.search(r'"sort": \["–  Capacity governance", "4  Coaching", "3  Boundaries"', text)


def test_a_suppressed_team_has_no_number_in_any_of_its_charts(
    questionnaire: Questionnaire, small: TeamResult
) -> None:
    assert small.suppressed
    for chart in (
        charts.layer_ladder(small),
        charts.benchmark_chart(small, measured_pack(questionnaire)),
        charts.item_heatmap(questionnaire, small),
        charts.item_distribution(questionnaire, small.dimensions[0]),
        charts.org_heatmap([small]),
    ):
        data = _data_values(chart.to_dict(validate=False))
        numbers = {
            key: value
            for row in data
            for key, value in row.items()
            if key in {"score", "level", "gated_level", "mean", "share", "count", "percentile", "index"}
            and value is not None
        }
        assert numbers == {}
        assert "suppressed" in json.dumps(data)
    assert charts.layer_ladder_table(small)["score"].isna().all()
    assert set(charts.org_heatmap_table([small])["note"].str.split(":").str[0]) == {"suppressed"}


def test_a_suppressed_dimension_reads_suppressed_in_the_org_heatmap(
    questionnaire: Questionnaire, result: TeamResult, small: TeamResult
) -> None:
    table = charts.org_heatmap_table([result, small])
    tiny = table[table["team"] == "Tiny team"]
    assert tiny["gated_level"].isna().all()
    assert tiny["note"].str.startswith("suppressed: needs at least 3 responses; 2 so far").all()
    cells = _data_values(charts.org_heatmap([result, small]).to_dict(validate=False))
    assert {cell["text"] for cell in cells if cell["team"] == "Tiny team"} == {"suppressed"}


def test_the_gap_chart_leaves_out_groups_below_k(questionnaire: Questionnaire) -> None:
    # 2 leaders and 4 others: the leaders' side is below k = 3
    roles = ["leader", "leader", "contributor", "contributor", "manager", "contributor"]
    result = score_team(questionnaire, sample_team(questionnaire, "Two leaders", size=6, roles=roles))
    table = charts.gap_table(result)
    assert table["gap"].isna().all()
    assert table["note"].str.startswith("suppressed: needs at least 3 leaders").all()
    text = json.dumps(charts.gap_chart(result).to_dict(validate=False))
    assert "No perception gap can be shown" in text


def test_the_benchmark_table_names_the_pack_and_the_percentiles(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    pack = measured_pack(questionnaire)
    table = charts.benchmark_table(result, pack)
    permission = table[table["dimension"] == "Permission"].iloc[0]
    assert (permission["p10"], permission["p50"], permission["p90"]) == (1.7, 3.1, 4.5)
    assert permission["label"] == "Measured: 12 teams"
    assert permission["n"] == 12
    spec = charts.benchmark_chart(result, pack).to_dict(validate=False)
    assert spec["title"]["subtitle"][0].startswith("Measured: 12 teams (n = 12")


def test_the_target_chart_names_the_target_and_the_previous_round_with_their_n(
    questionnaire: Questionnaire, result: TeamResult, small: TeamResult
) -> None:
    table = charts.target_table(result, {}, None)
    assert set(table["target"]) == {4} and set(table["target score"]) == {3.4}
    assert table["previous round"].isna().all()
    spec = charts.target_chart(result, {}, result, previous_label="2026 Q1").to_dict(validate=False)
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "against target level 4 on every dimension (a score of 3.4 or" in subtitle
    assert "previous round 2026 Q1 (n = 7)" in subtitle
    none = " ".join(charts.target_chart(result, {}, None).to_dict(validate=False)["title"]["subtitle"])
    assert "no previous round yet" in none


def test_the_capacity_waterfall_steps_add_up() -> None:
    ledger = capacity_ledger(21, 30, 3, 40)  # took 30 h before: 9 h freed
    table = charts.capacity_waterfall_table(ledger)
    assert list(table["step"]) == ["Freed by AI", "Meta-work", "Net freed", "Redeployed", "Absorbed"]
    assert list(table["hours"]) == pytest.approx([9.0, -3.0, 6.0, 2.4, 3.6])
    assert table.iloc[-1]["end"] == pytest.approx(ledger.net_freed_hours)
    assert "team hours" not in table


def test_the_capacity_table_gives_the_team_totals_and_full_time_equivalents() -> None:
    table = charts.capacity_waterfall_table(capacity_ledger(21, 30, 3, 40, team_size=10))
    assert list(table["team hours"]) == pytest.approx([90.0, -30.0, 60.0, 24.0, 36.0])
    assert list(table["team FTE"]) == pytest.approx([2.25, -0.75, 1.5, 0.6, 0.9])
    subtitle = charts.capacity_waterfall(capacity_ledger(21, 30, 3, 40, team_size=10)).to_dict(validate=False)
    assert "Team of 10: 60 h a week after meta-work = 1.5 FTE." in "".join(subtitle["title"]["subtitle"])


def test_kpis_are_compared_with_reference_points_and_their_sources(questionnaire: Questionnaire) -> None:
    table = charts.kpi_reference_table(questionnaire, {"rework_rate": 12})
    rework = table[table["kpi_id"] == "rework_rate"]
    assert list(rework["who"]) == [
        "Your team",
        "Without a strategy (comparison of two organisations)",
        "With a strategy (comparison of two organisations)",
    ]
    assert list(rework["value"]) == [12, 18, 5]
    assert list(rework["kind"])[1:] == ["comparison of two organisations"] * 2
    assert "source article 000" in rework.iloc[1]["source"]
    # KPIs without a value still show their reference points
    assert "satisfaction" in set(table["kpi_id"])


def test_every_reference_point_names_its_article_and_its_kind_in_label_and_chart(
    questionnaire: Questionnaire,
) -> None:
    for point in questionnaire.reference_points:
        assert "source article 00" in point.source, point.label
        assert f"({point.kind})" in point.label, point.label
    meta_work = [p for p in questionnaire.reference_points if p.kpi == "meta_work_hours"]
    assert {p.kind for p in meta_work} == {"hypothetical example"}
    assert all("30 %" not in p.label for p in meta_work), "the 30 % review overhead is a separate sentence"
    spec = json.dumps(
        charts.kpi_reference_chart(questionnaire, {}).to_dict(validate=False), ensure_ascii=False
    )
    assert "Rework rate (%, lower is better) · comparison of two organisations, article 000" in spec
    assert "AI meta-work per person (hours/week, lower is better) · hypothetical example, article 003" in spec


def test_the_thirty_percent_question_is_not_drawn_as_a_reference_point(questionnaire: Questionnaire) -> None:
    assert not [p for p in questionnaire.reference_points if p.kpi == "task_time_reduction"]
    table = charts.kpi_reference_table(questionnaire, {"task_time_reduction": 30})
    assert list(table[table["kpi_id"] == "task_time_reduction"]["who"]) == ["Your team"]


def test_ticket_resolution_is_an_average_and_satisfaction_says_it_asks_a_narrower_question(
    questionnaire: Questionnaire,
) -> None:
    kpis = {kpi.id: kpi for kpi in questionnaire.kpis}
    assert "Average (mean) minutes" in kpis["ticket_resolution_minutes"].help
    assert "median" not in kpis["ticket_resolution_minutes"].help.lower()
    assert "Narrower than the reference figures" in kpis["satisfaction"].help
    for point in questionnaire.reference_points:
        if point.kpi == "satisfaction":
            assert "broader than this KPI's question" in point.context


def test_the_trend_leaves_suppressed_rounds_out_and_says_so(result: TeamResult, small: TeamResult) -> None:
    rounds = [("2025 Q4", [result, small]), ("2026 Q1", [result])]
    table = charts.trend_table(rounds)
    assert table[table["team"] == "Tiny team"]["index"].isna().all()
    spec = charts.trend_chart(rounds).to_dict(validate=False)
    assert "Tiny team in 2025 Q4" in " ".join(spec["title"]["subtitle"])
    assert all(row["team"] != "Tiny team" for row in _data_values(spec))
    # nor does the legend name it: it has no line to name
    colour = next(
        layer["encoding"]["color"] for layer in spec["layer"] if "color" in layer.get("encoding", {})
    )
    assert colour["scale"]["domain"] == [result.team]


def test_colour_is_not_the_only_way_to_tell_teams_or_benchmark_bands_apart(
    questionnaire: Questionnaire, result: TeamResult, peers: list[TeamResult]
) -> None:
    # the trend: each team a shape of its own as well as a colour (the legend shows both)
    spec = charts.trend_chart([("2025 Q4", peers[:3]), ("2026 Q1", peers[:3])]).to_dict(validate=False)
    shapes = [layer["encoding"]["shape"] for layer in spec["layer"] if "shape" in layer.get("encoding", {})]
    assert len(shapes) == 1 and shapes[0]["field"] == "team"
    assert len(set(shapes[0]["scale"]["range"])) == 3
    # the benchmark: the p10–p90 band thinner than the p25–p75 band, and the subtitle says which is which
    spec = charts.benchmark_chart(result, measured_pack(questionnaire)).to_dict(validate=False)
    sizes = [layer["mark"]["size"] for layer in spec["layer"] if layer["mark"].get("type") == "bar"]
    assert sizes[0] < sizes[1]
    assert "Thin bar: p10–p90" in " ".join(spec["title"]["subtitle"])


def test_render_png_is_sharp_offline_and_cached(result: TeamResult) -> None:
    chart = charts.layer_ladder(result)
    png = charts.render_png(chart, scale=2)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    assert width >= 2 * 400  # scale 2 of a chart about 560 px wide
    assert charts.render_png(charts.layer_ladder(result), scale=2) is png  # same spec: from the cache


def test_render_png_never_fetches_data_from_a_url() -> None:
    chart = alt.Chart(alt.Data(url="https://example.com/data.json")).mark_point().encode(x="a:Q")
    with pytest.raises(ValueError, match="not allowed"):
        charts.render_png(chart)


def _data_values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline data row of a spec (top-level datasets and layer data)."""
    rows: list[dict[str, Any]] = []
    for values in spec.get("datasets", {}).values():
        rows.extend(values)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), list):
                rows.extend(data["values"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return rows


def _uniform_team(questionnaire: Questionnaire, team: str, levels: dict[str, int | None]) -> TeamResult:
    from tests.unit.scoring_support import make_team, uniform

    return score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, levels)] * 3, team=team)
    )


def test_the_organisation_trend_follows_the_same_teams_with_n_at_every_point() -> None:
    """2 teams answer in Q1, 11 in Q2, the same 11 plus a partial workshop team in Q3: the median line
    follows only the teams present (complete) in both rounds of each step, and every point says its n."""
    from tests.unit.scoring_support import make_questionnaire

    questionnaire = make_questionnaire()
    dimensions = [dimension.id for dimension in questionnaire.dimensions]

    def team(name: str, level: int) -> TeamResult:
        return _uniform_team(questionnaire, name, dict.fromkeys(dimensions, level))

    q1 = [team("Early 1", 5), team("Early 2", 5)]  # index 100
    later = [team("Early 1", 4), team("Early 2", 4)] + [team(f"Team {i}", 2) for i in range(9)]  # 75, 25
    partial = _uniform_team(questionnaire, "Workshop", {"permission": 5, "definition": 5})
    assert partial.overall.index == 100.0 and partial.overall.missing
    rounds = [("2026 Q1", q1), ("2026 Q2", later), ("2026 Q3", [*later, partial])]

    table = charts.same_teams_trend_table(rounds)
    assert table[["pair", "end", "median", "n"]].values.tolist() == [
        ["2026 Q1 → 2026 Q2", "from", 100.0, 2],
        ["2026 Q1 → 2026 Q2", "to", 75.0, 2],
        ["2026 Q2 → 2026 Q3", "from", 25.0, 11],
        ["2026 Q2 → 2026 Q3", "to", 25.0, 11],
    ]
    spec = charts.trend_chart(rounds).to_dict(validate=False)
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "median of the same teams" in subtitle
    assert "median of 12 teams" not in subtitle
    labels = {row["label"] for row in _data_values(spec) if "label" in row}
    assert labels == {"100.0 (n=2)", "75.0 (n=2)", "25.0 (n=11)"}


def test_the_organisation_trend_draws_no_median_without_shared_teams() -> None:
    from tests.unit.scoring_support import make_questionnaire

    questionnaire = make_questionnaire()
    dimensions = [dimension.id for dimension in questionnaire.dimensions]
    first = [_uniform_team(questionnaire, f"A{i}", dict.fromkeys(dimensions, 3)) for i in range(6)]
    second = [_uniform_team(questionnaire, f"B{i}", dict.fromkeys(dimensions, 2)) for i in range(6)]
    table = charts.same_teams_trend_table([("2026 Q1", first), ("2026 Q2", second)])
    assert table["median"].isna().all()
    assert set(table["n"]) == {0}
    spec = charts.trend_chart([("2026 Q1", first), ("2026 Q2", second)]).to_dict(validate=False)
    assert "No same-teams median" in " ".join(spec["title"]["subtitle"])
    assert not any("label" in row for row in _data_values(spec))


def _texts(mark: dict[str, Any], x: float = 0, y: float = 0) -> list[dict[str, Any]]:
    """Every text item of a scenegraph with its absolute position (``ax``, ``ay``)."""
    found = []
    for item in mark.get("items", []):
        if mark.get("marktype") == "text":
            found.append(
                {**item, "ax": x + item.get("x", 0), "ay": y + item.get("y", 0), "role": mark.get("role")}
            )
        for child in item.get("items", []):
            found.extend(_texts(child, x + item.get("x", 0), y + item.get("y", 0)))
    return found


def _marks(
    mark: dict[str, Any], marktype: str, x: float = 0, y: float = 0
) -> list[tuple[str, list[dict[str, Any]]]]:
    """The chart's own marks (role "mark") of ``marktype``: (name, items with absolute ``ax``, ``ay``)."""
    found = []
    if mark.get("marktype") == marktype and mark.get("role") == "mark":
        found.append(
            (
                mark.get("name", ""),
                [{**item, "ax": x + item.get("x", 0), "ay": y + item.get("y", 0)} for item in mark["items"]],
            )
        )
    for item in mark.get("items", []):
        for child in item.get("items", []):
            found.extend(_marks(child, marktype, x + item.get("x", 0), y + item.get("y", 0)))
    return found


def phone_layouts(
    questionnaire: Questionnaire, result: TeamResult, small: TeamResult, peers: list[TeamResult]
) -> dict[str, Any]:
    """Every chart a page shows on a phone (``ui.chart`` builds it ``ui.PHONE_CHART_WIDTH`` wide), with
    data that makes it as wide as it gets: long team and role names, many rounds, a suppressed team."""
    from scoring.taskmap import WeekSlice

    width = PHONE_CHART_WIDTH
    assert result.ledger is not None
    long_named = [
        score_team(
            questionnaire,
            sample_team(questionnaire, "Claims operations and customer care second line", seed=9),
        )
    ]
    teams = [result, small, *peers, *long_named]
    rounds = [(f"{2025 + i // 4} Q{i % 4 + 1}", teams) for i in range(6)]
    week = [
        WeekSlice(role=role, category=category, before=before, after=after)
        for role in ("Analyst", "Customer service representative, second line (senior)")
        for category, before, after in (
            ("Human only", 30, 30),
            ("AI with review", 10, 4),
            ("Review (meta-work)", 0, 2),
            ("AI freely", 3, 1),
            ("Redeployed", 0, 1.5),
            ("Absorbed", 0, 2.5),
        )
    ]
    return {
        # Results
        "ladder": charts.layer_ladder(result, width=width),
        "target": charts.target_chart(result, {}, result, previous_label="2025 Q4", width=width),
        "benchmark_pack": charts.benchmark_chart(result, measured_pack(questionnaire), width=width),
        "items": charts.item_heatmap(questionnaire, result, width=width),
        "ledger": charts.capacity_waterfall(result.ledger, width=width),
        "kpis": charts.kpi_reference_chart(questionnaire, result.kpis, width=width),
        # the task map
        "role_week": charts.role_week_chart(week, width=width),
        # the leader view
        "org_heatmap": charts.org_heatmap(teams, width=width),
        "benchmark_peers": charts.benchmark_chart(result, peer_percentiles(result, peers), width=width),
        "trend": charts.trend_chart(rounds, width=width),
        "trend_highlight": charts.trend_chart(rounds, width=width, highlight=peers[0].team),
        # more teams than colours: grey lines and the labelled median of the same teams
        "trend_many": charts.trend_chart(
            [
                (label, [*group, *(p.model_copy(update={"team": f"{p.team} B"}) for p in peers)])
                for label, group in rounds
            ],
            width=width,
        ),
        "gap_team": charts.gap_chart(result, width=width),
        "gap_teams": charts.gap_chart(teams, width=width),
        # a workshop reveal on a phone
        "reveal": charts.item_distribution(questionnaire, result.dimensions[0], width=width),
    }


PHONE_LAYOUTS = (
    "ladder",
    "target",
    "benchmark_pack",
    "items",
    "ledger",
    "kpis",
    "role_week",
    "org_heatmap",
    "benchmark_peers",
    "trend",
    "trend_highlight",
    "trend_many",
    "gap_team",
    "gap_teams",
    "reveal",
)


@pytest.mark.parametrize("name", PHONE_LAYOUTS)
def test_a_phone_layout_fits_the_phone_column_with_every_text_whole_and_10_px_or_more(
    name: str, questionnaire: Questionnaire, result: TeamResult, small: TeamResult, peers: list[TeamResult]
) -> None:
    """Laid out by Vega (the scenegraph's width counts every mark, text and padding included): no wider than
    ``ui.PHONE_CHART_WIDTH``, no text under 10 px, and no text cut short with an ellipsis."""
    import vl_convert

    chart = phone_layouts(questionnaire, result, small, peers)[name]
    chart.to_dict(validate=True)
    scenegraph = charts.render_scenegraph(chart)
    assert scenegraph["width"] <= PHONE_CHART_WIDTH, f"{name}: laid out {scenegraph['width']} px wide"
    texts = _texts(scenegraph["scenegraph"])
    assert texts
    small_text = [
        (text.get("text"), text.get("fontSize")) for text in texts if (text.get("fontSize") or 11) < 10
    ]
    assert not small_text, f"{name}: text under 10 px: {small_text}"
    svg = vl_convert.vegalite_to_svg(json.dumps(charts.chart_spec(chart)), allowed_base_urls=[])
    cut = re.findall(r">([^<]*…)</", svg)
    assert not cut, f"{name}: text cut short: {cut}"


def test_the_reveal_says_each_wide_enough_segments_level_and_count_in_a_contrasting_colour(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    """Colour is never the only carrier: every segment wide enough holds its level (and count where that
    fits) in black or white at 4.5:1 or more against its colour; the legend names the levels."""
    shorts = {charts.LEVEL_COLOURS[i]: f"L{i + 1}" for i in range(5)} | {charts.DONT_KNOW_COLOUR: "?"}
    for width in (PHONE_CHART_WIDTH, charts.WIDTH, 1080):  # a phone, the PDF and facilitator, the room screen
        for dimension in result.dimensions:
            chart = charts.item_distribution(questionnaire, dimension, width=width)
            scenegraph = charts.render_scenegraph(chart)
            (_, segments), *_ = _marks(scenegraph["scenegraph"], "rect")
            labels = [text for text in _texts(scenegraph["scenegraph"]) if text["role"] == "mark"]
            assert segments
            labelled = 0
            for segment in segments:
                short = shorts[segment["fill"]]
                inside = [
                    text
                    for text in labels
                    if segment["ax"] < text["ax"] < segment["ax"] + segment["width"]
                    and segment["ay"] <= text["ay"] <= segment["ay"] + segment["height"]
                ]
                if segment["width"] >= charts.segment_label_width(short) + 2 * charts.SEGMENT_MARGIN:
                    assert len(inside) == 1, (width, dimension.id, short, segment["width"], inside)
                    text = inside[0]
                    assert text["text"] == short or text["text"].startswith(f"{short}: ")
                    assert text["fontSize"] >= 10
                    assert charts.contrast_ratio(text["fill"], segment["fill"]) >= 4.5
                    # the text stays inside its segment
                    half = charts.segment_label_width(text["text"], text["fontSize"]) / 2
                    assert (
                        segment["ax"] <= text["ax"] - half
                        and text["ax"] + half <= segment["ax"] + segment["width"]
                    )
                    labelled += 1
                else:
                    assert not inside
            assert labelled
            legend = [
                text["text"] for text in _texts(scenegraph["scenegraph"]) if text["role"] == "legend-label"
            ]
            assert legend == [
                "L1 Ad hoc",
                "L2 Emerging",
                "L3 Defined",
                "L4 Managed",
                "L5 Embedded",
                "? Don't know",
            ]


def test_segment_label_widths_are_those_of_the_bundled_font() -> None:
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont("DejaVuSansMetrics", str(charts.FONT_DIR / "DejaVuSans.ttf"))
    for text in ("L1: 23", "?: 4", "L5", "0123456789"):
        assert charts.segment_label_width(text, 10) == pytest.approx(font.stringWidth(text, 10), abs=0.1)


def test_every_palette_colour_has_a_text_colour_of_4_5_to_1() -> None:
    for fill in (*charts.LEVEL_COLOURS, charts.DONT_KNOW_COLOUR):
        assert charts.contrast_ratio(charts.text_colour_on(fill), fill) >= 4.5, fill
    assert charts.text_colour_on(charts.BLUE_DARK) == "#FFFFFF"
    assert charts.text_colour_on(charts.GREY_LIGHT) == "#000000"


def test_a_phone_heat_table_keeps_teams_as_rows_and_wraps_long_names(
    result: TeamResult, small: TeamResult, peers: list[TeamResult]
) -> None:
    """The teams are what grows (a thousand of them at most), so they stay rows; the columns are few."""
    name = "Claims operations and customer care second line"
    renamed = result.model_copy(update={"team": name})
    spec = charts.org_heatmap([renamed, small, *peers], width=PHONE_CHART_WIDTH).to_dict(validate=False)
    encoding = next(layer["encoding"] for layer in spec["layer"] if layer["mark"]["type"] == "text")
    assert encoding["y"]["field"] == "row" and encoding["x"]["field"] == "dimension"
    rows = {row["team"]: row["row"] for row in spec["data"]["values"]}
    assert rows[name].replace("\n", " ") == name and "\n" in rows[name]
    assert rows["Tiny team"] == "Tiny team"


def test_dont_know_has_a_colour_of_its_own_far_from_level_3(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    spec = charts.item_distribution(questionnaire, result.dimensions[0]).to_dict(validate=False)
    scale = next(
        layer["encoding"]["color"]["scale"]
        for layer in spec["layer"]
        if "scale" in layer["encoding"]["color"]
    )
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    dont_know = colours[questionnaire.scale.dont_know]
    assert dont_know not in [
        colour for name, colour in colours.items() if name != questionnaire.scale.dont_know
    ]
    level_3 = next(colour for name, colour in colours.items() if name.startswith("3 "))
    brightness = [sum(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for colour in (dont_know, level_3)]
    assert abs(brightness[0] - brightness[1]) > 300  # not two similar light greys


def test_heat_table_counts_take_the_colour_of_their_level_as_the_legend_says(
    questionnaire: Questionnaire,
) -> None:
    """Six of seven people at "1 Ad hoc" read as a strong level-1 colour (orange), never the blue of a high
    level: count cells are coloured by the level of their column and only their strength follows the count."""
    levels = {dimension.id: 1.0 for dimension in questionnaire.dimensions}
    low = score_team(questionnaire, sample_team(questionnaire, "Low team", centres=levels, dont_know_share=0))
    spec = charts.item_heatmap(questionnaire, low).to_dict(validate=False)
    cells = [cell for cell in spec["data"]["values"] if cell["kind"] == "count"]
    crowded = [
        cell for cell in cells if cell["column"].startswith("1 ") and cell["share"] and cell["share"] > 0.7
    ]
    assert crowded, "the sample should have items most people put at level 1"
    for cell in crowded:
        assert cell["fill"] == charts.LEVEL_COLOURS[0]
        assert cell["strength"] > 0.7
    for cell in cells:
        level = cell["column"].split(" ")[0]
        if level.isdigit():
            assert cell["fill"] == charts.LEVEL_COLOURS[int(level) - 1]
        else:
            assert cell["fill"] not in (charts.BLUE, charts.BLUE_DARK)
    counts = next(layer for layer in spec["layer"] if "fillOpacity" in layer.get("encoding", {}))
    assert counts["encoding"]["color"] == {"field": "fill", "type": "nominal", "scale": None, "legend": None}


def test_kpi_chart_shows_only_the_kpis_the_team_entered_on_their_own_range(
    questionnaire: Questionnaire,
) -> None:
    spec = charts.kpi_reference_chart(questionnaire, {"satisfaction": 4.8, "rework_rate": 3}).to_dict(
        validate=False
    )
    rows = spec["data"]["values"]
    assert {row["kpi_id"] for row in rows} == {"satisfaction", "rework_rate"}
    satisfaction = [row for row in rows if row["kpi_id"] == "satisfaction"]
    # from 1 to 5 (not 0 to 6): the axis starts at the KPI's minimum and never passes its maximum
    assert {row["zero"] for row in satisfaction} == {1}
    assert {row["x_max"] for row in satisfaction} == {5}
    layers = spec["spec"]["layer"]
    assert all(layer["encoding"]["x"].get("scale", {}).get("zero") is not True for layer in layers)
    # a team that entered nothing still sees what to measure
    nothing = charts.kpi_reference_chart(questionnaire, {}).to_dict(validate=False)
    assert len({row["kpi_id"] for row in nothing["data"]["values"]}) > 2


def _rgb(colour: str) -> str:
    """A scenegraph colour ("#abc123", "white", "rgb(1, 2, 3)") as ``#RRGGBB``."""
    named = {"white": "#FFFFFF", "black": "#000000"}
    colour = named.get(colour, colour)
    if colour.startswith("rgb"):
        red, green, blue = (round(float(v)) for v in colour[colour.index("(") + 1 : -1].split(",")[:3])
        return f"#{red:02X}{green:02X}{blue:02X}"
    return colour.upper()


def test_the_mean_colours_computed_for_text_are_the_ones_vega_draws() -> None:
    values = [{"mean": 1 + step / 20} for step in range(81)]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_rect()
        .encode(
            x="mean:O",
            color=alt.Color(
                "mean:Q",
                scale=alt.Scale(
                    domain=list(charts.MEAN_DOMAIN), range=list(charts.MEAN_COLOURS), interpolate="lab"
                ),
            ),
        )
    )
    (_, rects), *_ = _marks(charts.render_scenegraph(chart)["scenegraph"], "rect")
    assert len(rects) == len(values)
    for rect, value in zip(sorted(rects, key=lambda rect: rect["ax"]), values, strict=True):
        drawn, computed = (
            _rgb(rect["fill"]),
            charts.lab_scale(charts.MEAN_DOMAIN, charts.MEAN_COLOURS, value["mean"]),
        )
        assert max(abs(int(drawn[i : i + 2], 16) - int(computed[i : i + 2], 16)) for i in (1, 3, 5)) <= 1


def test_every_number_in_the_item_heat_table_contrasts_with_its_cell(questionnaire: Questionnaire) -> None:
    """WCAG AA for the numbers on coloured cells: 4.5:1 against the cell as drawn (its opacity over white).
    White on the mid oranges of means around 1.5 (2.9:1) and on counts of 5 of 7 at level 1 failed."""
    dimensions = [dimension.id for dimension in questionnaire.dimensions]
    for seed in range(4):
        for centre in (1.3, 1.7, 3.0, 4.3, 4.7):  # every shade: dark and mid orange, grey, mid and dark blue
            team = sample_team(questionnaire, "Team", seed=seed, centres=dict.fromkeys(dimensions, centre))
            result = score_team(questionnaire, team)
            scenegraph = charts.render_scenegraph(charts.item_heatmap(questionnaire, result))["scenegraph"]
            rects = [rect for _, items in _marks(scenegraph, "rect") for rect in items if rect.get("fill")]
            for text in _texts(scenegraph):
                if text["role"] != "mark" or not text.get("text"):
                    continue
                under = [
                    rect
                    for rect in rects
                    if rect["ax"] <= text["ax"] <= rect["ax"] + rect["width"]
                    and rect["ay"] <= text["ay"] <= rect["ay"] + rect["height"]
                ]
                assert under, text["text"]
                cell = charts.on_white(_rgb(under[-1]["fill"]), under[-1].get("fillOpacity", 1))
                ratio = charts.contrast_ratio(_rgb(text["fill"]), cell)
                assert ratio >= 4.5, (seed, text["text"], text["fill"], cell, round(ratio, 2))


def test_the_pages_send_the_spec_streamlit_would_make_without_validating_it_again(
    questionnaire: Questionnaire, result: TeamResult, small: TeamResult, peers: list[TeamResult]
) -> None:
    """``ui.chart`` sends ``ui.vega_lite_spec`` (no JSON-schema validation on every page run); it must be what
    ``st.altair_chart`` made, data included, for every chart at every width."""
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    import ui

    layouts = {
        **every_chart(questionnaire, result, small, peers),
        **{
            f"phone {name}": chart
            for name, chart in phone_layouts(questionnaire, result, small, peers).items()
        },
    }
    for name, chart in layouts.items():
        streamlit_spec = _convert_altair_to_vega_lite_spec(chart)
        assert streamlit_spec.pop("datasets") == {}, name  # no data frame: the data is inline
        assert ui.vega_lite_spec(chart) == streamlit_spec, name
