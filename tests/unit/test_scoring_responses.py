"""Long-CSV rows ⇄ TeamResponses: grouping, forms, and errors that name the line and column."""

from __future__ import annotations

from datetime import datetime

import pytest

from scoring import ResponseDataError, responses_from_rows, rows_from_responses, score_team
from tests.unit.scoring_support import everywhere, item_ids, make_questionnaire, make_team

Q = make_questionnaire()
P = item_ids("permission")


def row(team: str, respondent: str, role: str, item_id: str, value: str, **extra: str) -> dict[str, str]:
    return {
        "assessment": "spring",
        "team": team,
        "respondent": respondent,
        "role": role,
        "item_id": item_id,
        "value": value,
        **extra,
    }


def test_rows_become_one_team_responses_per_assessment_and_team() -> None:
    rows = [
        row("Claims", "a", "leader", P[0], "4"),
        row("Claims", "a", "leader", P[1], "dont_know"),
        row("Claims", "b", "contributor", P[0], "2"),
        row("Underwriting", "c", "manager", P[0], "5", submitted_at="2025-03-01T10:00:00+00:00"),
        row("Underwriting", "c", "manager", P[1], "3", submitted_at="2025-03-02T09:00:00+00:00"),
    ]
    claims, underwriting = responses_from_rows(rows, Q)
    assert (claims.team, claims.assessment_id, claims.questionnaire_version) == ("Claims", "spring", "1.0.0")
    assert [r.respondent_id for r in claims.respondents] == ["a", "b"]
    assert claims.respondents[0].role == "leader"
    assert claims.respondents[0].answers == {P[0]: 4, P[1]: None}
    assert claims.k == 3 and claims.mode == "individual"
    assert underwriting.collected_at == datetime.fromisoformat("2025-03-02T09:00:00+00:00")
    # only pulse items answered: the pulse form
    assert claims.form == "pulse"


def test_a_team_answering_full_form_items_took_the_full_form() -> None:
    [team] = responses_from_rows([row("T", "a", "leader", P[0], "4"), row("T", "a", "leader", P[3], "4")], Q)
    assert team.form == "full"


def test_k_is_passed_on() -> None:
    [team] = responses_from_rows([row("T", "a", "leader", P[0], "4")], Q, k=5)
    assert team.k == 5


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        (
            row("T", "b", "leader", "permission.nope", "3"),
            "line 3, column item_id: unknown item 'permission.nope'",
        ),
        (row("T", "b", "leader", P[0], "6"), "line 3, column value: '6' is not a level 1–5 or dont_know"),
        (row("T", "b", "leader", P[0], "0"), "line 3, column value: '0' is not a level 1–5 or dont_know"),
        (row("T", "b", "leader", P[0], "2.5"), "line 3, column value: '2.5' is not a level 1–5 or dont_know"),
        (row("T", "b", "leader", P[0], ""), "line 3, column value: empty"),
        (row("T", "b", "boss", P[0], "3"), "line 3, column role: unknown role 'boss'"),
        (row("", "b", "leader", P[0], "3"), "line 3, column team: empty"),
        (
            row("T", "a", "leader", P[0], "3"),
            "line 3, column item_id: respondent 'a' in team 'T' of assessment 'spring' answers "
            "'permission.item1' twice (first on line 2)",
        ),
        (
            row("T", "a", "manager", P[1], "3"),
            "line 3, column role: respondent 'a' in team 'T' of assessment 'spring' was 'leader' on line 2",
        ),
        (
            row("T", "b", "leader", P[0], "3", submitted_at="yesterday"),
            "line 3, column submitted_at: 'yesterday' is not an ISO 8601 date-time",
        ),
        (
            row("T", "b", "leader", P[0], "3", form="short"),
            "line 3, column form: 'short' is not one of full, pulse",
        ),
    ],
)
def test_errors_name_the_line_and_column(bad_row: dict[str, str], message: str) -> None:
    rows = [row("T", "a", "leader", P[0], "4"), bad_row]
    with pytest.raises(ResponseDataError) as raised:
        responses_from_rows(rows, Q)
    assert any(error.startswith(message) for error in raised.value.errors), raised.value.errors


def test_every_problem_is_listed() -> None:
    rows = [
        row("T", "a", "leader", P[0], "9"),
        row("T", "a", "chief", P[1], "3"),
        row("T", "a", "leader", "x.y", "3"),
    ]
    with pytest.raises(ResponseDataError) as raised:
        responses_from_rows(rows, Q)
    assert [error.split(",")[0] for error in raised.value.errors] == ["line 2", "line 3", "line 4"]


def test_a_missing_column_is_named() -> None:
    rows = [{key: value for key, value in row("T", "a", "leader", P[0], "4").items() if key != "role"}]
    with pytest.raises(ResponseDataError) as raised:
        responses_from_rows(rows, Q)
    assert raised.value.errors == [
        "line 1: missing column(s) role (expected assessment,team,respondent,role,item_id,value)"
    ]


def test_a_short_row_from_the_csv_reader_is_an_error() -> None:
    short = {**row("T", "a", "leader", P[0], "4"), "value": None}
    with pytest.raises(ResponseDataError, match="line 2, column value: empty"):
        responses_from_rows([short], Q)  # type: ignore[list-item]


def test_pulse_form_refuses_full_form_items() -> None:
    rows = [
        row("T", "a", "leader", P[0], "4", form="pulse"),
        row("T", "a", "leader", P[4], "4", form="pulse"),
    ]
    with pytest.raises(
        ResponseDataError, match=r"line 3, column item_id: 'permission\.item5' is not on the pulse"
    ):
        responses_from_rows(rows, Q)


def test_consensus_assessment_holds_one_respondent() -> None:
    rows = [
        row("T", "a", "leader", P[0], "4", mode="consensus"),
        row("T", "b", "leader", P[0], "4", mode="consensus"),
    ]
    with pytest.raises(ResponseDataError, match=r"line 3, column respondent: .* consensus assessment"):
        responses_from_rows(rows, Q)


def test_export_reads_back_unchanged() -> None:
    answers = everywhere(Q, 3)
    answers[P[0]] = None
    teams = [
        make_team(
            Q, [answers, ("leader", everywhere(Q, 5))], team="Claims", collected_at=datetime(2025, 3, 1, 9)
        ),
        make_team(
            Q, [("manager", everywhere(Q, 2, form="pulse"))], team="Solo", form="pulse", mode="consensus"
        ),
    ]
    rows = rows_from_responses(teams)
    assert rows[0] == {
        "assessment": "",
        "team": "Claims",
        "respondent": "r1",
        "role": "contributor",
        "item_id": P[0],
        "value": "dont_know",
        "questionnaire_version": "1.0.0",
        "submitted_at": "2025-03-01T09:00:00",
        "form": "full",
        "mode": "individual",
    }
    assert responses_from_rows(rows, Q) == teams
    assert [score_team(Q, t) for t in responses_from_rows(rows, Q)] == [score_team(Q, t) for t in teams]
