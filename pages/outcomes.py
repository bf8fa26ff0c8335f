"""Outcomes (optional): the team's outcome figures and the hours spent on AI-assisted work.

These are team figures, not individual answers: anyone on the team may enter them, and the last saved set
counts. Each field is checked (range, and the capacity ledger's rules) with a message under the field; a
rejected entry stays in the form so nothing typed is lost.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

import ui
from reports.wording import plural
from services import assessment as journey
from services import taskmap as maps
from services.context import InputError, ServiceError

ERRORS_KEY = "layerwise.outcome_errors"

ctx = ui.context()
current = ui.require_respondent("Entering outcomes")
token = current.token
st.query_params["token"] = token
questionnaire = ui.questionnaire(current.questionnaire_id, current.questionnaire_version)

st.title("Outcome figures")
st.markdown(
    "Optional, and about the whole team: a few figures that show whether AI's gains reach your team. "
    "With them, the results add a capacity ledger (where the freed hours go) and compare your figures "
    "with published reference points. Leave a field empty when you do not know it."
)

if maps.task_map(ctx, token).ledger is not None:
    st.info(
        "The team has a task map with AI activities: the capacity ledger on Results and in the PDF comes from "
        "it, not from the hours, reduction, meta-work and redeployed share below.",
        icon=":material/account_tree:",
    )

stored = journey.get_outcomes(ctx, token)
# Fill empty fields from the database; a field that holds what the person typed keeps it.
initial = {journey.AI_HOURS_FIELD: stored.ai_hours_per_week, journey.TEAM_SIZE_FIELD: stored.team_size} | {
    kpi.id: stored.kpis.get(kpi.id) for kpi in questionnaire.kpis
}
for field_id, value in initial.items():
    st.session_state.setdefault(f"outcome:{field_id}", value)
errors: dict[str, str] = st.session_state.get(ERRORS_KEY, {})


def show_error(field: str) -> None:
    """The message for one field, right under it."""
    if field in errors:
        st.error(ui.plain(errors[field]), icon=":material/error:")


def kpi_field(kpi: Any) -> None:
    """One KPI's number field, with its range and direction in the help, and its message under it."""
    st.number_input(
        f"{kpi.label} ({kpi.unit})",
        value=None,
        step=1.0,
        format="%.1f",
        key=f"outcome:{kpi.id}",
        help=f"{kpi.help.strip()} ({kpi.minimum:g}–{kpi.maximum:g}; {kpi.better} is better)",
        placeholder=f"{kpi.minimum:g}–{kpi.maximum:g}",
    )
    show_error(kpi.id)


ledger_kpis = [kpi for kpi in questionnaire.kpis if kpi.id in journey.LEDGER_KPIS]
other_kpis = [kpi for kpi in questionnaire.kpis if kpi.id not in journey.LEDGER_KPIS]
with st.form("outcomes", border=True):
    st.markdown(
        "**Where the time goes** · for the capacity ledger (the first four needed; the number of people "
        "adds the team's totals)"
    )
    st.caption(
        "Enter what the AI-assisted tasks take **now**, and how much less time they take than **before**, "
        "as a share of the time they used to take, *without* the prompting, reviewing and correcting around "
        "them: that meta-work has its own field and the ledger subtracts it once. Example: tasks that take "
        "20 h now and 30 % less than before took 20 / 0.7 = 28.6 h, so AI freed 8.6 h (not 6)."
    )
    st.number_input(
        "Hours the AI-assisted tasks take per person per week now",
        value=None,
        step=1.0,
        format="%.1f",
        key=f"outcome:{journey.AI_HOURS_FIELD}",
        help=(
            "Hours per person per week the tasks where AI tools are used take today, not counting the "
            "prompting, reviewing and correcting (that is meta-work, entered below) (0–80)."
        ),
        placeholder="e.g. 12",
    )
    show_error(journey.AI_HOURS_FIELD)
    st.number_input(
        "People doing this work",
        value=None,
        step=1,
        min_value=None,
        key=f"outcome:{journey.TEAM_SIZE_FIELD}",
        help="How many people on the team do these AI-assisted tasks: the ledger multiplies by it (1–10,000).",
        placeholder="e.g. 8",
    )
    show_error(journey.TEAM_SIZE_FIELD)
    for kpi in ledger_kpis:
        kpi_field(kpi)
    st.markdown("**Outcomes** · compared with published reference points")
    for kpi in other_kpis:
        kpi_field(kpi)
    submitted = st.form_submit_button("Save outcome figures", type="primary", icon=":material/save:")

if submitted:
    values = {kpi.id: st.session_state.get(f"outcome:{kpi.id}") for kpi in questionnaire.kpis}
    try:
        journey.save_outcomes(
            ctx,
            token,
            kpis=values,
            ai_hours_per_week=st.session_state.get(f"outcome:{journey.AI_HOURS_FIELD}"),
            team_size=st.session_state.get(f"outcome:{journey.TEAM_SIZE_FIELD}"),
        )
    except InputError as error:
        st.session_state[ERRORS_KEY] = error.errors
        st.rerun()
    except ServiceError as error:
        st.error(ui.plain(error))
    else:
        st.session_state.pop(ERRORS_KEY, None)
        st.session_state["layerwise.outcomes_saved"] = True
        st.rerun()

if errors:
    st.warning(
        f"Not saved yet: {plural(len(errors), 'field needs', 'fields need')} a change (see the messages above). "
        "What you typed is still in the form."
    )
if st.session_state.pop("layerwise.outcomes_saved", False):
    st.success("Outcome figures saved.", icon=":material/check_circle:")

ui.journey_links(token, "outcomes.py")
