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
    from dataclasses import fields

    from sim.game import Game, play_policy
    from sim.game.engine import Engine
    from sim.game.runner import _expert_runs
    from sim.model import ACTION_INDEX, Noise, Params, apply_actions, ladder
    from sim.model import noise as noise_streams
    from sim.scenario import load
    from tests import reference_model as ref

    case, digest = load("bird-detection")
    engine = Engine(case, np.arange(BATCH))
    rng = np.random.default_rng(0)
    codes = np.array([ACTION_INDEX[a] for a in case.actions if a != "ship"])
    actions = rng.choice(codes, size=BATCH)
    params = Params.none(BATCH)
    plan, sets = engine.plan.copy(), engine.sets
    key, model_id = engine.truth.draws.key, np.zeros(BATCH, dtype=np.int64)
    zero = np.zeros(BATCH, dtype=np.int64)

    def batch_step():
        # One step of the model: each row's action, a new model, its readings' noise, every rung.
        apply_actions(plan, actions, params, engine.amounts)
        model_id[:] += 1
        z = noise_streams.readings(key, model_id, {kind: zero for kind in range(1, 6)})
        z = Noise(*(z[kind] for kind in range(1, 6)))
        ladder(engine.truth, plan, sets, z)

    # The scalar reference on one row (same truth and knobs as row 0).
    t = {f.name: (getattr(engine.truth, f.name)[0].tolist()) for f in fields(engine.truth) if f.name != "draws"}
    k, measured = engine.plan.row(0), engine.sets.row(0)
    amounts = {"collect_factor": engine.amounts.collect_factor, "target_amount": engine.amounts.target_amount,
               "synthetic_amount": engine.amounts.synthetic_amount, "dev_factor": engine.amounts.dev_factor,
               "category_fix": engine.amounts.category_fix.tolist()}
    names = [a for a in case.actions if a != "ship"]
    z1 = {"train": 0.1, "train_dev": -0.2, "dev": 0.3, "test": 0.0, "real": 0.5}
    n_scalar = 4_000

    def scalar_steps():
        for i in range(n_scalar):
            knobs = ref.apply(names[i % len(names)], k, -1, 1.0, amounts)
            ref.ladder(t, knobs, measured, z1, (0.0, 0.0))

    # Batch and scalar timed in adjacent pairs, so both see the same state of a shared machine: the ratio is
    # the median of the pairs' ratios (timing the two phases apart lets a neighbour's load swing it by 2x).
    batch_step()
    scalar_steps()
    batch_times, scalar_times, ratios = [], [], []
    for _ in range(15):
        batch_s, scalar_s = _median_time(batch_step, 3), _median_time(scalar_steps, 1)
        batch_times.append(batch_s)
        scalar_times.append(scalar_s)
        ratios.append((BATCH / batch_s) / (n_scalar / scalar_s))

    def expert_game():
        _expert_runs.clear()  # honest: the outcome score re-plays the expert on this seed
        game = play_policy(Game(case, digest, 7), "expert")
        game.result()

    expert_game()
    game_s = _median_time(expert_game, 9)
    return {
        "batch_steps_per_s": round(BATCH / statistics.median(batch_times)),
        "scalar_steps_per_s": round(n_scalar / statistics.median(scalar_times)),
        "batch_vs_scalar": round(statistics.median(ratios), 1),
        "headless_game_ms": round(game_s * 1000, 2),
    }
