"""Questionnaires: every valid questionnaire the app found, and the problems of broken ones."""

from __future__ import annotations

import streamlit as st

import ui

st.title("Questionnaires")
st.markdown(
    "Layerwise ships one questionnaire. An organisation's variant or a translation can be added as a folder "
    "beside it, or in a folder named by `LAYERWISE_QUESTIONNAIRE_DIRS`; check it with `python cli.py validate`."
)
catalog = ui.catalog()
for (qid, version), questionnaire in sorted(catalog.questionnaires.items()):
    with st.expander(
        ui.plain(f"{questionnaire.title} · {qid} {version}"), expanded=len(catalog.questionnaires) == 1
    ):
        st.markdown(ui.plain(questionnaire.description))
        for dimension in questionnaire.dimensions:
            layer = f"layer {dimension.layer}" if dimension.layer else "alongside the layers"
            st.markdown(f"**{ui.plain(dimension.name)}** ({layer}): {len(dimension.items)} items")
            for item in dimension.items:
                pulse = " · pulse" if item.pulse else ""
                st.markdown(f"- {ui.plain(item.id)}{pulse}: {ui.plain(item.question)}")
for error in catalog.errors:
    st.error(
        f"The questionnaire in {ui.plain(error.folder)} was not loaded ({len(error.problems)} problems):\n\n"
        + "\n".join(f"- {ui.plain(problem)}" for problem in error.problems)
    )
