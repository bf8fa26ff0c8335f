"""``python cli.py retention apply`` and ``python cli.py erase`` on a SQLite file and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner, Result

import cli
from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import assessment as journey
from services.context import AnswersErasedError, AppContext, make_context
from services.publication import publish, published_result
from settings import get_settings
from tests.integration.test_erasure import backdate, team_of


@pytest.fixture
def cli_ctx(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppContext]:
    """The CLI's database (DATABASE_URL) and a services context on it."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("LAYERWISE_RETENTION_MONTHS", raising=False)
    get_settings.cache_clear()
    context = make_context(db_url)
    yield context
    context.database.dispose()
    get_settings.cache_clear()


def run(*arguments: str) -> Result:
    return CliRunner().invoke(cli.cli, list(arguments))


def test_a_dry_run_prints_counts_and_changes_nothing_then_yes_erases(
    cli_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    old_id, _, old_tokens = team_of(cli_ctx, 4, name="Old team")
    journey.save_comment(cli_ctx, old_tokens[1], "permission", "old remark")
    team_of(cli_ctx, 3, name="Recent team")
    publish(cli_ctx, old_id)
    shown = published_result(cli_ctx, old_id).result
    backdate(cli_ctx, old_id, datetime.now(UTC) - timedelta(days=800))
    items = len(cli_ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID).items_for("pulse"))

    dry = run("retention", "apply", "--months", "24")
    assert dry.exit_code == 0, dry.output
    assert "Old team · " in dry.output and f"4 people, {4 * items} answers, 1 comments" in dry.output
    assert "Recent team" not in dry.output
    assert "run again with --yes" in dry.output
    assert journey.resume(cli_ctx, old_tokens[0]).answers  # nothing changed

    # the period from the environment; --yes erases
    monkeypatch.setenv("LAYERWISE_RETENTION_MONTHS", "24")
    get_settings.cache_clear()
    applied = run("retention", "apply", "--yes")
    assert applied.exit_code == 0, applied.output
    assert "erased the answers" in applied.output and "total: 4 people in 1 assessment" in applied.output
    with pytest.raises(AnswersErasedError):
        journey.resume(cli_ctx, old_tokens[0])
    kept = published_result(cli_ctx, old_id).result
    assert kept.dimensions == shown.dimensions
    again = run("retention", "apply", "--yes")
    assert again.exit_code == 0 and "nothing to erase" in again.output
    # --months overrides the environment: 1 month reaches nobody else (the recent team answered today)
    assert "nothing to erase" in run("retention", "apply", "--months", "1").output


@pytest.mark.parametrize(
    ("arguments", "environment", "message"),
    [
        (["--months", "0"], None, "--months: expected a whole number of months (1 or more), got 0"),
        (["--months", "-2"], None, "--months: expected a whole number of months (1 or more), got -2"),
        (["--months", "abc"], None, "--months: expected a whole number of months (1 or more), got 'abc'"),
        ([], None, "no retention period: give --months N or set LAYERWISE_RETENTION_MONTHS"),
        ([], "soon", "LAYERWISE_RETENTION_MONTHS: "),
        ([], "0", "LAYERWISE_RETENTION_MONTHS: "),
    ],
)
def test_bad_retention_periods_are_refused_with_what_was_wrong(
    cli_ctx: AppContext,
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    environment: str | None,
    message: str,
) -> None:
    if environment is not None:
        monkeypatch.setenv("LAYERWISE_RETENTION_MONTHS", environment)
        get_settings.cache_clear()
    result = run("retention", "apply", "--yes", *arguments)
    assert result.exit_code == 2
    assert message in result.output


def test_an_administrator_erases_one_person_by_their_resume_link(cli_ctx: AppContext) -> None:
    assessment_id, _, tokens = team_of(cli_ctx, 3)
    link = f"http://localhost:8501/assess?token={tokens[2]}&step=2"
    result = run("erase", link, "--yes")
    assert result.exit_code == 0, result.output
    assert "erased" in result.output and "answers" in result.output
    with pytest.raises(AnswersErasedError):
        journey.resume(cli_ctx, tokens[2])
    assert journey.resume(cli_ctx, tokens[1]).answers
    listed = run("db", "respondents", str(assessment_id)).output.splitlines()
    assert [line.split("\t")[3] for line in listed if "\terased " in line] == ["0 answers"]
    twice = run("erase", tokens[2], "--yes")
    assert twice.exit_code == 2 and "were deleted on" in twice.output
    assert run("erase", "nonsense", "--yes").exit_code == 2
