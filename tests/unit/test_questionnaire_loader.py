"""The questionnaire as validated data: the shipped one loads; malformed ones are rejected with a located message."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import cli
from questionnaires.loader import (
    MAX_NESTING,
    SHIPPED_DIR,
    QuestionnaireError,
    default_questionnaire,
    get_catalog,
    load_questionnaire,
)

SHIPPED = SHIPPED_DIR / "human-system-design"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped questionnaire."""
    target = tmp_path / "variant"
    shutil.copytree(SHIPPED, target)
    return target


def test_shipped_questionnaire_is_complete() -> None:
    questionnaire = default_questionnaire()
    assert questionnaire.id == "human-system-design"
    assert questionnaire.version == "1.1.0"
    assert [d.id for d in questionnaire.dimensions] == [
        "permission",
        "definition",
        "boundaries",
        "coaching",
        "capacity_governance",
    ]
    assert [d.layer for d in questionnaire.dimensions] == [1, 2, 3, 4, None]
    for dimension in questionnaire.dimensions:
        assert 6 <= len(dimension.items) <= 8
        assert len(dimension.pulse_items) == 2
        for item in dimension.items:
            assert item.id.startswith(f"{dimension.id}.")
            assert len(item.levels) == 5
            assert {item.recommendations.low.horizon_days, item.recommendations.mid.horizon_days} <= {
                30,
                60,
                90,
            }
    assert len(questionnaire.items_for("pulse")) == 10
    kpi_ids = {kpi.id for kpi in questionnaire.kpis}
    assert {
        "rework_rate",
        "meta_work_hours",
        "satisfaction",
        "task_time_reduction",
        "redeployed_share",
    } <= kpi_ids
    assert all(point.source for point in questionnaire.reference_points)


def test_wording_hash_changes_with_wording(copy: Path) -> None:
    before = load_questionnaire(copy).item("permission.one_page_guide").wording_hash
    file = copy / "permission.yaml"
    file.write_text(file.read_text().replace("There is no guidance.", "There is no guidance at all."))
    after = load_questionnaire(copy).item("permission.one_page_guide").wording_hash
    assert before != after
    assert len(before) == 16


def _replace(name: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        file = folder / name
        text = file.read_text()
        assert old in text, f"test setup: {old!r} not in {name}"
        file.write_text(text.replace(old, new, count))

    return mutate


def _drop_level(folder: Path) -> None:
    # The first item of definition.yaml loses its fifth level.
    file = folder / "definition.yaml"
    lines = file.read_text().splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "levels:")
    entries = [i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- ")][:5]
    end = next(i for i in range(entries[4] + 1, len(lines)) if not lines[i].startswith("        "))
    del lines[entries[4] : end]
    file.write_text("".join(lines))


def _delete_file(name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / name).unlink()

    return mutate


def _write(name: str, text: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / name).write_text(text)

    return mutate


MALFORMED = [
    pytest.param(
        _replace("permission.yaml", 'name: "Permission"', 'name: "Permission'),
        ["permission.yaml", "invalid YAML"],
        id="bad-yaml",
    ),
    pytest.param(
        _replace("boundaries.yaml", 'id: "boundaries.response_times"', 'id: "boundaries.use_norms"'),
        ["boundaries.yaml", "dimensions[2]", "boundaries.use_norms", "used twice"],
        id="duplicate-item-id",
    ),
    pytest.param(
        _drop_level, ["definition.yaml", "dimensions[1].items[0].levels", "at least 5"], id="four-levels"
    ),
    pytest.param(
        _replace("coaching.yaml", "    question:", "    questoin:"),
        ["coaching.yaml", "dimensions[3].items[0].questoin", "unknown key"],
        id="unknown-key",
    ),
    pytest.param(
        _replace("coaching.yaml", "      high:", "      top:"),
        ["coaching.yaml", "dimensions[3].items[0].recommendations.high", "missing"],
        id="missing-recommendation-band",
    ),
    pytest.param(
        lambda folder: (
            _replace("definition.yaml", "layer: 2", "layer: 3")(folder),
            _replace("boundaries.yaml", "layer: 3", "layer: 2")(folder),
        ),
        ["layer 1, 2, 3, 4", "definition", "boundaries"],
        id="wrong-layer-order",
    ),
    pytest.param(
        _replace("permission.yaml", 'name: "Permission"', "name: NO"),
        ["permission.yaml:4", "dimensions[0].name", "`NO` as the boolean false", "quotes"],
        id="silent-boolean",
    ),
    pytest.param(
        _replace("permission.yaml", "layer: 1\n", "layer: 1\nlayer: 1\n"),
        ["permission.yaml", "duplicate key 'layer'"],
        id="duplicate-key",
    ),
    pytest.param(
        _replace("permission.yaml", 'id: "permission"', 'id: &dim "permission"\nname_copy: *dim'),
        ["permission.yaml:3", "anchors"],
        id="anchor-alias",
    ),
    pytest.param(
        _replace("permission.yaml", 'name: "Permission"', "name: !!python/name:os.system ''"),
        ["permission.yaml", "tags"],
        id="custom-tag",
    ),
    pytest.param(
        _replace("permission.yaml", "    pulse: true\n", "    pulse: false\n", 2),
        ["permission.yaml", "exactly 2 items must have pulse: true (found 0)"],
        id="no-pulse-items",
    ),
    pytest.param(
        _replace("permission.yaml", "horizon_days: 30", "horizon_days: 45"),
        ["permission.yaml", "horizon_days", "30, 60 or 90"],
        id="bad-horizon",
    ),
    pytest.param(
        _replace("permission.yaml", 'id: "permission.one_page_guide"', 'id: "Permission One Page"'),
        ["dimensions[0].items[0].id", "pattern"],
        id="malformed-item-id",
    ),
    pytest.param(
        _replace(
            "permission.yaml", "requires: [permission.one_page_guide]", "requires: [permission.one_pager]"
        ),
        [
            "permission.yaml:105: dimensions[0].items[1].recommendations.mid.requires",
            "the action 'Add worked examples from real work' (permission.data_classification_examples) "
            "requires 'permission.one_pager', which is not an item of this questionnaire",
        ],
        id="requires-unknown-action",
    ),
    pytest.param(
        _replace(
            "permission.yaml",
            "        horizon_days: 30\n",
            "        horizon_days: 30\n        requires: [permission.quarterly_update]\n",
        ),
        [
            "permission.yaml:",
            "dimensions[0].items[6].recommendations.low.requires",
            "'Give the guide an owner and a review date' (permission.quarterly_update) is part of a cycle of "
            "requirements: permission.one_page_guide → permission.quarterly_update → permission.one_page_guide",
        ],
        id="requires-cycle",
    ),
    pytest.param(
        _replace(
            "coaching.yaml",
            "        horizon_days: 30\n",
            "        horizon_days: 30\n        requires: [coaching.judgment_one_to_ones]\n",
        ),
        [
            "coaching.yaml:",
            "'Put one judgment question into every 1:1' (coaching.judgment_one_to_ones)",
            "cycle",
        ],
        id="requires-itself",
    ),
    pytest.param(
        _delete_file("coaching.yaml"), ["coaching.yaml does not exist", "dimensions[3]"], id="missing-file"
    ),
    pytest.param(_write("extra.yaml", "id: extra\n"), ["extra.yaml", "not listed"], id="stray-file"),
    pytest.param(
        _write("questionnaire.yaml", "- just\n- a list\n"), ["must be a mapping"], id="not-a-mapping"
    ),
    pytest.param(
        _replace("questionnaire.yaml", "version: 1.1.0", "version: one"),
        ["questionnaire.yaml", "version"],
        id="bad-version",
    ),
    pytest.param(
        _write("coaching.yaml", "id: coaching\n" + "# padding\n" * 120_000),
        ["coaching.yaml", "at most 1,000,000 bytes"],
        id="file-too-large",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), MALFORMED)
def test_malformed_questionnaire_is_rejected_with_located_message(
    copy: Path, mutate: Callable[[Path], None], expected: list[str]
) -> None:
    mutate(copy)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(copy)
    message = str(caught.value)
    for fragment in expected:
        assert fragment in message, f"{fragment!r} not in:\n{message}"


def test_all_problems_of_a_file_are_collected(copy: Path) -> None:
    _replace("coaching.yaml", "    question:", "    questoin:", 3)(copy)
    _replace("permission.yaml", "horizon_days: 30", "horizon_days: 45")(copy)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(copy)
    paths = [problem.path for problem in caught.value.problems]
    assert sum("questoin" in path for path in paths) == 3
    assert any("horizon_days" in path for path in paths)
    assert all(problem.line for problem in caught.value.problems if "questoin" in problem.path)


def test_user_questionnaire_beside_shipped_one_is_listed(copy: Path, tmp_path: Path) -> None:
    _replace("questionnaire.yaml", "id: human-system-design", "id: acme-variant")(copy)
    broken = tmp_path / "broken"
    shutil.copytree(SHIPPED, broken)
    _replace("questionnaire.yaml", "version: 1.1.0", "version: 2.0.0")(broken)
    _drop_level(broken)
    catalog = get_catalog([tmp_path])
    assert catalog.ids() == ["acme-variant", "human-system-design"]
    assert len(catalog.errors) == 1
    assert "broken" in catalog.errors[0].folder


def test_cli_validate_ok_and_summary() -> None:
    result = CliRunner().invoke(cli.cli, ["validate"])
    assert result.exit_code == 0, result.output
    assert "human-system-design 1.1.0: 5 dimensions, 37 items, 10 pulse items" in result.output
    assert "human-system-design 1.0.0: 5 dimensions, 35 items, 10 pulse items" in result.output


def test_cli_validate_broken_folder_exits_2_with_errors_on_stderr(copy: Path) -> None:
    _drop_level(copy)
    result = CliRunner().invoke(cli.cli, ["validate", str(copy)])
    assert result.exit_code == 2
    assert "dimensions[1].items[0].levels" in result.stderr


def test_cli_show_json_and_schema() -> None:
    import json

    shown = CliRunner().invoke(cli.cli, ["show", "human-system-design", "--json"])
    assert shown.exit_code == 0
    data = json.loads(shown.output)
    assert data["dimensions"][0]["items"][0]["id"] == "permission.one_page_guide"
    schema = CliRunner().invoke(cli.cli, ["schema"])
    assert json.loads(schema.output)["additionalProperties"] is False
    unknown = CliRunner().invoke(cli.cli, ["show", "nope"])
    assert unknown.exit_code == 2
    assert "no valid questionnaire 'nope'" in unknown.stderr


# --- deeply nested files ------------------------------------------------------------------------------------

#: 5,000 nested lists (20 KB): composing it recursively would exhaust Python's stack.
DEEP_YAML = 'id: permission\nname: "Permission"\nsummary:\n  ' + "[" * 5000 + "]" * 5000 + "\n"


def test_a_file_nested_too_deep_is_refused_with_its_file_and_line(copy: Path) -> None:
    _write("permission.yaml", DEEP_YAML)(copy)
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire(copy)
    [problem] = [problem for problem in caught.value.problems if problem.file == "permission.yaml"]
    assert problem.line == 4
    assert f"nested more than {MAX_NESTING} levels deep" in problem.message


def test_cli_validate_and_list_name_the_too_deep_file_and_keep_the_valid_ones(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write("permission.yaml", DEEP_YAML)(copy)
    validated = CliRunner().invoke(cli.cli, ["validate", str(copy)])
    assert validated.exit_code == 2, validated.output
    assert "permission.yaml:4" in validated.stderr and "nested more than" in validated.stderr
    assert not isinstance(validated.exception, RecursionError)

    valid = tmp_path / "extra" / "acme"
    shutil.copytree(SHIPPED, valid)
    _replace("questionnaire.yaml", "id: human-system-design", "id: acme-variant")(valid)
    shutil.move(copy, tmp_path / "extra" / "deep")
    monkeypatch.setenv("LAYERWISE_QUESTIONNAIRE_DIRS", str(tmp_path / "extra"))
    catalog = get_catalog()
    assert catalog.ids() == ["acme-variant", "human-system-design"]
    assert [error.folder.endswith("deep") for error in catalog.errors] == [True]
    listed = CliRunner().invoke(cli.cli, ["list"])
    assert "acme-variant" in listed.output and "human-system-design" in listed.output
    assert "deep" in listed.output + listed.stderr


# --- version 1.1.0 ----------------------------------------------------------------------------------------

REACHABLE_OWNERS = {
    "Team lead",
    "Line manager",
    "AI champion",
    "Process owner",
    "Quality lead",
    "Service manager",
}
PREVIOUS = SHIPPED.parent / "human-system-design-1.0.0"


def test_version_1_1_0_ships_and_1_0_0_stays_loadable_for_existing_assessments() -> None:
    catalog = get_catalog([])
    assert catalog.latest("human-system-design").version == "1.1.0"
    previous = catalog.get("human-system-design", "1.0.0")
    current = catalog.get("human-system-design", "1.1.0")
    old_ids = {item.id for item in previous.items_for("full")}
    new_ids = {item.id for item in current.items_for("full")}
    # ids stay; the near-duplicates keep one id each, and new content gets new ids
    assert old_ids - new_ids == {"definition.target_setting", "capacity_governance.meta_work_netted"}
    assert new_ids - old_ids == {
        "definition.ai_failure_escalation",
        "boundaries.human_judgment_cases",
        "coaching.frontline_feedback",
        "capacity_governance.growing_demand",
    }
    reworded = {
        "permission.safe_to_experiment",
        "permission.disclosure_norms",
        "coaching.manager_competence",
        "coaching.performance_reviews_value",
        "boundaries.after_hours_limits",
        "definition.sustainable_output_targets",
    }
    for item_id in reworded:  # a changed wording hash is what marks answers given to other words
        assert previous.item(item_id).wording_hash != current.item(item_id).wording_hash, item_id


def test_the_reviewed_items_ask_one_thing_a_team_member_can_see() -> None:
    current = default_questionnaire()
    assert " and to report " not in current.item("permission.safe_to_experiment").question
    assert "career paths" not in current.item("coaching.performance_reviews_value").question
    assert "and at coaching" not in current.item("coaching.manager_competence").question
    assert ", or has faster work" not in current.item("boundaries.after_hours_limits").question
    for item in current.items_for("full"):
        for level in item.levels:
            assert "most managers" not in level.lower(), item.id
            assert "staff surveys" not in level.lower(), item.id


def test_every_action_has_an_owner_the_team_can_reach_unless_it_is_an_escalation() -> None:
    for item in default_questionnaire().items_for("full"):
        for band in ("low", "mid", "high"):
            recommendation = getattr(item.recommendations, band)
            assert recommendation.owner in REACHABLE_OWNERS, (item.id, band, recommendation.owner)
    escalations = [
        recommendation.title
        for item in default_questionnaire().items_for("full")
        for recommendation in (item.recommendations.low, item.recommendations.mid, item.recommendations.high)
        if recommendation.title.startswith("Escalate to ")
    ]
    assert "Escalate to the HR business partner: rewrite career paths for AI-assisted work" in escalations


def test_the_1_0_0_folder_is_the_questionnaire_as_it_shipped() -> None:
    previous = load_questionnaire(PREVIOUS)
    assert previous.version == "1.0.0"
    assert len(previous.items_for("full")) == 35
