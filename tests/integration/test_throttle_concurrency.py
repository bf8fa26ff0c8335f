"""Parallel wrong attempts pass the throttle exactly as many times as attempts one after the other would.

Thirty browsers' worth of threads (one session key) try a wrong leader passcode, or a wrong join code, at the
same moment, on a real SQLite file and a real PostgreSQL. Checking and counting an attempt is one step with
the counter rows locked, so only the free attempts plus the one that starts the delay are compared; every
other attempt is told to wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest

from questionnaires.loader import Catalog, get_catalog
from services import leader
from services import workshop as live
from services.context import AccessError, AppContext, make_context

ATTEMPTS = 30


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    catalog: Catalog = get_catalog()
    context = make_context(db_url, catalog=catalog)
    yield context
    context.database.dispose()


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """No delay runs out while the threads run."""
    monkeypatch.setattr(live, "clock", lambda: 7_000_000.0)


def at_once(attempt: Callable[[], object]) -> list[object]:
    """Run ``attempt`` in ATTEMPTS threads released together; each one's result or exception."""
    start = threading.Barrier(ATTEMPTS)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        start.wait()
        try:
            outcome = attempt()
        except Exception as error:  # collected and checked by the test
            outcome = error
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_parallel_wrong_passcodes_are_compared_only_as_often_as_one_after_the_other(ctx: AppContext) -> None:
    outcomes = at_once(lambda: leader.check_passcode(ctx, "guess", configured="right", client_key="guesser"))
    compared = [outcome for outcome in outcomes if outcome is False]
    throttled = [outcome for outcome in outcomes if isinstance(outcome, live.ThrottledError)]
    allowed = leader.PASSCODE_PER_CLIENT.free_failures  # 3 of 30: the free ones, then everyone waits
    assert len(compared) == allowed, outcomes
    assert len(throttled) == ATTEMPTS - allowed, outcomes
    with pytest.raises(live.ThrottledError):
        leader.check_passcode(ctx, "right", configured="right", client_key="guesser")


def test_parallel_wrong_join_codes_are_looked_up_only_as_often_as_one_after_the_other(
    ctx: AppContext,
) -> None:
    outcomes = at_once(lambda: live.find_workshop(ctx, "ZZZZZZ", client_key="guesser"))
    wrong = [outcome for outcome in outcomes if type(outcome) is AccessError]
    throttled = [outcome for outcome in outcomes if isinstance(outcome, live.ThrottledError)]
    allowed = live.JOIN_PER_CLIENT.free_failures
    assert len(wrong) == allowed, outcomes
    assert len(throttled) == ATTEMPTS - allowed, outcomes


def test_a_right_attempt_is_not_counted_against_the_next_one(ctx: AppContext) -> None:
    created = live.create_workshop(ctx, name="Support, March", team_names=["Support"], form="pulse")
    for _ in range(live.JOIN_PER_CLIENT.free_failures - 1):
        with pytest.raises(AccessError):
            live.find_workshop(ctx, "ZZZZZZ", client_key="typo")
    for _ in range(5):  # e.g. the code looked up, then joining, then the room screen
        assert live.find_workshop(ctx, created.code, client_key="typo").code == created.code
    with pytest.raises(AccessError):  # the last free one: from now on every attempt waits
        live.find_workshop(ctx, "ZZZZZZ", client_key="typo")
    with pytest.raises(live.ThrottledError):
        live.find_workshop(ctx, created.code, client_key="typo")
