"""The leaders' view across teams, and the admin passcode that protects it.

The passcode: ``LAYERWISE_ADMIN_PASSCODE`` (environment) or ``admin_passcode`` in Streamlit secrets (the page
reads those and passes the value in). When neither is set, the first server to start generates one
(``secrets.token_urlsafe``), stores only its scrypt hash with a random salt in the database's app settings,
and prints it once to the server log. The insert is ``INSERT … ON CONFLICT DO NOTHING``, so when several
servers start at once exactly one generates and prints a passcode and the others use its hash. Passcodes
are compared in constant time, and wrong ones are slowed down like wrong join codes.

Everything the leader sees comes from ``scoring`` results, so the anonymity rule holds everywhere: a team
under k shows "suppressed" and no number, in the page, the PDFs and the exports. The exports here are
aggregates (the numbers the page shows); raw pseudonymised answers are the administrator's data export
(``python cli.py export``), not a leader download.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from questionnaires.schema import Questionnaire
from reports.exchange import neutralise_cell, write_csv
from scoring import (
    BenchmarkComparison,
    BenchmarkPack,
    TeamResult,
    build_action_plan,
    pack_percentiles,
    standing,
)
from scoring.aggregate import cyclic_gc_paused
from scoring.benchmarks import peer_percentiles_all
from scoring.rules import level_floor, target_gap
from scoring.summary import ItemFlags, count_hotspots, item_flags, org_report_slim
from services.benchmark_packs import installed_pack
from services.context import AppContext, InputError, ServiceError
from services.passcodes import PASSCODE_SETTING, passcode_matches
from services.passcodes import ensure_admin_passcode as ensure_admin_passcode  # re-exported
from services.passcodes import hash_passcode as hash_passcode  # re-exported
from services.publication import (
    publish_stale_and_find_answered,
    published_results,
    published_summaries,
    unpublished_results,
    unpublished_summaries,
)
from services.targets import team_targets_many
from services.workshop import ThrottledError, ThrottleRule, release_attempt, reserve_attempt, seconds
from storage import repository as repo
from storage import units as unit_repo

if TYPE_CHECKING:
    from reports.content import OrgReportContent

log = logging.getLogger("layerwise.leader")

#: The app setting holding the organisation's name, printed on the organisation report.
ORGANISATION_SETTING = "organisation_name"
#: The longest organisation name accepted.
ORGANISATION_MAX = 120

PASSCODE_PER_CLIENT = ThrottleRule("passcode", free_failures=3, max_delay_seconds=300)
PASSCODE_ALL_CLIENTS = ThrottleRule("passcode-all", free_failures=20, max_delay_seconds=30)

ExportFormat = Literal["csv", "json", "xlsx"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "json", "xlsx")


# --- the passcode -----------------------------------------------------------------------------------------


def check_passcode(ctx: AppContext, candidate: str, *, configured: str | None, client_key: str) -> bool:
    """Whether ``candidate`` is the leader passcode (constant-time); wrong ones are counted and slowed down.

    Raises ``ThrottledError`` while this client (or everyone, after very many wrong tries) must wait.
    """
    rules = (PASSCODE_PER_CLIENT, PASSCODE_ALL_CLIENTS)
    # counted as wrong before it is compared (and given back when right), so parallel tries cannot all pass
    with ctx.write() as session:
        attempt = reserve_attempt(session, rules, client_key)
        stored = repo.get_setting(session, key=PASSCODE_SETTING)
    if attempt.wait:
        raise ThrottledError(
            f"Too many wrong passcodes were tried. Please wait {seconds(attempt.wait)} and try again.",
            attempt.wait,
        )
    candidate = candidate or ""
    if configured:
        # hash both sides first so the comparison takes the same time whatever their lengths
        ok = hmac.compare_digest(
            hashlib.sha256(candidate.encode("utf-8")).digest(),
            hashlib.sha256(configured.encode("utf-8")).digest(),
        )
    else:
        ok = stored is not None and passcode_matches(candidate, stored)
    if ok:
        with ctx.write() as session:
            release_attempt(session, attempt)
    return ok


# --- the leader view --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRound:
    """One scored assessment of a team: when it ran and its (anonymity-checked) result."""

    team: str
    assessment_id: int
    round: str
    created: date
    result: TeamResult


@dataclass(frozen=True)
class ItemHotspot:
    """An item that teams are often divided on, or often answer "don't know" to (counts of teams)."""

    item_id: str
    dimension: str
    question: str
    divided_teams: int
    dont_know_teams: int
    teams_with_numbers: int


@dataclass(frozen=True)
class LeaderView:
    """What the leader page shows, for the chosen teams and dates.

    As :func:`leader_view` opens it, its results are summaries (``scoring.summary``: every figure of the
    published result but its items, role segments, findings, comments and outcome figures), which is what
    the page shows; ``item_flags`` holds what the hotspots count of each listed team's items. Reports and
    downloads need the full results: :func:`with_full_results` reads them (``full_results`` is then True),
    and the functions here that make them do so themselves.
    """

    questionnaire: Questionnaire | None
    all_teams: tuple[str, ...]
    latest: tuple[TeamResult, ...]
    rounds: tuple[tuple[str, tuple[TeamResult, ...]], ...]
    peers: dict[str, list[BenchmarkComparison]]
    #: an imported measured pack that fits the questionnaire (``python cli.py pack import``), else None
    pack: BenchmarkPack | None
    pack_comparisons: dict[str, list[BenchmarkComparison]]
    hotspots: tuple[ItemHotspot, ...]
    assessment_ids: tuple[int, ...]
    history: tuple[TeamRound, ...] = field(default_factory=tuple)
    #: Assessments with answers that are not compared here, each with the reason (another questionnaire,
    #: or one this installation no longer has).
    left_out: tuple[str, ...] = field(default_factory=tuple)
    #: per listed team, its items as the hotspots count them
    item_flags: dict[str, ItemFlags] = field(default_factory=dict)
    #: a digest of what the full results are made from beyond the summaries (which result is current, the
    #: outcome figures and task maps), so that the fingerprint changes whenever a download would
    sources: str = ""
    #: whether the results are the full published results (else summaries)
    full_results: bool = False

    @property
    def empty(self) -> bool:
        """Whether no team has a scored assessment in the chosen range."""
        return not self.latest

    @cached_property
    def fingerprint(self) -> str:
        """A digest of everything the downloads are made from: equal digests, equal files (but the date).

        Made once per view (the page asks for it once per download button) from each round's result as
        JSON (pydantic's repr of a thousand results took about a second each time).
        """
        digest = hashlib.sha256()
        for entry in self.history:  # latest, rounds and assessment_ids are arranged from these
            digest.update(repr((entry.team, entry.assessment_id, entry.round, entry.created)).encode("utf-8"))
            digest.update(entry.result.model_dump_json().encode("utf-8"))
        arranged = ([result.team for result in self.latest], [label for label, _ in self.rounds])
        digest.update(repr((arranged, self.assessment_ids, self.pack, self.sources)).encode("utf-8"))
        return digest.hexdigest()


@dataclass(frozen=True)
class _Picked:
    """An assessment in the leader's selection, read while the session is open."""

    id: int
    team: str
    external_id: str
    created: date


def round_label(when: date) -> str:
    """Assessments are grouped into rounds by calendar quarter ('2026 Q1'); a team's latest in a quarter counts."""
    return f"{when.year} Q{(when.month - 1) // 3 + 1}"


def hotspots(
    questionnaire: Questionnaire, results: Sequence[TeamResult | ItemFlags], *, top: int = 10
) -> list[ItemHotspot]:
    """The items most often divided or "don't know" across teams, counted over results scoring let through
    (full results, or their summaries' item flags)."""
    flags = [result if isinstance(result, ItemFlags) else item_flags(result) for result in results]
    rows = []
    for item_id, (divided, dont_know, seen) in count_hotspots(flags).items():
        if not divided and not dont_know:
            continue
        try:
            question = questionnaire.item(item_id).question.strip()
            dimension = questionnaire.dimension(questionnaire.dimension_of(item_id)).name
        except KeyError:
            question, dimension = item_id, questionnaire.dimension_of(item_id)
        rows.append(ItemHotspot(item_id, dimension, question, divided, dont_know, seen))
    rows.sort(key=lambda row: (-(row.divided_teams + row.dont_know_teams), -row.divided_teams, row.item_id))
    return rows[:top]


def list_team_names(ctx: AppContext, *, include_demo: bool = True, unit_id: int | None = None) -> list[str]:
    """Every team's name (for the filter); with ``unit_id``, only the teams of that unit and below."""
    with ctx.read() as session:
        names = [team.name for team in repo.list_teams(session, include_demo=include_demo)]
        if unit_id is not None:
            allowed = unit_repo.teams_in_unit(session, unit_id=unit_id)
            names = [name for name in names if name in allowed]
        return names


def leader_view(
    ctx: AppContext,
    *,
    teams: Sequence[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    include_demo: bool = True,
    unit_id: int | None = None,
) -> LeaderView:
    """Every team's results (latest in range), their rounds, benchmarks and the organisation's hotspots.

    ``teams`` (names) and ``since``/``until`` (dates the assessments were started, inclusive) filter; None
    means all; ``unit_id`` limits everything to the teams of that unit and below (a unit leader's view).
    Only published results count (``services.publication``): an assessment nothing has been
    published of yet is not shown, and no number here is ever a live score of stored answers.
    """
    # thousands of summaries are read and kept: the cyclic collector would rescan them all, again and again
    with cyclic_gc_paused():
        return _leader_view(
            ctx, teams=teams, since=since, until=until, include_demo=include_demo, unit_id=unit_id
        )


def _leader_view(
    ctx: AppContext,
    *,
    teams: Sequence[str] | None,
    since: date | None,
    until: date | None,
    include_demo: bool,
    unit_id: int | None,
) -> LeaderView:
    if since is not None and until is not None and since > until:
        raise InputError({"dates": f"the start date {since} is after the end date {until}"})
    wanted = None if teams is None else set(teams)
    history: list[TeamRound] = []
    left_out: list[str] = []
    with ctx.read() as session:
        all_teams = tuple(team.name for team in repo.list_teams(session, include_demo=include_demo))
        if unit_id is not None:
            # a unit leader's view: that unit and below, whatever the filters ask for
            allowed = unit_repo.teams_in_unit(session, unit_id=unit_id)
            all_teams = tuple(name for name in all_teams if name in allowed)
            wanted = allowed if wanted is None else wanted & allowed
        chosen: list[tuple[_Picked, str, str]] = []
        for assessment in repo.list_assessment_rows(session, include_demo=include_demo):
            created = assessment.created_at.date()
            if wanted is not None and assessment.team not in wanted:
                continue
            if (since is not None and created < since) or (until is not None and created > until):
                continue
            picked = _Picked(assessment.id, assessment.team, assessment.external_id, created)
            chosen.append((picked, assessment.questionnaire_id, assessment.questionnaire_version))
    # Only published results are shown (never a live score): publish what newer answers allow first.
    anyone_answered = publish_stale_and_find_answered(ctx, [picked.id for picked, _, _ in chosen])
    # what the first screen shows of each published result: its summary (the full results are read for
    # reports and downloads, see with_full_results)
    read = published_summaries(ctx, [picked.id for picked, _, _ in chosen])
    published = dict(read.summaries)
    # an assessment with answers but nothing published yet shows as a team without numbers
    with_answers = {picked.id for picked, _, _ in chosen if picked.id not in published} & anyone_answered
    # (one whose questionnaire is not installed here is left out of both, and named below)
    published.update(unpublished_summaries(ctx, sorted(with_answers)))
    chosen = [entry for entry in chosen if entry[0].id in published or entry[0].id in with_answers]
    # Teams are compared on one questionnaire: the shipped one when any chosen assessment used it, else
    # the one most assessments used; the others are named, not silently dropped.
    used = [questionnaire_id for _, questionnaire_id, _ in chosen]
    reference_id = (
        DEFAULT_QUESTIONNAIRE_ID
        if DEFAULT_QUESTIONNAIRE_ID in used
        else max(set(used), key=used.count)
        if used
        else None
    )
    questionnaire: Questionnaire | None = None
    for assessment, questionnaire_id, version in chosen:
        what = f"{assessment.team} ({assessment.external_id})"
        try:
            current = ctx.questionnaire(questionnaire_id, version)
        except KeyError:
            left_out.append(f"{what}: its questionnaire {questionnaire_id} {version} is not installed here")
            continue
        if current.id != reference_id:
            left_out.append(
                f"{what}: answered {current.title} ({current.id}); teams are compared on one questionnaire"
            )
            continue
        questionnaire = questionnaire or current
        history.append(
            TeamRound(
                team=assessment.team,
                assessment_id=assessment.id,
                round=round_label(assessment.created),
                created=assessment.created,
                result=published[assessment.id].result,
            )
        )
    latest, rounds, latest_ids = _arranged(history)
    flags = {
        result.team: published[assessment_id].items
        for result, assessment_id in zip(latest, latest_ids, strict=True)
    }
    pack = installed_pack(ctx, questionnaire) if questionnaire is not None else None
    return LeaderView(
        questionnaire=questionnaire,
        all_teams=all_teams,
        latest=latest,
        rounds=rounds,
        peers=peer_percentiles_all(latest),
        pack=pack,
        pack_comparisons={result.team: pack_percentiles(result, pack) for result in latest} if pack else {},
        hotspots=tuple(hotspots(questionnaire, list(flags.values()))) if questionnaire is not None else (),
        assessment_ids=latest_ids,
        history=tuple(history),
        left_out=tuple(left_out),
        item_flags=flags,
        sources=read.digest,
    )


def _arranged(
    history: Sequence[TeamRound],
) -> tuple[tuple[TeamResult, ...], tuple[tuple[str, tuple[TeamResult, ...]], ...], tuple[int, ...]]:
    """From the rounds of the teams, oldest first: each team's latest result (by team name), the results of
    each round (a team's latest in the round), and the assessment ids of the latest results (same order)."""
    latest_by_team: dict[str, TeamRound] = {}
    by_round: dict[str, dict[str, TeamResult]] = {}
    for entry in history:  # oldest first, so later ones win
        latest_by_team[entry.team] = entry
        by_round.setdefault(entry.round, {})[entry.team] = entry.result
    ordered = sorted(latest_by_team.values(), key=lambda e: e.team.lower())
    return (
        tuple(entry.result for entry in ordered),
        tuple((label, tuple(by_round[label].values())) for label in sorted(by_round)),
        tuple(entry.assessment_id for entry in ordered),
    )


def with_full_results(ctx: AppContext, view: LeaderView) -> LeaderView:
    """The view with the full published results in place of their summaries (what reports and downloads
    are made from): read back as stored, never re-scored, with the current outcome figures; the same
    teams, rounds and figures. A view that holds them already is returned as it is."""
    if view.full_results:
        return view
    # the page makes its downloads from one view on worker threads: the first to ask reads, the others wait
    # for it and share what it read (kept on the view, as functools.cached_property keeps a value)
    with _FULL_READ:
        full_view = view.__dict__.get(_FULL_VIEW)
        if full_view is None:
            with cyclic_gc_paused():
                full_view = _full_view(ctx, view)
            view.__dict__[_FULL_VIEW] = full_view
    return full_view


def _full_view(ctx: AppContext, view: LeaderView) -> LeaderView:
    ids = [entry.assessment_id for entry in view.history]
    full = published_results(ctx, ids)
    full.update(
        unpublished_results(ctx, [assessment_id for assessment_id in ids if assessment_id not in full])
    )
    history = tuple(replace(entry, result=full[entry.assessment_id]) for entry in view.history)
    latest, rounds, _ = _arranged(history)
    return replace(view, latest=latest, rounds=rounds, history=history, full_results=True)


_FULL_READ = threading.Lock()
_FULL_VIEW = "_full_view"


def _org_report_view(ctx: AppContext, view: LeaderView) -> LeaderView:
    """The view the organisation report is made from. Up to ``ORG_DETAIL_TEAMS`` teams (a page per team) it
    is :func:`with_full_results`. Above, the report shows no team's items, roles, findings or comments: each
    team's latest result is read in full and cut down at once to what the report uses
    (``scoring.summary.org_report_slim``), one at a time, and earlier rounds stay summaries (the trend and
    the change column read their dimension and overall figures only). The report's content is the same as
    from the full results; a view whose full results were read already is used as it is."""
    from reports.content import ORG_DETAIL_TEAMS

    if view.full_results or len(view.latest) <= ORG_DETAIL_TEAMS:
        return with_full_results(ctx, view)
    read_already = view.__dict__.get(_FULL_VIEW)
    if read_already is not None:
        return read_already
    latest_ids = list(view.assessment_ids)
    with cyclic_gc_paused():
        slim = published_results(ctx, latest_ids, reduce=org_report_slim)
        waiting = [assessment_id for assessment_id in latest_ids if assessment_id not in slim]
        slim.update(
            (assessment_id, org_report_slim(result))
            for assessment_id, result in unpublished_results(ctx, waiting).items()
        )
    # a team's latest result is one object in ``latest`` and in its round (the change column finds it so)
    history = tuple(
        replace(entry, result=slim[entry.assessment_id]) if entry.assessment_id in slim else entry
        for entry in view.history
    )
    latest, rounds, _ = _arranged(history)
    return replace(view, latest=latest, rounds=rounds, history=history)


# --- exports for leaders (aggregates only) ----------------------------------------------------------------

#: Columns of the leaders' results CSV: one row per team and dimension.
RESULT_COLUMNS: tuple[str, ...] = (
    "team",
    "assessment",
    "mode",
    "respondents",
    "suppressed",
    "dimension_id",
    "dimension",
    "score",
    "level",
    "gated_level",
    "gated_level_name",
    "consensus",
    "dont_know_rate",
    "index",
    "stage",
    "note",
)


def result_rows(results: Sequence[TeamResult]) -> list[dict[str, Any]]:
    """One row per team and dimension with the numbers scoring let through (blank where suppressed).

    ``mode`` says whether the numbers come from individual answers or from one consensus answer set the
    team agreed together (never to be read as individual data).
    """
    rows = []
    for result in results:
        for dimension in result.dimensions:
            note = ""
            if dimension.suppressed:
                note = f"suppressed: {dimension.suppressed_reason}"
            elif dimension.cap_explanation:
                note = dimension.cap_explanation
            rows.append(
                {
                    "team": result.team,
                    "assessment": result.assessment_id or "",
                    "mode": result.mode,
                    "respondents": result.respondents,
                    "suppressed": dimension.suppressed,
                    "dimension_id": dimension.id,
                    "dimension": dimension.name,
                    "score": dimension.score,
                    "level": dimension.level,
                    "gated_level": dimension.gated_level,
                    "gated_level_name": dimension.gated_level_name,
                    "consensus": dimension.consensus,
                    "dont_know_rate": dimension.dont_know_rate,
                    "index": result.overall.index,
                    "stage": result.overall.stage,
                    "note": note,
                }
            )
    return rows


def export_results(ctx: AppContext, view: LeaderView, format: ExportFormat) -> bytes:
    """The leader view's team results as CSV, JSON or XLSX: aggregates only, nothing under k has a number."""
    if format not in EXPORT_FORMATS:
        raise InputError({"format": f"choose one of: {', '.join(EXPORT_FORMATS)} (got {format!r})"})
    view = with_full_results(ctx, view)
    if format == "csv":
        return write_csv(
            [
                {key: "" if value is None else value for key, value in row.items()}
                for row in result_rows(view.latest)
            ],
            RESULT_COLUMNS,
        )
    if format == "json":
        document = {
            "format": "layerwise-leader-results",
            "note": "Aggregates only; a team or dimension under the anonymity threshold k has no numbers.",
            "teams": [result.model_dump(mode="json") for result in view.latest],
        }
        return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if format == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheets: dict[str, tuple[Sequence[str], list[dict[str, Any]]]] = {
            "results": (RESULT_COLUMNS, result_rows(view.latest)),
            "hotspots": (
                (
                    "item_id",
                    "dimension",
                    "question",
                    "divided_teams",
                    "dont_know_teams",
                    "teams_with_numbers",
                ),
                [hotspot.__dict__ for hotspot in view.hotspots],
            ),
        }
        for title, (columns, rows) in sheets.items():
            sheet = workbook.create_sheet(title=title)
            sheet.append(list(columns))
            for row in rows:
                sheet.append([neutralise_cell(row.get(column)) for column in columns])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise InputError({"format": f"choose one of: {', '.join(EXPORT_FORMATS)} (got {format!r})"})


# --- PDFs -------------------------------------------------------------------------------------------------


def pdf_available() -> bool:
    """Whether this installation can render PDF reports."""
    try:
        from reports import pdf  # noqa: F401
    except ImportError:  # pragma: no cover - reportlab is a runtime dependency
        return False
    return True


def _plans(ctx: AppContext, view: LeaderView) -> dict[str, Any]:
    """Each team's plan: the actions it stored for its latest assessment, else the recommended plan."""
    view = with_full_results(ctx, view)  # a recommended plan is made from the items and findings
    latest = {entry.team: entry for entry in view.history}
    plans: dict[str, Any] = {}
    with ctx.read() as session:
        for result in view.latest:
            entry = latest[result.team]
            stored = repo.list_actions(session, assessment_id=entry.assessment_id)
            if stored:
                plans[result.team] = stored
            elif view.questionnaire is not None:
                plans[result.team] = build_action_plan(view.questionnaire, result)
    return plans


def organisation_name(ctx: AppContext) -> str:
    """The organisation's name as set on the Leader page ("" until someone sets it)."""
    with ctx.read() as session:
        return repo.get_setting(session, key=ORGANISATION_SETTING) or ""


def set_organisation_name(ctx: AppContext, name: str) -> str:
    """Store the organisation's name (spaces trimmed; empty clears it) and return what was stored.

    Raises ``InputError`` on the field ``organisation`` when the name is too long or has line breaks.
    """
    cleaned = (name or "").strip()
    if "\n" in cleaned or "\r" in cleaned:
        raise InputError({"organisation": "the name must fit on one line"})
    if len(cleaned) > ORGANISATION_MAX:
        raise InputError(
            {
                "organisation": f"at most {ORGANISATION_MAX} characters, not {len(cleaned)}; nothing was changed"
            }
        )
    with ctx.write() as session:
        if cleaned:
            repo.set_setting(session, key=ORGANISATION_SETTING, value=cleaned)
        else:
            repo.delete_setting(session, key=ORGANISATION_SETTING)
    return cleaned


def org_pdf(ctx: AppContext, view: LeaderView, *, organisation: str | None = None) -> bytes:
    """The organisation report as PDF bytes (every number from scoring; a suppressed team carries none).

    ``organisation`` names the organisation on the report; by default the name set on the Leader page.
    """
    from reports.pdf import org_report_pdf

    return org_report_pdf(org_report(ctx, view, organisation=organisation))


def org_report(
    ctx: AppContext,
    view: LeaderView,
    *,
    organisation: str | None = None,
    generated_at: datetime | None = None,
) -> OrgReportContent:
    """What the organisation report says (``reports.content.org_report_content``), read from the database
    as little as it needs: see :func:`_org_report_view`. ``generated_at`` defaults to now."""
    from reports.content import ORG_DETAIL_TEAMS, org_report_content

    if view.questionnaire is None or view.empty:
        raise ServiceError("No team has answers in this selection yet.")
    view = _org_report_view(ctx, view)
    assert view.questionnaire is not None  # the same questionnaire as above
    return org_report_content(
        view.questionnaire,
        list(view.latest),
        # the plans are shown on the pages per team, which a report of more teams does not have
        None if len(view.latest) > ORG_DETAIL_TEAMS else _plans(ctx, view),
        pack=view.pack,
        generated_at=generated_at or datetime.now(UTC),
        rounds=list(view.rounds),
        organisation=organisation or organisation_name(ctx),
    )


def prepare_team_zip(view: LeaderView) -> int:
    """Start the renderers the ZIP of ``view``'s team reports would use, in the background, as the leader
    view opens: they import and warm up while the leader reads the page, so the ZIP does not wait for their
    start. None when the ZIP would be made in this process (too few teams, one core) or they are running
    already (a rerun of the page starts none). Returns how many were started."""
    if view.questionnaire is None or view.empty or not pdf_available():
        return 0
    from reports.pdf import warm_renderers

    return warm_renderers(len(view.latest))


def team_pdfs_zip(
    ctx: AppContext, view: LeaderView, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """One team report PDF per team of the selection, in a ZIP archive, rendered on every core.

    ``progress(done, total)`` is told as each report is added (the page shows it as a progress bar).
    """
    from reports.content import report_actions
    from reports.pdf import TeamReportJob, render_workers, team_reports_zip

    if view.questionnaire is None or view.empty:
        raise ServiceError("No team has answers in this selection yet.")
    view = with_full_results(ctx, view)
    plans = _plans(ctx, view)
    targets = team_targets_many(ctx, view.questionnaire, [result.team for result in view.latest])
    now = datetime.now(UTC)
    # each team's rounds and history, gathered once (not every team's searched for every team)
    rounds_of: dict[str, list[tuple[str, list[TeamResult]]]] = {}
    for label, results in view.rounds:
        for round_result in results:
            rounds_of.setdefault(round_result.team, []).append((label, [round_result]))
    history_of: dict[str, list[TeamRound]] = {}
    for entry in view.history:
        history_of.setdefault(entry.team, []).append(entry)
    # each report's content is built by the process that renders it (on every core), not here one by one
    jobs = []
    for result in view.latest:
        rounds = rounds_of.get(result.team, [])
        earlier = [e for e in history_of.get(result.team, []) if e.result is not result]
        previous = earlier[-1] if earlier else None
        options = {
            "pack": view.pack,
            "peer_comparisons": view.peers.get(result.team),
            "target_levels": targets[result.team].levels,
            "previous": previous.result if previous else None,
            "previous_label": previous.round if previous else None,
            "generated_at": now,
            "rounds": rounds,
        }
        plan = plans.get(result.team)
        if isinstance(plan, list):  # stored actions (database records) as the rows the report prints
            plan = report_actions(plan)
        jobs.append(TeamReportJob(result.team, view.questionnaire, result, plan, options))
    return team_reports_zip(jobs, workers=render_workers(), progress=progress)


def _or_dash(value: float | None) -> str:
    return "–" if value is None else f"{value}"


#: Columns of the leader view's targets table, one row per team.
TARGET_COLUMNS: tuple[str, ...] = (
    "team",
    "target",
    "below target",
    "index",
    "previous round",
    "index change",
)


def target_rows(ctx: AppContext, view: LeaderView) -> list[dict[str, Any]]:
    """Per team: whose target profile it is measured against, the dimensions still below it (score and the
    target's lowest score), and its index against its own previous round (published results only)."""
    if view.questionnaire is None:
        return []
    targets = team_targets_many(ctx, view.questionnaire, [result.team for result in view.latest])
    earlier: dict[str, TeamRound] = {}
    latest_of = {entry.team: entry for entry in view.history}
    for entry in view.history:  # oldest first: the last one before the latest is the previous round
        if entry is not latest_of[entry.team]:
            earlier[entry.team] = entry
    rows = []
    for result in view.latest:
        target = targets[result.team]
        below = [
            f"{dimension.name} {dimension.score:.1f} of {level_floor(target.levels[dimension.id]):.1f}"
            for dimension in result.dimensions
            if dimension.score is not None and target_gap(dimension.score, target.levels[dimension.id]) > 0
        ]
        previous = earlier.get(result.team)
        before = None if previous is None else previous.result.overall.index
        now = result.overall.index
        rows.append(
            {
                "team": result.team,
                "target": {
                    "team": "own",
                    "organisation": "organisation's",
                    "default": "default (4 everywhere)",
                }[target.source],
                "below target": "no numbers"
                if result.suppressed
                else "; ".join(below) or "none: every scored dimension reaches it",
                "index": now,
                "previous round": None
                if previous is None
                else f"{previous.round}: {before if before is not None else '–'}",
                "index change": None if now is None or before is None else round(now - before, 1),
            }
        )
    return rows


def team_plans(ctx: AppContext, view: LeaderView) -> dict[str, Any]:
    """Each team's plan (stored actions of its latest assessment, else the recommended plan)."""
    return _plans(ctx, view)


#: How a team without a stage reads in the stage filter.
NO_STAGE = "No stage"


def stage_label(result: TeamResult) -> str:
    """A team's stage as the stage filter shows it ("3 Defined", or "No stage")."""
    stage = standing.team_stage(result)
    return NO_STAGE if stage is None else f"{stage} {result.overall.stage_name or ''}".strip()


def blocker_label(result: TeamResult) -> str | None:
    """The layer that holds a team at its stage, by name (None without a stage)."""
    found = standing.blocker(result)
    return None if found is None else found.name


def standing_options(view: LeaderView) -> tuple[list[str], list[str]]:
    """The stages and blockers the view's teams have, for the filters (stages in order, blockers by name)."""
    stages = sorted(
        {stage_label(result) for result in view.latest}, key=lambda label: (label == NO_STAGE, label)
    )
    blockers = sorted({name for name in (blocker_label(result) for result in view.latest) if name})
    return stages, blockers


def filter_by_standing(
    view: LeaderView, *, stages: Sequence[str] = (), blockers: Sequence[str] = ()
) -> LeaderView:
    """The view restricted to teams at one of ``stages`` and held by one of ``blockers`` (empty: any).

    Only which teams are listed changes: every number is still the team's published result, and peer
    percentiles stay against all the teams of the unfiltered view.
    """
    if not stages and not blockers:
        return view
    kept = {
        result.team
        for result in view.latest
        if (not stages or stage_label(result) in stages)
        and (not blockers or blocker_label(result) in blockers)
    }
    latest = tuple(result for result in view.latest if result.team in kept)
    return replace(
        view,
        latest=latest,
        rounds=tuple(
            (label, tuple(result for result in results if result.team in kept))
            for label, results in view.rounds
        ),
        history=tuple(entry for entry in view.history if entry.team in kept),
        hotspots=tuple(hotspots(view.questionnaire, [view.item_flags[result.team] for result in latest]))
        if view.questionnaire is not None
        else (),
        assessment_ids=tuple(entry.assessment_id for entry in view.history if entry.team in kept),
        item_flags={team: flags for team, flags in view.item_flags.items() if team in kept},
    )
