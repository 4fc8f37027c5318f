"""Property tests for the model's invariants (DESIGN.md): each knob moves what it should and nothing else."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.game.engine import Engine
from sim.model import ACTION_IDS, ACTION_INDEX, Params, apply_actions, ladder
from sim.model.law import sampling_sd

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

states = st.fixed_dictionaries({
    "seed": st.integers(0, 2**31),
    "level": st.integers(0, 7),
    "effort": st.floats(0.3, 8),
    "reg": st.floats(0, 3),
    "n_target": st.floats(1e3, 2e7),
    "n_other": st.floats(0, 2e7),
    "n_syn": st.floats(0, 5e6),
    "syn_variety": st.floats(0, 1),
    "n_dev": st.floats(500, 2e6),
    "rounds": st.integers(0, 50),
    "dev_noise": st.floats(0, 3),
    "turn": st.integers(0, 90),
})


def _engine(bird, s: dict) -> tuple[Engine, np.ndarray]:
    engine = Engine(bird[0], [s["seed"]])
    for name in ("level", "effort", "reg", "n_target", "n_other", "n_syn", "syn_variety", "n_dev", "rounds",
                 "dev_noise"):
        getattr(engine.knobs, name)[:] = s[name]
    return engine, np.array([s["turn"]])


def _after(engine: Engine, action: str, turn: np.ndarray):
    knobs = engine.knobs.copy()
    apply_actions(knobs, np.array([ACTION_INDEX[action]]), Params.none(1), engine.amounts)
    return ladder(engine.truth, knobs, turn)


@SETTINGS
@given(states)
def test_a_bigger_network_lowers_train_error(bird, s):
    engine, turn = _engine(bird, s)
    before, after = ladder(engine.truth, engine.knobs, turn), _after(engine, "bigger_network", turn)
    assert after.train[0] < before.train[0]


@SETTINGS
@given(states)
def test_more_training_distribution_data_lowers_variance_and_leaves_mismatch(bird, s):
    engine, turn = _engine(bird, s)
    before, after = ladder(engine.truth, engine.knobs, turn), _after(engine, "collect_more_data", turn)
    assert after.variance[0] < before.variance[0]
    assert abs(after.mismatch[0] - before.mismatch[0]) <= 1e-9 * max(1.0, before.mismatch[0])


@SETTINGS
@given(states)
def test_more_target_like_data_lowers_mismatch(bird, s):
    engine, turn = _engine(bird, s)
    engine.knobs.n_other[:] = max(s["n_other"], 1e5)  # some training data unlike the target
    before, after = ladder(engine.truth, engine.knobs, turn), _after(engine, "collect_target_data", turn)
    assert after.mismatch[0] < before.mismatch[0]
    assert after.coverage[0] > before.coverage[0]


@SETTINGS
@given(states)
def test_regularisation_lowers_variance_and_raises_train_error_a_little(bird, s):
    engine, turn = _engine(bird, s)
    before, after = ladder(engine.truth, engine.knobs, turn), _after(engine, "add_regularization", turn)
    assert after.variance[0] < before.variance[0]
    assert before.train[0] < after.train[0] <= before.train[0] + 0.5 * (before.train[0] - engine.truth.bayes[0]) + 1e-12


@SETTINGS
@given(states)
def test_cleaning_dev_labels_moves_measured_dev_not_dev_true(bird, s):
    engine, turn = _engine(bird, s)
    engine.knobs.dev_noise[:] = max(s["dev_noise"], 0.5)
    before, after = ladder(engine.truth, engine.knobs, turn), _after(engine, "clean_dev_labels", turn)
    assert after.dev_true[0] == before.dev_true[0]
    floor = engine.truth.bayes[0] + engine.truth.bayes_gap[0]
    assert after.dev[0] < before.dev[0] or after.dev[0] == floor or before.dev[0] == 100.0  # clipped readings stay


@SETTINGS
@given(states)
def test_a_bigger_dev_set_shrinks_overfitting_and_sampling_noise(bird, s):
    engine, turn = _engine(bird, s)
    engine.knobs.rounds[:] = max(s["rounds"], 1)
    before, after = ladder(engine.truth, engine.knobs, turn), _after(engine, "bigger_dev_set", turn)
    assert after.overfit[0] < before.overfit[0]
    n_before = engine.knobs.n_dev
    small, big = sampling_sd(before.dev_true, n_before)[0], sampling_sd(before.dev_true, n_before * engine.amounts.dev_factor)[0]
    if 0.0 < before.dev_true[0] < 100.0:
        assert big < small
    else:  # an error of exactly 0 or 100% has no sampling noise to shrink
        assert big == small == 0.0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states, st.lists(st.sampled_from(ACTION_IDS), min_size=1, max_size=12))
def test_no_rung_is_below_its_bayes_floor_or_above_100(bird, s, actions):
    engine, turn = _engine(bird, s)
    for action in actions:
        apply_actions(engine.knobs, np.array([ACTION_INDEX[action]]), Params(np.array([0]), np.array([0.5])),
                      engine.amounts)
        lad = ladder(engine.truth, engine.knobs, turn)
        floor_train = engine.truth.bayes[0]
        floor_target = floor_train + engine.truth.bayes_gap[0]
        for rung in ("train", "train_dev"):
            assert floor_train <= getattr(lad, rung)[0] <= 100.0
        for rung in ("dev_true", "dev", "test", "real"):
            assert floor_target <= getattr(lad, rung)[0] <= 100.0


def test_a_playthrough_does_not_depend_on_the_rest_of_its_batch(bird):
    """The same seed gives bit-identical numbers alone or among 300 others (lint and a single game agree)."""
    case = bird[0]
    alone = Engine(case, [42])
    crowd = Engine(case, list(range(100)) + [42] + list(range(1000, 1199)))
    row = 100
    rng = np.random.default_rng(3)
    codes = [ACTION_INDEX[a] for a in case.actions if a != "ship"]
    for _ in range(10):
        if alone.pending[0] >= 0:
            moves_alone = np.array([-1])
        else:
            moves_alone = np.array([rng.choice(codes)])
        crowd_moves = np.full(crowd.batch, -1)
        crowd_moves[row] = moves_alone[0]
        option = np.zeros(crowd.batch, dtype=int)
        from sim.game.engine import Moves
        alone.step(Moves(moves_alone, np.array([0]), np.array([-1]), np.array([1.0])))
        crowd.step(Moves(crowd_moves, option, np.full(crowd.batch, -1), np.ones(crowd.batch)))
        a, c = alone.visible(), crowd.visible()
        for rung in ("train", "train_dev", "dev", "test", "human"):
            x, y = getattr(a, rung)[0], getattr(c, rung)[row]
            assert (np.isnan(x) and np.isnan(y)) or x == y, rung
        assert alone.week[0] == crowd.week[row]
