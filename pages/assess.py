"""Assess: the questionnaire, one dimension per step, every choice saved the moment it is made.

The URL holds the resume token (``?token=…``) and the step (``&step=2``), so reloading the page, or opening
the link on another device, restores every answer from the database. Each item shows its question and its
five level descriptions in full, plus "Don't know"; each dimension has an optional comment. Finishing with
unanswered items lists them and does not block.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import streamlit as st

import ui
from reports.wording import plural
from services import assessment as journey
from services.context import ServiceError, StorageBusyError

ANSWERS_KEY = "layerwise.answers"
COMMENTS_KEY = "layerwise.comments"
PENDING_KEY = "layerwise.pending"
ERROR_KEY = "layerwise.save_error"
STEP_KEY = "layerwise.step"
SCROLL_KEY = "layerwise.scroll_pending"
FINISH_KEY = "layerwise.finish_report"
LINKS_KEY = "layerwise.links_open"
NOT_SAVED_KEY = "layerwise.not_saved"
MOVED_KEY = "layerwise.step_moved"
PENDING_NEW_KEY = "layerwise.pending_new"
SAVED_STEP_KEY = "layerwise.step_saved"
COMMENT_SAVED_KEY = "layerwise.comment_saved"
DONE = "done"

ctx = ui.context()
current = ui.require_respondent("Answering")
token = current.token
questionnaire = ui.questionnaire(current.questionnaire_id, current.questionnaire_version)
steps = journey.steps(questionnaire, current.form)
options: list[Any] = [1, 2, 3, 4, 5, journey.DONT_KNOW]

# The answers as this session knows them (item id → choice); loaded from the database once per token.
if st.session_state.get(ANSWERS_KEY, (None,))[0] != token:
    stored = {item_id: current.choice(item_id) for item_id in current.answers}
    st.session_state[ANSWERS_KEY] = (token, stored)
    st.session_state[COMMENTS_KEY] = dict(current.comments)
    st.session_state[PENDING_KEY] = {}
answers: dict[str, Any] = st.session_state[ANSWERS_KEY][1]
comments: dict[str, str] = st.session_state[COMMENTS_KEY]
pending: dict[str, Any] = st.session_state[PENDING_KEY]


def save_answer(item_id: str, item_step: int, question: str) -> None:
    """Callback of every radio: save the new choice at once; keep it to retry if saving fails.

    Only an item of the step the person is on is saved: a click that reaches the server after "Next" or
    "Back" moved on (the old step was still on screen) is undone, and the page says it was not saved.
    """
    key = f"answer:{item_id}"
    choice = st.session_state.get(key)
    on_step = st.session_state.get(STEP_KEY)
    if on_step != item_step:
        st.session_state[key] = answers.get(item_id)  # the widget shows the saved answer again
        where = "the end" if on_step == DONE else f"step {on_step}"
        st.session_state[NOT_SAVED_KEY] = (
            f'Not saved: your click on "{question}" (step {item_step}) arrived after you had moved on to '
            f"{where}. Its answer is unchanged; go back to step {item_step} to change it."
        )
        return
    st.session_state.pop(NOT_SAVED_KEY, None)
    pending.pop(item_id, None)  # the newest choice wins over one still waiting
    try:
        journey.save_answer(ctx, token, item_id, choice)
    except StorageBusyError as error:
        # kept, and saved by ui.pending_notice once the database is back
        ui.keep_unsaved(pending, item_id, choice, error)
        st.session_state[PENDING_NEW_KEY] = True
    except ServiceError as error:
        st.session_state[ERROR_KEY] = str(error)
    else:
        st.session_state.pop(ERROR_KEY, None)
    if choice is None:
        answers.pop(item_id, None)
    else:
        answers[item_id] = choice


def save_comment(dimension_id: str) -> None:
    """Callback of a dimension's comment box: save (or, when emptied, remove) the comment."""
    text = st.session_state.get(f"comment:{dimension_id}") or ""
    try:
        journey.save_comment(ctx, token, dimension_id, text)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = f"Your comment on {dimension_id} was not saved: {error}"
    else:
        comments[dimension_id] = text
        st.session_state.setdefault(COMMENT_SAVED_KEY, {})[dimension_id] = datetime.now(UTC)
        st.session_state.pop(ERROR_KEY, None)


def go_to(step: int | str, item_id: str | None = None) -> None:
    """Move to another step (a number from 1, or the finish screen): to its top, or to one of its items."""
    st.session_state[STEP_KEY] = step
    st.session_state[MOVED_KEY] = True
    st.session_state[SCROLL_KEY] = item_anchor(item_id) if item_id else True


def item_anchor(item_id: str) -> str:
    """The key of an item's box on the page (letters, digits and dashes, so it is also a CSS class)."""
    return "item-" + re.sub(r"[^A-Za-z0-9]+", "-", item_id)


def finish() -> None:
    """Finish: mark the respondent as done and keep the list of what is still unanswered."""
    try:
        st.session_state[FINISH_KEY] = journey.finish(ctx, token)
    except ServiceError as error:
        st.session_state[ERROR_KEY] = str(error)
        return
    go_to(DONE)


def parse_step(text: str | None) -> int | str | None:
    """A step as the URL or the database holds it ("2", "done"); None for anything else."""
    return DONE if text == DONE else int(text) if text and text.isdigit() else None


# The step: just moved (Next, Back, "Answer it") → the new one; else the URL's (a reload, the browser's Back
# and Forward, which reruns the page with that history entry's URL); else this session's; else where the
# person left off last time (the resume link carries no step); else the first one.
moved = st.session_state.pop(MOVED_KEY, False)
url_step = None if moved else parse_step(st.query_params.get("step"))
step = url_step or st.session_state.get(STEP_KEY) or parse_step(current.step) or 1
if step != DONE:
    step = min(max(int(step), 1), len(steps))
st.session_state[STEP_KEY] = step
# Each assignment to st.query_params sends the browser a message (a new history entry, so the browser's Back
# returns to the previous step), so only what changed is written.
for name, value in (("token", token), ("step", str(step))):
    if st.query_params.get(name) != value:
        st.query_params[name] = value
# Where the person is, for the resume link: written once per step change, never per click.
if st.session_state.get(SAVED_STEP_KEY) != (token, step) and current.is_open:
    try:
        journey.save_step(ctx, token, step)
    except ServiceError:
        pass  # only where the resume link reopens; the answers do not depend on it, and the next move retries
    else:
        st.session_state[SAVED_STEP_KEY] = (token, step)
scroll = st.session_state.pop(SCROLL_KEY, False)
if scroll:
    ui.scroll_to_top(None if scroll is True else scroll)

total = sum(len(items) for _, items in steps)
answered = sum(1 for _, items in steps for item in items if item.id in answers)

st.header(ui.plain(current.team), anchor=False)
mode_text = "one agreed answer set for the team" if current.mode == "consensus" else "your own answers"
st.caption(f"Self-assessment · {journey.FORM_LABELS[current.form].split(':')[0]} form · {mode_text}")

# The links fold away; their contents are built only while they are open (opening reruns the page), so a
# click on an answer does not rebuild them. Right after starting they are open, as the person needs them then.
if st.session_state.pop("layerwise.just_started", False):
    st.session_state[LINKS_KEY] = True
links = st.expander("Your links", icon=":material/link:", key=LINKS_KEY, on_change="rerun")
if links.open:
    with links:
        st.markdown(
            "**Resume link**: open it to come back to these answers on any device. "
            "Keep it to yourself: whoever has it can see and change them."
            if current.mode == "individual"
            else "**Team link**: whoever has it can see and change the team's answers and results."
        )
        st.code(ui.app_url("assess", {"token": token}, here="assess"), language=None, wrap_lines=True)
        if current.mode == "individual":
            invitation = ui.invitation(token) or current.share_code
            st.markdown(
                "**Invite your team**: each person who opens this link gets their own answers and resume link."
            )
            if invitation:
                st.code(
                    ui.app_url("start", {"assessment": invitation}, here="assess"),
                    language=None,
                    wrap_lines=True,
                )
                st.caption(
                    "Copy it now: it is stored only as a hash, so it is not shown again once you leave. "
                    "The link also lets teammates start the team's next round."
                )
            else:
                st.caption(
                    "The invitation link is shown only when it is made: it is stored only as a hash. "
                    "Lost it? Make a new one: the previous link then stops working."
                )
            if st.button(
                "Make a new invitation link",
                icon=":material/autorenew:",
                key="new_invitation",
                help="The previous invitation link stops working; people who already joined keep their links.",
            ):
                try:
                    ui.remember_invitation(token, journey.new_invitation(ctx, token))
                except ServiceError as error:
                    st.error(str(error))
                else:
                    st.rerun()
            st.caption(
                f"{plural(current.respondents, 'person', 'people')} joined so far. "
                f"Team results appear once {current.k} people have answered."
            )


if not current.is_open:
    st.warning("This assessment is closed: your answers are shown, but they can no longer be changed.")


def messages() -> None:
    """What went wrong with the last save, or a click that was not saved."""
    if st.session_state.get(ERROR_KEY):
        st.error(ui.plain(st.session_state[ERROR_KEY]), icon=":material/cloud_off:")
    if st.session_state.get(NOT_SAVED_KEY):
        st.warning(ui.plain(st.session_state[NOT_SAVED_KEY]), icon=":material/block:")


st.session_state.pop(PENDING_NEW_KEY, None)  # this whole run shows the notice below
# Answers the database was too busy to take are kept and retried (now, then every few seconds).
ui.pending_notice(
    pending,
    lambda: ui.retry_pending(pending, lambda item, choice: journey.save_answer(ctx, token, item, choice)),
)

if step == DONE:
    messages()
    report: journey.FinishReport | None = st.session_state.get(FINISH_KEY)
    st.progress(1.0, text=f"All steps done · {answered} of {total} items answered")
    st.subheader("Thank you: your answers are saved")
    missing = journey.unanswered_items(questionnaire, current.form, answers)
    if missing:
        st.warning(
            f"{plural(len(missing), 'item is', 'items are')} still unanswered. "
            "You can leave them open or answer them now; "
            '"Don\'t know" is an answer too.',
            icon=":material/info:",
        )
        for item in missing:
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(f"**{ui.plain(item.dimension_name)}**: {ui.plain(item.question)}")
            right.button(
                "Answer it",
                key=f"goto:{item.item_id}",
                on_click=go_to,
                args=(item.step, item.item_id),
                width="stretch",
            )
    elif report is not None:
        st.success(f"All {report.total} items answered.")
    st.markdown("**What next**")
    st.page_link(
        "pages/outcomes.py",
        label="Add your team's outcome figures (optional, 2 minutes)",
        icon=":material/monitoring:",
        query_params={"token": token},
    )
    st.page_link(
        "pages/results.py", label="See the results", icon=":material/insights:", query_params={"token": token}
    )
    st.button("Back to the questions", on_click=go_to, args=(len(steps),), icon=":material/arrow_back:")
    st.stop()

dimension_id, items = steps[step - 1]
dimension = questionnaire.dimension(dimension_id)
ui.survey_styles()
layer = f"Layer {dimension.layer}" if dimension.layer else "Alongside the layers"
st.subheader(ui.plain(dimension.name), anchor=False)
st.caption(f"{layer} · {ui.plain(dimension.summary)}")
st.info(journey.ANSWER_INSTRUCTION, icon=":material/info:")


@st.fragment
def step_questions() -> None:
    """The step's progress and questions. A click on an answer reruns only this part of the page (its
    callback saves the answer first), so the page sends and redraws little more than a bare radio would;
    moving between steps, the comment and the links rerun the whole page."""
    if st.session_state.pop(PENDING_NEW_KEY, False):
        st.rerun(scope="app")  # the database was busy: the whole page shows the notice and retries
    messages()
    answered = sum(1 for _, step_items in steps for item in step_items if item.id in answers)
    st.progress(
        (step - 1) / len(steps),
        text=f"Step {step} of {len(steps)}: {ui.plain(dimension.name)} · {answered} of {total} items answered",
    )
    survey = st.container(key="survey")
    for number, item in enumerate(items, start=1):
        key = f"answer:{item.id}"
        if key not in st.session_state:
            # Widgets forget their value when their step is not shown; restore it from what was saved.
            st.session_state[key] = answers.get(item.id)
        levels = item.levels
        with survey, st.container(border=True, key=item_anchor(item.id)):
            # The question is the radio's own label (one element less per item, and it names the group for
            # screen readers); plain text, as the label is also the group's aria-label: ui.SURVEY_CSS sets it
            # in bold.
            st.radio(
                f"{number}. {ui.plain(item.question.strip())}",
                options=options,
                index=None,
                format_func=lambda option, levels=levels: ui.plain(
                    questionnaire.scale.dont_know
                    if option == journey.DONT_KNOW
                    else levels[option - 1].strip()
                ),
                key=key,
                on_change=save_answer,
                args=(item.id, step, f"{number}. {item.question.strip()}"),
                disabled=not current.is_open,
            )
            st.caption(f"Why it matters: {ui.plain(item.why_it_matters.strip())}")


step_questions()

comment_key = f"comment:{dimension_id}"
if comment_key not in st.session_state:
    st.session_state[comment_key] = comments.get(dimension_id, "")
st.text_area(
    f"Anything to add about {ui.plain(dimension.name)}? (optional)",
    key=comment_key,
    on_change=save_comment,
    args=(dimension_id,),
    max_chars=5000,
    placeholder="A comment for the team. Comments are shown without names, and only from 5 respondents on.",
    disabled=not current.is_open,
)
ui.save_while_typing("comment:")
saved_at = st.session_state.get(COMMENT_SAVED_KEY, {}).get(dimension_id)
st.caption(
    f"Comment saved at {saved_at:%H:%M:%S} UTC."
    if saved_at
    else "Your comment is saved a second after you stop typing, and when you leave the box."
)

back, next_ = st.columns(2)
with back:
    if step > 1:
        st.button(
            "Back",
            key="nav-back",
            on_click=go_to,
            args=(step - 1,),
            icon=":material/arrow_back:",
            width="stretch",
        )
with next_:
    if step < len(steps):
        st.button(
            "Next",
            key="nav-next",
            on_click=go_to,
            args=(step + 1,),
            type="primary",
            icon=":material/arrow_forward:",
            icon_position="right",
            width="stretch",
        )
    else:
        st.button("Finish", on_click=finish, type="primary", icon=":material/check:", width="stretch")

ui.journey_links(token, "assess.py")

# "Delete my answers", at the foot of the page: one's own answers only (a consensus link holds the team's
# agreed answers). Placed above the questions, a click sent to the old step while the page moved between steps
# was neither saved nor reported as refused (tests/e2e/test_answering_e2e.py); below them it is reported.
if current.mode == "individual":
    ui.delete_my_answers(token, prefix="layerwise.", forget=ui.forget_respondent)
