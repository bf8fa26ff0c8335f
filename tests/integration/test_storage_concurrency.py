"""Nothing entered is lost: many people saving at once, and a process dying between two answers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from storage import repository as repo
from tests.integration.storage_support import QUESTIONNAIRE, Database, database, open_database

__all__ = ["database"]

ROOT = Path(__file__).resolve().parents[2]
THREADS = 50
ANSWERS_PER_THREAD = 40


def _new_assessment(db: Database) -> int:
    questionnaire = QUESTIONNAIRE
    with db.session() as session:
        team = repo.create_team(session, name="Service Desk North")
        assessment = repo.create_assessment(
            session,
            team_id=team.id,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            form="full",
            mode="individual",
            k=3,
        )
        return assessment.id


def test_fifty_people_saving_forty_answers_at_once_lose_nothing(database: Database) -> None:
    """50 threads × 40 answers, half of the threads overwriting a partner's items: every last write wins."""
    items = [item.id for item in QUESTIONNAIRE.items_for("full")][:20]
    assessment_id = _new_assessment(database)
    respondent_ids: list[int] = []
    with database.session() as session:
        for _ in range(THREADS // 2):
            respondent, _ = repo.create_respondent(session, assessment_id=assessment_id, role="contributor")
            respondent_ids.append(respondent.id)
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        # threads 2n and 2n+1 answer for the same respondent: the even one writes first, then both
        # pass the barrier and the odd one overwrites the first ten items while the even one writes the rest
        respondent_id = respondent_ids[index // 2]
        first = index % 2 == 0
        try:
            if first:
                for item_id in items:  # 20 answers
                    with database.session() as session:
                        repo.save_answer(session, respondent_id=respondent_id, item_id=item_id, value=1)
            barrier.wait(timeout=120)
            mine = items[10:] if first else items[:10]
            value = 2 if first else 5
            for repeat in range(ANSWERS_PER_THREAD - (20 if first else 0)):
                item_id = mine[repeat % len(mine)]
                with database.session() as session:
                    repo.save_answer(session, respondent_id=respondent_id, item_id=item_id, value=value)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert database.counts()["answers"] == len(respondent_ids) * len(items)  # one row per respondent and item
    with database.session(read_only=True) as session:
        for respondent_id in respondent_ids:
            answers = repo.get_answers(session, respondent_id=respondent_id)
            assert answers == {item: (5 if position < 10 else 2) for position, item in enumerate(items)}


def test_thirty_people_joining_a_workshop_at_once_get_distinct_pseudonyms(database: Database) -> None:
    """Everyone presses "join" in the same second: nobody fails, nobody shares a pseudonym or a token."""
    items = [item.id for item in QUESTIONNAIRE.items_for("pulse")][:5]
    assessment_id = _new_assessment(database)
    barrier = threading.Barrier(30)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def join() -> None:
        try:
            barrier.wait(timeout=60)
            with database.session() as session:
                respondent, token = repo.create_respondent(
                    session, assessment_id=assessment_id, role="contributor"
                )
                respondent_id = respondent.id
            tokens.append(token)
            for item_id in items:
                with database.session() as session:
                    repo.save_answer(session, respondent_id=respondent_id, item_id=item_id, value=4)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=join) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with database.session(read_only=True) as session:
        names = sorted(r.external_id for r in repo.list_respondents(session, assessment_id=assessment_id))
        assert all(repo.find_respondent_by_token(session, token=token) for token in tokens)
    assert names == [f"R{n:03d}" for n in range(1, 31)]
    assert len(set(tokens)) == 30
    assert database.counts()["answers"] == 30 * len(items)


CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    from storage.engine import make_engine, make_session_factory, unit_of_work
    from storage import repository as repo

    sessions = make_session_factory(make_engine({url!r}))
    respondent_id, pause_after, items = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    for position, item_id in enumerate(items):
        if position == pause_after:
            print("thinking", flush=True)  # the respondent reads the next question...
            time.sleep(60)
        with unit_of_work(sessions) as session:
            repo.save_answer(session, respondent_id=respondent_id, item_id=item_id, value=position % 5 + 1)
        print("saved", item_id, flush=True)
    """
)


def test_answers_survive_the_process_being_killed_between_two_answers(
    database: Database, tmp_path: Path
) -> None:
    """A server killed (SIGKILL: no cleanup, no commit hooks) loses none of the answers it confirmed."""
    items = [item.id for item in QUESTIONNAIRE.items_for("full")][:6]
    assessment_id = _new_assessment(database)
    with database.session() as session:
        respondent, token = repo.create_respondent(session, assessment_id=assessment_id, role="leader")
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), url=database.url), encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, str(script), str(respondent.id), "4", *items],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    confirmed: list[str] = []
    deadline = time.monotonic() + 60
    try:
        assert child.stdout is not None
        while time.monotonic() < deadline:
            line = child.stdout.readline().split()
            if not line or line[0] == "thinking":
                break
            confirmed.append(line[1])
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert confirmed == items[:4]  # killed between the 4th and the 5th answer

    # a fresh engine, as after a restart; the resume token finds the respondent and their answers
    restarted = open_database(database.url)
    try:
        with restarted.session(read_only=True) as session:
            found = repo.find_respondent_by_token(session, token=token)
            assert found is not None and found.id == respondent.id
            answers = repo.get_answers(session, respondent_id=found.id)
        assert answers == {item_id: position % 5 + 1 for position, item_id in enumerate(items[:4])}
    finally:
        restarted.engine.dispose()
