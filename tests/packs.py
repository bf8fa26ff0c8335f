"""A measured benchmark pack for tests (Layerwise ships none): 12 teams, made for the given questionnaire."""

from __future__ import annotations

from questionnaires.schema import Questionnaire
from questionnaires.wording import dimension_wording_hash
from scoring import BenchmarkPack
from scoring.models import BenchmarkRow

PERCENTILES = {"p10": 1.7, "p25": 2.4, "p50": 3.1, "p75": 3.8, "p90": 4.5}


def measured_pack(questionnaire: Questionnaire, n: int = 12) -> BenchmarkPack:
    """The same row on every dimension of ``questionnaire``: p10–p90 1.7, 2.4, 3.1, 3.8, 4.5 over ``n`` teams."""
    return BenchmarkPack(
        source_name="measured.csv",
        rows=[
            BenchmarkRow(
                dimension=dimension.id,
                n=n,
                source="Test organisation",
                collected="2026-10-01",
                label=f"Measured: {n} teams",
                questionnaire_id=questionnaire.id,
                questionnaire_version=questionnaire.version,
                wording=dimension_wording_hash(questionnaire, dimension.id),
                **PERCENTILES,
            )
            for dimension in questionnaire.dimensions
        ],
    )
