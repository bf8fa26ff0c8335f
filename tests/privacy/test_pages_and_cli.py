"""The before/after attack through what a browser and a shell show: the Results page (AppTest), the leader
page and ``cli.py report``. A fourth respondent changes none of them; three more newcomers do."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

import cli
from services import assessment as journey
from tests.app.conftest import AppDatabase, PageOpener, app_db, open_page  # noqa: F401 - fixtures
from tests.app.test_assessment_pages import pattern_answers, questionnaire_of

LEVELS = ([2, 3], [4, 4], [1, 5], [5, 5], [3, 1], [2, 2], [4, 1])


def page_text(at: AppTest) -> str:
    """Everything the page shows in text (markdown, captions, metrics, info boxes, tables' cells)."""
    parts = [element.value for element in (*at.markdown, *at.caption, *at.info, *at.warning)]
    parts += [f"{metric.label}={metric.value}" for metric in at.metric]
    parts += [frame.value.to_csv() for frame in at.dataframe]
    text = "\n".join(str(part) for part in parts)
    # the own-scores block is the one thing that is live, and only for this person
    return re.sub(r"Your own scores.*", "", text, flags=re.S)


def cli_report_text(tmp_path: Path, assessment_id: int, name: str) -> str:
    out = tmp_path / f"{name}.pdf"
    result = CliRunner().invoke(cli.cli, ["report", "--assessment", str(assessment_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    # the print date and time are the one thing allowed to differ between two prints (a minute can pass)
    return re.sub(r"\d\d:\d\d UTC", "<time>", re.sub(r"\d{1,2} \w+ 20\d\d", "<date>", text))


def test_one_more_respondent_changes_no_page_and_no_cli_report(
    app_db: AppDatabase,  # noqa: F811 - fixture
    open_page: PageOpener,  # noqa: F811 - fixture
    tmp_path: Path,
) -> None:
    assert os.environ["DATABASE_URL"] == app_db.url
    questionnaire = questionnaire_of(app_db.ctx)
    lead = journey.start_assessment(
        app_db.ctx, team_name="Ops", mode="individual", form="full", role="leader"
    )
    assert lead.share_code
    tokens = [lead.token]

    def newcomer(levels: list[int]) -> str:
        token = journey.join_assessment(
            app_db.ctx, share_code=lead.share_code or "", role="contributor"
        ).token
        for item_id, choice in pattern_answers(questionnaire, "full", levels).items():
            journey.save_answer(app_db.ctx, token, item_id, choice)
        tokens.append(token)
        return token

    for item_id, choice in pattern_answers(questionnaire, "full", LEVELS[0]).items():
        journey.save_answer(app_db.ctx, lead.token, item_id, choice)
    for levels in LEVELS[1:3]:
        newcomer(levels)
    # the plan is made (and its due dates fixed) once; a report made later never changes it
    journey.action_plan(app_db.ctx, lead.token)
    before_page = page_text(open_page("pages/results.py", token=tokens[1]))
    before_cli = cli_report_text(tmp_path, lead.assessment_id, "before")
    assert "3 responses" in before_page

    newcomer(LEVELS[3])
    after_page = page_text(open_page("pages/results.py", token=tokens[1]))
    after_cli = cli_report_text(tmp_path, lead.assessment_id, "after")
    assert after_cli == before_cli
    # the only new line is the note that an update waits
    assert after_page.replace(_note(after_page), "") == before_page

    for levels in LEVELS[4:]:
        newcomer(levels)
    later_page = page_text(open_page("pages/results.py", token=tokens[1]))
    assert "7 responses" in later_page and later_page != before_page
    assert cli_report_text(tmp_path, lead.assessment_id, "later") != before_cli


def _note(text: str) -> str:
    match = re.search(r"The team results below were published when.*?before and after\.\n?", text, flags=re.S)
    if match is None:
        pytest.fail(f"no update note on the page:\n{text[:2000]}")
    return match.group(0)
