"""What a trainer's case can say, played: surprise weeks, ladder-triggered and branching decisions, texts that
quote the screen, the case's own action names and menu, a system as the Bayes proxy, events that change facts,
truth and shares, and satisficing metrics of the case's own (issue 13's schema)."""

from __future__ import annotations

import copy
import re

import numpy as np
import pytest
import yaml

from sim.coach.situation import Situation
from sim.game.choices import ChoiceError
from sim.game.engine import Engine
from sim import fmt
from sim.game.game import Game, play_policy
from sim.scenario import builtin
from sim.scenario.errors import CaseError
from sim.scenario.loader import load_case_bytes

SEEDS = range(40)


def load(name: str):
    return builtin.load(name)


def variant(name: str, change) -> tuple:
    """A built-in case with `change(raw_dict)` applied, loaded through the one loader."""
    raw = yaml.safe_load(builtin.find_case(name).read_text())
    raw["id"] = f"{name}-variant"  # a changed copy of a built-in needs an id of its own
    change(raw)
    text = yaml.safe_dump(raw, sort_keys=False).encode()
    return load_case_bytes(text, f"{name}-variant.yaml"), "variant"


def answer_aligned(game: Game) -> None:
    """Answer every pending decision with its first aligned option."""
    while game.pending_decision is not None:
        option = next(o for o in game.pending_decision.options if o.verdict == "aligned")
        game.choose(f"answer {option.id}")


def play_to_end(game: Game, policy: str = "expert") -> None:
    play_policy(game, policy)


def numbers_in(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


# ---- seeded surprise events ---------------------------------------------------------------------------------
def test_a_surprise_event_week_is_drawn_per_seed_inside_its_range_and_fixed_by_the_seed():
    case, digest = load("chest-xray")
    event = next(e for e in case.events if e.id == "night-shift")
    weeks = [Game(case, digest, seed).event_week(event) for seed in SEEDS]
    low, high = event.week.between
    assert all(low <= w <= high for w in weeks)
    assert len(set(np.round(weeks, 6))) > len(weeks) // 2  # seeds differ
    assert weeks == [Game(case, digest, seed).event_week(event) for seed in SEEDS]  # a seed replays


# ---- decisions that wait for the ladder or for an answer -----------------------------------------------------
def test_a_decision_waiting_for_a_ladder_condition_comes_exactly_when_the_visible_ladder_meets_it():
    case, digest = load("chest-xray")
    seen = []

    def look(game: Game) -> None:
        pending = game.pending_decision
        if pending is not None and pending.id == "mismatch" and (not seen or seen[-1][0] is not game):
            rungs = game.ladder()
            assert rungs["dev"] is not None and rungs["train_dev"] is not None
            assert rungs["dev"] - rungs["train_dev"] > 1
            prompt = game.text(pending.prompt)  # quotes exactly the rungs on screen
            assert "{" not in prompt and fmt.error(rungs["dev"]) in prompt and fmt.error(rungs["train_dev"]) in prompt
            seen.append((game, game.week))

    for seed in range(12):
        play_policy(Game(case, digest, seed), "expert", on_turn=look)
    assert seen


def _branching(raw):
    raw["decisions"].append({
        "id": "follow-up", "when": {"after_answer": {"decision": "split", "option": "b"}},
        "prompt": "You shuffled everything. Dev now reads {dev}%. Rebuild the sets?",
        "options": [
            {"id": "a", "text": "Rebuild dev/test from St. Bart's films.", "verdict": "aligned",
             "rule": "put-target-data-in-dev-test", "why": "Aim at the users' films."},
            {"id": "b", "text": "Keep the shuffle.", "verdict": "misaligned",
             "rule": "put-target-data-in-dev-test", "why": "Still aimed at other hospitals."}]})


def test_a_branch_opens_after_its_answer_and_never_after_another():
    case, digest = variant("chest-xray", _branching)
    for answer, opens in (("b", True), ("a", False)):
        game = Game(case, digest, 3)
        game.choose(f"answer {answer}")
        pending = game.pending_decision
        assert (pending is not None and pending.id == "follow-up") == opens, answer


def test_a_branch_naming_an_unknown_option_is_refused_with_its_place():
    def bad(raw):
        _branching(raw)
        raw["decisions"][-1]["when"]["after_answer"]["option"] = "z"
    with pytest.raises(CaseError) as caught:
        variant("chest-xray", bad)
    message = str(caught.value)
    assert re.search(r":\d+:\d+", message) and "'z'" in message


# ---- texts with the game's numbers --------------------------------------------------------------------------
def test_templates_quote_what_the_screen_shows_and_the_briefing_only_fixed_facts():
    case, digest = load("card-fraud")
    game = Game(case, digest, 5)
    briefing = game.text(case.briefing)
    assert "{" not in briefing and "1" in briefing  # {start.false_declines} became the first model's figure
    while not game.finished and game.pending_decision is not None:
        answer_aligned(game)
    game.choose("carve_train_dev")
    dev = game.ladder()["dev"]
    bots = next(e for e in case.events if e.id == "bots")
    text = game.text(bots.text)
    assert fmt.error(dev) in text


def test_a_briefing_quoting_a_live_number_is_refused_with_its_place():
    def bad(raw):
        raw["briefing"] += "\nDev error starts at {dev}%.\n"
    with pytest.raises(CaseError) as caught:
        variant("card-fraud", bad)
    assert "{dev}" in str(caught.value) and re.search(r":\d+:\d+", str(caught.value))


# ---- the case's own words, and a menu that changes ------------------------------------------------------------
def test_actions_carry_the_case_labels_and_a_held_back_action_arrives_with_its_event():
    case, digest = load("card-fraud")
    game = Game(case, digest, 2)
    menu = {a.id: a for a in game.actions()}
    assert menu["collect_target_data"].name == "Label this month's payments"
    assert "chargebacks" in menu["collect_target_data"].summary
    assert "multi_task_learning" not in menu
    with pytest.raises(ChoiceError):
        game.choose("multi_task_learning")
    disputes = next(e for e in case.events if e.id == "disputes")
    while game.week < game.event_week(disputes) and not game.finished:
        game.choose("answer b" if game.pending_decision is not None else "carve_train_dev"
                    if game.ladder()["train_dev"] is None else "train_longer")
    assert "multi_task_learning" in {a.id for a in game.actions()}


def test_random_and_anti_players_choose_only_from_the_menu():
    case, digest = load("card-fraud")
    for policy in ("random", "anti-rule"):
        for seed in range(8):
            game = Game(case, digest, seed)
            menus = [{a.id for a in game.actions()}]
            play_policy(game, policy, on_turn=lambda g: menus.append({a.id for a in g.actions()}))
            for menu, choice in zip(menus, game.choices):
                if not choice.startswith("answer"):
                    assert choice.split()[0] in menu, (policy, seed, choice)


def test_a_withdrawn_action_leaves_the_menu():
    def withdraw(raw):
        raw["events"][0]["withdraw"] = ["early_stopping"]
    case, digest = variant("card-fraud", withdraw)
    engine = Engine(case, [1])
    event = case.events[0]
    assert engine.offered[0, __import__("sim.model", fromlist=["ACTION_INDEX"]).ACTION_INDEX["early_stopping"]]
    game = Game(case, digest, 1)
    while game.week < game.event_week(event) and not game.finished:
        game.choose("answer b" if game.pending_decision is not None else "train_longer")
    assert "early_stopping" not in {a.id for a in game.actions()}
    assert "ship" in {a.id for a in game.actions()}


# ---- a system as the proxy for Bayes error ---------------------------------------------------------------------
def test_a_system_proxy_is_named_as_a_system_and_bias_is_judged_against_it():
    case, digest = load("card-fraud")
    game = Game(case, digest, 4)
    answer_aligned(game)
    turn = game.choose("bigger_network")
    assert turn.rule == "avoidable-bias" and turn.verdict == "aligned"  # not locked: bias is read against the ensemble
    assert game.ladder()["human"] == pytest.approx(1.1)


# ---- events that change what the coach knows, the truth and the shares ---------------------------------------
def test_an_event_tells_the_coach_about_multitask_from_its_week_only():
    case, digest = load("card-fraud")
    engine = Engine(case, [0, 1])
    before = Situation(engine.visible(), case).multitask_holds
    assert not before.any()
    engine.fired[:, [e.id for e in case.events].index("disputes")] = True
    engine._views = {}
    assert Situation(engine.visible(), case).multitask_holds.all()


def test_new_shares_reach_the_truth_at_the_next_training_run_and_the_team_table_at_once():
    case, digest = load("card-fraud")
    k = [c.id for c in case.categories].index("card-testing")
    game = Game(case, digest, 7)
    bots = next(e for e in case.events if e.id == "bots")
    answer_aligned(game)
    game.choose("carve_train_dev")
    game.choose("error_analysis")
    start_share = float(game.engine.truth.cat_share[0, k])
    while game.week < game.event_week(bots):
        game.choose("early_stopping")
    assert float(game.engine.world_truth.cat_share[0, k]) == pytest.approx(0.3)
    assert game.error_analysis() is not None
    shares = game.engine.ea_shares[0]
    assert shares[k] == pytest.approx(0.3)
    assert float(game.engine.truth.cat_share[0, k]) in (pytest.approx(start_share), pytest.approx(0.3))
    game.choose("train_longer")
    assert float(game.engine.truth.cat_share[0, k]) == pytest.approx(0.3)


def test_an_event_that_changes_bayes_moves_the_world_whether_or_not_the_team_shipped():
    def sensors(raw):
        raw["events"].append({"id": "sensors", "week": 12, "title": "New card readers", "text": "Chip readers.",
                              "truth": {"scale": {"bayes": 0.5}}})
    case, digest = variant("card-fraud", sensors)
    early = Game(case, digest, 9)
    answer_aligned(early)
    early.choose("ship")
    truth_end = early.engine.truth_at_end()
    plain, _ = load("card-fraud")
    assert float(truth_end.bayes[0]) == pytest.approx(0.5 * float(Engine(plain, [9]).truth.bayes[0]))


# ---- satisficing metrics of the case's own ---------------------------------------------------------------------
def test_an_own_metric_falls_with_error_and_its_meter_says_max():
    case, digest = load("card-fraud")
    game = Game(case, digest, 11)
    meter = next(m for m in game.meters() if m.label.startswith("False declines"))
    assert meter.is_max and meter.limit == 0.5 and meter.value == pytest.approx(case.metrics[0].start)
    assert not meter.ok
    play_to_end(game)
    final = next(m for m in game.meters() if m.label.startswith("False declines"))
    assert final.value < meter.value and final.ok  # the expert ships a model that meets it


def _recall_floor(raw):
    raw["metrics"].append({"id": "recall", "unit": "%", "start": 80, "error": -2.0})
    raw["constraints"].append({"metric": "recall", "min": 84, "label": "Fraud caught (%)"})


def test_a_min_threshold_is_met_from_below_and_shown_as_min():
    case, digest = variant("card-fraud", _recall_floor)
    game = Game(case, digest, 11)
    floor = next(m for m in game.meters() if m.label.startswith("Fraud caught"))
    assert not floor.is_max and floor.bound == "min" and not floor.ok
    play_to_end(game)
    floor = next(m for m in game.meters() if m.label.startswith("Fraud caught"))
    assert floor.value > 80


def test_a_smaller_network_is_right_only_when_it_eases_the_broken_threshold():
    """False declines do not move with size: a smaller network cannot fix them, so the coach does not call it
    the way out (it did whenever any threshold was broken)."""
    case, digest = load("card-fraud")
    game = Game(case, digest, 3)
    answer_aligned(game)
    assert not all(m.ok for m in game.meters())
    turn = game.choose("smaller_network")
    assert turn.verdict != "aligned"


def test_an_action_whose_own_effect_eases_a_broken_threshold_is_aligned():
    def pipeline(raw):
        raw["metrics"][0]["actions"] = {"clean_train_labels": -0.4}
        raw["actions"]["clean_train_labels"] = {"weeks": 0.5, "label": "Tune the decline rules"}
    case, digest = variant("card-fraud", pipeline)
    game = Game(case, digest, 3)
    answer_aligned(game)
    before = next(m for m in game.meters() if m.label.startswith("False declines"))
    turn = game.choose("clean_train_labels")
    assert turn.verdict == "aligned" and turn.rule == "optimizing-satisficing"
    assert any(n in turn.explanation for n in numbers_in(turn.explanation))
    after = next(m for m in game.meters() if m.label.startswith("False declines"))
    assert after.value < before.value


def test_a_bigger_network_is_not_refused_for_a_threshold_it_cannot_break():
    """One size up only breaks a threshold that holds now; false declines already over their bound do not
    make a bias fix wrong."""
    case, digest = load("card-fraud")
    engine = Engine(case, [3])
    vis = engine.visible()
    assert not vis.constraints_ok[0] and not vis.bigger_breaks[0]
