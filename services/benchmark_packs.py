"""Benchmark packs an organisation can pool: export one from this installation's published results, import
one (validated against the questionnaire it claims), and the installed pack the comparisons use.

Packs hold measured data only. Export takes each team's latest *published* result (never live scores of
stored answers), per dimension only teams past their own k, and only dimensions with at least
``scoring.rules.PACK_MINIMUM_TEAMS`` such teams; no team is named. Import refuses a pack of another
questionnaire version, one whose items were worded differently, and rows built on fewer than 10 teams.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from questionnaires.schema import Questionnaire
from questionnaires.wording import dimension_wording_hash
from reports.packs import pack_csv, pack_from_csv_text
from scoring import BenchmarkPack, BenchmarkPackError
from scoring.benchmarks import build_pack, pack_mismatches
from services.context import AppContext
from services.publication import publish_stale, published_results
from storage import repository as repo

#: The settings key the imported pack is stored under (as its CSV text), so every app server sees it.
PACK_SETTING = "benchmark_pack"


@dataclass(frozen=True)
class PackExport:
    """An exported pack as CSV text, the pack, and why each dimension left out was left out."""

    csv_text: str
    pack: BenchmarkPack
    skipped: dict[str, str]


def _wording(questionnaire: Questionnaire) -> dict[str, str]:
    return {d.id: dimension_wording_hash(questionnaire, d.id) for d in questionnaire.dimensions}


def export_pack(
    ctx: AppContext, questionnaire: Questionnaire, *, source: str, include_demo: bool = False
) -> PackExport:
    """A pack from the latest published result of every team that answered ``questionnaire`` (same id and
    version); demo teams only with ``include_demo``."""
    latest: dict[int, int] = {}
    with ctx.read() as session:
        for assessment in repo.list_assessments(session, include_demo=include_demo):
            if (assessment.questionnaire_id, assessment.questionnaire_version) == (
                questionnaire.id,
                questionnaire.version,
            ):
                latest[assessment.team_id] = assessment.id  # oldest first: the last one wins
    publish_stale(ctx, list(latest.values()))
    results = list(published_results(ctx, list(latest.values())).values())
    pack, skipped = build_pack(
        results,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        wording=_wording(questionnaire),
        collected=datetime.now(UTC).date().isoformat(),
        source=source,
    )
    return PackExport(csv_text=pack_csv(pack), pack=pack, skipped=skipped)


def check_pack(text: str, questionnaire: Questionnaire, *, source_name: str) -> BenchmarkPack:
    """The pack in a CSV text if it can be compared with ``questionnaire``; ``BenchmarkPackError`` names the
    line and the reason of every problem (format, version, wording, too few teams)."""
    pack = pack_from_csv_text(text, source_name=source_name)
    problems = pack_mismatches(
        pack,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        wording=_wording(questionnaire),
    )
    if problems:
        raise BenchmarkPackError(source_name, problems)
    return pack


def import_pack(
    ctx: AppContext, text: str, questionnaire: Questionnaire, *, source_name: str
) -> BenchmarkPack:
    """Check a pack (``check_pack``) and install it for every team and leader view; replaces any earlier."""
    pack = check_pack(text, questionnaire, source_name=source_name)
    with ctx.write() as session:
        repo.set_setting(session, key=PACK_SETTING, value=f"{source_name}\n{text}")
    return pack


def installed_pack(ctx: AppContext, questionnaire: Questionnaire) -> BenchmarkPack | None:
    """The imported pack when there is one and it still fits ``questionnaire`` (same version and wording)."""
    with ctx.read() as session:
        stored = repo.get_setting(session, key=PACK_SETTING)
    if not stored:
        return None
    source_name, _, text = stored.partition("\n")
    try:
        return check_pack(text, questionnaire, source_name=source_name)
    except BenchmarkPackError:
        return None
