"""The organisation structure file: every problem named with its line, and a round trip."""

from __future__ import annotations

import pytest

from reports.org_structure import OrgStructureError, parse_org_csv, write_org_csv

GOOD = """unit,parent_unit,team
Operations,,
Claims,Operations,Claims A
Claims,Operations,Claims B
Service desk,Operations,Desk
Finance,,Ledger
"""


def test_a_structure_reads_with_parents_and_teams() -> None:
    structure = parse_org_csv(GOOD)
    assert structure.parents == {
        "Operations": None,
        "Claims": "Operations",
        "Service desk": "Operations",
        "Finance": None,
    }
    assert structure.team_units == {
        "Claims A": "Claims",
        "Claims B": "Claims",
        "Desk": "Service desk",
        "Ledger": "Finance",
    }
    assert structure.children(None) == ["Finance", "Operations"]
    assert structure.children("Operations") == ["Claims", "Service desk"]


def test_a_parent_never_listed_becomes_a_top_level_unit() -> None:
    structure = parse_org_csv("unit,parent_unit,team\nClaims,Operations,A\n")
    assert structure.parents == {"Claims": "Operations", "Operations": None}


def test_the_structure_round_trips_through_its_csv() -> None:
    structure = parse_org_csv(GOOD + "=Formula unit,,=SUM(A1)\n")
    again = parse_org_csv(write_org_csv(structure).decode("utf-8"))
    assert again == structure


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("unit,team\nA,B\n", "line 1: expected the header unit,parent_unit,team"),
        ("unit,parent_unit,team\n,X,T\n", "line 2: unit is empty"),
        ("unit,parent_unit,team\nA,B\n", "line 2: expected 3 fields"),
        ("unit,parent_unit,team\nA,,\nA,B,\n", "line 3: unit 'A' has parent 'B' here but '(none)' on line 2"),
        ("unit,parent_unit,team\nA,B,\nB,A,\n", "units form a cycle: A → B → A"),
        ("unit,parent_unit,team\nA,A,\n", "line 2: unit 'A' cannot be its own parent"),
        (
            "unit,parent_unit,team\nA,,T\nB,,T\n",
            "line 3: team 'T' is put in unit 'B' here but in 'A' on line 2",
        ),
        ("unit,parent_unit,team\n" + "U" * 201 + ",,\n", "line 2: unit is 201 characters long; at most 200"),
    ],
)
def test_every_problem_is_named_with_its_line(text: str, message: str) -> None:
    with pytest.raises(OrgStructureError) as caught:
        parse_org_csv(text)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems
