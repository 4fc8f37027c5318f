"""The coach's diagnoses and verdicts on ladders and situations it was not tuned to."""

from __future__ import annotations

import numpy as np
import pytest

from sim.coach import RULE_IDS, diagnose, judge
from sim.coach.visible import Visible
from sim.scenario.schema import Case, Category, CoachFacts, Constraint, MultiTask, Transfer, bare_case


def blank(**coach) -> Case:
    categories = [Category(id="blurry", label="Blurry images", share=0.3, fixed_by=["collect_target_data"]),
                  Category(id="dogs", label="Dogs", share=0.05, fixed_by=["collect_target_data"])]
    constraints = [Constraint(metric="memory_mb", max=10, label="Memory (MB)")]
    return bare_case(id="t", categories=categories, constraints=constraints, coach=CoachFacts(**coach))


# ---- diagnosis: the rules, on ladders from many settings -----------------------------------------
@pytest.mark.parametrize("ladder, primary, problems", [
    (dict(human=1, train=8, dev=10), "avoidable_bias", ["avoidable_bias"]),
    (dict(human=7.5, train=8, dev=10), "variance", ["variance"]),
    (dict(human=0, train=1, train_dev=9, dev=10), "variance", ["variance"]),
    (dict(human=0, train=1, train_dev=1.5, dev=10), "data_mismatch", ["data_mismatch"]),
    (dict(human=0, train=10, train_dev=11, dev=20), "avoidable_bias", ["avoidable_bias", "data_mismatch"]),
    # medical imaging: team of doctors 0.5 as the Bayes proxy; bias 0.2 is the gap left
    (dict(human=0.5, train=0.7, dev=0.8), "avoidable_bias", ["avoidable_bias"]),
    (dict(human=0.5, train=0.3, dev=0.4), "surpassed_human", []),
    (dict(human=1, train=1.5, dev=2, test=4), "dev_overfitting", ["dev_overfitting"]),
    (dict(human=2, train=2.1, dev=2.15), "none", []),
    # variance exactly half of bias is not a second problem (it must be strictly more); a little more is
    (dict(human=4, train=5, dev=5.5), "avoidable_bias", ["avoidable_bias"]),
    (dict(human=4, train=5, dev=5.6), "avoidable_bias", ["avoidable_bias", "variance"]),
])
def test_diagnosis_follows_the_rules(ladder, primary, problems):
    d = diagnose(**ladder)
    assert d.primary == primary
    assert d.problems == problems
    assert {a["rule"] for a in d.advice} <= set(RULE_IDS)


def test_without_human_level_the_primary_is_unknown_and_human_level_is_missing():
    d = diagnose(train=8, dev=10)
    assert (d.primary, d.missing) == ("unknown", ["human_level"])
    assert d.gaps["avoidable_bias"] is None and d.gaps["variance"] == pytest.approx(2.0)
    assert d.advice[0]["rule"] == "need-human-level"


def test_with_mismatched_data_and_no_train_dev_set_the_split_is_unknown():
    d = diagnose(human=0.5, train=2, dev=9, differ=True)
    assert d.primary == "unknown" and d.missing == ["train_dev"]
    assert d.gaps["variance"] is None and d.gaps["data_mismatch"] is None
    assert "train-dev-set" in {a["rule"] for a in d.advice}


# ---- verdicts ---------------------------------------------------------------------------------------
def verdict(case=None, action="bigger_network", category=-1, variety=1.0, **view):
    ladder = {k: view.pop(k) for k in ("human", "train", "train_dev", "dev", "test") if k in view}
    return judge(Visible.single(**ladder, **view), case or blank(), action, category, variety)


def test_bias_fix_on_a_bias_problem_is_aligned_and_quotes_the_numbers():
    v = verdict(human=1, train=8, dev=10)
    assert (v.verdict, v.rule) == ("aligned", "avoidable-bias")
    assert "7.0" in v.explanation and "2.0" in v.explanation


def test_bias_fix_on_a_variance_problem_is_misaligned():
    v = verdict(human=7.5, train=8, dev=10, action="train_longer")
    assert (v.verdict, v.rule) == ("misaligned", "avoidable-bias")
    assert "0.5" in v.explanation and "2.0" in v.explanation


def test_variance_fixes_on_a_variance_problem_are_aligned():
    for action in ("collect_more_data", "add_regularization", "data_augmentation"):
        v = verdict(human=0.5, train=0.7, dev=2.0, action=action)
        assert (v.verdict, v.rule) == ("aligned", "variance"), action


def test_bias_and_variance_actions_are_premature_without_human_level():
    for action in ("bigger_network", "add_regularization"):
        v = verdict(train=8, dev=10, action=action)
        assert (v.verdict, v.rule) == ("neutral", "need-human-level")


def test_measuring_human_level_is_aligned_only_while_it_is_unknown():
    assert verdict(train=8, dev=10, action="measure_human_level").verdict == "aligned"
    assert verdict(human=1, train=8, dev=10, action="measure_human_level").verdict == "neutral"


def test_variance_actions_wait_for_a_train_dev_set_when_the_training_data_differs():
    v = verdict(human=0.5, train=1, dev=6, differ=True, action="add_regularization")
    assert (v.verdict, v.rule) == ("neutral", "train-dev-set")
    v = verdict(human=0.5, train=1, dev=6, differ=True, action="carve_train_dev")
    assert (v.verdict, v.rule) == ("aligned", "train-dev-set")


def test_early_stopping_is_never_better_than_neutral():
    assert (verdict(human=0.5, train=0.7, dev=3, action="early_stopping").verdict, ) == ("neutral",)
    assert verdict(human=0.5, train=0.7, dev=3, action="early_stopping").rule == "orthogonalization"
    assert verdict(human=0.5, train=5, dev=5.2, action="early_stopping").verdict == "misaligned"


def test_a_bigger_network_that_breaks_a_threshold_is_misaligned():
    v = verdict(human=1, train=8, dev=10, bigger_breaks=True)
    assert (v.verdict, v.rule) == ("misaligned", "optimizing-satisficing")


def test_shipping_past_a_threshold_or_with_a_stale_aim_is_misaligned():
    assert verdict(human=1, train=2, dev=3, action="ship", constraints_ok=False).rule == "optimizing-satisficing"
    v = verdict(human=1, train=2, dev=3, action="ship", metric_problem=True)
    assert (v.verdict, v.rule) == ("misaligned", "change-metric-or-dev-set")
    assert verdict(human=1, train=1.1, dev=1.2, action="ship").verdict == "aligned"  # little left to gain


def test_shipping_early_is_judged_against_what_the_rules_would_still_do():
    early = verdict(human=1, train=8, dev=10, action="ship", weeks_left=40)
    assert (early.verdict, early.rule) == ("misaligned", "avoidable-bias")
    assert "7.0" in early.explanation and "40" in early.explanation
    blind = verdict(train=8, dev=10, action="ship", weeks_left=40)
    assert (blind.verdict, blind.rule) == ("neutral", "need-human-level")
    no_time = verdict(human=1, train=8, dev=10, action="ship", weeks_left=0.5)  # nothing fits the budget
    assert no_time.verdict == "aligned"


def test_changing_the_metric_needs_a_reason():
    assert verdict(human=1, train=2, dev=3, action="change_metric").verdict == "misaligned"
    assert verdict(human=1, train=2, dev=3, action="change_metric", metric_problem=True).verdict == "aligned"
    assert verdict(human=1, train=2, dev=3, action="change_dev_test", devset_stale=True).verdict == "aligned"


def test_data_mismatch_fixes_and_synthetic_coverage():
    ladder = dict(human=0, train=1, train_dev=1.5, dev=10, differ=True)
    assert verdict(action="collect_target_data", **ladder).verdict == "aligned"
    low = verdict(action="synthesize_data", variety=0.05, **ladder)
    assert (low.verdict, low.rule) == ("neutral", "synthetic-data-coverage")
    assert verdict(action="synthesize_data", variety=0.9, **ladder).verdict == "aligned"
    assert verdict(action="collect_target_data", human=0, train=1, train_dev=9, dev=10, differ=True).verdict == "misaligned"


def test_category_fixes_follow_error_analysis_and_its_ceilings():
    ladder = dict(human=0, train=1, train_dev=1.5, dev=10, differ=True)
    first = verdict(action="collect_target_data", category=0, **ladder)
    assert (first.verdict, first.rule) == ("neutral", "error-analysis-first")
    seen = dict(ea_done=True, ea_shares=[[0.6, 0.05]], ea_mislabelled=0.04, **ladder)
    big = verdict(action="collect_target_data", category=0, **seen)
    small = verdict(action="collect_target_data", category=1, **seen)
    assert (big.verdict, big.rule) == ("aligned", "error-analysis-ceiling")
    assert (small.verdict, small.rule) == ("misaligned", "error-analysis-ceiling")
    assert "5%" in small.explanation and "0.50" in small.explanation  # 5% of 10 points: at most 0.5


def test_labels_fixed_together_or_not_at_all():
    seen = dict(human=0, train=1, train_dev=1.5, dev=2, ea_done=True, ea_shares=[[0.1, 0.05]])
    assert verdict(action="clean_dev_labels", **seen).verdict == "misaligned"
    assert verdict(action="clean_dev_test_labels", ea_mislabelled=0.4, **seen).verdict == "aligned"
    assert verdict(action="clean_dev_test_labels", ea_mislabelled=0.03, **seen).verdict == "misaligned"
    assert verdict(blank(train_label_noise="random"), "clean_train_labels", human=0, train=1, dev=2).verdict == "misaligned"
    assert verdict(blank(train_label_noise="systematic"), "clean_train_labels", human=0, train=1, dev=2).verdict == "aligned"


def test_transfer_and_multi_task_follow_their_conditions():
    helps = blank(transfer=Transfer(source="general speech", same_input=True, source_examples=1e7, features_help=True))
    other_input = blank(transfer=Transfer(source="images", same_input=False, source_examples=1e7, features_help=True))
    assert verdict(helps, "transfer_learning", human=0, train=1, dev=20, n_target=1000).verdict == "aligned"
    assert verdict(other_input, "transfer_learning", human=0, train=1, dev=20, n_target=1000).verdict == "misaligned"
    assert verdict(helps, "transfer_learning", human=0, train=1, dev=20, n_target=5e6).verdict == "misaligned"
    shared = blank(multitask=MultiTask(tasks="signs and lights", shared_features=True, similar_data=True))
    unshared = blank(multitask=MultiTask(tasks="sirens and signs", shared_features=False, similar_data=True))
    assert verdict(shared, "multi_task_learning", human=0, train=2, dev=3).verdict == "aligned"
    assert verdict(unshared, "multi_task_learning", human=0, train=2, dev=3).verdict == "misaligned"


def test_end_to_end_needs_data_and_slow_loops_come_first():
    assert verdict(action="end_to_end", human=0, train=2, dev=3, data=1e4, e2e_threshold=1e6).verdict == "misaligned"
    assert verdict(action="end_to_end", human=0, train=2, dev=3, data=1e7, e2e_threshold=1e6).verdict == "aligned"
    assert verdict(action="pipeline", human=0, train=2, dev=3, data=1e4, e2e_threshold=1e6, e2e=True).verdict == "aligned"
    long = verdict(action="faster_hardware", human=0, train=2, dev=3, run_weeks=6.0)
    assert (long.verdict, long.rule) == ("aligned", "iteration-speed") and "6 weeks" in long.explanation
    assert verdict(action="faster_hardware", human=0, train=2, dev=3, run_weeks=0.5).verdict == "neutral"


def test_dev_overfitting_is_checked_on_test():
    assert verdict(action="evaluate_test", human=1, train=1.5, dev=2, rounds_since_test=8).verdict == "aligned"
    assert verdict(action="bigger_dev_set", human=1, train=1.5, dev=2).verdict == "neutral"
    assert verdict(action="bigger_dev_set", human=1, train=1.5, dev=2, test=4).verdict == "aligned"
    assert verdict(action="bigger_dev_set", human=1, train=1.5, dev=2, test=2.05).verdict == "misaligned"


def test_below_human_level_bias_fixes_are_guesses():
    v = verdict(human=0.5, train=0.3, dev=0.4)
    assert (v.verdict, v.rule) == ("neutral", "surpassing-human")
    assert verdict(human=0.5, train=0.3, dev=0.4, action="collect_more_data").rule == "surpassing-human"


def test_without_a_train_dev_set_bias_counts_only_when_it_dwarfs_the_unsplit_gap():
    # dev - train 7.1 could be all variance or all mismatch: a 1.7-point bias is not known to matter
    d = diagnose(human=1.5, train=3.2, dev=10.3, differ=True)
    assert d.problems == [] and d.primary == "unknown" and d.missing == ["train_dev"]
    v = verdict(human=1.5, train=3.2, dev=10.3, differ=True)
    assert (v.verdict, v.rule) == ("neutral", "train-dev-set")
    # a 9-point bias beside a 2-point unsplit gap matters whatever the split
    assert diagnose(human=0, train=9, dev=11, differ=True).problems == ["avoidable_bias"]
    assert verdict(human=0, train=9, dev=11, differ=True).verdict == "aligned"


def test_diagnose_with_a_train_dev_rung_treats_the_data_as_mismatched(capsys):
    from sim.cli import main

    main(["diagnose", "--human", "0", "--train", "1", "--train-dev", "1.5", "--dev", "10",
          "--action", "collect_target_data", "--json"])
    import json

    result = json.loads(capsys.readouterr().out)
    assert result["primary"] == "data_mismatch"
    assert (result["verdict"]["verdict"], result["verdict"]["rule"]) == ("aligned", "data-mismatch")


def test_sentences_never_name_a_missing_gap_as_a_number():
    for ladder, action in ((dict(human=1, train=1.1, dev=1.2), "bigger_network"),
                           (dict(human=1, train=8, dev=10), "synthesize_data"),
                           (dict(train=2, dev=10), "collect_target_data")):
        text = verdict(action=action, **ladder).explanation
        assert "no gap 0" not in text and "unknown points" not in text, text


def _random_positions(case, digest, count: int = 12):
    """Unfinished games a random player reached (not tuned ones): the rungs a forecast reads measured first, then
    random moves and random answers; none waits on a decision."""
    import random

    from sim.game import Game

    for seed in range(count):
        pick = random.Random(seed)
        game = Game(case, digest, 500 + seed)
        plan = ["measure_human_level", "carve_train_dev"] + [None] * pick.randrange(1, 10)
        while plan and not game.finished:
            decision = game.pending_decision
            if decision:
                game.choose(f"answer {pick.choice(decision.options).id}")
                continue
            offered = [a.id for a in game.actions() if a.id != "ship"]
            wanted = plan.pop(0)
            game.choose(wanted if wanted in offered else pick.choice(offered))
        while game.pending_decision and not game.finished:
            game.choose(f"answer {pick.choice(game.pending_decision.options).id}")
        if not game.finished:
            yield seed, game


@pytest.mark.parametrize("case_id", ["bird-detection", "cat-app", "in-car-speech", "chest-xray"])
def test_the_forecast_line_of_the_advice_names_a_fix_the_coach_then_calls_aligned(case_id):
    """The advice names every fix of the largest gap; its last line names the one the forecast favours. Playing
    that one, in positions a random player reached (not tuned ones), is aligned under the rule the line cites."""
    from sim.coach.situation import Situation
    from sim.scenario import load

    case, digest = load(case_id)
    checked = 0
    for seed, game in _random_positions(case, digest):
        line = game.diagnosis().advice[-1]
        if not line["text"].startswith("The forecast's best use of the weeks now"):
            continue
        s = Situation(game.engine.visible(), case)
        fix = s.ranked[int(s.best_fix[0])]
        words = [fix.action] + ([f"category={case.categories[fix.category].id}"] if fix.category >= 0 else [])
        words += [f"variety={fix.variety:g}"] if fix.action == "synthesize_data" else []
        turn = game.choose(" ".join(words))
        assert (turn.verdict, turn.rule) == ("aligned", line["rule"]), (seed, line, turn.explanation)
        checked += 1
    assert checked >= 3  # the property was put to the test, not skipped


@pytest.mark.parametrize("case_id", ["bird-detection", "cat-app", "in-car-speech", "chest-xray"])
def test_the_advice_says_when_the_forecast_favours_another_gap_than_the_one_it_names_first(case_id):
    """A learner who reads "Avoidable bias is 1.5 points: train a bigger network ..." and plays such a fix must not
    be surprised by a neutral verdict: where no fix of the first-named gap is aligned, the forecast line says its
    fix beats every fix for that gap; and where it says so, the forecast's numbers bear it out."""
    import numpy as np

    from sim.coach.diagnose import GAP_NAMES, GAP_RULES
    from sim.coach.judge import judge
    from sim.coach.situation import Situation
    from sim.model import ACTIONS, FAMILIES
    from sim.scenario import load

    case, digest = load(case_id)
    surprises = claims = 0
    for seed, game in _random_positions(case, digest, 16):
        advice = game.diagnosis().advice
        gaps = [a for a in advice if a["rule"] in GAP_RULES and a.get("kind") != "forecast"]
        line = advice[-1]
        if not gaps or line.get("kind") != "forecast":
            continue
        gap = GAP_RULES.index(gaps[0]["rule"])
        vis = game.engine.visible()
        s = Situation(vis, case)
        # Every way to play a fix of that gap: each action aimed at each category it fits, each variety.
        fixes = [j for j, f in enumerate(s.ranked) if ACTIONS[f.action].family == FAMILIES[gap]]
        verdicts = [judge(vis, case, s.ranked[j].action, s.ranked[j].category, s.ranked[j].variety).verdict
                    for j in fixes]
        says = f"more per week than any fix for {GAP_NAMES[gap]}" in line["text"]
        if fixes and "aligned" not in verdicts:
            assert says, (seed, gaps[0], line, verdicts)
            surprises += 1
        if says:
            best = int(s.best_fix[0])
            assert ACTIONS[s.ranked[best].action].family != FAMILIES[gap], (seed, line)
            assert all(s.values[0, best] >= s.values[0, j] - 1e-12 for j in fixes if np.isfinite(s.values[0, j]))
            claims += 1
    assert surprises >= 1 and claims >= 1, (surprises, claims)  # the property was put to the test, not skipped


@pytest.mark.parametrize("case_id", ["bird-detection", "in-car-speech", "autonomous-driving"])  # the cases with slow loops
def test_a_speed_up_first_line_leads_the_advice_and_the_verdicts_agree_with_it(case_id):
    """Where the coach leads with "speed up the loop first (...)", every speed-up it names is aligned, one it does
    not name (already used, or not worth it) is not, and a fix the ladder's advice names waits: neutral, under
    iteration-speed. Every turn of random players' games (not tuned positions)."""
    import random

    from sim.game import Game
    from sim.scenario import load

    case, digest = load(case_id)
    nouns = {"faster_hardware": "faster hardware", "train_on_subset": "a subset"}

    def fork(game):
        copy = Game(case, digest, game.seed)
        for choice in game.choices:
            copy.choose(choice)
        return copy

    checked = 0
    for seed in range(10):
        pick = random.Random(seed)
        game = Game(case, digest, 700 + seed)
        plan = ["measure_human_level", "carve_train_dev"]  # the rungs first, then random moves
        while not game.finished and game.week < 25:
            decision = game.pending_decision
            if decision:
                game.choose(f"answer {pick.choice(decision.options).id}")
                continue
            advice = game.diagnosis().advice
            offered = [a.id for a in game.actions() if a.id != "ship"]
            if advice[0].get("kind") == "first" and advice[0]["rule"] == "iteration-speed":
                assert all(a.get("kind") != "forecast" for a in advice)  # no fix's line while every fix waits
                named = advice[0]["text"].split("first (")[1].split(")")[0]
                for action, noun in nouns.items():
                    if action in offered:
                        verdict = fork(game).choose(action).verdict
                        assert (verdict == "aligned") == (noun in named), (seed, advice[0]["text"], action, verdict)
                fix = next(a for a in ("add_regularization", "collect_more_data", "bigger_network") if a in offered)
                turn = fork(game).choose(fix)
                assert (turn.verdict, turn.rule) == ("neutral", "iteration-speed"), (seed, fix, turn.explanation)
                checked += 1
            wanted = plan.pop(0) if plan else None
            game.choose(wanted if wanted in offered else pick.choice(offered))
    assert checked >= 2, "no position led with a speed-up: the property was not put to the test"


def test_a_threshold_broken_by_a_model_not_yet_good_enough_does_not_lead_the_advice():
    """Chest X-rays start with missed urgent films above their threshold: no one action brings that back, and the
    expert measures human level first, so the advice must not lead with "make it fit first" (it did)."""
    from sim.game import Game
    from sim.scenario import load

    case, digest = load("chest-xray")
    game = Game(case, digest, 338880)
    game.choose("answer a")
    assert not all(m.ok for m in game.meters())  # the threshold is broken...
    advice = game.diagnosis().advice
    assert advice[0]["rule"] != "optimizing-satisficing", advice[0]  # ...yet measuring comes first
    assert game.choose("measure_human_level").verdict == "aligned"


def test_where_the_advice_leads_with_a_threshold_the_move_it_names_is_aligned():
    """Every turn of random players' games: a first line about a broken threshold names the move the verdicts call
    aligned (the expert's first move there)."""
    import random

    from sim.coach.judge import _noun
    from sim.game import Game
    from sim.model import ACTION_IDS
    from sim.scenario import load

    checked = 0
    for case_id, seed in [(c, k) for c in ("bird-detection", "cat-app", "in-car-speech", "autonomous-driving",
                                           "chest-xray", "card-fraud") for k in range(6)]:
        case, digest = load(case_id)
        pick = random.Random(seed)
        game = Game(case, digest, 900 + seed)
        while not game.finished and game.week < 30:
            decision = game.pending_decision
            if decision:
                game.choose(f"answer {pick.choice(decision.options).id}")
                continue
            first = game.diagnosis().advice[0]
            if first.get("kind") == "first" and first["rule"] == "optimizing-satisficing":
                named = [a for a in ACTION_IDS if f": {_noun(a)} moves it back" in first["text"]]
                assert len(named) == 1, first["text"]
                fork = Game(case, digest, game.seed)
                for choice in game.choices:
                    fork.choose(choice)
                assert fork.choose(named[0]).verdict == "aligned", (case_id, seed, first["text"])
                checked += 1
            game.choose(pick.choice([a.id for a in game.actions() if a.id != "ship"]))
    assert checked >= 5, "the property was not put to the test"
