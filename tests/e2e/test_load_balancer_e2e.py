"""A workshop behind a real nginx, with an app server killed and PostgreSQL restarted while people answer.

nginx runs ``deploy/nginx/layerwise.conf`` itself (only its ports and log paths rewritten) as a process of
the test (``daemon off``, its own prefix, pid file, logs and temp folders in the test's folder), in front of
two ``streamlit run`` servers on one fresh PostgreSQL database. A facilitator and three phone-sized
participants open everything through nginx. Then:

1. The app server most of the phones are on (found in nginx's access log: each line names the upstream
   server and the browser's affinity cookie) is killed with SIGKILL. Those phones reconnect through nginx to
   the other server as themselves (their resume link is in the URL): their answers are in the database once
   each, the facilitator still counts them, and they go on answering the next dimension.
2. The database stops answering for this app (its database refuses connections, every open one is ended):
   a participant's answer gets "Could not save your answer …" on the page, not a traceback, and is saved,
   once, by itself when the database is back.
3. PostgreSQL itself is restarted (``pg_ctlcluster … restart``, once per test run): answers given right after
   are saved; none is lost or duplicated.

A second test gives a server that has not drawn a page yet six first page views at once (what the
surviving server gets when every browser was on the dead one): every page draws.

The first test skips with the reason when nginx, PostgreSQL (with ``pg_ctlcluster``) or Chromium is missing, unless
``LAYERWISE_REQUIRE_NGINX=1`` (as in CI), which makes that a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

import ui
from tests.conftest import _postgres_unreachable, postgres_to_myself
from tests.e2e.conftest import CHROMIUM, ROOT, Server, StartServer, free_port
from tests.e2e.test_workshop_e2e import (
    PHONE,
    TIMEOUT_MS,
    answer_dimension,
    create_workshop,
    join_and_answer,
    throwaway_postgres,  # noqa: F401 - the fixture
    wait_for_metric,
)
from tests.postgres_support import database_refusing_connections

pytestmark = pytest.mark.e2e

SITE = ROOT / "deploy" / "nginx" / "layerwise.conf"
AFFINITY_COOKIE = "layerwise_affinity"
ROLES = ("Team lead / leader", "Team member", "Manager")
#: Each phone's levels for the two Permission questions, then the two Definition questions.
PERMISSION = ((1, 3), (5, 3), (3, 4))
DEFINITION = ((2, 2), (4, 3), (5, 1))
#: A log line of the shipped log format: the request, the upstream server(s) and the affinity key.
LOG_LINE = re.compile(
    r'"(?P<request>[^"]*)" \d+ \d+ upstream=(?P<upstream>\S+(?:, \S+)*) affinity=(?P<key>\S+)'
)


def _missing() -> str | None:
    """Why this test cannot run here (None when it can)."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "nginx is missing (install Debian's nginx; .ci/run does)"
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (install Debian's chromium; .ci/run does)"
    if shutil.which("pg_ctlcluster") is None or not Path("/etc/postgresql").is_dir():
        return "pg_ctlcluster is missing (the test restarts the local PostgreSQL cluster)"
    return _postgres_unreachable()


@pytest.fixture
def requirements() -> None:
    """Skip (or fail under ``LAYERWISE_REQUIRE_NGINX=1``) when nginx, Chromium or PostgreSQL is missing."""
    problem = _missing()
    if problem:
        if os.environ.get("LAYERWISE_REQUIRE_NGINX") == "1":
            pytest.fail(f"{problem}; LAYERWISE_REQUIRE_NGINX=1 makes the load-balancer test mandatory")
        pytest.skip(f"{problem}; set LAYERWISE_REQUIRE_NGINX=1 to make this a failure")


def nginx_config(folder: Path, port: int, upstreams: list[Server]) -> Path:
    """A main nginx.conf in ``folder`` that includes the shipped site file, rewritten for this test only:
    it listens on ``port``, its upstream lists ``upstreams`` and it logs into ``folder``."""
    logs, temp = folder / "logs", folder / "temp"
    logs.mkdir(parents=True)
    temp.mkdir()
    site = SITE.read_text(encoding="utf-8")
    servers = [line for line in site.splitlines() if re.match(r"\s*server 127\.0\.0\.1:\d+ ", line)]
    assert len(servers) == 2, "the shipped upstream lists two example servers"
    for line, upstream in zip(servers, upstreams, strict=True):
        site = site.replace(line, re.sub(r"127\.0\.0\.1:\d+", upstream.url.removeprefix("http://"), line))
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};").replace("/var/log/nginx/", f"{logs}/")
    (folder / "layerwise.conf").write_text(site, encoding="utf-8")
    # as root, nginx's workers would switch to "nobody", who cannot enter the test's private folders
    user = "user root;" if os.geteuid() == 0 else ""
    main = f"""
{user}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {logs}/error.log warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temp}/client;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {folder}/layerwise.conf;
}}
"""
    config = folder / "nginx.conf"
    config.write_text(main, encoding="utf-8")
    return config


@contextmanager
def running_nginx(folder: Path, upstreams: list[Server]) -> Iterator[Server]:
    """nginx in front of ``upstreams``, as a process of this test (stopped with its process group)."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    port = free_port()
    config = nginx_config(folder, port, upstreams)
    checked = subprocess.run(
        [binary, "-t", "-p", str(folder), "-c", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    log_path = folder / "logs" / "nginx-stderr.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [binary, "-p", str(folder), "-c", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proxy = Server(url=f"http://127.0.0.1:{port}", log_path=log_path, process=process)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                with urllib.request.urlopen(f"{proxy.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)
        yield proxy
    finally:
        proxy.stop()


def access_log(folder: Path) -> list[tuple[str, str, str]]:
    """(request, upstream addresses, affinity key) of every request nginx logged so far."""
    text = (folder / "logs" / "layerwise.access.log").read_text(encoding="utf-8", errors="replace")
    return [(m["request"], m["upstream"], m["key"]) for m in map(LOG_LINE.search, text.splitlines()) if m]


def affinity(context: Any) -> str:
    """The affinity key nginx gave this browser."""
    values = [cookie["value"] for cookie in context.cookies() if cookie["name"] == AFFINITY_COOKIE]
    assert values, f"nginx set no {AFFINITY_COOKIE} cookie"
    return str(values[0])


def served_by(folder: Path, key: str, since: int = 0) -> str:
    """The address of the app server that answered this browser's latest request (logged after line
    ``since``); the last of the addresses nginx tried."""
    upstreams = [upstream for _, upstream, k in access_log(folder)[since:] if k == key and upstream != "-"]
    assert upstreams, f"no request of {key} in nginx's access log"
    return upstreams[-1].split(", ")[-1]


def wait_until(condition: Any, what: str, timeout: float = TIMEOUT_MS / 1000) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.3)


def stored_answers(database_url: str) -> list[tuple[int, str, int | None]]:
    """Every stored answer (respondent, item, level), straight from the database."""
    url = make_url(database_url)
    dsn = dict(host=url.host, port=url.port or 5432, user=url.username, dbname=url.database)
    with psycopg.connect(**dsn) as connection:
        rows = connection.execute(
            "SELECT respondent_id, item_id, value FROM answers ORDER BY 1, 2"
        ).fetchall()
    return [(int(row[0]), str(row[1]), row[2]) for row in rows]


def levels_by_person(rows: list[tuple[int, str, int | None]]) -> list[tuple[int | None, ...]]:
    """Each respondent's levels in item order (Definition's items sort before Permission's), sorted:
    comparable with :func:`expected`. One tuple per person shows that nobody came back as someone new."""
    per_person: dict[int, list[int | None]] = {}
    for respondent, _item, value in rows:
        per_person.setdefault(respondent, []).append(value)
    return sorted(tuple(values) for values in per_person.values())


def expected(*dimensions: tuple[tuple[int, int], ...]) -> list[tuple[int | None, ...]]:
    """The phones' levels as :func:`levels_by_person` reads them from the database (dimensions in the
    order their item ids sort)."""
    return sorted(
        tuple(level for levels in per_phone for level in levels)
        for per_phone in zip(*dimensions, strict=True)
    )


def move_the_room(page: Any, step: str) -> None:
    """The facilitator presses Next until the room screen shows ``step``.

    A page that reconnected to another server runs a fresh session, and a click that lands before that
    session's first run has finished is not counted (Streamlit knows no button callbacks yet): Next is
    pressed again only when the room did not move at all, so it never skips a step.
    """
    where = page.get_by_text("The room screen shows:")
    for _attempt in range(3):
        before = where.inner_text(timeout=TIMEOUT_MS)
        page.get_by_role("button", name="Next").click()
        deadline = time.monotonic() + TIMEOUT_MS / 2000
        while time.monotonic() < deadline:
            if page.get_by_text(step).count():
                return
            time.sleep(0.3)
        if where.inner_text(timeout=TIMEOUT_MS) != before:
            break  # it moved, but not to ``step``
    raise AssertionError(f"the room did not move to {step!r}; it shows {where.inner_text()!r}")


def restart_postgresql() -> None:
    """Restart the local PostgreSQL cluster (every connection to it is cut); returns once it accepts
    connections again. Tests on PostgreSQL in the other test process wait until it is back up."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    with postgres_to_myself():  # the other test process waits; none of its tests loses its connection
        restarted = subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert restarted.returncode == 0, f"pg_ctlcluster restart failed: {restarted.stderr or restarted.stdout}"


@pytest.mark.postgres
def test_a_workshop_behind_nginx_survives_a_dead_app_server_and_a_postgresql_restart(
    requirements: None,
    throwaway_postgres: str,  # noqa: F811 - the fixture imported above
    start_server: StartServer,
    browser: Any,
    tmp_path: Path,
    shots_dir: Path,
) -> None:
    env = {"DATABASE_URL": throwaway_postgres, "LAYERWISE_ADMIN_PASSCODE": "e2e-passcode"}
    app_servers = [start_server(env), start_server(env)]
    by_address = {server.url.removeprefix("http://"): server for server in app_servers}
    folder = tmp_path / "nginx"
    with running_nginx(folder, app_servers) as proxy:
        # --- a facilitator and three phones, all through nginx ----------------------------------------------
        facilitator = browser.new_context(viewport={"width": 1280, "height": 2400})
        page = facilitator.new_page()
        code, _ = create_workshop(page, proxy, "Behind nginx")
        phones = [browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True) for _ in ROLES]
        phone_pages = [
            join_and_answer(context, proxy, code, levels, role)
            for context, levels, role in zip(phones, PERMISSION, ROLES, strict=True)
        ]
        page.get_by_text("6 of 6 answers · 3 started · 3 done").wait_for(timeout=TIMEOUT_MS)
        keys = [affinity(context) for context in phones]
        assert len(set(keys)) == 3, "every browser has an affinity key of its own"
        on = [served_by(folder, key) for key in keys]
        # affinity: every request a phone made went to one server (its page, its session, its files)
        for key, address in zip(keys, on, strict=True):
            used = {upstream for _, upstream, k in access_log(folder) if k == key and upstream != "-"}
            assert used == {address}, (key, used)

        # --- kill -9 the server most phones are on -----------------------------------------------------------
        victim_address = Counter(on).most_common(1)[0][0]
        victim = by_address[victim_address]
        survivor_address = next(address for address in by_address if address != victim_address)
        moved = [number for number, address in enumerate(on) if address == victim_address]
        assert moved, on
        facilitator_on = served_by(folder, affinity(facilitator))
        # the facilitator's page shows files Streamlit keeps in the memory of the server that made them (the
        # join QR code under /media/...): fetched from that same server
        media = {u for r, u, k in access_log(folder) if k == affinity(facilitator) and " /media/" in r}
        assert media == {facilitator_on}, media
        logged_before = len(access_log(folder))
        os.killpg(victim.process.pid, signal.SIGKILL)
        victim.process.wait(timeout=10)

        # the phones that were on it reconnect by themselves, through nginx, to the other server ...
        for number in moved:
            wait_until(
                lambda number=number: (
                    served_by(folder, keys[number], since=logged_before) == survivor_address
                ),
                f"phone {number + 1} reconnects to the surviving server",
            )
        # ... as themselves: their answers are there, once each, and the facilitator still counts them
        rows = stored_answers(throwaway_postgres)
        assert len(rows) == 6 and levels_by_person(rows) == expected(PERMISSION), rows
        for number in moved:
            phone = phone_pages[number]
            phone.get_by_text("2 of 2 answered").wait_for(timeout=TIMEOUT_MS)
            phone.get_by_text("Behind nginx").first.wait_for(timeout=TIMEOUT_MS)
        # the facilitator's page too, when it was on the dead server (its private link is its address)
        if facilitator_on == victim_address:
            wait_until(
                lambda: served_by(folder, affinity(facilitator), since=logged_before) == survivor_address,
                "the facilitator's page reconnects to the surviving server",
            )
        page.get_by_text("6 of 6 answers · 3 started · 3 done").wait_for(timeout=TIMEOUT_MS)
        wait_for_metric(page, "People joined", "3")
        phone_pages[moved[0]].screenshot(path=str(shots_dir / "lb-phone-after-failover.png"))

        # --- the facilitator moves the room on to Definition; the phones follow and go on answering ----------
        move_the_room(page, "1 of 5: Permission")
        move_the_room(page, "2 of 5: Definition")
        for phone in phone_pages:
            phone.get_by_text("0 of 2 answered").wait_for(timeout=TIMEOUT_MS)
        for phone, levels in zip(phone_pages[:2], DEFINITION[:2], strict=True):
            answer_dimension(phone, levels)

        # --- the database stops answering: the page says it could not save, and saves it once it is back ----
        last = phone_pages[2]
        radios = last.locator('[data-testid="stRadio"]')
        with database_refusing_connections(throwaway_postgres):
            radios.first.locator('[data-testid="stRadioOption"]').nth(DEFINITION[2][0] - 1).click()
            notice = last.get_by_text(ui.COULD_NOT_SAVE)
            notice.wait_for(timeout=TIMEOUT_MS)
            assert last.get_by_text("Traceback").count() == 0
            last.screenshot(path=str(shots_dir / "lb-phone-database-down.png"))
        last.get_by_text("1 of 2 answered").wait_for(timeout=TIMEOUT_MS)  # saved by the page's own retry
        notice.wait_for(state="detached", timeout=TIMEOUT_MS)

        # --- PostgreSQL restarts mid-answering: the next answer is saved on a fresh connection --------------
        restart_postgresql()
        last.get_by_role("button", name="Next").click()  # the kept answer stayed on screen: go on by hand
        answer_dimension(last, DEFINITION[2], first=1)

        rows = stored_answers(throwaway_postgres)
        assert len(rows) == 12, rows  # 3 people × 4 questions, each exactly once
        # the same three people, each with their own four answers: nobody came back as someone new
        assert levels_by_person(rows) == expected(DEFINITION, PERMISSION), rows
        wait_for_metric(page, "People joined", "3")
        wait_until(
            lambda: page.get_by_text("6 of 6 answers · 3 started · 3 done").count() == 2,
            "the facilitator counts every answer of both dimensions",
        )
        page.screenshot(path=str(shots_dir / "lb-facilitator-after-restart.png"))
        # nginx tried the dead server first for some requests and moved on: two addresses, the survivor last
        failovers = [upstream for _, upstream, _ in access_log(folder) if upstream.count(", ") == 1]
        assert f"{victim_address}, {survivor_address}" in failovers, failovers
        # and nginx's logs hold no link that opens anything (query strings are keys)
        for log in (folder / "logs").glob("layerwise.*.log"):
            text = log.read_text(encoding="utf-8", errors="replace")
            assert "resume=" not in text and "token=" not in text, log.name
        survivor = by_address[survivor_address]
        assert not survivor.problems(), survivor.problems()
        for context in (facilitator, *phones):
            context.close()


def test_a_fresh_server_takes_a_room_of_sessions_arriving_at_once(app_server: Server, browser: Any) -> None:
    """A server that has not drawn a page yet (just started, or taking over a dead server's browsers) gets
    six first page views at the same moment: every one draws its page. (Before the fix, the sessions that
    waited for the first one's import of ``ui`` were handed a half-imported module and failed with "module
    'ui' has no attribute …".)"""
    contexts = [browser.new_context(viewport=PHONE, is_mobile=True) for _ in range(6)]
    pages = [context.new_page() for context in contexts]
    for page in pages:  # all requested before any has drawn
        page.goto(f"{app_server.url}/join", wait_until="commit")
    for page in pages:
        page.get_by_role("textbox", name="Join code").wait_for(timeout=TIMEOUT_MS)
    assert not app_server.problems(), app_server.problems()
    for context in contexts:
        context.close()
