"""Browser-test fixtures: the real app under ``streamlit run`` and headless Debian Chromium via Playwright.

- ``start_server(env)`` starts ``streamlit run app.py`` on a free port with the given extra environment
  (e.g. ``DATABASE_URL``), logs to a file, waits for ``/_stcore/health`` and returns a :class:`Server`
  (``url``, ``log_path``). Every server started is stopped by its process group when the test ends, and its
  log is checked for tracebacks and Streamlit warnings (``server.problems()``).
- ``app_server``: one server on a fresh SQLite file in the test's temporary folder.
- ``browser``: Chromium at ``/usr/bin/chromium`` (never ``playwright install``), launched headless with
  ``--no-sandbox --disable-gpu --disable-dev-shm-usage`` and no background networking. Without that
  binary the test is skipped with the reason, unless ``LAYERWISE_REQUIRE_BROWSER=1`` (as in CI), which
  makes it fail instead.
- ``shots_dir``: where screenshots go: ``$LAYERWISE_SHOTS_DIR`` when set, else the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
STARTUP_TIMEOUT = 60.0
#: Log lines that mean something went wrong in a normal run (tracebacks, Streamlit warnings, deprecations).
LOG_PROBLEM = re.compile(r"Traceback|WARNING|Warning:|deprecat|Uncaught|ERROR", re.IGNORECASE)

pytestmark = pytest.mark.e2e


@dataclass
class Server:
    """A running ``streamlit run app.py``: its base URL (no trailing slash) and its log file."""

    url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def log(self) -> str:
        """Everything the server wrote so far (stdout and stderr)."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def problems(self) -> list[str]:
        """The log lines that signal a problem: tracebacks, warnings, deprecation messages."""
        return [line for line in self.log().splitlines() if LOG_PROBLEM.search(line)]

    def stop(self) -> None:
        """Stop the server and everything it started (its whole process group)."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.process.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(f"{server.url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"streamlit did not become healthy within {timeout:.0f} s:\n{server.log()}")


StartServer = Callable[..., Server]


@pytest.fixture
def start_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StartServer]:
    """``start_server(env) -> Server``: ``streamlit run app.py`` on a free port with ``env`` added.

    Usable several times in one test (e.g. two app replicas on one database); all are stopped afterwards.
    """
    servers: list[Server] = []

    def _start(env: dict[str, str] | None = None, *, timeout: float = STARTUP_TIMEOUT) -> Server:
        port = free_port()
        log_dir = tmp_path_factory.mktemp("streamlit-log")
        log_path = log_dir / f"streamlit-{port}.log"
        environment = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        command = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--server.fileWatcherType",
            "none",
        ]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so stop() ends every child too
            )
        server = Server(url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
        servers.append(server)
        _wait_healthy(server, timeout)
        return server

    yield _start
    for server in servers:
        server.stop()


@pytest.fixture
def app_server(start_server: StartServer, tmp_path: Path) -> Server:
    """The app on a fresh SQLite file in the test's temporary folder."""
    return start_server({"DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}"})


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (skips, or fails under LAYERWISE_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (install Debian's chromium; .ci/run does)"
        if os.environ.get("LAYERWISE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; LAYERWISE_REQUIRE_BROWSER=1 makes browser tests mandatory")
        pytest.skip(f"{reason}; set LAYERWISE_REQUIRE_BROWSER=1 to make this a failure")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    """The folder screenshots are written to (``LAYERWISE_SHOTS_DIR``, else the test's temporary folder)."""
    folder = Path(os.environ.get("LAYERWISE_SHOTS_DIR") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
