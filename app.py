"""Layerwise entry point: page config, the navigation (every page listed explicitly) and the sidebar.

Run with ``streamlit run app.py``. Pages live in ``pages/``; ``st.navigation`` does not auto-discover them,
so every page is listed here with a fixed ``url_path``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

import ui

# The page icon is a file of the app: a Material icon as page icon is fetched from a font host, which fails
# offline and tells that host who opens the app.
st.set_page_config(
    page_title="Layerwise", page_icon=str(Path(__file__).parent / "assets" / "page-icon.png"), layout="wide"
)

PAGES = {
    "Layerwise": [
        st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="home", default=True),
        st.Page(
            "pages/questionnaires.py",
            title="Questionnaires",
            icon=":material/list_alt:",
            url_path="questionnaires",
        ),
        st.Page(
            "pages/how_scoring_works.py",
            title="How scoring works",
            icon=":material/rule:",
            url_path="how-scoring-works",
        ),
    ],
    "Self-assessment": [
        st.Page("pages/start.py", title="Start", icon=":material/play_arrow:", url_path="start"),
        st.Page("pages/assess.py", title="Answers", icon=":material/edit_note:", url_path="assess"),
        st.Page("pages/outcomes.py", title="Outcomes", icon=":material/monitoring:", url_path="outcomes"),
        st.Page("pages/taskmap.py", title="Task map", icon=":material/account_tree:", url_path="task-map"),
        st.Page("pages/results.py", title="Results", icon=":material/insights:", url_path="results"),
        st.Page(
            "pages/action_plan.py", title="Action plan", icon=":material/checklist:", url_path="action-plan"
        ),
    ],
    "Workshops": [
        st.Page("pages/join.py", title="Join a workshop", icon=":material/groups:", url_path="join"),
        st.Page(
            "pages/facilitate.py", title="Facilitate", icon=":material/co_present:", url_path="facilitate"
        ),
        st.Page("pages/room.py", title="Room screen", icon=":material/cast:", url_path="room"),
    ],
    "Leaders": [
        st.Page("pages/leader.py", title="Leader view", icon=":material/dashboard:", url_path="leader"),
    ],
}

# The sidebar lists the pages as links under section headings, drawn here rather than by st.navigation: its
# own sidebar list puts the section headings inside the <ul> and the links outside it, which screen readers
# announce wrongly (axe: "list", "listitem"; tests/e2e/test_accessibility_e2e.py).
navigation = st.navigation(PAGES, position="hidden")
st.html(ui.APP_CSS)
with st.sidebar:
    for section, section_pages in PAGES.items():
        st.markdown(f"**{section}**")
        for listed in section_pages:
            st.page_link(listed, label=listed.title, icon=listed.icon, width="stretch")
    st.caption("Layerwise · the human system around your AI tools")
try:
    navigation.run()
except Exception as error:
    # any page: a database that is busy or unreachable gets a message for people, never a traceback
    if not ui.storage_busy(error):
        raise
    st.error(f"{error} Reload the page in a moment.", icon=":material/cloud_off:")
finally:
    # The database (migrations, the leader passcode) is set up by the first page that uses it (ui.context),
    # not here: the home page does not, and a new server's first page is not kept waiting for it.
    ui.freeze_long_lived_objects()
