"""Action plan: the ranked actions with their findings; owners, due dates and status edited and saved at once.

The first time the plan is opened with results, the top recommendations become the team's actions; from
then on the plan is the team's: edit, add, remove and reorder. Download it as PDF (the team report) or CSV.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

import ui
from services import assessment as journey
from services.context import InputError, ServiceError
from services.taskmap import GUIDE_ITEM_ID

ERROR_KEY = "layerwise.plan_error"
REMOVED_KEY = "layerwise.plan_removed"
STATUSES = list(journey.STATUS_LABELS)

ctx = ui.context()
current = ui.require_respondent("The action plan")
token = current.token
st.query_params["token"] = token


def report_error(error: Exception) -> None:
    """Keep a message for people about the last edit, shown at the top of the page."""
    if isinstance(error, InputError):
        st.session_state[ERROR_KEY] = "; ".join(
            f"{field}: {message}" for field, message in error.errors.items()
        )
    else:
        st.session_state[ERROR_KEY] = str(error)


def save_field(action_id: int, field: str) -> None:
    """Callback of an action's owner, due date and status widgets: save the one field that changed."""
    value: Any = st.session_state.get(f"action:{action_id}:{field}")
    try:
        journey.update_action(ctx, token, action_id, **{field: value})
    except ServiceError as error:
        report_error(error)
    else:
        st.session_state.pop(ERROR_KEY, None)


def move(action_id: int, offset: int) -> None:
    """Callback of the up and down buttons."""
    try:
        journey.move_action(ctx, token, action_id, offset)
    except ServiceError as error:
        report_error(error)


def remove(action_id: int) -> None:
    """Callback of the remove button: the removed action is kept in the session for "Undo"."""
    try:
        st.session_state[REMOVED_KEY] = journey.remove_action(ctx, token, action_id)
    except ServiceError as error:
        report_error(error)


def undo_remove() -> None:
    """Callback of "Undo": put the action removed last back where it was."""
    removed = st.session_state.pop(REMOVED_KEY, None)
    if removed is None:
        return
    try:
        journey.restore_action(ctx, token, removed)
    except ServiceError as error:
        report_error(error)


def add_recommended(item_id: str) -> None:
    """Callback: add a recommendation that is not in the plan yet."""
    try:
        journey.add_recommended_action(ctx, token, item_id)
    except ServiceError as error:
        report_error(error)


plan = journey.action_plan(ctx, token)

st.title(f"{ui.plain(plan.team)}: action plan")
st.markdown(
    "Ranked so that foundations come first: a layer that holds others down, then the lowest scores, then "
    "divided items and those many people could not answer. Give each action an owner and a date; every "
    "change is saved at once and seen by the whole team."
)
if plan.focus:
    st.markdown(
        "**Focus**\n"
        + "\n".join(f"1. **{ui.plain(area.name)}**: {ui.plain(area.reason)}" for area in plan.focus)
    )
if st.session_state.get(ERROR_KEY):
    st.error(ui.plain(st.session_state.pop(ERROR_KEY)), icon=":material/error:")

removed = st.session_state.get(REMOVED_KEY)
if removed is not None:
    with st.container(horizontal=True, vertical_alignment="center"):
        st.info(
            f"Removed from the plan: {ui.plain(removed.title)}", icon=":material/delete:", width="stretch"
        )
        st.button("Undo", key="undo_remove", on_click=undo_remove, icon=":material/undo:")

if not plan.actions:
    st.info(
        ui.plain(plan.reason or "No actions yet. Add one of your own below."),
        icon=":material/hourglass_empty:",
    )

for index, action in enumerate(plan.actions):
    prefix = f"action:{action.id}"
    initial = {"owner": action.owner, "due_date": action.due_date, "status": action.status}
    for field, value in initial.items():
        # fill from the database when the widget has no value of its own yet (first view, or after a move)
        st.session_state.setdefault(f"{prefix}:{field}", value)
    with st.container(border=True):
        st.markdown(f"**{index + 1}. {ui.plain(action.title)}**")
        st.caption(ui.plain(action.finding) if not action.custom else "Added by the team")
        if action.first_step:
            st.markdown(f"**First step:** {ui.plain(action.first_step)}")
        if (
            action.source_item_id == GUIDE_ITEM_ID
        ):  # the task map page makes the guide; publishing marks this done
            st.page_link(
                "pages/taskmap.py",
                label="Make the guide from the team's task map",
                icon=":material/account_tree:",
                query_params={"token": token},
            )
        if action.kpi:
            st.caption(f"Watch: {ui.plain(action.kpi)}")
        owner_col, due_col, status_col = st.columns(3)
        owner_col.text_input(
            "Owner",
            key=f"{prefix}:owner",
            on_change=save_field,
            args=(action.id, "owner"),
            max_chars=200,
            placeholder="Who makes it happen",
        )
        due_col.date_input(
            "Due",
            value=None,
            key=f"{prefix}:due_date",
            on_change=save_field,
            args=(action.id, "due_date"),
            format="YYYY-MM-DD",
        )
        status_col.selectbox(
            "Status",
            options=STATUSES,
            format_func=journey.STATUS_LABELS.__getitem__,
            key=f"{prefix}:status",
            on_change=save_field,
            args=(action.id, "status"),
        )
        with st.container(horizontal=True, horizontal_alignment="right", gap="small"):
            st.button(
                "Up",
                key=f"{prefix}:up",
                icon=":material/arrow_upward:",
                help="Move this action up",
                on_click=move,
                args=(action.id, -1),
                disabled=index == 0,
                type="tertiary",
            )
            st.button(
                "Down",
                key=f"{prefix}:down",
                icon=":material/arrow_downward:",
                help="Move this action down",
                on_click=move,
                args=(action.id, 1),
                disabled=index == len(plan.actions) - 1,
                type="tertiary",
            )
            st.button(
                "Remove",
                key=f"{prefix}:remove",
                icon=":material/delete:",
                help="Remove this action from the plan",
                on_click=remove,
                args=(action.id,),
                type="tertiary",
            )

st.subheader("Add an action")
if plan.suggestions:
    with st.expander(f"More recommendations ({len(plan.suggestions)})", icon=":material/lightbulb:"):
        for suggestion in plan.suggestions:
            text_col, add_col = st.columns([5, 1], vertical_alignment="center")
            text_col.markdown(f"**{ui.plain(suggestion.title)}**  \n{ui.plain(suggestion.finding)}")
            add_col.button(
                "Add",
                key=f"suggest:{suggestion.item_id}",
                on_click=add_recommended,
                args=(suggestion.item_id,),
                width="stretch",
            )

with st.form("custom_action", clear_on_submit=False, border=True):
    title = st.text_input("Title", max_chars=300, placeholder="What will the team do?", key="custom_title")
    owner_col, due_col = st.columns(2)
    owner = owner_col.text_input("Owner", max_chars=200, key="custom_owner")
    due: date | None = due_col.date_input("Due", value=None, key="custom_due", format="YYYY-MM-DD")
    first_step = st.text_area("First step (optional)", key="custom_first_step", max_chars=2000)
    if st.form_submit_button("Add to the plan", icon=":material/add:"):
        try:
            journey.add_custom_action(
                ctx, token, title=title, owner=owner, due_date=due, first_step=first_step
            )
        except InputError as error:
            for field, message in error.errors.items():
                st.error(f"{field.capitalize()}: {ui.plain(message)}")
        except ServiceError as error:
            st.error(ui.plain(error))
        else:
            for key in ("custom_title", "custom_owner", "custom_due", "custom_first_step"):
                st.session_state.pop(key, None)
            st.rerun()

st.subheader("Download")
pdf_col, csv_col = st.columns(2)
with pdf_col:
    ui.download_button(
        "Team report (PDF)",
        make=lambda: journey.team_report_pdf(ctx, token),
        version=repr(plan),  # remade when the plan changes
        key="plan.pdf",
        file_name=journey.report_file_name(plan.team, "pdf"),
        mime="application/pdf",
        icon=":material/picture_as_pdf:",
        width="stretch",
    )
with csv_col:
    ui.download_button(
        "Action plan (CSV)",
        make=lambda: journey.plan_csv(ctx, token),
        version=repr(plan),
        key="plan.csv",
        file_name=journey.report_file_name(plan.team, "csv"),
        mime="text/csv",
        icon=":material/table:",
        width="stretch",
    )
ui.journey_links(token, "action_plan.py")
