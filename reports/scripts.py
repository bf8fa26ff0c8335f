"""Every script users type, in the PDF reports: a font for each script, shaping, and right-to-left order.

- Fonts: DejaVu Sans (the base family) sets Latin, Greek, Cyrillic and most symbols. Arabic, Hebrew and
  Devanagari are set in the bundled Noto Sans fonts of their script (:data:`SCRIPT_FONTS`, regular and bold,
  ``reports/fonts/LICENSE-Noto.txt``), emoji in the bundled monochrome Noto Emoji, CJK in the system or
  configured fallback font of ``reports.pdf``. Inside a word of one of those scripts, digits and punctuation
  the script's font has are set in it too, so a word is shaped in one font.
- Shaping: reportlab shapes with HarfBuzz (``uharfbuzz``) when a paragraph style asks for it. Only
  paragraphs and lines that hold a script needing it (:func:`needs_shaping`) are shaped, so Latin text is
  laid out exactly as before and as fast.
- Direction: a paragraph's base direction is that of its first strong character (Unicode's rule P2–P3).
  Words are broken into lines in logical order, then each line is put in visual order with the Unicode
  bidirectional algorithm (python-bidi) applied to its words; HarfBuzz orders the glyphs inside each
  right-to-left word. A right-to-left paragraph is aligned to the right.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

from bidi import algorithm as uba
from bidi.mirror import MIRRORED
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.fonts import addMapping, ps2tt
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import textobject
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.paragraph import Paragraph as RLParagraph

__all__ = [
    "EMOJI_FONT",
    "SCRIPT_FONTS",
    "ScriptParagraph",
    "base_direction",
    "bold_variant",
    "draw_runs",
    "font_runs",
    "needs_shaping",
    "register_script_fonts",
    "visual_runs",
]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
#: Font name → (regular file, bold file) in ``reports/fonts``, and the code point ranges it sets.
SCRIPT_FONTS: dict[str, tuple[str, str]] = {
    "NotoSansArabic": ("NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf"),
    "NotoSansHebrew": ("NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf"),
    "NotoSansDevanagari": ("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"),
}
_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "NotoSansHebrew"),
    (0xFB1D, 0xFB4F, "NotoSansHebrew"),
    (0x0600, 0x06FF, "NotoSansArabic"),
    (0x0750, 0x077F, "NotoSansArabic"),
    (0x08A0, 0x08FF, "NotoSansArabic"),
    (0xFB50, 0xFDFF, "NotoSansArabic"),
    (0xFE70, 0xFEFC, "NotoSansArabic"),
    (0x0900, 0x097F, "NotoSansDevanagari"),
    (0xA8E0, 0xA8FF, "NotoSansDevanagari"),
    (0x1CD0, 0x1CFF, "NotoSansDevanagari"),
)
#: The monochrome emoji font (one weight); emoji from U+1F000 on are set in it before DejaVu Sans.
EMOJI_FONT = "NotoEmoji"
EMOJI_FILE = "NotoEmoji-Regular.ttf"
_RTL_FONTS = frozenset({"NotoSansArabic", "NotoSansArabic-Bold", "NotoSansHebrew", "NotoSansHebrew-Bold"})
#: Text holding any of these needs shaping (joining, reordered vowel signs, marks, emoji sequences).
_COMPLEX = re.compile(
    "[\u0590-\u08ff\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff\ufb1d-\ufdff\ufe70-\ufefc\u200c\u200d"
    "\U0001f000-\U0001faff]"
)
#: Text holding any of these has right-to-left characters (Hebrew, Arabic, Syriac, Thaana, N'Ko, …).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
_SPACE = " \n\t"

_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}


def register_script_fonts() -> dict[str, frozenset[int]]:
    """Register the bundled script and emoji fonts once per process; their coverage by font name."""
    with _lock:
        if _coverage:
            return _coverage
        for family, (regular, bold) in SCRIPT_FONTS.items():
            for name, file in ((family, regular), (f"{family}-Bold", bold)):
                font = TTFont(name, str(FONT_DIR / file))
                pdfmetrics.registerFont(font)
                _coverage[name] = frozenset(font.face.charToGlyph)
            # <b> around a run set in this font picks its bold face
            pdfmetrics.registerFontFamily(
                family, normal=family, bold=f"{family}-Bold", italic=family, boldItalic=f"{family}-Bold"
            )
            addMapping(family, 0, 0, family)
            addMapping(family, 1, 0, f"{family}-Bold")
            addMapping(family, 0, 1, family)
            addMapping(family, 1, 1, f"{family}-Bold")
        emoji = TTFont(EMOJI_FONT, str(FONT_DIR / EMOJI_FILE))
        pdfmetrics.registerFont(emoji)
        _coverage[EMOJI_FONT] = frozenset(emoji.face.charToGlyph)
        return _coverage


def bold_variant(font: str | None) -> str | None:
    """The bold face of a script font name (others unchanged: the emoji and CJK fonts have one weight)."""
    return f"{font}-Bold" if font in SCRIPT_FONTS else font


def needs_shaping(text: str) -> bool:
    """Whether the text holds a script that is wrong unless shaped (Arabic, Hebrew marks, Devanagari, emoji)."""
    return _COMPLEX.search(text) is not None


def base_direction(text: str) -> str:
    """ "RTL" when the first strong character of the text is right-to-left, else "LTR" (Unicode P2–P3)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "LTR"
        if kind in ("R", "AL"):
            return "RTL"
    return "LTR"


@functools.lru_cache(maxsize=4096)
def _script_font(code: int) -> str | None:
    for low, high, font in _SCRIPT_RANGES:
        if low <= code <= high:
            return font
    return None


def _continues(char: str) -> bool:
    """Marks, joiners, variation selectors and skin tones belong with the character before them."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Mc", "Me", "Cf")
        or 0xFE00 <= code <= 0xFE0F
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def font_runs(
    text: str, base: frozenset[int], fallback: str | None, extra: frozenset[int], placeholder: str
) -> list[tuple[str | None, str]]:
    """Split text into runs: (None, text the base font sets) or (font name, text that font sets).

    A character is set in its script's font (Arabic, Hebrew, Devanagari), else the base font, else the emoji
    font, else ``fallback`` (covering ``extra``); a character none has becomes ``placeholder``. Emoji from
    U+1F000 on, and symbols followed by the emoji selector U+FE0F, prefer the emoji font. Marks, joiners and
    selectors stay in the font of the character before them.
    """
    coverage = register_script_fonts()
    emoji = coverage[EMOJI_FONT]
    fonts: list[str | None] = []
    chars: list[str] = []
    for index, char in enumerate(text):
        code = ord(char)
        script = _script_font(code)
        if char in _SPACE:
            font: str | None = None
        elif script is not None and code in coverage[script]:
            font = script
        elif chars and _continues(char):
            previous = fonts[-1]
            if 0x1F3FB <= code <= 0x1F3FF:
                continue  # a skin tone: the monochrome emoji font would draw it as a swatch beside the emoji
            if code in (coverage.get(previous, extra) if previous else base):
                font = previous
            elif unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F:
                continue  # an invisible joiner or selector the font lacks: dropped, never a box
            else:
                font, char = None, placeholder
        elif code in emoji and (code >= 0x1F000 or text[index + 1 : index + 2] == "\ufe0f"):
            font = EMOJI_FONT  # emoji, and symbols asked for as emoji (❤️), in the emoji font
        elif code in base:
            font = None
        elif code in emoji:
            font = EMOJI_FONT
        elif fallback and code in extra:
            font = fallback
        else:
            font, char = None, placeholder
        fonts.append(font)
        chars.append(char)
    _unify_words(chars, fonts, coverage)
    runs: list[tuple[str | None, str]] = []
    for font, char in zip(fonts, chars, strict=True):
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def _unify_words(chars: list[str], fonts: list[str | None], coverage: dict[str, frozenset[int]]) -> None:
    """Within a word holding a script font, base-font digits and punctuation that font has move into it."""
    start = 0
    for end in range(len(chars) + 1):
        if end < len(chars) and chars[end] not in _SPACE:
            continue
        script = next((font for font in fonts[start:end] if font in SCRIPT_FONTS), None)
        if script is not None:
            for index in range(start, end):
                if fonts[index] is None and ord(chars[index]) in coverage[script]:
                    fonts[index] = script
        start = end + 1


# --- direction ------------------------------------------------------------------------------------------


def _levels(text: str, direction: str) -> list[int]:
    """The resolved embedding level of every character (Unicode bidi algorithm, python-bidi)."""
    storage = uba.get_empty_storage()
    storage["base_level"] = 1 if direction == "RTL" else 0
    storage["base_dir"] = "R" if direction == "RTL" else "L"
    uba.get_embedding_levels(text, storage, False, False)
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    levels = [char["level"] for char in storage["chars"]]
    _resolve_brackets(text, levels, storage["base_level"])
    return levels


_OPENING = {"(": ")", "[": "]", "{": "}", "«": "»", "‹": "›"}


def _strong(char: str) -> str | None:
    kind = unicodedata.bidirectional(char)
    return "L" if kind == "L" else "R" if kind in ("R", "AL", "EN", "AN") else None


def _resolve_brackets(text: str, levels: list[int], base: int) -> None:
    """Unicode's rule N0, which python-bidi's levels lack: a bracket pair takes the direction of its content.

    "שלום (עולם)" keeps both brackets with the Hebrew instead of leaving the closing one behind.
    """
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for index, char in enumerate(text):
        if char in _OPENING:
            stack.append((_OPENING[char], index))
        elif stack and char == stack[-1][0]:
            pairs.append((stack.pop()[1], index))
    embedding = "R" if base % 2 else "L"
    for opening, closing in sorted(pairs):
        inside = {_strong(char) for char in text[opening + 1 : closing]}
        if embedding in inside:
            direction = embedding
        elif ("L" if embedding == "R" else "R") in inside:
            before = next((kind for char in text[:opening][::-1] if (kind := _strong(char))), embedding)
            direction = before
        else:
            continue
        level = (
            (base + 1 if base % 2 == 0 else base)
            if direction == "R"
            else (base if base % 2 == 0 else base + 1)
        )
        levels[opening] = levels[closing] = level


def _visual_order(levels: Sequence[int]) -> list[int]:
    """Indices in visual order (rule L2: reverse every run at or above each odd level, highest first)."""
    order = list(range(len(levels)))
    if not levels:
        return order
    lowest_odd = min((level for level in levels if level % 2), default=None)
    if lowest_odd is None:
        return order
    for level in range(max(levels), lowest_odd - 1, -1):
        index = 0
        while index < len(order):
            if levels[order[index]] >= level:
                end = index
                while end < len(order) and levels[order[end]] >= level:
                    end += 1
                order[index:end] = order[index:end][::-1]
                index = end
            else:
                index += 1
    return order


def _mirror(text: str) -> str:
    """Right-to-left neutral text set without shaping: reversed, with brackets mirrored."""
    return "".join(MIRRORED.get(char, char) for char in reversed(text))


def visual_runs(
    runs: list[tuple[str | None, str]], direction: str | None = None
) -> list[tuple[str | None, str, bool]]:
    """One line's font runs in visual order: (font, text, shape). Runs that hold right-to-left script are
    given in logical order with ``shape`` true (HarfBuzz orders their glyphs); other right-to-left runs
    are reversed and mirrored here. Text without right-to-left characters keeps its order."""
    text = "".join(part for _, part in runs)
    if not _RTL.search(text):
        shape = needs_shaping(text)
        return [(font, part, shape) for font, part in runs]
    levels = _levels(text, direction or base_direction(text))
    pieces: list[tuple[str | None, str, int]] = []
    position = 0
    for font, part in runs:
        for char in part:
            level = levels[position]
            position += 1
            if pieces and pieces[-1][0] == font and pieces[-1][2] == level:
                pieces[-1] = (font, pieces[-1][1] + char, level)
            else:
                pieces.append((font, char, level))
    ordered = []
    for index in _visual_order([level for _, _, level in pieces]):
        font, part, level = pieces[index]
        if level % 2 and not _RTL.search(part):
            ordered.append((font, _mirror(part), False))
        else:
            ordered.append((font, part, level % 2 == 1 or needs_shaping(part)))
    return ordered


def _shaped(text: str, font: str, size: float, shape: bool) -> tuple[str, float]:
    """The run as drawn (a reportlab ShapedStr when shaped) and its width in points."""
    if shape and pdfmetrics.getFont(font).shapable:
        shaped = ttfonts.shapeStr(text, font, size)
        data = getattr(shaped, "__shapeData__", None)
        if data is not None:
            _remember(shaped, text, font)
            return shaped, sum(item.x_advance for item in data) * size / 1000
    return text, pdfmetrics.stringWidth(text, font, size)


def run_width(text: str, font: str, size: float, shape: bool) -> float:
    """The width of a run in points, shaped when asked."""
    return _shaped(text, font, size, shape)[1]


def draw_runs(
    canvas: Any, x: float, y: float, runs: list[tuple[str | None, str, bool]], font: str, size: float
) -> float:
    """Draw visual runs from (x, y) rightwards; the width drawn. ``None`` as a run's font means ``font``.

    reportlab's canvas shapes nothing by itself without its optional rlbidi package: a run to shape is
    shaped here and drawn as the ShapedStr (glyphs and their positions) that its text object understands.
    """
    bold = font.endswith("-Bold")
    cursor = x
    for run_font, text, shape in runs:
        name = (bold_variant(run_font) if bold else run_font) or font
        drawn, width = _shaped(text, name, size, shape)
        canvas.setFont(name, size)
        canvas.drawString(cursor, y, drawn)
        cursor += width
    return cursor - x


# --- paragraphs -----------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")


def _plain(markup: str) -> str:
    return unescape(_TAG.sub(" ", markup), {"&quot;": '"', "&#39;": "'"})


_BOLD_OR_FONT = re.compile(r'<(/?)b>|<font name="([^"]+)">')


def _is_bold(font: str) -> bool:
    try:
        return bool(ps2tt(font)[1])
    except ValueError:  # a font registered without a family: regular
        return False


def _bold_script_fonts(markup: str, bold: bool) -> str:
    """Script font runs inside <b> (or in a bold style) name the script's bold face: reportlab's <font name>
    would otherwise reset the weight to the named font's own."""
    depth = int(bold)
    parts: list[str] = []
    position = 0
    for match in _BOLD_OR_FONT.finditer(markup):
        closing, font = match.group(1), match.group(2)
        replacement = match.group(0)
        if font is None:
            depth += -1 if closing else 1
        elif depth > 0 and font in SCRIPT_FONTS:
            replacement = f'<font name="{font}-Bold">'
        parts.append(markup[position : match.start()] + replacement)
        position = match.end()
    return "".join(parts) + markup[position:]


@functools.lru_cache(maxsize=256)
def _shaped_style(style: ParagraphStyle, rtl: bool) -> ParagraphStyle:
    alignment = TA_RIGHT if rtl and style.alignment == TA_LEFT else style.alignment
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1, alignment=alignment)


#: What reportlab's Paragraph.wrap leaves on the paragraph (restored when the same width is asked again).
_WRAP_STATE = (
    "width",
    "height",
    "blPara",
    "_wrapWidths",
    "_width_max",
    "_splitLongWordCount",
    "_hyphenations",
)


#: How many parsed paragraphs :class:`ScriptParagraph` keeps (an organisation report has about 2,000
#: paragraphs, 600 of them distinct: level names, "aligned", dates and numbers in every team's row).
_PARSED_SIZE = 4096
_parsed: OrderedDict[tuple[Any, ...], tuple[str, list[Any], Any]] = OrderedDict()
_parsed_lock = threading.Lock()
_style_keys: weakref.WeakKeyDictionary[ParagraphStyle, int | None] = weakref.WeakKeyDictionary()
_style_numbers: dict[tuple[Any, ...], int] = {}


def _style_key(style: ParagraphStyle) -> int | None:
    """What of a style the parsed text depends on: all its settings (every style keeps its own copy of
    them, parents' included), as a number shared by equal styles, so that equal styles of different reports
    or tables share their parses. None when a setting cannot be compared (that style's paragraphs are parsed
    every time)."""
    try:
        return _style_keys[style]
    except KeyError:
        pass
    except TypeError:  # not weakly referable
        return None
    settings = tuple(
        (name, value) for name, value in sorted(style.__dict__.items()) if name not in ("name", "parent")
    )
    with _parsed_lock:
        try:
            number: int | None = _style_numbers.setdefault(settings, len(_style_numbers))
        except TypeError:  # a setting that cannot be hashed
            number = None
        _style_keys[style] = number
    return number


def _cloned(bullet: Any) -> Any:
    """A paragraph's bullet: its text as it is, or copies of its parsed fragments."""
    return [frag.clone() for frag in bullet] if isinstance(bullet, list) else bullet


class ScriptParagraph(RLParagraph):
    """A reportlab Paragraph that shapes complex scripts and sets mixed-direction lines in visual order.

    Text without complex scripts is an ordinary reportlab Paragraph (same layout, same speed).
    """

    def __init__(
        self, text: str | None, style: ParagraphStyle | None = None, *args: Any, **kwargs: Any
    ) -> None:
        self._direction: str | None = None
        if text is not None and style is not None and needs_shaping(text):
            plain = _plain(text)
            if _RTL.search(plain):
                self._direction = base_direction(plain)
            register_script_fonts()
            text = _bold_script_fonts(text, _is_bold(style.fontName))
            style = _shaped_style(style, self._direction == "RTL")
        super().__init__(text, style, *args, **kwargs)

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Any) -> None:
        """reportlab's parse of the text, shared by equal paragraphs: a report repeats the same cell text in
        the same style hundreds of times ("3 Defined", "aligned", a date), and parsing is a fifth of an
        organisation report's time. Each paragraph gets its own copies of the parsed fragments (reportlab
        may change them as it lays the paragraph out)."""
        if frags is not None or not isinstance(text, str) or not isinstance(bulletText, str | None):
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        style_key = _style_key(style)
        if style_key is None:
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        key = (text, bulletText, self.caseSensitive, cleaner, style_key)
        with _parsed_lock:
            known = _parsed.get(key)
            if known is not None:
                _parsed.move_to_end(key)
        if known is None:
            super()._setup(text, style, bulletText, frags, cleaner)
            if self.style is not style:  # the markup changed the style (<para> attributes): not shared
                return
            bullet = self.bulletText
            known = (self.text, [frag.clone() for frag in self.frags], _cloned(bullet))
            with _parsed_lock:
                _parsed[key] = known
                while len(_parsed) > _PARSED_SIZE:
                    _parsed.popitem(last=False)
            return
        parsed_text, parsed_frags, parsed_bullet = known
        self.text = parsed_text
        self.frags = [frag.clone() for frag in parsed_frags]
        self.style = style
        self.bulletText = _cloned(parsed_bullet)
        self.debug = 0

    @property
    def right_to_left(self) -> bool:
        """Whether the paragraph's base direction is right-to-left (it is then aligned to the right)."""
        return self._direction == "RTL"

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """reportlab's wrap, remembered for the last width: a paragraph is measured again and again at the
        same width (a table cell each time its table is measured, a kept-together block each time a page
        is tried), and breaking it into lines again gives the same lines. The height on offer plays no part
        in the lines; a split, which may change the paragraph's words, forgets what was remembered."""
        known = self.__dict__.get("_wrapped")
        if (
            known is not None
            and known[0] == availWidth
            and known[1] is self.frags
            and known[2] is self.style
            and "blPara" in self.__dict__
        ):
            self.__dict__.update(known[3])
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        if availWidth >= rl_paragraph._FUZZ:
            state = {name: self.__dict__[name] for name in _WRAP_STATE if name in self.__dict__}
            self._wrapped = (availWidth, self.frags, self.style, state)
        return size

    def breakLines(self, width: Any) -> Any:
        """reportlab's line breaking (logical order), then each line's words in visual order."""
        if self._direction is None:
            return super().breakLines(width)
        para = super().breakLines(width)
        if para.kind == 1:
            words = self.frags  # reportlab leaves the shaped words of every line here
            for number, line in enumerate(para.lines):
                end = para.lines[number + 1].sFW if number + 1 < len(para.lines) else len(words)
                line.words = _visual_line(words[line.sFW : end], line.words, self._direction)
        return para

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        """Split as reportlab does (its parts keep the shaped words in logical order) and keep the direction."""
        parts = super().split(availWidth, availHeight)
        self.__dict__.pop("_wrapped", None)
        for part in parts:
            part._direction = self._direction
            part.__dict__.pop("_wrapped", None)
        return parts


def _stand_in(frag: Any, text: str) -> str | None:
    """One character with the bidi class of a shaped run (HarfBuzz orders its glyphs), or None when the
    text is still logical characters that take part in the bidi algorithm one by one."""
    font = getattr(frag, "fontName", "")
    if font in _RTL_FONTS:
        return "\u05d0"  # a Hebrew letter: strong right-to-left
    if isinstance(text, ttfonts.ShapedStr):
        return "!" if font == EMOJI_FONT else "a"  # emoji are neutral, Devanagari left-to-right
    return None


def _visual_line(words: Sequence[Any], line_words: list[Any], direction: str) -> list[Any]:
    """The frags of one line in visual order, rebuilt from its frag words (logical order, shaped).

    Each shaped run is one unit (HarfBuzz has ordered its glyphs); every other character takes part in
    the bidi algorithm on its own, so brackets, digits and punctuation land where Unicode says.
    """
    atoms: list[tuple[Any, str, bool]] = []  # (frag, text, shaped unit)
    stand_ins: list[str] = []
    space_after = False
    for word in words:
        parts = [(frag, text) for frag, text in word[1:] if text]
        if not parts:
            space_after = space_after or isinstance(word, rl_paragraph._HSFrag)
            continue
        if atoms and space_after:
            atoms.append((atoms[-1][0], " ", False))
            stand_ins.append(" ")
        for frag, text in parts:
            stand_in = _stand_in(frag, text)
            if stand_in is not None:
                atoms.append((frag, text, True))
                stand_ins.append(stand_in)
            else:
                atoms.extend((frag, char, False) for char in text)
                stand_ins.extend(text)
        space_after = isinstance(word, rl_paragraph._HSFrag)
    if not atoms:
        return line_words
    levels = _levels("".join(stand_ins), direction)
    frags: list[Any] = []
    last: tuple[Any, bool] | None = None
    for index in _visual_order(levels):
        frag, text, shaped = atoms[index]
        if not shaped and levels[index] % 2:
            text = MIRRORED.get(text, text)
        if last is not None and not shaped and not last[1] and last[0] is frag:
            frags[-1].text = frags[-1].text + text
        else:
            piece = frag.clone()
            piece.text = text
            frags.append(piece)
        last = (frag, shaped)
    return frags + [frag for frag in line_words if not getattr(frag, "text", "")]


#: Optional OpenType features of shaped words: kerning and standard ligatures, not DejaVu's discretionary
#: "st" ligature that reportlab asks for by default. The features a script requires are always applied.
FEATURES = {"kern": True, "liga": True}


def _shape_word(word: Any, features: Any = None, force: bool = False) -> Any:
    """Shape a paragraph's word (reportlab's hook), only where its text needs it, each font's part alone.

    reportlab shapes a whole word in the font of its first part; a word such as "(فريق)" mixes fonts.
    """
    parts = word[1:]
    if isinstance(word, ttfonts.ShapedFragWord) or not any(needs_shaping(text) for _, text in parts):
        return word
    if isinstance(word, rl_paragraph._SplitFrag) or any(isinstance(t, ttfonts.ShapedStr) for _, t in parts):
        return word  # a piece of a word shaped before (a long word split to fit a cell): glyphs, not letters
    frag = parts[0][0]
    known = _glyph_words.get((frag.fontName, frag.fontSize, "".join(text for _, text in parts)))
    if known is not None and all(f.fontName == frag.fontName for f, _ in parts):
        # the pieces of a split word, joined again when a cell is laid out anew: its glyphs as shaped
        return ttfonts.makeShapedFragWord(word)([known[0], (frag, known[1])])
    if len({getattr(frag, "fontName", None) for frag, _ in parts}) <= 1:
        return _shape_group(word, force)
    total = 0.0
    pieces: list[Any] = []
    group: list[Any] = []
    for frag, text in [*parts, (None, "")]:
        if group and (frag is None or frag.fontName != group[0][0].fontName):
            width = sum(pdfmetrics.stringWidth(t, f.fontName, f.fontSize) for f, t in group)
            shaped = _shape_group([width, *group], force)
            total += shaped[0]
            pieces.extend(shaped[1:])
            group = []
        if frag is not None:
            group.append((frag, text))
    result = ttfonts.makeShapedFragWord(word)([total])
    result.extend(pieces)
    return result


#: (font, size, glyph text) → (width, ShapedStr) of words shaped so far: reportlab joins the pieces of a
#: word it split back into one word of glyph characters when it lays a paragraph out again, and shaping
#: those glyphs once more would break them (a Devanagari vowel sign alone gets a dotted circle)
_glyph_words: dict[tuple[str, float, str], tuple[float, Any]] = {}


def _shape_group(word: Any, force: bool) -> Any:
    """Shape a word set in one font, and remember the text of glyphs that have no character of their own."""
    text = "".join(part for _, part in word[1:])
    if not needs_shaping(text):
        return word
    shaped = _shape_one(word, FEATURES, force)
    if shaped is not word and len(shaped) == 2 and isinstance(shaped[1][1], ttfonts.ShapedStr):
        frag = shaped[1][0]
        if len(_glyph_words) > 4096:
            _glyph_words.clear()
        _glyph_words[(frag.fontName, frag.fontSize, str(shaped[1][1]))] = (shaped[0], shaped[1][1])
    if shaped is not word:
        glyphs = [part for _, part in shaped[1:] if isinstance(part, ttfonts.ShapedStr)]
        if glyphs:
            joined = glyphs[0]
            for part in glyphs[1:]:
                joined = joined + part
            _remember(joined, text, word[1][0].fontName)
            if len(glyphs) == 1 and not any(unicodedata.bidirectional(char) in ("R", "AL") for char in text):
                if len(_typed_text) > 4096:
                    _typed_text.clear()
                _typed_text[(word[1][0].fontName, str(glyphs[0]))] = text
    return shaped


# --- the text layer -------------------------------------------------------------------------------------

_PRIVATE = range(0xE000, 0xF900)
#: (font face name, private-use code reportlab gave a glyph without a character) → the text it stands for
_private_text: dict[tuple[str, int], str] = {}


def _remember(shaped: Any, text: str, font: str) -> None:
    """Record which text each glyph without a character (a conjunct, a contextual form) stands for.

    reportlab numbers such glyphs with private-use characters, so a copied Hindi word came out as
    "\ue000ाहक"; the ToUnicode map then gives the cluster's own characters instead (:func:`_to_unicode`).
    """
    data = getattr(shaped, "__shapeData__", None)
    if not data or not any(ord(char) in _PRIVATE for char in shaped):
        return
    face = pdfmetrics.getFont(font).face.name
    face = face.decode() if isinstance(face, bytes) else face
    starts = sorted({item.cluster for item in data if 0 <= item.cluster < len(text)})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    clusters: dict[int, list[str]] = {}
    for char, item in zip(shaped, data, strict=False):
        clusters.setdefault(item.cluster, []).append(char)
    for cluster, chars in clusters.items():
        if cluster not in ends:
            continue
        rest = text[cluster : ends[cluster]]
        unknown = []
        for char in chars:
            known = char if ord(char) not in _PRIVATE else _private_text.get((face, ord(char)))
            if known is None:
                unknown.append(char)
            else:
                rest = rest.replace(known, "", 1)
        # the characters no other glyph of the cluster accounts for: one each, the last takes the rest
        for index, char in enumerate(unknown[: len(rest)]):
            piece = rest[index:] if index == len(unknown) - 1 else rest[index]
            _private_text.setdefault((face, ord(char)), piece)


#: (font, glyphs of a shaped left-to-right word) → the word as typed. Its glyphs are drawn in visual order,
#: which is not always the typed order: a Devanagari vowel sign such as ि is drawn before its consonant and a
#: reph after the letter it sits on, so "मार्गदर्शिका" copied out of the PDF as "मागर्दरश्िका". The word is
#: drawn inside a marked-content span whose ActualText is the typed word (PDF 1.5, 14.9.4), which viewers
#: and text extractors copy instead of the glyphs. Right-to-left words are left to the ToUnicode map: their
#: readers reorder what they extract themselves.
_typed_text: dict[tuple[str, str], str] = {}


def _format_text(self: Any, text: str) -> str:
    """reportlab's text operators for a string, with a shaped left-to-right word wrapped in an ActualText span
    that carries the word as typed (see :data:`_typed_text`)."""
    code = _original_format_text(self, text)
    if isinstance(text, ttfonts.ShapedStr):
        typed = _typed_text.get((self._fontname, str(text)))
        if typed is not None:
            return f"/Span <</ActualText <FEFF{typed.encode('utf-16-be').hex().upper()}>>> BDC {code} EMC"
    return code


def _to_unicode(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ToUnicode CMap, with characters past U+FFFF as UTF-16 (emoji were dropped as invalid
    hex) and private-use glyph codes mapped to the text they stand for."""
    face = fontname.split("+", 1)[-1]

    def target(code: int) -> str:
        text = _private_text.get((face, code)) or chr(code)
        return text.encode("utf-16-be").hex().upper()

    head = _original_cmap(fontname, [0]).split("\n")
    start = head.index("1 beginbfchar")
    return "\n".join(
        [
            *head[: start - 2],
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{index:02X}> <{target(code)}>" for index, code in enumerate(subset)),
            *head[start + 2 :],
        ]
    )


_shape_one = rl_paragraph.shapeFragWord
_original_cmap = ttfonts.makeToUnicodeCMap
_original_format_text = textobject.PDFTextObject._formatText
# reportlab looks both up in their modules when it shapes a paragraph's words and writes a font subset
rl_paragraph.shapeFragWord = _shape_word
ttfonts.makeToUnicodeCMap = _to_unicode
# and draws every string of a text object through this method
textobject.PDFTextObject._formatText = _format_text
