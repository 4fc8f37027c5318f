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
CITATION_SEEDS = range(300)  # some rules come up only on some seeds (error below human level, a big category)
CASES_DOC = Path(__file__).resolve().parents[1] / "docs" / "cases.md"


@pytest.fixture(scope="module")
def cited() -> dict[str, set[str]]:
    """Rule ids cited by any verdict, per case, over the expert's and the random player's games."""
    out = {}
    for case_id in BUILTIN_IDS:
        case, _ = load(case_id)
        rules: set[str] = set()
        for policy in ("expert", "random"):
            for row in run_batch(case, CITATION_SEEDS, policy).rules_cited:
                rules |= row
        out[case_id] = rules
    return out


def uncited(cited: dict[str, set[str]]) -> list[str]:
    """The rules no case cites, in the glossary's order."""
    union = set().union(*cited.values())
    return [rule for rule in RULE_IDS if rule not in union]


def test_every_rule_is_cited_somewhere(cited):
    missing = uncited(cited)
    assert not missing, f"no built-in case cites: {', '.join(missing)}"


def test_a_rule_no_case_cites_is_reported(cited):
    dropped = RULE_IDS[len(RULE_IDS) // 2]
    assert uncited({case_id: rules - {dropped} for case_id, rules in cited.items()}) == [dropped]


@pytest.mark.parametrize("case_id", BUILTIN_IDS)
def test_the_batch_records_the_rules_its_games_cite(case_id):
    """`cited` comes from the batch runner: its rules are exactly those the same games' verdicts cite one by one
    (the runner can only record known rule ids, so this, not a subset check, is what can go wrong)."""
    case, digest = load(case_id)
    for policy in ("expert", "random"):
        batch = run_batch(case, SEEDS[:3], policy).rules_cited
        for seed, recorded in zip(SEEDS[:3], batch):
            game = play_policy(Game(case, digest, seed), policy)
            assert recorded == {turn.rule for turn in game.turns}, f"{case_id} {policy} seed {seed}"


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
    assert game.turns
    for turn in game.turns:  # (turn.rule is a known id by construction: clauses and options are checked on load)
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
