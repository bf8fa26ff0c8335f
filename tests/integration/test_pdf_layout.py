"""Every report of the demo data, page by page: no blank or near-empty page, no heading or short list cut off
at a page break, no short table split, no repeated paragraph and no pointer to a file the reader lacks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from questionnaires.loader import default_questionnaire
from questionnaires.schema import Questionnaire
from reports import content
from reports.content import ReportContent, Table
from scoring import build_action_plan, score_team
from scoring.models import TeamResult
from storage.demo import DemoTeam, generate_demo
from tests.integration.layout_support import (
    HEADING_MARK,
    layout_faults,
    page_fill,
    page_lines,
    repeated_sentences,
)
from tests.integration.pdf_support import all_text
from tests.report_samples import sample_team

GENERATED = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
NON_LATIN_TEAM = "فريق المطالبات · צוות · दावा टीम · 理赔团队"


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return default_questionnaire()


@pytest.fixture(scope="module")
def demo(questionnaire: Questionnaire) -> list[DemoTeam]:
    return generate_demo(questionnaire, teams=12, respondents=7, seed=1)


@pytest.fixture(scope="module")
def rounds(questionnaire: Questionnaire, demo: list[DemoTeam]) -> dict[str, list[tuple[str, TeamResult]]]:
    return {
        team.name: [(r.round_label, score_team(questionnaire, r.responses)) for r in team.rounds]
        for team in demo
    }


def _team_report(
    questionnaire: Questionnaire, history: list[tuple[str, TeamResult]]
) -> content.TeamReportContent:
    _, result = history[-1]
    previous = history[-2] if len(history) > 1 else None
    return content.team_report_content(
        questionnaire,
        result,
        build_action_plan(questionnaire, result),
        pack=None,
        generated_at=GENERATED,
        target_levels={dimension.id: 4 for dimension in questionnaire.dimensions},
        previous=previous[1] if previous else None,
        previous_label=previous[0] if previous else None,
    )


def _org_report(
    questionnaire: Questionnaire, rounds: dict[str, list[tuple[str, TeamResult]]], teams: list[str], name: str
) -> content.OrgReportContent:
    latest = [rounds[team][-1][1] for team in teams]
    by_label: dict[str, list[TeamResult]] = {}
    for team in teams:
        for label, result in rounds[team]:
            by_label.setdefault(label, []).append(result)
    return content.org_report_content(
        questionnaire,
        latest,
        {result.team: build_action_plan(questionnaire, result) for result in latest},
        pack=None,
        generated_at=GENERATED,
        rounds=sorted(by_label.items()),
        organisation=name,
    )


def _reports(questionnaire: Questionnaire, demo: list[DemoTeam], rounds: dict) -> dict[str, ReportContent]:
    reports: dict[str, ReportContent] = {}
    for team in demo:
        reports[f"team report of {team.name} ({team.profile})"] = _team_report(
            questionnaire, rounds[team.name]
        )
    names = [team.name for team in demo]
    reports["organisation report"] = _org_report(questionnaire, rounds, names, "Demo organisation")
    reports["unit report"] = _org_report(questionnaire, rounds, names[:4], "unit Demo division 1")
    workshop_team = next(team for team in demo if team.profile == "divided")
    result = rounds[workshop_team.name][-1][1]
    reports["workshop report"] = content.workshop_report_content(
        questionnaire,
        result,
        workshop="Quarterly retro",
        generated_at=GENERATED,
        agreed_actions=build_action_plan(questionnaire, result).actions[:4],
        participants=8,
        # a workshop of several teams: each team's revealed results, one team under k
        team_results={
            **{team.name: {d.id: d for d in rounds[team.name][-1][1].dimensions} for team in demo[:3]},
            "Under k": {d.id: None for d in result.dimensions},
        },
    )
    non_latin = score_team(
        questionnaire, sample_team(questionnaire, NON_LATIN_TEAM, size=7, comments=True, team_size=9)
    )
    reports["team report of a non-Latin team"] = content.team_report_content(
        questionnaire,
        non_latin,
        build_action_plan(questionnaire, non_latin),
        pack=None,
        generated_at=GENERATED,
    )
    return reports


@pytest.fixture(scope="module")
def reports(questionnaire: Questionnaire, demo: list[DemoTeam], rounds: dict) -> dict[str, ReportContent]:
    return _reports(questionnaire, demo, rounds)


@pytest.fixture(scope="module")
def rendered(reports: dict[str, ReportContent]) -> dict[str, tuple[bytes, list[str]]]:
    return {name: layout_faults(report) for name, report in reports.items()}


def test_every_report_of_the_demo_data_has_full_pages_and_nothing_cut_off_at_a_page_break(
    rendered: dict[str, tuple[bytes, list[str]]],
) -> None:
    faults = [f"{name}: {fault}" for name, (_, found) in rendered.items() for fault in found]
    assert not faults, "\n".join(faults)


def test_no_report_points_to_a_file_the_reader_does_not_have(
    rendered: dict[str, tuple[bytes, list[str]]],
) -> None:
    for name, (document, _) in rendered.items():
        text = all_text(document)
        assert "README" not in text, name
        assert "scoring/rules.py" not in text, name


def test_every_report_says_how_to_read_it(rendered: dict[str, tuple[bytes, list[str]]]) -> None:
    for name, (document, _) in rendered.items():
        text = all_text(document)
        assert "How to read this report" in text, name
        for topic in ("Stage", "index", "gating", "divided", "don't know"):
            assert topic.lower() in text.lower(), (name, topic)


def test_no_team_or_workshop_report_prints_a_paragraph_twice(
    reports: dict[str, ReportContent], rendered: dict[str, tuple[bytes, list[str]]]
) -> None:
    for name, (document, _) in rendered.items():
        if name.startswith(("team report", "workshop report")):
            # page 1 previews the plan's first actions (issue 14); the plan itself lists them again in full
            previews = {
                row[1]
                for block in reports[name].cover.blocks
                if isinstance(block, Table) and "Action" in block.columns
                for row in block.rows
            }
            repeated = repeated_sentences(all_text(document))
            unexpected = [
                line
                for line in repeated
                if not any(
                    line.split(" times: ", 1)[1][1:-1] in " ".join(title.split()) for title in previews
                )
            ]
            assert not unexpected, name


def test_no_chart_repeats_the_heading_above_it(
    reports: dict[str, ReportContent], rendered: dict[str, tuple[bytes, list[str]]]
) -> None:
    for name, report in reports.items():
        titles = {section.title for section in report.sections}
        for number, lines in enumerate(page_lines(rendered[name][0]), start=1):
            for index, line in enumerate(lines):
                heading = line.removeprefix(HEADING_MARK)
                if line.startswith(HEADING_MARK) and heading in titles:
                    below = [text.removeprefix(HEADING_MARK) for text in lines[index + 1 : index + 3]]
                    assert heading not in below, (name, number, heading)


def test_organisation_report_team_pages_are_full_or_two_to_a_page_and_never_split(
    reports: dict[str, ReportContent], rendered: dict[str, tuple[bytes, list[str]]]
) -> None:
    report = reports["organisation report"]
    document = rendered["organisation report"][0]
    teams = [section.title for section in report.sections if section.title in report.teams]
    lines, fills = page_lines(document), page_fill(document)
    on_page: dict[int, list[str]] = {}
    for number, page in enumerate(lines, start=1):
        for line in page:
            if line.startswith(HEADING_MARK) and line.removeprefix(HEADING_MARK) in teams:
                on_page.setdefault(number, []).append(line.removeprefix(HEADING_MARK))
    assert sorted(name for names in on_page.values() for name in names) == sorted(teams)
    # a page with one team is full, or it is the last team page of an odd number of teams
    alone = [number for number, names in on_page.items() if len(names) == 1 and fills[number - 1] < 0.75]
    assert len(alone) <= len(teams) % 2, (alone, on_page)
    assert all(number == max(on_page) for number in alone), (alone, on_page)
    # no team is split: each team with actions has its "Top actions" on the page of its heading
    with_actions = {
        section.title
        for section in report.sections
        if section.title in teams
        and any(getattr(block, "text", "") == "Top actions" for block in section.blocks)
    }
    for number, names in on_page.items():
        printed = sum(line.removeprefix(HEADING_MARK) == "Top actions" for line in lines[number - 1])
        assert printed == len(with_actions & set(names)), (number, names)
