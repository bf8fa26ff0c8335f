"""Scoring: pure functions from answers to results (no I/O, no Streamlit, no SQL).

Pages, the CLI and the PDF all get their numbers from here. The rules live in ``scoring.rules`` (one named
function or constant each, with the rule in its docstring; ``RULES`` lists them for people); the results are
the frozen pydantic models in ``scoring.models``.
"""

from scoring.actions import build_action_plan
from scoring.aggregate import respondent_view, score_team, score_teams
from scoring.anonymity import visible_comments, visible_segments
from scoring.benchmarks import BenchmarkPackError, pack_percentiles, parse_benchmark_pack, peer_percentiles
from scoring.capacity import CapacityInputError, capacity_ledger
from scoring.models import (
    Action,
    ActionPlan,
    BenchmarkComparison,
    BenchmarkPack,
    BenchmarkRow,
    CapacityLedger,
    DimensionResult,
    Finding,
    ItemResult,
    Overall,
    PerceptionGap,
    RespondentAnswers,
    RespondentView,
    SegmentResult,
    TeamResponses,
    TeamResult,
)
from scoring.responses import ResponseDataError, responses_from_rows, rows_from_responses
from scoring.rules import (
    RULES,
    band_of,
    comments_visible,
    consensus_label,
    effective_k,
    gate_levels,
    is_suppressed,
    level_of,
    overall_index,
    segment_visible,
)

__all__ = [
    "RULES",
    "Action",
    "ActionPlan",
    "BenchmarkComparison",
    "BenchmarkPack",
    "BenchmarkPackError",
    "BenchmarkRow",
    "CapacityInputError",
    "CapacityLedger",
    "DimensionResult",
    "Finding",
    "ItemResult",
    "Overall",
    "PerceptionGap",
    "RespondentAnswers",
    "RespondentView",
    "ResponseDataError",
    "SegmentResult",
    "TeamResponses",
    "TeamResult",
    "band_of",
    "build_action_plan",
    "capacity_ledger",
    "comments_visible",
    "consensus_label",
    "effective_k",
    "gate_levels",
    "is_suppressed",
    "level_of",
    "overall_index",
    "pack_percentiles",
    "parse_benchmark_pack",
    "peer_percentiles",
    "respondent_view",
    "responses_from_rows",
    "rows_from_responses",
    "score_team",
    "score_teams",
    "segment_visible",
    "visible_comments",
    "visible_segments",
]
