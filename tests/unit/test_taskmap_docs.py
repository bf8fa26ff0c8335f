"""The task map's worked example in README.md: the activities table is read back, turned into a task map,
and every number of the per-role table and the ledger sentence is recomputed with scoring/taskmap.py."""

from __future__ import annotations

import re
from pathlib import Path

from questionnaires.loader import taskmap_templates
from scoring.taskmap import ledger_from_task_map, parse_task_map, task_map_totals
from tests.unit.test_scoring_docs import block, table

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
DECISIONS = {"AI freely": "ai_freely", "AI with review": "ai_with_review"}
REASONS = {
    "client trust": "client_trust",
    "data class": "data_class",
    "judgment": "judgment",
    "regulation": "regulation",
}
#: The redeployments the example's sentence names (role, destination, hours per person).
REDEPLOYED = [
    ("Agent", "Problem management (root causes)", 2),
    ("Agent", "Learning", 1),
    ("Knowledge manager", "Quality: article reviews", 4),
    ("Team lead", "Coaching 1:1s", 2),
]


def readme_task_map():  # type: ignore[no-untyped-def]
    roles: dict[str, int] = {}
    activities = []
    for role_cell, name, hours, decision, reduction, review in table(block(README, "taskmap-activities")):
        role, people = re.fullmatch(r"(.+) \((\d+)\)", role_cell).groups()  # type: ignore[union-attr]
        roles[role] = int(people)
        row: dict[str, object] = {"role": role, "name": name, "hours_per_week": float(hours)}
        human = re.fullmatch(r"human only \((.+)\)", decision)
        if human:
            row |= {"decision": "human_only", "reason": REASONS[human.group(1)]}
        else:
            row |= {"decision": DECISIONS[decision], "reduction_pct": float(reduction.rstrip(" %"))}
        if per_occurrence := re.fullmatch(r"(\d+) min × (\d+)", review):
            row |= {
                "review_minutes": float(per_occurrence[1]),
                "occurrences_per_week": float(per_occurrence[2]),
            }
        elif review:
            row["review_hours_per_week"] = float(review.rstrip(" h"))
        activities.append(row)
    return parse_task_map(
        {
            "roles": [{"name": name, "people": people} for name, people in roles.items()],
            "activities": activities,
            "redeployments": [
                {"role": role, "destination": destination, "hours_per_week": hours}
                for role, destination, hours in REDEPLOYED
            ],
        }
    )


def test_the_readme_example_is_the_service_desk_template() -> None:
    shipped = next(t for t in taskmap_templates() if t.id == "service-desk").task_map
    assert readme_task_map() == shipped
    assert sum(role.people for role in shipped.roles) == 8


def _number(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def test_the_per_role_table_is_what_the_task_map_gives() -> None:
    totals = task_map_totals(readme_task_map())
    fields = (
        "ai_hours_now",
        "ai_hours_before",
        "freed_hours",
        "review_hours",
        "net_hours",
        "redeployed_hours",
        "absorbed_hours",
    )
    computed = [[row.role, *(_number(row.team(field)) for field in fields)] for row in totals.roles]
    assert table(block(README, "taskmap-roles")) == computed


def test_the_ledger_sentence_is_what_the_task_map_gives() -> None:
    ledger = ledger_from_task_map(readme_task_map())
    assert ledger is not None
    quoted = block(README, "taskmap-ledger")[0].strip().strip('"')
    assert quoted == ledger.summary
