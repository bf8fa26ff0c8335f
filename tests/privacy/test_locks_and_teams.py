"""Attacks 3 and 4 of issue 12, played through the services on real databases.

3. A workshop participant's resume token used on the self-assessment side: it opens nothing there, so no
   locked answer can be changed and no live or unrevealed team result can be read; and storage itself
   refuses an answer to a locked or revealed dimension, whatever sends it.
4. A consensus assessment started under an existing team's name: refused without that team's invitation
   link or the leader passcode, and a consensus result is marked as such in the leader view.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services import assessment as journey
from services import leader
from services import workshop as live
from services.context import AccessError, AppContext, InputError, make_context
from storage import repository as repo


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.database.dispose()


def test_a_participant_token_opens_nothing_outside_the_workshop(ctx: AppContext) -> None:
    created = live.create_workshop(ctx, name="Room", team_names=["Support"], form="pulse", k=3)
    questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
    items = [item.id for item in live.dimension_items(questionnaire, "pulse", "permission")]
    tokens = []
    for number, level in enumerate((2, 3, 4)):
        token = live.join_workshop(ctx, code=created.code, role="contributor", client_key=f"p{number}").token
        tokens.append(token)
        for item in items:
            live.save_answer(ctx, token, item, level)
    revealed = live.reveal_dimension(ctx, created.facilitator_token, "permission")
    attacker = tokens[0]
    for attempt in (
        lambda: journey.save_answer(ctx, attacker, items[0], 5),
        lambda: journey.results(ctx, attacker),
        lambda: journey.team_report_pdf(ctx, attacker),
        lambda: journey.plan_csv(ctx, attacker),
    ):
        with pytest.raises(AccessError, match="workshop link"):
            attempt()
    # whatever sends it, storage refuses an answer to the revealed (locked) dimension
    with ctx.write() as session:
        respondent = repo.find_respondent_by_token(session, token=attacker)
        assert respondent is not None
        with pytest.raises(repo.LockedDimensionError):
            repo.save_answer(session, respondent_id=respondent.id, item_id=items[0], value=5)
    assert live.revealed_dimensions(ctx, created.workshop_id)[0].result == revealed.result
    assert live.participant(ctx, attacker).answers[items[0]] == 2


def test_nobody_can_take_over_a_teams_results_with_a_consensus_assessment(ctx: AppContext) -> None:
    lead = journey.start_assessment(ctx, team_name="Claims", mode="individual", form="pulse", role="leader")
    assert lead.share_code
    with pytest.raises(InputError) as caught:
        journey.start_assessment(ctx, team_name="claims ", mode="consensus", form="pulse", role="manager")
    assert "already exists" in caught.value.errors["team"]
    agreed = journey.start_assessment(
        ctx, team_name="Claims", mode="consensus", form="pulse", role="manager", share_code=lead.share_code
    )
    for item in ctx.questionnaire(agreed.questionnaire_id).items_for("pulse"):
        journey.save_answer(ctx, agreed.token, item.id, 4)
    view = leader.leader_view(ctx)
    (claims,) = [result for result in view.latest if result.team == "Claims"]
    assert claims.mode == "consensus"
    rows = leader.export_results(ctx, view, "csv").decode("utf-8").splitlines()
    assert "mode" in rows[0] and all(",consensus," in row for row in rows[1:] if row.startswith("Claims"))
