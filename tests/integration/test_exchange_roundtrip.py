"""Export → import → score gives the same scores; exports are pseudonymous and spreadsheet-safe."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from reports import exchange
from scoring import score_team
from scoring.models import TeamResult
from storage import repository as repo
from storage.demo import generate_demo, store_demo
from storage.models import Assessment, Respondent, Workshop
from tests.integration.storage_support import (
    CATALOG,
    QUESTIONNAIRE,
    Database,
    copy_template,
    database,
    open_database,
    sqlite_template,
)

__all__ = ["database"]

FORMULA_TEAM = '=HYPERLINK("x")'


def _populate(db: Database) -> None:
    """Demo teams of every profile, plus a team whose name and comment are formulas, with actions."""
    with db.session() as session:
        store_demo(session, generate_demo(QUESTIONNAIRE, teams=9, respondents=6, seed=3))
        team = repo.create_team(session, name=FORMULA_TEAM)
        assessment = repo.create_assessment(
            session,
            team_id=team.id,
            questionnaire_id=QUESTIONNAIRE.id,
            questionnaire_version=QUESTIONNAIRE.version,
            form="full",
            mode="individual",
            k=3,
            round_label="+1 round",
        )
        for index in range(5):
            respondent, _ = repo.create_respondent(
                session, assessment_id=assessment.id, role=("leader", "manager", "contributor")[index % 3]
            )
            for position, item in enumerate(QUESTIONNAIRE.items_for("full")):
                value = None if (position + index) % 11 == 0 else (position * index) % 5 + 1
                repo.save_answer(session, respondent_id=respondent.id, item_id=item.id, value=value)
            repo.save_comment(
                session,
                respondent_id=respondent.id,
                dimension_id="boundaries",
                text=f"@risk {index}: -budget",
            )
        repo.save_kpis(
            session,
            assessment_id=assessment.id,
            kpis={"task_time_reduction": 30, "meta_work_hours": 4, "redeployed_share": 20, "rework_rate": 18},
            ai_hours_per_week=25,
        )
        repo.add_action(
            session,
            assessment_id=assessment.id,
            title="=cmd|' /C calc'!A0",
            finding="Permission capped at level 1",
            owner="Team lead",
            due_date=date(2027, 3, 31),
            status="in_progress",
            source_item_id=QUESTIONNAIRE.items_for("full")[0].id,
            kpi="Rework rate",
            first_step="Draft the guide",
            horizon_days=30,
        )
        repo.add_action(session, assessment_id=assessment.id, title="Budget review time", position=0)
        repo.create_workshop(
            session,
            name="Kick-off",
            form="full",
            k=3,
            dimensions=["permission"],
            assessment_ids=[assessment.id],
        )


@pytest.fixture
def source(database: Database) -> Database:
    """A populated database, on SQLite and on PostgreSQL."""
    _populate(database)
    return database


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sqlite_template(tmp_path_factory.mktemp("template"), _populate)


@pytest.fixture
def sqlite_source(template: Path, tmp_path: Path) -> Iterator[Database]:
    """A populated SQLite database (for what does not depend on the database)."""
    db = copy_template(template, tmp_path / "source")
    yield db
    db.engine.dispose()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'target' / 'layerwise.db'}")
    yield db
    db.engine.dispose()


def _results(db: Database) -> dict[tuple[str, str], TeamResult]:
    with db.session(read_only=True) as session:
        ids = list(session.scalars(select(Assessment.id)))
        return {
            (result.team, str(result.assessment_id)): result
            for result in (
                score_team(QUESTIONNAIRE, repo.load_team_responses(session, assessment_id=i)) for i in ids
            )
        }


def _answer_scores(result: TeamResult) -> dict[str, object]:
    """Everything scoring derives from the answers (the long CSV carries no comments and no KPIs)."""
    dumped = result.model_dump(mode="json")
    return {
        key: dumped[key]
        for key in ("respondents", "suppressed", "overall", "dimensions", "gaps", "segments", "findings")
    }


def test_csv_export_import_score_gives_the_same_scores(sqlite_source: Database, target: Database) -> None:
    with sqlite_source.session(read_only=True) as session:
        data = exchange.export_csv(session)
    with target.session() as session:
        summary = exchange.import_bytes(session, data, file="answers.csv", catalog=CATALOG)
    assert summary.assessments_created == len(_results(sqlite_source))
    before, after = _results(sqlite_source), _results(target)
    assert before.keys() == after.keys()
    assert (FORMULA_TEAM, before[next(k for k in before if k[0] == FORMULA_TEAM)].assessment_id) in after
    for key in before:
        assert _answer_scores(after[key]) == _answer_scores(before[key]), key
    assert any(r.suppressed for r in after.values()) and any(r.gaps for r in after.values())


def test_json_export_import_score_is_identical_including_comments_kpis_and_actions(
    sqlite_source: Database, target: Database
) -> None:
    with sqlite_source.session(read_only=True) as session:
        document = exchange.export_json(session)
    with target.session() as session:
        exchange.import_bytes(session, document, file="everything.json", catalog=CATALOG)
    before, after = _results(sqlite_source), _results(target)
    assert {k: v.model_dump(mode="json") for k, v in after.items()} == {
        k: v.model_dump(mode="json") for k, v in before.items()
    }
    with sqlite_source.session(read_only=True) as a, target.session(read_only=True) as b:
        original, copy = exchange.export_document(a), exchange.export_document(b)
    for key in ("exported_at", "workshops"):
        original.pop(key)
        copy.pop(key)
    assert copy == original  # statuses, dates, round labels, respondents' times, actions and their order


def test_json_round_trips_into_postgres_too(sqlite_source: Database, postgres_url: str) -> None:
    target = open_database(postgres_url)
    try:
        with sqlite_source.session(read_only=True) as session:
            document = exchange.export_json(session)
        with target.session() as session:
            exchange.import_bytes(session, document, file="everything.json", catalog=CATALOG)
        assert {k: v.model_dump() for k, v in _results(target).items()} == {
            k: v.model_dump() for k, v in _results(sqlite_source).items()
        }
    finally:
        target.engine.dispose()


def test_importing_the_same_file_twice_duplicates_nothing(source: Database, target: Database) -> None:
    with source.session(read_only=True) as session:
        files = {"a.csv": exchange.export_csv(session), "a.json": exchange.export_json(session)}
    for name, data in files.items():
        with target.session() as session:
            exchange.import_bytes(session, data, file=name, catalog=CATALOG)
        counts = target.counts()
        with target.session() as session:
            again = exchange.import_bytes(session, data, file=name, catalog=CATALOG)
        assert target.counts() == counts, name
        assert again.assessments_created == 0 and again.respondents_created == 0
    # and an export of the database into itself changes nothing either
    counts = source.counts()
    with source.session() as session:
        exchange.import_bytes(session, files["a.json"], file="a.json", catalog=CATALOG)
    assert source.counts() == counts


def test_exports_name_respondents_only_by_pseudonym_and_leak_no_token(sqlite_source: Database) -> None:
    with sqlite_source.session(read_only=True) as session:
        hashes = list(session.scalars(select(Respondent.token_hash)))
        hashes += list(session.scalars(select(Workshop.facilitator_token_hash)))
        ids = [str(i) for i in session.scalars(select(Respondent.id))]
        csv_text = exchange.export_csv(session).decode()
        json_text = exchange.export_json(session).decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert {row["respondent"] for row in rows} <= {f"R{n:03d}" for n in range(1, 100)}
    for secret in hashes:
        assert secret not in csv_text and secret not in json_text
    respondents = [r["id"] for a in json.loads(json_text)["assessments"] for r in a["respondents"]]
    assert all(r.startswith("R") for r in respondents) and not set(respondents) & set(ids)


def test_imported_non_pseudonymous_respondent_ids_never_come_back_out(target: Database) -> None:
    item = QUESTIONNAIRE.items_for("full")[0].id
    data = (
        "assessment,team,respondent,role,item_id,value\n"
        f"2026-q4,Payroll Services,alice@example.com,leader,{item},3\n"
        f"2026-q4,Payroll Services,R001,contributor,{item},4\n"
    ).encode()
    for _ in range(2):  # and the second import recognises alice without storing her address
        with target.session() as session:
            exchange.import_bytes(session, data, file="named.csv", catalog=CATALOG)
    assert target.counts()["respondents"] == 2
    with target.session(read_only=True) as session:
        exported = exchange.export_csv(session).decode() + exchange.export_json(session).decode()
        stored = " ".join(f"{r.external_id} {r.import_key}" for r in session.scalars(select(Respondent)))
    assert "alice" not in exported and "alice" not in stored
    assert "R001" in exported and "R002" in exported


def test_a_team_named_like_a_formula_is_neutralised_in_csv_and_xlsx(
    sqlite_source: Database, tmp_path: Path
) -> None:
    with sqlite_source.session(read_only=True) as session:
        csv_bytes = exchange.export_csv(session)
        xlsx_bytes = exchange.export_xlsx(session)
    teams = {row["team"] for row in csv.DictReader(io.StringIO(csv_bytes.decode()))}
    assert "'" + FORMULA_TEAM in teams and FORMULA_TEAM not in teams

    path = tmp_path / "export.xlsx"
    path.write_bytes(xlsx_bytes)
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == [
        "teams", "assessments", "respondents", "answers", "comments", "kpis", "actions", "workshops"
    ]  # fmt: skip
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(exchange.FORMULA_TRIGGERS), (sheet.title, cell.value)
    assert [c.value for c in workbook["teams"]["A"] if c.value == "'" + FORMULA_TEAM] == ["'" + FORMULA_TEAM]
    assert "'=cmd|' /C calc'!A0" in [c.value for c in workbook["actions"]["E"]]
    assert "'@risk 0: -budget" in [c.value for c in workbook["comments"]["E"]]

    sheets = pd.read_excel(path, sheet_name=None)
    assert len(sheets["answers"]) == len(list(csv.DictReader(io.StringIO(csv_bytes.decode()))))
    assert set(sheets["kpis"]["kpi_id"]) >= {"rework_rate", "task_time_reduction"}
    assert pd.read_csv(io.BytesIO(csv_bytes))["value"].isin(["1", "2", "3", "4", "5", "dont_know"]).all()


def test_exporting_one_assessment_exports_only_it(sqlite_source: Database) -> None:
    with sqlite_source.session(read_only=True) as session:
        assessment = session.scalars(select(Assessment).order_by(Assessment.id)).first()
        assert assessment is not None
        rows = list(
            csv.DictReader(io.StringIO(exchange.export_csv(session, assessment_ids=[assessment.id]).decode()))
        )
        document = exchange.export_document(session, assessment_ids=[assessment.id])
        with pytest.raises(repo.NotFoundError, match="no assessment with id 99999"):
            exchange.export_data(session, format="xlsx", assessment_ids=[99999])
    assert {(row["team"], row["assessment"]) for row in rows} == {
        (assessment.team.name, assessment.external_id)
    }
    assert [a["id"] for a in document["assessments"]] == [assessment.external_id]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Claims Operations", "Claims Operations"),
        ("a=b", "a=b"),
        ("", ""),
        (3, 3),
        (-2.5, -2.5),
        (None, None),
    ],
)
def test_neutralise_cell(value: object, expected: object) -> None:
    assert exchange.neutralise_cell(value) == expected


@given(st.text())
def test_neutralised_text_never_starts_a_formula_and_restores_exactly(text: str) -> None:
    safe = exchange.neutralise_cell(text)
    assert not safe.startswith(exchange.FORMULA_TRIGGERS)
    assert exchange.restore_cell(safe) == text or text.startswith("'")
