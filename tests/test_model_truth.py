"""The simulator tells the truth: each contradiction a learner once saw between the ladder and the coach, as a test.

Where the report gave a seed and a path it is replayed; each is also checked over many seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.scenario.builtin import BUILTIN_IDS
from sim.coach.situation import Situation
from sim.game import Game, play_policy
from sim.game.engine import Engine, Moves
from sim.game.runner import policy_named, policy_picks, run_batch
from sim.game.turn import take_turn
from sim.model import ACTION_INDEX, Noise, Params, apply_actions, ladder
from sim.model.law import category_parts, sampling_sd
from sim.scenario import load

CASES = BUILTIN_IDS
SEEDS = np.arange(1000)


def game(case_id: str, seed: int, *choices: str) -> Game:
    case, digest = load(case_id)
    g = Game(case, digest, seed)
    for choice in choices:
        g.choose(choice)
    return g


def rungs(g: Game) -> dict:
    return {k: v for k, v in g.ladder().items() if k != "human"}


def walk(case_id: str, policy: str, seeds=SEEDS, turns: int = 70):
    """Play `policy` over many seeds, yielding (engine, situation) before every turn."""
    case, _ = load(case_id)
    engine = Engine(case, seeds)
    player = policy_named(policy, case, engine)
    for _ in range(turns):
        if engine.done.all():
            return
        s = Situation(engine.visible(), case)
        yield engine, s
        picks = policy_picks(player, engine, case, s)
        take_turn(engine, Moves(picks.action, picks.option, picks.category, picks.variety), s)


# ---- Ceilings --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("case_id, seed, path, fix", [
    ("cat-app", 686908, ["answer b", "answer c", "carve_train_dev", "answer b", "error_analysis"],
     "synthesize_data kind=filters variety=high"),
    ("autonomous-driving", 388822, ["answer c", "measure_human_level", "carve_train_dev", "error_analysis"],
     "synthesize_data kind=fog variety=high"),
])
def test_a_category_fix_gains_at_most_the_ceiling_the_table_is_sampled_from(case_id, seed, path, fix):
    g = game(case_id, seed, *path)
    e = g.engine
    category = next(i for i, c in enumerate(g.case.categories) if f"kind={c.id}" in fix)
    exact = ladder(e.truth, e.plan, e.plan, Noise.zero(1))
    part, before = float(category_parts(e.truth, e.plan, exact)[0, category]), float(exact.real_true[0])
    g.choose(fix)
    after = float(e.current().real_true[0])
    assert before - after <= part + 1e-9
    table = g.error_analysis()
    assert table is not None and any(row["id"] == g.case.categories[category].id for row in table["categories"])


# ---- Numbers that move when nothing changed ---------------------------------------------------------------
def test_dev_does_not_move_across_choices_that_train_nothing():
    g = game("cat-app", 3)
    seen = [rungs(g)["dev"]]
    for choice in ("answer b", "answer c", "carve_train_dev"):
        g.choose(choice)
        seen.append(rungs(g)["dev"])
    assert len(set(seen)) == 1


def test_the_same_model_on_the_same_test_set_reads_the_same_twice():
    g = game("bird-detection", 1, "answer a", "answer a", "evaluate_test")
    first = g.ladder()["test"]
    g.choose("evaluate_test")
    assert first is not None and g.ladder()["test"] == first


@pytest.mark.parametrize("case_id", CASES)
def test_measuring_or_answering_leaves_every_rung_unchanged_until_the_next_run(case_id):
    for engine, s in walk(case_id, "random", SEEDS[:300]):
        before = {r: getattr(s.vis, r).copy() for r in ("train", "dev")}
        twin = engine.fork()
        pending = twin.pending
        codes = [ACTION_INDEX[a] for a in ("measure_human_level", "error_analysis", "evaluate_test")
                 if a in twin.case.actions]
        action = np.where(pending >= 0, -1, codes[0])
        twin.step(Moves(action, np.zeros(twin.batch, dtype=int), np.full(twin.batch, -1), np.ones(twin.batch)))
        after = twin.visible()
        live = ~engine.done
        for r in ("train", "dev"):
            np.testing.assert_array_equal(after.__dict__[r][live], before[r][live], err_msg=r)


# ---- Rungs out of order -----------------------------------------------------------------------------------
@pytest.mark.parametrize("case_id", ["cat-app", "bird-detection"])
def test_measured_dev_stays_above_train_but_for_its_sampling_noise(case_id):
    low = total = 0
    for engine, s in walk(case_id, "expert"):
        v = s.vis
        sd = sampling_sd(v.dev, v.n_dev)
        live = ~engine.done
        low += int(np.sum(live & (v.dev < v.train - 2.0 * sd)))
        total += int(np.sum(live))
    assert low <= 0.01 * total


# ---- Answers move the ladder at once ----------------------------------------------------------------------
def test_the_end_to_end_answer_moves_nothing_until_a_run():
    case, digest = load("autonomous-driving")
    g = Game(case, digest, 388822)
    for choice in ("answer c", "measure_human_level", "carve_train_dev", "error_analysis"):
        g.choose(choice)
    while g.pending_decision is None and not g.finished:
        g.choose("evaluate_test")  # time passes, the model stays
        if g.pending_decision is not None and g.pending_decision.id == "steering":
            break
    if g.pending_decision is None or g.pending_decision.id != "steering":
        pytest.skip("the steering question did not come up on this path")
    before = rungs(g)
    g.choose("answer a")  # switch to end to end: the next run will use it
    assert rungs(g) == before


# ---- Splits are simulated ---------------------------------------------------------------------------------
def test_a_shuffled_split_shows_little_mismatch_and_the_real_world_carries_the_cost():
    case, digest = load("cat-app")
    mismatch, hidden = [], []
    for seed in range(60):
        g = Game(case, digest, seed)
        for choice in ("answer a", "answer c", "carve_train_dev", "answer b", "train_longer"):
            g.choose(choice)
        ladder_now = g.ladder()
        mismatch.append(ladder_now["dev"] - ladder_now["train_dev"])
        hidden.append(float(g.engine.current().real_true[0]) - ladder_now["dev"])
    assert np.median(np.abs(mismatch)) < 0.5
    assert np.median(hidden) > 1.0  # the users' photos were never in dev: the real world shows what dev hid


# ---- Aligned fixes that hurt ------------------------------------------------------------------------------
def test_regularisation_pays_when_the_coach_calls_it_aligned():
    changes = []
    for engine, s in (pair for case in ("bird-detection", "cat-app") for pair in walk(case, "random", SEEDS[:300])):
        from sim.coach.judge import ALIGNED, Choice, judge_in

        b = engine.batch
        verdict = judge_in(s, "add_regularization", Choice("add_regularization", np.full(b, -1), np.ones(b))).codes
        rows = np.flatnonzero((verdict == ALIGNED) & ~engine.done & (engine.pending < 0))
        if not rows.size:
            continue
        sub = engine.take(rows)
        before = ladder(sub.truth, sub.plan, sub.plan, Noise.zero(sub.batch)).real_true
        tried = sub.plan.copy()
        apply_actions(tried, np.full(sub.batch, ACTION_INDEX["add_regularization"]), Params.none(sub.batch), sub.amounts)
        after = ladder(sub.truth, tried, tried, Noise.zero(sub.batch)).real_true
        changes.append(after - before)
    change = np.concatenate(changes)
    assert change.size >= 20
    # The coach reads noisy numbers, so a rare call may be wrong, but only by what noise could hide.
    assert np.mean(change > 1e-9) <= 0.05
    assert change.max() <= 0.1
    assert np.median(change) < -0.1


def test_a_new_metric_is_measured_on_every_rung_and_pays_after_the_event():
    g = play_policy(game("bird-detection", 1), "expert")
    assert any(t.choice == "change_metric" for t in g.turns)
    stale = game("bird-detection", 1)
    for choice in g.choices[:-1]:
        if choice == "change_metric":
            choice = "evaluate_test"  # the same weeks, the metric left as it was
        if stale.finished:
            break
        stale.choose(choice)
    if not stale.finished:
        stale.choose("ship")
    assert g.real_world_error() < stale.real_world_error()


@pytest.mark.parametrize("case_id", CASES)
def test_the_expert_never_cleans_the_same_labels_twice(case_id):
    run = run_batch(load(case_id)[0], SEEDS[:300], "expert")
    code = ACTION_INDEX["clean_dev_test_labels"]
    assert np.all((run.path == code).sum(axis=1) <= 1)


# ---- The world does not wait ------------------------------------------------------------------------------
def test_shipping_before_an_event_does_not_dodge_it():
    case, digest = load("bird-detection")
    species = next(ev for ev in case.events if ev.id == "new-species")
    early = Game(case, digest, 1)
    for choice in ("answer a", "answer a", "measure_human_level", "answer a"):
        early.choose(choice)
    assert early.week < species.week
    late = Game(case, digest, 1)
    for choice in early.choices:
        late.choose(choice)
    early.choose("ship")
    while late.week < species.week:  # time passes; the model stays the same
        if late.pending_decision is not None:
            late.choose(f"answer {next(o.id for o in late.pending_decision.options if o.verdict == 'aligned')}")
        else:
            late.choose("evaluate_test")
    assert any(ev.id == "new-species" for ev in late.events_seen)
    late.choose("ship")
    # The same model meets the same users' world: the event counts whenever the team shipped.
    assert early.engine.real_true[0] == pytest.approx(late.engine.real_true[0], abs=1e-9) or \
        early.engine.model.n_other[0] != late.engine.model.n_other[0]


# ---- The briefing's numbers are the model's ---------------------------------------------------------------
@pytest.mark.parametrize("case_id", CASES)
def test_the_first_ladder_shows_the_cases_start_numbers(case_id):
    case, _ = load(case_id)
    engine = Engine(case, SEEDS)
    lad = engine.current()
    start = {path: values for path, values in engine.variant_values.items()}
    for name, term in (("start_bias", lad.bias), ("start_variance", lad.variance), ("start_mismatch", lad.mismatch)):
        stated = start[f"truth.{name}"] if f"truth.{name}" in start else np.full(len(SEEDS), float(case.truth[name]))
        np.testing.assert_allclose(term, stated, rtol=1e-9, atol=1e-9, err_msg=name)
    sd = sampling_sd(lad.dev, engine.sets.n_dev)
    t = engine.truth
    expected_train = t.bayes + lad.bias  # (the first model's training mix)
    assert np.mean(np.abs(lad.train - expected_train - (lad.train - expected_train).mean()) <= 3 * np.maximum(sd, 1e-3)) > 0.95


# ---- Seeds change the situation ---------------------------------------------------------------------------
def test_between_them_the_cases_pose_every_situation_of_the_course():
    seen = {"large bias, tiny variance": False, "several points of dev overfitting": False,
            "train and dev below human level": False, "bias and data mismatch together": False,
            "one category over half of dev errors": False}
    for case_id in CASES:
        for policy in ("expert", "random"):
            for engine, s in walk(case_id, policy):
                v, g, live = s.vis, s.g.gaps, ~engine.done
                with np.errstate(invalid="ignore"):
                    seen["large bias, tiny variance"] |= bool(np.any(live & (g[:, 0] >= 1.0) & (g[:, 1] <= 0.25 * g[:, 0])))
                    seen["several points of dev overfitting"] |= bool(np.any(live & (g[:, 3] >= 2.0)))
                    seen["train and dev below human level"] |= bool(np.any(live & (v.train < v.human) & (v.dev < v.human)))
                    seen["bias and data mismatch together"] |= bool(np.any(live & s.problem(0) & s.problem(2) & ~s.unknown))
                    shares = np.nan_to_num(v.ea_shares, nan=0.0)
                    seen["one category over half of dev errors"] |= bool(np.any(live & v.ea_done & (shares.max(axis=1) > 0.5)))
    assert all(seen.values()), [k for k, v in seen.items() if not v]


@pytest.mark.parametrize("case_id", CASES)
def test_the_expert_beats_the_random_player_on_every_seed_1_to_50(case_id):
    case, _ = load(case_id)
    seeds = np.arange(1, 51)
    expert, rnd = run_batch(case, seeds, "expert"), run_batch(case, seeds, "random")
    from sim.game.runner import totals

    assert np.all(totals(expert, expert.real_world)[1] > totals(rnd, expert.real_world)[1])


# ---- Versions ----------------------------------------------------------------------------------------------
def test_a_game_saved_by_another_version_of_the_law_is_reported_not_resumed(tmp_path):
    import json

    from sim.game.replay import ReplayLog, read_log, resume
    from sim.model import MODEL_VERSION
    from sim.scenario import CaseError

    g = game("bird-detection", 3, "answer a")
    path = tmp_path / "old.jsonl"
    ReplayLog.start(path, g, "bird-detection")
    lines = path.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["model"] == MODEL_VERSION and read_log(path).resumable
    header["model"] = MODEL_VERSION - 1
    path.write_text("\n".join([json.dumps(header)] + lines[1:]) + "\n", encoding="utf-8")
    saved = read_log(path)
    assert not saved.resumable
    with pytest.raises(CaseError) as err:
        resume(saved)
    assert "older version of the simulator" in str(err.value.problems[0].message)
    assert g.result()["model"] == MODEL_VERSION
