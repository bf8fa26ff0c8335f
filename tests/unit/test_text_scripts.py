"""reports.scripts: the fonts, shaping and right-to-left order the PDFs set user text with."""

from __future__ import annotations

import unicodedata

import pytest
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus.paragraph import Paragraph as RLParagraph

from reports import pdf, scripts

COMMENT = "نحتاج دليل واضح قبل نهاية الربع ومراجعة أسبوعية للنتائج"


def visual(text: str) -> list[str]:
    """A line's runs as drawn, left to right, each right-to-left run read back in logical order."""
    runs = scripts.visual_runs(pdf._runs(text))
    return [part for _, part, _ in runs if part.strip()]


def test_words_of_each_script_are_set_in_its_font_with_their_punctuation() -> None:
    runs = pdf._runs("Team فريق، (2) שלום! नमस्ते 🚀")
    assert ("NotoSansArabic", "فريق،") in runs
    assert ("NotoSansHebrew", "שלום") in runs
    assert ("NotoSansDevanagari", "नमस्ते") in runs
    assert ("NotoEmoji", "🚀") in runs
    assert runs[0] == (None, "Team ")


def test_a_line_mixing_directions_is_drawn_in_visual_order_with_brackets_kept_with_their_words() -> None:
    # a left-to-right line: the Arabic words inside it run right to left
    assert visual("Team فريق خدمة 12 end") == ["Team ", "12", "خدمة", "فريق", " end"]
    # a right-to-left line: the brackets stay around the Hebrew word they enclose (Unicode's rule N0)
    assert visual("שלום (עולם) 3") == ["3", " (", "עולם", ") ", "שלום"]
    # left-to-right text is left alone
    assert visual("Zoë (Łódź) 3") == ["Zoë (Łódź) 3"]


def test_a_long_right_to_left_comment_wraps_top_down_and_reads_right_to_left_on_each_line() -> None:
    paragraph = scripts.ScriptParagraph(pdf.markup(COMMENT), pdf.stylesheet()["body"])
    paragraph.wrap(120, 800)
    assert paragraph.style.alignment == TA_RIGHT
    lines = [
        [
            unicodedata.normalize("NFKC", str(frag.text)).strip()
            for frag in line.words
            if str(frag.text).strip()
        ]
        for line in paragraph.blPara.lines
    ]
    assert len(lines) > 1
    read = [word[::-1] for line in lines for word in reversed(line)]  # each line from its right end
    assert read == COMMENT.split()


def test_latin_text_is_an_ordinary_unshaped_paragraph() -> None:
    style = pdf.stylesheet()["body"]
    paragraph = scripts.ScriptParagraph(pdf.markup("Zoë Łukasiewicz, R&D <b>"), style)
    assert paragraph.style is style and not style.shaping and style.alignment == TA_LEFT


def test_devanagari_and_emoji_sequences_are_shaped_with_no_missing_glyph() -> None:
    pdf.register_fonts()
    for text, font in (("मार्गदर्शिका", "NotoSansDevanagari"), ("👨\u200d👩\u200d👧", "NotoEmoji")):
        shaped, width = scripts._shaped(text, font, 10, True)
        glyphs = pdfmetrics.getFont(font).face.charToGlyph
        assert width > 0
        assert all(glyphs.get(ord(char), 0) != 0 for char in shaped), text  # no .notdef box
        assert str(shaped) != text  # conjuncts and the family sequence became other glyphs


def test_the_text_layer_maps_emoji_as_utf16_and_conjuncts_to_their_letters() -> None:
    pdf.register_fonts()
    shaped, _ = scripts._shaped("ग्राहक", "NotoSansDevanagari", 10, True)
    private = [ord(char) for char in shaped if 0xE000 <= ord(char) <= 0xF8FF]
    face = pdfmetrics.getFont("NotoSansDevanagari").face.name
    face = face.decode() if isinstance(face, bytes) else face
    cmap = scripts._to_unicode(f"AAAAAA+{face}", [0x1F680, *private])
    assert "<00> <D83DDE80>" in cmap  # 🚀 as a surrogate pair, not the invalid <1F680>
    assert any("<0917094D0930>" in line for line in cmap.splitlines())  # ग्र, the conjunct's letters


def test_a_hindi_word_split_to_fit_a_narrow_cell_keeps_its_glyphs_when_laid_out_again() -> None:
    paragraph = scripts.ScriptParagraph(pdf.markup("ग्राहक"), pdf.stylesheet()["cell"])
    glyphs = pdfmetrics.getFont("NotoSansDevanagari").face.charToGlyph
    for width in (14, 14, 60, 6, 6):  # a table lays its cells out more than once
        paragraph.wrap(width, 800)
        drawn = "".join(str(frag.text) for line in paragraph.blPara.lines for frag in line.words)
        assert "\u25cc" not in drawn  # no dotted circle from a vowel sign shaped on its own
        assert all(glyphs.get(ord(char), 0) for char in drawn)  # no .notdef box


def test_bold_text_in_a_script_is_set_in_that_scripts_bold_face() -> None:
    body = scripts.ScriptParagraph(
        f"<b>{pdf.markup('एक पृष्ठ')}</b> {pdf.markup('एक')}", pdf.stylesheet()["body"]
    )
    assert [frag.fontName for frag in body.frags if frag.text.strip()] == [
        "NotoSansDevanagari-Bold",
        "NotoSansDevanagari-Bold",
        "NotoSansDevanagari",
    ]
    title = scripts.ScriptParagraph(pdf.markup("Team שלום"), pdf.stylesheet()["cover_title"])  # a bold style
    assert [frag.fontName for frag in title.frags] == ["DejaVuSans-Bold", "NotoSansHebrew-Bold"]


def test_a_paragraph_measured_again_at_the_same_width_is_broken_into_lines_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A table cell is measured each time its table is, a kept-together block each time a page is tried:
    # the lines of the last width are kept, and are the lines a fresh paragraph gets.
    style = pdf.stylesheet()["body"]
    text = pdf.markup("Ein Wort, ein Satz und noch ein Wort " * 12)
    broken: list[object] = []
    original = RLParagraph.breakLines
    monkeypatch.setattr(
        RLParagraph, "breakLines", lambda self, width: broken.append(width) or original(self, width)
    )
    paragraph = scripts.ScriptParagraph(text, style)
    narrow = paragraph.wrap(200, 1000)
    lines = list(paragraph.blPara.lines)
    assert paragraph.wrap(200, 40) == narrow and len(broken) == 1
    assert paragraph.blPara.lines == lines
    wide = paragraph.wrap(300, 1000)
    assert wide[1] < narrow[1] and len(broken) == 2
    assert paragraph.wrap(200, 1000) == narrow and len(broken) == 3
    assert scripts.ScriptParagraph(text, style).wrap(200, 1000) == narrow
    # a split may change the paragraph's words: its parts and the paragraph are broken afresh
    first, rest = paragraph.split(200, 60)
    assert first.wrap(200, 1000)[1] + rest.wrap(200, 1000)[1] == narrow[1]
    assert len(broken) == 6  # the fresh paragraph above, and the two parts


def test_equal_paragraphs_in_equal_styles_are_parsed_once_and_each_keeps_its_own_fragments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A report repeats cell texts ("3 Defined", a date) in styles made afresh per report or table: the parse
    # is shared, each paragraph gets copies of the fragments, and another style or text is parsed anew.
    from reportlab.platypus import paraparser

    parsed: list[str] = []
    original = paraparser.ParaParser.parse
    monkeypatch.setattr(
        paraparser.ParaParser,
        "parse",
        lambda self, text, style: parsed.append(text) or original(self, text, style),
    )
    text = pdf.markup("Parsed once <b>R&D</b> 1 Dec 2026")
    first = scripts.ScriptParagraph(text, pdf.stylesheet()["cell"])
    again = scripts.ScriptParagraph(text, pdf.stylesheet()["cell"])  # an equal style of another report
    assert len(parsed) == 1
    assert again.style is not first.style
    assert [frag.__dict__ for frag in again.frags] == [frag.__dict__ for frag in first.frags]
    assert all(a is not b for a, b in zip(again.frags, first.frags, strict=True))
    again.frags[0].text = "changed"
    assert scripts.ScriptParagraph(text, pdf.stylesheet()["cell"]).frags[0].text != "changed"
    assert len(parsed) == 1
    bigger = scripts.ScriptParagraph(text, pdf.stylesheet()["body"])
    assert len(parsed) == 2 and bigger.frags[0].fontSize != first.frags[0].fontSize
    assert scripts.ScriptParagraph(text + " more", pdf.stylesheet()["cell"]).frags[-1].text.endswith("more")
    assert len(parsed) == 3
    assert again.wrap(300, 100) == scripts.ScriptParagraph(text, pdf.stylesheet()["cell"]).wrap(300, 100)
