"""Every script users type, in the PDFs: Arabic and Hebrew right-to-left and shaped, Hindi shaped, emoji.

Read back from the PDF's text layer and its drawing positions (pypdf): which font set each run, where
each word was drawn, and the text a reader copies out.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.platypus import SimpleDocTemplate

from questionnaires.loader import default_questionnaire, taskmap_templates
from questionnaires.schema import Questionnaire
from questionnaires.taskmap_schema import GuideForm
from reports import charts, content, pdf
from reports.content import ReportAction
from reports.guide import guide_content, guide_pdf
from scoring import build_action_plan, score_team
from scoring.models import TeamResult
from tests.integration.pdf_support import all_text
from tests.report_samples import sample_team

GENERATED = datetime(2026, 3, 7, 9, 30, tzinfo=UTC)
ARABIC_TEAM = "فريق خدمة المبيعات"
#: one comment per script; words without the lam-alef ligature, so each reads back letter for letter
COMMENTS = {
    "arabic": "نحتاج دليل واضح",
    "hebrew": "צריך מדריך ברור",
    "hindi": "हमें स्पष्ट मार्गदर्शिका चाहिए",
    "emoji": "Great progress 🎉 but review eats time ⏳",
}
ACTIONS = {
    "arabic": "نشر دليل من صفحة واحدة",
    "hebrew": "לפרסם מדריך בעמוד אחד",
    "hindi": "एक पृष्ठ की मार्गदर्शिका प्रकाशित करें",
    "emoji": "Publish the guide 🚀",
}
SCRIPT_FONTS = {"NotoSansArabic", "NotoSansHebrew", "NotoSansDevanagari", "NotoEmoji"}


@dataclass(frozen=True)
class Drawn:
    """One word as drawn: its page, left edge and baseline band (points from the top), and characters."""

    page: int
    x: float
    y: float
    text: str


_PAGE = re.compile(r"<page [^>]*>(.*?)</page>", re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>')


def drawn_words(document: bytes, folder: Path) -> list[Drawn]:
    """Every word with its position, from poppler's ``pdftotext -bbox`` (glyphs in the order drawn)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; .ci/run installs it")
    source = folder / "report.pdf"
    source.write_bytes(document)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(source), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return [
        Drawn(number, float(x), round((float(top) + float(bottom)) / 2), unicodedata.normalize("NFKC", text))
        for number, page in enumerate(_PAGE.findall(html), start=1)
        for x, top, bottom, text in _WORD.findall(page)
    ]


def rtl_line(words: list[Drawn], phrase: str, page: int | None = None) -> list[float]:
    """The left edges of a right-to-left phrase's words, in the phrase's order, on the first line that holds
    them all. A word is matched by its letters: its glyphs are drawn in visual order (the text reads
    reversed) and a ligature (lam with meem, say) copies out in its own order."""
    wanted = [sorted(word) for word in phrase.split()]
    for first in words:
        if sorted(first.text) != wanted[0] or (page is not None and first.page != page):
            continue
        line = [w for w in words if w.page == first.page and abs(w.y - first.y) < 4]
        found = [next((w.x for w in line if sorted(w.text) == word), None) for word in wanted]
        if all(x is not None for x in found):
            return [x for x in found if x is not None]
    raise AssertionError(f"{phrase!r} is not drawn on one line as right-to-left words")


def fonts_of(document: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(document)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1].split("-")[0])
    return names


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return default_questionnaire()


@pytest.fixture(scope="module")
def result(questionnaire: Questionnaire) -> TeamResult:
    team = sample_team(questionnaire, ARABIC_TEAM, seed=3)
    scripts = list(COMMENTS.values())
    respondents = [
        respondent.model_copy(update={"comments": {"permission": scripts[index % len(scripts)]}})
        for index, respondent in enumerate(team.respondents)
    ]
    return score_team(questionnaire, team.model_copy(update={"respondents": respondents}))


@pytest.fixture(scope="module")
def team_pdf(questionnaire: Questionnaire, result: TeamResult) -> bytes:
    plan = build_action_plan(questionnaire, result)
    report = content.team_report_content(questionnaire, result, plan, pack=None, generated_at=GENERATED)
    return pdf.team_report_pdf(report)


@pytest.fixture(scope="module")
def workshop_pdf(questionnaire: Questionnaire, result: TeamResult) -> bytes:
    actions = [
        ReportAction(priority=index, title=title, owner="Dana", due=date(2026, 4, 1), team=ARABIC_TEAM)
        for index, title in enumerate(ACTIONS.values(), start=1)
    ]
    report = content.workshop_report_content(
        questionnaire, result, workshop=ARABIC_TEAM, generated_at=GENERATED, agreed_actions=actions
    )
    return pdf.workshop_report_pdf(report)


def test_an_arabic_team_name_reads_right_to_left_in_the_title_and_the_page_header(
    team_pdf: bytes, tmp_path: Path
) -> None:
    words = drawn_words(team_pdf, tmp_path)
    x1, x2, x3 = rtl_line(words, ARABIC_TEAM, page=1)  # the cover title
    assert x1 > x2 > x3  # the first word is the rightmost
    # the running header of a later page is drawn on the canvas, not in a paragraph: the same order
    h1, h2, h3 = rtl_line(words, ARABIC_TEAM, page=2)
    assert h1 > h2 > h3


def test_a_hebrew_comment_is_right_aligned_and_reads_right_to_left(team_pdf: bytes, tmp_path: Path) -> None:
    words = drawn_words(team_pdf, tmp_path)
    xs = rtl_line(words, COMMENTS["hebrew"])
    assert xs == sorted(xs, reverse=True)  # the first word on the right
    assert min(xs) > pdf.PAGE_WIDTH / 2  # a short right-to-left comment sits against the right margin
    # its bullet is on the right too, where the comment starts
    first = next(w for w in words if w.x == xs[0])
    bullet = next(w for w in words if w.text == "•" and w.page == first.page and abs(w.y - first.y) < 4)
    assert bullet.x > xs[0]


def test_every_script_is_set_in_its_own_bundled_font_and_copies_out_as_typed(
    team_pdf: bytes, workshop_pdf: bytes
) -> None:
    for document in (team_pdf, workshop_pdf):
        assert fonts_of(document) >= SCRIPT_FONTS
        text = unicodedata.normalize("NFKC", all_text(document))
        assert pdf.PLACEHOLDER not in text
        # Devanagari conjuncts and emoji come back as their characters, not private-use codes or nothing
        assert not any(0xE000 <= ord(char) <= 0xF8FF for char in text)
    team_text = unicodedata.normalize("NFKC", all_text(team_pdf))
    assert "हमें स्पष्ट" in team_text
    assert "Great progress 🎉 but review eats time ⏳" in team_text
    workshop_text = unicodedata.normalize("NFKC", all_text(workshop_pdf))
    assert "एक पृष्ठ की" in workshop_text
    assert "Publish the guide 🚀" in workshop_text


def copied_text(document: bytes, folder: Path) -> str:
    """The text a reader copies out of the PDF, as poppler's ``pdftotext`` extracts it (ActualText honoured)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; .ci/run installs it")
    source = folder / "copied.pdf"
    source.write_bytes(document)
    text = subprocess.run(
        ["pdftotext", str(source), "-"], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return unicodedata.normalize("NFC", " ".join(text.split()))


def test_devanagari_copies_out_in_the_order_it_was_typed(
    team_pdf: bytes, workshop_pdf: bytes, tmp_path: Path
) -> None:
    # "मार्गदर्शिका" draws its ि before the श and its reph after the ग: copied glyph by glyph it came out as
    # "मागर्दरश्िका"; each shaped word now carries its typed text
    assert unicodedata.normalize("NFC", COMMENTS["hindi"]) in copied_text(team_pdf, tmp_path)
    assert unicodedata.normalize("NFC", ACTIONS["hindi"]) in copied_text(workshop_pdf, tmp_path)


def test_agreed_actions_in_arabic_read_right_to_left_in_the_workshop_table(
    workshop_pdf: bytes, tmp_path: Path
) -> None:
    xs = rtl_line(drawn_words(workshop_pdf, tmp_path), ACTIONS["arabic"])
    assert xs == sorted(xs, reverse=True)


def test_the_ai_use_guide_sets_hebrew_hindi_and_emoji_activities(tmp_path: Path) -> None:
    task_map = next(t for t in taskmap_templates() if t.id == "service-desk").task_map
    names = [ACTIONS["hebrew"], ACTIONS["hindi"], ACTIONS["emoji"]]
    activities = [
        activity.model_copy(update={"name": names[index % len(names)]})
        for index, activity in enumerate(task_map.activities)
    ]
    form = GuideForm(
        data_rules=[{"data_class": "מידע ציבורי", "tools": "Copilot"}],
        contact_name="דנה כהן",
        contact_response="within a day",
        review_date=date(2027, 2, 28),
    )
    guide = guide_content(
        ARABIC_TEAM,
        task_map.model_copy(update={"activities": activities}),
        form,
        version=1,
        published=date(2026, 11, 30),
    )
    document = guide_pdf(guide)
    assert {"NotoSansHebrew", "NotoSansDevanagari", "NotoEmoji", "NotoSansArabic"} <= fonts_of(document)
    text = unicodedata.normalize("NFKC", all_text(document))
    assert pdf.PLACEHOLDER not in text
    assert "एक पृष्ठ की" in text and "🚀" in text
    x1, x2, x3 = rtl_line(drawn_words(document, tmp_path), ARABIC_TEAM)
    assert x1 > x2 > x3


def test_chart_labels_in_arabic_and_hindi_are_drawn_in_their_fonts_right_to_left(
    questionnaire: Questionnaire, result: TeamResult, tmp_path: Path
) -> None:
    hindi = score_team(questionnaire, sample_team(questionnaire, "ग्राहक सेवा टीम", seed=5))
    chart = pdf._chart(charts.org_heatmap([result, hindi]), 0.5)  # laid out by vl-convert, drawn as vectors
    document = io.BytesIO()
    SimpleDocTemplate(document).build([chart])
    assert {"NotoSansArabic", "NotoSansDevanagari"} <= fonts_of(document.getvalue())
    text = unicodedata.normalize("NFKC", all_text(document.getvalue()))
    assert "ग्राहक सेवा टीम" in text and pdf.PLACEHOLDER not in text
    x1, x2, x3 = rtl_line(drawn_words(document.getvalue(), tmp_path), ARABIC_TEAM)
    assert x1 > x2 > x3
