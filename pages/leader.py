"""Leader view: every team side by side, behind the leader passcode.

Teams × dimensions heatmap of gated levels, each team against peer percentiles and the benchmark pack, the
trend of each team across rounds, perception gaps (leaders vs others, where both sides pass the anonymity
rule), the items most often divided or "don't know", filters by team and date, and downloads. Every number
comes from scoring, so a team under k shows "suppressed" and no number here, in the PDFs and the exports.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

import ui
from reports.charts import (
    benchmark_chart,
    benchmark_table,
    gap_chart,
    gap_table,
    org_heatmap,
    org_heatmap_table,
    trend_chart,
    trend_table,
)
from services import leader
from services.context import InputError
from services.workshop import ThrottledError

OK_KEY = "leader.ok"
CHART_WIDTH = 760

ctx = ui.context()
ui.leader_passcode_ready()  # app.py ensures it after each page; this page needs it before
st.title("Leader view")

# --- the passcode: nothing else is shown without it -----------------------------------------------------

if not st.session_state.get(OK_KEY):
    st.markdown("Every team side by side. This page is for leaders and needs the leader passcode.")
    with st.form("passcode", border=True):
        candidate = st.text_input("Leader passcode", type="password")
        submitted = st.form_submit_button("Open", type="primary")
    if submitted:
        try:
            ok = leader.check_passcode(
                ctx, candidate, configured=ui.configured_passcode(), client_key=ui.client_key()
            )
        except ThrottledError as error:
            st.error(ui.plain(error))
            st.stop()
        if ok:
            st.session_state[OK_KEY] = True
            st.rerun()
        st.error("That is not the leader passcode.")
    st.caption(
        "The passcode comes from LAYERWISE_ADMIN_PASSCODE or the app's secrets; when neither is set, the "
        "server generated one on its first start and printed it once in its log."
    )
    st.stop()

# --- filters -----------------------------------------------------------------------------------------------

with st.sidebar:
    if st.button("Lock the leader view", icon=":material/lock:"):
        st.session_state.pop(OK_KEY, None)
        st.rerun()

include_demo = st.toggle("Include demo teams", value=True)
all_teams = leader.list_team_names(ctx, include_demo=include_demo)
team_col, date_col = st.columns([3, 2])
chosen = team_col.multiselect("Teams", options=all_teams, placeholder="All teams")
dates = date_col.date_input(
    "Assessments started between", value=(), max_value=date.today(), format="YYYY-MM-DD"
)
since = dates[0] if len(dates) >= 1 else None
until = dates[1] if len(dates) == 2 else None
try:
    view = leader.leader_view(ctx, teams=chosen or None, since=since, until=until, include_demo=include_demo)
except InputError as error:
    st.error(ui.plain("; ".join(error.errors.values())))
    st.stop()

if view.empty:
    st.info("No team has answers in this selection yet.")
    st.stop()

if view.left_out:
    with st.expander(f"{len(view.left_out)} assessment(s) not compared here", icon=":material/info:"):
        for reason in view.left_out:
            st.text(reason)  # team names are people's text: shown as typed
suppressed = [result.team for result in view.latest if result.suppressed]
st.caption(
    f"{len(view.latest)} team(s), latest assessment each. "
    + (
        f"{len(suppressed)} team(s) have fewer responses than their anonymity threshold and show no numbers."
        if suppressed
        else ""
    )
)

heatmap_tab, benchmark_tab, trend_tab, gap_tab, hotspot_tab, download_tab = st.tabs(
    ["Teams at a glance", "Benchmarks", "Trend", "Perception gaps", "Divided and don't know", "Downloads"]
)

with heatmap_tab:
    st.altair_chart(org_heatmap(view.latest, width=CHART_WIDTH), theme=None)
    ui.data_table(org_heatmap_table(view.latest))

with benchmark_tab:
    team = st.selectbox("Team", options=[result.team for result in view.latest])
    result = next(result for result in view.latest if result.team == team)
    peers = view.peers[team]
    scored = [comparison for comparison in peers if comparison.score is not None]
    if scored and all(comparison.percentile is not None for comparison in scored):
        st.markdown(f"**Against the other teams here** ({scored[0].peers} peers)")
        st.altair_chart(benchmark_chart(result, peers, width=CHART_WIDTH), theme=None)
        ui.data_table(benchmark_table(result, peers), label="Peer percentiles as a table")
    else:
        reason = next((c.reason for c in peers if c.reason), "not enough peer teams")
        st.caption(f"No peer percentiles: {ui.plain(reason)}.")
    st.markdown(f"**Against the benchmark pack**: {ui.plain(view.pack.label)}")
    st.altair_chart(benchmark_chart(result, view.pack, width=CHART_WIDTH), theme=None)
    ui.data_table(benchmark_table(result, view.pack), label="Pack percentiles as a table")

with trend_tab:
    st.caption("Rounds are calendar quarters; a team's latest assessment in a quarter counts.")
    highlight = st.selectbox(
        "Highlight a team", options=[result.team for result in view.latest], index=None, placeholder="None"
    )
    st.altair_chart(trend_chart(list(view.rounds), width=CHART_WIDTH, highlight=highlight), theme=None)
    ui.data_table(trend_table(list(view.rounds)))

with gap_tab:
    st.caption(
        "Leaders' mean minus the other roles' mean; shown only where both groups pass the anonymity rule."
    )
    st.altair_chart(gap_chart(list(view.latest), width=CHART_WIDTH), theme=None)
    ui.data_table(gap_table(list(view.latest)))

with hotspot_tab:
    if not view.hotspots:
        st.caption('No item is divided or mostly "don\'t know" in any team with enough answers.')
    for hotspot in view.hotspots:
        with st.container(border=True):
            st.markdown(f"**{ui.plain(hotspot.dimension)}**: {ui.plain(hotspot.question)}")
            st.caption(
                f'Divided in {hotspot.divided_teams} team(s) · "don\'t know" from 30 % or more in '
                f"{hotspot.dont_know_teams} team(s) · {hotspot.teams_with_numbers} team(s) with enough answers"
            )

with download_tab:
    st.markdown(
        "Aggregates only: a team or dimension under its anonymity threshold has no numbers in any of these. "
        "Raw pseudonymised answers are the administrator's data export (`python cli.py export`), not a "
        "leader download."
    )
    csv_col, json_col, xlsx_col = st.columns(3)
    for column, format, mime in (
        (csv_col, "csv", "text/csv"),
        (json_col, "json", "application/json"),
        (xlsx_col, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ):
        with column:
            ui.download_button(
                f"Results as {format.upper()}",
                make=lambda format=format: leader.export_results(view, format),
                version=view.fingerprint,
                key=f"leader.{format}",
                file_name=f"layerwise-teams.{format}",
                mime=mime,
                width="stretch",
            )
    pdf_col, zip_col = st.columns(2)
    if not leader.pdf_available():
        st.caption("PDF reports are not available in this installation.")
    else:
        reports = (
            (pdf_col, "Organisation PDF", leader.org_pdf, "layerwise-organisation.pdf", "application/pdf"),
            (
                zip_col,
                "One PDF per team (ZIP)",
                leader.team_pdfs_zip,
                "layerwise-team-reports.zip",
                "application/zip",
            ),
        )
        for column, label, make, file_name, mime in reports:
            with column:
                ui.download_button(
                    label,
                    make=lambda make=make: make(ctx, view),
                    version=view.fingerprint,
                    key=f"leader.{file_name}",
                    file_name=file_name,
                    mime=mime,
                    icon=":material/folder_zip:"
                    if mime == "application/zip"
                    else ":material/picture_as_pdf:",
                    width="stretch",
                )
