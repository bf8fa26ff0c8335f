"""What the reports say: the sentences and numbers of the team, workshop and organisation reports, and what
anonymity hides. Hand-computed on the small questionnaire of ``scoring_support`` (level names Ad hoc …
Embedded, recommendations titled '<band> action for <item id>')."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from questionnaires.schema import Questionnaire
from reports import content
from reports.content import Figure, ReportAction, Table
from scoring import RULES, build_action_plan, score_team
from scoring.models import TeamResult
from tests.packs import measured_pack
from tests.unit.scoring_support import item_ids, make_questionnaire, make_team, uniform

GENERATED = datetime(2026, 3, 7, 9, 30, tzinfo=UTC)
#: Permission 2, Definition 4 (held at 3 by Permission), Boundaries 3, Coaching 3, Capacity governance 3.
LEVELS = {"permission": 2, "definition": 4, "boundaries": 3, "coaching": 3, "capacity_governance": 3}


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return make_questionnaire()


@pytest.fixture(scope="module")
def result(questionnaire: Questionnaire) -> TeamResult:
    return score_team(questionnaire, make_team(questionnaire, [uniform(questionnaire, LEVELS)] * 3))


@pytest.fixture(scope="module")
def suppressed(questionnaire: Questionnaire) -> TeamResult:
    return score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, LEVELS)] * 2, team="Pair")
    )


def team_content(
    questionnaire: Questionnaire, result: TeamResult, **kwargs: object
) -> content.TeamReportContent:
    kwargs.setdefault("pack", None)
    return content.team_report_content(
        questionnaire,
        result,
        build_action_plan(questionnaire, result),
        generated_at=GENERATED,
        **kwargs,  # type: ignore[arg-type]
    )


# --- the executive summary ------------------------------------------------------------------------------


def test_the_summary_names_index_stage_strongest_weakest_blocker_and_top_three_actions(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    report = team_content(questionnaire, result)
    assert report.summary == [
        "3 people in Team A responded. The team scores 50.0 of 100 overall and is at stage 2 (Emerging), "
        "the lowest gated level of its four layers.",
        "The strongest dimension is Definition at 4.0 (level 4 Managed); the weakest is Permission at 2.0 "
        "(level 2 Emerging).",
        "The gating blocker is Permission (layer 1, level 2): it holds the layers above it down (Definition "
        "reaches level 4 on its own but counts as 3). Fix Permission first.",
        "The top three actions: (1) low action for permission.item1 (Team lead, within 30 days); (2) low action "
        "for permission.item2 (Team lead, within 30 days); (3) low action for permission.item3 (Team lead, "
        "within 30 days).",
    ]


def test_with_a_pack_the_summary_gives_percentiles_of_the_labelled_benchmark(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    report = team_content(questionnaire, result, pack=measured_pack(questionnaire))
    # 4.0 lies between p75 = 3.8 and p90 = 4.5: 75 + 0.2 / 0.7 × 15 = 79.3; 2.0: 10 + 0.3 / 0.7 × 15 = 16.4
    assert report.summary[1] == (
        "The strongest dimension is Definition at 4.0 (level 4 Managed, 79th percentile of the imported pack "
        "measured.csv); the weakest is Permission at 2.0 (level 2 Emerging, 16th percentile of the imported "
        "pack measured.csv)."
    )
    benchmark = report.section("Benchmark")
    target, figure = benchmark.blocks[0], benchmark.blocks[1]
    assert isinstance(target, Figure) and target.name == "target"
    assert isinstance(figure, Figure)
    assert "Benchmark: Measured: 12 teams. n = 12. Source: Test organisation" in figure.caption


def test_without_peers_or_a_pack_the_team_compares_with_its_target_and_previous_round(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    report = team_content(questionnaire, result, pack=None)
    benchmark = report.section("Benchmark")
    assert getattr(benchmark.blocks[0], "name", None) == "target"
    assert any("no measured benchmark pack has been imported" in text for text in report.texts())
    assert not any("Illustrative" in text or "illustrative" in text for text in report.texts())


def test_without_caps_the_blocker_is_the_layer_that_sets_the_stage(questionnaire: Questionnaire) -> None:
    levels = {"permission": 3, "definition": 2, "boundaries": 3, "coaching": 4, "capacity_governance": 3}
    result = score_team(questionnaire, make_team(questionnaire, [uniform(questionnaire, levels)] * 3))
    sentences = team_content(questionnaire, result).summary
    assert sentences[2] == (
        "No layer is held down by the one below it; Definition (layer 2) sets the stage at level 2, so it is "
        "the foundation to strengthen next."
    )


def test_a_suppressed_team_gets_the_reason_and_no_numbers(
    questionnaire: Questionnaire, suppressed: TeamResult
) -> None:
    report = team_content(questionnaire, suppressed, pack=measured_pack(questionnaire))
    assert report.summary == [
        "The results of Pair are suppressed: needs at least 3 responses; 2 so far.",
        "No scores, charts or actions are shown until at least 3 people have responded; this protects the "
        "anonymity of those who already did.",
    ]
    assert report.actions == []
    assert report.figures() == []
    assert report.cover.headline == "Results suppressed: needs at least 3 responses; 2 so far"
    assert "Index" not in dict(report.cover.facts)  # said once, in the headline
    assert [section.title for section in report.sections] == [
        "Summary",
        "Capacity ledger",
        "How to read this report",
        "Method",
    ]
    # no score, level or index anywhere: the only decimals are in the questionnaire version, the rule book
    # and the benchmark's source
    texts = [text for text in report.texts() if "1.0.0" not in text and not text.startswith("Benchmark:")]
    rules = {rule.sentence for rule in RULES}
    assert [t for t in texts if re.search(r"\d\.\d", t) and not any(t.endswith(r) for r in rules)] == []
    assert report.suppressed == [
        "All of Pair's numbers are suppressed: needs at least 3 responses; 2 so far."
    ]


def test_a_dimension_below_k_is_suppressed_on_its_page_and_in_the_appendix(
    questionnaire: Questionnaire,
) -> None:
    only_permission = {item: 2 for item in item_ids("permission")}
    answers = [uniform(questionnaire, LEVELS), uniform(questionnaire, LEVELS), only_permission]
    result = score_team(questionnaire, make_team(questionnaire, answers))
    report = team_content(questionnaire, result)
    reason = "needs at least 3 respondents who answered at least half of its items; 2 so far"
    assert f"Definition: no score is shown ({reason})." in report.suppressed
    page = report.section("Definition · layer 2")
    where = page.blocks[1]
    assert isinstance(where, content.Paragraph)
    assert where.label == "Where the team is:"
    assert where.text == f"No numbers are shown for Definition (suppressed: {reason})."
    method = report.section("Method")
    assert any(
        isinstance(block, content.Bullets) and f"Definition: no score is shown ({reason})." in block.items
        for block in method.blocks
    )


# --- sections -------------------------------------------------------------------------------------------


def test_the_team_report_has_every_section_the_issue_asks_for(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    report = team_content(questionnaire, result, pack=measured_pack(questionnaire))
    assert [section.title for section in report.sections] == [
        "Foundations",  # page 1 (the cover) is the summary
        "Where the gains go",
        "Benchmark",
        "Item heat table",
        "Leaders, the others and divided items",
        "Capacity ledger",
        "Action plan",
        "Permission · layer 1",
        "Definition · layer 2",
        "Boundaries · layer 3",
        "Coaching · layer 4",
        "Capacity governance",
        "How to read this report",
        "Method",
    ]
    assert [figure.name for figure in report.figures()] == [
        "layer_ladder",
        "target",
        "benchmark",
        "item_heatmap",
    ]
    assert report.title == "Layerwise team report: Team A"
    assert report.author == "Layerwise"
    assert report.subject.startswith("AI human-system assessment and action plan of Team A")
    # stage and index once (the headline), no print date, no raw id
    assert report.cover.headline == "Stage 2 Emerging · index 50.0 of 100"
    assert dict(report.cover.facts) == {
        "Date": "not dated (scored from a file)",
        "Questionnaire": "Test questionnaire 1.0.0 · Full (30 items)",
    }


def test_the_action_plan_table_has_the_top_actions_and_lists_the_rest(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    report = team_content(questionnaire, result)
    plan = report.section("Action plan")
    tables = [block for block in plan.blocks if isinstance(block, Table)]
    top, more = tables
    assert top.columns == ["#", "Action", "Finding", "First step", "Owner", "Due", "KPI"]
    assert len(top.rows) == 7 and len(more.rows) == 30 - 7
    first = top.rows[0]
    assert first[:2] == ["1", "low action for permission.item1"]
    # the finding says what the data shows, not the level's wording
    assert first[2].startswith("Permission 2.0 · item mean 2.0 of 5; none of 3 chose 1 Ad hoc")
    assert first[3:] == [
        "first step for permission.item1 (low)",
        "Team lead",
        "within 30 days",  # not yet stored: no date from the print date
        "kpi for permission.item1",
    ]
    assert more.columns == ["#", "Action", "Dimension", "Owner", "Due"]
    titles = [row[1] for row in top.rows + more.rows]
    assert titles == [action.title for action in build_action_plan(questionnaire, result).actions]


def test_a_dimension_page_shows_where_the_team_is_the_next_level_and_its_recommendations(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    page = team_content(questionnaire, result).section("Definition · layer 2")
    where = page.blocks[1]
    assert isinstance(where, content.Paragraph)
    assert where.text == (
        "score 4.0 of 5, level 4 Managed, from 3 respondents. Definition is held at 3 by Permission at 2: it "
        "counts as level 3 until the layer below is stronger. The team is aligned (standard deviation 0.0)."
    )
    next_level, recommendations = [block for block in page.blocks if isinstance(block, Table)]
    assert next_level.columns == ["Item", "Where the team is", "The next level"]
    assert next_level.rows[0] == [
        "Item1 (mean 4.0)",
        "4 Managed: definition.item1 situation at level 4",
        "5 Embedded: definition.item1 situation at level 5",
    ]
    assert [row[1] for row in recommendations.rows] == [
        f"high action for definition.item{i}" for i in range(1, 5)
    ]


def test_the_method_appendix_prints_every_rule_and_k(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    method = team_content(questionnaire, result).section("Method")
    rules = next(block for block in method.blocks if isinstance(block, Table))
    assert [row[0] for row in rules.rows] == [rule.name for rule in RULES]
    assert [row[1] for row in rules.rows] == [rule.sentence for rule in RULES]
    text = " ".join(block.text for block in method.blocks if isinstance(block, content.Paragraph))
    assert "Anonymity threshold k = 3: every number computed from individual answers needs at least k" in text
    assert "Nothing was suppressed." in text


def test_stored_actions_are_printed_as_the_team_edited_them(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    stored = [
        SimpleNamespace(
            title='Write the <b>R&D</b> "guide"',
            finding="",
            first_step="Book a room",
            owner="Zoë Łukasiewicz",
            due_date=date(2026, 5, 1),
            status="open",
            kpi=None,
            horizon_days=None,
            source_item_id="permission.item2",
        )
    ]
    report = content.team_report_content(questionnaire, result, stored, pack=None, generated_at=GENERATED)
    assert report.actions == [
        ReportAction(
            priority=1,
            title='Write the <b>R&D</b> "guide"',
            first_step="Book a room",
            owner="Zoë Łukasiewicz",
            due=date(2026, 5, 1),
            dimension_id="permission",
            status="open",
        )
    ]
    assert '(1) Write the <b>R&D</b> "guide" (Zoë Łukasiewicz, 1 May 2026)' in report.summary[3]
    page = report.section("Permission · layer 1")
    recommendations = [block for block in page.blocks if isinstance(block, Table)][-1]
    # the dimension page points to the plan by number; the first step is printed once, in the plan
    assert recommendations.rows == [["1", 'Write the <b>R&D</b> "guide"', "Zoë Łukasiewicz", "1 May 2026"]]
    assert "Book a room" in [cell for row in report.section("Action plan").blocks[-1].rows for cell in row]


# --- workshop -------------------------------------------------------------------------------------------


def test_the_workshop_report_lists_divided_items_and_agreed_actions(questionnaire: Questionnaire) -> None:
    base = uniform(questionnaire, LEVELS)
    answers = [{**base, "permission.item1": value} for value in (1, 3, 5)]
    result = score_team(questionnaire, make_team(questionnaire, answers, team="Ops"))
    agreed = [
        SimpleNamespace(title="Publish the guide", owner="Head of operations", due_date=date(2026, 4, 1))
    ]
    report = content.workshop_report_content(
        questionnaire,
        result,
        workshop="March retro",
        generated_at=GENERATED,
        agreed_actions=agreed,
        participants=4,
        revealed=["permission", "definition"],
    )
    assert report.divided_items == [
        "Permission — How is permission.item1 handled? (mean 3.0, standard deviation 2.0, 3 answers with a level)"
    ]
    assert dict(report.cover.facts)["Participants"] == "4 joined, 3 answered (k = 3)"
    # who took part is on page 1 under the title, not a padded cover page
    cover_text = [block.text for block in report.cover.blocks if isinstance(block, content.Paragraph)]
    assert cover_text[:2] == [
        "Participants",
        "4 participants joined and 3 answered the full questionnaire (30 items).",
    ]
    assert "Participants" not in [section.title for section in report.sections]
    assert [figure.name for figure in report.figures()] == [
        "distribution_permission",
        "distribution_definition",
    ]
    answered = report.section("How the team answered")
    assert any(
        isinstance(block, content.Paragraph)
        and block.text == "Not revealed in the workshop: Boundaries, Coaching, Capacity governance."
        for block in answered.blocks
    )
    actions = report.section("Agreed actions").blocks[0]
    assert isinstance(actions, Table)
    # only the columns that hold something: an empty Finding, First step or KPI column takes no room
    assert actions.columns == ["#", "Action", "Owner", "Due"]
    assert actions.rows == [["1", "Publish the guide", "Head of operations", "1 Apr 2026"]]


def test_a_workshop_of_several_teams_says_which_team_agreed_each_action(questionnaire: Questionnaire) -> None:
    result = score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, LEVELS)] * 3, team="Ops")
    )
    long_title = "Publish a one-page AI-use decision guide with data-classification examples and an owner"
    agreed = [
        SimpleNamespace(team="Claims", title=long_title, owner="Head of claims", due_date=date(2026, 4, 1)),
        SimpleNamespace(team="Risk", title="Budget review time", owner="", due_date=None),
    ]
    report = content.workshop_report_content(
        questionnaire, result, workshop="Joint retro", generated_at=GENERATED, agreed_actions=agreed
    )
    table = report.section("Agreed actions").blocks[0]
    assert isinstance(table, Table)
    assert table.columns == ["#", "Team", "Action", "Owner", "Due"]
    assert [row[1] for row in table.rows] == ["Claims", "Risk"]
    assert table.widths is not None
    # the action text gets the widest column, not a seventh of the page
    shares = [width / sum(table.widths) for width in table.widths]
    assert shares[2] == max(shares) and shares[2] > 0.5
    # one team's workshop: its distributions are the team's
    figure = report.figures()[0]
    assert report.section("How the team answered") is not None
    assert figure.chart.title.text == "How the team answered: Permission"

    # teams answering together as one room: the distributions are the room's, not "the team's"
    dimensions = {dimension.id: dimension for dimension in result.dimensions}
    room = content.workshop_report_content(
        questionnaire,
        result,
        workshop="Joint retro",
        generated_at=GENERATED,
        agreed_actions=agreed,
        team_results={"Claims": dimensions, "Risk": dimensions},
    )
    assert "How the room answered" in [section.title for section in room.sections]
    assert "How the team answered" not in [section.title for section in room.sections]
    assert room.figures()[0].chart.title.text == "How the room answered: Permission"


def test_a_workshop_below_k_shows_counts_but_no_distributions(
    questionnaire: Questionnaire, suppressed: TeamResult
) -> None:
    report = content.workshop_report_content(
        questionnaire, suppressed, workshop="Small room", generated_at=GENERATED, participants=2
    )
    assert report.figures() == []
    assert report.divided_items == []
    texts = " ".join(report.texts())
    assert (
        "The answers are suppressed: needs at least 3 responses; 2 so far. No distributions are shown."
        in texts
    )
    assert "No actions were agreed in this workshop." in texts


# --- organisation ---------------------------------------------------------------------------------------


def test_the_org_report_ranks_teams_by_stage_with_suppressed_teams_apart(
    questionnaire: Questionnaire, result: TeamResult, suppressed: TeamResult
) -> None:
    high = {dimension: 4 for dimension in LEVELS}
    strong = score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, high)] * 4, team="Strong")
    )
    results = [suppressed, result, strong]
    plans = {team.team: build_action_plan(questionnaire, team) for team in results}
    report = content.org_report_content(
        questionnaire,
        results,
        plans,
        pack=measured_pack(questionnaire),
        generated_at=GENERATED,
        organisation="Acme",
    )
    assert report.ranking == ["Strong", "Team A", "Pair"]
    ranking = report.section("Ranking").blocks[0]
    assert isinstance(ranking, Table)
    assert ranking.columns[:5] == ["#", "Team", "Resp.", "Stage", "Index"]
    assert ranking.rows[0][:5] == ["1", "Strong", "4", "4 Managed", "75.0"]
    assert ranking.rows[1][:5] == ["2", "Team A", "3", "2 Emerging", "50.0"]
    assert len(ranking.rows) == 2
    unranked = report.section("Ranking").blocks[2]
    assert isinstance(unranked, Table)
    assert unranked.rows == [["Pair", "2", "suppressed: needs at least 3 responses; 2 so far"]]
    assert [section.title for section in report.sections][-5:] == [
        "Strong",
        "Team A",
        "Pair",
        "How to read this report",
        "Method",
    ]
    pair = report.section("Pair")
    assert [block.text for block in pair.blocks if isinstance(block, content.Paragraph)] == [
        "2 respondents. Suppressed: needs at least 3 responses; 2 so far. No numbers are shown for this team."
    ]
    team_a = report.section("Team A")
    table = next(block for block in team_a.blocks if isinstance(block, Table))
    assert table.rows[1] == [
        "Definition",
        "2",
        "4.0",
        "4 Managed",
        "3 Defined",
        "79th",
        "Definition is held at 3 by Permission at 2",
    ]
    assert (1, 4, "#CFCFCF") in table.cell_colours  # "counts as" 3 is coloured like level 3 in the charts
    assert dict(report.cover.facts)["Teams"] == "3 (2 with results, 1 suppressed)"
    # page 1 is the summary under the title, not a cover of facts with two-thirds of the page empty
    cover_text = [block.text for block in report.cover.blocks if isinstance(block, content.Paragraph)]
    assert cover_text[0] == "Summary"
    assert any(
        block.label == "Most common blocker:"
        for block in report.cover.blocks
        if isinstance(block, content.Paragraph)
    )
    assert "Summary" not in [section.title for section in report.sections]
    # no team here has both k leaders and k others: one sentence says so, and no chart of "suppressed" cells
    gaps = report.section("Perception gaps").blocks
    assert not any(isinstance(block, Figure) for block in gaps)
    assert [block.text for block in gaps if isinstance(block, content.Paragraph)] == [
        "No perception gap can be shown: a gap needs at least k leaders and k others with a score in the same "
        "team, and no team has both (Method: what was suppressed and why)."
    ]


def test_teams_with_the_same_suppression_notes_share_one_row(
    questionnaire: Questionnaire, result: TeamResult, suppressed: TeamResult
) -> None:
    # one leader and three contributors: the perception gap and the leader's role scores are held back
    answers = uniform(questionnaire, LEVELS)
    mixed = make_team(questionnaire, [("leader", answers), answers, answers, answers], team="North")
    twins = [
        score_team(questionnaire, mixed.model_copy(update={"team": name}))
        for name in ("North", "South", "East")
    ]
    report = content.org_report_content(
        questionnaire, [*twins, suppressed], None, pack=None, generated_at=GENERATED
    )
    method = report.section("Method").blocks
    table = next(block for block in method if isinstance(block, Table) and "Teams" in block.columns)
    teams = [row[0] for row in table.rows]
    # the three teams with the same notes are one row, not three near-identical ones; Pair keeps its own
    assert "North, South, East" in teams
    assert len(teams) == len(set(teams)) == 2


def test_report_actions_take_plans_and_stored_records(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    plan = build_action_plan(questionnaire, result)
    rows = content.report_actions(plan, date(2026, 1, 1))
    assert rows[0].due == date(2026, 1, 31) and rows[0].priority == 1
    assert content.report_actions(None) == []
    record = SimpleNamespace(title="Custom", owner="Me")
    assert content.report_actions([record]) == [ReportAction(priority=1, title="Custom", owner="Me")]


def test_user_text_is_kept_verbatim_in_content_for_the_renderer_to_escape(
    questionnaire: Questionnaire,
) -> None:
    name = '<img src="/etc/passwd"> S&P & J&C'
    result = score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, LEVELS)] * 3, team=name)
    )
    report = team_content(questionnaire, result)
    assert report.cover.title == f"AI human-system report: {name}"
    assert report.header == f"Layerwise · {name}"


def test_the_ranking_puts_stage_before_index(questionnaire: Questionnaire) -> None:
    """A team at stage 3 with a lower index ranks above a team at stage 2 with a higher one (README: a layer
    counts only as far as the one under it allows)."""
    balanced = score_team(
        questionnaire,
        make_team(questionnaire, [uniform(questionnaire, dict.fromkeys(LEVELS, 3))] * 3, team="Balanced"),
    )
    top_heavy_levels = {
        "permission": 2,
        "definition": 5,
        "boundaries": 5,
        "coaching": 5,
        "capacity_governance": 5,
    }
    top_heavy = score_team(
        questionnaire,
        make_team(questionnaire, [uniform(questionnaire, top_heavy_levels)] * 3, team="Top heavy"),
    )
    assert (top_heavy.overall.index or 0) > (balanced.overall.index or 0)
    report = content.org_report_content(
        questionnaire, [top_heavy, balanced], pack=None, generated_at=GENERATED, organisation="Acme"
    )
    ranking = report.section("Ranking").blocks[0]
    assert isinstance(ranking, Table)
    assert [row[:4] for row in ranking.rows] == [
        ["1", "Balanced", "3", "3 Defined"],
        ["2", "Top heavy", "3", "2 Emerging"],
    ]


def test_the_blocker_column_names_the_layer_that_holds_the_team_at_its_stage(
    questionnaire: Questionnaire,
) -> None:
    """Permission 2 caps Definition, but Boundaries at 1 sets the stage: the blocker is Boundaries (the Units
    tab's "Most common blocker" rule), not the capping Permission."""
    levels = {"permission": 2, "definition": 4, "boundaries": 1, "coaching": 3, "capacity_governance": 3}
    team = score_team(questionnaire, make_team(questionnaire, [uniform(questionnaire, levels)] * 3, team="B"))
    report = content.org_report_content(questionnaire, [team], pack=None, generated_at=GENERATED)
    ranking = report.section("Ranking").blocks[0]
    assert isinstance(ranking, Table)
    assert ranking.rows[0][3] == "1 Ad hoc"
    assert ranking.rows[0][-2:] == ["Boundaries", "first round"]
    summary = " ".join(content.summary_sentences(questionnaire, team, []))
    assert "The gating blocker is Boundaries (layer 3, level 1)" in summary


def test_an_incomplete_team_has_no_stage_and_is_ranked_apart_with_the_reason(
    questionnaire: Questionnaire, result: TeamResult
) -> None:
    """Scored on Permission and Definition only: no stage "of its four layers", not in the ranking."""
    partial_levels = {"permission": 5, "definition": 5}
    partial = score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, partial_levels)] * 3, team="Partial")
    )
    assert partial.overall.index == 100.0
    assert partial.overall.stage is None
    report = content.org_report_content(
        questionnaire, [partial, result], pack=None, generated_at=GENERATED, organisation="Acme"
    )
    assert report.ranking == ["Team A", "Partial"]
    blocks = report.section("Ranking").blocks
    ranked, unranked = blocks[0], blocks[2]
    assert isinstance(ranked, Table) and isinstance(unranked, Table)
    assert [row[1] for row in ranked.rows] == ["Team A"]
    assert unranked.rows[0][0] == "Partial"
    assert unranked.rows[0][2] == (
        "incomplete: Boundaries and Coaching are suppressed (needs at least 3 respondents who answered at least "
        "half of its items; 0 so far); a stage needs all 4 layers scored (2 of 4 are)"
    )
    summary = " ".join(content.summary_sentences(questionnaire, partial, []))
    assert "it has no stage and is not ranked, incomplete:" in summary
    assert "stage 5" not in summary


def test_an_org_report_of_hundreds_of_teams_ranks_them_all_and_leaves_team_detail_to_unit_reports(
    questionnaire: Questionnaire, result: TeamResult, suppressed: TeamResult
) -> None:
    # 1,000 teams made a 1,139-page report in 87 s and 715 MB: past ORG_DETAIL_TEAMS it stays a summary
    many = content.ORG_DETAIL_TEAMS + 1
    results = [result.model_copy(update={"team": f"Team {n:03d}"}) for n in range(many)] + [suppressed]
    report = content.org_report_content(questionnaire, results, None, pack=None, generated_at=GENERATED)
    titles = [section.title for section in report.sections]
    assert not any(title.startswith("Team ") or title == "Pair" for title in titles)
    ranking = report.section("Ranking").blocks[0]
    assert isinstance(ranking, Table) and len(ranking.rows) == many
    overview = report.section("Teams at a glance").blocks
    assert not any(isinstance(block, Figure) for block in overview)
    assert "each team's heatmap row, gaps and summary page are in its unit's report" in " ".join(
        block.text for block in overview if isinstance(block, content.Paragraph)
    )
    assert not any(isinstance(block, Figure) for block in report.section("Perception gaps").blocks)
    # the suppressed team is still named with its reason; notes every team shares are counted, not listed
    method = report.section("Method").blocks
    rows = [row for block in method if isinstance(block, Table) for row in block.rows]
    assert any(row[0] == "Pair" and "needs at least 3 responses" in row[1] for row in rows)
    assert all(not cell.startswith(("Perception gaps", "Scores by role")) for row in rows for cell in row[1:])

    small = content.org_report_content(questionnaire, results[:3], None, pack=None, generated_at=GENERATED)
    assert "Team 000" in [section.title for section in small.sections]
    assert any(isinstance(block, Figure) for block in small.section("Teams at a glance").blocks)
