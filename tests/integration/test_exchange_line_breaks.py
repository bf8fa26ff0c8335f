"""A line break inside a typed text never splits a CSV row or starts a live formula, in CSV and XLSX.

A spreadsheet that reads a lone CR as the end of a row (or a person pasting one line of a cell) would
otherwise get a new row starting with ``=HYPERLINK(…)``. Checked on a real SQLite file, with the files
parsed back by Python's csv module and openpyxl.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from reports import exchange
from services import assessment as journey
from services.context import AppContext, make_context

TEAM = 'Ops\r=HYPERLINK("http://evil.example")\n+1 team\r\n@SUM(A1)'
TITLE = "Plan\r-2+3\n\t=cmd"
LINE_BREAK = re.compile(r"\r\n|\r|\n")


@pytest.fixture
def ctx(sqlite_url: str) -> Iterator[AppContext]:
    context = make_context(sqlite_url)
    try:
        yield context
    finally:
        context.database.dispose()


def assert_no_line_starts_a_formula(text: str, where: str) -> None:
    for number, line in enumerate(LINE_BREAK.split(text), start=1):
        assert not line.startswith(exchange.FORMULA_TRIGGERS), (
            f"{where}, line {number} is a formula: {line!r}"
        )


def test_line_breaks_in_a_team_name_and_an_action_keep_rows_whole_and_formulas_dead(
    ctx: AppContext, tmp_path: Path
) -> None:
    started = journey.start_assessment(ctx, team_name=TEAM, mode="consensus", form="pulse", role="leader")
    items = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse")
    for item in items:
        journey.save_answer(ctx, started.token, item.id, 3)
    journey.action_plan(ctx, started.token)  # the first view fills the plan with recommendations
    journey.add_custom_action(ctx, started.token, title=TITLE, owner="=owner\r+1")

    with ctx.read() as session:
        answers_csv = exchange.export_csv(session).decode("utf-8")
        xlsx = exchange.export_xlsx(session)
    plan_csv = journey.plan_csv(ctx, started.token).decode("utf-8")

    rows = list(csv.DictReader(io.StringIO(answers_csv, newline="")))
    assert len(rows) == len(items), "a line break split a row"
    assert {exchange.restore_cell(row["team"]) for row in rows} == {TEAM}
    assert_no_line_starts_a_formula(answers_csv, "answers CSV")

    plan_rows = list(csv.DictReader(io.StringIO(plan_csv, newline="")))
    assert len(plan_rows) == len(journey.action_plan(ctx, started.token).actions)
    assert exchange.restore_cell(plan_rows[-1]["title"]) == TITLE
    assert_no_line_starts_a_formula(plan_csv, "plan CSV")

    path = tmp_path / "export.xlsx"
    path.write_bytes(xlsx)
    workbook = openpyxl.load_workbook(path)
    texts = [
        (f"{sheet.title}!{cell.coordinate}", cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    # XML reads every line break back as LF
    restored = {LINE_BREAK.sub("\n", exchange.restore_cell(value)) for _, value in texts}
    assert {LINE_BREAK.sub("\n", TEAM), LINE_BREAK.sub("\n", TITLE)} <= restored
    for where, value in texts:
        assert_no_line_starts_a_formula(value, where)


@given(st.text(alphabet=st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\n", "'", "a", " "])))
def test_every_line_of_a_neutralised_text_is_safe_and_restores_exactly(text: str) -> None:
    safe = exchange.neutralise_cell(text)
    assert exchange.restore_cell(safe) == text
    for line in LINE_BREAK.split(safe):
        assert not line.startswith(exchange.FORMULA_TRIGGERS), (text, safe)
