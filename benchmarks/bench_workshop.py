"""One refresh of the facilitator's live panel with 60 participants × the full questionnaire in the database.

A workshop on the full form is created through the services, 60 participants join with its code and each
answers all of its items (2,100 answers, 5 % "don't know"), on a fresh SQLite file, the app's default.

``workshop_refresh_ms`` is the median of a whole rerun of the Facilitate page through AppTest, which is a
superset of what the panel's timed refresh (a fragment every 3 s) does: the fragment reads the counts and
draws the metrics, progress bars and controls; the whole page also checks the token, draws the join code and
the QR code. ``workshop_panel_query_ms`` is the data of one refresh alone (``services.workshop.live_panel``:
the counts from the database, no rendering), reported for comparison. The PostgreSQL figure, where the
server is reachable, is the same query against PostgreSQL.
"""

from __future__ import annotations

import random
from pathlib import Path

from benchmarks.bench_autosave import postgres_url
from benchmarks.harness import Config, Figure, app_database, below, not_run, report_only, time_rounds
from services import workshop as live
from services.context import AppContext, make_context
from storage import repository as repo

ROOT = Path(__file__).resolve().parent.parent
PARTICIPANTS = 60
ROLES = ("leader", "manager", "contributor", "contributor", "contributor")


def fill_workshop(ctx: AppContext, participants: int = PARTICIPANTS, seed: int = 11) -> live.CreatedWorkshop:
    """A full-form workshop in which ``participants`` people joined and answered every item."""
    rng = random.Random(seed)
    created = live.create_workshop(ctx, name="Benchmark workshop", team_names=["Support"], form="full")
    questionnaire = live.workshop_questionnaire(ctx, created.workshop_id)
    items = [item.id for item in questionnaire.items_for("full")]
    for person in range(participants):
        token = live.join_workshop(
            ctx, code=created.code, role=ROLES[person % len(ROLES)], client_key=f"bench-{person}"
        ).token
        base = rng.randint(1, 5)
        # One transaction per participant through the storage layer (the app saves one answer per click;
        # 2,100 single-answer transactions would only make the set-up slow, not the refresh).
        with ctx.write() as session:
            respondent = repo.find_respondent_by_token(session, token=token)
            assert respondent is not None
            for item_id in items:
                value = None if rng.random() < 0.05 else min(5, max(1, base + rng.randint(-1, 1)))
                repo.save_answer(session, respondent_id=respondent.id, item_id=item_id, value=value)
    return created


def _query_timing(ctx: AppContext, workshop_id: int, rounds: int) -> tuple[float, str, int]:
    timing = time_rounds(lambda: live.live_panel(ctx, workshop_id), rounds=rounds, warmup=2)
    panel = live.live_panel(ctx, workshop_id)
    answers = sum(dimension.answers for dimension in panel.dimensions)
    return timing.median * 1000, timing.spread(1000, 1), answers


def run(config: Config) -> list[Figure]:
    """Median ms of a facilitator refresh (whole page via AppTest) and of the panel's query alone."""
    from streamlit.testing.v1 import AppTest

    rounds = config.pick(15, 5)
    figures: list[Figure] = []
    with app_database("workshop.db") as url:
        ctx = make_context(url)
        try:
            created = fill_workshop(ctx)
            query_ms, query_spread, answers = _query_timing(ctx, created.workshop_id, rounds)
            app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            app.run()
            app.query_params.update({"token": created.facilitator_token})
            app.switch_page("pages/facilitate.py")
            app.run()
            if app.exception:
                raise RuntimeError(f"the Facilitate page failed: {app.exception[0].value}")
            shown = [str(metric.value) for metric in app.metric]
            if str(PARTICIPANTS) not in shown:
                raise RuntimeError(f"the page does not show {PARTICIPANTS} people joined (metrics: {shown})")
            page = time_rounds(lambda: app.run(), rounds=rounds, warmup=2)
            # the room screen on the dimension being answered (its live counts), then on the revealed result
            live.step_room(ctx, created.facilitator_token, 1)
            room = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            room.run()
            room.query_params.update({"code": created.code})
            room.switch_page("pages/room.py")
            room.run()
            if room.exception:
                raise RuntimeError(f"the room screen failed: {room.exception[0].value}")
            answering = time_rounds(lambda: room.run(), rounds=rounds, warmup=2)
            live.reveal_dimension(
                ctx,
                created.facilitator_token,
                live.live_panel(ctx, created.workshop_id).current_dimension or "",
            )
            room.run()
            revealed = time_rounds(lambda: room.run(), rounds=rounds, warmup=2)
            phone_token = live.join_workshop(
                ctx, code=created.code, role="contributor", client_key="bench-phone"
            ).token
            phone = time_rounds(lambda: live.room_state(ctx, phone_token), rounds=rounds, warmup=2)
        finally:
            ctx.database.dispose()
    figures.append(
        below(
            "workshop_refresh_ms",
            round(page.median * 1000, 1),
            "ms",
            150,
            f"whole Facilitate page rerun, {PARTICIPANTS} people, {answers} answers (SQLite); "
            f"min–max {page.spread(1000, 1)} ms",
        )
    )
    figures.append(
        below(
            "room_refresh_ms",
            round(max(answering.median, revealed.median) * 1000, 1),
            "ms",
            150,
            f"whole room screen rerun, {PARTICIPANTS} people (SQLite), the slower of: a dimension being answered "
            f"{round(answering.median * 1000, 1)} ms (min–max {answering.spread(1000, 1)}), its revealed result "
            f"{round(revealed.median * 1000, 1)} ms (min–max {revealed.spread(1000, 1)})",
        )
    )
    figures.append(
        report_only(
            "phone_room_state_ms",
            round(phone.median * 1000, 1),
            "ms",
            f"one phone's 3-second poll (services.workshop.room_state: where the room is, with counts), "
            f"{PARTICIPANTS} people (SQLite); min–max {phone.spread(1000, 1)} ms",
        )
    )
    figures.append(
        report_only(
            "workshop_panel_query_ms",
            round(query_ms, 1),
            "ms",
            f"live_panel alone (SQLite); min–max {query_spread} ms",
        )
    )
    figures.append(_postgres_query(config, rounds))
    return figures


def _postgres_query(config: Config, rounds: int) -> Figure:
    """The panel's query against PostgreSQL, where it is reachable."""
    if not config.postgres_url:
        return not_run("workshop_panel_query_ms_postgres", "ms", "reported", "no PostgreSQL URL")
    try:
        with postgres_url(config.postgres_url) as url:
            ctx = make_context(url)
            try:
                created = fill_workshop(ctx)
                query_ms, spread, _ = _query_timing(ctx, created.workshop_id, rounds)
            finally:
                ctx.database.dispose()
    except Exception as exc:  # PostgreSQL not reachable here
        return not_run(
            "workshop_panel_query_ms_postgres", "ms", "reported", f"{type(exc).__name__}: {exc}"[:120]
        )
    return report_only(
        "workshop_panel_query_ms_postgres", round(query_ms, 1), "ms", f"live_panel alone; min–max {spread} ms"
    )
