"""Charts as vector graphics: a Vega scenegraph drawn straight onto a reportlab canvas.

vl-convert lays a chart out with Vega itself (scales, axes, legends, text measured in the bundled DejaVu
Sans) and hands back the scenegraph: every mark with its final position, size, colour and text
(``charts.render_scenegraph``). :func:`draw` paints it with PDF operators, following vega-scenegraph's own
renderers, so the PDF shows the chart the page shows, sharp at any zoom and with its text searchable.
Compared with a PNG it skips rasterising every glyph (most of vl-convert's time for a PNG) and the decode
and recompression of the pixels, and the PDF stays small.

What is drawn: groups (background, stroke, corner radii, clipping, offsets), rects (solid or linear
gradient fills), rules, symbols (:data:`SYMBOLS`), lines (linear, broken where undefined) and text (align,
baseline, angle, dx/dy, lines of a multi-line label, the ``limit`` cut with an ellipsis, bold and italic).
:func:`supports` says whether a scenegraph uses anything else; such a chart is embedded as a PNG instead.

Text goes through the caller's ``runs`` function, so characters DejaVu Sans lacks take the same fallback
font (or placeholder) as the rest of the report, and nothing a user typed is ever parsed as markup: canvas
strings are not markup.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics

from reports import scripts

__all__ = ["SYMBOLS", "Typeface", "draw", "supports"]

#: Mark types :func:`draw` can paint (anything else makes :func:`supports` say no).
MARKS = frozenset({"group", "rect", "rule", "symbol", "line", "text"})
#: Symbol shapes :func:`draw` can paint, sized like Vega's: ``size`` is the area of the bounding square.
SYMBOLS = frozenset(
    {
        "circle",
        "square",
        "diamond",
        "cross",
        "triangle-up",
        "triangle-down",
        "triangle-left",
        "triangle-right",
    }
)

Runs = Callable[[str], list[tuple[str | None, str]]]


@dataclass(frozen=True)
class Typeface:
    """The registered reportlab fonts chart text is set in, and how to split text into font runs."""

    regular: str
    bold: str
    italic: str
    runs: Runs


# --- what can be drawn ----------------------------------------------------------------------------------


def supports(scenegraph: Mapping[str, Any]) -> bool:
    """Whether :func:`draw` can paint every mark of this scenegraph (else embed the chart as a PNG)."""
    return _supported(scenegraph.get("scenegraph", {}))


def _supported(mark: Mapping[str, Any]) -> bool:
    marktype = mark.get("marktype")
    return marktype in MARKS and all(_item_supported(marktype, item) for item in mark.get("items", ()))


def _item_supported(marktype: str, item: Mapping[str, Any]) -> bool:
    fill = item.get("fill")
    if isinstance(fill, Mapping) and fill.get("gradient") != "linear":
        return False
    if marktype == "group":
        return all(_supported(child) for child in item.get("items", ()))
    if marktype == "symbol":
        return item.get("shape", "circle") in SYMBOLS
    if marktype == "line":
        return item.get("interpolate", "linear") == "linear"
    if marktype == "text":
        return not (item.get("radius") or item.get("lineBreak"))
    return True


# --- colours --------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _colour(value: str) -> tuple[colors.Color | None, float]:
    """A CSS colour → (reportlab colour, its alpha); (None, 0) for none or transparent."""
    text = value.strip().lower()
    if text in ("", "none", "transparent"):
        return None, 0.0
    if text.startswith("#") and len(text) in (4, 5):  # reportlab reads "#ddd" as 0x000ddd
        text = "#" + "".join(digit * 2 for digit in text[1:])
    if text.startswith("rgba(") and text.endswith(")"):
        red, green, blue, alpha = (float(part) for part in text[5:-1].split(","))
        return colors.Color(red / 255, green / 255, blue / 255), alpha
    if text.startswith("#") and len(text) == 9:
        return colors.HexColor(text[:7]), int(text[7:], 16) / 255
    try:
        colour = colors.toColor(text)
    except ValueError:
        return None, 0.0
    return colors.Color(colour.red, colour.green, colour.blue), float(colour.alpha)


def _paint(value: Any, opacity: float) -> tuple[colors.Color | None, float]:
    if not isinstance(value, str):
        return None, 0.0
    colour, alpha = _colour(value)
    return colour, alpha * opacity


# --- drawing --------------------------------------------------------------------------------------------


def draw(
    canvas: Any, scenegraph: Mapping[str, Any], x: float, y: float, scale: float, typeface: Typeface
) -> None:
    """Paint the scenegraph with its top-left corner at (x, y + height × scale) on the canvas, scaled.

    (x, y) is the bottom-left corner in PDF points, as for any flowable; one CSS pixel becomes ``scale``
    points.
    """
    height = float(scenegraph.get("height", 0))
    origin = scenegraph.get("origin", (0, 0))
    painter = _Painter(canvas, typeface)
    canvas.saveState()
    # from here on the coordinates are Vega's: pixels, y pointing down, (0, 0) at the chart's top left
    canvas.transform(scale, 0, 0, -scale, x, y + height * scale)
    canvas.translate(float(origin[0]), float(origin[1]))
    canvas.setLineCap(0)
    canvas.setLineJoin(0)
    painter.mark(scenegraph.get("scenegraph", {}), 1.0, None)
    canvas.restoreState()


class _Painter:
    """Paints marks on one canvas. ``opacity`` arguments carry the product of the enclosing groups'."""

    def __init__(self, canvas: Any, typeface: Typeface) -> None:
        self.canvas = canvas
        self.typeface = typeface

    # marks

    def mark(self, mark: Mapping[str, Any], opacity: float, bounds: tuple[float, float] | None) -> None:
        marktype = mark.get("marktype")
        items = mark.get("items") or ()
        if not items:
            return
        clipped = bool(mark.get("clip")) and bounds is not None
        if clipped and bounds is not None:  # the mark is cut to its group
            self.canvas.saveState()
            self._clip(_rounded_rect_path(self.canvas, 0, 0, bounds[0], bounds[1], (0, 0, 0, 0)))
        if marktype == "group":
            for item in items:
                self.group(item, opacity)
        elif marktype == "rect":
            for item in items:
                self.rect(item, opacity)
        elif marktype == "rule":
            for item in items:
                self.rule(item, opacity)
        elif marktype == "symbol":
            for item in items:
                self.symbol(item, opacity)
        elif marktype == "line":
            self.line(items, opacity)
        elif marktype == "text":
            for item in items:
                self.text(item, opacity)
        if clipped:
            self.canvas.restoreState()

    def group(self, item: Mapping[str, Any], opacity: float) -> None:
        inner = opacity * float(item.get("opacity", 1))
        if inner <= 0:
            return
        x, y = float(item.get("x", 0)), float(item.get("y", 0))
        width = float(item.get("width", float(item.get("x2", x)) - x))
        height = float(item.get("height", float(item.get("y2", y)) - y))
        radii = _radii(item)
        canvas = self.canvas
        canvas.saveState()
        canvas.translate(x, y)
        if (item.get("fill") or item.get("stroke")) and (width or height):
            self._shape(item, opacity, lambda: _rounded_rect_path(canvas, 0, 0, width, height, radii))
        if item.get("clip"):
            self._clip(_rounded_rect_path(canvas, 0, 0, width, height, radii))
        # Vega paints a group's marks in zindex order (a stable sort: equal ones keep their order)
        for mark in sorted(item.get("items") or (), key=lambda child: child.get("zindex", 0) or 0):
            self.mark(mark, inner, (width, height))
        canvas.restoreState()

    def rect(self, item: Mapping[str, Any], opacity: float) -> None:
        x, y = float(item.get("x", 0)), float(item.get("y", 0))
        width = float(item.get("width", float(item.get("x2", x)) - x))
        height = float(item.get("height", float(item.get("y2", y)) - y))
        radii = _radii(item)
        fill = item.get("fill")
        if isinstance(fill, Mapping):
            self._gradient(item, fill, x, y, width, height, radii, opacity)
            item = {**item, "fill": None}  # a stroke, if any, goes over the gradient
        self._shape(item, opacity, lambda: _rounded_rect_path(self.canvas, x, y, width, height, radii))

    def rule(self, item: Mapping[str, Any], opacity: float) -> None:
        stroke = self._set_stroke(item, opacity)
        if not stroke:
            return
        x, y = float(item.get("x", 0)), float(item.get("y", 0))
        x2, y2 = float(item.get("x2", x)), float(item.get("y2", y))
        path = self.canvas.beginPath()
        path.moveTo(x, y)
        path.lineTo(x2, y2)
        self.canvas.drawPath(path, stroke=1, fill=0)
        self._end_stroke(item)

    def symbol(self, item: Mapping[str, Any], opacity: float) -> None:
        size = float(item.get("size", 64))
        x, y = float(item.get("x", 0)), float(item.get("y", 0))
        shape = item.get("shape", "circle")
        self._shape(item, opacity, lambda: _symbol_path(self.canvas, shape, x, y, size))

    def line(self, items: Iterable[Mapping[str, Any]], opacity: float) -> None:
        points = list(items)
        style = points[0]
        canvas = self.canvas
        if not self._set_stroke(style, opacity):
            return
        path = canvas.beginPath()
        drawing = False
        for point in points:
            if point.get("defined", True) is False:
                drawing = False
                continue
            px, py = float(point.get("x", 0)), float(point.get("y", 0))
            if drawing:
                path.lineTo(px, py)
            else:
                path.moveTo(px, py)
                drawing = True
        canvas.drawPath(path, stroke=1, fill=0)
        self._end_stroke(style)

    def text(self, item: Mapping[str, Any], opacity: float) -> None:
        content = item.get("text")
        if content is None or content == "":
            return
        lines = [str(line) for line in content] if isinstance(content, list) else [str(content)]
        fill, alpha = _paint(item.get("fill", "#000"), opacity * float(item.get("opacity", 1)))
        alpha *= float(item.get("fillOpacity", 1))
        if fill is None or alpha <= 0:
            return
        size = float(item.get("fontSize", 11))
        font = self._font(item)
        limit = float(item.get("limit") or 0)
        ellipsis = str(item.get("ellipsis", "…"))
        line_height = float(item["lineHeight"]) if item.get("lineHeight") is not None else size + 2
        align = item.get("align", "left")
        x, y = float(item.get("x", 0)), float(item.get("y", 0))
        dx = float(item.get("dx") or 0)
        dy = float(item.get("dy") or 0) + _baseline_offset(item.get("baseline"), size, line_height)
        angle = float(item.get("angle") or 0)
        canvas = self.canvas
        canvas.saveState()
        canvas.setFillColor(fill, alpha if alpha < 1 else None)
        canvas.translate(x, y)
        if angle:
            canvas.rotate(angle)
        canvas.translate(dx, dy)
        canvas.scale(1, -1)  # glyphs upright again
        for index, line in enumerate(lines):
            if not line:
                continue
            runs = self.typeface.runs(line)
            if limit > 0:
                runs = _truncate(runs, font, size, limit, ellipsis, self.typeface)
            ordered = scripts.visual_runs(runs)
            total = sum(
                scripts.run_width(run, run_font or font, size, shape) for run_font, run, shape in ordered
            )
            cursor = -total / 2 if align == "center" else -total if align == "right" else 0.0
            scripts.draw_runs(canvas, cursor, -index * line_height, ordered, font, size)
        canvas.restoreState()

    # shared

    def _font(self, item: Mapping[str, Any]) -> str:
        weight = item.get("fontWeight")
        if isinstance(weight, str) and weight.isdigit():
            weight = int(weight)
        bold = weight in ("bold", "bolder") or (isinstance(weight, int | float) and weight >= 600)
        if bold:
            return self.typeface.bold
        if item.get("fontStyle") in ("italic", "oblique"):
            return self.typeface.italic
        return self.typeface.regular

    def _shape(self, item: Mapping[str, Any], opacity: float, path: Callable[[], Any]) -> None:
        base = opacity * float(item.get("opacity", 1))
        if base <= 0:
            return
        fill, fill_alpha = _paint(item.get("fill"), base * float(item.get("fillOpacity", 1)))
        has_fill = fill is not None and fill_alpha > 0
        if has_fill:
            self.canvas.setFillColor(fill, fill_alpha if fill_alpha < 1 else 1)
        has_stroke = self._set_stroke(item, opacity)
        if has_fill or has_stroke:
            self.canvas.drawPath(path(), stroke=int(has_stroke), fill=int(has_fill))
        if has_stroke:
            self._end_stroke(item)

    def _set_stroke(self, item: Mapping[str, Any], opacity: float) -> bool:
        width = float(item.get("strokeWidth", 1))
        base = opacity * float(item.get("opacity", 1)) * float(item.get("strokeOpacity", 1))
        stroke, alpha = _paint(item.get("stroke"), base)
        if stroke is None or alpha <= 0 or width <= 0:
            return False
        canvas = self.canvas
        canvas.setStrokeColor(stroke, alpha if alpha < 1 else 1)
        canvas.setLineWidth(width)
        dash = item.get("strokeDash")
        if dash:
            canvas.setDash([float(part) for part in dash], float(item.get("strokeDashOffset", 0)))
        cap = item.get("strokeCap")
        if cap:
            canvas.setLineCap({"butt": 0, "round": 1, "square": 2}.get(cap, 0))
        return True

    def _end_stroke(self, item: Mapping[str, Any]) -> None:
        if item.get("strokeDash"):
            self.canvas.setDash([], 0)
        if item.get("strokeCap"):
            self.canvas.setLineCap(0)

    def _clip(self, path: Any) -> None:
        self.canvas.clipPath(path, stroke=0, fill=0)

    def _gradient(
        self,
        item: Mapping[str, Any],
        gradient: Mapping[str, Any],
        x: float,
        y: float,
        width: float,
        height: float,
        radii: tuple[float, float, float, float],
        opacity: float,
    ) -> None:
        stops = [
            (float(stop["offset"]), _colour(str(stop["color"]))[0]) for stop in gradient.get("stops", ())
        ]
        stops = [(offset, colour) for offset, colour in stops if colour is not None]
        if not stops or opacity * float(item.get("opacity", 1)) <= 0:
            return
        canvas = self.canvas
        canvas.saveState()
        self._clip(_rounded_rect_path(canvas, x, y, width, height, radii))
        # the gradient vector is given in the unit box of the rect
        x1 = x + float(gradient.get("x1", 0)) * width
        y1 = y + float(gradient.get("y1", 0)) * height
        x2 = x + float(gradient.get("x2", 1)) * width
        y2 = y + float(gradient.get("y2", 0)) * height
        canvas.linearGradient(
            x1,
            y1,
            x2,
            y2,
            [colour for _, colour in stops],
            [offset for offset, _ in stops],
            extend=True,
        )
        canvas.restoreState()


def _js_round(value: float) -> int:
    """JavaScript's ``Math.round``: halves go up (Vega rounds text offsets with it)."""
    return math.floor(value + 0.5)


def _baseline_offset(baseline: Any, size: float, line_height: float) -> int:
    """How far below ``y`` Vega puts the alphabetic baseline of text with this ``baseline`` (in pixels)."""
    if baseline == "top":
        return _js_round(0.79 * size)
    if baseline == "middle":
        return _js_round(0.30 * size)
    if baseline == "bottom":
        return _js_round(-0.21 * size)
    if baseline == "line-top":
        return _js_round(0.29 * size + 0.5 * line_height)
    if baseline == "line-bottom":
        return _js_round(0.29 * size - 0.5 * line_height)
    return 0


def _truncate(
    runs: list[tuple[str | None, str]],
    font: str,
    size: float,
    limit: float,
    ellipsis: str,
    typeface: Typeface,
) -> list[tuple[str | None, str]]:
    """Cut a line to ``limit`` pixels with an ellipsis, as Vega does (the longest prefix that fits)."""

    def width(parts: list[tuple[str | None, str]]) -> float:
        return sum(pdfmetrics.stringWidth(text, run_font or font, size) for run_font, text in parts)

    if width(runs) <= limit:
        return runs
    text = "".join(part for _, part in runs)
    room = limit - width(typeface.runs(ellipsis))
    low, high = 0, len(text)
    while low < high:
        middle = 1 + ((low + high) >> 1)
        if width(typeface.runs(text[:middle])) < room:
            low = middle
        else:
            high = middle - 1
    return typeface.runs(text[:low] + ellipsis)


def _radii(item: Mapping[str, Any]) -> tuple[float, float, float, float]:
    """Corner radii (top left, top right, bottom right, bottom left), Vega's per-corner values winning."""
    base = float(item.get("cornerRadius") or 0)
    return (
        float(item.get("cornerRadiusTopLeft", base) or 0),
        float(item.get("cornerRadiusTopRight", base) or 0),
        float(item.get("cornerRadiusBottomRight", base) or 0),
        float(item.get("cornerRadiusBottomLeft", base) or 0),
    )


_KAPPA = 0.5522847498  # control-point distance of a quarter circle drawn as a cubic Bézier


def _rounded_rect_path(
    canvas: Any, x: float, y: float, width: float, height: float, radii: tuple[float, float, float, float]
) -> Any:
    """A rectangle path (y down), with each corner rounded by its radius (clamped to half the sides)."""
    if width < 0:
        x, width = x + width, -width
    if height < 0:
        y, height = y + height, -height
    path = canvas.beginPath()
    if not any(radii):
        path.rect(x, y, width, height)
        return path
    most = min(width, height) / 2
    top_left, top_right, bottom_right, bottom_left = (min(radius, most) for radius in radii)
    right, bottom = x + width, y + height
    path.moveTo(x + top_left, y)
    path.lineTo(right - top_right, y)
    if top_right:
        k = top_right * _KAPPA
        path.curveTo(right - top_right + k, y, right, y + top_right - k, right, y + top_right)
    path.lineTo(right, bottom - bottom_right)
    if bottom_right:
        k = bottom_right * _KAPPA
        path.curveTo(
            right, bottom - bottom_right + k, right - bottom_right + k, bottom, right - bottom_right, bottom
        )
    path.lineTo(x + bottom_left, bottom)
    if bottom_left:
        k = bottom_left * _KAPPA
        path.curveTo(x + bottom_left - k, bottom, x, bottom - bottom_left + k, x, bottom - bottom_left)
    path.lineTo(x, y + top_left)
    if top_left:
        k = top_left * _KAPPA
        path.curveTo(x, y + top_left - k, x + top_left - k, y, x + top_left, y)
    path.close()
    return path


def _symbol_path(canvas: Any, shape: str, x: float, y: float, size: float) -> Any:
    """A symbol's outline centred on (x, y), sized like vega-scenegraph's symbols."""
    path = canvas.beginPath()
    side = math.sqrt(max(size, 0))
    radius = side / 2
    if shape == "square":
        path.rect(x - radius, y - radius, side, side)
    elif shape == "diamond":
        path.moveTo(x - radius, y)
        path.lineTo(x, y - radius)
        path.lineTo(x + radius, y)
        path.lineTo(x, y + radius)
        path.close()
    elif shape.startswith("triangle-"):
        # vega-scenegraph's triangles: half-width r, half-height √3·r/2, pointing the way the name says
        height = math.sqrt(3) * radius / 2
        tip, left, right = {
            "triangle-up": ((0, -height), (-radius, height), (radius, height)),
            "triangle-down": ((0, height), (-radius, -height), (radius, -height)),
            "triangle-right": ((height, 0), (-height, -radius), (-height, radius)),
            "triangle-left": ((-height, 0), (height, -radius), (height, radius)),
        }[shape]
        path.moveTo(x + tip[0], y + tip[1])
        path.lineTo(x + left[0], y + left[1])
        path.lineTo(x + right[0], y + right[1])
        path.close()
    elif shape == "cross":
        # vega-scenegraph's cross: arms of width 2·r/2.5
        arm = radius / 2.5
        corners = [
            (-radius, -arm),
            (-radius, arm),
            (-arm, arm),
            (-arm, radius),
            (arm, radius),
            (arm, arm),
            (radius, arm),
            (radius, -arm),
            (arm, -arm),
            (arm, -radius),
            (-arm, -radius),
            (-arm, -arm),
        ]
        path.moveTo(x + corners[0][0], y + corners[0][1])
        for cx, cy in corners[1:]:
            path.lineTo(x + cx, y + cy)
        path.close()
    else:  # circle
        path.circle(x, y, radius)
    return path
