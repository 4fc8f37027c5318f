"""The turn engine's bookkeeping: every per-row array travels with take() and fork()."""

from __future__ import annotations

import numpy as np

from sim.coach.policy import RandomPolicy
from sim.game.engine import ROW_STATE, Engine, Moves


def test_row_state_lists_every_per_row_array(bird):
    engine = Engine(bird[0], np.arange(3))
    per_row = {name for name, value in vars(engine).items() if isinstance(value, np.ndarray) and value.shape[:1] == (3,)}
    assert per_row == set(ROW_STATE)


def _play(engine: Engine, policy, steps: int) -> None:
    for _ in range(steps):
        picks = policy(engine.visible(), engine.case, engine.pending, engine.turn)
        engine.step(Moves(picks.action, picks.option, picks.category, picks.variety))


def test_a_taken_subset_plays_on_exactly_like_the_full_batch(bird):
    case = bird[0]
    full = Engine(case, np.arange(40))
    policy = RandomPolicy(case, full.truth.draws)
    _play(full, policy, 5)
    rows = np.array([3, 17, 29])
    small, small_policy = full.take(rows), policy.take(rows)
    twin = full.fork()
    _play(small, small_policy, 12)
    _play(twin, policy, 12)
    for name in ROW_STATE:
        np.testing.assert_array_equal(getattr(small, name), getattr(twin, name)[rows], err_msg=name)
    for rung in ("train", "train_dev", "dev", "test"):
        np.testing.assert_array_equal(getattr(small.visible(), rung), getattr(twin.visible(), rung)[rows], err_msg=rung)


def test_fork_leaves_the_original_untouched(bird):
    case = bird[0]
    engine = Engine(case, np.arange(5))
    week, plan, model = engine.week.copy(), engine.plan.copy(), engine.model.copy()
    _play(engine.fork(), RandomPolicy(case, engine.truth.draws), 6)
    np.testing.assert_array_equal(engine.week, week)
    for name in plan.names():
        np.testing.assert_array_equal(getattr(engine.plan, name), getattr(plan, name), err_msg=name)
        np.testing.assert_array_equal(getattr(engine.model, name), getattr(model, name), err_msg=name)


def test_a_decision_option_can_cost_weeks():
    from sim.game import Game
    from sim.scenario import load

    case, digest = load("in-car-speech")
    game = Game(case, digest, 1)
    while game.pending_decision is not None and not any(o.weeks for o in game.pending_decision.options):
        game.choose(f"answer {next(o.id for o in game.pending_decision.options if o.verdict == 'aligned')}")
    slow = next(o for o in game.pending_decision.options if o.weeks)
    before = game.week
    game.choose(f"answer {slow.id}")
    assert game.week == before + slow.weeks


def test_one_choice_has_one_canonical_text(bird):
    import pytest

    from sim.game.choices import ChoiceError, parse_choice
    from sim.scenario import load

    case, _ = load("autonomous-driving")
    kind = next(c.id for c in case.categories if "synthesize_data" in c.fixed_by)
    forms = [f"synthesize_data kind={kind} variety=.5", f"synthesize_data variety=medium category={kind}",
             f"synthesize_data  kind={kind}   variety=0.50"]
    assert {parse_choice(f, case).text for f in forms} == {f"synthesize_data kind={kind} variety=0.5"}
    for bad in (f"synthesize_data kind={kind} category={kind}", "synthesize_data variety=0.1 variety=0.9",
                "bigger_network variety=0.1", "synthesize_data variety=nan"):
        with pytest.raises(ChoiceError):
            parse_choice(bad, case)


def test_a_played_batch_is_freed_by_its_last_reference_not_by_the_cycle_collector(bird):
    """No reference cycles among engines, their views and truths: lint plays thousands of seeds in chunks, and
    a chunk kept alive by a cycle until the collector came by made its memory grow with every chunk."""
    import gc
    import weakref

    from sim.game.runner import expert_policy, run_batch

    case, _ = bird
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        engine = Engine(case, np.arange(40))
        run_batch(case, engine, expert_policy, "expert")  # judged turns: views, forecasts and their truths
        engine.visible().weeks_needed  # a view asked for its weeks, through the engine
        alive = weakref.ref(engine), weakref.ref(engine.truth)
        del engine
        assert [ref() for ref in alive] == [None, None]
        gc.collect()
        left = sorted({type(obj).__name__ for obj in gc.garbage if type(obj).__module__.startswith("sim.")})
        assert left == [], f"reference cycles through {left}"
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
