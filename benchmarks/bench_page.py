"""One rerun of the assessment page vs the same items built with the ``streamlit-survey`` package.

Both sides run through AppTest in this process: the Answers page of Layerwise on the full questionnaire's
largest dimension (one radio clicked, which saves the answer to a real SQLite file, then the rerun), and a
script that builds the same questions and level descriptions with ``streamlit_survey`` (one radio clicked,
then the rerun). streamlit-survey is the peer only: its licence adds the Commons Clause, so it is never an
app dependency. When it is not importable it is installed into ``benchmarks/.peer`` for this run alone.

What makes the comparison fair:

- the same items (every item of that dimension), each a radio of the five level descriptions plus
  "Don't know", with no choice made at first; the rerun is started the same way
  (``radio[0].set_value(…).run()``, a new value each round) after the same warm-up; both sides are
  checked to show that many radios with six options each, and our clicks are checked to have been saved;
- the rounds alternate between the two sides (and which goes first), and the ratio is the median of each
  round's ratio, so a load spike on this shared machine hits both sides of a ratio instead of only
  whichever side happened to run during it;
- scripts are compiled once, as on a server: Streamlit's runtime keeps one script cache per process (it
  is cleared only when a file changes), whereas AppTest makes a new one for every run and so recompiles
  ``app.py`` and the page on every rerun, which no user ever waits for. Both sides share one cache.

Our side keeps everything a user's rerun does: ``app.py`` (navigation, sidebar), the whole page (links,
progress, "why it matters", comment box, buttons) and the autosave to SQLite.
"""

from __future__ import annotations

import importlib
import itertools
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.harness import Config, Figure, Timing, app_database, at_most, not_run, report_only

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = Path(__file__).resolve().parent / ".peer"
PEER_PACKAGE = "streamlit-survey==1.1.0"
OPTIONS_PER_ITEM = 6  # five level descriptions and "Don't know"


def ensure_peer() -> str | None:
    """Make ``streamlit_survey`` importable (installing it into benchmarks/.peer); None or why it failed."""
    if str(PEER_DIR) not in sys.path and PEER_DIR.exists():
        sys.path.insert(0, str(PEER_DIR))
    try:
        importlib.import_module("streamlit_survey")
        return None
    except ImportError:
        pass
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(PEER_DIR), PEER_PACKAGE],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        return f"could not install {PEER_PACKAGE}: {done.stderr.strip()[-200:]}"
    if str(PEER_DIR) not in sys.path:
        sys.path.insert(0, str(PEER_DIR))
    importlib.invalidate_caches()
    importlib.import_module("streamlit_survey")
    return None


def _largest_step() -> tuple[int, list]:
    from questionnaires.loader import default_questionnaire
    from services import assessment as journey

    questionnaire = default_questionnaire()
    steps = journey.steps(questionnaire, "full")
    index = max(range(len(steps)), key=lambda i: len(steps[i][1]))
    return index + 1, steps[index][1]


def peer_script(items: list) -> str:
    """A streamlit-survey page with the same questions and level descriptions."""
    questions = [(item.id, item.question.strip(), [level.strip() for level in item.levels]) for item in items]
    return textwrap.dedent(
        f"""
        import streamlit_survey as ss
        QUESTIONS = {questions!r}
        survey = ss.StreamlitSurvey("Layerwise peer")
        for item_id, question, levels in QUESTIONS:
            survey.radio(question, options=[*levels, "Don't know"], index=None, id=item_id)
        """
    )


@contextmanager
def compiled_once() -> Iterator[bool]:
    """Let every AppTest run share one script cache, as a server's runtime does; yields whether it could.

    AppTest builds a new ``ScriptCache`` per run (``app_test`` for the pages, ``local_script_runner`` for
    the entry script); where that is no longer so, nothing is changed and this yields False.
    """
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    modules = [module for module in (app_test, local_script_runner) if hasattr(module, "ScriptCache")]
    if len(modules) != 2:
        yield False
        return
    shared = ScriptCache()
    for module in modules:
        module.ScriptCache = lambda: shared  # type: ignore[attr-defined]
    try:
        yield True
    finally:
        for module in modules:
            module.ScriptCache = ScriptCache  # type: ignore[attr-defined]


def time_alternating(actions: list[Callable[[], object]], *, rounds: int, warmup: int) -> list[Timing]:
    """Time each action once per round, in an order that rotates every round; a Timing per action."""
    for _ in range(warmup):
        for action in actions:
            action()
    samples: list[list[float]] = [[] for _ in actions]
    for round_number in range(rounds):
        shift = round_number % len(actions)
        for index in [*range(shift, len(actions)), *range(shift)]:
            start = time.perf_counter()
            actions[index]()
            samples[index].append(time.perf_counter() - start)
    return [Timing(times) for times in samples]


def _check_radios(app: object, count: int, side: str) -> None:
    radios = list(app.radio)  # type: ignore[attr-defined]
    shapes = [len(radio.options) for radio in radios]
    if shapes != [OPTIONS_PER_ITEM] * count:
        raise RuntimeError(
            f"{side} shows radios with {shapes} options, expected {count} × {OPTIONS_PER_ITEM}"
        )
    if app.exception:  # type: ignore[attr-defined]
        raise RuntimeError(f"{side} raised: {[e.value for e in app.exception]}")  # type: ignore[attr-defined]


def run(config: Config) -> list[Figure]:
    """Median ms of one rerun after a click, Layerwise vs streamlit-survey, in alternating rounds."""
    from streamlit.testing.v1 import AppTest

    from services import assessment as journey
    from services.context import make_context

    rounds = config.pick(60, 30)
    step, items = _largest_step()
    why = ensure_peer()
    with app_database("page.db") as url, tempfile.TemporaryDirectory() as tmp:
        ctx = make_context(url)
        try:
            started = journey.start_assessment(
                ctx, team_name="Benchmark team", mode="individual", form="full", role="manager"
            )
            with compiled_once() as shared_cache:
                app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
                app.run()
                app.query_params.update({"token": started.token, "step": str(step)})
                app.switch_page("pages/assess.py")
                app.run()
                _check_radios(app, len(items), "the assessment page")
                if app.radio[0].key != f"answer:{items[0].id}":
                    raise RuntimeError(f"the first radio is {app.radio[0].key}, not the first item's")
                values = itertools.cycle([1, 2, 3, 4, 5])
                clicked: list[int] = []

                # Both sides find the radio the same way (the first radio on the page), then click and rerun.
                def click_ours() -> None:
                    clicked.append(next(values))
                    app.radio[0].set_value(clicked[-1]).run()

                actions: list[Callable[[], object]] = [click_ours]
                if why is None:
                    script = Path(tmp) / "peer.py"
                    script.write_text(peer_script(items), encoding="utf-8")
                    peer = AppTest.from_file(str(script), default_timeout=60)
                    peer.run()
                    _check_radios(peer, len(items), "the streamlit-survey page")
                    choices = itertools.cycle([level.strip() for level in items[0].levels])

                    def click_peer() -> None:
                        peer.radio[0].set_value(next(choices)).run()

                    actions.append(click_peer)
                timings = time_alternating(actions, rounds=rounds, warmup=2)
            _check_radios(app, len(items), "the assessment page")
            if journey.resume(ctx, started.token).choice(items[0].id) != clicked[-1]:
                raise RuntimeError("the last click on the assessment page was not saved")
            if why is None:
                _check_radios(peer, len(items), "the streamlit-survey page")
        finally:
            ctx.database.dispose()

    ours = timings[0]
    detail = (
        f"{len(items)} radios (largest dimension), click + autosave, alternating rounds; "
        f"min–max {ours.spread(1000, 1)} ms"
        + ("; scripts compiled once, as on a server" if shared_cache else "; scripts recompiled every run")
    )
    page = report_only("page_rerun_ms", round(ours.median * 1000, 1), "ms", detail)
    if why is not None:
        return [page, not_run("page_vs_streamlit_survey", "×", "≤ 1", why)]
    theirs = timings[1]
    paired = statistics.median(o / t for o, t in zip(ours.samples, theirs.samples, strict=True))
    return [
        page,
        at_most(
            "page_vs_streamlit_survey",
            round(paired, 2),
            "×",
            1.0,
            f"median of {rounds} paired rounds; streamlit-survey {theirs.median * 1000:.1f} ms "
            f"(min–max {theirs.spread(1000, 1)})",
        ),
    ]
