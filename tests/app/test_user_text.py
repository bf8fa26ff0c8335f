"""People's text (team and workshop names, comments, actions, owners) is shown as typed, never as Markdown.

Streamlit renders Markdown in ``st.markdown``, captions, titles, alerts and widget labels: a team name holding
``![x](http://evil.example/p.png)`` would make every viewer's browser fetch that image. Each test types such
text where people can, opens the pages that show it and checks every Markdown-rendering element: no image,
link, HTML or emphasis syntax survives, and the text still reads as typed once the escapes are read.
"""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import assessment as journey
from services import workshop as live
from tests.app.conftest import MARKDOWN_ELEMENTS, AppDatabase, PageOpener

IMAGE = "![x](http://evil.example/p.png)"
HTML = '<img src="http://evil.example/q.png">'
BOLD = "**bold**"
EVIL = f"{IMAGE} {HTML} {BOLD}"

#: Markdown's backslash escapes: a backslash before ASCII punctuation shows the punctuation itself.
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def rendered_markdown(at: AppTest) -> list[str]:
    """The Markdown source of every element that renders Markdown (bodies, alerts, headings, labels)."""
    sources: list[str] = []
    for kind in MARKDOWN_ELEMENTS:
        sources.extend(str(element.value) for element in getattr(at, kind))
    sources.extend(str(expander.label) for expander in at.expander)
    sources.extend(str(tab.label) for tab in at.tabs)
    for radio in at.radio:
        sources.append(str(radio.label))
        sources.extend(str(option) for option in radio.options)
    return sources


def assert_shown_as_typed(at: AppTest, *typed: str) -> None:
    """No element renders the syntax of ``typed`` as Markdown, and each ``typed`` text is readable as is."""
    assert not at.exception, [e.value for e in at.exception]
    sources = rendered_markdown(at)
    for source in sources:
        assert "![" not in source, f"an image would be fetched: {source!r}"
        assert not re.search(r"(?<!\\)\]\(", source), f"a link is rendered: {source!r}"
        assert not re.search(r"(?<!\\)<img", source), f"HTML is passed through: {source!r}"
        assert "**bold**" not in source, f"typed asterisks become bold: {source!r}"
    readable = "\n".join(_ESCAPE.sub(r"\1", source) for source in sources)
    for text in typed:
        assert text in readable, f"{text!r} is not shown as typed"


def test_team_name_comments_and_actions_show_as_typed(open_page: PageOpener, app_db: AppDatabase) -> None:
    ctx = app_db.ctx
    questionnaire = ctx.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
    lead = journey.start_assessment(
        ctx, team_name=f"Ops {EVIL}", mode="individual", form="pulse", role="leader"
    )
    assert lead.share_code is not None
    tokens = [lead.token]
    tokens += [
        journey.join_assessment(ctx, share_code=lead.share_code, role="contributor").token for _ in range(4)
    ]
    first_dimension = questionnaire.dimensions[0].id
    for index, token in enumerate(tokens):
        for item in questionnaire.items_for("pulse"):
            journey.save_answer(ctx, token, item.id, 2 + index % 3)
    journey.save_comment(ctx, tokens[1], first_dimension, f"Comment {EVIL}")
    journey.action_plan(ctx, lead.token)  # the first view fills the plan
    journey.add_custom_action(
        ctx,
        lead.token,
        title=f"Title {EVIL}",
        owner=f"Owner {EVIL}",
        due_date=None,
        first_step=f"Step {EVIL}",
    )

    at = open_page("pages/results.py", token=lead.token)
    assert_shown_as_typed(at, f"Ops {EVIL}: results", f"Comment {EVIL}")

    at = open_page("pages/action_plan.py", token=lead.token)
    assert_shown_as_typed(at, f"Ops {EVIL}: action plan", f"Title {EVIL}", f"Step {EVIL}")

    at = open_page("pages/assess.py", token=tokens[1])
    assert_shown_as_typed(at, f"Ops {EVIL}")

    invited = open_page("pages/start.py", assessment=lead.share_code)
    assert_shown_as_typed(invited, f"Ops {EVIL}")


def test_workshop_name_team_and_actions_show_as_typed(open_page: PageOpener, app_db: AppDatabase) -> None:
    ctx = app_db.ctx
    created = live.create_workshop(ctx, name=f"Workshop {EVIL}", team_names=[f"Team {EVIL}"], form="pulse")
    live.add_action(ctx, created.facilitator_token, title=f"Act {EVIL}", owner=f"Owner {EVIL}", due_date=None)

    at = open_page("pages/facilitate.py", token=created.facilitator_token)
    assert_shown_as_typed(at, f"Workshop {EVIL}", f"Team {EVIL}", f"Act {EVIL}", f"Owner {EVIL}")

    at = open_page("pages/room.py", code=created.code)
    assert_shown_as_typed(at, f"Workshop {EVIL}", f"Team {EVIL}")

    joined = live.join_workshop(ctx, code=created.code, role="contributor", client_key="text-test")
    at = open_page("pages/join.py", resume=joined.token)
    assert_shown_as_typed(at, f"Workshop {EVIL}", f"Team {EVIL}")


def test_markdown_in_a_typed_text_line_start_stays_text() -> None:
    import ui

    typed = "1. first\n- second\n# third\n===\n> quote & <b>tag</b> $x$ ~~gone~~ `code` | a |"
    escaped = ui.plain(typed)
    assert _ESCAPE.sub(r"\1", escaped) == typed
    for line in escaped.splitlines():
        assert not re.match(r"\s*([-+=#>]|\d+[.)])", line), line
