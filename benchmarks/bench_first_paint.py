"""First paint: ``streamlit run`` with an empty database until headless Chromium shows the home page.

The browser is started first (a user's browser is already open); the clock runs from launching the server
process to the home page's "Three ways in" heading being visible. The detail splits it: the server's own
start (launch until ``/_stcore/health`` answers) and the browser's part (the first visitor's request until
the heading shows: Streamlit's page code, the app's first run with its imports and database set-up).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from benchmarks.harness import Config, Figure, Timing, below, not_run

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: Issue 16's target for the first paint of the home page (seconds).
TARGET_S = 3
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _health(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def one_start(page: object, folder: Path, round_number: int) -> tuple[float, float]:
    """Start a server on an empty database and time it until the home page shows; stop it again. Returns
    the seconds from launch to the visible page, and from launch to the server answering its health check."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / f'first_paint_{round_number}.db'}"}
    log = (folder / f"server_{round_number}.log").open("w")
    began = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = began + 60
        while not _health(url):
            if time.perf_counter() > deadline or server.poll() is not None:
                raise RuntimeError(f"server did not become healthy; see {log.name}")
            time.sleep(0.05)
        healthy = time.perf_counter() - began
        page.goto(url)  # type: ignore[attr-defined]
        page.get_by_text("Three ways in").wait_for(timeout=30_000)  # type: ignore[attr-defined]
        return time.perf_counter() - began, healthy
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        log.close()


def run(config: Config) -> list[Figure]:
    """Median seconds from ``streamlit run`` to the visible home page."""
    if not Path(CHROMIUM).exists():
        return [not_run("first_paint_s", "s", f"< {TARGET_S}", f"{CHROMIUM} is not installed")]
    from playwright.sync_api import sync_playwright

    rounds = config.pick(5, 2)
    samples: list[float] = []
    server_starts: list[float] = []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for round_number in range(rounds):
                page = browser.new_page()
                total, healthy = one_start(page, Path(tmp), round_number)
                samples.append(total)
                server_starts.append(healthy)
                page.close()
        finally:
            browser.close()
    timing = Timing(samples)
    server = Timing(server_starts).median
    detail = (
        f"min–max {timing.spread(digits=2)} s; server start {server:.2f} s, "
        f"then the browser's part {timing.median - server:.2f} s (medians)"
    )
    return [below("first_paint_s", round(timing.median, 2), "s", TARGET_S, detail)]
