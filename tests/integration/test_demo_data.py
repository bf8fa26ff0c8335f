"""Demo data: deterministic for a seed, plausible, flagged, and varied enough that every view has a case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from reports.exchange import responses_csv
from scoring import score_team
from scoring.models import TeamResult
from storage import repository as repo
from storage.demo import PROFILES, TEAM_NAMES, DemoTeam, demo_responses, generate_demo, store_demo
from tests.integration.storage_support import QUESTIONNAIRE, Database, database

__all__ = ["database"]


@pytest.fixture(scope="module")
def demo() -> list[DemoTeam]:
    return generate_demo(QUESTIONNAIRE, teams=12, respondents=7, seed=1)


@pytest.fixture(scope="module")
def results(demo: list[DemoTeam]) -> Iterator[dict[str, list[TeamResult]]]:
    yield {team.name: [score_team(QUESTIONNAIRE, r.responses) for r in team.rounds] for team in demo}


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data() -> None:
    first = responses_csv(demo_responses(generate_demo(QUESTIONNAIRE, teams=12, respondents=7, seed=1)))
    again = responses_csv(demo_responses(generate_demo(QUESTIONNAIRE, teams=12, respondents=7, seed=1)))
    other = responses_csv(demo_responses(generate_demo(QUESTIONNAIRE, teams=12, respondents=7, seed=2)))
    assert first == again
    assert first != other


def test_teams_have_plausible_distinct_names_and_sizes(demo: list[DemoTeam]) -> None:
    names = [team.name for team in demo]
    assert names[:3] == ["Claims Operations", "Risk Reporting", "Service Desk North"]
    assert len(set(names)) == len(names)
    many = generate_demo(QUESTIONNAIRE, teams=len(TEAM_NAMES) + 5, respondents=3, seed=1)
    assert len({team.name for team in many}) == len(TEAM_NAMES) + 5
    for team in demo:
        for demo_round in team.rounds:
            expected = 2 if team.profile == "small" else 7
            assert len(demo_round.responses.respondents) == expected
            assert demo_round.responses.assessment_id.startswith("demo-")  # type: ignore[union-attr]


def test_every_profile_appears_in_the_default_demo(demo: list[DemoTeam]) -> None:
    assert {team.profile for team in demo} == set(PROFILES)


def test_gating_divided_teams_gaps_suppression_and_dont_know_all_show(
    demo: list[DemoTeam], results: dict[str, list[TeamResult]]
) -> None:
    by_profile = {team.profile: results[team.name][-1] for team in demo}
    gated = by_profile["gated"]
    assert gated.dimension("definition").capped_by == "permission"
    assert gated.dimension("definition").gated_level < gated.dimension("definition").level  # type: ignore[operator]
    assert by_profile["divided"].dimension("permission").consensus == "divided"
    assert any(gap.flagged and gap.gap and gap.gap > 1 for gap in by_profile["leader_gap"].gaps)
    assert by_profile["small"].suppressed and by_profile["small"].overall.index is None
    assert any(f.kind == "dont_know" for f in by_profile["uncertain"].findings)
    assert by_profile["pulse"].form == "pulse"
    absorbing = by_profile["absorbing"]
    assert absorbing.dimension("capacity_governance").level == 1
    assert (
        absorbing.ledger is not None and absorbing.ledger.absorbed_hours > absorbing.ledger.redeployed_hours
    )


def test_improving_teams_have_rounds_over_time_that_trend_upwards(
    demo: list[DemoTeam], results: dict[str, list[TeamResult]]
) -> None:
    improving = [team for team in demo if team.profile == "improving"]
    assert improving
    for team in improving:
        dates = [r.responses.collected_at for r in team.rounds]
        assert len(dates) == 3 and dates == sorted(dates)
        indexes = [result.overall.index for result in results[team.name]]
        assert indexes == sorted(indexes) and indexes[-1] - indexes[0] > 25  # type: ignore[operator]
        assert [r.round_label for r in team.rounds] == ["2026 Q1", "2026 Q2", "2026 Q3"]


def test_demo_teams_carry_kpis_and_ai_hours_for_the_capacity_ledger(
    demo: list[DemoTeam], results: dict[str, list[TeamResult]]
) -> None:
    for team in demo:
        for demo_round in team.rounds:
            assert demo_round.responses.ai_hours_per_week
            assert {"task_time_reduction", "meta_work_hours", "redeployed_share"} <= set(
                demo_round.responses.kpis
            )
            for kpi in QUESTIONNAIRE.kpis:
                if kpi.id in demo_round.responses.kpis:
                    assert kpi.minimum <= demo_round.responses.kpis[kpi.id] <= kpi.maximum
    ledgers = [result.ledger for rounds in results.values() for result in rounds]
    assert all(ledger is not None for ledger in ledgers)
    assert any(ledger.meta_work_exceeds_savings for ledger in ledgers if ledger)  # Risk Reporting
    assert (
        "ticket_resolution_minutes"
        in next(t for t in demo if "Service Desk" in t.name).rounds[0].responses.kpis
    )


def test_stored_demo_is_flagged_idempotent_and_removable(database: Database, demo: list[DemoTeam]) -> None:
    with database.session() as session:
        summary = store_demo(session, demo)
    rounds = sum(len(team.rounds) for team in demo)
    assert summary.teams_created == 12 and summary.assessments_created == rounds
    counts = database.counts()
    with database.session() as session:
        again = store_demo(session, demo)
    assert again.assessments_created == 0 and database.counts() == counts
    with database.session(read_only=True) as session:
        teams = repo.list_teams(session)
        assessments = repo.list_assessments(session)
        assert all(team.is_demo for team in teams) and all(a.is_demo for a in assessments)
        assert repo.list_teams(session, include_demo=False) == []
        claims = [a for a in assessments if a.team.name == "Claims Operations"]
        assert [(a.round_label, a.status) for a in claims] == [
            ("2026 Q1", "closed"),
            ("2026 Q2", "closed"),
            ("2026 Q3", "open"),
        ]
        stored = repo.load_team_responses(session, assessment_id=claims[-1].id)
    original = next(team for team in demo if team.name == "Claims Operations").rounds[-1].responses
    assert score_team(QUESTIONNAIRE, stored) == score_team(QUESTIONNAIRE, original)
    with database.session() as session:
        assert repo.delete_demo_data(session) == 12
    assert all(count == 0 for count in database.counts().values())


@pytest.mark.parametrize(("teams", "respondents"), [(0, 7), (3, 0)])
def test_nonsense_sizes_are_refused(teams: int, respondents: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        generate_demo(QUESTIONNAIRE, teams=teams, respondents=respondents)
