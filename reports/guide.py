"""The one-page AI-use guide: what it says (:func:`guide_content`, pure) and three renderings of it.

The guide sorts the team's own activities into three columns (use freely / use with review / don't use),
then gives the data rules (which data classes may go into which approved tools), who to ask about grey
zones and how soon they answer, and when the guide is reviewed. It is rendered as

* one A4 PDF page (:func:`guide_pdf`): the fonts and text escaping of ``reports.pdf`` (DejaVu Sans, the
  fallback font, :func:`reports.pdf.markup`); each column lists at most :data:`MAX_EXAMPLES` activities
  ("and N more" after them) and the whole page is shrunk to fit, so it is one page whatever the team typed;
* Markdown (:func:`guide_markdown`), with Markdown's special characters escaped;
* HTML (:func:`guide_html`), a standalone fragment to paste into an intranet, every text HTML-escaped.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepInFrame, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as RLTable

from questionnaires.taskmap_schema import REASON_LABELS, GuideForm, TaskMapInput
from reports.content import format_date
from reports.pdf import ACCENT, ACCENT_LIGHT, FONT_BOLD, INK, MUTED, RULE, markup, stylesheet
from reports.scripts import ScriptParagraph

#: The most activities a column lists by name (the rest are counted).
MAX_EXAMPLES = 12

COLUMN_TITLES = ("Use freely", "Use with review", "Don't use AI")
COLUMN_HINTS = (
    "AI may do these; check as you would any draft.",
    "AI may draft these; a person reviews before it is used.",
    "These stay with people.",
)


@dataclass(frozen=True)
class GuideExample:
    """One activity in a column: its name, its role, and a note (review time, or why it stays human)."""

    activity: str
    role: str
    note: str = ""


@dataclass(frozen=True)
class GuideContent:
    """Everything the guide says, as plain text (the renderers escape it)."""

    team: str
    version: int
    published: date
    review_date: date
    contact_name: str
    contact_response: str
    columns: tuple[list[GuideExample], list[GuideExample], list[GuideExample]]
    data_rules: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The guide's title line."""
        return f"AI-use guide · {self.team}"

    @property
    def version_line(self) -> str:
        """Version, publication and review dates in one line."""
        return (
            f"Version {self.version} · published {format_date(self.published)} · "
            f"next review {format_date(self.review_date)}"
        )

    @property
    def ask_line(self) -> str:
        """Who to ask about a use the guide does not cover, and how soon they answer."""
        return (
            f"Not sure? Ask {self.contact_name} ({self.contact_response}). Until they answer, treat the use as "
            "'use with review'."
        )


def _minutes(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def guide_content(
    team: str, task_map: TaskMapInput, form: GuideForm, *, version: int, published: date | datetime
) -> GuideContent:
    """The guide of a task map and its form: activities sorted by the team's decision, in the map's order."""
    freely: list[GuideExample] = []
    review: list[GuideExample] = []
    human: list[GuideExample] = []
    for activity in task_map.activities:
        if activity.decision == "ai_freely":
            freely.append(GuideExample(activity.name, activity.role))
        elif activity.decision == "ai_with_review":
            if activity.review_hours_per_week is not None:
                note = f"review budgeted: {_minutes(activity.review_hours_per_week)} h a week per person"
            else:
                note = f"review budgeted: {_minutes(activity.review_minutes or 0)} min each time"
            review.append(GuideExample(activity.name, activity.role, note))
        else:
            human.append(
                GuideExample(activity.name, activity.role, REASON_LABELS.get(activity.reason or "", ""))
            )
    day = published.date() if isinstance(published, datetime) else published
    return GuideContent(
        team=team,
        version=version,
        published=day,
        review_date=form.review_date,
        contact_name=form.contact_name,
        contact_response=form.contact_response,
        columns=(freely, review, human),
        data_rules=[(rule.data_class, rule.tools or "no AI tool") for rule in form.data_rules],
    )


def _listed(examples: list[GuideExample]) -> tuple[list[GuideExample], int]:
    """The examples a column names, and how many more it only counts."""
    return examples[:MAX_EXAMPLES], max(len(examples) - MAX_EXAMPLES, 0)


# --- PDF ---------------------------------------------------------------------------------------------------


def guide_pdf(content: GuideContent) -> bytes:
    """The guide as one A4 page (PDF bytes)."""
    styles = stylesheet()
    body = ParagraphStyle("guide-body", parent=styles["body"], fontSize=9, leading=11.5, spaceAfter=3)
    small = ParagraphStyle(
        "guide-small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED, spaceAfter=4
    )
    heading = ParagraphStyle(
        "guide-heading",
        parent=body,
        fontName=FONT_BOLD,
        fontSize=11,
        leading=14,
        textColor=ACCENT,
        spaceAfter=2,
    )
    title = ParagraphStyle(
        "guide-title", parent=heading, fontSize=17, leading=21, textColor=INK, spaceAfter=3
    )
    story: list = [
        ScriptParagraph(markup(content.title, "heading"), title),
        ScriptParagraph(markup(content.version_line, "line"), small),
        Spacer(0, 3 * mm),
    ]
    cells = []
    for index, examples in enumerate(content.columns):
        shown, more = _listed(examples)
        column = [ScriptParagraph(markup(COLUMN_TITLES[index], "heading"), heading)]
        column.append(ScriptParagraph(markup(COLUMN_HINTS[index], "line"), small))
        if not examples:
            column.append(ScriptParagraph(markup("No activity of the task map is here.", "line"), small))
        for example in shown:
            text = f"<b>{markup(example.activity, 'cell')}</b><br/>{markup(example.role, 'line')}"
            if example.note:
                text += f" · {markup(example.note, 'line')}"
            column.append(ScriptParagraph(text, body))
        if more:
            column.append(ScriptParagraph(markup(f"and {more} more in the task map", "line"), small))
        cells.append(column)
    width = A4[0] - 36 * mm
    columns = RLTable([cells], colWidths=[width / 3] * 3)
    columns.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, -1), ACCENT_LIGHT),
                ("LINEAFTER", (0, 0), (1, 0), 1, colors.white),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    story += [columns, Spacer(0, 4 * mm), ScriptParagraph(markup("Data rules", "heading"), heading)]
    rules = [
        [ScriptParagraph("<b>Data</b>", body), ScriptParagraph("<b>May go into (approved tools)</b>", body)],
        *[
            [ScriptParagraph(markup(data_class, "cell"), body), ScriptParagraph(markup(tools, "cell"), body)]
            for data_class, tools in content.data_rules
        ],
    ]
    table = RLTable(rules, colWidths=[width * 0.4, width * 0.6])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    story += [
        table,
        Spacer(0, 4 * mm),
        ScriptParagraph(markup("Who to ask", "heading"), heading),
        ScriptParagraph(markup(content.ask_line), body),
        Spacer(0, 2 * mm),
        ScriptParagraph(markup("When this guide changes", "heading"), heading),
        ScriptParagraph(
            markup(
                f"The team reviews this guide by {format_date(content.review_date)} (quarterly), with its task "
                "map: activities move between the columns as tools, data rules and experience change."
            ),
            body,
        ),
    ]
    buffer = io.BytesIO()
    margin = 18 * mm
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title=content.title,
        author="Layerwise",
    )
    frame_height = A4[1] - 2 * margin - 1 * mm
    document.build([KeepInFrame(width, frame_height, story, mode="shrink")])
    return buffer.getvalue()


# --- Markdown and HTML ---------------------------------------------------------------------------------------

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def _md(text: str) -> str:
    """Plain text safe in Markdown: special characters backslash-escaped, line breaks as spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def guide_markdown(content: GuideContent) -> str:
    """The guide as Markdown (every text escaped, so a team's text is never read as Markdown)."""
    lines = [f"# {_md(content.title)}", "", f"*{_md(content.version_line)}*", ""]
    for index, examples in enumerate(content.columns):
        lines += [f"## {_md(COLUMN_TITLES[index])}", "", _md(COLUMN_HINTS[index]), ""]
        if not examples:
            lines += ["- No activity of the task map is here.", ""]
            continue
        for example in examples:
            note = f" · {_md(example.note)}" if example.note else ""
            lines.append(f"- **{_md(example.activity)}** ({_md(example.role)}){note}")
        lines.append("")
    lines += ["## Data rules", "", "| Data | May go into (approved tools) |", "|---|---|"]
    lines += [f"| {_md(data_class)} | {_md(tools)} |" for data_class, tools in content.data_rules]
    lines += ["", "## Who to ask", "", _md(content.ask_line), "", "## When this guide changes", ""]
    lines.append(
        _md(
            f"The team reviews this guide by {format_date(content.review_date)} (quarterly), with its task map."
        )
    )
    return "\n".join(lines) + "\n"


def guide_html(content: GuideContent) -> str:
    """The guide as a standalone HTML fragment (every text escaped), three columns side by side."""
    e = html.escape
    parts = [
        '<section class="ai-use-guide" style="font-family: sans-serif; max-width: 60rem">',
        f"<h1>{e(content.title)}</h1>",
        f"<p><em>{e(content.version_line)}</em></p>",
        '<div style="display: flex; gap: 1rem">',
    ]
    for index, examples in enumerate(content.columns):
        parts.append('<div style="flex: 1; background: #E8F1F8; padding: 0.75rem">')
        parts.append(f"<h2>{e(COLUMN_TITLES[index])}</h2><p>{e(COLUMN_HINTS[index])}</p><ul>")
        if not examples:
            parts.append("<li>No activity of the task map is here.</li>")
        for example in examples:
            note = f" · {e(example.note)}" if example.note else ""
            parts.append(f"<li><strong>{e(example.activity)}</strong> ({e(example.role)}){note}</li>")
        parts.append("</ul></div>")
    parts.append(
        "</div><h2>Data rules</h2><table><tr><th>Data</th><th>May go into (approved tools)</th></tr>"
    )
    parts += [
        f"<tr><td>{e(data_class)}</td><td>{e(tools)}</td></tr>" for data_class, tools in content.data_rules
    ]
    parts += [
        "</table>",
        f"<h2>Who to ask</h2><p>{e(content.ask_line)}</p>",
        "<h2>When this guide changes</h2>",
        f"<p>The team reviews this guide by {e(format_date(content.review_date))} (quarterly), with its task map.</p>",
        "</section>",
    ]
    return "\n".join(parts) + "\n"
