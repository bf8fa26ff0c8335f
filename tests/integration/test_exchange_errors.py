"""Malformed imports: each gets a clear error naming row and column, and the database stays as it was."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reports import exchange
from storage import repository as repo
from tests.integration.storage_support import CATALOG, QUESTIONNAIRE, Database, copy_template, sqlite_template

FULL = [item.id for item in QUESTIONNAIRE.items_for("full")]
PULSE = [item.id for item in QUESTIONNAIRE.items_for("pulse")]
NOT_PULSE = next(item for item in FULL if item not in PULSE)
HEADER = "assessment,team,respondent,role,item_id,value"


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode("utf-8")


def good_lines(count: int = 30) -> list[str]:
    return [
        f"2026-q4,Finance Close,R{n // 10 + 1:03d},contributor,{FULL[n % 10]},{n % 5 + 1}"
        for n in range(count)
    ]


def json_file(**changes: object) -> bytes:
    assessment = {
        "id": "2026-q4",
        "team": "Finance Close",
        "questionnaire_id": QUESTIONNAIRE.id,
        "questionnaire_version": QUESTIONNAIRE.version,
        "form": "full",
        "respondents": [{"id": "R001", "role": "leader", "answers": {FULL[0]: 3, FULL[1]: None}}],
    }
    assessment.update(changes)
    return json.dumps(
        {"format": "layerwise-export", "format_version": 1, "assessments": [assessment]}
    ).encode()


#: (name, file name, contents, text every message must contain)
MALFORMED: list[tuple[str, str, Callable[[], bytes], list[str]]] = [
    (
        "wrong columns",
        "a.csv",
        lambda: csv_file("x,y,z", header="team,person,answer"),
        ["line 1", "unknown column(s) 'person', 'answer'", "missing column(s) assessment, respondent, role"],
    ),
    (
        "unknown item",
        "a.csv",
        lambda: csv_file(*good_lines(3), "2026-q4,Finance Close,R009,leader,permission.nope,3"),
        ["line 5, column item_id: unknown item 'permission.nope'"],
    ),
    (
        "value 7",
        "a.csv",
        lambda: csv_file(*good_lines(2), f"2026-q4,Finance Close,R009,leader,{FULL[0]},7"),
        ["line 4, column value: '7' is not a level 1–5 or dont_know"],
    ),
    (
        "duplicate answer",
        "a.csv",
        lambda: csv_file(
            f"q,Finance Close,R001,leader,{FULL[0]},3", f"q,Finance Close,R001,leader,{FULL[0]},4"
        ),
        [
            "line 3, column item_id: respondent 'R001' in team 'Finance Close' of assessment 'q' "
            f"answers '{FULL[0]}' twice"
        ],
    ),
    (
        "bad encoding",
        "a.csv",
        lambda: csv_file("2026,Équipe Qualité,R001,leader,x,1").decode().encode("latin-1"),
        ["line 2", "not UTF-8"],
    ),
    ("empty file", "a.csv", lambda: b"", ["the file is empty"]),
    ("only blank lines", "a.csv", lambda: b"\n \n\r\n", ["the file is empty"]),
    ("header only", "a.csv", lambda: csv_file(), ["header but no answers"]),
    (
        "unknown role",
        "a.csv",
        lambda: csv_file(f"q,T,R001,boss,{FULL[0]},3"),
        ["line 2, column role: unknown role 'boss'"],
    ),
    (
        "ragged row",
        "a.csv",
        lambda: csv_file(f"q,T,R001,leader,{FULL[0]}"),
        ["line 2: has 5 fields, the header has 6"],
    ),
    (
        "missing assessment id",
        "a.csv",
        lambda: csv_file(f",T,R001,leader,{FULL[0]},3"),
        ["line 2, column assessment: empty"],
    ),
    (
        "pulse answer outside the pulse form",
        "a.csv",
        lambda: csv_file(f"q,T,R001,leader,{NOT_PULSE},3", header=HEADER + ",form").replace(
            b",3\n", b",3,pulse\n"
        ),
        [f"column item_id: '{NOT_PULSE}' is not on the pulse form"],
    ),
    (
        "unknown questionnaire version",
        "a.csv",
        lambda: csv_file(f"q,T,R001,leader,{FULL[0]},3,9.9.9", header=HEADER + ",questionnaire_version"),
        ["column questionnaire_version", "9.9.9"],
    ),
    ("xlsx", "a.xlsx", lambda: b"PK\x03\x04 not really", ["spreadsheets cannot be imported"]),
    (
        "json syntax",
        "a.json",
        lambda: b'{"format": "layerwise-export",\n  "assessments": [}',
        ["line 2, column", "not valid JSON"],
    ),
    ("json not an export", "a.json", lambda: b'{"teams": []}', ["not a Layerwise export"]),
    ("json nested too deeply", "a.json", lambda: b"[" * 100_000, ["nested too deeply"]),
    (
        "json value 7",
        "a.json",
        lambda: json_file(respondents=[{"id": "R001", "role": "leader", "answers": {FULL[0]: 7}}]),
        [
            f'assessments[0].respondents[0].answers["{FULL[0]}"]: '
            'must be a level 1–5, or null for "Don\'t know" (not 7)'
        ],
    ),
    (
        "json unknown item",
        "a.json",
        lambda: json_file(respondents=[{"id": "R001", "role": "leader", "answers": {"coaching.nope": 3}}]),
        ['assessments[0].respondents[0].answers["coaching.nope"]: unknown item'],
    ),
    ("json k below 3", "a.json", lambda: json_file(k=2), ["assessments[0].k", "greater than or equal to 3"]),
    (
        "json unknown field",
        "a.json",
        lambda: json_file(colour="red"),
        ["assessments[0].colour: unknown field 'colour'"],
    ),
    (
        "json bad date",
        "a.json",
        lambda: json_file(created_at="yesterday"),
        ["assessments[0].created_at", "ISO 8601"],
    ),
    (
        "json kpi out of range",
        "a.json",
        lambda: json_file(kpis={"rework_rate": 180}),
        ['kpis["rework_rate"]: 180.0 is outside 0–100'],
    ),
    (
        "json duplicate respondent",
        "a.json",
        lambda: json_file(respondents=[{"id": "R001", "role": "leader"}, {"id": "R001", "role": "leader"}]),
        ["assessments[0].respondents[1].id: respondent 'R001' appears twice"],
    ),
    (
        "json duplicate key",
        "a.json",
        lambda: json_file().replace(b'"form": "full"', b'"form": "full", "k": 3, "k": 50'),
        ['assessments[0].k: the key "k" appears more than once in this object'],
    ),
    (
        "json duplicate key in an answer map",
        "a.json",
        lambda: json_file().replace(f'"{FULL[0]}": 3'.encode(), f'"{FULL[0]}": 3, "{FULL[0]}": 5'.encode()),
        [f'assessments[0].respondents[0].answers["{FULL[0]}"]: the key "{FULL[0]}" appears more than once'],
    ),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def fill(db: Database) -> None:
        with db.session() as session:
            exchange.import_bytes(session, csv_file(*good_lines()), file="first.csv", catalog=CATALOG)

    return sqlite_template(tmp_path_factory.mktemp("template"), fill)


@pytest.fixture
def populated(template: Path, tmp_path: Path) -> Iterator[Database]:
    """A database that already holds an assessment (Finance Close, 2026-q4, full form)."""
    db = copy_template(template, tmp_path / "db")
    yield db
    db.engine.dispose()


def _import(db: Database, name: str, data: bytes) -> exchange.ImportFileError:
    with pytest.raises(exchange.ImportFileError) as caught, db.session() as session:
        exchange.import_bytes(session, data, file=name, catalog=CATALOG)
    return caught.value


@pytest.mark.parametrize(("case", "name", "make", "expected"), MALFORMED, ids=[case[0] for case in MALFORMED])
def test_a_malformed_file_is_refused_with_a_clear_error_and_changes_nothing(
    populated: Database, case: str, name: str, make: Callable[[], bytes], expected: list[str]
) -> None:
    before = populated.counts()
    error = _import(populated, name, make())
    message = str(error)
    assert message.startswith(f"{name}: nothing was imported")
    for fragment in expected:
        assert fragment in message, f"{case}: {fragment!r} not in:\n{message}"
    assert populated.counts() == before


def test_a_fifty_megabyte_file_is_refused_before_it_is_read(populated: Database, tmp_path: Path) -> None:
    big = tmp_path / "huge.csv"
    with big.open("wb") as handle:
        handle.write(csv_file(*good_lines()))
        handle.truncate(50 * 1024 * 1024)
    before = populated.counts()
    with (
        pytest.raises(exchange.ImportFileError, match=r"52,428,800 bytes; imports may be at most 20,971,520"),
        populated.session() as session,
    ):
        exchange.import_file(session, big, catalog=CATALOG)
    with (
        pytest.raises(exchange.ImportFileError, match="at most 20,971,520 bytes"),
        populated.session() as session,
    ):
        exchange.import_bytes(session, big.read_bytes(), file="huge.csv", catalog=CATALOG)
    assert populated.counts() == before


def test_one_bad_line_at_the_end_of_a_long_file_imports_nothing_at_all(populated: Database) -> None:
    lines = [f"2027-q1,Team {n // 40},R{n % 40 // 10 + 1:03d},manager,{FULL[n % 10]},3" for n in range(2000)]
    before = populated.counts()
    error = _import(populated, "long.csv", csv_file(*lines, f"2027-q1,Team 0,R001,manager,{FULL[20]},0"))
    assert error.errors == [f"line {len(lines) + 2}, column value: '0' is not a level 1–5 or dont_know"]
    assert populated.counts() == before


def test_every_problem_is_listed_not_just_the_first(populated: Database) -> None:
    error = _import(
        populated,
        "many.csv",
        csv_file(f"q,T,R001,leader,{FULL[0]},9", "q,T,R001,leader,nope.item,3", f"q,T,R002,ceo,{FULL[0]},3"),
    )
    assert [e.split(":")[0] for e in error.errors] == [
        "line 2, column value",
        "line 3, column item_id",
        "line 4, column role",
    ]


def test_a_file_contradicting_the_database_is_refused(populated: Database) -> None:
    """The assessment exists on the full form; a file claiming it is a pulse, or a changed role, is refused."""
    before = populated.counts()
    pulse = csv_file(f"2026-q4,Finance Close,R001,contributor,{PULSE[0]},3", header=HEADER + ",form").replace(
        b",3\n", b",3,pulse\n"
    )
    error = _import(populated, "pulse.csv", pulse)
    assert "the database holds it with form 'full', the file says 'pulse'" in str(error)
    error = _import(populated, "role.csv", csv_file(f"2026-q4,Finance Close,R001,leader,{FULL[0]},3"))
    assert "respondent 'R001' is a contributor in the database, a leader in the file" in str(error)
    assert populated.counts() == before


def test_a_failure_while_writing_rolls_back_the_whole_import(
    populated: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation passed, then the database failed half-way: the unit of work leaves nothing behind."""
    calls = {"n": 0}
    original = repo.create_assessment

    def failing(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(repo, "create_assessment", failing)
    lines = [f"2027-q1,Team {n // 10},R001,manager,{FULL[n % 10]},3" for n in range(30)]
    before = populated.counts()
    with pytest.raises(RuntimeError, match="disk full"), populated.session() as session:
        exchange.import_bytes(session, csv_file(*lines), file="three-teams.csv", catalog=CATALOG)
    assert calls["n"] == 2
    assert populated.counts() == before


def test_a_byte_order_mark_and_formula_neutralised_names_are_accepted(populated: Database) -> None:
    data = "\ufeff".encode() + csv_file(f'q1,\'=HYPERLINK("x"),R001,leader,{FULL[0]},dont_know')
    with populated.session() as session:
        summary = exchange.import_bytes(session, data, file="excel.csv", catalog=CATALOG)
        assert repo.find_team(session, name='=HYPERLINK("x")') is not None
    assert summary.assessments_created == 1 and summary.answers_written == 1


def test_import_summary_says_what_happened(populated: Database) -> None:
    with populated.session() as session:
        summary = exchange.import_bytes(session, csv_file(*good_lines()), file="first.csv", catalog=CATALOG)
    assert summary.describe().startswith("first.csv: 0 assessments created, 1 already there; 0 respondents")
