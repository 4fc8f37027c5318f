"""Core speed: vectorised model steps, the scalar reference, and one headless expert game.

Targets on a 2-core machine: batch_steps_per_s ≥ 10,000,000 and ≥ 100× scalar_steps_per_s;
headless_game_ms ≤ 50.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

BATCH = 100_000


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure() -> dict[str, float]:
    from sim.game.engine import Engine
    from sim.game import Game, play_policy
    from sim.game.runner import _expert_cache
    from sim.model import ACTION_INDEX, Params, apply_actions, ladder
    from sim.scenario import load
    from tests.reference_model import step as reference_step

    case, digest = load("bird-detection")
    engine = Engine(case, np.arange(BATCH))
    rng = np.random.default_rng(0)
    codes = np.array([ACTION_INDEX[a] for a in case.actions if a != "ship"])
    actions = rng.choice(codes, size=BATCH)
    params = Params.none(BATCH)
    knobs = engine.knobs.copy()
    turn = np.zeros(BATCH, dtype=np.int64)

    def batch_step():
        apply_actions(knobs, actions, params, engine.amounts)
        ladder(engine.truth, knobs, turn)

    batch_step()
    batch_s = _median_time(batch_step, 15)

    # The scalar reference on one row (same truth and knobs as row 0).
    t = {name: (getattr(engine.truth, name)[0].tolist()) for name in
         ("bayes", "bayes_gap", "A", "S", "V", "a", "b", "mismatch_scale", "gamma", "k_overfit", "world_shift",
          "real_noise", "transfer_data", "transfer_half", "multitask_data", "e2e_floor", "e2e_threshold", "cat_share")}
    k = engine.knobs.row(0)
    amounts = {"collect_factor": engine.amounts.collect_factor, "target_amount": engine.amounts.target_amount,
               "synthetic_amount": engine.amounts.synthetic_amount, "dev_factor": engine.amounts.dev_factor,
               "category_fix": engine.amounts.category_fix.tolist()}
    names = [a for a in case.actions if a != "ship"]
    n_scalar = 20_000

    def scalar_steps():
        for i in range(n_scalar):
            reference_step(t, k, names[i % len(names)], -1, 1.0, amounts, (0.1, -0.2, 0.3))

    scalar_s = _median_time(scalar_steps, 5)

    def expert_game():
        _expert_cache.clear()  # honest: the outcome score re-plays the expert on this seed
        game = play_policy(Game(case, digest, 7), "expert")
        game.result()

    expert_game()
    game_s = _median_time(expert_game, 15)
    batch_rate = BATCH / batch_s
    scalar_rate = n_scalar / scalar_s
    return {
        "batch_steps_per_s": round(batch_rate),
        "scalar_steps_per_s": round(scalar_rate),
        "batch_vs_scalar": round(batch_rate / scalar_rate, 1),
        "headless_game_ms": round(game_s * 1000, 2),
    }
