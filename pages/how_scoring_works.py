"""How scoring works: every rule, in the words of ``scoring.rules`` (the code that applies them).

The sentences come straight from the rule functions' docstrings, so this page cannot drift from what the
app computes; the gating example is computed by the gating rule itself.
"""

from __future__ import annotations

import streamlit as st

import ui
from questionnaires.loader import DEFAULT_QUESTIONNAIRE_ID
from services import assessment as journey

#: How the rules are grouped for reading; a rule not named here still appears, under "More rules".
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("From answers to levels", ("Respondent score", "Team score", "Levels", "Overall index")),
    ("Layers build on each other", ("Gating", "Stage", "Blocker")),
    ("Agreement and blind spots", ("Spread", "Consensus", "Perception gap", "Don't know")),
    ("Anonymity", ("Anonymity threshold", "Suppression", "Segments", "Publication", "Comments")),
    ("Benchmarks", ("Peer benchmarks", "Peer percentile", "Benchmark packs")),
    (
        "Capacity and the action plan",
        ("Capacity ledger", "Full-time equivalents", "Recommendation bands", "Action plan"),
    ),
)

questionnaire = ui.questionnaire(DEFAULT_QUESTIONNAIRE_ID)
rules = dict(journey.scoring_rules())

st.title("How scoring works")
st.markdown(
    "Every item has five described situations, from 1 (ad hoc) to 5 (embedded); you pick the one that fits. "
    '"Don\'t know" is an answer too: it is not a level and never counts as one, but many of them are a '
    "finding in themselves. These are all the rules Layerwise applies, word for word from the code."
)
st.caption(
    "Levels: " + " · ".join(f"{level.value} {ui.plain(level.name)}" for level in questionnaire.scale.levels)
)

shown: set[str] = set()
for heading, names in SECTIONS:
    st.subheader(heading)
    for name in names:
        if name in rules:
            st.markdown(f"**{name}.** {rules[name]}")
            shown.add(name)
        if name == "Capacity ledger":
            st.markdown(
                "For example, 20 h a week now at 30 % less than before, 2 h of meta-work, 25 % redeployed, "
                f"8 people: {journey.ledger_example()}"
            )
    if heading == "Layers build on each other":
        example = journey.gating_example(questionnaire)
        lines = [
            f"- {ui.plain(name)}: own level {own}"
            + (f", counts as {gated}" if gated != own else ", counts as is")
            for name, own, gated in example
        ]
        st.markdown("For example:\n" + "\n".join(lines))
        st.caption(
            "A strong layer on a weak foundation is held down: the plan then fixes the foundation first."
        )
    if heading == "Anonymity":
        st.markdown(
            "For example, with k = 3: three people answer and the team's result is published. A fourth "
            "answers: nothing anyone else sees changes, so nobody can subtract the two views to get the "
            "fourth person's answers. Once two more have answered, all three newcomers (and any changed "
            "answers) are published together. Your own answers and scores are always shown to you at once."
        )
rest = [name for name in rules if name not in shown]
if rest:
    st.subheader("More rules")
    for name in rest:
        st.markdown(f"**{name}.** {rules[name]}")
