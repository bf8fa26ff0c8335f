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
