"""Together the built-in cases teach every strategy rule: some verdict cites each one, and docs/cases.md says which."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.game import Game, play_policy
from sim.game.runner import run_batch
from sim.rules import RULE_IDS
from sim.scenario import load
from sim.scenario.builtin import BUILTIN_IDS

SEEDS = range(1, 21)
CASES_DOC = Path(__file__).resolve().parents[1] / "docs" / "cases.md"


@pytest.fixture(scope="module")
def cited() -> dict[str, set[str]]:
    """Rule ids cited by any verdict, per case, over the expert's and the random player's games."""
    out = {}
    for case_id in BUILTIN_IDS:
        case, _ = load(case_id)
        rules: set[str] = set()
        for policy in ("expert", "random"):
            for row in run_batch(case, SEEDS, policy).rules_cited:
                rules |= row
        out[case_id] = rules
    return out


def test_every_rule_is_cited_somewhere(cited):
    union = set().union(*cited.values())
    assert union <= set(RULE_IDS)
    missing = [rule for rule in RULE_IDS if rule not in union]
    assert not missing, f"no built-in case cites: {', '.join(missing)}"


@pytest.mark.parametrize("case_id", BUILTIN_IDS)
def test_each_case_cites_what_it_teaches(cited, case_id):
    case, _ = load(case_id)
    untaught = [rule for rule in case.teaches if rule not in cited[case_id]]
    assert not untaught, f"{case_id} claims to teach {untaught} but no verdict in it cites them"


def test_the_rules_together_are_taught_by_the_case_files():
    taught = {rule for case_id in BUILTIN_IDS for rule in load(case_id)[0].teaches}
    assert taught == set(RULE_IDS)


@pytest.mark.parametrize("case_id", BUILTIN_IDS)
@pytest.mark.parametrize("policy", ["expert", "random"])
def test_every_verdict_explains_itself(case_id, policy):
    case, digest = load(case_id)
    game = play_policy(Game(case, digest, 4), policy)
    for turn in game.turns:
        assert turn.rule in RULE_IDS
        assert turn.explanation.strip(), f"{case_id}: '{turn.choice}' got a verdict without an explanation"
        assert "{" not in turn.explanation  # no template left unfilled


def _documented() -> dict[str, list[str]]:
    """Case id -> the rule ids listed under its heading in docs/cases.md."""
    text = CASES_DOC.read_text(encoding="utf-8")
    out = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        heading = re.search(r"\(`([a-z0-9-]+)`\)", section.splitlines()[0])
        if heading is None:  # a section about rules, not about one case
            continue
        line = next((line for line in section.splitlines() if line.startswith("Rules:")), "")
        out[heading.group(1)] = re.findall(r"`([a-z-]+)`", line)
    return out


def test_docs_list_each_case_and_its_rules():
    documented = _documented()
    assert set(documented) == set(BUILTIN_IDS)
    for case_id, rules in documented.items():
        assert rules == list(load(case_id)[0].teaches), f"docs/cases.md is out of date for {case_id}"
