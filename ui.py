"""The UI edge shared by the pages: cached resources, the sidebar and small rendering helpers.

Caching happens here and only here (``st.cache_resource``): the questionnaire catalog and the database
engine. Nothing below the pages imports Streamlit.

Who-am-I: the resume token lives in the URL (``?token=…``) and in ``st.session_state``; everything else a
page shows is read again from the database through ``services``, so a reload restores it all.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Hashable, Mapping, MutableMapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode

import streamlit as st

from questionnaires.loader import Catalog, get_catalog
from questionnaires.schema import Questionnaire
from reports.wording import plural
from settings import get_settings

# The first page a new server shows is on screen only once everything its script imports has loaded, so the
# heavy modules (pandas, Altair, SQLAlchemy, the reports) load where they are used, not here: the home page
# needs none of them (see first_paint_s in BENCHMARKS.md).
if TYPE_CHECKING:
    import pandas as pd

    from services.assessment import QuestionnaireChoice, RespondentSession
    from services.context import AppContext


def _use_the_navigation() -> None:
    """Make Streamlit route every request through ``app.py``'s ``st.navigation``, also the very first one.

    Streamlit 1.67 decides per server process whether a ``pages/`` folder beside the entry script means
    the old folder-based navigation, and only drops that mode once ``st.navigation`` has run. A first
    request for a deep link (``/assess?token=…``, the resume link) would otherwise run the page on its own:
    no page config, the folder's file names as the menu. So a page that finds itself run that way switches
    the mode off and reruns, which goes through ``app.py``.

    Called on the last line of this module: the rerun is an exception raised while ``ui`` is being imported,
    and sessions that started at the same moment (a fresh server taking over a room after a failover)
    waited for that same import and are handed the module object it left behind. Raised at the end, that
    object is complete; raised at the top, they got a module without its functions ("module 'ui' has no
    attribute 'context'").
    """
    from streamlit.runtime.pages_manager import PagesManager

    _skip_the_bare_python_warning()
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _skip_the_bare_python_warning() -> None:
    """Spare a new server's first page Streamlit's check for being run as a bare Python script.

    The first element a Streamlit process draws checks once whether it runs in a REPL, which calls
    ``inspect.stack()``: that reads the source of every frame and resolves the path of every loaded module,
    0.2–0.7 s on the 2-core machine, spent on the first page a server shows (first_paint_s in BENCHMARKS.md).
    Under ``streamlit run`` the check never warns, so it is marked done; a bare ``python app.py`` (no
    runtime) still gets the warning. Streamlit's private flag: if it is gone, nothing changes.
    """
    from streamlit import delta_generator, runtime

    if runtime.exists() and hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


@st.cache_resource(show_spinner=False)
def catalog() -> Catalog:
    """Every questionnaire found (shipped and configured), loaded once per server process."""
    return get_catalog()


def questionnaire_choices(cannot: str) -> dict[str, QuestionnaireChoice]:
    """The valid questionnaires by widget key, the shipped one first; with none, stop the page saying what
    ``cannot`` be done (e.g. "no workshop can be created") and where the problems are listed."""
    from services.assessment import questionnaire_choices as choices_of

    choices = {choice.key: choice for choice in choices_of(catalog())}
    if not choices:
        st.error(
            f"No valid questionnaire was found, so {cannot}. "
            "The Questionnaires page lists the problems of the broken ones."
        )
        st.page_link("pages/questionnaires.py", label="Questionnaires", icon=":material/quiz:")
        st.stop()
    return choices


def questionnaire_picker(
    choices: Mapping[str, QuestionnaireChoice], *, key: str, help: str
) -> QuestionnaireChoice:
    """A selectbox of ``choices`` when there are several, else a caption naming the one; the one chosen."""
    if len(choices) > 1:
        picked = st.selectbox(
            "Questionnaire", options=list(choices), format_func=lambda k: choices[k].label, key=key, help=help
        )
    else:
        picked = next(iter(choices))
        st.caption(f"Questionnaire: {plain(choices[picked].label)}")
    return choices[picked or next(iter(choices))]


def questionnaire(questionnaire_id: str, version: str | None = None) -> Questionnaire:
    """A questionnaire from the cached catalog."""
    return catalog().get(questionnaire_id, version)


# --- the database -----------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def _context_for(database_url: str) -> AppContext:
    """One context per database URL and server process, set up once: the engine made, the schema migrated,
    and the leader passcode made sure of (generated, stored hashed and logged once when none is configured).

    This is the database's set-up, and only pages that use the database come here: the home page, the first
    page a new server usually shows, does not, so none of it (SQLAlchemy, Alembic, the migrations, the
    scrypt hash) delays or competes with that page (first_paint_s in BENCHMARKS.md). Sessions that arrive
    together wait for the one set-up (``st.cache_resource`` computes each key once, under a lock); servers
    that start together are kept apart by the migrations' lock and the passcode's atomic insert. A failed
    set-up is not cached, so the next page tries again.
    """
    from services.context import AppContext, connect
    from services.passcodes import ensure_admin_passcode

    database = connect(database_url)
    ctx = AppContext(database=database, questionnaires=questionnaire, default_k=get_settings().default_k)
    try:
        ensure_admin_passcode(ctx, configured_passcode())
    except BaseException:
        database.dispose()  # not cached: the next try makes a new engine, so this one's pool is closed
        raise
    return ctx


def context() -> AppContext:
    """The services context of the configured database (``DATABASE_URL``); its first use sets it up (see
    :func:`_context_for`): migrated, with a leader passcode."""
    return _context_for(get_settings().database_url)


def storage_busy(error: BaseException) -> bool:
    """Whether ``error`` is ``services.context.StorageBusyError`` (the database busy or unreachable).

    Checked without importing the services (and SQLAlchemy) on a page that never touched them.
    """
    context = sys.modules.get("services.context")
    return context is not None and isinstance(error, context.StorageBusyError)


#: Shown while answers wait for a busy database (see :func:`retry_pending`).
NOT_SAVED_YET = "Not saved yet, retrying…"
#: Shown while answers wait for a database that did not respond (down, restarting, a dropped connection).
COULD_NOT_SAVE = (
    "Could not save your answer: the database did not respond. Your choice is kept on this page; try again."
)
#: Shown by a live panel while the database does not respond.
DATABASE_NOT_RESPONDING = (
    "The database did not respond just now; this panel refreshes by itself as soon as it does."
)
#: Whether the last answer that could not be saved met a database that did not respond (not a busy one).
UNREACHABLE_KEY = "layerwise.storage_unreachable"


def keep_unsaved(pending: MutableMapping[str, Any], item_id: str, choice: Any, error: BaseException) -> None:
    """An answer the database did not take (``StorageBusyError``): keep it in ``pending`` to retry, and
    remember whether the database was busy or did not respond (what :func:`pending_notice` says)."""
    pending[item_id] = choice
    st.session_state[UNREACHABLE_KEY] = bool(getattr(error, "unreachable", False))


def retry_pending(pending: MutableMapping[str, Any], save: Callable[[str, Any], None]) -> None:
    """Save the answers kept in ``pending`` (item id → choice), oldest first; each saved one leaves it.

    Stops at the first that fails again (the database is still busy or down): they stay for the next try.
    """
    from services.context import ServiceError

    for item_id, choice in list(pending.items()):
        try:
            save(item_id, choice)
        except ServiceError as error:
            st.session_state[UNREACHABLE_KEY] = bool(getattr(error, "unreachable", False))
            return
        pending.pop(item_id, None)


def pending_notice(pending: Mapping[str, Any], retry: Callable[[], None]) -> None:
    """While answers are kept unsaved: say so, and retry them every few seconds until they are saved."""
    if not pending:
        return

    @st.fragment(run_every=5)
    def retrying() -> None:
        if not pending:
            return
        retry()
        if not pending:
            st.rerun()  # all saved: redraw the page without the notice
        if st.session_state.get(UNREACHABLE_KEY):
            st.warning(
                f"{COULD_NOT_SAVE} This page also tries again by itself every few seconds "
                f"({len(pending)} answer(s) waiting).",
                icon=":material/cloud_off:",
            )
            return
        st.warning(
            f"{NOT_SAVED_YET} {plural(len(pending), 'answer is', 'answers are')} kept on this page and saved "
            "as soon as the database "
            "is free again; you can go on answering.",
            icon=":material/sync:",
        )

    retrying()


# --- who am I ---------------------------------------------------------------------------------------------

TOKEN_KEY = "layerwise.token"
SESSION_KEY = "layerwise.session"
#: Set in this browser session once the leader passcode was entered (the leader view, and the Start and
#: Facilitate pages, which then may name an existing team).
LEADER_OK_KEY = "leader.ok"


def leader_unlocked() -> bool:
    """Whether the leader passcode was entered in this browser session."""
    return bool(st.session_state.get(LEADER_OK_KEY))


def current_token() -> str | None:
    """The resume token of this browser tab: from the URL (``?token=``), else the one remembered this session.

    A token remembered in the session is written back to the URL, so the address bar always holds the link
    that restores the page.
    """
    token = st.query_params.get("token")
    if token:
        token = token.strip()
        if st.session_state.get(TOKEN_KEY) != token:
            forget_respondent()
            st.session_state[TOKEN_KEY] = token
        return token
    remembered = st.session_state.get(TOKEN_KEY)
    if remembered:
        st.query_params["token"] = remembered
    return remembered


def remember_token(token: str) -> None:
    """Make ``token`` this tab's who-am-I (the next page reads it from the session or the URL)."""
    if st.session_state.get(TOKEN_KEY) != token:
        forget_respondent()
    st.session_state[TOKEN_KEY] = token


#: The invitation code this session made or used, with the token it belongs to (codes are stored hashed,
#: so the page cannot read them back from the database).
INVITATION_KEY = "layerwise.invitation"


def remember_invitation(token: str, code: str | None) -> None:
    """Keep an invitation code this session just made or used, to show it while the session lasts."""
    if code:
        st.session_state[INVITATION_KEY] = (token, code)


def invitation(token: str) -> str | None:
    """The invitation code this session knows for ``token``, or None."""
    remembered = st.session_state.get(INVITATION_KEY)
    return remembered[1] if isinstance(remembered, tuple) and remembered[0] == token else None


def forget_respondent() -> None:
    """Drop everything remembered about the current respondent (their widgets' values included)."""
    for key in list(st.session_state.keys()):
        if isinstance(key, str) and (
            key.startswith(("answer:", "comment:", "action:", "outcome:", "layerwise."))
        ):
            del st.session_state[key]


def respondent(token: str, *, refresh: bool = False) -> RespondentSession:
    """The respondent of ``token``, read from the database once per session (``refresh`` reads again).

    Raises ``services.context.AccessError`` when the token opens nothing.
    """
    from services.assessment import RespondentSession
    from services.assessment import resume as resume_session

    cached = st.session_state.get(SESSION_KEY)
    if refresh or not isinstance(cached, RespondentSession) or cached.token != token:
        cached = resume_session(context(), token)
        st.session_state[SESSION_KEY] = cached
    return cached


def require_respondent(page_title: str) -> RespondentSession:
    """The current respondent, or stop the page with a way in (paste a link, or start an assessment)."""
    from services.context import AccessError, WorkshopLinkError

    token = current_token()
    if token:
        try:
            return respondent(token)
        except WorkshopLinkError as error:
            # a workshop participant's link opens the join page only: lead there, offer nothing else here
            st.error(str(error))
            st.page_link(
                "pages/join.py",
                label="Open the workshop",
                icon=":material/groups:",
                query_params={"resume": token},
            )
            st.stop()
        except AccessError as error:
            st.error(plain(error))
    else:
        st.info(f"{page_title} needs your resume link: the link you got when you started or joined.")
    resume_box()
    st.stop()


def resume_box() -> None:
    """A field to paste a resume link (or just its token) into, and a way to start instead."""
    with st.form("resume", border=True):
        pasted = st.text_input(
            "Your resume link",
            placeholder="https://…/assess?token=…",
            help="Paste the whole link you were given, or only the part after token=.",
        )
        if st.form_submit_button("Open", type="primary"):
            token = token_from_link(pasted)
            if token:
                remember_token(token)
                st.switch_page("pages/assess.py", query_params={"token": token})
            st.error(
                "Resume link: paste the whole link, or the part after token= (it is about 43 characters)."
            )
    st.page_link("pages/start.py", label="Start a new self-assessment instead", icon=":material/play_arrow:")


#: The word a person types to confirm "Delete my answers".
ERASE_CONFIRM_WORD = "delete"


def delete_my_answers(token: str, *, prefix: str, forget: Callable[[], None]) -> None:
    """The "Delete my answers" panel: what is deleted, a box to type the confirmation word, Delete and Cancel.

    Its state lives under ``prefix`` (``<prefix>erase_open``, ``<prefix>erase_confirm``). A deletion that
    succeeds calls ``forget`` (the page drops what it remembers of the person), says what was deleted and
    stops the page; Cancel folds the panel away and deletes nothing.
    """
    from services import erasure
    from services.context import ServiceError

    open_key, confirm_key = f"{prefix}erase_open", f"{prefix}erase_confirm"

    def cancel() -> None:
        st.session_state[confirm_key] = ""
        st.session_state[open_key] = False

    panel = st.expander("Delete my answers", icon=":material/delete:", key=open_key, on_change="rerun")
    if not panel.open:
        return
    with panel:
        st.markdown(erasure.WHAT_IS_DELETED)
        typed = st.text_input(f'Type "{ERASE_CONFIRM_WORD}" to confirm', key=confirm_key)
        confirm, cancel_column = st.columns(2)
        cancel_column.button("Cancel", key=f"{prefix}erase_cancel", on_click=cancel, width="stretch")
        if not confirm.button(
            "Delete my answers for good",
            key=f"{prefix}erase_confirmed",
            type="primary",
            icon=":material/delete_forever:",
            width="stretch",
        ):
            return
        if typed.strip().lower() != ERASE_CONFIRM_WORD:
            st.error(f'Nothing was deleted: type "{ERASE_CONFIRM_WORD}" in the box above first.')
            return
        try:
            report = erasure.erase_my_answers(context(), token)
        except ServiceError as error:
            st.error(plain(error))
            return
    forget()
    st.success(
        f"Deleted: {report.answers} answer(s) and {report.comments} comment(s). The team's published results "
        "drop you at their next publication; this link now only says that your answers were deleted."
    )
    st.stop()


def token_from_link(text: str) -> str | None:
    """The token in a pasted resume link (or the text itself when it looks like a bare token)."""
    from urllib.parse import parse_qs, urlparse

    text = (text or "").strip()
    if not text:
        return None
    if "token=" in text:
        query = urlparse(text).query or text.split("?", 1)[-1]
        values = parse_qs(query).get("token")
        return values[0].strip() if values else None
    if "/" in text or " " in text or len(text) < 20:
        return None
    return text


def app_url(url_path: str, params: Mapping[str, str] | None = None, *, here: str = "") -> str:
    """The absolute URL of a page of this app (as the browser sees the app), with query parameters.

    ``here`` is the ``url_path`` of the page calling (so it can be cut off the current URL); without a
    browser URL (tests), the link is relative.
    """
    current = (getattr(st.context, "url", None) or "").rstrip("/")
    base = current
    if here and current.endswith("/" + here):
        base = current[: -len(here) - 1]
    query = f"?{urlencode(dict(params))}" if params else ""
    return f"{base}/{url_path}{query}"


# --- rendering helpers ------------------------------------------------------------------------------------

#: Characters that mean something anywhere in Streamlit's Markdown: emphasis, code, links and images
#: (``[``), HTML and autolinks (``<``), entities (``&``), headings, tables, strikethrough, maths (``$``).
_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>#|~$&])")
#: What starts a block only at the beginning of a line: list items, setext underlines, numbered lists.
_MARKDOWN_LINE_START = re.compile(r"^([ \t]*[-+=]|[ \t]*\d+[.)])", re.MULTILINE)


def plain(text: object) -> str:
    """``text`` (anything a person typed) escaped for Streamlit's Markdown, so it reads exactly as typed.

    Every call that renders Markdown (``st.markdown``, ``st.caption``, ``st.title``, ``st.info``, widget
    labels …) shows user text through this: ``![x](http://host/p.png)`` or ``<img src=…>`` stays text and
    nothing is fetched, ``**bold**`` keeps its asterisks.
    """
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    # the backslash goes right before the marker: \- item, 1\. item
    return _MARKDOWN_LINE_START.sub(lambda m: f"{m.group(1)[:-1]}\\{m.group(1)[-1]}", text)


def input_errors(errors: Mapping[str, str]) -> str:
    """What is wrong with a form, as sentences that start with a capital letter (for ``InputError.errors``)."""
    return " ".join(
        f"{message[:1].upper()}{message[1:].rstrip('.')}." for message in errors.values() if message
    )


def journey_links(token: str, current: str) -> None:
    """Links between the pages of the self-assessment journey, carrying the token (the current one off)."""
    pages = (
        ("pages/assess.py", "Answers", ":material/edit_note:"),
        ("pages/outcomes.py", "Outcomes", ":material/monitoring:"),
        ("pages/taskmap.py", "Task map", ":material/account_tree:"),
        ("pages/results.py", "Results", ":material/insights:"),
        ("pages/action_plan.py", "Action plan", ":material/checklist:"),
    )
    st.divider()
    with st.container(horizontal=True, gap="medium", vertical_alignment="center"):
        for page, label, icon in pages:
            if page.endswith(current):
                # the page the person is on: named in full contrast, not as a greyed-out link
                st.markdown(f"{icon} **{label}** (this page)", width="content")
            else:
                st.page_link(page, label=label, icon=icon, query_params={"token": token})


def data_table(
    rows: pd.DataFrame | Sequence[Mapping[str, Any]], *, label: str = "The numbers as a table"
) -> None:
    """A chart's numbers as a table, folded away under ``label`` (for people who cannot read the chart)."""
    import pandas as pd

    frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    with st.expander(label):
        st.dataframe(readable_table(frame), hide_index=True, width="stretch")


#: Column headers a person reads instead of the tables' own column names (the rest: "level_name" → "Level name").
COLUMN_HEADERS = {"kpi": "Figure", "n": "n (teams)", "std": "Standard deviation", "who": "Whose figure"}


def readable_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as people read it: no internal ids (``kpi_id``, ``item_id``…), headers in words, and "–" for a
    missing text value instead of "None"."""
    shown = frame.drop(columns=[column for column in frame.columns if str(column).endswith("_id")])
    shown = shown.rename(
        columns=lambda column: COLUMN_HEADERS.get(str(column), str(column).replace("_", " ").capitalize())
    )
    for column in shown.columns:
        if shown[column].dtype == object:
            shown[column] = shown[column].map(lambda value: "–" if value is None else value)
    return shown


def scroll_to_top(anchor: str | None = None) -> None:
    """Scroll the page back to the top (after moving to another step, whose top the person must see).

    With ``anchor`` (the key of an ``st.container`` on the page), scroll that container into view instead
    and put the keyboard focus on its first input, as an "Answer it" link to one question does.
    """
    counter = st.session_state.get("layerwise.scroll", 0) + 1
    st.session_state["layerwise.scroll"] = counter
    if anchor is None:
        script = (
            '(window.parent || window).document.querySelectorAll(\'[data-testid="stMain"], section.main, '
            '[data-testid="stAppViewContainer"]\').forEach(function (el) { el.scrollTo(0, 0); }); '
            "window.scrollTo(0, 0);"
        )
    else:
        # The container may be drawn just after this script runs: look for it for up to three seconds.
        script = (
            "(function () {{ var cls = {}, tries = 0; function find() {{"
            " var el = (window.parent || window).document.getElementsByClassName(cls)[0];"
            " if (el) {{ el.scrollIntoView({{block: 'start'}}); var input = el.querySelector('input');"
            " if (input) {{ input.focus({{preventScroll: true}}); }} }}"
            " else if (tries++ < 60) {{ setTimeout(find, 50); }} }} find(); }})();"
        ).format(json.dumps(f"st-key-{anchor}"))
    st.html(f"<script>/* {counter} */ {script}</script>", unsafe_allow_javascript=True)


#: Saves a comment a moment after the person stops typing, not only when they leave the box: Streamlit sends
#: a text area's value on blur or Ctrl+Enter, so one second after the last keystroke (and when the page is
#: left or reloaded) this sends Ctrl+Enter to the box being typed in; its ``on_change`` then saves it.
_SAVE_WHILE_TYPING_JS = """
(function () {
  var w = window.parent || window, doc = w.document, selector = %s;
  if (w.__layerwiseSaveWhileTyping) { return; }
  w.__layerwiseSaveWhileTyping = true;
  var timer = null, pending = null;
  function commit() {
    if (timer) { clearTimeout(timer); timer = null; }
    var box = pending; pending = null;
    if (box && box.isConnected) {
      box.dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", code: "Enter", ctrlKey: true,
        bubbles: true, cancelable: true}));
    }
  }
  doc.addEventListener("input", function (event) {
    var box = event.target;
    if (!box || box.tagName !== "TEXTAREA" || !box.closest(selector)) { return; }
    pending = box;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(commit, %d);
  }, true);
  w.addEventListener("pagehide", function () { if (pending) { commit(); } });
})();
"""

#: How long after the last keystroke a comment is saved (milliseconds).
SAVE_WHILE_TYPING_MS = 1000


def save_while_typing(key_prefix: str) -> None:
    """Make every text area whose key starts with ``key_prefix`` save a second after the typing stops (its
    ``on_change`` callback runs as it does on leaving the box), so a reload never loses what was typed."""
    selector = f"[class*='st-key-{re.sub(r'[^A-Za-z0-9_-]', '-', key_prefix)}']"
    st.html(
        f"<script>{_SAVE_WHILE_TYPING_JS % (json.dumps(selector), SAVE_WHILE_TYPING_MS)}</script>",
        unsafe_allow_javascript=True,
    )


# --- workshops and the leader view ------------------------------------------------------------------------

CLIENT_KEY = "layerwise.client_key"


def client_key() -> str:
    """A random key for this browser session, used to count wrong join codes and passcodes (never an IP)."""
    if CLIENT_KEY not in st.session_state:
        import secrets

        st.session_state[CLIENT_KEY] = secrets.token_urlsafe(16)
    return str(st.session_state[CLIENT_KEY])


def configured_passcode() -> str | None:
    """The leader passcode set by the operator: ``LAYERWISE_ADMIN_PASSCODE``, else ``admin_passcode`` in secrets."""
    configured = get_settings().admin_passcode
    if configured:
        return configured
    try:
        value = st.secrets.get("admin_passcode")
    except Exception:  # no secrets file at all is the normal case
        return None
    return str(value) if value else None


_FROZEN_AT_MODULES = 0


def freeze_long_lived_objects() -> None:
    """Keep Python's full garbage collections short: move what is loaded so far out of their reach.

    The server holds a large, long-lived heap (Streamlit, SQLAlchemy, pandas, Altair, the questionnaires);
    a full collection walks all of it and took 250–550 ms on this 2-core machine, landing in the middle of
    almost every answer click. After a run that loaded new modules, one collection clears that run's
    garbage and ``gc.freeze()`` moves everything that is left into the permanent generation, which later
    collections skip. This happens a few times per server (as pages are first used), not per click.
    """
    global _FROZEN_AT_MODULES
    loaded = len(sys.modules)
    if loaded != _FROZEN_AT_MODULES:
        import gc

        gc.collect()
        gc.freeze()
        _FROZEN_AT_MODULES = loaded


#: The icon of each state of a workshop dimension (``DimensionProgress.state``), the same on every panel.
DIMENSION_STATE_ICONS = {
    "revealed": ":material/visibility:",
    "not revealed": ":material/visibility_off:",
    "locked": ":material/lock:",
    "open": ":material/edit:",
}


#: The reveal's chart on a phone (390 px less the page's margins): legend and subtitle wrap, nothing is cut.
PHONE_CHART_WIDTH = 350


def workshop_reveal(questionnaire: Questionnaire, revealed: Any, *, chart_width: int | None = None) -> None:
    """A revealed workshop dimension: the group's numbers, its chart, and the divided items with prompts.

    ``revealed`` is a ``services.workshop.RevealedDimension``: a frozen result that scoring let through.
    ``chart_width`` sets the chart's width (the join page: :data:`PHONE_CHART_WIDTH`); a phone always gets
    the phone layout (:func:`chart`).
    """
    from reports.chart_summaries import item_distribution_summary
    from reports.charts import item_distribution, item_distribution_table
    from scoring.rules import format_score

    result = revealed.result
    score = "–" if result.score is None else format_score(result.score)
    level = "–" if result.level is None else f"{result.level} {result.level_name}"
    st.markdown(f"Group score **{score}** · level **{level}** · consensus **{result.consensus or '–'}**")
    pooled = ", from the teams in the table below" if revealed.teams else ""
    st.caption(
        f"{plural(result.respondents, 'person', 'people')} with a score in {plain(result.name)}{pooled}; "
        "frozen when it was revealed, "
        "so later answers do not move it. Nobody's own answers are shown."
    )
    if revealed.teams:
        import pandas as pd

        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "Team": team,
                        "People with a score": team_result.respondents,
                        "Score": None if team_result.score is None else format_score(team_result.score),
                        "Level": team_result.level_name or "–",
                        "Consensus": team_result.consensus or "–",
                    }
                    for team, team_result in revealed.teams
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    if revealed.hidden_teams:
        st.caption(
            "Teams without numbers: too few of them answered, so nothing about them is shown anywhere, "
            "and the group's figures above leave them out:"
        )
        st.text(", ".join(revealed.hidden_teams))
    answers = item_distribution_table(questionnaire, result)
    summary = item_distribution_summary(
        answers, [level.name for level in questionnaire.scale.levels], questionnaire.scale.dont_know
    )
    answered_by = "the room" if len(revealed.teams) + len(revealed.hidden_teams) > 1 else "the team"
    chart(
        lambda width: item_distribution(questionnaire, result, width=width, answered_by=answered_by),
        f"reveal-{result.id}",
        summary,
        width=chart_width,
    )
    for item in revealed.items:
        with st.container(border=True):
            badge = ":orange-badge[:material/call_split: Divided]" if item.divided else ""
            st.markdown(f"{badge} **{plain(item.question)}**")
            numbers = item.result
            if numbers.suppressed:
                st.caption(f"No numbers: {plain(numbers.suppressed_reason)}.")
            else:
                spread = " · ".join(
                    f"{level}: {count}" for level, count in sorted((numbers.distribution or {}).items())
                )
                mean = "–" if numbers.mean is None else format_score(numbers.mean)
                st.caption(
                    f"Mean {mean} · {numbers.consensus or 'no spread yet'} · levels {spread} · "
                    f"don't know: {numbers.dont_know}"
                )
            if item.prompt:
                st.info(plain(item.prompt), icon=":material/forum:")
    data_table(answers)


#: The result on the room screen spans it (1280 px less the margins).
PRESENTER_CHART_WIDTH = 1080


def presenter_reveal(questionnaire: Questionnaire, revealed: Any) -> None:
    """A revealed dimension on the room screen (1280×900, nobody scrolls): the group's numbers and the chart
    on top, then the divided items with their discussion prompt first and the other items in a line each.

    The same frozen result as :func:`workshop_reveal` (a ``services.workshop.RevealedDimension``).
    """
    from reports.chart_summaries import item_distribution_summary
    from reports.charts import item_distribution, item_distribution_table
    from scoring.rules import format_score

    result = revealed.result
    score = "–" if result.score is None else format_score(result.score)
    level = "–" if result.level is None else f"{result.level} {result.level_name}"
    st.markdown(f"### Group score **{score}** · level **{level}** · consensus **{result.consensus or '–'}**")
    teams = "; ".join(
        f"{plain(team)}: {'–' if r.score is None else format_score(r.score)}" for team, r in revealed.teams
    )
    st.caption(
        f"{plural(result.respondents, 'person', 'people')} with a score"
        + (f" · per team: {teams}" if teams else "")
        + (f" · no numbers for {plain(', '.join(revealed.hidden_teams))}" if revealed.hidden_teams else "")
        + " · frozen at the reveal; nobody's own answers are shown."
    )
    summary = item_distribution_summary(
        item_distribution_table(questionnaire, result),
        [level.name for level in questionnaire.scale.levels],
        questionnaire.scale.dont_know,
    )
    answered_by = "the room" if len(revealed.teams) + len(revealed.hidden_teams) > 1 else "the team"
    chart(
        lambda width: item_distribution(questionnaire, result, width=width, answered_by=answered_by),
        "room-result",
        summary,
        width=PRESENTER_CHART_WIDTH,
    )
    divided = [item for item in revealed.items if item.divided and item.prompt]
    if divided:
        with st.container(key="room-prompts"):
            columns = st.columns(min(len(divided), 2), gap="large")
            for index, item in enumerate(divided[:4]):
                columns[index % len(columns)].markdown(
                    f":orange-badge[:material/call_split: Divided] **{plain(item.question)}**  \n"
                    f":material/forum: {plain(item.prompt)}"
                )


#: Styles for every page: captions in a grey dark enough to read (WCAG AA contrast 4.5:1 on white and on the
#: sidebar's background; Streamlit's faded caption grey is below it).
APP_CSS = (
    "<style>[data-testid='stCaptionContainer'], [data-testid='stCaptionContainer'] * "
    "{ color: #4A5563 !important; opacity: 1 !important; }"
    # the day, month and year of a date field are each a touch target of at least 24 × 24 px (WCAG 2.5.8)
    "[data-testid='stDateInput'] [role='spinbutton'] { display: inline-block; min-width: 24px;"
    " min-height: 24px; line-height: 24px; text-align: center; }</style>"
)


#: Survey styling: the question (the radio's label) in bold body text, room between the long level descriptions,
#: the radio circle beside the first line, and the chosen description highlighted, so a person sees at a
#: glance which situation they picked.
SURVEY_CSS = """
<style>
.st-key-survey [data-testid="stRadio"] > [data-testid="stWidgetLabel"] { margin-bottom: 0.5rem; }
.st-key-survey [data-testid="stRadio"] > [data-testid="stWidgetLabel"] p {
  font-size: 1rem; font-weight: 600; line-height: 1.5;
}
.st-key-survey [data-testid="stRadioGroup"] { gap: 0.35rem; }
.st-key-survey [data-testid="stRadioOption"] {
  padding: 0.4rem 0.6rem; border-radius: 0.5rem; border: 1px solid transparent; width: 100%;
}
.st-key-survey [data-testid="stRadioOption"] > div { align-items: flex-start; }
.st-key-survey [data-testid="stRadioOption"] > div > div:first-child { margin-top: 0.2rem; }
.st-key-survey [data-testid="stRadioOption"]:hover { background: #F1F5F8; }
.st-key-survey [data-testid="stRadioOption"][data-selected="true"] { background: #E6F0F7; border-color: #9CC0DA; }
/* After "Next" or "Back" (the button keeps the focus) and until the new step is drawn, the old step's
   questions cannot be clicked: a click meant for the new step never lands on the old one. */
[data-test-script-state="running"]:has(.st-key-nav-next button:focus, .st-key-nav-back button:focus)
  .st-key-survey { pointer-events: none; opacity: 0.4; }
</style>
"""


def survey_styles() -> None:
    """Apply :data:`SURVEY_CSS` to the questions inside ``st.container(key="survey")``."""
    st.html(SURVEY_CSS)


#: Charts keep their own layout (their labels sit at fixed positions); where the column is narrower, as on a
#: phone, the whole chart is scaled down to the column's width (text and all), so nothing is cut off.
CHART_CSS = (
    "<style>[class*='st-key-chart-'] .vega-embed { max-width: 100%; }"
    "[class*='st-key-chart-'] .vega-embed canvas, [class*='st-key-chart-'] .vega-embed svg.marks"
    " { max-width: 100% !important; height: auto !important; }</style>"
)


#: What a phone's browser says in its User-Agent header (Android and iOS phones; tablets say neither "Mobi"
#: nor "iPhone" and get the wide charts, which fit their screens).
PHONE_AGENTS = ("Mobi", "iPhone", "iPod")


def on_phone() -> bool:
    """Whether the page is shown on a phone, as its browser says in the User-Agent header (False when unknown).

    Streamlit does not tell the server the window's width; drawing every chart twice and letting CSS pick
    would double the Results page's chart time for everyone. A desktop window made narrow keeps the wide
    charts, scaled to the column by :data:`CHART_CSS`.
    """
    try:
        agent = st.context.headers.get("User-Agent") or ""
    except Exception:  # no browser session (a bare script run)
        return False
    return any(marker in agent for marker in PHONE_AGENTS)


def chart(build: Callable[[int], Any], name: str, summary: str, *, width: int | None = None) -> None:
    """Show a chart from ``reports.charts`` exactly as designed (as in the PDF): its own size and styling,
    with ``summary`` (from ``reports.chart_summaries``) in words under it.

    ``build`` makes the chart for a width in pixels (one chart definition for every width): ``width``
    (``reports.charts.WIDTH``, every chart function's default, when None) on a desktop,
    :data:`PHONE_CHART_WIDTH` on a phone (:func:`on_phone`), where the chart functions switch to their
    vertical layout and keep their text at full size.
    """
    import altair as alt

    if on_phone():
        figure = build(PHONE_CHART_WIDTH)
    else:
        from reports.charts import WIDTH

        figure = build(WIDTH if width is None else width)
    # The marks are hidden from screen readers (each is announced as an unlabelled image otherwise); the
    # summary under the chart says what it shows, and its numbers are in the table under that. Set in place:
    # the chart was just built for this call, and .properties()/.configure_mark() would deep-copy it with its
    # inline data (measured: 69 ms for the 1,000-team heat table, 5 ms in place).
    figure.autosize = alt.AutoSizeParams(type="pad")
    if isinstance(figure.config, alt.Config):
        figure.config.mark = alt.MarkConfig(aria=False)
    else:
        figure.config = alt.Config(mark=alt.MarkConfig(aria=False))
    st.html(CHART_CSS)
    with st.container(key=f"chart-{name}"):
        st.vega_lite_chart(vega_lite_spec(figure), theme=None, width="content")
    chart_summary(summary)


#: What Altair's default theme adds to every spec; ``st.altair_chart`` turns that theme off, and so does this.
_DEFAULT_THEME_CONFIG = {"continuousWidth": 300, "continuousHeight": 300}


def vega_lite_spec(figure: Any) -> dict[str, Any]:
    """The Vega-Lite spec ``st.altair_chart`` would send for a chart of ``reports.charts``, without
    Altair's JSON-schema validation of it on every run of the page (about 0.1 s for the item heat table;
    the chart functions build valid specs, and ``tests/unit/test_charts.py`` validates every one). The
    charts carry their data inline, so there is no data frame for Streamlit to send separately."""
    from reports.charts import chart_spec

    spec = chart_spec(figure)
    config = spec.get("config")
    if isinstance(config, dict) and config.get("view") == _DEFAULT_THEME_CONFIG:
        del config["view"]
    elif isinstance(config, dict) and isinstance(config.get("view"), dict):
        for option, value in _DEFAULT_THEME_CONFIG.items():
            if config["view"].get(option) == value:
                del config["view"][option]
    return spec


def chart_summary(summary: str) -> None:
    """What a chart shows, in a sentence or two, right under it (read by everyone, screen readers too).

    The summary names teams, dimensions and roles as typed, so it is escaped like any user text."""
    st.markdown(f"**In words:** {plain(summary)}")


def target_sliders(questionnaire: Questionnaire, levels: Mapping[str, int], key: str) -> dict[str, int]:
    """One level slider ("4 Managed") per dimension, starting at ``levels``; the levels chosen."""
    from scoring.rules import LEVEL_NAMES

    return {
        dimension.id: st.select_slider(
            plain(dimension.name),
            options=list(range(1, len(LEVEL_NAMES) + 1)),
            value=levels[dimension.id],
            format_func=lambda level: f"{level} {LEVEL_NAMES[level - 1]}",
            key=f"{key}:{dimension.id}",
        )
        for dimension in questionnaire.dimensions
    }


# --- downloads ----------------------------------------------------------------------------------------------

DOWNLOADS_KEY = "layerwise.downloads"
#: Files are prepared off the page's own thread, so a page shows at once while its PDF is being made.
_DOWNLOAD_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="layerwise-download")
#: How often a button whose file is still being prepared looks again.
PREPARING_POLL_S = 0.5


def download_button(
    label: str,
    *,
    make: Callable[..., bytes],
    version: Hashable,
    key: str,
    file_name: str,
    mime: str,
    icon: str | None = None,
    width: Literal["content", "stretch"] = "content",
    progress: str | None = None,
    on_request: str | None = None,
) -> None:
    """A download button whose file already exists when it is clicked, so every click downloads it.

    Why not Streamlit's deferred download (``data=callable``): its file id is renewed at every full rerun
    and the old one forgotten, so a click that lands while the page redraws (a live panel that refreshes
    itself, a change from another server) asks for a file the server no longer knows
    (``MediaFileStorageError: Deferred file … not found``) and nothing is downloaded. Here the bytes are made
    once per ``version`` (whatever the file's content depends on) on a worker thread, kept in the session
    and handed to the button as data: the same bytes keep the same address across reruns. Until they are
    ready the button shows "Preparing…" and looks again by itself; a message replaces it when there is
    nothing to download.

    ``progress`` (what is counted, e.g. "team reports") makes a long file show a progress bar while it is
    made: ``make`` is then called with a ``progress(done, total)`` function to report to. The page stays
    usable meanwhile; only the button's own fragment refreshes.

    ``on_request`` (a button label, e.g. "Prepare the ZIP of 12 team reports") makes nothing until that
    button is pressed: for files that cost minutes of every core (a ZIP of a thousand team reports), which
    a leader who only looks at the page should not start. Once pressed it is made as above, and made again
    only when pressed again after its ``version`` changed.
    """
    from services.context import ServiceError, StorageBusyError

    downloads: dict[str, tuple[Hashable, Future[bytes]]] = st.session_state.setdefault(DOWNLOADS_KEY, {})
    held = downloads.get(key)
    counts: dict[str, int] = st.session_state.setdefault(f"{DOWNLOADS_KEY}.progress", {}).setdefault(key, {})
    requested = on_request is None or (held is not None and held[0] == version)
    if not requested and not st.button(str(on_request), key=f"{key}.request", icon=icon, width=width):
        return
    if held is None or held[0] != version:
        counts.clear()
        if progress is None:
            held = (version, _DOWNLOAD_WORKERS.submit(make))
        else:

            def report(done: int, total: int) -> None:
                counts.update(done=done, total=total)  # read by the page's poll; one dict update is atomic

            held = (version, _DOWNLOAD_WORKERS.submit(make, report))  # type: ignore[call-arg]
        downloads[key] = held
    future = held[1]

    def button() -> None:
        if not future.done():
            st.button(f"{label} (preparing…)", key=f"{key}.preparing", icon=icon, width=width, disabled=True)
            if progress is not None and counts.get("total"):
                done, total = counts["done"], counts["total"]
                st.progress(done / total, text=f"{done} of {total} {progress} ready")
            return
        error = future.exception()
        if isinstance(error, StorageBusyError):
            downloads.pop(key, None)  # try again at the next run
        if isinstance(error, ServiceError):
            st.button(label, key=f"{key}.unavailable", icon=icon, width=width, disabled=True)
            st.caption(plain(error))
            return
        if error is not None:
            raise error
        st.download_button(
            label,
            data=future.result(),
            file_name=file_name,
            mime=mime,
            icon=icon,
            key=key,
            on_click="ignore",
            width=width,
        )

    if future.done():
        button()
        return

    @st.fragment(run_every=PREPARING_POLL_S)
    def preparing() -> None:
        if future.done():
            st.rerun(scope="app")  # ready: redraw the page once, with the real button outside any poll
        button()

    preparing()


# Last, see its docstring: it may raise Streamlit's rerun, and this module must be complete by then.
_use_the_navigation()
