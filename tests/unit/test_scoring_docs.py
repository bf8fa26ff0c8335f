"""The worked example of "How scoring works": every number in it is recomputed with scoring/.

The section lives in README.md. The answers and results are read from the Markdown tables themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from scoring import build_action_plan, capacity_ledger, score_team
from scoring.models import TeamResult
from scoring.rules import target_gap
from tests.unit.scoring_support import make_questionnaire, make_team

ROOT = Path(__file__).resolve().parents[2]
HEADING = "## How scoring works"
Q = make_questionnaire()
NAMES = {dimension.name: dimension.id for dimension in Q.dimensions}


def documents() -> list[Path]:
    readme = ROOT / "README.md"
    assert HEADING in readme.read_text(encoding="utf-8"), "README.md lost its 'How scoring works' section"
    return [readme]


def block(text: str, marker: str) -> list[str]:
    """The lines after ``<!-- worked-example:<marker> -->`` up to the next blank line."""
    start = text.index(f"<!-- worked-example:{marker} -->")
    lines = []
    for line in text[start:].splitlines()[1:]:
        if not line.strip():
            break
        lines.append(line)
    return lines


def table(lines: list[str]) -> list[list[str]]:
    """The body rows of a Markdown table, as lists of stripped cells."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    return rows[2:]


def worked_example(text: str) -> TeamResult:
    answer_sets = []
    header = [cell.strip() for cell in block(text, "answers")[0].strip().strip("|").split("|")]
    for cells in table(block(text, "answers")):
        answers: dict[str, int | None] = {}
        for name, cell in zip(header[2:], cells[2:], strict=True):
            dimension_id = NAMES[name]
            for index, value in enumerate(cell.split(), start=1):
                answers[f"{dimension_id}.item{index}"] = None if value == "?" else int(value)
        answer_sets.append((cells[1], answers))
    return score_team(Q, make_team(Q, answer_sets, k=3))


@pytest.fixture(params=documents(), ids=lambda path: path.name)
def text(request: pytest.FixtureRequest) -> str:
    return request.param.read_text(encoding="utf-8")


def test_results_table_matches_scoring(text: str) -> None:
    result = worked_example(text)
    rows = table(block(text, "results"))
    assert [row[0] for row in rows] == [dimension.name for dimension in result.dimensions]
    for row, dimension in zip(rows, result.dimensions, strict=True):
        respondents, score, level, gated, capped_by, spread, consensus, dont_know = row[1:]
        assert int(respondents) == dimension.respondents, row
        assert float(score) == dimension.score, row
        assert level == f"{dimension.level} {dimension.level_name}", row
        assert int(gated) == dimension.gated_level, row
        expected_cap = "—" if dimension.capped_by is None else Q.dimension(dimension.capped_by).name
        assert capped_by.split(" (")[0] == expected_cap, row
        assert float(spread) == dimension.std, row
        assert consensus == dimension.consensus, row
        assert dimension.dont_know_rate is not None
        assert dont_know == f"{dimension.dont_know_rate * 100:.0f} %", row


def test_cap_sentences_are_the_results_explanations(text: str) -> None:
    result = worked_example(text)
    quoted = re.findall(r'"([^"]+)"', " ".join(block(text, "caps")))
    explanations = [d.cap_explanation for d in result.dimensions if d.cap_explanation]
    assert quoted == explanations


def test_overall_index_and_stage(text: str) -> None:
    result = worked_example(text)
    index_line, stage_line = block(text, "overall")
    assert float(re.findall(r"\*\*([\d.]+)\*\*", index_line)[-1]) == result.overall.index
    assert re.findall(r"\*\*(\d) \(([^)]+)\)\*\*", stage_line) == [
        (str(result.overall.stage), result.overall.stage_name)
    ]
    scores = re.search(r"\(\(([^)]*)\)", index_line)
    assert scores is not None
    assert [float(s) for s in scores.group(1).split(" + ")] == [d.score for d in result.dimensions]


def test_findings_gap_and_comments(text: str) -> None:
    result = worked_example(text)
    [dont_know] = [f for f in result.findings if f.kind == "dont_know"]
    assert dont_know.message.replace("\\", "") in " ".join(text.split())
    assert all(gap.suppressed for gap in result.gaps)
    assert not [f for f in result.findings if f.kind == "perception_gap"]
    assert result.respondents == 4 and "4 respondents are fewer than max(3, 5)" in text


def test_benchmark_against_the_target_profile(text: str) -> None:
    result = worked_example(text)
    permission = result.dimensions[0]
    assert f"Permission {permission.score:.2f} is **{target_gap(permission.score):g}** short" in " ".join(
        text.split()
    )


def test_top_actions(text: str) -> None:
    plan = build_action_plan(Q, worked_example(text))
    documented = [re.match(r"\d+\. ([\w ]+?) item (\d)", line) for line in block(text, "actions")]
    assert all(documented)
    expected = [
        (Q.dimension(action.dimension_id).name, action.item_id.rsplit("item", 1)[1])
        for action in plan.top_actions
    ]
    assert [(m.group(1), m.group(2)) for m in documented if m] == expected


def test_ledger_example(text: str) -> None:
    ledger = capacity_ledger(20, 30, 2, 25, team_size=8)
    assert block(text, "ledger") == [f'"{ledger.summary}"']
    assert "took 28.6 h before (30 % less, gross): AI frees 8.6 h" in ledger.summary
