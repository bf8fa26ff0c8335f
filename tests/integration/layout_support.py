"""Page-layout checks of a rendered report, read back from the PDF as a reader sees it.

Each check returns a list of faults (empty: the report is fine), each naming the page:

- :func:`page_fill` renders the pages with poppler's ``pdftoppm`` and measures how far down the body area
  (inside the margins, without the running header and footer) the ink reaches;
- :func:`page_lines` reads the text layer with poppler's ``pdftotext -bbox-layout`` (the lines of the body
  area, top to bottom);
- :func:`split_tables` renders the report once more while it watches reportlab draw tables, to see which
  table went over a page break (the parts of a split table share their cells).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image
from reportlab.platypus import Table as RLTable

from reports import pdf
from reports.content import Bullets, Paragraph, ReportContent

#: Pixels darker than this (0 black … 255 white) count as ink.
INK = 235
#: A page (but the last) whose ink reaches less far down its body than this share is near empty.
MIN_FILL = 0.25
#: Text lines at least this tall (points) are set in a heading's size (10.5 pt or more).
HEADING_HEIGHT = 10.3
#: Prefix of a line set in a heading's size in :func:`page_lines`.
HEADING_MARK = "§ "
#: Tables with fewer body rows than this must stay on one page.
SHORT_TABLE = 12


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} (poppler-utils) is not installed; .ci/run installs it")
    return path


def page_fill(document: bytes, dpi: int = 50) -> list[float]:
    """For each page, how far down the body area the ink reaches (0: blank, 1: to the bottom margin)."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(document)
        subprocess.run(
            [_poppler("pdftoppm"), "-r", str(dpi), "-gray", "-png", str(source), f"{folder}/page"],
            check=True,
            capture_output=True,
            timeout=300,
        )
        scale = dpi / 72
        top = round(pdf.MARGIN_TOP * scale)
        bottom = round((pdf.PAGE_HEIGHT - pdf.MARGIN_BOTTOM) * scale)
        fills = []
        for path in sorted(Path(folder).glob("page-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            image = Image.open(path).convert("L")
            body = image.crop((0, top, image.width, bottom))
            # ink white on black, so the bounding box of what is not black is the inked area
            box = body.point(lambda value: 255 if value < INK else 0).getbbox()
            fills.append(box[3] / body.height if box else 0.0)
        return fills


def page_lines(document: bytes) -> list[list[str]]:
    """The text lines of each page's body area, top to bottom (header and footer left out); a line set in a
    heading's size starts with :data:`HEADING_MARK`."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "report.pdf"
        source.write_bytes(document)
        completed = subprocess.run(
            [_poppler("pdftotext"), "-bbox-layout", str(source), "-"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    markup = re.sub(r"<!DOCTYPE[^>]*>", "", completed.stdout.decode("utf-8"))
    markup = re.sub(r'xmlns="[^"]*"', "", markup)
    root = ElementTree.fromstring(markup)
    pages = []
    for page in root.iter("page"):
        lines: list[tuple[float, float, str]] = []
        for line in page.iter("line"):
            y_min, y_max = float(line.get("yMin", 0)), float(line.get("yMax", 0))
            if y_min < pdf.MARGIN_TOP - 2 or y_max > pdf.PAGE_HEIGHT - pdf.MARGIN_BOTTOM + 2:
                continue  # the running header or footer
            if y_max - y_min < HEADING_HEIGHT:
                words = " ".join(word.text or "" for word in line.iter("word"))
            else:  # set large enough to be a heading: marked so a chart label never counts as one
                words = HEADING_MARK + " ".join(word.text or "" for word in line.iter("word"))
            lines.append((y_min, float(line.get("xMin", 0)), words))
        # reading order: top to bottom, then left to right (table cells are lines of their own)
        pages.append([text for _, _, text in sorted(lines)])
    return pages


def headings(content: ReportContent) -> set[str]:
    """Every heading a report prints: section titles and lead paragraphs."""
    found = {section.title for section in content.sections}
    for section in content.sections:
        found |= {
            block.text for block in section.blocks if isinstance(block, Paragraph) and block.style == "lead"
        }
    return {" ".join(text.split()) for text in found}


def near_empty_pages(fills: Sequence[float]) -> list[str]:
    """Faults: a blank page anywhere, a page under :data:`MIN_FILL` full that is not the last."""
    faults = []
    for number, fill in enumerate(fills, start=1):
        if fill == 0:
            faults.append(f"page {number} is blank")
        elif fill < MIN_FILL and number < len(fills):
            faults.append(f"page {number} is only {fill:.0%} full")
    return faults


def pages_ending_in_a_heading(lines: Sequence[Sequence[str]], content: ReportContent) -> list[str]:
    """Faults: a page whose last body line is a heading (its text is on the next page)."""
    titles = headings(content)
    faults = []
    for number, page in enumerate(lines[:-1], start=1):
        last = page[-1] if page else ""
        if last.startswith(HEADING_MARK) and " ".join(last[len(HEADING_MARK) :].split()) in titles:
            faults.append(f"page {number} ends in the heading {page[-1]!r}")
    return faults


def split_short_lists(lines: Sequence[Sequence[str]], content: ReportContent) -> list[str]:
    """Faults: a bulleted list of up to six short items (comments, say) whose items are on different pages,
    so one of them stands alone at the foot or head of a page."""
    faults = []
    for section in content.sections:
        for block in section.blocks:
            if not isinstance(block, Bullets) or not 2 <= len(block.items) <= 6:
                continue
            starts = [" ".join(item.split())[:30] for item in block.items]
            found = {
                start: {
                    number
                    for number, page in enumerate(lines, start=1)
                    if start in " ".join(" ".join(page).replace(HEADING_MARK, "").split())
                }
                for start in starts
            }
            pages = set.union(*found.values())
            if len(pages) > 1 and not any(len(on) > 1 for on in found.values()):
                faults.append(f"the list under {section.title!r} is split over pages {sorted(pages)}")
    return faults


@contextmanager
def _watching_tables() -> Iterator[list[tuple[int, RLTable]]]:
    drawn: list[tuple[int, RLTable]] = []
    original = RLTable.drawOn

    def draw_on(self: RLTable, canvas: object, x: float, y: float, _sW: float = 0) -> None:
        drawn.append((canvas.getPageNumber(), self))  # type: ignore[attr-defined]
        original(self, canvas, x, y, _sW)

    RLTable.drawOn = draw_on  # type: ignore[method-assign]
    try:
        yield drawn
    finally:
        RLTable.drawOn = original  # type: ignore[method-assign]


def render_watching_tables(content: ReportContent) -> tuple[bytes, list[str]]:
    """Render a report and return it with the faults: tables of under :data:`SHORT_TABLE` rows split over
    pages. Parts of a split table share their cell objects (the repeated header row, too)."""
    with _watching_tables() as drawn:
        document = pdf.render_pdf(content)
    heights: dict[int, float] = defaultdict(float)
    pages_of: dict[int, set[int]] = defaultdict(set)
    rows_of: dict[int, set[int]] = defaultdict(set)
    first_cell: dict[int, str] = {}
    for page, table in drawn:
        cells = table._cellvalues
        if not cells or not cells[0]:
            continue
        key = id(cells[0][0])
        pages_of[key].add(page)
        heights[key] += table._height  # (a repeated header row counts once per part)
        rows_of[key] |= {id(row[0]) for row in cells}
        head = cells[0][0]
        plain = head.getPlainText() if hasattr(head, "getPlainText") else str(head)
        first_cell[key] = " ".join(plain.split())[:40]
    faults = [
        f"a table of {len(rows_of[key]) - 1} rows ({first_cell[key]!r}…) is split over pages {sorted(pages)}"
        for key, pages in pages_of.items()
        if len(pages) > 1
        and len(rows_of[key]) - 1 < SHORT_TABLE
        and heights[key] <= pdf.FRAME_HEIGHT * pdf.KEEP_SHORT_SHARE
    ]
    return document, faults


def repeated_sentences(text: str, minimum: int = 80) -> list[str]:
    """Sentences of at least ``minimum`` characters printed more than once in a report's text."""
    seen: dict[str, int] = defaultdict(int)
    for sentence in re.split(r"(?<=[.!?])\s+", " ".join(text.split())):
        if len(sentence) >= minimum and not sentence.startswith("•"):  # two people may write the same
            seen[sentence] += 1
    return [f"printed {count} times: {sentence!r}" for sentence, count in seen.items() if count > 1]


def layout_faults(content: ReportContent) -> tuple[bytes, list[str]]:
    """Render a report and return it with every layout fault these checks find."""
    document, faults = render_watching_tables(content)
    lines = page_lines(document)
    faults += near_empty_pages(page_fill(document))
    faults += pages_ending_in_a_heading(lines, content)
    faults += split_short_lists(lines, content)
    return document, faults
