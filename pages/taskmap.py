"""Task map: the team's recurring activities per role, the AI decision for each, and the guide it produces.

Team-level data, like the outcome figures: anyone with the team's link (or, for a workshop team, the
facilitator's link: ``/task-map?workshop=…``) edits it, each change is saved at
once, and the last saved map counts. A change that does not fit is refused with a message under each field
it concerns (and a list for other rows it affects); the form keeps what was typed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import streamlit as st

import ui
from reports import chart_summaries, charts
from services import taskmap as maps
from services.context import InputError, ServiceError

ctx = ui.context()
facilitator = (st.query_params.get("workshop") or "").strip()
token: str | None = None
if facilitator:  # a workshop's facilitator: the task map of each team of the workshop
    try:
        teams = maps.workshop_teams(ctx, facilitator)
    except ServiceError as error:
        st.error(ui.plain(error))
        st.stop()
    picked = st.selectbox(
        "Workshop team", range(len(teams)), format_func=lambda index: teams[index].team, key="tm:team"
    )
    access = teams[picked or 0]
else:
    token = ui.require_respondent("Making a task map").token
    st.query_params["token"] = token
    access = maps.access_for_token(ctx, token)
assessment_id = access.assessment_id
if st.session_state.get("tm:assessment") != assessment_id:  # another team: forget the other's forms
    for key in [key for key in st.session_state if str(key).startswith("tm:") and key != "tm:team"]:
        del st.session_state[key]
    st.session_state["tm:assessment"] = assessment_id

DECISIONS = {"ai_freely": "AI freely", "ai_with_review": "AI with review", "human_only": "Human only"}
REASONS = {
    "judgment": "Needs human judgment",
    "client_trust": "Client trust",
    "regulation": "Regulation",
    "data_class": "Data class not allowed in AI tools",
}
#: The fields of each section, in form order: (field, label, kind, help).
FIELDS: dict[str, list[tuple[str, str, str, str]]] = {
    "roles": [
        ("name", "Role", "text", "A role on the team, e.g. 'Agent'."),
        ("people", "People in the role", "int", "How many people hold this role (1–10,000)."),
    ],
    "activities": [
        ("role", "Role", "role", "The role that does this activity."),
        ("name", "Activity", "text", "A recurring activity, e.g. 'Drafting ticket replies'."),
        (
            "hours_per_week",
            "Hours per person per week, now",
            "float",
            "What the activity takes per person in the role per week today (for an AI activity: with AI, "
            "without the review around it) (0–80).",
        ),
        ("decision", "Decision", "decision", "AI freely, AI with review, or human only."),
        (
            "reduction_pct",
            "Expected task-time reduction (%)",
            "float",
            "AI activities: how much less time the activity takes than before AI, as a share of the time it "
            "used to take (0 to below 100). 30 % on 7 h now means it took 10 h before.",
        ),
        ("review_minutes", "Review minutes per occurrence", "float", "AI with review: minutes per review."),
        (
            "occurrences_per_week",
            "Occurrences per week",
            "float",
            "AI with review: reviews per person per week.",
        ),
        (
            "review_hours_per_week",
            "…or review hours per week",
            "float",
            "AI with review: review time per person per week, instead of minutes × occurrences.",
        ),
        ("reason", "Why human only", "reason", "Human only: why the activity stays with people."),
    ],
    "redeployments": [
        ("role", "Role", "role", "The role whose freed hours go here."),
        ("destination", "Destination", "text", "Growth work, quality, learning, less overtime…"),
        ("hours_per_week", "Hours per person per week", "float", "Hours per person in the role (0–80)."),
    ],
}
TITLES = {"roles": "Roles", "activities": "Activities", "redeployments": "Where freed hours go"}
NOUNS = {"roles": "role", "activities": "activity", "redeployments": "destination"}

st.title("Task map")
st.markdown(
    "List what each role on the team does every week, and decide for each activity whether AI is used "
    "**freely**, **with review**, or **not at all**. Hours are per person in the role, per week, as the "
    "activity takes them **now**; for AI activities, the reduction says how much less time they take than "
    "**before**. Once the map has an AI activity, the capacity ledger on Results and in the PDF comes from "
    "it instead of the single Outcomes figures. Anyone with the team's link can edit it."
)

view = maps.task_map_for_assessment(ctx, assessment_id)
data: dict[str, list[dict[str, Any]]] = (
    view.task_map.model_dump(mode="json") if view.task_map is not None else {s: [] for s in FIELDS}
)
role_names = [role["name"] for role in data["roles"]]

with st.expander("Start from a template", expanded=view.task_map is None):
    templates = {template.id: template for template in maps.templates()}
    chosen = st.selectbox(
        "Template",
        list(templates),
        format_func=lambda template_id: templates[template_id].title,
        key="tm:template",
    )
    st.caption(ui.plain(templates[chosen].description))
    if view.task_map is not None:
        st.caption("Starting from a template replaces the task map below.")
    if st.button("Use this template", key="tm:use-template", icon=":material/content_copy:"):
        maps.start_from_template_for_assessment(ctx, assessment_id, chosen)
        st.rerun()


def _row_label(section: str, index: int | str) -> str:
    if index == "new":
        return f"New {NOUNS[section]}"
    row = data[section][int(index)]
    text = row.get("name") or row.get("destination") or ""
    return f"{int(index) + 1}. {text}" + (f" ({row['role']})" if section != "roles" else "")


def _load(section: str, pick: int | str) -> None:
    """Fill the section's form with the picked row (or empty it for a new one)."""
    row = {} if pick == "new" else data[section][int(pick)]
    for field, _, kind, _ in FIELDS[section]:
        value = row.get(field)
        if kind == "text" and value is None:
            value = ""
        if kind == "role" and value is None:
            value = role_names[0] if role_names else None
        if kind == "decision" and value is None:
            value = "ai_with_review"
        st.session_state[f"tm:{section}:{field}"] = value
    st.session_state[f"tm:{section}:loaded"] = pick
    st.session_state.pop(f"tm:{section}:errors", None)


def _widget(section: str, field: str, label: str, kind: str, help_text: str) -> None:
    key = f"tm:{section}:{field}"
    if kind == "text":
        st.text_input(label, key=key, help=help_text, max_chars=120)
    elif kind == "int":
        st.number_input(label, key=key, value=None, step=1, help=help_text, placeholder="e.g. 6")
    elif kind == "float":
        st.number_input(label, key=key, value=None, step=0.5, format="%.1f", help=help_text)
    elif kind == "role":
        st.selectbox(label, role_names, key=key, help=help_text, index=None, placeholder="Choose a role")
    elif kind == "decision":
        st.selectbox(label, list(DECISIONS), format_func=DECISIONS.get, key=key, help=help_text)
    else:
        st.selectbox(
            label,
            list(REASONS),
            format_func=REASONS.get,
            key=key,
            help=help_text,
            index=None,
            placeholder="—",
        )
    message = st.session_state.get(f"tm:{section}:errors", {}).get(field)
    if message:
        st.error(f"{label}: {ui.plain(message)}", icon=":material/error:")


def editor(section: str) -> None:
    """A section's rows as a table, and a form to add, edit or remove one row."""
    st.subheader(TITLES[section])
    rows = data[section]
    if rows:
        columns = {"row": st.column_config.NumberColumn("Row")} | {
            field: st.column_config.Column(label) for field, label, *_ in FIELDS[section]
        }
        shown = [{"row": index + 1, **row} for index, row in enumerate(rows)]
        st.dataframe(
            shown, hide_index=True, width="stretch", column_config=columns, column_order=list(columns)
        )
    picks: list[int | str] = ["new", *range(len(rows))]
    pending = st.session_state.pop(f"tm:{section}:next", None)
    if pending is not None:
        st.session_state[f"tm:{section}:pick"] = pending
    if st.session_state.get(f"tm:{section}:pick") not in picks:
        st.session_state[f"tm:{section}:pick"] = "new"
    pick = st.selectbox(
        f"Add or edit a{'n' if NOUNS[section][0] in 'aeiou' else ''} {NOUNS[section]}",
        picks,
        format_func=lambda index: _row_label(section, index),
        key=f"tm:{section}:pick",
    )
    if st.session_state.get(f"tm:{section}:loaded") != pick:
        _load(section, pick)
    with st.form(f"tm-{section}", border=True):
        for field, label, kind, help_text in FIELDS[section]:
            _widget(section, field, label, kind, help_text)
        with st.container(horizontal=True):
            save = st.form_submit_button(
                f"Add {NOUNS[section]}" if pick == "new" else "Save changes",
                type="primary",
                icon=":material/save:",
            )
            remove = pick != "new" and st.form_submit_button("Remove", icon=":material/delete:")
    others = st.session_state.get(f"tm:{section}:others", [])
    for message in others:
        st.error(ui.plain(message), icon=":material/error:")
    if save or remove:
        row = None if pick == "new" else int(pick)
        values = {field: st.session_state.get(f"tm:{section}:{field}") for field, *_ in FIELDS[section]}
        try:
            if remove:
                maps.remove_row_for_assessment(ctx, assessment_id, section, int(pick))  # type: ignore[arg-type]
            else:
                maps.save_row_for_assessment(ctx, assessment_id, section, row, values)  # type: ignore[arg-type]
        except maps.TaskMapInputError as error:
            mine, others = error.split(section, len(rows) if row is None else row)
            st.session_state[f"tm:{section}:errors"] = mine
            st.session_state[f"tm:{section}:others"] = others
        except ServiceError as error:
            st.session_state[f"tm:{section}:others"] = [str(error)]
        else:
            st.session_state.pop(f"tm:{section}:errors", None)
            st.session_state.pop(f"tm:{section}:others", None)
            st.session_state[f"tm:{section}:next"] = "new"
            st.session_state[f"tm:{section}:loaded"] = None
            st.session_state["tm:saved"] = "Removed." if remove else "Saved."
        st.rerun()


for name in FIELDS:
    editor(name)
    if any(st.session_state.get(f"tm:{name}:errors", {}).values()) or st.session_state.get(
        f"tm:{name}:others"
    ):
        st.warning("Not saved: change what the messages name. What you typed is still in the form.")

saved_note = st.session_state.pop("tm:saved", None)
if saved_note:
    st.success(f"{saved_note} The task map is up to date.", icon=":material/check_circle:")

if view.totals is not None:
    st.subheader("Totals")
    st.dataframe(
        [
            {
                "role": row.role,
                "people": row.people,
                "AI hours now": row.team("ai_hours_now"),
                "AI hours before": row.team("ai_hours_before"),
                "freed": row.team("freed_hours"),
                "review": row.team("review_hours"),
                "net": row.team("net_hours"),
                "redeployed": row.team("redeployed_hours"),
                "absorbed": row.team("absorbed_hours"),
            }
            for row in view.totals.roles
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption("Hours per week for everyone in the role (per person × people).")
    if view.ledger is not None:
        st.markdown(ui.plain(view.ledger.summary))
    week = charts.role_week_table(view.week)
    ui.chart(
        lambda width: charts.role_week_chart(view.week, width=width),
        "role-week",
        chart_summaries.role_week_summary(week),
    )
    ui.data_table(week)

st.subheader("Import or export (CSV)")
if view.task_map is not None:
    ui.download_button(
        "Download the task map (CSV)",
        make=lambda: maps.export_csv_for_assessment(ctx, view.assessment_id),
        version=repr(view.task_map),
        key="tm:csv",
        file_name=maps.file_name(view.team, "task-map", "csv"),
        mime="text/csv",
        icon=":material/download:",
    )
upload = st.file_uploader("Replace the task map with a CSV file", type=["csv"], key="tm:upload")
if upload is not None and st.button("Import", key="tm:import", icon=":material/upload:"):
    try:
        maps.import_csv_for_assessment(ctx, assessment_id, upload.getvalue(), upload.name)
    except (ValueError, ServiceError) as error:
        st.session_state["tm:import-errors"] = maps.error_lines(error)
    else:
        st.session_state.pop("tm:import-errors", None)
        st.session_state["tm:saved"] = "Imported."
    st.rerun()
for message in st.session_state.get("tm:import-errors", []):
    st.error(ui.plain(message), icon=":material/error:")

st.subheader("One-page AI-use guide")
published = maps.guides_for_assessment(ctx, assessment_id)
if view.task_map is None or not view.task_map.activities:
    st.info("Add activities first: the guide lists them in its three columns.")
else:
    defaults = maps.guide_form_start(ctx, assessment_id, datetime.now(UTC).date())
    for index in range(4):
        rule = defaults["data_rules"][index] if index < len(defaults["data_rules"]) else {}
        st.session_state.setdefault(f"tm:guide:class{index}", rule.get("data_class", ""))
        st.session_state.setdefault(f"tm:guide:tools{index}", rule.get("tools", ""))
    st.session_state.setdefault("tm:guide:contact_name", defaults["contact_name"])
    st.session_state.setdefault("tm:guide:contact_response", defaults["contact_response"])
    st.session_state.setdefault("tm:guide:review_date", defaults["review_date"])
    guide_errors: dict[str, str] = st.session_state.get("tm:guide:errors", {})
    with st.form("tm-guide", border=True):
        st.markdown(
            "**Data rules**: which data may go into which approved AI tools (leave tools empty for none)"
        )
        for index in range(4):
            left, right = st.columns(2)
            left.text_input(f"Data class {index + 1}", key=f"tm:guide:class{index}", max_chars=120)
            right.text_input(f"Approved tools {index + 1}", key=f"tm:guide:tools{index}", max_chars=300)
        st.text_input("Who decides grey zones (a named person)", key="tm:guide:contact_name", max_chars=120)
        st.text_input("How soon they answer", key="tm:guide:contact_response", max_chars=120)
        st.date_input("Review date (quarterly by default)", key="tm:guide:review_date")
        for field, message in guide_errors.items():
            st.error(f"{ui.plain(field.capitalize())}: {ui.plain(message)}", icon=":material/error:")
        publish = st.form_submit_button("Publish the guide", type="primary", icon=":material/publish:")
    if publish:
        form = {
            "data_rules": [
                {
                    "data_class": st.session_state[f"tm:guide:class{i}"],
                    "tools": st.session_state[f"tm:guide:tools{i}"],
                }
                for i in range(4)
                if str(st.session_state[f"tm:guide:class{i}"]).strip()
            ],
            "contact_name": st.session_state.get("tm:guide:contact_name", ""),
            "contact_response": st.session_state.get("tm:guide:contact_response", ""),
            "review_date": st.session_state.get("tm:guide:review_date"),
        }
        try:
            guide = maps.publish_guide_for_assessment(ctx, assessment_id, form)
        except InputError as error:
            st.session_state["tm:guide:errors"] = error.errors
        else:
            st.session_state.pop("tm:guide:errors", None)
            st.session_state["tm:saved"] = f"Guide version {guide.version} published."
        st.rerun()
if published:
    newest = published[-1]
    st.markdown(
        f"Published versions: {', '.join(str(g.version) for g in published)}. Newest: version {newest.version}."
    )
    with st.container(horizontal=True):
        for fmt, label in (("pdf", "PDF"), ("md", "Markdown"), ("html", "HTML")):
            ui.download_button(
                f"Guide v{newest.version} ({label})",
                make=lambda fmt=fmt: maps.guide_file_for_assessment(ctx, view.assessment_id, fmt)[0],  # type: ignore[misc]
                version=(newest.version, fmt),
                key=f"tm:guide:{fmt}",
                file_name=maps.file_name(view.team, f"ai-use-guide-v{newest.version}", fmt),
                mime=maps.MEDIA_TYPES[fmt],
                icon=":material/download:",
            )

if token is not None:
    ui.journey_links(token, "taskmap.py")
else:
    st.page_link(
        "pages/facilitate.py",
        label="Back to the workshop",
        icon=":material/co_present:",
        query_params={"token": facilitator},
    )
