"""Results: the team's stage and index, the layer ladder, the benchmark, items, findings, capacity and KPIs.

Anyone holding a resume link of the assessment sees the team's published results (``services.publication``:
hidden, with the reason, until k people answered; updated only when at least k more did) and, beside them,
their own scores, live. Every chart comes from ``reports.charts`` (the
same functions the PDF uses) and has its numbers as a table underneath.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from reports import chart_summaries, charts, content
from reports.wording import plural
from scoring.rules import format_score
from services import assessment as journey
from services import taskmap as maps
from services.context import InputError

ctx = ui.context()
current = ui.require_respondent("Results")
token = current.token
st.query_params["token"] = token

with st.spinner("Scoring…"):
    view = journey.results(ctx, token)
result = view.result
questionnaire = view.questionnaire

st.title(f"{ui.plain(current.team)}: results")
mode = (
    "one agreed answer set"
    if result.mode == "consensus"
    else f"{plural(result.respondents, 'response')} · anonymity threshold k = {result.k}"
)
st.caption(
    f"{journey.FORM_LABELS[result.form].split(':')[0]} form · {mode} · "
    f"{ui.plain(questionnaire.title)} {ui.plain(result.questionnaire_version)}",
    help="k: team results, and every number computed from individual answers, need at least k people.",
)
if view.wording_warning:
    st.warning(ui.plain(view.wording_warning), icon=":material/edit_note:")
if view.update_note and not result.suppressed:
    st.info(view.update_note, icon=":material/schedule:")

if result.suppressed:
    st.info(
        f"**Team results are hidden to protect anonymity**: {ui.plain(result.suppressed_reason)}. "
        "They appear here as soon as enough people have answered; your own scores are below.",
        icon=":material/visibility_off:",
    )
    if view.update_note:
        st.caption(view.update_note)
    if current.mode == "individual":
        st.caption("Invite more teammates with the link under “Your links” on the Answers page.")
else:
    stage, index, responses = st.columns(3)
    stage.metric(
        "Stage",
        "—" if result.overall.stage is None else f"{result.overall.stage} · {result.overall.stage_name}",
        help="The lowest gated level of the four layers: the team is as mature as its weakest foundation.",
    )
    index.metric(
        "Index",
        "—" if result.overall.index is None else f"{result.overall.index:g} / 100",
        help="All five dimension scores on a 0–100 scale.",
    )
    responses.metric("Responses", result.respondents if result.mode == "individual" else "Consensus")
    page = view.page_one
    if page is not None:
        # the same story as page 1 of the team report (reports.summary.page_one); stage and index are above
        st.caption(f"{ui.plain(page.title)} · results of {ui.plain(page.dated)} · {ui.plain(page.responses)}")
        if page.held_by:
            st.markdown(ui.plain(page.held_by))
        if page.change_rows:
            st.markdown("**Change since the last round**")
            st.dataframe(
                pd.DataFrame(page.change_rows, columns=page.change_columns),
                hide_index=True,
                key="change-table",
            )
            st.caption(ui.plain(page.change_note))
        else:
            st.caption(ui.plain(page.change_note))
        for line in page.paths:
            st.caption(ui.plain(line))
        if page.moved_items or page.follow_ups:
            with st.expander(
                "What moved, item by item, and the earlier round's actions", icon=":material/timeline:"
            ):
                if page.moved_items:
                    st.dataframe(
                        pd.DataFrame(
                            page.moved_items, columns=["Item", "Before", "Now", "Change (95 % interval)"]
                        ),
                        hide_index=True,
                        key="moved-items",
                    )
                for line in page.follow_ups:
                    st.markdown(f"- {ui.plain(line)}")
        strength, opportunities = st.columns(2)
        strength.markdown(f"**Top strength**: {ui.plain(page.strength)}")
        opportunities.markdown(
            "**Top 3 opportunities**\n" + "\n".join(f"1. {ui.plain(text)}" for text in page.opportunities)
        )
        if page.ledger_rows:
            st.markdown("**Capacity: where the freed hours go**")
            st.dataframe(
                pd.DataFrame(page.ledger_rows, columns=page.ledger_columns), hide_index=True, key="ledger-top"
            )
        if page.ledger_note:
            st.caption(ui.plain(page.ledger_note))
        st.markdown(f"**Paradox**: {ui.plain(page.paradox)}")
        st.markdown(
            "**Focus and first actions**\n" + "\n".join(f"1. {ui.plain(text)}" for text in page.focus)
        )
        st.dataframe(
            pd.DataFrame(page.action_rows, columns=["#", "Action", "Owner", "Due"]),
            hide_index=True,
            key="first-actions",
        )
        if page.next_round:
            st.caption(ui.plain(page.next_round))
    if result.overall.missing:
        names = [
            questionnaire.dimension(d).name for d in result.overall.missing if d in result.overall.missing
        ]
        st.caption(f"Left out for lack of answers: {ui.plain(', '.join(names))}.")

    st.subheader("Which foundation holds the team back?")
    st.markdown(
        "The layers build on each other: a layer counts only as far as the one under it allows. "
        "The light bar is the level a layer reached on its own, the dark bar the level that counts."
    )
    ladder = charts.layer_ladder_table(result)
    ui.chart(
        lambda width: charts.layer_ladder(result, width=width),
        "ladder",
        chart_summaries.layer_ladder_summary(ladder),
    )
    capped = [dimension for dimension in result.dimensions if dimension.cap_explanation]
    for dimension in capped:
        st.markdown(f"- {ui.plain(dimension.cap_explanation)}")
    if not capped:
        st.caption("No layer is held down by the one under it.")
    ui.data_table(ladder)

    st.subheader("Where do the gains go?")
    st.markdown(
        "Each item guards against one way AI's gains get eaten: expectation inflation, meta-work, rework, "
        "permission ambiguity or absorbed capacity."
    )
    st.markdown(ui.plain(content.paradox_sentence(questionnaire, result)))
    mechanisms = content.paradox_table(questionnaire, result)
    st.dataframe(
        pd.DataFrame(mechanisms.rows, columns=mechanisms.columns), hide_index=True, key="paradox-table"
    )

    st.subheader("How does the team compare?")
    against_target = charts.target_table(result, view.target_levels, view.previous)
    ui.chart(
        lambda width: charts.target_chart(
            result, view.target_levels, view.previous, previous_label=view.previous_label, width=width
        ),
        "target",
        chart_summaries.target_summary(against_target),
    )
    ui.data_table(against_target)
    if view.target is not None:
        st.caption(f"Target: {view.target.label}.")
    with st.expander("Set the team's target", icon=":material/flag:"):
        st.caption(
            "The level the team aims for on each dimension. Anyone with the team's link can change it; "
            "everyone sees the same target."
        )
        with st.form("targets", border=False):
            chosen = ui.target_sliders(questionnaire, view.target_levels, "target")
            save_col, reset_col = st.columns(2)
            save = save_col.form_submit_button("Save the team's target", icon=":material/save:")
            reset = reset_col.form_submit_button("Use the organisation's default")
        if save or reset:
            try:
                journey.save_team_targets(ctx, token, None if reset else chosen)
            except InputError as error:
                st.error(ui.input_errors(error.errors))
            else:
                for dimension in questionnaire.dimensions:
                    st.session_state.pop(f"target:{dimension.id}", None)
                st.rerun()
    st.caption(ui.plain(view.benchmark_label))
    if view.benchmark is not None:
        against_benchmark = charts.benchmark_table(result, view.benchmark)
        ui.chart(
            lambda width: charts.benchmark_chart(result, view.benchmark, width=width),
            "benchmark",
            chart_summaries.benchmark_summary(against_benchmark),
        )
        ui.data_table(against_benchmark)

    st.subheader("Item by item")
    items = charts.item_heatmap_table(questionnaire, result)
    ui.chart(
        lambda width: charts.item_heatmap(questionnaire, result, width=width),
        "items",
        chart_summaries.item_heatmap_summary(items),
    )
    ui.data_table(items)

    st.subheader("What stands out")
    groups = (
        ("dont_know", "Many “Don't know” answers: people do not know the rules here"),
        ("divided", "The team sees it differently"),
        ("perception_gap", "Leaders and the others see it differently"),
        ("no_score", "Not enough answers for a score"),
    )
    any_finding = False
    for kind, heading in groups:
        messages = [ui.plain(finding.message) for finding in result.findings if finding.kind == kind]
        if messages:
            any_finding = True
            st.markdown(f"**{heading}**\n" + "\n".join(f"- {message}" for message in messages))
    if not any_finding:
        st.caption("No dimension with many “Don't know” answers, and the team broadly agrees.")

    if result.comments:
        st.subheader("Comments")
        for dimension_id, texts in result.comments.items():
            with st.expander(f"{ui.plain(questionnaire.dimension(dimension_id).name)} ({len(texts)})"):
                for text in texts:
                    st.markdown(f"> {ui.plain(text)}")  # people's text, shown as typed
    elif result.comments_hidden_reason:
        st.caption(f"Comments are hidden: {ui.plain(result.comments_hidden_reason)}.")

st.subheader("Where do the freed hours go?")
if (ledger := result.ledger) is not None:
    # the ledger's own summary (scoring.capacity) says in words what the waterfall shows
    ui.chart(lambda width: charts.capacity_waterfall(ledger, width=width), "ledger", ledger.summary)
    ui.data_table(charts.capacity_waterfall_table(ledger))
elif result.ledger_errors:
    st.warning(
        "The outcome figures do not add up, so there is no ledger: "
        + ui.plain("; ".join(f"{field}: {message}" for field, message in result.ledger_errors.items()))
    )
else:
    st.caption(
        "Where do the hours AI frees go? Enter the AI-assisted hours, task-time reduction, meta-work and the "
        "share redeployed on the Outcomes page to see it."
    )
st.page_link(
    "pages/outcomes.py",
    label="Enter or change outcome figures",
    icon=":material/monitoring:",
    query_params={"token": token},
)
guide_note = maps.latest_team_guide(ctx, current.assessment_id)
if guide_note is not None:
    st.info(guide_note.sentence, icon=":material/description:")
st.page_link(
    "pages/taskmap.py",
    label="Map the team's tasks and publish its AI-use guide",
    icon=":material/account_tree:",
    query_params={"token": token},
)

st.subheader("Your outcomes against published figures")
kpi_references = charts.kpi_reference_table(questionnaire, result.kpis)
ui.chart(
    lambda width: charts.kpi_reference_chart(questionnaire, result.kpis, width=width),
    "kpis",
    chart_summaries.kpi_reference_summary(kpi_references),
)
if result.ledger is not None and result.ledger.redeployed_note:
    st.warning(f"Freed capacity deliberately redeployed: {result.ledger.redeployed_note}")
ui.data_table(kpi_references, label="The numbers and their sources")

st.subheader("Your own answers")
if view.own is None:
    st.caption("You have not answered anything yet.")
else:
    st.caption("Only you see this: your own score per dimension, next to the team's.")
    team_scores = {dimension.id: dimension.score for dimension in result.dimensions}
    st.dataframe(
        [
            {
                "Dimension": dimension.name,
                "Your score": "no score" if dimension.score is None else format_score(dimension.score),
                "Your level": dimension.level_name or "–",
                "Team score": "not shown"
                if team_scores.get(dimension.id) is None
                else format_score(team_scores[dimension.id]),
                "Answered": f"{dimension.answered} of {dimension.items}",
                "Don't know": dimension.dont_know,
            }
            for dimension in view.own.dimensions
        ],
        hide_index=True,
        width="stretch",
    )

with st.expander("How scoring works", icon=":material/help:"):
    for name, sentence in journey.scoring_rules():
        st.markdown(f"**{name}.** {sentence}")
    st.page_link("pages/how_scoring_works.py", label="The rules on their own page", icon=":material/rule:")

st.page_link(
    "pages/action_plan.py",
    label="Go to the action plan",
    icon=":material/checklist:",
    query_params={"token": token},
)
ui.journey_links(token, "results.py")
