"""The PDF reports, parsed back with pypdf and rendered by poppler: what a leader reads on paper."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from questionnaires.loader import default_questionnaire
from questionnaires.schema import Questionnaire
from reports import charts, content, pdf
from scoring import build_action_plan, score_team
from scoring.models import ActionPlan, TeamResult
from settings import get_settings
from tests.integration.pdf_support import all_text, page_texts, render_pages
from tests.packs import measured_pack
from tests.report_samples import sample_team

GENERATED = datetime(2026, 3, 7, 9, 30, tzinfo=UTC)
HOSTILE = ['<b>R&D</b> "x"', "0.1 <A <0.9", "S&P & J&C", '<img src="/etc/passwd">']
UNICODE = ["Zoë Łukasiewicz", "Ærø", "Ἀθηνᾶ", "Москва"]
CJK = "研发团队"
#: The bundled CJK font (WenQuanYi Micro Hei), set as the configured fallback in one test.
WQY = pdf.FONT_DIR / "WenQuanYiMicroHei.ttc"


@pytest.fixture(scope="module")
def questionnaire() -> Questionnaire:
    return default_questionnaire()


@pytest.fixture(scope="module")
def result(questionnaire: Questionnaire) -> TeamResult:
    return score_team(questionnaire, sample_team(questionnaire, "Service desk", comments=True))


@pytest.fixture(scope="module")
def plan(questionnaire: Questionnaire, result: TeamResult) -> ActionPlan:
    return build_action_plan(questionnaire, result)


@pytest.fixture(scope="module")
def team_pdf(questionnaire: Questionnaire, result: TeamResult, plan: ActionPlan) -> bytes:
    report = content.team_report_content(
        questionnaire, result, plan, pack=measured_pack(questionnaire), generated_at=GENERATED
    )
    return pdf.team_report_pdf(report)


@pytest.fixture
def no_fallback_font(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("LAYERWISE_PDF_FALLBACK_FONT", raising=False)
    monkeypatch.setattr(pdf, "DEFAULT_FALLBACK_FONTS", ())
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def team_report(questionnaire: Questionnaire, name: str, **team: object) -> bytes:
    result = score_team(questionnaire, sample_team(questionnaire, name, **team))  # type: ignore[arg-type]
    report = content.team_report_content(
        questionnaire, result, build_action_plan(questionnaire, result), pack=None, generated_at=GENERATED
    )
    return pdf.team_report_pdf(report)


# --- the team report ------------------------------------------------------------------------------------


def test_the_team_report_carries_the_team_every_dimension_and_every_action(
    team_pdf: bytes, questionnaire: Questionnaire, plan: ActionPlan
) -> None:
    text = all_text(team_pdf)
    assert "AI human-system report: Service desk" in text
    for dimension in questionnaire.dimensions:
        assert dimension.name in text
    assert len(plan.actions) == 37
    for action in plan.actions:
        assert action.title in text, action.title
    # page 1: what holds the stage (the gating blocker)
    assert re.search(
        r"Held there by Permission \(layer 1, score [\d.]+, level 2\), and it holds Definition", text
    )
    assert "Definition is held at 3 by Permission at 2" in text


def test_every_page_has_a_page_x_of_y_footer_and_the_pdf_has_metadata(team_pdf: bytes) -> None:
    pages = page_texts(team_pdf)
    total = len(pages)
    assert 12 <= total <= 24
    for number, text in enumerate(pages, start=1):
        assert f"{number} / {total}" in text, f"page {number}"
    metadata = PdfReader(io.BytesIO(team_pdf)).metadata
    assert metadata is not None
    assert metadata.title == "Layerwise team report: Service desk"
    assert metadata.author == "Layerwise"
    assert metadata.subject is not None and metadata.subject.startswith(
        "AI human-system assessment and action plan of Service desk"
    )


def test_the_fonts_are_the_bundled_dejavu_sans(team_pdf: bytes) -> None:
    fonts = set()
    for page in PdfReader(io.BytesIO(team_pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]))
    assert fonts and all("DejaVuSans" in name for name in fonts), fonts


def test_every_page_renders_with_poppler_and_nothing_runs_off_the_page(
    team_pdf: bytes, tmp_path: Path
) -> None:
    images = render_pages(team_pdf, tmp_path)
    assert len(images) == len(page_texts(team_pdf))
    for image in images:
        assert _right_margin_is_blank(image), image.name


def test_no_heading_ends_a_page_of_the_team_report(
    questionnaire: Questionnaire, result: TeamResult, plan: ActionPlan
) -> None:
    """A rendered check (tests/integration/test_pdf_layout.py runs it on every report of the demo data)."""
    from tests.integration.layout_support import page_lines, pages_ending_in_a_heading

    report = content.team_report_content(questionnaire, result, plan, pack=None, generated_at=GENERATED)
    document = pdf.render_pdf(report)
    assert not pages_ending_in_a_heading(page_lines(document), report)


def test_the_closing_line_never_stands_alone_on_the_last_page(team_pdf: bytes) -> None:
    last = page_texts(team_pdf)[-1]
    assert "Generated by Layerwise on" in last
    before = last.split("Generated by Layerwise on", 1)[0]
    assert len(before.split()) > 25, f"the last page holds little but the closing line: {last!r}"


def test_a_team_without_capacity_figures_gets_no_near_empty_capacity_page(
    questionnaire: Questionnaire,
) -> None:
    pages = page_texts(team_report(questionnaire, "Service desk", ai_hours_per_week=None))
    [page] = [text for text in pages if "No capacity figures entered yet" in text]
    assert len(page.split()) > 80, f"a page with little but the ledger's sentence: {page!r}"


def test_the_capacity_ledger_counts_from_the_time_before_and_gives_the_team_total(
    questionnaire: Questionnaire,
) -> None:
    kpis = {"task_time_reduction": 30, "meta_work_hours": 2, "redeployed_share": 25}
    text = " ".join(all_text(team_report(questionnaire, "Ledger", kpis=kpis, team_size=8)).split())
    assert "took 28.6 h before (30 % less, gross): AI frees 8.6 h" in text
    assert (
        "For the team (8 people): 68.6 h freed per week, 52.6 h left after meta-work (1.3 full-time" in text
    )


def test_a_redeployed_share_without_freed_hours_is_said_on_the_ledger_and_beside_the_kpi(
    questionnaire: Questionnaire,
) -> None:
    kpis = {"task_time_reduction": 30, "meta_work_hours": 10, "redeployed_share": 23.9}
    pages = [" ".join(page.split()) for page in page_texts(team_report(questionnaire, "Absorbed", kpis=kpis))]
    note = "The 23.9 % entered as deliberately redeployed has no freed hours to come from"
    [ledger_page] = [page for page in pages if "nothing is left to redeploy" in page]
    assert note in ledger_page
    kpi_pages = [page for page in pages if "KPIs against reference points" in page]
    assert kpi_pages and any(note in page for page in kpi_pages)


def test_the_reference_points_say_what_kind_of_figure_they_are(team_pdf: bytes) -> None:
    text = " ".join(all_text(team_pdf).split())
    assert "comparison of two organisations" in text
    assert "hypothetical example" in text
    assert "source article 000" in text and "source article 003" in text
    assert "broader than this KPI's question" in text
    # only the KPIs the team entered: it entered no ticket resolution time, so that KPI's points are left out
    assert "Average (not median) ticket resolution time" not in text
    assert "fell" not in text


# --- text safety and fonts ------------------------------------------------------------------------------


def test_hostile_names_appear_literally_and_nothing_is_fetched(questionnaire: Questionnaire) -> None:
    name = " ".join(HOSTILE)
    document = team_report(questionnaire, name, seed=3)
    text = all_text(document)
    assert f"AI human-system report: {name}" in text
    for hostile in HOSTILE:
        assert hostile in text
    # no image at all: the charts are vector drawings, and the <img> tag was printed, never followed
    reader = PdfReader(io.BytesIO(document))
    images = sum(len(page.images) for page in reader.pages)
    assert images == 0


def test_unicode_names_render_with_real_glyphs(questionnaire: Questionnaire, tmp_path: Path) -> None:
    results = [
        score_team(questionnaire, sample_team(questionnaire, name, seed=i)) for i, name in enumerate(UNICODE)
    ]
    report = content.org_report_content(questionnaire, results, None, pack=None, generated_at=GENERATED)
    document = pdf.org_report_pdf(report)
    text = all_text(document)
    for name in UNICODE:
        assert name in text
    assert "\ufffd" not in text
    assert render_pages(document, tmp_path)


def test_text_the_font_lacks_is_a_visible_placeholder_without_a_fallback_font(
    questionnaire: Questionnaire, no_fallback_font: None
) -> None:
    text = all_text(team_report(questionnaire, f"{CJK} Beijing", seed=4))
    assert f"AI human-system report: {pdf.PLACEHOLDER * len(CJK)} Beijing" in text


def test_cjk_text_needs_no_configuration_and_no_system_font(
    questionnaire: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LAYERWISE_PDF_FALLBACK_FONT", raising=False)
    # only the bundled font: a machine without Debian's fonts-wqy-microhei (or any CJK font) sets it too
    monkeypatch.setattr(pdf, "DEFAULT_FALLBACK_FONTS", pdf.DEFAULT_FALLBACK_FONTS[:1])
    get_settings.cache_clear()
    name = f"{CJK} チーム 개발팀 Beijing"  # Chinese, Japanese kana, Korean Hangul
    try:
        text = all_text(team_report(questionnaire, name, seed=4))
    finally:
        get_settings.cache_clear()
    assert f"AI human-system report: {name}" in text
    assert pdf.PLACEHOLDER not in text


def test_a_configured_fallback_font_sets_cjk_text(
    questionnaire: Questionnaire, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAYERWISE_PDF_FALLBACK_FONT", str(WQY))
    get_settings.cache_clear()
    try:
        document = team_report(questionnaire, f"{CJK} Beijing", seed=4)
    finally:
        get_settings.cache_clear()
    assert f"AI human-system report: {CJK} Beijing" in all_text(document)
    assert render_pages(document, tmp_path)


def test_a_missing_fallback_font_file_falls_back_to_the_placeholder(
    questionnaire: Questionnaire, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAYERWISE_PDF_FALLBACK_FONT", str(tmp_path / "no-such-font.ttf"))
    get_settings.cache_clear()
    try:
        document = team_report(questionnaire, f"{CJK} team", seed=4)
    finally:
        get_settings.cache_clear()
    assert f"{pdf.PLACEHOLDER * len(CJK)} team" in all_text(document)


def test_a_20000_character_word_is_cut_and_never_runs_off_the_page(
    questionnaire: Questionnaire, tmp_path: Path
) -> None:
    document = team_report(questionnaire, "x" * 20_000, seed=6)
    pages = page_texts(document)
    assert len(pages) < 30
    squeezed = "".join("".join(pages).split())  # the cut word wraps over lines: join them again
    assert "x" * pdf.MAX_WORD + "…" in squeezed
    assert "x" * (pdf.MAX_WORD + 1) not in squeezed
    for image in render_pages(document, tmp_path):
        assert _right_margin_is_blank(image), image.name


def test_long_action_titles_wrap_inside_their_cells(questionnaire: Questionnaire, tmp_path: Path) -> None:
    result = score_team(questionnaire, sample_team(questionnaire, "Wordy"))
    long_title = "Agree " + " ".join(f"step{i}" for i in range(60)) + " together"
    plan = build_action_plan(questionnaire, result)
    actions = [plan.actions[0].model_copy(update={"title": long_title}), *plan.actions[1:]]
    report = content.team_report_content(
        questionnaire, result, plan.model_copy(update={"actions": actions}), pack=None, generated_at=GENERATED
    )
    document = pdf.team_report_pdf(report)
    assert long_title in all_text(document)
    for image in render_pages(document, tmp_path):
        assert _right_margin_is_blank(image), image.name


# --- anonymity ------------------------------------------------------------------------------------------


def test_a_suppressed_team_report_shows_no_numbers_for_it(questionnaire: Questionnaire) -> None:
    # two people answering level 4 everywhere: unsuppressed this would read 4.0, Managed, index 75.0
    levels = {dimension.id: 4.0 for dimension in questionnaire.dimensions}
    document = team_report(
        questionnaire, "Pair", size=2, centres=levels, dont_know_share=0, kpis={}, ai_hours_per_week=None
    )
    text = all_text(document)
    assert "The results of Pair are suppressed: needs at least 3 responses; 2 so far." in text
    for number in ("4.0", "75.0", "Managed", "Stage 4"):
        assert number not in text
    # the one chart is the questionnaire's KPI reference points, with no answers in it (charts are vector
    # drawings, so their words and numbers are part of the text checked above)
    assert "Rework rate (%, lower is better)" in text
    for other_chart in ("The four layers", "Dimensions against", "Capacity ledger AI frees", "Items Mean"):
        assert other_chart not in text


def test_the_org_report_keeps_suppressed_teams_without_numbers(
    questionnaire: Questionnaire, result: TeamResult, plan: ActionPlan, tmp_path: Path
) -> None:
    levels = {dimension.id: 4.0 for dimension in questionnaire.dimensions}
    pair = score_team(
        questionnaire, sample_team(questionnaire, "Pair", size=2, centres=levels, dont_know_share=0)
    )
    other = score_team(questionnaire, sample_team(questionnaire, "Claims", seed=9))
    results = [result, pair, other]
    report = content.org_report_content(
        questionnaire,
        results,
        {result.team: plan},
        pack=measured_pack(questionnaire),
        generated_at=GENERATED,
        rounds=[("2025 Q4", [result, pair]), ("2026 Q1", results)],
        organisation="Acme & Co",
    )
    document = pdf.org_report_pdf(report)
    pages = page_texts(document)
    text = " ".join(pages)
    assert "AI human-system report: Acme & Co" in text
    for team in ("Service desk", "Pair", "Claims"):
        assert team in text
    pair_page = next(page for page in pages if "Suppressed: needs at least 3 responses; 2 so far" in page)
    # the team pages share a page when two fit: the Pair's part is what follows its heading
    pair_part = pair_page[pair_page.index("Pair 2 respondents") :]
    assert "No numbers are shown for this team." in pair_part
    assert not re.search(r"(?<![\d.])\d\.\d{1,2}(?![\d.])", pair_part.replace("7 Mar 2026", ""))
    assert "Pair 2 suppressed: needs at least 3 responses; 2 so far" in text  # its "Not ranked" row
    assert render_pages(document, tmp_path)


def test_the_workshop_report_has_participants_distributions_divided_items_and_actions(
    questionnaire: Questionnaire, result: TeamResult, plan: ActionPlan, tmp_path: Path
) -> None:
    report = content.workshop_report_content(
        questionnaire,
        result,
        workshop="March retro",
        generated_at=GENERATED,
        agreed_actions=plan.actions[:3],
        participants=8,
    )
    document = pdf.workshop_report_pdf(report)
    text = all_text(document)
    assert "Workshop: March retro" in text
    assert "8 participants joined and 7 answered" in text
    for line in report.divided_items:
        assert line in text
    for action in plan.actions[:3]:
        assert action.title in text
    pages = page_texts(document)
    for number, page in enumerate(pages, start=1):
        assert f"{number} / {len(pages)}" in page
    assert len(render_pages(document, tmp_path)) == len(pages)


def test_team_reports_zip_holds_one_pdf_per_team_with_safe_unique_names(
    questionnaire: Questionnaire, result: TeamResult, plan: ActionPlan
) -> None:
    hostile = score_team(questionnaire, sample_team(questionnaire, "../../etc/passwd", seed=2))
    contents = [
        content.team_report_content(questionnaire, team, None, pack=None, generated_at=GENERATED)
        for team in (result, hostile, result)
    ]
    archive = zipfile.ZipFile(io.BytesIO(pdf.team_reports_zip(contents)))
    names = archive.namelist()
    assert names == ["layerwise-service-desk.pdf", "layerwise-etc-passwd.pdf", "layerwise-service-desk-2.pdf"]
    for name in names:
        assert archive.read(name).startswith(b"%PDF-")


def test_team_reports_zip_lays_each_chart_out_once_and_rasterises_none(
    questionnaire: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every team's charts differ, so rasterising them (vl-convert draws a PNG glyph by glyph) made a ZIP of
    # 15 teams take most of a minute: the reports draw Vega's layout as vectors, each chart laid out once.
    import vl_convert

    teams = [
        score_team(questionnaire, sample_team(questionnaire, f"Zip team {number}", seed=40 + number))
        for number in range(3)
    ]
    contents = [
        content.team_report_content(questionnaire, team, None, pack=None, generated_at=GENERATED)
        for team in [*teams, teams[0]]
    ]
    distinct = {
        json.dumps(charts.chart_spec(figure.chart)) for report in contents for figure in report.figures()
    }
    laid_out: list[str] = []
    lay_out = vl_convert.vegalite_to_scenegraph

    def counting(spec: str, **options: object) -> dict[str, object]:
        laid_out.append(spec)
        return lay_out(spec, **options)

    def refuse(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("a report chart was rasterised")

    monkeypatch.setattr(charts, "_scenegraph_cache", type(charts._scenegraph_cache)())  # nothing laid out yet
    monkeypatch.setattr(vl_convert, "vegalite_to_scenegraph", counting)
    monkeypatch.setattr(vl_convert, "vegalite_to_png", refuse)
    archive = zipfile.ZipFile(io.BytesIO(pdf.team_reports_zip(contents)))
    assert len(archive.namelist()) == 4
    assert len(laid_out) == len(distinct)
    for name in archive.namelist():
        document = archive.read(name)
        assert sum(len(page.images) for page in PdfReader(io.BytesIO(document)).pages) == 0
        assert "Gated level (what counts)" in all_text(document)  # the ladder's legend, drawn as text


def _right_margin_is_blank(image_path: Path) -> bool:
    """Whether the outer 12 mm on the right of a rendered page hold nothing but white (below the cover's
    full-width band): text or a chart that ran past the 18 mm margin would leave dark pixels there."""
    image = Image.open(image_path).convert("L")
    width, height = image.size
    band = image.crop((int(width * (1 - 12 / 210)), int(height * 16 / 297), width, height))
    return band.getextrema()[0] > 200


# --- where the gains go -----------------------------------------------------------------------------------


def test_the_team_report_says_which_paradox_mechanism_eats_the_gains(questionnaire: Questionnaire) -> None:
    """Permission at level 2, everything else at 4: its permission-ambiguity items are the lowest, and the
    team report says so (the same sentence as the Results page)."""
    from tests.unit.scoring_support import make_team, uniform

    levels = {dimension.id: 4 for dimension in questionnaire.dimensions} | {"permission": 2}
    result = score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, levels)] * 3, team="Claims")
    )
    report = content.team_report_content(
        questionnaire, result, build_action_plan(questionnaire, result), pack=None, generated_at=GENERATED
    )
    text = " ".join(all_text(pdf.team_report_pdf(report)).split())
    assert "Where the gains go" in text
    assert "The paradox mechanism most likely eating the team's AI gains is permission ambiguity" in text
    assert "Permission ambiguity (eating the gains)" in text

    calm = {dimension.id: 4 for dimension in questionnaire.dimensions}
    steady = score_team(
        questionnaire, make_team(questionnaire, [uniform(questionnaire, calm)] * 3, team="Calm")
    )
    assert content.paradox_sentence(questionnaire, steady).startswith("No paradox mechanism stands out")


def test_the_org_report_ranks_by_stage_and_lists_an_incomplete_team_apart_with_why(
    questionnaire: Questionnaire,
) -> None:
    from tests.unit.scoring_support import make_team, uniform

    def team(name: str, levels: dict[str, int]) -> TeamResult:
        return score_team(
            questionnaire, make_team(questionnaire, [uniform(questionnaire, levels)] * 3, team=name)
        )

    every = [dimension.id for dimension in questionnaire.dimensions]
    balanced = team("Balanced", dict.fromkeys(every, 3))  # stage 3, index 50
    top_heavy = team("Top heavy", dict.fromkeys(every, 5) | {"permission": 2})  # stage 2, higher index
    partial = team("Partial", {"permission": 5, "definition": 5})  # 2 of 4 layers
    report = content.org_report_content(
        questionnaire, [partial, top_heavy, balanced], pack=None, generated_at=GENERATED, organisation="Acme"
    )
    text = " ".join(all_text(pdf.org_report_pdf(report)).split())
    assert text.index("1 Balanced 3 3 Defined") < text.index("2 Top heavy 3 2 Emerging")
    assert "Not ranked" in text
    assert "Partial 3 incomplete: Boundaries and Coaching are suppressed" in text
    assert "a stage needs all 4 layers scored (2 of 4 are)" in text


def test_team_reports_zip_on_several_processes_holds_the_same_reports_and_reports_progress(
    questionnaire: Questionnaire, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "POOL_MIN_REPORTS", 2)
    rendered_here: list[object] = []
    render = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda content: rendered_here.append(content) or render(content))
    teams = [
        score_team(questionnaire, sample_team(questionnaire, f"Pool team {number}", seed=60 + number))
        for number in range(4)
    ]
    contents = [
        content.team_report_content(questionnaire, team, None, pack=None, generated_at=GENERATED)
        for team in teams
    ]
    # the renderers are started ahead of the batch (as the leader page does when it opens), once, and only
    # for a batch that would use them; the batch then takes those very processes
    pdf.POOL.close()
    assert pdf.warm_renderers(4, workers=1) == 0 and pdf.warm_renderers(1, workers=2) == 0
    assert pdf.POOL.pids() == []
    assert pdf.warm_renderers(4, workers=2) == 2
    assert pdf.warm_renderers(4, workers=2) == 0  # a rerun of the page starts no more
    started = pdf.POOL.pids()
    assert len(started) == 2
    told: list[tuple[int, int]] = []
    pooled = zipfile.ZipFile(
        io.BytesIO(pdf.team_reports_zip(contents, workers=2, progress=lambda *counts: told.append(counts)))
    )
    assert not rendered_here  # the pool's processes rendered them, not this one
    assert sorted(pdf.POOL.pids()) == sorted(started)
    alone = zipfile.ZipFile(io.BytesIO(pdf.team_reports_zip(contents)))
    assert len(rendered_here) == 4
    assert pooled.namelist() == alone.namelist() == [f"layerwise-pool-team-{n}.pdf" for n in range(4)]
    for name in pooled.namelist():
        assert all_text(pooled.read(name)) == all_text(alone.read(name))
    assert told == [(1, 4), (2, 4), (3, 4), (4, 4)]

    # the renderers stay warm for the next batch, which builds each report's content in them (the pool's
    # processes, not this one, call team_report_content) and holds the same reports
    warm = pdf.POOL.pids()
    assert len(warm) == 2
    monkeypatch.setattr(content, "team_report_content", _refuse_here)
    jobs = [
        pdf.TeamReportJob(team.team, questionnaire, team, None, {"pack": None, "generated_at": GENERATED})
        for team in teams[:2]
    ]
    again = zipfile.ZipFile(io.BytesIO(pdf.team_reports_zip(jobs, workers=2)))
    assert sorted(pdf.POOL.pids()) == sorted(warm)
    assert again.namelist() == alone.namelist()[:2]
    for name in again.namelist():
        assert all_text(again.read(name)) == all_text(alone.read(name))

    # a renderer that exited while idle (it does after a while) is replaced, and the batch is whole
    os.kill(warm[0], signal.SIGTERM)
    os.waitpid(warm[0], 0)
    third = zipfile.ZipFile(io.BytesIO(pdf.team_reports_zip(jobs, workers=2)))
    assert third.namelist() == alone.namelist()[:2]
    assert warm[0] not in pdf.POOL.pids() and len(pdf.POOL.pids()) == 2
    assert pdf.warm_renderers(4, workers=2) == 0  # the replacement counts: none started beside it
    pdf.POOL.close()

    # renderers end with the process that started them, even while still warming up
    child = subprocess.run(
        [sys.executable, "-c", _WARM_AND_EXIT],
        cwd=Path(pdf.__file__).resolve().parents[1],
        capture_output=True,
        text=True,
        check=True,
    )
    orphans = [int(pid) for pid in child.stdout.split()]
    assert len(orphans) == 2
    assert not [pid for pid in orphans if Path(f"/proc/{pid}").exists()]


#: Starts two renderers ahead of a batch and exits at once, printing their process ids.
_WARM_AND_EXIT = """
from reports import pdf
pdf.POOL_MIN_REPORTS = 2
pdf.warm_renderers(2, workers=2)
print(*pdf.POOL.pids())
"""


def _refuse_here(*args: object, **kwargs: object) -> None:
    raise AssertionError("a ZIP's report content was built in the calling process")
