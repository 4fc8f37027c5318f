"""The vectorised model agrees with the scalar plain-Python reference to 1e-9 on random states."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest

from sim.game.engine import Engine
from sim.model import ACTION_IDS, ACTION_INDEX, Noise, Params, apply_actions, ladder
from tests import reference_model as ref

RUNGS = ("train", "train_dev", "dev", "test", "real", "real_true", "target_true", "dev_true", "bias", "variance",
         "mismatch", "overfit")


def _wander(engine: Engine, rng: np.random.Generator) -> None:
    """Move every knob far from the case's start so every term of the law is exercised."""
    b = engine.batch
    for k in (engine.plan, engine.model, engine.sets):
        k.level[:] = rng.integers(0, 8, b)
        k.effort[:] = rng.uniform(0.3, 8, b)
        k.opt[:] = rng.uniform(0.2, 1, b)
        k.arch[:] = rng.uniform(0.5, 1, b)
        k.reg[:] = rng.uniform(0, 3, b)
        k.aug[:] = rng.uniform(0, 3, b)
        k.n_target[:] = rng.choice([1e3, 5e4, 2e6], b)
        k.n_other[:] = rng.choice([0, 1e5, 3e6], b)
        k.n_syn[:] = rng.choice([0, 2e5, 5e6], b)
        k.syn_variety[:] = rng.uniform(0, 1, b)
        k.n_dev[:] = rng.choice([500, 1e4, 1e5], b)
        k.n_train_dev[:] = rng.choice([0, 2e3], b)
        k.dev_target[:] = rng.choice([1.0, 0.3], b)
        k.test_target[:] = rng.choice([1.0, 0.0], b)
        k.dev_noise[:] = rng.uniform(0, 2, b)
        k.test_noise[:] = rng.uniform(0, 2, b)
        k.train_noise_random[:] = rng.uniform(0, 5, b)
        k.train_noise_systematic[:] = rng.uniform(0, 1, b)
        k.transfer[:] = rng.integers(0, 2, b)
        k.multitask[:] = rng.integers(0, 2, b)
        k.e2e[:] = rng.integers(0, 2, b)
        k.rounds[:] = rng.integers(0, 40, b)
        k.metric_gap[:] = rng.uniform(0, 1, b)
        k.devset_gap[:] = rng.uniform(0, 1, b)
        k.metric_ref[:] = rng.uniform(0, 1, b)
        k.devset_ref[:] = rng.uniform(0, 1, b)
        k.cat_residual[:] = rng.uniform(0.1, 1, k.cat_residual.shape)
    # The truth is drawn once per seed and never edited in place: a wandered one is a new truth.
    engine.truth = engine.world_truth = engine.truth.replace(**{
        name: rng.uniform(low, high, b)
        for name, low, high in (("transfer_data", 0, 1e6), ("transfer_half", 1e3, 1e5), ("multitask_data", 0, 5e5),
                                ("e2e_floor", 0, 2), ("e2e_threshold", 1e5, 1e8), ("bayes_gap", 0, 1), ("M", 0, 5))})


def _truth_row(engine: Engine, i: int) -> dict:
    t = engine.truth
    row = {f.name: float(getattr(t, f.name)[i]) for f in fields(t) if f.name not in ("cat_share", "draws")}
    row["cat_share"] = t.cat_share[i].tolist()
    return row


@pytest.mark.parametrize("aimed", [True, False], ids=["aims-moved", "aims-untouched"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_step_matches_the_scalar_reference(bird, seed, aimed):
    rng = np.random.default_rng(seed)
    case, batch = bird[0], 200
    engine = Engine(case, rng.integers(0, 10**9, size=batch))
    _wander(engine, rng)
    if not aimed:  # the law skips the aim's terms when no row has moved one: the same numbers either way
        for k in (engine.plan, engine.model, engine.sets):
            for name in ("metric_gap", "devset_gap", "metric_ref", "devset_ref"):
                getattr(k, name)[:] = 0.0
    offered = [a for a in ACTION_IDS if a in case.actions]
    actions = np.array([ACTION_INDEX[a] for a in rng.choice(offered, batch)])
    categories = rng.integers(-1, len(case.categories), batch)
    variety = rng.uniform(0, 1, batch)
    z = Noise(*(rng.standard_normal(batch) for _ in range(5)))
    world = (rng.uniform(0, 2, batch), rng.uniform(0, 2, batch)) if aimed else (np.zeros(batch), np.zeros(batch))
    before = engine.plan.copy()
    apply_actions(engine.plan, actions, Params(categories, variety), engine.amounts)
    # The plan just trained, measured on the sets it had before (a run, not a new dev set, in between).
    got = ladder(engine.truth, engine.plan, engine.sets, z, world)
    a = engine.amounts
    amounts = {"collect_factor": a.collect_factor, "target_amount": a.target_amount,
               "synthetic_amount": a.synthetic_amount, "dev_factor": a.dev_factor,
               "category_fix": a.category_fix.tolist()}
    for i in range(batch):
        knobs = ref.apply(ACTION_IDS[actions[i]], before.row(i), int(categories[i]), float(variety[i]), amounts)
        for name, value in knobs.items():
            np.testing.assert_allclose(engine.plan.row(i)[name], value, rtol=1e-9, atol=1e-9, err_msg=name)
        zi = {name: float(getattr(z, name)[i]) for name in ("train", "train_dev", "dev", "test", "real")}
        rungs = ref.ladder(_truth_row(engine, i), knobs, engine.sets.row(i), zi, (world[0][i], world[1][i]))
        for rung in RUNGS:
            value = rungs[rung]
            assert abs(getattr(got, rung)[i] - value) <= 1e-9 * max(1.0, abs(value)), (rung, ACTION_IDS[actions[i]])


def test_a_big_batch_reads_a_shared_truth_as_plain_numbers_and_gets_the_same_rungs(bird, monkeypatch):
    """Above SHARED_FROM_ROWS the law reads the fields every row shares as floats: the rungs must not move."""
    from sim.model import truth as truth_module

    rng = np.random.default_rng(7)
    batch = truth_module.SHARED_FROM_ROWS + 100
    engine = Engine(bird[0], rng.integers(0, 10**9, size=batch))
    _wander(engine, rng)
    z = Noise(*(rng.standard_normal(batch) for _ in range(5)))
    fast = ladder(engine.truth, engine.plan, engine.sets, z)
    assert any(isinstance(getattr(engine.truth.shared, f.name), float) for f in fields(engine.truth))
    monkeypatch.setattr(truth_module, "SHARED_FROM_ROWS", 10**9)
    plain = ladder(engine.truth.replace(), engine.plan, engine.sets, z)  # a new truth: nothing cached
    for rung in RUNGS:
        np.testing.assert_allclose(getattr(fast, rung), getattr(plain, rung), rtol=1e-12, atol=1e-12, err_msg=rung)
