"""Charts in the PDFs: drawn as vector graphics from Vega's own layout, looking like vl-convert's PNG of the
same chart, with their words as searchable text printed exactly as typed."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pytest
import vl_convert
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen import canvas as pdfcanvas

from questionnaires.loader import default_questionnaire
from questionnaires.schema import Questionnaire
from reports import charts, content, pdf, vector
from scoring import score_team
from scoring.models import TeamResult
from tests.integration.pdf_support import all_text
from tests.report_samples import sample_team
from tests.unit.test_charts import every_chart

GENERATED = datetime(2026, 3, 7, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return default_questionnaire()


@pytest.fixture(scope="module")
def all_charts(questionnaire: Questionnaire) -> dict[str, Any]:
    result = score_team(questionnaire, sample_team(questionnaire, "Service desk"))
    small = score_team(questionnaire, sample_team(questionnaire, "Tiny team", size=2, seed=5))
    peers = [score_team(questionnaire, sample_team(questionnaire, f"Peer {i}", seed=i)) for i in range(6)]
    return every_chart(questionnaire, result, small, peers)


def chart_report(*figures: Any) -> bytes:
    """A one-section report holding just these charts."""
    report = content.ReportContent(
        kind="team",
        title="Charts",
        subject="Charts",
        header="Charts",
        generated_at=GENERATED,
        cover=content.Cover(kicker="Charts", title="Charts", headline="Charts", facts=[("Made by", "tests")]),
        sections=[content.Section("Charts", [content.Figure(chart) for chart in figures])],
    )
    return pdf.render_pdf(report)


def images_in(document: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(document)).pages)


def vector_pixels(chart: Any, folder: Path) -> np.ndarray:
    """The chart drawn by ``reports.vector`` alone on a page of its size, rendered by poppler at 2 px per
    CSS pixel (0.75 pt per CSS pixel, 192 dpi), in grey levels."""
    scenegraph = charts.render_scenegraph(chart)
    buffer = io.BytesIO()
    page = pdfcanvas.Canvas(buffer, pagesize=(scenegraph["width"] * 0.75, scenegraph["height"] * 0.75))
    vector.draw(page, scenegraph, 0, 0, 0.75, pdf._typeface())
    page.showPage()
    page.save()
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed; .ci/run installs it")
    source = folder / "chart.pdf"
    source.write_bytes(buffer.getvalue())
    subprocess.run(
        ["pdftoppm", "-r", "192", "-png", "-singlefile", str(source), str(folder / "chart")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return np.asarray(Image.open(folder / "chart.png").convert("L"), dtype=float)


def png_pixels(chart: Any) -> np.ndarray:
    """vl-convert's own PNG of the chart at scale 2, on white, in grey levels."""
    image = Image.open(io.BytesIO(charts.render_png(chart, scale=2))).convert("RGBA")
    flat = Image.new("RGBA", image.size, "white")
    flat.alpha_composite(image)
    return np.asarray(flat.convert("L"), dtype=float)


@pytest.mark.parametrize(
    "name",
    [
        "layer_ladder",
        "benchmark_pack",
        "benchmark_peers",
        "item_heatmap",
        "capacity_waterfall",
        "kpi_reference_chart",
        "item_distribution",
        "org_heatmap",
        "trend_chart",
        "gap_chart_team",
        "gap_chart_org",
    ],
)
def test_every_chart_is_drawn_as_vectors_that_look_like_vegas_own_png(
    all_charts: dict[str, Any], name: str, tmp_path: Path
) -> None:
    chart = all_charts[name]
    assert vector.supports(charts.render_scenegraph(chart)), f"{name} would fall back to a PNG"
    drawn, reference = vector_pixels(chart, tmp_path), png_pixels(chart)
    assert drawn.shape == reference.shape
    difference = np.abs(drawn - reference)
    # Glyph edges differ a little between two rasterisers (and vl-convert's SVG collapses double spaces);
    # a misplaced text baseline, a wrong colour or a missing mark moves these far beyond the bounds.
    assert difference.mean() < 4, f"{name}: mean grey-level difference {difference.mean():.2f}"
    assert (difference > 64).mean() < 0.025, f"{name}: {(difference > 64).mean():.1%} of pixels differ"


def test_chart_words_are_searchable_text_printed_exactly_as_typed(questionnaire: Questionnaire) -> None:
    names = ['<b>R&D</b> "x"', "S&P & J&C", "Zoë Łukasiewicz", "Москва"]
    results = [
        score_team(questionnaire, sample_team(questionnaire, name, seed=index))
        for index, name in enumerate(names)
    ]
    document = chart_report(charts.org_heatmap(results))
    text = all_text(document)
    assert "Teams at a glance" in text
    for name in names:
        assert name in text
    assert images_in(document) == 0


def test_a_label_over_its_limit_is_cut_with_an_ellipsis_exactly_where_vega_cuts_it() -> None:
    label = "A remarkably long label that the axis has no room for at all"
    chart = (
        alt.Chart(alt.Data(values=[{"label": label, "value": 3}, {"label": "Short", "value": 4}]))
        .mark_bar()
        .encode(
            x="value:Q",
            y=alt.Y("label:N", axis=alt.Axis(labelLimit=120, labelFont=charts.FONT, labelFontSize=11)),
        )
    )
    svg = vl_convert.vegalite_to_svg(json.dumps(charts.chart_spec(chart)), allowed_base_urls=[])
    (cut,) = [text for text in re.findall(r">([^<>]*…)</text>", svg)]
    assert label.startswith(cut[:-1]) and len(cut) < len(label)
    text = all_text(chart_report(chart))
    assert cut in text and label not in text


def test_a_chart_with_a_mark_the_vector_drawing_lacks_is_embedded_as_a_png() -> None:
    values = [{"part": "a", "value": 1}, {"part": "b", "value": 2}]
    pie = alt.Chart(alt.Data(values=values)).mark_arc().encode(theta="value:Q", color="part:N")
    bars = alt.Chart(alt.Data(values=values)).mark_bar().encode(x="value:Q", y="part:N")
    assert not vector.supports(charts.render_scenegraph(pie))
    assert images_in(chart_report(pie)) == 1
    assert images_in(chart_report(bars)) == 0


def test_laying_out_a_chart_never_fetches_data_from_a_url() -> None:
    chart = alt.Chart(alt.Data(url="https://example.com/data.json")).mark_point().encode(x="a:Q")
    with pytest.raises(ValueError, match="not allowed"):
        charts.render_scenegraph(chart)


def test_css_colours_are_painted_as_written() -> None:
    # reportlab alone reads "#ddd" as 0x000ddd (blue); rgb() and transparent come from Vega's scales
    scenegraph = {
        "width": 40,
        "height": 10,
        "origin": [0, 0],
        "scenegraph": {
            "marktype": "group",
            "items": [
                {
                    "x": 0,
                    "y": 0,
                    "width": 40,
                    "height": 10,
                    "items": [
                        {
                            "marktype": "rect",
                            "items": [
                                {"x": 0, "y": 0, "width": 10, "height": 10, "fill": "#ddd"},
                                {"x": 10, "y": 0, "width": 10, "height": 10, "fill": "rgb(235, 178, 147)"},
                                {"x": 20, "y": 0, "width": 10, "height": 10, "fill": "transparent"},
                                {"x": 30, "y": 0, "width": 10, "height": 10, "fill": "#000", "opacity": 0},
                            ],
                        }
                    ],
                }
            ],
        },
    }
    buffer = io.BytesIO()
    page = pdfcanvas.Canvas(buffer, pagesize=(40, 10), pageCompression=0)
    vector.draw(page, scenegraph, 0, 0, 1, pdf._typeface())
    page.showPage()
    page.save()
    stream = PdfReader(io.BytesIO(buffer.getvalue())).pages[0].get_contents().get_data().decode("latin-1")
    fills = re.findall(r"([\d.]+ [\d.]+ [\d.]+) rg", stream)
    assert fills == [".866667 .866667 .866667", ".921569 .698039 .576471"]


def test_a_team_report_has_its_charts_as_vectors(questionnaire: Questionnaire) -> None:
    result: TeamResult = score_team(questionnaire, sample_team(questionnaire, "Vector team", seed=12))
    report = content.team_report_content(questionnaire, result, None, pack=None, generated_at=GENERATED)
    document = pdf.team_report_pdf(report)
    assert images_in(document) == 0
    text = all_text(document)
    # the words of the ladder and the heat table, drawn as text
    assert "Gated level (what counts)" in text and "One page guide" in text
