"""A worst-case autosave burst: 200 concurrent participants each saving 30 answers as fast as they can.

Each participant answers 20 items and then changes its mind on 10 of them (overwrites), through the same
storage functions the app's services call (one unit of work per answer). Afterwards every participant's
stored answers are compared with its last write: ``autosave_lost`` counts answers missing or wrong.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from benchmarks.harness import Config, Figure, below, not_run, report_only
from questionnaires.loader import default_questionnaire
from storage import repository
from storage.engine import init_database, make_engine, make_session_factory, unit_of_work

PARTICIPANTS = 200
SAVES_EACH = 30
DISTINCT_ITEMS = 20


@contextmanager
def sqlite_url() -> Iterator[str]:
    """A fresh SQLite file in a temporary folder."""
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


@contextmanager
def postgres_url(admin_url: str) -> Iterator[str]:
    """A throwaway PostgreSQL database, dropped afterwards."""
    name = f"layerwise_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def burst(url: str, participants: int, saves_each: int) -> tuple[list[float], int, float]:
    """Run the burst; return per-save latencies (s), answers lost, and wall time (s)."""
    questionnaire = default_questionnaire()
    item_ids = [item.id for item in questionnaire.items_for("full")][:DISTINCT_ITEMS]
    engine = (
        make_engine(url, pool_size=20, max_overflow=40) if url.startswith("postgresql") else make_engine(url)
    )
    init_database(engine)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        team = repository.create_team(session, name="Benchmark team")
        assessment = repository.create_assessment(
            session,
            team_id=team.id,
            questionnaire_id=questionnaire.id,
            questionnaire_version=questionnaire.version,
            form="full",
            mode="individual",
            k=3,
        )
        respondent_ids = [
            repository.create_respondent(session, assessment_id=assessment.id, role="contributor")[0].id
            for _ in range(participants)
        ]
    latencies: list[float] = []
    expected: dict[int, dict[str, int | None]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(participants)

    def participant(respondent_id: int, seed: int) -> None:
        rng = random.Random(seed)
        plan = [(item_ids[i % DISTINCT_ITEMS], rng.choice([1, 2, 3, 4, 5, None])) for i in range(saves_each)]
        mine: dict[str, int | None] = {}
        own: list[float] = []
        start_gate.wait()
        for item_id, value in plan:
            began = time.perf_counter()
            try:
                with unit_of_work(factory) as session:
                    repository.save_answer(session, respondent_id=respondent_id, item_id=item_id, value=value)
            except Exception as exc:  # counted as lost below; the benchmark never hides an error
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            own.append(time.perf_counter() - began)
            mine[item_id] = value
        with lock:
            latencies.extend(own)
            expected[respondent_id] = mine

    threads = [threading.Thread(target=participant, args=(rid, n)) for n, rid in enumerate(respondent_ids)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    lost = len(errors)
    with unit_of_work(factory, read_only=True) as session:
        for respondent_id, answers in expected.items():
            stored = repository.get_answers(session, respondent_id=respondent_id)
            lost += sum(1 for item_id, value in answers.items() if stored.get(item_id, "missing") != value)
    engine.dispose()
    return latencies, lost, wall


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _figures(backend: str, latencies: list[float], lost: int, wall: float) -> list[Figure]:
    saves = len(latencies)
    return [
        below(
            f"autosave_p95_ms_{backend}",
            round(p95(latencies) * 1000, 1),
            "ms",
            200,
            f"median {statistics.median(latencies) * 1000:.1f} ms over {saves} saves",
        ),
        Figure(
            f"autosave_lost_{backend}", lost, "answers", "= 0", lost == 0, "lost or wrong after the burst"
        ),
        report_only(
            f"autosave_per_s_{backend}", round(saves / wall, 1), "saves/s", f"{saves} saves in {wall:.1f} s"
        ),
    ]


def run(config: Config) -> list[Figure]:
    """SQLite always; PostgreSQL where it is reachable."""
    participants = config.pick(PARTICIPANTS, 50)
    figures: list[Figure] = []
    with sqlite_url() as url:
        figures += _figures("sqlite", *burst(url, participants, SAVES_EACH))
    postgres = config.postgres_url
    try:
        with postgres_url(postgres) as url:  # type: ignore[arg-type]
            figures += _figures("postgres", *burst(url, participants, SAVES_EACH))
    except Exception as exc:
        figures.append(
            not_run("autosave_p95_ms_postgres", "ms", "< 200", f"PostgreSQL not reachable ({exc})")
        )
    total_lost = sum(int(f.value or 0) for f in figures if f.name.startswith("autosave_lost_"))
    figures.append(Figure("autosave_lost", total_lost, "answers", "= 0", total_lost == 0, "all backends"))
    figures.append(
        report_only(
            "autosave_per_s",
            next((f.value for f in figures if f.name == "autosave_per_s_sqlite"), None),
            "saves/s",
            "SQLite; PostgreSQL in its own row",
        )
    )
    return figures
