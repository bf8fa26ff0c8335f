"""PDF reports: render a ``reports.content`` object to PDF bytes with reportlab platypus.

The renderer is built from hooks, like pretix's invoice renderer: :func:`stylesheet` (paragraph styles),
:func:`story` (the flowables of a report), :func:`_first_page` / :func:`_later_pages` (page callbacks: the
cover band, header and footer) and :class:`NumberedCanvas` (the "3 / 9" page numbers, drawn once the page
count is known). Public entry points: :func:`team_report_pdf`, :func:`workshop_report_pdf`,
:func:`org_report_pdf` and :func:`team_reports_zip`.

Text safety, decided here once for every report:

- Every text from content is plain text. :func:`markup` escapes it (``&``, ``<``, ``>`` and quotes) before
  a ``Paragraph`` parses it, so ``<b>R&D</b>`` or ``<img src="/etc/passwd">`` is printed as typed and
  reportlab never fetches anything.
- Control characters are dropped, line breaks kept; words longer than :data:`MAX_WORD` characters and texts
  longer than the limit of their place (heading, cell, paragraph) are cut with an ellipsis, and reportlab's
  ``splitLongWords`` wraps the rest, so nothing runs off the page.
- Fonts are bundled: DejaVu Sans (``reports/fonts``, with its licence) is registered as the base family;
  Arabic, Hebrew and Devanagari are set in the bundled Noto Sans of their script and emoji in the bundled
  monochrome Noto Emoji, shaped with HarfBuzz and, for right-to-left text, in visual order
  (``reports.scripts``). Characters none of them has (CJK, for example) are set in the font named by the
  setting ``LAYERWISE_PDF_FALLBACK_FONT``, or else the first of :data:`DEFAULT_FALLBACK_FONTS` there
  (the bundled WenQuanYi Micro Hei), when it has the glyph; otherwise they are replaced by a visible
  placeholder (U+FFFD �), never a crash or an invisible box.

Charts are the Altair charts of ``reports.charts`` (the ones the pages show), laid out by Vega through
``charts.render_scenegraph`` (vl-convert, bundled font, no network) and drawn as vector graphics by
``reports.vector``, sized to the frame (up to 0.9 pt per CSS pixel). Rasterising them instead cost most of
a report's time: every team's charts differ, so a PNG cache rarely helps, and vl-convert's PNG of a chart
takes two to three times its layout (glyph by glyph), plus a decode and recompression per image; a ZIP of
15 team reports spent about 2.5 s per team that way. Vector charts are sharp at any zoom, their words are
searchable, and a team report is about a fifth of the size. A chart using a mark ``reports.vector`` cannot
paint (say, an arc) is embedded as a PNG at scale 2 instead: a plain RGB image XObject decoded and
compressed once per image and cached (:func:`_encode_png`).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import io
import os
import pickle
import re
import subprocess
import sys
import tempfile
import threading
import unicodedata
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    ListFlowable,
    ListItem,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as RLTable

from reports import charts, scripts, vector
from reports.content import (
    Bullets,
    Figure,
    Paragraph,
    ReportContent,
    Section,
    Table,
    format_date,
)
from reports.content import PageBreak as ContentPageBreak
from reports.scripts import ScriptParagraph
from settings import get_settings

__all__ = [
    "FONT",
    "FONT_BOLD",
    "MAX_WORD",
    "NumberedCanvas",
    "markup",
    "org_report_pdf",
    "register_fonts",
    "render_pdf",
    "report_file_name",
    "story",
    "stylesheet",
    "team_report_pdf",
    "team_reports_zip",
    "workshop_report_pdf",
]

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_ITALIC = "DejaVuSans-Oblique"
FALLBACK_FONT = "LayerwiseFallback"
FONT_DIR = charts.FONT_DIR
#: Fonts for the characters DejaVu Sans and the bundled Noto fonts lack (CJK, for example) when
#: ``LAYERWISE_PDF_FALLBACK_FONT`` names none: the bundled WenQuanYi Micro Hei (Chinese, Japanese kana, Korean
#: Hangul; ``reports/fonts/LICENSE-WenQuanYi.txt``), so CJK text needs no configuration, then fonts a system may
#: have. TrueType outlines only: reportlab cannot embed CFF-based fonts such as Noto Sans CJK.
DEFAULT_FALLBACK_FONTS: tuple[Path, ...] = (
    FONT_DIR / "WenQuanYiMicroHei.ttc",
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)
#: Shown instead of a character no registered font has a glyph for.
PLACEHOLDER = "\ufffd"
#: Words longer than this many characters are cut with an ellipsis.
MAX_WORD = 120
#: The most characters a text may have in each place before it is cut with an ellipsis.
LIMITS = {"heading": 200, "cell": 1_200, "paragraph": 4_000, "line": 300}
#: Tables with fewer body rows than this never split over two pages.
SHORT_TABLE_ROWS = 12
#: Bulleted lists of at most this many items never split over two pages.
SHORT_LIST_ITEMS = 6
#: A short table or list taller than this share of a page splits anyway (with its heading it would not fit).
KEEP_SHORT_SHARE = 0.85
#: A heading needs this much of what follows it on its page (about four lines or three table rows) when
#: what follows may split; a block that may not split needs all of its height.
KEEP_WITH_HEADING = 60.0
#: A section that starts on a new page starts on the current one instead when it fits in what is left, or
#: when it is longer than what is left and more than this share of the page is free.
SECTION_ON_SAME_PAGE = 0.5
#: PNG scale of charts: 2 is sharp at 150 dpi and fast (measured; 3 costs about twice the time).
CHART_SCALE = 2

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

INK = colors.HexColor("#262626")
MUTED = colors.HexColor("#595959")
ACCENT = colors.HexColor(charts.BLUE_DARK)
ACCENT_LIGHT = colors.HexColor("#E8F1F8")
RULE = colors.HexColor("#D9D9D9")
ZEBRA = colors.HexColor("#F7F7F7")

# --- fonts ----------------------------------------------------------------------------------------------

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}
_fallback_state: dict[str, str | None] = {}
_registered = threading.Event()


def register_fonts() -> None:
    """Register the bundled DejaVu Sans (regular, bold, oblique) as the base family, once per process."""
    if _registered.is_set():  # every paragraph and chart text asks; no lock once done
        return
    with _lock:
        if FONT in _coverage:
            scripts.register_script_fonts()
            _registered.set()
            return
        from reportlab.lib.fonts import addMapping

        for name, file in (
            (FONT, "DejaVuSans.ttf"),
            (FONT_BOLD, "DejaVuSans-Bold.ttf"),
            (FONT_ITALIC, "DejaVuSans-Oblique.ttf"),
        ):
            font = TTFont(name, str(FONT_DIR / file))
            pdfmetrics.registerFont(font)
            _coverage[name] = frozenset(font.face.charToGlyph)
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD
        )
        addMapping(FONT, 0, 0, FONT)
        addMapping(FONT, 1, 0, FONT_BOLD)
        addMapping(FONT, 0, 1, FONT_ITALIC)
        addMapping(FONT, 1, 1, FONT_BOLD)
    scripts.register_script_fonts()
    _registered.set()


def _fallback_font() -> str | None:
    """The registered fallback font's name, or None when the setting names none (or an unusable file).

    Re-read when the setting changes (tests switch it); a file that cannot be loaded counts as none.
    """
    configured = get_settings().pdf_fallback_font or next(
        (path for path in DEFAULT_FALLBACK_FONTS if path.is_file()), None
    )
    key = str(configured) if configured else ""
    with _lock:
        if key in _fallback_state:
            return _fallback_state[key]
    name: str | None = None
    if configured:
        path = Path(configured)
        try:
            font = TTFont(f"{FALLBACK_FONT}-{len(_fallback_state)}", str(path), subfontIndex=0)
        except Exception:  # a missing or broken font file: fall back to the placeholder, never crash
            name = None
        else:
            pdfmetrics.registerFont(font)
            name = font.fontName
            with _lock:
                _coverage[name] = frozenset(font.face.charToGlyph)
    with _lock:
        _fallback_state[key] = name
    return name


def _runs(text: str) -> list[tuple[str | None, str]]:
    """Split text into runs: (None, text DejaVu Sans sets) or (a script, emoji or fallback font, its text).

    Characters no font has become :data:`PLACEHOLDER` (``reports.scripts.font_runs`` decides).
    """
    register_fonts()
    if text.isascii():  # the common case, all DejaVu Sans
        return [(None, text)] if text else []
    fallback = _fallback_font()
    extra = _coverage.get(fallback, frozenset()) if fallback else frozenset()
    return scripts.font_runs(text, _coverage[FONT], fallback, extra, PLACEHOLDER)


# --- text safety ----------------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_LONG_WORD = re.compile(rf"\S{{{MAX_WORD + 1},}}")


def clean(text: object, limit: str = "paragraph") -> str:
    """Plain text made safe to lay out: control characters dropped, overlong words and texts cut with "…"."""
    value = _CONTROL.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    value = _LONG_WORD.sub(lambda match: match.group(0)[:MAX_WORD] + "…", value)
    maximum = LIMITS[limit]
    if len(value) > maximum:
        value = value[: maximum - 1].rstrip() + "…"
    return value


def markup(text: object, limit: str = "paragraph") -> str:
    """Plain text → safe reportlab Paragraph markup: cleaned, escaped, line breaks kept, and runs of
    characters DejaVu Sans lacks set in the fallback font (or replaced by the placeholder)."""
    parts = []
    for font, run in _runs(clean(text, limit)):
        escaped = escape(run, {'"': "&quot;", "'": "&#39;"}).replace("\n", "<br/>")
        parts.append(escaped if font is None else f'<font name="{font}">{escaped}</font>')
    return "".join(parts)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """Cut a single line of text with an ellipsis so it fits ``width`` points."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:middle] + "…", font, size) <= width:
            low = middle
        else:
            high = middle - 1
    return text[:low].rstrip() + "…"


def _draw_line(
    canvas: Any,
    x: float,
    y: float,
    text: str,
    *,
    font: str = FONT,
    size: float = 8,
    width: float,
    align: str = "left",
) -> None:
    """Draw one line of plain text on the canvas, cut to ``width``, with font runs in visual order."""
    runs = scripts.visual_runs(_runs(_fit(clean(text, "line").replace("\n", " "), font, size, width)))
    if align == "right":
        total = sum(scripts.run_width(run, run_font or font, size, shape) for run_font, run, shape in runs)
        x -= total
    scripts.draw_runs(canvas, x, y, runs, font, size)


# --- styles ---------------------------------------------------------------------------------------------


def stylesheet() -> dict[str, ParagraphStyle]:
    """The paragraph styles of every report (hook: change the look here)."""
    register_fonts()
    base = ParagraphStyle(
        "body", fontName=FONT, fontSize=9.5, leading=13.5, textColor=INK, alignment=TA_LEFT, spaceAfter=5
    )
    return {
        "body": base,
        "lead": ParagraphStyle(
            "lead",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=10.5,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "intro": ParagraphStyle("intro", parent=base, fontSize=11, leading=15, textColor=MUTED, spaceAfter=8),
        "note": ParagraphStyle("note", parent=base, fontSize=8, leading=11, textColor=MUTED),
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=17,
            leading=21,
            textColor=ACCENT,
            spaceBefore=0,
            spaceAfter=10,
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=INK,
            spaceBefore=10,
            spaceAfter=6,
        ),
        "caption": ParagraphStyle(
            "caption", parent=base, fontSize=8, leading=11, textColor=MUTED, spaceBefore=2, spaceAfter=10
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10, spaceAfter=0),
        "cell_head": ParagraphStyle(
            "cell_head",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=8,
            leading=10,
            spaceAfter=0,
            textColor=colors.white,
        ),
        "bullet": ParagraphStyle("bullet", parent=base, spaceAfter=2),
        "bullet_small": ParagraphStyle("bullet_small", parent=base, fontSize=8, leading=10.5, spaceAfter=1),
        "cover_kicker": ParagraphStyle(
            "cover_kicker", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13, textColor=ACCENT
        ),
        "cover_title": ParagraphStyle(
            "cover_title",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=26,
            leading=31,
            textColor=INK,
            spaceBefore=6,
            spaceAfter=10,
        ),
        "cover_headline": ParagraphStyle(
            "cover_headline",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            textColor=ACCENT,
            spaceAfter=18,
        ),
        "cover_label": ParagraphStyle(
            "cover_label",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=9.5,
            leading=13,
            textColor=MUTED,
            spaceAfter=0,
        ),
        "cover_value": ParagraphStyle("cover_value", parent=base, fontSize=10, leading=13.5, spaceAfter=0),
        "cover_note": ParagraphStyle(
            "cover_note", parent=base, fontSize=10, leading=14, textColor=MUTED, spaceBefore=18
        ),
    }


# --- flowables ------------------------------------------------------------------------------------------


class _Bookmark(Flowable):
    """An invisible flowable that adds a PDF outline entry (bookmark) where it lands."""

    def __init__(self, title: str, key: str, level: int = 0) -> None:
        super().__init__()
        self.title = clean(title, "heading").replace("\n", " ")
        self.key = key
        self.level = level
        self.width = self.height = 0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.bookmarkPage(self.key)
        self.canv.addOutlineEntry(self.title, self.key, level=self.level, closed=False)


def _paragraph(
    text: str, style: ParagraphStyle, label: str | None = None, limit: str = "paragraph"
) -> ScriptParagraph:
    body = markup(text, limit)
    if label:
        body = f"<b>{markup(label, 'heading')}</b> {body}"
    return ScriptParagraph(body, style)


@dataclass(frozen=True)
class _EncodedImage:
    """A chart PNG decoded once, flattened onto white and Flate-compressed, ready to embed in any PDF."""

    digest: str
    width: int
    height: int
    stream: bytes


_encoded_images: OrderedDict[str, _EncodedImage] = OrderedDict()


def _encode_png(png: bytes) -> _EncodedImage:
    """Decode and compress a chart PNG for embedding, cached by its digest.

    reportlab's own ``drawImage`` decodes, converts, hashes and recompresses a PNG on every document (about
    80 ms for a chart at scale 2); reports reuse the same charts, so this work is done once per image.
    """
    digest = hashlib.sha256(png).hexdigest()[:24]
    with _lock:
        cached = _encoded_images.get(digest)
        if cached is not None:
            _encoded_images.move_to_end(digest)
            return cached
    with PILImage.open(io.BytesIO(png)) as source:
        source.load()
        if source.mode in ("RGBA", "LA", "P"):
            rgba = source.convert("RGBA")
            flat = PILImage.new("RGB", rgba.size, "white")
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = source.convert("RGB")
    encoded = _EncodedImage(digest, flat.width, flat.height, zlib.compress(flat.tobytes(), 6))
    with _lock:
        _encoded_images[digest] = encoded
        while len(_encoded_images) > 128:
            _encoded_images.popitem(last=False)
    return encoded


class _ChartImage(Flowable):
    """A chart image drawn from an :class:`_EncodedImage` (an RGB image XObject, FlateDecode)."""

    def __init__(self, image: _EncodedImage, width: float, height: float) -> None:
        super().__init__()
        self.image = image
        self.drawWidth = width
        self.drawHeight = height
        self.hAlign = "LEFT"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        canvas = self.canv
        name = f"LayerwiseChart{self.image.digest}"
        registered = canvas._doc.getXObjectName(name)
        if not canvas._doc.idToObject.get(registered):
            xobject = pdfdoc.PDFImageXObject(name)
            xobject.width, xobject.height = self.image.width, self.image.height
            xobject.bitsPerComponent = 8
            xobject.colorSpace = "DeviceRGB"
            xobject.streamContent = self.image.stream
            xobject._filters = ("FlateDecode",)
            canvas._setXObjects(xobject)
            canvas._doc.Reference(xobject, registered)
            canvas._doc.addForm(name, xobject)
        canvas._currentPageHasImages = 1
        canvas.saveState()
        canvas.scale(self.drawWidth, self.drawHeight)
        canvas._code.append(f"/{registered} Do")
        canvas.restoreState()
        canvas._formsinuse.append(name)


class _ChartDrawing(Flowable):
    """A chart drawn from its Vega scenegraph as vector graphics (``reports.vector``)."""

    def __init__(self, scenegraph: dict[str, Any], width: float, height: float) -> None:
        super().__init__()
        self.scenegraph = scenegraph
        self.drawWidth = width
        self.drawHeight = height
        self.hAlign = "LEFT"

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.drawWidth, self.drawHeight

    def draw(self) -> None:
        scale = self.drawWidth / float(self.scenegraph["width"])
        vector.draw(self.canv, self.scenegraph, 0, 0, scale, _typeface())


def _chart_runs(text: str) -> list[tuple[str | None, str]]:
    """Font runs of one line of chart text: control characters dropped, line breaks and tabs as spaces."""
    return _runs(_CONTROL.sub("", text).replace("\r", " ").replace("\n", " ").replace("\t", " "))


@functools.cache
def _typeface() -> vector.Typeface:
    register_fonts()
    return vector.Typeface(regular=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, runs=_chart_runs)


def _chart_size(css_width: float, css_height: float, max_share: float) -> tuple[float, float]:
    """The size a chart of ``css_width`` × ``css_height`` CSS pixels takes on the page, in points."""
    # 1 CSS pixel = 0.75 pt at natural size; allow up to 0.9 pt so charts fill the column, never more
    width = min(FRAME_WIDTH, css_width * 0.9)
    height = width * css_height / css_width
    max_height = FRAME_HEIGHT * max_share
    if height > max_height:
        height = max_height
        width = height * css_width / css_height
    return width, height


def _chart(chart: Any, max_share: float) -> Flowable:
    """A chart as vector graphics from its scenegraph; as a PNG when it uses marks ``reports.vector`` lacks."""
    scenegraph = charts.render_scenegraph(chart)
    css_width, css_height = float(scenegraph.get("width", 0)), float(scenegraph.get("height", 0))
    if css_width > 0 and css_height > 0 and vector.supports(scenegraph):
        return _ChartDrawing(scenegraph, *_chart_size(css_width, css_height, max_share))
    encoded = _encode_png(charts.render_png(chart, scale=CHART_SCALE))
    size = _chart_size(encoded.width / CHART_SCALE, encoded.height / CHART_SCALE, max_share)
    return _ChartImage(encoded, *size)


def _untitled(chart: Any, heading: str) -> tuple[Any, str]:
    """The chart without its title when the title only repeats the heading above it, and its subtitle
    (to print as a caption when nothing else says it; "" when the chart keeps its title)."""
    title = getattr(chart, "title", None)
    text = getattr(title, "text", title)
    if not isinstance(text, str) or " ".join(text.split()).casefold() != " ".join(heading.split()).casefold():
        return chart, ""
    subtitle = getattr(title, "subtitle", None)
    lines = [subtitle] if isinstance(subtitle, str) else list(subtitle) if isinstance(subtitle, list) else []
    # the spec without its title, not a copy of the chart: copying a layered chart deep-copies every layer
    # and its inline data again (the spec is made once either way, to lay the chart out)
    untitled = charts.chart_spec(chart)
    untitled.pop("title", None)
    return untitled, " ".join(lines)


def _figure(
    block: Figure, styles: dict[str, ParagraphStyle], heading: str = "", said_below: bool = False
) -> Flowable:
    """A chart and its caption, kept together; a title that repeats ``heading`` is left out, and its subtitle
    becomes the caption unless the figure has one or a paragraph below says it (``said_below``)."""
    chart, subtitle = _untitled(block.chart, heading)
    parts: list[Flowable] = [_chart(chart, block.max_height)]
    caption = block.caption or ("" if said_below else subtitle)
    if caption:
        parts.append(_paragraph(caption, styles["caption"]))
    else:
        parts.append(Spacer(1, 8))
    return KeepTogether(parts)


def _is_dark(colour: str | None) -> bool:
    """Whether white text reads better than dark text on a background colour (relative luminance < 0.35)."""
    if not colour:
        return False
    fill = colors.HexColor(colour)
    return 0.2126 * fill.red + 0.7152 * fill.green + 0.0722 * fill.blue < 0.35


class _KeepShort(KeepTogether):
    """Keeps its flowables on one page when they fit on one; content taller than a page splits where it
    falls instead of first leaving the rest of the current page empty."""

    def fits_a_page(self) -> bool:
        """Whether the content (as last wrapped) is no taller than a page's frame."""
        return self._H <= FRAME_HEIGHT * KEEP_SHORT_SHARE

    def split(self, available_width: float, available_height: float) -> list[Flowable]:
        if getattr(self, "_wrapInfo", None) != (available_width, available_height):
            self.wrap(available_width, available_height)
        if not self.fits_a_page():
            content = list(self._content)
            first = content[0].splitOn(self.canv, available_width, available_height)
            if first:
                return [*first, *content[1:]]
            return [self.FrameBreak(), *content]  # not even its first row fits here
        return super().split(available_width, available_height)


def _table(block: Table, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    size = block.font_size
    cell = ParagraphStyle("cell_sized", parent=styles["cell"], fontSize=size, leading=size * 1.25)
    bold = ParagraphStyle("cell_bold", parent=cell, fontName=FONT_BOLD)
    head = ParagraphStyle("head_sized", parent=styles["cell_head"], fontSize=size, leading=size * 1.25)
    columns = len(block.columns)
    relative = block.widths or [1.0] * columns
    total = sum(relative)
    widths = [FRAME_WIDTH * part / total for part in relative]
    fills = {
        (row, column): colour
        for row, column, colour in block.cell_colours
        if 0 <= row < len(block.rows) and 0 <= column < columns
    }
    data = [[ScriptParagraph(markup(title, "heading"), head) for title in block.columns]]
    for row_index, row in enumerate(block.rows):
        cells = list(row)[:columns] + [""] * (columns - len(row))
        line = []
        for index, value in enumerate(cells):
            style = bold if index in block.bold_columns else cell
            if _is_dark(fills.get((row_index, index))):
                style = ParagraphStyle("cell_on_dark", parent=style, textColor=colors.white)
            line.append(ScriptParagraph(markup(value, "cell"), style))
        data.append(line)
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for index in range(2, len(data), 2):
        commands.append(("BACKGROUND", (0, index), (-1, index), ZEBRA))
    for (row, column), colour in fills.items():
        commands.append(("BACKGROUND", (column, row + 1), (column, row + 1), colors.HexColor(colour)))
    table.setStyle(TableStyle(commands))
    parts: list[Flowable] = [table]
    if block.caption:
        parts.append(_paragraph(block.caption, styles["caption"]))
    else:
        parts.append(Spacer(1, 8))
    if len(block.rows) < SHORT_TABLE_ROWS:
        # a short table split over two pages reads as two tables: it moves whole, with its caption
        return [_KeepShort(parts)]
    return parts


def _bullets(block: Bullets, styles: dict[str, ParagraphStyle]) -> Flowable:
    style = styles["bullet_small"] if block.style == "small" else styles["bullet"]
    items = [_list_item(_paragraph(text, style)) for text in block.items]
    if len(block.items) <= SHORT_LIST_ITEMS:
        # a few comments stay together: one of them alone at the head of a page reads as a stray line
        return _KeepShort([_bullet_list(items, block)])
    return _bullet_list(items, block)


def _list_item(paragraph: ScriptParagraph) -> ListItem:
    """A list item; a right-to-left one has its bullet on the right, where its text starts."""
    if paragraph.right_to_left:
        return ListItem(paragraph, leftIndent=0, rightIndent=14, bulletDir="rtl", calcBulletDedent=4)
    return ListItem(paragraph, leftIndent=14)


def _bullet_list(items: list[ListItem], block: Bullets) -> Flowable:
    return ListFlowable(
        items,
        bulletType="1" if block.numbered else "bullet",
        start=None if block.numbered else "•",
        leftIndent=14,
        bulletFontName=FONT,
        bulletFontSize=9,
        bulletColor=ACCENT,
    )


def _summary_cover(content: ReportContent, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A cover that is a one-page summary: title, headline and facts on two lines, then the summary's blocks."""
    cover = content.cover
    title = ParagraphStyle(
        "summary_title", parent=styles["cover_title"], fontSize=18, leading=22, spaceAfter=2
    )
    headline = ParagraphStyle("summary_headline", parent=styles["cover_headline"], spaceAfter=4)
    facts = " · ".join(f"{label}: {value}" for label, value in cover.facts)
    flowables: list[Flowable] = [
        _paragraph(cover.kicker, styles["cover_kicker"], limit="heading"),
        _paragraph(cover.title, title, limit="heading"),
        _paragraph(cover.headline, headline, limit="heading"),
        _paragraph(facts, styles["note"]),
    ]
    for block in cover.blocks:
        flowables.extend(_block(block, styles))
    return flowables


def _cover(content: ReportContent, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    cover = content.cover
    if cover.blocks:
        return _summary_cover(content, styles)
    facts = [
        [
            ScriptParagraph(markup(label, "heading"), styles["cover_label"]),
            ScriptParagraph(markup(value, "cell"), styles["cover_value"]),
        ]
        for label, value in cover.facts
    ]
    table = RLTable(facts, colWidths=[38 * mm, FRAME_WIDTH - 38 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("TOPPADDING", (0, 0), (-1, -1), 5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    flowables: list[Flowable] = [
        Spacer(1, 38 * mm),
        _paragraph(cover.kicker, styles["cover_kicker"], limit="heading"),
        _paragraph(cover.title, styles["cover_title"], limit="heading"),
        _paragraph(cover.headline, styles["cover_headline"], limit="heading"),
        table,
    ]
    if cover.note:
        flowables.append(_paragraph(cover.note, styles["cover_note"]))
    return flowables


def story(content: ReportContent, styles: dict[str, ParagraphStyle] | None = None) -> list[Flowable]:
    """The flowables of a report: the cover, then each section's heading and blocks (hook)."""
    styles = styles or stylesheet()
    flowables: list[Flowable] = [*_cover(content, styles), NextPageTemplate("later")]
    # A cover page is a page of its own; a one-page summary is followed by the first section where it fits
    # under it or more than half the page is left (a short summary, e.g. a suppressed team's, is not a page
    # three-quarters empty).
    summary = bool(content.cover.blocks)
    if not summary:
        flowables.append(PageBreak())
    first = True
    for number, section in enumerate(content.sections):
        parts = _section(section, styles, f"s{number}")
        if (section.new_page and not first) or (summary and first):
            flowables.append(_SectionStart(parts, whole=section.whole))
        elif not first:
            flowables.append(CondPageBreak(60 * mm))
        first = False
        flowables.extend(parts)
    if len(flowables) > 1 and isinstance(flowables[-1], ScriptParagraph):
        # the closing line ("Generated by … at …") never stands alone on a last page: it keeps the block
        # before it (skipping spacers) with it
        start = len(flowables) - 2
        while start > 0 and isinstance(flowables[start], Spacer):
            start -= 1
        # flattened: a KeepTogether inside another reports a huge height and would always move to a new page
        closing = KeepTogether(
            [
                part
                for flowable in flowables[start:]
                for part in (flowable._content if isinstance(flowable, KeepTogether) else [flowable])
            ]
        )
        for flowable in flowables:
            # the heading over that block now keeps with the block and the closing line together
            if isinstance(flowable, _KeepStart) and flowable.following is flowables[start]:
                flowable.following = closing
                flowable._measured = None
        flowables[start:] = [closing]
    return flowables


def _height(flowable: Flowable, canvas: Any, width: float, *, whole: bool) -> float:
    """The height a flowable takes in a frame ``width`` wide (all of it, or as much as must stay together)."""
    if not whole and not isinstance(flowable, KeepTogether | _ChartDrawing | _ChartImage):
        # a block that splits needs only its first lines under a heading: no need to lay it all out (a long
        # table's layout is the costliest thing here); a shorter block only moves the heading a little early
        return KEEP_WITH_HEADING + flowable.getSpaceBefore()
    _, height = flowable.wrapOn(canvas, width, FRAME_HEIGHT)
    if isinstance(flowable, _KeepShort) and not flowable.fits_a_page():
        height = flowable._H if whole else min(flowable._H, KEEP_WITH_HEADING)
    elif isinstance(flowable, KeepTogether):
        height = flowable._H
    return height + flowable.getSpaceBefore() + flowable.getSpaceAfter()


class _KeepStart(CondPageBreak):
    """A page break before a heading unless the heading and the start of what follows fit on this page.

    reportlab's ``keepWithNext`` keeps a heading with the whole next block: a long table then moves to the next
    page and leaves this one near empty. Here the heading needs only the first lines of a block that may
    split (a long table, a paragraph) and all of one that may not (a chart, a short table or list).
    """

    def __init__(self, heading: Flowable, following: Flowable) -> None:
        super().__init__(0)
        self._heading = heading
        self.following = following
        self._measured: tuple[float, float] | None = None  # (width, height needed): measured once per width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        if self._measured is None or self._measured[0] != available_width:
            need = _height(self._heading, self.canv, available_width, whole=True)
            need += _height(self.following, self.canv, available_width, whole=False)
            need += 8  # slack: the frame's spacing between flowables is not exactly the sum measured here
            # never more than a page, or a heading at the top of a page would break to a blank one
            self._measured = (available_width, min(need, FRAME_HEIGHT * 0.9))
        self.height = self._measured[1]
        return super().wrap(available_width, available_height)


class _SectionStart(CondPageBreak):
    """Where a section that wants a page of its own begins: on the current page when the whole section fits
    in what is left, or when it is longer than that and more than half the page is free; else on a new page.

    So a page is never left near empty because the next section insisted on a fresh page, and short
    sections (a team in the organisation report) share a page two at a time. A ``whole`` section starts on
    the current page only when all of it fits there: it is never split over two pages.
    """

    def __init__(self, parts: list[Flowable], *, whole: bool = False) -> None:
        super().__init__(0)
        self._parts = parts
        self._whole = whole
        self._heights: tuple[float, list[float]] = (0.0, [])  # (width, the parts' heights measured so far)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        fits = not self._whole and available_height > FRAME_HEIGHT * SECTION_ON_SAME_PAGE
        if not fits:
            # measured only as far as needed (a section longer than what is left stops counting there), and
            # each part once per width
            if self._heights[0] != available_width:
                self._heights = (available_width, [])
            heights = self._heights[1]
            total = sum(heights)
            while total <= available_height and len(heights) < len(self._parts):
                heights.append(_height(self._parts[len(heights)], self.canv, available_width, whole=True))
                total += heights[-1]
            fits = total <= available_height
        self.height = 0 if fits else FRAME_HEIGHT
        return super().wrap(available_width, available_height)


def _is_heading(block: Any) -> bool:
    """A lead paragraph, or a note (a line that explains what follows it): both stay with the next block."""
    return isinstance(block, Paragraph) and block.style in ("lead", "note")


def _section(section: Section, styles: dict[str, ParagraphStyle], key: str) -> list[Flowable]:
    heading = _paragraph(section.title, styles["h1" if section.level == 1 else "h2"], limit="heading")
    flowables: list[Flowable] = [_Bookmark(section.title, key, level=max(section.level - 1, 0))]
    said = any(isinstance(block, Paragraph) and block.style == "body" for block in section.blocks)
    blocks = [
        [_figure(block, styles, section.title, said)] if isinstance(block, Figure) else _block(block, styles)
        for block in section.blocks
    ]
    # a heading (the section's, or a lead paragraph inside it) is never the last line of a page: it goes to
    # the next page unless the start of what follows it fits under it
    pending: list[Flowable] = [heading]
    for index, block in enumerate(section.blocks):
        parts = blocks[index]
        if _is_heading(block) and index + 1 < len(blocks):
            pending.extend(parts)
            continue
        if pending:
            flowables.append(_KeepStart(_Group(pending), parts[0]))
            flowables.extend(pending)
            pending = []
        flowables.extend(parts)
    flowables.extend(pending)
    return flowables


class _Group(Flowable):
    """Flowables measured as one (a heading and the lead paragraphs right under it)."""

    def __init__(self, flowables: list[Flowable]) -> None:
        super().__init__()
        self._flowables = flowables

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        height = 0.0
        for index, flowable in enumerate(self._flowables):
            _, part = flowable.wrapOn(self.canv, available_width, available_height)
            height += part + flowable.getSpaceAfter() + (flowable.getSpaceBefore() if index else 0)
        return available_width, height


def _block(block: Any, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    if isinstance(block, Paragraph):
        return [_paragraph(block.text, styles[block.style], block.label)]
    if isinstance(block, Bullets):
        return [_bullets(block, styles), Spacer(1, 4)]
    if isinstance(block, Table):
        return _table(block, styles)
    if isinstance(block, Figure):
        return [_figure(block, styles)]
    if isinstance(block, ContentPageBreak):
        return [PageBreak()]
    raise TypeError(f"a report cannot show a {type(block).__name__}")


# --- pages ----------------------------------------------------------------------------------------------


class NumberedCanvas(pdfcanvas.Canvas):
    """A canvas that holds every page until the end, then writes "3 / 9" in each page's footer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_page_number(total)
            super().showPage()
        super().save()

    def _draw_page_number(self, total: int) -> None:
        register_fonts()
        self.setFillColor(MUTED)
        _draw_line(
            self,
            PAGE_WIDTH - MARGIN_X,
            MARGIN_BOTTOM - 10 * mm,
            f"{self._pageNumber} / {total}",
            size=8,
            width=30 * mm,
            align="right",
        )


@dataclass(frozen=True)
class _PageDecor:
    """What the page callbacks print: the header text and the footer's left text."""

    header: str
    title: str
    footer: str


def _first_page(decor: _PageDecor) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(ACCENT)
        canvas.rect(0, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH, 14 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        _draw_line(
            canvas, MARGIN_X, PAGE_HEIGHT - 9 * mm, "LAYERWISE", font=FONT_BOLD, size=10, width=60 * mm
        )
        canvas.setFillColor(MUTED)
        _draw_line(
            canvas, MARGIN_X, MARGIN_BOTTOM - 10 * mm, decor.footer, size=8, width=FRAME_WIDTH - 35 * mm
        )
        canvas.restoreState()

    return draw


def _later_pages(decor: _PageDecor) -> Any:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFillColor(MUTED)
        top = PAGE_HEIGHT - MARGIN_TOP + 8 * mm
        _draw_line(canvas, MARGIN_X, top, decor.header, font=FONT_BOLD, size=8, width=FRAME_WIDTH * 0.55)
        _draw_line(
            canvas, PAGE_WIDTH - MARGIN_X, top, decor.title, size=8, width=FRAME_WIDTH * 0.42, align="right"
        )
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 2.5 * mm, PAGE_WIDTH - MARGIN_X, top - 2.5 * mm)
        canvas.line(MARGIN_X, MARGIN_BOTTOM - 6 * mm, PAGE_WIDTH - MARGIN_X, MARGIN_BOTTOM - 6 * mm)
        _draw_line(
            canvas, MARGIN_X, MARGIN_BOTTOM - 10 * mm, decor.footer, size=8, width=FRAME_WIDTH - 35 * mm
        )
        canvas.restoreState()

    return draw


def render_pdf(content: ReportContent) -> bytes:
    """Any report content → PDF bytes (A4, DejaVu Sans, header, footer "3 / 9", metadata, bookmarks)."""
    register_fonts()
    # Binary streams: reportlab's default ASCII85 encoding of images runs in pure Python and took a third of
    # a team report's time; PDF readers need no ASCII-safe streams.
    rl_config.useA85 = 0
    styles = stylesheet()
    buffer = io.BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=clean(content.title, "line"),
        author=content.author,
        subject=clean(content.subject, "line"),
        keywords=[clean(keyword, "line") for keyword in content.keywords],
        creator="Layerwise",
        producer="Layerwise (reportlab)",
        initialFontName=FONT,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        FRAME_WIDTH,
        FRAME_HEIGHT,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    kind = {"team": "Team report", "workshop": "Workshop report", "organisation": "Organisation report"}[
        content.kind
    ]
    decor = _PageDecor(
        header=content.header,
        title=kind,
        footer=f"{kind} · generated {format_date(content.generated_at)} · Layerwise",
    )
    document.addPageTemplates(
        [
            PageTemplate(id="first", frames=[frame], onPage=_first_page(decor)),
            PageTemplate(id="later", frames=[frame], onPage=_later_pages(decor)),
        ]
    )
    document.build(story(content, styles), canvasmaker=NumberedCanvas)
    return buffer.getvalue()


def team_report_pdf(content: ReportContent) -> bytes:
    """A team's report (from ``reports.content.team_report_content``) as PDF bytes."""
    return render_pdf(content)


def workshop_report_pdf(content: ReportContent) -> bytes:
    """A workshop's report (from ``reports.content.workshop_report_content``) as PDF bytes."""
    return render_pdf(content)


def org_report_pdf(content: ReportContent) -> bytes:
    """The organisation report (from ``reports.content.org_report_content``) as PDF bytes."""
    return render_pdf(content)


#: Latin letters that Unicode does not decompose into a base letter and a mark (so NFKD alone would drop them):
#: their usual ASCII spelling, e.g. "Łódź" → "Lodz", "Straße" → "Strasse".
LETTERS_WITHOUT_DECOMPOSITION = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "ß": "ss"}
    | {"Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th", "Ŧ": "T", "ŧ": "t", "ĸ": "k"}
)


def report_file_name(name: str, extension: str = "pdf", prefix: str = "layerwise") -> str:
    """A safe file name for a report: ASCII letters, digits and dashes only ('layerwise-r-d.pdf')."""
    spelled = name.translate(LETTERS_WITHOUT_DECOMPOSITION)
    ascii_name = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-") or "team"
    return f"{prefix}-{slug}.{extension}"


@dataclass(frozen=True)
class TeamReportJob:
    """A team report whose content is built where it is rendered: the arguments of
    ``reports.content.team_report_content``. A ZIP of team reports hands these to its renderer processes, so
    building each report's content (its charts above all) runs on every core, not one report after another
    in the calling process."""

    team: str
    questionnaire: Any
    result: Any
    plan: Any
    options: dict[str, Any]

    def content(self) -> ReportContent:
        """The report's content (``reports.content.team_report_content``)."""
        from reports.content import team_report_content

        return team_report_content(self.questionnaire, self.result, self.plan, **self.options)


def render_job(job: ReportContent | TeamReportJob) -> bytes:
    """A report's PDF from its content, or from a :class:`TeamReportJob` (its content built first)."""
    return render_pdf(job.content() if isinstance(job, TeamReportJob) else job)


def team_reports_zip(
    contents: Sequence[ReportContent | TeamReportJob],
    *,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> bytes:
    """A ZIP with one PDF per team report, named ``layerwise-<team>.pdf`` (numbered when names collide).

    ``contents`` are report contents or :class:`TeamReportJob` (built where they are rendered). ``workers``
    > 1 renders the reports in that many processes of :data:`POOL` (a report is CPU-bound Python, so threads
    would queue on one core); ``progress(done, total)`` is called as each report is added.
    """
    buffer = io.BytesIO()
    used: set[str] = set()
    total = len(contents)
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (content, document) in enumerate(
            zip(contents, _rendered(contents, workers), strict=True), start=1
        ):
            team = getattr(content, "team", None) or getattr(content, "title", "")
            name = report_file_name(str(team))
            stem, counter = name[:-4], 2
            while name in used:
                name = f"{stem}-{counter}.pdf"
                counter += 1
            used.add(name)
            archive.writestr(name, document)
            if progress is not None:
                progress(done, total)
    return buffer.getvalue()


def render_workers() -> int:
    """How many processes render a batch of reports: one per CPU this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


#: Below this many reports a batch is rendered in the calling process unless warm renderers are waiting: a
#: new renderer's start (importing reportlab and Altair, Vega's first layout) costs about as much as a report.
POOL_MIN_REPORTS = 8
_ROOT = Path(__file__).resolve().parents[1]


class RenderError(RuntimeError):
    """A renderer process failed a report or stopped."""


class _Renderer:
    """One ``reports.render_worker`` process: jobs in through its stdin, PDFs out through its stdout."""

    def __init__(self) -> None:
        # the renderer's stderr, read when it stops; open as long as the process lives
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "reports.render_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            cwd=_ROOT,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(_ROOT), os.environ.get("PYTHONPATH", "")])},
        )
        self.ready = False

    @property
    def pid(self) -> int:
        """The process id."""
        return self.process.pid

    def alive(self) -> bool:
        """Whether the process is still running (an idle renderer exits after a while)."""
        return self.process.poll() is None

    def _stopped(self) -> RenderError:
        self.process.wait()
        self.errors.seek(0)
        tail = self.errors.read().decode("utf-8", "replace")[-2000:]
        return RenderError(f"a report renderer stopped (exit {self.process.returncode}): {tail}")

    def wait_ready(self) -> None:
        """Wait for the warm-up to finish (the process writes one byte)."""
        if not self.ready:
            assert self.process.stdout is not None
            if self.process.stdout.read(1) != b"R":
                raise self._stopped()
            self.ready = True

    def render(self, job: ReportContent | TeamReportJob) -> bytes:
        """Render one job in the process and return the PDF."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.wait_ready()
        payload = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.process.stdin.write(len(payload).to_bytes(8, "big") + payload)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            raise self._stopped() from None
        header = self.process.stdout.read(8)
        if len(header) < 8:
            raise self._stopped()
        status, value = pickle.loads(self.process.stdout.read(int.from_bytes(header, "big")))
        if status != "ok":
            raise RenderError(f"a report renderer failed a report:\n{value}")
        return bytes(value)

    def close(self) -> None:
        """End the process (it exits at the end of its input; one still warming up is stopped, not waited
        for) and wait for it."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
        if not self.ready and self.alive():
            self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.errors.close()


class RenderPool:
    """Renderer processes kept warm between batches: a leader's second ZIP starts at once instead of paying
    every renderer's start (imports, fonts, vl-convert's engine: about as much as a report) again.

    A batch takes idle renderers and starts new ones for the rest (their warm-up runs while the batch's
    first reports are prepared); when it ends they wait for the next batch, at most ``keep`` of them. A
    renderer idle for ``reports.render_worker.IDLE_SECONDS`` exits by itself and is replaced when needed.
    """

    def __init__(self, keep: int | None = None) -> None:
        self._lock = threading.Lock()
        self._idle: list[_Renderer] = []
        self._busy = 0  # renderers a batch has taken and not given back yet
        self._keep = keep

    def _drop_exited(self) -> None:
        """Forget idle renderers that exited (idle too long); the lock is held."""
        alive = [renderer for renderer in self._idle if renderer.alive()]
        for renderer in self._idle:
            if renderer not in alive:
                renderer.close()
        self._idle = alive

    def take(self, count: int) -> list[_Renderer]:
        """``count`` renderers for a batch: idle ones still alive first (warm, or still warming up after
        :meth:`warm`), then new ones (starting up)."""
        with self._lock:
            self._drop_exited()
            taken, self._idle = self._idle[:count], self._idle[count:]
            self._busy += count
        return taken + [_Renderer() for _ in range(count - len(taken))]

    def warm(self, count: int) -> int:
        """Start renderers in the background until ``count`` are idle, warming up or in a batch, and return
        how many were started (0 when they already are: calling it again, e.g. on every rerun of a page,
        starts none). It does not wait for their warm-up, which runs in their own processes."""
        with self._lock:
            self._drop_exited()
            missing = max(0, count - len(self._idle) - self._busy)
            self._idle.extend(_Renderer() for _ in range(missing))
        return missing

    def idle_count(self) -> int:
        """How many warm renderers wait for a batch."""
        with self._lock:
            return sum(renderer.alive() for renderer in self._idle)

    def give_back(self, renderers: Sequence[_Renderer]) -> None:
        """Renderers a batch is done with: kept for the next batch (up to ``keep``), the others ended."""
        keep = self._keep if self._keep is not None else render_workers()
        ended = []
        with self._lock:
            self._busy = max(0, self._busy - len(renderers))
            for renderer in renderers:
                if renderer.alive() and len(self._idle) < keep:
                    self._idle.append(renderer)
                else:
                    ended.append(renderer)
        for renderer in ended:
            renderer.close()

    def pids(self) -> list[int]:
        """Process ids of the idle renderers, warm or warming up (for tests and diagnostics)."""
        with self._lock:
            return [renderer.pid for renderer in self._idle]

    def close(self) -> None:
        """End every idle renderer."""
        with self._lock:
            idle, self._idle = self._idle, []
        for renderer in idle:
            renderer.close()


#: The process's renderers, shared by every batch. They end with this process: at its exit (below), and
#: otherwise at the end of their input when it is gone.
POOL = RenderPool()
atexit.register(POOL.close)


def warm_renderers(reports: int, workers: int | None = None) -> int:
    """Start, in the background, the renderers a batch of ``reports`` would use (``workers``, by default
    :func:`render_workers`), so that they import and warm up before it is asked for; none when the batch
    would be rendered in this process (one core, or fewer than :data:`POOL_MIN_REPORTS` reports). Returns how
    many were started: none when they are already running."""
    workers = render_workers() if workers is None else workers
    if workers <= 1 or reports < POOL_MIN_REPORTS:
        return 0
    return POOL.warm(min(workers, reports))


def _rendered(contents: Sequence[ReportContent | TeamReportJob], workers: int) -> Iterator[bytes]:
    """Each report rendered, in order: in this process, or in ``workers`` renderer processes of :data:`POOL`
    that each take the next report as soon as they are done with one (so a renderer still warming up, or a
    longer report, holds no one up)."""
    total = len(contents)
    pooled = workers > 1 and total > 1 and (total >= POOL_MIN_REPORTS or POOL.idle_count() >= workers)
    if not pooled:
        for content in contents:
            yield render_job(content)
        return
    renderers = POOL.take(min(workers, total))
    done: dict[int, bytes] = {}
    failures: list[BaseException] = []
    stop = threading.Event()
    ready = threading.Condition()
    next_index = iter(range(total))

    def render(slot: int, job: ReportContent | TeamReportJob) -> bytes:
        try:
            return renderers[slot].render(job)
        except RenderError as error:
            # a renderer kept from an earlier batch may have exited while idle: replace it, once
            if renderers[slot].alive() or str(error).startswith("a report renderer failed"):
                raise
        POOL.give_back([renderers[slot]])  # it has exited: ended, and no longer counted as in a batch
        renderers[slot] = POOL.take(1)[0]
        return renderers[slot].render(job)

    def work(slot: int) -> None:
        try:
            while not stop.is_set():
                with ready:
                    index = next(next_index, None)
                if index is None:
                    return
                document = render(slot, contents[index])
                with ready:
                    done[index] = document
                    ready.notify_all()
        except BaseException as error:  # handed to the caller below
            with ready:
                failures.append(error)
                ready.notify_all()

    threads = [threading.Thread(target=work, args=(slot,), daemon=True) for slot in range(len(renderers))]
    for thread in threads:
        thread.start()
    try:
        for index in range(total):
            with ready:
                while index not in done and not failures:
                    ready.wait()
                if failures:
                    raise failures[0]
                document = done.pop(index)
            yield document
    finally:
        stop.set()  # the caller stopped early or a report failed: no renderer takes another report
        for thread in threads:
            thread.join()
        POOL.give_back(renderers)
