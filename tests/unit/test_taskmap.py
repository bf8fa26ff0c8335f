"""The task map's arithmetic, checks, templates, CSV and guide (pure parts)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from questionnaires.loader import QuestionnaireError, load_taskmap_template, taskmap_templates
from questionnaires.taskmap_schema import GuideForm
from reports.exchange import ImportFileError
from reports.guide import guide_content, guide_html, guide_markdown, guide_pdf
from reports.taskmap_csv import read_task_map_csv, task_map_csv
from scoring.capacity import capacity_ledger
from scoring.taskmap import (
    TaskMapError,
    default_review_date,
    ledger_from_task_map,
    parse_task_map,
    role_week,
    task_map_totals,
)

AGENT = {"name": "Agent", "people": 6}


def activity(**values: object) -> dict[str, object]:
    return {
        "role": "Agent",
        "name": "Drafting replies",
        "hours_per_week": 10,
        "decision": "ai_freely",
    } | values


def test_one_activity_follows_the_ledger_rule() -> None:
    # 10 h now, 40 % less than before: took 10 / 0.6 = 16.67 h, frees 6.67 h; review 2 min × 90 = 3 h
    task_map = parse_task_map(
        {
            "roles": [AGENT],
            "activities": [
                activity(
                    decision="ai_with_review", reduction_pct=40, review_minutes=2, occurrences_per_week=90
                )
            ],
            "redeployments": [{"role": "Agent", "destination": "Learning", "hours_per_week": 1}],
        }
    )
    row = task_map_totals(task_map).roles[0]
    assert (row.ai_hours_before, row.freed_hours, row.review_hours) == (16.67, 6.67, 3.0)
    assert (row.net_hours, row.redeployed_hours, row.absorbed_hours) == (3.67, 1.0, 2.67)
    # the same as the capacity ledger given the same figures for one person
    ledger = capacity_ledger(10, 40, 3, 100 / 3.6667)
    assert ledger.hours_freed == row.freed_hours and ledger.net_freed_hours == row.net_hours


def test_team_totals_multiply_by_people_and_the_ledger_says_where_it_comes_from() -> None:
    task_map = parse_task_map(
        {
            "roles": [AGENT, {"name": "Lead", "people": 2}],
            "activities": [
                activity(reduction_pct=50),
                activity(role="Lead", name="Report", hours_per_week=4, reduction_pct=50),
                activity(name="Calls", hours_per_week=20, decision="human_only", reason="client_trust"),
            ],
        }
    )
    totals = task_map_totals(task_map)
    assert totals.people == 8
    assert totals.freed_hours == 6 * 10 + 2 * 4
    ledger = ledger_from_task_map(task_map)
    assert ledger is not None
    assert ledger.summary.startswith("From the task map: 3 activities in 2 roles (8 people).")
    assert ledger.team_hours_freed == 68 and ledger.team_absorbed_hours == 68


def test_a_map_without_ai_activities_gives_no_ledger() -> None:
    task_map = parse_task_map(
        {"roles": [AGENT], "activities": [activity(decision="human_only", reason="judgment")]}
    )
    assert ledger_from_task_map(task_map) is None


@pytest.mark.parametrize(
    ("row", "where", "message"),
    [
        (
            activity(hours_per_week=-1, reduction_pct=10),
            ("activities", 0, "hours_per_week"),
            "must be at least 0",
        ),
        (
            activity(hours_per_week=81, reduction_pct=10),
            ("activities", 0, "hours_per_week"),
            "must be at most 80",
        ),
        (activity(reduction_pct=100), ("activities", 0, "reduction_pct"), "must be below 100"),
        (activity(), ("activities", 0, "reduction_pct"), "expected task-time reduction"),
        (activity(decision="human_only"), ("activities", 0, "reason"), "needs a reason"),
        (
            activity(decision="ai_with_review", reduction_pct=10),
            ("activities", 0, "review_hours_per_week"),
            "needs the review time",
        ),
        (
            activity(decision="ai_with_review", reduction_pct=10, review_minutes=5),
            ("activities", 0, "occurrences_per_week"),
            "needs both minutes and occurrences",
        ),
        (
            activity(role="Agnt", reduction_pct=10),
            ("activities", 0, "role"),
            "'Agnt' is not a role of this map",
        ),
        (
            activity(hours_per_week="ten", reduction_pct=10),
            ("activities", 0, "hours_per_week"),
            "must be a number",
        ),
    ],
)
def test_bad_rows_are_named_by_section_row_and_field(
    row: dict[str, object], where: tuple[str, int, str], message: str
) -> None:
    with pytest.raises(TaskMapError) as raised:
        parse_task_map({"roles": [AGENT], "activities": [row]})
    assert where in raised.value.errors, raised.value.errors
    assert message in raised.value.errors[where]
    assert raised.value.messages()[0].startswith("Activities row 1, ")


def test_redeploying_more_than_is_left_after_review_is_refused() -> None:
    with pytest.raises(TaskMapError) as raised:
        parse_task_map(
            {
                "roles": [AGENT],
                "activities": [activity(reduction_pct=50)],  # frees 10 h
                "redeployments": [
                    {"role": "Agent", "destination": "Growth", "hours_per_week": 6},
                    {"role": "Agent", "destination": "Learning", "hours_per_week": 6},
                ],
            }
        )
    assert list(raised.value.errors) == [("redeployments", 1, "hours_per_week")]
    assert (
        "has 10.0 h per person per week left after review"
        in raised.value.errors[("redeployments", 1, "hours_per_week")]
    )


def test_a_role_week_over_80_hours_and_a_duplicate_role_are_refused() -> None:
    with pytest.raises(TaskMapError) as raised:
        parse_task_map(
            {
                "roles": [AGENT, {"name": "agent", "people": 1}],
                "activities": [
                    activity(hours_per_week=50, reduction_pct=1),
                    activity(hours_per_week=40, reduction_pct=1),
                ],
            }
        )
    assert ("roles", 1, "name") in raised.value.errors
    assert "at most 80 h fit in a week" in raised.value.errors[("roles", 0, "name")]


hours = st.floats(min_value=0, max_value=12, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    now=st.lists(hours, min_size=1, max_size=5),
    reduction=st.floats(min_value=0, max_value=90),
    review=st.floats(min_value=0, max_value=3),
    people=st.integers(min_value=1, max_value=50),
)
def test_properties_the_week_is_conserved_and_net_is_split(
    now: list[float], reduction: float, review: float, people: int
) -> None:
    activities = [
        activity(
            name=f"A{i}",
            hours_per_week=h,
            decision="ai_with_review",
            reduction_pct=reduction,
            review_hours_per_week=review,
        )
        for i, h in enumerate(now)
    ]
    try:
        task_map = parse_task_map({"roles": [{"name": "Agent", "people": people}], "activities": activities})
    except TaskMapError:
        return  # more than 80 h: refused, nothing to check
    totals = task_map_totals(task_map)
    row = totals.roles[0]
    assert row.freed_hours >= 0
    assert abs(row.net_hours - (row.freed_hours - row.review_hours)) < 0.02
    assert abs(row.redeployed_hours + row.absorbed_hours - max(row.net_hours, 0)) < 0.02
    assert abs(totals.freed_hours - row.freed_hours * people) < 0.02 * people
    week = {s.category: s for s in role_week(totals)}
    before, after = sum(s.before for s in week.values()), sum(s.after for s in week.values())
    if row.net_hours >= 0:
        assert abs(before - after) < 0.1  # the same week, only spent differently
    else:
        assert after > before  # review takes more than AI frees: the week gets longer


def test_review_is_quarterly_by_default() -> None:
    assert default_review_date(date(2026, 11, 30)) == date(2027, 2, 28)
    assert default_review_date(date(2026, 1, 15)) == date(2026, 4, 15)


def test_every_shipped_template_validates_and_gives_a_ledger() -> None:
    templates = taskmap_templates()
    assert {t.id for t in templates} == {"service-desk", "risk-reporting", "software", "marketing"}
    for template in templates:
        assert ledger_from_task_map(template.task_map) is not None, template.id


def test_a_broken_template_names_file_line_and_field(tmp_path: Path) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text(
        "id: bad\ntitle: Bad\ndescription: x\ntask_map:\n  roles:\n    - {name: A, people: 2}\n"
        "  activities:\n    - {role: A, name: X, hours_per_week: -4, decision: ai_freely, reduction_pct: 10}\n",
        encoding="utf-8",
    )
    with pytest.raises(QuestionnaireError) as raised:
        load_taskmap_template(file)
    assert "bad.yaml:8: task_map.activities[0].hours_per_week" in str(raised.value)


def service_desk():  # type: ignore[no-untyped-def]
    return next(t for t in taskmap_templates() if t.id == "service-desk").task_map


def test_csv_round_trip() -> None:
    task_map = service_desk()
    assert read_task_map_csv(task_map_csv(task_map)) == task_map


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ((b"role,Team lead,,1,", b"role,Team lead,,x,"), "line 4, people: must be a whole number (got 'x')"),
        (
            (b"activity,Agent,Drafting ticket replies,,10,", b"activity,Agent,Drafting ticket replies,,-3,"),
            "line 5, hours_per_week: must be at least 0 (got -3.0)",
        ),
        (
            (b"activity,Agent,Drafting", b"task,Agent,Drafting"),
            "line 5, kind: must be one of role, activity, redeploy",
        ),
        ((b"ai_freely,50,", b"ai_freely,,"), "line 6, reduction_pct: an AI activity needs"),
        (
            (b"redeploy,Agent,Learning,,1,", b"redeploy,Agent,Learning,,40,"),
            "line 14, hours_per_week: 'Agent' has 6.7 h",
        ),
        (
            (b"role,Agent,,6,", b"role,Agent,,6,5"),
            "line 2, hours_per_week: a role line leaves this column empty",
        ),
    ],
)
def test_csv_import_errors_name_the_line_and_import_nothing(
    change: tuple[bytes, bytes], expected: str
) -> None:
    data = task_map_csv(service_desk())
    assert change[0] in data
    with pytest.raises(ImportFileError) as raised:
        read_task_map_csv(data.replace(*change, 1))
    assert any(error.startswith(expected) for error in raised.value.errors), raised.value.errors


def test_csv_with_a_missing_column_is_refused_on_line_1() -> None:
    with pytest.raises(ImportFileError) as raised:
        read_task_map_csv(b"kind,role,name\nrole,Agent,\n")
    assert raised.value.errors[0].startswith("line 1: missing column(s) people, hours_per_week")


FORM = GuideForm(
    data_rules=[
        {"data_class": "Public information", "tools": "Copilot"},
        {"data_class": "Customer data <script>", "tools": ""},
    ],
    contact_name="Anna Łukasiewicz",
    contact_response="within one working day",
    review_date=date(2027, 2, 28),
)


def test_the_guide_pdf_is_one_a4_page_with_the_teams_activities() -> None:
    task_map = service_desk()
    content = guide_content(
        "Service desk Łódź / فريق الدعم", task_map, FORM, version=2, published=date(2026, 11, 30)
    )
    reader = PdfReader(io.BytesIO(guide_pdf(content)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = reader.pages[0].extract_text()
    for expected in (
        "Use freely",
        "Use with review",
        "Don't use AI",
        "Drafting ticket replies",
        "Escalations and coaching",
        "Anna Łukasiewicz",
        "28 Feb 2027",
        "Version 2",
        "Łódź",
    ):
        assert expected in text, expected


def test_a_guide_with_many_activities_stays_on_one_page() -> None:
    task_map = service_desk()
    many = task_map.model_copy(
        update={
            "activities": [
                a.model_copy(update={"name": f"{a.name} {i} " + "long words " * 8})
                for i in range(12)
                for a in task_map.activities
            ]
        }
    )
    content = guide_content("Team", many, FORM, version=1, published=date(2026, 11, 30))
    reader = PdfReader(io.BytesIO(guide_pdf(content)))
    assert len(reader.pages) == 1
    assert "more in the task map" in reader.pages[0].extract_text()


def test_the_guide_markdown_and_html_escape_what_the_team_typed() -> None:
    content = guide_content("R&D <b>", service_desk(), FORM, version=1, published=date(2026, 11, 30))
    page = guide_html(content)
    assert "R&amp;D &lt;b&gt;" in page and "Customer data &lt;script&gt;" in page and "<script>" not in page
    markdown = guide_markdown(content)
    assert "R&D \\<b\\>" in markdown and "Customer data \\<script\\>" in markdown
    assert "**Drafting ticket replies** (Agent)" in markdown


def test_a_map_without_roles_says_it_needs_one() -> None:
    with pytest.raises(TaskMapError) as raised:
        parse_task_map({"roles": []})
    assert raised.value.messages() == ["Roles: needs at least 1 row (a task map needs a role)"]
