"""AppTest: the leader view behind its passcode; a group under k shows no numbers there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from services import workshop as live
from services.context import InputError
from settings import get_settings
from storage.engine import make_engine
from storage.migrations import current_revision, head_revision
from tests.app.conftest import APP, TIMEOUT, AppDatabase, PageOpener, _reset_caches
from tests.app.test_workshop_pages import texts

PASSCODE = "correct horse battery staple"


@pytest.fixture
def passcode(monkeypatch: pytest.MonkeyPatch, app_db: AppDatabase) -> str:
    """The leader passcode, configured through ``LAYERWISE_ADMIN_PASSCODE``."""
    monkeypatch.setenv("LAYERWISE_ADMIN_PASSCODE", PASSCODE)
    get_settings.cache_clear()
    return PASSCODE


def team(app_db: AppDatabase, name: str, levels: tuple[int, ...]) -> None:
    """A team whose workshop participants each answered every pulse item at one level."""
    created = live.create_workshop(app_db.ctx, name=f"{name} workshop", team_names=[name], form="pulse")
    questionnaire = live.workshop_questionnaire(app_db.ctx, created.workshop_id)
    for index, level in enumerate(levels):
        role = "leader" if index == 0 else "contributor"
        token = live.join_workshop(
            app_db.ctx, code=created.code, role=role, client_key=f"{name}{index}"
        ).token
        for item in questionnaire.items_for("pulse"):
            live.save_answer(app_db.ctx, token, item.id, level)


def heatmap_table(at: AppTest):  # type: ignore[no-untyped-def]
    """The "Teams at a glance" numbers: the first table with a "Team" header (the structure editor and the
    targets table, before it on the page, name their columns in lower case)."""
    return next(frame.value for frame in at.dataframe if "Team" in frame.value.columns)


def enter(at: AppTest, passcode: str) -> AppTest:
    at.text_input[0].input(passcode)
    next(b for b in at.button if b.label == "Open").click()
    return at.run()


def test_a_wrong_passcode_sees_nothing(app_db: AppDatabase, open_page: PageOpener, passcode: str) -> None:
    team(app_db, "Support", (2, 3, 4))
    at = open_page("pages/leader.py")
    assert not at.tabs and "Support" not in texts(at)
    for wrong in ("", "correct horse", passcode.upper()):
        enter(at, wrong)
        assert not at.exception
        assert "That is not the leader passcode." in texts(at)
        assert not at.tabs and not at.get("vega_lite_chart") and not at.get("download_button")
        assert "Support" not in texts(at)


def test_the_right_passcode_opens_every_team_side_by_side(
    app_db: AppDatabase, open_page: PageOpener, passcode: str
) -> None:
    team(app_db, "Support", (2, 3, 4))
    team(app_db, "Claims", (4, 4, 5))
    at = enter(open_page("pages/leader.py"), passcode)
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [
        "Units",
        "Teams at a glance",
        "Targets and last round",
        "Benchmarks",
        "Trend",
        "Perception gaps",
        "Divided and don't know",
        "Downloads",
    ]
    # heatmap, trend, gaps: fewer than 5 peers and no imported pack, so no benchmark chart (none is shipped)
    assert len(at.get("vega_lite_chart")) == 3
    # each shown by ui.chart (which picks the phone layout on a phone): its own size, marks hidden from screen
    # readers (the summary under it says what it shows)
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        assert spec["autosize"] == {"type": "pad"} and spec["config"]["mark"] == {"aria": False}, spec.get(
            "title"
        )
    # each chart in words (no workshop revealed anything yet, so no team has a level)
    in_words = [m.value for m in at.markdown if m.value.startswith("**In words:**")]
    assert len(in_words) == 3 and "None of the 2 teams has a level" in in_words[0], in_words
    assert "No measured benchmark pack imported" in texts(at)
    heatmap = heatmap_table(at)
    assert set(heatmap["Team"]) == {"Support", "Claims"}
    assert "2 teams, latest assessment each." in texts(at)
    assert "Raw pseudonymised answers are the administrator's data export" in texts(at)
    # filter by team
    at.multiselect[0].set_value(["Claims"]).run()
    assert set(heatmap_table(at)["Team"]) == {"Claims"}


def test_a_group_of_two_shows_no_numbers_on_the_leader_page(
    app_db: AppDatabase, open_page: PageOpener, passcode: str
) -> None:
    team(app_db, "Tiny", (5, 4))
    at = enter(open_page("pages/leader.py"), passcode)
    assert not at.exception
    assert "1 team has fewer responses than their anonymity threshold and show no numbers." in texts(at)
    for frame in (element.value for element in at.dataframe):
        for column in ("Score", "Gated level", "Index", "Percentile", "Leader mean", "Others mean", "Gap"):
            if column in frame:
                assert (frame[column].isna() | (frame[column] == "–")).all(), (column, frame)
    assert not re.search(r"\b4\.5\b|\b87\.5\b", texts(at))


def test_the_generated_passcode_is_logged_once_and_opens_the_page(
    app_db: AppDatabase,
    open_page: PageOpener,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LAYERWISE_ADMIN_PASSCODE", raising=False)
    get_settings.cache_clear()
    with caplog.at_level("WARNING", logger="layerwise.leader"):
        at = open_page("pages/leader.py")
    found = re.search(r"only its hash is stored\): (\S+)", caplog.text)
    assert found, caplog.text
    assert caplog.text.count("generated the leader passcode") == 1
    enter(at, found.group(1))
    assert "No team has answers in this selection yet." in texts(at)


def test_a_new_servers_home_page_leaves_the_database_alone_and_the_leader_page_sets_it_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The home page is a new server's first page: it neither creates nor migrates the database nor makes
    the leader passcode (first_paint_s); the first page that uses the database does all of it, once."""
    database = tmp_path / "new.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.delenv("LAYERWISE_ADMIN_PASSCODE", raising=False)
    _reset_caches()
    try:
        with caplog.at_level("WARNING", logger="layerwise.leader"):
            at = AppTest.from_file(str(APP), default_timeout=TIMEOUT).run()
            assert not at.exception
            assert "Three ways in" in texts(at)
            assert not database.exists()
            assert "generated the leader passcode" not in caplog.text

            at.switch_page("pages/leader.py").run()
            assert not at.exception
            engine = make_engine(f"sqlite:///{database}")
            try:
                assert current_revision(engine) == head_revision()
            finally:
                engine.dispose()
            found = re.search(r"only its hash is stored\): (\S+)", caplog.text)
            assert found, caplog.text
            enter(at, found.group(1))
            assert "No team has answers in this selection yet." in texts(at)
            AppTest.from_file(str(APP), default_timeout=TIMEOUT).run().switch_page("pages/start.py").run()
        assert caplog.text.count("generated the leader passcode") == 1
    finally:
        _reset_caches()


def test_the_leader_view_can_be_locked_again(
    app_db: AppDatabase, open_page: PageOpener, passcode: str
) -> None:
    team(app_db, "Support", (2, 3, 4))
    at = enter(open_page("pages/leader.py"), passcode)
    next(b for b in at.sidebar.button if b.label == "Lock the leader view").click()
    at.run()
    assert not at.tabs and "Leader passcode" in [field.label for field in at.text_input]


def test_the_organisation_name_is_saved_on_the_leader_page_and_printed_on_its_report(
    app_db: AppDatabase, open_page: PageOpener, passcode: str
) -> None:
    from services import leader
    from tests.integration.pdf_support import all_text

    team(app_db, "Support", (2, 3, 4))
    at = enter(open_page("pages/leader.py"), passcode)
    at.text_input(key="leader.organisation").input("Acme Insurance & Co")
    next(b for b in at.button if b.label == "Save name").click()
    at.run()
    assert not at.exception
    assert "Saved: the organisation report carries the new name." in texts(at)
    assert leader.organisation_name(app_db.ctx) == "Acme Insurance & Co"
    text = all_text(leader.org_pdf(app_db.ctx, leader.leader_view(app_db.ctx)))
    assert "AI human-system report: Acme Insurance & Co" in text
    assert "Organisation: Organisation" not in text
    # too long: a clear error naming the field, the stored name unchanged
    with pytest.raises(InputError, match="organisation: at most 120 characters, not 121"):
        leader.set_organisation_name(app_db.ctx, "x" * 121)
    assert leader.organisation_name(app_db.ctx) == "Acme Insurance & Co"
