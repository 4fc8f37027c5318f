"""The vectorised model agrees with the scalar plain-Python reference to 1e-9 on random states."""

from __future__ import annotations

import numpy as np
import pytest

from sim.game.engine import Engine
from sim.model import ACTION_IDS, ACTION_INDEX, Params, apply_actions, ladder
from tests import reference_model as ref

TRUTH_KEYS = ("bayes", "bayes_gap", "A", "S", "V", "a", "b", "mismatch_scale", "gamma", "k_overfit", "world_shift",
              "real_noise", "transfer_data", "transfer_half", "multitask_data", "e2e_floor", "e2e_threshold")


def _random_engine(bird, batch: int, rng: np.random.Generator) -> Engine:
    case, _ = bird
    engine = Engine(case, rng.integers(0, 10**9, size=batch))
    k, t = engine.knobs, engine.truth
    # Wander far from the case's start so every term of the law is exercised.
    k.level[:] = rng.integers(0, 8, batch)
    k.effort[:] = rng.uniform(0.3, 8, batch)
    k.opt[:] = rng.uniform(0.2, 1, batch)
    k.arch[:] = rng.uniform(0.3, 1, batch)
    k.reg[:] = rng.uniform(0, 3, batch)
    k.aug[:] = rng.uniform(0, 3, batch)
    k.n_other[:] = rng.choice([0, 1e5, 3e6], batch)
    k.n_syn[:] = rng.choice([0, 2e5, 5e6], batch)
    k.syn_variety[:] = rng.uniform(0, 1, batch)
    k.n_dev[:] = rng.choice([500, 1e4, 1e5], batch)
    k.dev_noise[:] = rng.uniform(0, 2, batch)
    k.train_noise_random[:] = rng.uniform(0, 5, batch)
    k.train_noise_systematic[:] = rng.uniform(0, 1, batch)
    k.transfer[:] = rng.integers(0, 2, batch)
    k.multitask[:] = rng.integers(0, 2, batch)
    k.e2e[:] = rng.integers(0, 2, batch)
    k.rounds[:] = rng.integers(0, 40, batch)
    k.cat_residual[:] = rng.uniform(0.1, 1, k.cat_residual.shape)
    for name, low, high in (("transfer_data", 0, 1e6), ("transfer_half", 1e3, 1e5), ("multitask_data", 0, 5e5),
                            ("e2e_floor", 0, 2), ("e2e_threshold", 1e5, 1e8), ("bayes_gap", 0, 1)):
        getattr(t, name)[:] = rng.uniform(low, high, batch)
    return engine


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_vectorised_step_matches_the_scalar_reference(bird, seed):
    rng = np.random.default_rng(seed)
    batch = 200
    engine = _random_engine(bird, batch, rng)
    case = bird[0]
    offered = [a for a in ACTION_IDS if a in case.actions]
    actions = np.array([ACTION_INDEX[a] for a in rng.choice(offered, batch)])
    categories = rng.integers(-1, len(case.categories), batch)
    variety = rng.uniform(0, 1, batch)
    turn = rng.integers(0, 60, batch)
    before = engine.knobs.copy()
    apply_actions(engine.knobs, actions, Params(categories, variety), engine.amounts)
    got = ladder(engine.truth, engine.knobs, turn)
    a = engine.amounts
    amounts = {"collect_factor": a.collect_factor, "target_amount": a.target_amount,
               "synthetic_amount": a.synthetic_amount, "dev_factor": a.dev_factor,
               "category_fix": a.category_fix.tolist()}
    t = engine.truth
    for i in range(batch):
        truth = {key: float(getattr(t, key)[i]) for key in TRUTH_KEYS}
        truth["cat_share"] = t.cat_share[i].tolist()
        z = (float(t.draws.dev(turn)[i]), float(t.draws.test(np.zeros(batch, dtype=int))[i]), float(t.draws.real()[i]))
        knobs, rungs = ref.step(truth, before.row(i), ACTION_IDS[actions[i]], int(categories[i]), float(variety[i]),
                                amounts, z)
        for name, value in knobs.items():
            np.testing.assert_allclose(engine.knobs.row(i)[name], value, rtol=1e-9, atol=1e-9, err_msg=name)
        for rung, value in rungs.items():
            assert abs(getattr(got, rung)[i] - value) <= 1e-9 * max(1.0, abs(value)), (rung, ACTION_IDS[actions[i]])
