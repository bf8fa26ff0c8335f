"""README's first command starts the app on the port README names (issue 19: a newcomer's first minutes)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_docs import README, ROOT, readme_commands


def test_the_readme_run_command_opens_the_app_on_the_named_port(tmp_path: Path) -> None:
    port = int(re.search(r"http://localhost:(\d+)", README.split("## ", 1)[0]).group(1))  # type: ignore[union-attr]
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            pytest.skip(f"port {port} is already taken on this machine, so README's command cannot use it")
    run = readme_commands()[0].split("&&")[-1].strip()  # the install part already ran: requirements are here
    assert run == "python -m streamlit run app.py"
    command = [sys.executable, *shlex.split(run)[1:]]
    log = (tmp_path / "server.log").open("wb")
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'readme.db'}"}
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                    assert answer.read() == b"ok"
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        f"the app did not open on port {port}:\n{(tmp_path / 'server.log').read_text()}"
                    )
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as page:
            assert b"<html" in page.read().lower()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()
