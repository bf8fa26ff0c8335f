"""The leader view's services and the admin passcode, on real databases; and what leaves the app for a group
under k (leader exports, organisation and team PDFs, the workshop PDF): no numbers anywhere."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from questionnaires.loader import Catalog
from services import leader
from services import workshop as live
from services.context import AppContext, InputError, make_context
from storage.models import AppSetting

#: What a leak of the two answer sets below would print: dimension scores 4.25, the overall index 81.2/81.3.
LEAKED_NUMBERS = ("4.25", "81.2", "81.3")


@pytest.fixture
def sqlite_ctx(sqlite_url: str, catalog: Catalog) -> Iterator[AppContext]:
    """A services context on a fresh SQLite file (for the slower report checks)."""
    context = make_context(sqlite_url, catalog=catalog)
    yield context
    context.database.dispose()


def workshop_of_two(ctx: AppContext) -> live.CreatedWorkshop:
    """A pulse workshop where only two people answered (k = 3): one gives 5 and 4 per dimension, one 4 and 4."""
    created = live.create_workshop(ctx, name="Small room", team_names=["Tiny team"], form="pulse", k=3)
    questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
    for first in (5, 4):
        token = live.join_workshop(ctx, code=created.code, role="contributor", client_key=f"p{first}").token
        for dimension in questionnaire.dimensions:
            for position, item in enumerate(dimension.pulse_items):
                live.save_answer(ctx, token, item.id, first if position == 0 else 4)
    return created


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


# --- the passcode -----------------------------------------------------------------------------------------


def test_a_passcode_hash_round_trips_and_is_salted() -> None:
    first, second = leader.hash_passcode("open sesame"), leader.hash_passcode("open sesame")
    assert first != second and first.startswith("scrypt$")
    assert leader.passcode_matches("open sesame", first)
    assert not leader.passcode_matches("open sesame!", first)
    assert not leader.passcode_matches("open sesame", "not-a-hash")


def test_without_a_configured_passcode_one_is_generated_once_and_only_its_hash_is_stored(
    ctx: AppContext, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="layerwise.leader"):
        passcode = leader.ensure_admin_passcode(ctx, None)
    assert passcode and len(passcode) >= 16
    assert passcode in caplog.text
    assert leader.ensure_admin_passcode(ctx, None) is None
    with ctx.read() as session:
        values = list(session.execute(select(AppSetting.value)).scalars())
    assert all(passcode not in value for value in values)
    assert leader.check_passcode(ctx, passcode, configured=None, client_key="me")
    assert not leader.check_passcode(ctx, passcode.upper() + "x", configured=None, client_key="me")


def test_two_servers_starting_at_once_generate_one_passcode(db_url: str, catalog: Catalog) -> None:
    contexts = [make_context(db_url, catalog=catalog) for _ in range(4)]
    results: list[str | None] = []
    barrier = threading.Barrier(len(contexts))

    def start(server: AppContext) -> None:
        barrier.wait()
        results.append(leader.ensure_admin_passcode(server, None))

    threads = [threading.Thread(target=start, args=(server,)) for server in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        generated = [passcode for passcode in results if passcode]
        assert len(generated) == 1
        assert leader.check_passcode(contexts[2], generated[0], configured=None, client_key="me")
    finally:
        for server in contexts:
            server.database.dispose()


def test_a_configured_passcode_wins_and_nothing_is_generated(ctx: AppContext) -> None:
    assert leader.ensure_admin_passcode(ctx, "from-the-environment") is None
    with ctx.read() as session:
        assert session.get(AppSetting, leader.PASSCODE_SETTING) is None
    assert leader.check_passcode(
        ctx, "from-the-environment", configured="from-the-environment", client_key="me"
    )
    assert not leader.check_passcode(
        ctx, "from-the-environment ", configured="from-the-environment", client_key="me"
    )
    assert not leader.check_passcode(ctx, "", configured="from-the-environment", client_key="me")


def test_wrong_passcodes_are_slowed_down(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "clock", lambda: 5_000_000.0)
    for _ in range(leader.PASSCODE_PER_CLIENT.free_failures):
        assert not leader.check_passcode(ctx, "guess", configured="right", client_key="guesser")
    with pytest.raises(live.ThrottledError, match="wrong passcodes"):
        leader.check_passcode(ctx, "right", configured="right", client_key="guesser")
    assert leader.check_passcode(ctx, "right", configured="right", client_key="someone-else")


# --- the leader view --------------------------------------------------------------------------------------


def test_the_leader_view_scores_each_teams_latest_assessment_and_filters(ctx: AppContext) -> None:
    for team, levels in (("Support", (2, 3, 4)), ("Claims", (4, 4, 5))):
        created = live.create_workshop(ctx, name=f"{team} workshop", team_names=[team], form="pulse")
        questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
        for index, level in enumerate(levels):
            role = "leader" if index == 0 else "contributor"
            token = live.join_workshop(ctx, code=created.code, role=role, client_key=f"{team}{index}").token
            for item in questionnaire.items_for("pulse"):
                live.save_answer(ctx, token, item.id, level)
        # a workshop team's result is published by reveals and closing, never live
        assert leader.leader_view(ctx, teams=[team]).latest[0].suppressed
        live.close_workshop(ctx, created.facilitator_token)
    view = leader.leader_view(ctx)
    assert [result.team for result in view.latest] == ["Claims", "Support"]
    assert all(not result.suppressed for result in view.latest)
    assert view.latest[0].dimension("permission").score == pytest.approx(4.33, abs=0.01)
    assert len(view.rounds) == 1 and len(view.rounds[0][1]) == 2
    assert set(view.peers) == {"Claims", "Support"}
    assert all(c.percentile is None for c in view.peers["Claims"])  # fewer than 5 peers
    assert view.pack is None and view.pack_comparisons == {}  # no pack is shipped and none was imported
    only = leader.leader_view(ctx, teams=["Support"])
    assert [result.team for result in only.latest] == ["Support"]
    assert leader.leader_view(ctx, until=view.history[0].created.replace(year=2000)).empty
    with pytest.raises(InputError, match="after the end date"):
        leader.leader_view(
            ctx, since=view.history[0].created, until=view.history[0].created.replace(year=2000)
        )


def test_hotspots_count_teams_whose_item_is_divided(ctx: AppContext) -> None:
    created = live.create_workshop(ctx, name="W", team_names=["Split"], form="pulse")
    questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
    for index, level in enumerate((1, 5, 1, 5)):
        token = live.join_workshop(ctx, code=created.code, role="contributor", client_key=f"s{index}").token
        for item in questionnaire.items_for("pulse"):
            live.save_answer(ctx, token, item.id, level)
    live.close_workshop(ctx, created.facilitator_token)
    hotspots = leader.leader_view(ctx).hotspots
    assert hotspots and all(h.divided_teams == 1 and h.teams_with_numbers == 1 for h in hotspots)


# --- a group of 2 at k = 3: no numbers in anything a leader downloads ---------------------------------------


def test_a_group_of_two_has_no_numbers_in_the_leader_exports(ctx: AppContext) -> None:
    workshop_of_two(ctx)
    view = leader.leader_view(ctx)
    (result,) = view.latest
    assert result.suppressed and result.respondents == 2
    rows = list(csv.DictReader(io.StringIO(leader.export_results(ctx, view, "csv").decode("utf-8"))))
    assert rows and all(row["suppressed"] == "True" for row in rows)
    for row in rows:
        for column in (
            "score",
            "level",
            "gated_level",
            "gated_level_name",
            "consensus",
            "dont_know_rate",
            "index",
            "stage",
        ):
            assert row[column] == "", (column, row)
        assert "needs at least 3" in row["note"]
    document = json.loads(leader.export_results(ctx, view, "json"))
    for dimension in document["teams"][0]["dimensions"]:
        assert dimension["score"] is None and dimension["level"] is None
        assert all(item["distribution"] is None and item["mean"] is None for item in dimension["items"])
    sheet = load_workbook(io.BytesIO(leader.export_results(ctx, view, "xlsx")), read_only=True)["results"]
    values = [
        str(cell) for row in sheet.iter_rows(min_row=2, values_only=True) for cell in row if cell is not None
    ]
    assert not any(number in values for number in LEAKED_NUMBERS)
    assert all(number not in json.dumps(document) for number in LEAKED_NUMBERS)


def test_a_group_of_two_has_no_numbers_in_any_pdf(sqlite_ctx: AppContext) -> None:
    created = workshop_of_two(sqlite_ctx)
    workshop_text = pdf_text(live.workshop_pdf(sqlite_ctx, created.facilitator_token))
    assert "suppressed" in workshop_text and "2 joined" in workshop_text
    view = leader.leader_view(sqlite_ctx)
    org_text = pdf_text(leader.org_pdf(sqlite_ctx, view))
    assert "suppressed" in org_text
    import zipfile

    with zipfile.ZipFile(io.BytesIO(leader.team_pdfs_zip(sqlite_ctx, view))) as archive:
        team_texts = [pdf_text(archive.read(name)) for name in archive.namelist()]
    assert len(team_texts) == 1
    for text in (workshop_text, org_text, *team_texts):
        for number in LEAKED_NUMBERS:
            assert number not in text


def test_the_workshop_pdf_prints_the_frozen_reveal(sqlite_ctx: AppContext) -> None:
    created = live.create_workshop(sqlite_ctx, name="Room", team_names=["Team"], form="pulse")
    questionnaire = live.workshop_questionnaire(sqlite_ctx, created.workshop_id)
    tokens = [
        live.join_workshop(sqlite_ctx, code=created.code, role="contributor", client_key=str(i)).token
        for i in range(3)
    ]
    for token, level in zip(tokens, (2, 3, 4), strict=True):
        for item in questionnaire.items_for("pulse"):
            live.save_answer(sqlite_ctx, token, item.id, level)
    live.reveal_dimension(sqlite_ctx, created.facilitator_token, "permission")
    live.add_action(sqlite_ctx, created.facilitator_token, title="Write the one-page guide", owner="Ops")
    for item in questionnaire.items_for("pulse"):  # later answers elsewhere do not move the revealed result
        if not item.id.startswith("permission."):
            live.save_answer(sqlite_ctx, tokens[0], item.id, 5)
    _, result, joined, revealed = live.workshop_result(sqlite_ctx, created.workshop_id)
    assert revealed == ["permission"] and joined == 3
    assert result.dimension("permission").score == 3.0
    text = " ".join(pdf_text(live.workshop_pdf(sqlite_ctx, created.facilitator_token)).split())
    assert "Write the one-page guide" in text
    assert "Permission: score 3" in text
    assert "Not revealed in the workshop" in text
    assert "Definition —" not in text  # no item of an unrevealed dimension is listed as divided


def test_the_workshop_pdf_prints_each_teams_revealed_results_and_none_of_a_team_under_k(
    sqlite_ctx: AppContext,
) -> None:
    created = live.create_workshop(
        sqlite_ctx, name="Room", team_names=["Support", "Claims", "Legal"], form="pulse", k=3
    )
    questionnaire = live.workshop_questionnaire(sqlite_ctx, created.workshop_id)
    # Support answers 2 throughout, Claims 4, and Legal (two people: under k) 5
    for team, people, level in (("Support", 3, 2), ("Claims", 3, 4), ("Legal", 2, 5)):
        for person in range(people):
            token = live.join_workshop(
                sqlite_ctx, code=created.code, role="contributor", team=team, client_key=f"{team}{person}"
            ).token
            for item in questionnaire.items_for("pulse"):
                live.save_answer(sqlite_ctx, token, item.id, level)
    live.reveal_dimension(sqlite_ctx, created.facilitator_token, "permission")
    live.add_action(
        sqlite_ctx, created.facilitator_token, title="Write the guide", owner="Ops", team="Claims"
    )
    text = " ".join(pdf_text(live.workshop_pdf(sqlite_ctx, created.facilitator_token)).split())
    assert "Results by team" in text
    assert "Support 2.0 · 2 Emerging Claims 4.0 · 4 Managed Legal no numbers" in text
    assert "5.0" not in text  # Legal's own score, which nobody saw
    assert "Claims Write the guide Ops" in text  # the agreed action names its team
