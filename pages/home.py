"""Home: what Layerwise is for, the five dimensions (from the questionnaire data) and three ways in."""

from __future__ import annotations

import streamlit as st

import ui
from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID

st.title("Layerwise")
st.markdown(
    "AI tools make tasks faster, yet the gain is often eaten by rising expectations, unbudgeted meta-work "
    "(prompting, reviewing, correcting) and unclear permissions, or it is absorbed and never redeployed. "
    "Layerwise measures the human system around your team's AI tools on five dimensions. "
    "You leave with a ranked action plan that fixes foundations first."
)

questionnaire = ui.questionnaire(DEFAULT_QUESTIONNAIRE_ID)

st.subheader("Three ways in")
start_col, join_col, resume_col = st.columns(3)
with start_col, st.container(border=True):
    st.markdown("**Self-assessment**  \nFor a team, individually or together as one agreed set of answers.")
    st.page_link("pages/start.py", label="Start a self-assessment", icon=":material/play_arrow:")
with join_col, st.container(border=True):
    st.markdown("**Workshop**  \nYour facilitator shows a join code on the screen.")
    st.page_link("pages/join.py", label="Join a workshop with a code", icon=":material/groups:")
with resume_col, st.container(border=True):
    st.markdown("**Resume**  \nOpen the resume link you were given, or paste it here.")
    st.page_link("pages/assess.py", label="Resume with a link", icon=":material/history:")

st.subheader("The five dimensions")
st.markdown(
    "The four layers build on each other, from the bottom up: a layer cannot be stronger than the one "
    "under it allows. Capacity governance runs alongside and decides where the freed time goes."
)
for dimension in sorted(questionnaire.layers, key=lambda d: d.layer or 0):
    with st.container(border=True):
        st.markdown(
            f"**Layer {dimension.layer} · {ui.plain(dimension.name)}**: {ui.plain(dimension.summary)}"
        )
        st.caption(f"Mature: {ui.plain(dimension.mature_state)}")
        if dimension.depends_on:
            st.caption(f"Builds on the layer below: {ui.plain(dimension.depends_on)}")
for dimension in questionnaire.dimensions:
    if dimension.layer is None:
        with st.container(border=True):
            st.markdown(
                f"**Alongside the layers · {ui.plain(dimension.name)}**: {ui.plain(dimension.summary)}"
            )
            st.caption(f"Mature: {ui.plain(dimension.mature_state)}")

st.caption(
    f"Questionnaire: {questionnaire.title}, version {questionnaire.version} · "
    f"{sum(len(d.items) for d in questionnaire.dimensions)} items in the full form, "
    f"{len(questionnaire.items_for('pulse'))} in the pulse form."
)
