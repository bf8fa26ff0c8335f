"""A long download (the ZIP of every team's report) shows how far it has got while the page stays usable."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.app.conftest import TIMEOUT


def _page() -> None:
    import threading

    import streamlit as st

    import ui

    gate = st.session_state.setdefault("gate", threading.Event())

    def make(progress):  # type: ignore[no-untyped-def]
        for done in range(1, 3):
            progress(done, 5)
        gate.wait(20)
        return b"zip bytes"

    ui.download_button(
        "All team reports (ZIP)",
        make=make,
        version=1,
        key="zip",
        file_name="reports.zip",
        mime="application/zip",
        progress="team reports",
    )
    st.button("Something else on the page")


def test_a_long_download_shows_its_progress_then_the_button() -> None:
    import time

    at = AppTest.from_function(_page, default_timeout=TIMEOUT).run()
    # the worker reports 2 of 5 and then waits: rerun until the page has seen the count
    for _ in range(40):
        if at.get("progress"):
            break
        time.sleep(0.1)
        at.run()
    bars = at.get("progress")
    assert bars, "no progress bar while the file was being made"
    assert bars[0].proto.text == "2 of 5 team reports ready"
    assert at.button(key="zip.preparing").disabled
    at.button[-1].click().run()  # the rest of the page still works meanwhile
    at.session_state["gate"].set()
    for _ in range(40):
        if at.get("download_button"):
            break
        time.sleep(0.1)
        at.run()
    assert not at.get("progress")
    assert at.get("download_button")[0].proto.label == "All team reports (ZIP)"


def _page_on_request() -> None:
    import streamlit as st

    import ui

    calls = st.session_state.setdefault("calls", [])

    def make(progress):  # type: ignore[no-untyped-def]
        calls.append(1)
        progress(1, 1)
        return b"zip bytes"

    ui.download_button(
        "All team reports (ZIP)",
        make=make,
        version=st.session_state.get("version", 1),
        key="zip",
        file_name="reports.zip",
        mime="application/zip",
        progress="team reports",
        on_request="Prepare 1,000 team reports (ZIP)",
    )


def test_a_download_made_on_request_costs_nothing_until_it_is_asked_for() -> None:
    import time

    at = AppTest.from_function(_page_on_request, default_timeout=TIMEOUT).run()
    at.run()  # a leader who only looks at the page starts nothing
    assert at.session_state["calls"] == []
    assert not at.get("download_button")
    at.button(key="zip.request").click().run()
    for _ in range(40):
        if at.get("download_button"):
            break
        time.sleep(0.1)
        at.run()
    assert at.get("download_button")[0].proto.label == "All team reports (ZIP)"
    assert at.session_state["calls"] == [1]
    at.run()  # made once, kept across reruns
    assert at.session_state["calls"] == [1] and at.get("download_button")
    # the data changed: asked for again, not remade behind the leader's back
    at.session_state["version"] = 2
    at.run()
    assert not at.get("download_button") and at.button(key="zip.request").label.startswith("Prepare")
    assert at.session_state["calls"] == [1]
    assert not at.exception, [e.value for e in at.exception]
