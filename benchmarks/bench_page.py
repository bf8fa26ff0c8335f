"""One rerun of the assessment page vs the same items built with the ``streamlit-survey`` package.

Both sides run through AppTest in this process: the Answers page of Layerwise on the full questionnaire's
largest dimension (one radio clicked, which saves the answer to a real SQLite file, then the rerun), and a
script that builds the same questions and level descriptions with ``streamlit_survey`` (one radio clicked,
then the rerun). streamlit-survey is the peer only: its licence adds the Commons Clause, so it is never an
app dependency. When it is not importable it is installed into ``benchmarks/.peer`` for this run alone.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from benchmarks.harness import Config, Figure, at_most, not_run, report_only, time_rounds

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = Path(__file__).resolve().parent / ".peer"
PEER_PACKAGE = "streamlit-survey==1.1.0"


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


def run(config: Config) -> list[Figure]:
    """Median ms of one rerun after a click, Layerwise vs streamlit-survey."""
    from streamlit.testing.v1 import AppTest

    from services import assessment as journey
    from services.context import make_context
    from settings import get_settings

    rounds = config.pick(15, 5)
    step, items = _largest_step()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'page.db'}"
        previous = os.environ.get("DATABASE_URL")
        os.environ["DATABASE_URL"] = url
        get_settings.cache_clear()
        try:
            ctx = make_context(url)
            started = journey.start_assessment(
                ctx, team_name="Benchmark team", mode="individual", form="full", role="manager"
            )
            app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            app.run()
            app.query_params.update({"token": started.token, "step": str(step)})
            app.switch_page("pages/assess.py")
            app.run()
            radio_key = f"answer:{items[0].id}"
            values = iter([1, 2, 3, 4, 5] * 100)

            def click_ours() -> None:
                app.radio(key=radio_key).set_value(next(values)).run()

            ours = time_rounds(click_ours, rounds=rounds, warmup=2)
            radios = len(app.radio)
            ctx.database.dispose()
        finally:
            if previous is None:
                os.environ.pop("DATABASE_URL", None)
            else:
                os.environ["DATABASE_URL"] = previous
            get_settings.cache_clear()

        why = ensure_peer()
        if why:
            return [
                report_only("page_rerun_ms", round(ours.median * 1000, 1), "ms", f"{radios} radios"),
                not_run("page_vs_streamlit_survey", "×", "≤ 1", why),
            ]
        script = Path(tmp) / "peer.py"
        script.write_text(peer_script(items), encoding="utf-8")
        peer = AppTest.from_file(str(script), default_timeout=60)
        peer.run()
        levels = [level.strip() for level in items[0].levels]
        choices = iter(levels * 100)

        def click_peer() -> None:
            peer.radio[0].set_value(next(choices)).run()

        theirs = time_rounds(click_peer, rounds=rounds, warmup=2)
    ratio = ours.median / theirs.median
    return [
        report_only(
            "page_rerun_ms",
            round(ours.median * 1000, 1),
            "ms",
            f"{radios} radios (largest dimension, {len(items)} items), click + autosave; "
            f"min–max {ours.spread(1000, 1)} ms",
        ),
        at_most(
            "page_vs_streamlit_survey",
            round(ratio, 2),
            "×",
            1.0,
            f"streamlit-survey {theirs.median * 1000:.1f} ms (min–max {theirs.spread(1000, 1)})",
        ),
    ]
