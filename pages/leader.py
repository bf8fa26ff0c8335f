"""Leader view: every team side by side, behind the leader passcode.

Teams × dimensions heatmap of gated levels, each team against peer percentiles and the benchmark pack, the
trend of each team across rounds, perception gaps (leaders vs others, where both sides pass the anonymity
rule), the items most often divided or "don't know", filters by team and date, and downloads. Every number
comes from scoring, so a team under k shows "suppressed" and no number here, in the PDFs and the exports.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

import ui
from reports.chart_summaries import benchmark_summary, gap_summary, org_heatmap_summary, trend_summary
from reports.charts import (
    benchmark_chart,
    benchmark_table,
    gap_chart,
    gap_table,
    org_heatmap,
    org_heatmap_table,
    same_teams_trend_table,
    trend_chart,
    trend_table,
)
from reports.wording import plural
from services import leader, targets, units
from services.context import InputError, ServiceError
from services.workshop import ThrottledError

OK_KEY = ui.LEADER_OK_KEY
#: A unit leader's session holds the unit their passcode opened (and never OK_KEY, the organisation's).
UNIT_KEY = "leader.unit"
CHART_WIDTH = 760

ctx = ui.context()  # also makes sure a leader passcode exists (generated and logged once if none is set)
st.title("Leader view")

# --- the passcode: nothing else is shown without it -----------------------------------------------------

if not st.session_state.get(OK_KEY) and st.session_state.get(UNIT_KEY) is None:
    st.markdown(
        "Every team side by side. This page is for leaders and needs the leader passcode, or a unit "
        "leader's passcode (it opens that unit only)."
    )
    with st.form("passcode", border=True):
        candidate = st.text_input("Leader passcode", type="password")
        submitted = st.form_submit_button("Open", type="primary")
    if submitted:
        try:
            if units.looks_like_unit_passcode(candidate):
                unit_id = units.check_unit_passcode(ctx, candidate, client_key=ui.client_key())
                if unit_id is not None:
                    st.session_state[UNIT_KEY] = unit_id
                    st.rerun()
            elif leader.check_passcode(
                ctx, candidate, configured=ui.configured_passcode(), client_key=ui.client_key()
            ):
                st.session_state[OK_KEY] = True
                st.rerun()
        except ThrottledError as error:
            st.error(ui.plain(error))
            st.stop()
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
        st.session_state.pop(UNIT_KEY, None)
        st.rerun()

# a unit leader sees their unit and below; the organisation passcode sees everything
scope: int | None = None if st.session_state.get(OK_KEY) else st.session_state.get(UNIT_KEY)
tree = units.unit_tree(ctx, scope=scope)
if scope is not None:
    st.caption(f"Unit leader's view: {ui.plain(units.unit_name(ctx, scope))} and the units below it.")
focus: int | None = scope
if tree:
    labels = {node.id: " " * node.depth + node.name for node in tree}
    options: list[int | None] = [*([None] if scope is None else []), *labels]
    focus = st.selectbox(
        "Unit",
        options=options,
        format_func=lambda unit_id: "The whole organisation" if unit_id is None else labels[unit_id],
        help="Everything below (tables, charts, downloads) covers the teams of this unit and the units below it.",
    )

include_demo = st.toggle("Include demo teams", value=True)
all_teams = leader.list_team_names(ctx, include_demo=include_demo, unit_id=focus)
team_col, date_col = st.columns([3, 2])
chosen = team_col.multiselect("Teams", options=all_teams, placeholder="All teams")
dates = date_col.date_input(
    "Assessments started between", value=(), max_value=date.today(), format="YYYY-MM-DD"
)
since = dates[0] if len(dates) >= 1 else None
until = dates[1] if len(dates) == 2 else None
try:
    view = leader.leader_view(
        ctx, teams=chosen or None, since=since, until=until, include_demo=include_demo, unit_id=focus
    )
except InputError as error:
    st.error(ui.plain("; ".join(error.errors.values())))
    st.stop()

if view.empty:
    st.info("No team has answers in this selection yet.")
    st.stop()

stage_options, blocker_options = leader.standing_options(view)
stage_col, blocker_col = st.columns(2)
chosen_stages = stage_col.multiselect("Stage", options=stage_options, placeholder="Any stage")
chosen_blockers = blocker_col.multiselect(
    "Blocker",
    options=blocker_options,
    placeholder="Any blocker",
    help="The layer that holds a team at its stage: the lowest layer whose level equals the stage.",
)
view = leader.filter_by_standing(view, stages=chosen_stages, blockers=chosen_blockers)
if view.empty:
    st.info("No team has this stage and blocker.")
    st.stop()

if view.left_out:
    with st.expander(f"{plural(len(view.left_out), 'assessment')} not compared here", icon=":material/info:"):
        for reason in view.left_out:
            st.text(reason)  # team names are people's text: shown as typed
suppressed = [result.team for result in view.latest if result.suppressed]
st.caption(
    f"{plural(len(view.latest), 'team')}, latest assessment each. "
    + (
        f"{plural(len(suppressed), 'team has', 'teams have')} fewer responses than their "
        "anonymity threshold and show no numbers."
        if suppressed
        else ""
    )
)

consensus_teams = [result.team for result in view.latest if result.mode == "consensus"]
if consensus_teams:
    st.info(
        "Consensus results (one answer set the team agreed together, not individual answers; the tables "
        "and downloads say so in their mode column):",
        icon=":material/handshake:",
    )
    st.text(", ".join(consensus_teams))  # team names are people's text: shown as typed

unit_tab, heatmap_tab, target_tab, benchmark_tab, trend_tab, gap_tab, hotspot_tab, download_tab = st.tabs(
    [
        "Units",
        "Teams at a glance",
        "Targets and last round",
        "Benchmarks",
        "Trend",
        "Perception gaps",
        "Divided and don't know",
        "Downloads",
    ]
)

with unit_tab:
    rows = units.unit_rows(ctx, view, parent=focus, scope=scope)
    if not tree:
        st.caption(
            "No units yet: enter them under “Edit the structure” below, or import the organisation's "
            "structure with `python cli.py org import FILE.csv`."
        )
    elif rows:
        st.caption(
            "The units directly under the one chosen above. A unit's figures are pooled over its teams' published "
            "results only, so a team without numbers adds nothing and can never be worked out by subtraction."
        )
        st.dataframe(units.rows_as_table(rows), hide_index=True, width="stretch")
    if focus is not None:
        try:
            pooled = units.unit_result(ctx, view, focus)
        except ServiceError as error:
            st.caption(ui.plain(error))
        else:
            st.markdown(
                f"**{ui.plain(pooled.team)}, pooled:** {plural(pooled.respondents, 'person', 'people')} · index "
                f"{'–' if pooled.overall.index is None else pooled.overall.index} · stage "
                f"{'–' if pooled.overall.stage is None else f'{pooled.overall.stage} {pooled.overall.stage_name}'}"
            )
    if scope is None and focus is None:  # the organisation passcode, looking at the whole organisation
        with st.expander("Edit the structure", icon=":material/account_tree:", expanded=not tree):
            st.caption(
                "One row per team (unit, the unit above it, team) and one per unit without teams. Add, change "
                "or delete rows, then save: the whole table is checked first and nothing changes while a row "
                "is wrong. A renamed unit is a new unit, so its leader needs a new unit passcode."
            )
            edited = st.data_editor(
                pd.DataFrame(units.structure_rows(ctx), columns=["unit", "parent_unit", "team"]),
                num_rows="dynamic",
                hide_index=True,
                width="stretch",
                key="structure-editor",
                column_config={
                    "unit": st.column_config.TextColumn("Unit", required=True),
                    "parent_unit": st.column_config.TextColumn("Unit above (empty: top level)"),
                    "team": st.column_config.SelectboxColumn(
                        "Team (empty: a unit without teams)",
                        options=leader.list_team_names(ctx, include_demo=include_demo),
                    ),
                },
            )
            if st.button("Save the structure", icon=":material/save:", key="structure-save"):
                try:
                    saved = units.save_structure_rows(ctx, edited.to_dict("records"))
                except InputError as error:
                    st.error("The structure was not saved:")
                    st.text(error.errors.get("structure", ""))  # unit and team names are people's text
                else:
                    st.session_state.pop("structure-editor", None)
                    st.toast(f"Structure saved: {saved.units} unit(s), {saved.teams} team(s) placed.")
                    st.rerun()
    if scope is None and tree:
        with (
            st.expander("Move a team to another unit", icon=":material/drive_file_move:"),
            st.form("move-team", border=False),
        ):
            team_to_move = st.selectbox(
                "Team", options=leader.list_team_names(ctx, include_demo=include_demo)
            )
            target = st.selectbox(
                "Unit",
                options=[None, *(node.name for node in units.unit_tree(ctx))],
                format_func=lambda name: "No unit" if name is None else name,
            )
            if st.form_submit_button("Move"):
                try:
                    units.assign_team(ctx, team_to_move or "", target)
                except InputError as error:
                    st.error(ui.plain("; ".join(error.errors.values())))
                else:
                    st.rerun()

with heatmap_tab:
    teams_table = org_heatmap_table(view.latest)
    ui.chart(
        lambda width: org_heatmap(view.latest, width=width),
        "teams",
        org_heatmap_summary(teams_table),
        width=CHART_WIDTH,
    )
    ui.data_table(teams_table)

with target_tab:
    st.caption(
        "Each team against its target profile (its own, else the organisation's default, else level 4 "
        "Managed on every dimension) and against its own previous round. A dimension is below target while "
        "its score is under the lowest score of the target level."
    )
    st.dataframe(
        ui.readable_table(pd.DataFrame(leader.target_rows(ctx, view), columns=leader.TARGET_COLUMNS)),
        hide_index=True,
        width="stretch",
        key="leader-targets",
    )
    if scope is None and view.questionnaire is not None:
        with (
            st.expander("Set the organisation's default target", icon=":material/flag:"),
            st.form("organisation-targets", border=False),
        ):
            st.caption("Teams that set no target of their own are measured against this one.")
            default = targets.organisation_targets(ctx, view.questionnaire)
            chosen_levels = ui.target_sliders(view.questionnaire, default.levels, "organisation-target")
            if st.form_submit_button("Save the default target", icon=":material/save:"):
                try:
                    targets.set_organisation_targets(ctx, view.questionnaire, chosen_levels)
                except InputError as error:
                    st.error(ui.input_errors(error.errors))
                else:
                    st.rerun()

with benchmark_tab:
    team = st.selectbox("Team", options=[result.team for result in view.latest])
    result = next(result for result in view.latest if result.team == team)
    peers = view.peers[team]
    scored = [comparison for comparison in peers if comparison.score is not None]
    if scored and all(comparison.percentile is not None for comparison in scored):
        st.markdown(f"**Against the other teams here** ({scored[0].peers} peers)")
        peer_table = benchmark_table(result, peers)
        ui.chart(
            lambda width: benchmark_chart(result, peers, width=width),
            "peers",
            benchmark_summary(peer_table),
            width=CHART_WIDTH,
        )
        ui.data_table(peer_table, label="Peer percentiles as a table")
    else:
        reason = next((c.reason for c in peers if c.reason), "not enough peer teams")
        st.caption(f"No peer percentiles: {ui.plain(reason)}.")
    if view.pack is not None:
        sizes = ", ".join(sorted({str(row.n) for row in view.pack.rows}))
        st.markdown(
            f"**Against the imported pack** {ui.plain(view.pack.source_name)}: {ui.plain(view.pack.label)} "
            f"(n = {sizes} teams)"
        )
        pack_table = benchmark_table(result, view.pack)
        ui.chart(
            lambda width: benchmark_chart(result, view.pack, width=width),
            "pack",
            benchmark_summary(pack_table),
            width=CHART_WIDTH,
        )
        ui.data_table(pack_table, label="Pack percentiles as a table")
    else:
        st.caption(
            "No measured benchmark pack imported (python cli.py pack import); each team's report compares "
            "it with its target and its previous round."
        )

with trend_tab:
    st.caption(
        "Rounds are calendar quarters; a team's latest assessment in a quarter counts. With many teams, the "
        "blue line is the median of the same teams from one round to the next (teams with complete results "
        "in both), with its n at every point, so teams joining or leaving never move it."
    )
    highlight = st.selectbox(
        "Highlight a team", options=[result.team for result in view.latest], index=None, placeholder="None"
    )
    trend = trend_table(list(view.rounds))
    ui.chart(
        lambda width: trend_chart(list(view.rounds), width=width, highlight=highlight),
        "trend",
        trend_summary(trend, highlight=highlight),
        width=CHART_WIDTH,
    )
    ui.data_table(trend)
    ui.data_table(
        same_teams_trend_table(list(view.rounds)),
        label="The median of the same teams, round to round (with n)",
    )

with gap_tab:
    st.caption(
        "Leaders' mean minus the other roles' mean; shown only where both groups pass the anonymity rule."
    )
    gaps = gap_table(list(view.latest))
    ui.chart(
        lambda width: gap_chart(list(view.latest), width=width),
        "gaps",
        gap_summary(gaps),
        width=CHART_WIDTH,
    )
    ui.data_table(gaps)

with hotspot_tab:
    if not view.hotspots:
        st.caption('No item is divided or mostly "don\'t know" in any team with enough answers.')
    for hotspot in view.hotspots:
        with st.container(border=True):
            st.markdown(f"**{ui.plain(hotspot.dimension)}**: {ui.plain(hotspot.question)}")
            st.caption(
                f'Divided in {plural(hotspot.divided_teams, "team")} · "don\'t know" from 30 % or more in '
                f"{plural(hotspot.dont_know_teams, 'team')} · "
                f"{plural(hotspot.teams_with_numbers, 'team')} with enough answers"
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
                make=lambda format=format: leader.export_results(ctx, view, format),
                version=view.fingerprint,
                key=f"leader.{format}",
                file_name=f"layerwise-teams.{format}",
                mime=mime,
                width="stretch",
            )
    organisation = leader.organisation_name(ctx)
    if scope is None:
        with (
            st.expander("Organisation name on the report", icon=":material/badge:"),
            st.form("organisation-name", border=False),
        ):
            typed = st.text_input(
                "Organisation name",
                value=organisation,
                max_chars=leader.ORGANISATION_MAX,
                key="leader.organisation",
                help="Printed on the organisation report; leave empty to speak of all teams.",
            )
            if st.form_submit_button("Save name"):
                try:
                    organisation = leader.set_organisation_name(ctx, typed)
                except InputError as error:
                    st.error(ui.plain("; ".join(error.errors.values())))
                else:
                    st.success("Saved: the organisation report carries the new name.")
    pdf_col, zip_col = st.columns(2)
    if not leader.pdf_available():
        st.caption("PDF reports are not available in this installation.")
    else:
        leader.prepare_team_zip(view)  # its renderers warm up while the leader reads the page
        # a unit leader's (or a drilled-down) PDF is the unit report
        first_report = (
            ("Organisation PDF", leader.org_pdf, "layerwise-organisation.pdf")
            if focus is None
            else (
                "Unit report (PDF)",
                lambda ctx, view: units.unit_pdf(ctx, view, focus),
                "layerwise-unit.pdf",
            )
        )
        reports = (
            (pdf_col, *first_report, "application/pdf"),
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
                zipped = mime == "application/zip"
                ui.download_button(
                    label,
                    make=(lambda progress, make=make: make(ctx, view, progress))
                    if zipped
                    else (lambda make=make: make(ctx, view)),
                    progress="team reports" if zipped else None,
                    version=(view.fingerprint, focus, organisation),
                    key=f"leader.{file_name}",
                    file_name=file_name,
                    mime=mime,
                    icon=":material/folder_zip:" if zipped else ":material/picture_as_pdf:",
                    width="stretch",
                    # a report per team costs minutes of every core for a large organisation: made when asked
                    on_request=f"Prepare {plural(len(view.latest), 'team report')} (ZIP)" if zipped else None,
                )
