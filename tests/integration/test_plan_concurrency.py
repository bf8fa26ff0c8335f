"""Concurrent edits of one action plan never fail and never lose, double or misnumber an action.

Teammates move actions while others add and remove them, on a real SQLite file and a real PostgreSQL:
every plan write locks the assessment first, so the writes take turns.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from services import assessment as journey
from services.context import AppContext, make_context

PAIRS = 30


@pytest.fixture
def ctx(db_url: str) -> Iterator[AppContext]:
    context = make_context(db_url)
    yield context
    context.database.dispose()


def run_together(tasks: list[Callable[[], object]]) -> list[BaseException]:
    """Run the tasks on 10 threads, started together; the exceptions they raised."""
    start = threading.Barrier(10)
    started = threading.local()

    def run(task: Callable[[], object]) -> BaseException | None:
        if not getattr(started, "done", False):
            started.done = True
            start.wait()
        try:
            task()
        except BaseException as error:  # collected and checked by the test
            return error
        return None

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(run, tasks))
    return [error for error in results if error is not None]


def test_moving_and_adding_actions_at_once_never_fails_and_keeps_every_action_once(ctx: AppContext) -> None:
    started = journey.start_assessment(
        ctx, team_name="Support", mode="consensus", form="pulse", role="leader"
    )
    token = started.token
    seeded = [journey.add_custom_action(ctx, token, title=f"seeded {index}").id for index in range(3)]

    def move(index: int) -> Callable[[], object]:
        return lambda: journey.move_action(ctx, token, seeded[index % len(seeded)], 1 if index % 2 else -1)

    def add(index: int) -> Callable[[], object]:
        return lambda: journey.add_custom_action(ctx, token, title=f"added {index}")

    tasks = [task for index in range(PAIRS) for task in (move(index), add(index))]
    errors = run_together(tasks)
    assert errors == [], errors

    plan = journey.action_plan(ctx, token).actions
    titles = [action.title for action in plan]
    assert sorted(titles) == sorted([f"seeded {i}" for i in range(3)] + [f"added {i}" for i in range(PAIRS)])
    assert [action.position for action in plan] == list(range(len(plan)))


def test_removing_moving_and_adding_at_once_never_fails(ctx: AppContext) -> None:
    started = journey.start_assessment(ctx, team_name="Claims", mode="consensus", form="pulse", role="leader")
    token = started.token
    doomed = [journey.add_custom_action(ctx, token, title=f"doomed {index}").id for index in range(10)]
    kept = journey.add_custom_action(ctx, token, title="kept").id

    tasks: list[Callable[[], object]] = []
    for index in range(10):
        tasks.append(lambda index=index: journey.remove_action(ctx, token, doomed[index]))
        tasks.append(lambda index=index: journey.move_action(ctx, token, kept, -1 if index % 2 else 1))
        tasks.append(lambda index=index: journey.add_custom_action(ctx, token, title=f"new {index}"))
    errors = run_together(tasks)
    assert errors == [], errors

    plan = journey.action_plan(ctx, token).actions
    assert sorted(action.title for action in plan) == sorted(["kept", *[f"new {i}" for i in range(10)]])
    assert [action.position for action in plan] == list(range(len(plan)))
