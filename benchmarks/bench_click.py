"""An answer click in a real browser: the Answers page against a bare Streamlit page with the same radios.

Two servers run side by side (``streamlit run``): the app on a temporary SQLite file, opened on the full
questionnaire's largest dimension (7 items), and a bare Streamlit script showing the same 7 questions as
``st.radio`` with the same level descriptions and "Don't know" (nothing else: no navigation, no autosave).
Headless Chromium (``/usr/bin/chromium``) clicks one description at a time, alternating between the two
pages (and which goes first); a click is timed from just before it (in the page) to the last websocket
message the page receives for it (the page's script state back to "not running" and no message for
0.3 s). ``click_rtt_ms`` is the app's median, ``click_vs_bare_streamlit`` the median of each round's
ratio, app ÷ bare page.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_first_paint import CHROMIUM, CHROMIUM_ARGS, _health, free_port
from benchmarks.harness import Config, Figure, at_most, not_run, report_only

ROOT = Path(__file__).resolve().parent.parent
#: Records when each websocket message arrives (installed before the page's own scripts run).
WS_RECORDER = """(() => {
  const Native = window.WebSocket;
  window.__wsTimes = [];
  function Recorded(...args) {
    const socket = new Native(...args);
    socket.addEventListener('message', () => window.__wsTimes.push(performance.now()));
    return socket;
  }
  Recorded.prototype = Native.prototype;
  Object.assign(Recorded, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
  window.WebSocket = Recorded;
})();"""
CLICK = """([item, option]) => {
  const group = document.querySelectorAll('[data-testid="stRadio"]')[item];
  const label = group.querySelectorAll('label:has(input[type="radio"])')[option];
  window.__t0 = performance.now();
  label.click();
  return window.__t0;
}"""
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
QUIET_MS = 300
STREAMLIT_RUN = (sys.executable, "-m", "streamlit", "run", "--server.headless", "true")


def bare_script(items: list[Any]) -> str:
    """A Streamlit script with only the same questions as radios (the floor of an answer click)."""
    questions = [(item.id, item.question.strip(), [level.strip() for level in item.levels]) for item in items]
    return textwrap.dedent(
        f"""
        import streamlit as st
        QUESTIONS = {json.dumps(questions)}
        for number, (item_id, question, levels) in enumerate(QUESTIONS, start=1):
            st.radio(f"{{number}}. {{question}}", options=[*levels, "Don't know"], index=None, key=item_id)
        """
    )


def _start(script: str, env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*STREAMLIT_RUN, script, "--server.port", str(port), "--server.fileWatcherType", "none"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while not _health(url):
        if time.monotonic() > deadline or server.poll() is not None:
            raise RuntimeError(f"server for {script} did not become healthy; see {log}")
        time.sleep(0.1)
    return server, url


def click_ms(page: Any, item: int, option: int) -> float:
    """Click one description; milliseconds from the click to the last websocket message it caused."""
    page.evaluate("() => { window.__wsTimes = []; }")
    started = page.evaluate(CLICK, [item, option])
    page.wait_for_timeout(30)
    while True:
        page.wait_for_selector(IDLE, timeout=30_000)
        now, last = page.evaluate("() => [performance.now(), Math.max(0, ...window.__wsTimes)]")
        if last and now - last >= QUIET_MS:
            return float(last - started)
        page.wait_for_timeout(50)


def run(config: Config) -> list[Figure]:
    """``click_rtt_ms`` and ``click_vs_bare_streamlit`` (alternating clicks, medians)."""
    if not Path(CHROMIUM).exists():
        why = f"{CHROMIUM} is not installed"
        return [
            not_run("click_rtt_ms", "ms", "reported", why),
            not_run("click_vs_bare_streamlit", "×", "≤ 1.5", why),
        ]
    from playwright.sync_api import sync_playwright

    from benchmarks.bench_page import _largest_step
    from services import assessment as journey
    from services.context import make_context

    step, items = _largest_step()
    rounds = config.pick(21, 7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database_url = f"sqlite:///{folder / 'click.db'}"
        ctx = make_context(database_url)
        try:
            token = journey.start_assessment(
                ctx, team_name="Bench", mode="individual", form="full", role="leader"
            ).token
        finally:
            ctx.database.dispose()
        bare = folder / "bare.py"
        bare.write_text(bare_script(items), encoding="utf-8")
        servers: list[subprocess.Popen[bytes]] = []
        try:
            app, app_url = _start("app.py", {"DATABASE_URL": database_url}, folder / "app.log")
            servers.append(app)
            floor, floor_url = _start(str(bare), {}, folder / "bare.log")
            servers.append(floor)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    pages = []
                    for url in (f"{app_url}/assess?token={token}&step={step}", floor_url):
                        page = browser.new_page(viewport={"width": 1280, "height": 900})
                        page.add_init_script(WS_RECORDER)
                        page.goto(url)
                        page.locator('[data-testid="stRadio"]').nth(len(items) - 1).wait_for(timeout=60_000)
                        page.wait_for_selector(IDLE, timeout=30_000)
                        pages.append(page)
                    ours: list[float] = []
                    theirs: list[float] = []
                    for round_number in range(rounds + 1):  # the first round warms up, untimed
                        item, option = round_number % len(items), round_number % 6
                        order = [0, 1] if round_number % 2 == 0 else [1, 0]
                        times = {side: click_ms(pages[side], item, option) for side in order}
                        if round_number:
                            ours.append(times[0])
                            theirs.append(times[1])
                finally:
                    browser.close()
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=20)
    ratio = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
    detail = (
        f"{len(ours)} alternating clicks on {len(items)} radios; bare page median "
        f"{statistics.median(theirs):.0f} ms; app min–max {min(ours):.0f}–{max(ours):.0f} ms"
    )
    return [
        report_only("click_rtt_ms", round(statistics.median(ours), 1), "ms", detail),
        at_most(
            "click_vs_bare_streamlit", round(ratio, 2), "×", 1.5, "median of per-round ratios, app ÷ bare"
        ),
    ]
