"""A re-play judges every turn of its games in one batch at the end; the record must be the one the game wrote turn by turn."""

from __future__ import annotations

import json

import pytest

from sim.game import Game, play_policy
from sim.game.choices import ChoiceError
from sim.game.playthroughs import replay_many
from sim.scenario import BUILTIN_IDS, load

CASES = list(BUILTIN_IDS)


def _played(case, digest, seeds):
    """Games played choice by choice (each turn judged as it is played): random and expert, alternately."""
    return [play_policy(Game(case, digest, seed), "random" if k % 2 else "expert").result()
            for k, seed in enumerate(seeds)]


def _same(a: dict, b: dict) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@pytest.mark.parametrize("case_id", CASES)
def test_a_replay_judged_at_the_end_writes_the_record_the_game_wrote_turn_by_turn(case_id):
    case, digest = load(case_id)
    results = _played(case, digest, range(4100, 4106))
    games = [(r["seed"], r["choices"]) for r in results]
    expert_real = [float(r["final"]["real_world_error"]) for r in results]  # any yardstick: the same on both sides
    together = replay_many(case, digest, games, expert_real)
    alone = [replay_many(case, digest, [g], [x])[0] for g, x in zip(games, expert_real)]
    for played, one, batched in zip(results, alone, together):
        assert _same(one, batched)
        # Everything the game itself recorded, verdicts, their sentences and points included, comes back the same.
        for key in ("id", "choices", "turns", "final", "variant"):
            assert _same(played[key], one[key]), key
        assert one["score"]["strategy"] == played["score"]["strategy"]


def test_a_replay_with_a_bad_choice_stops_that_game_alone():
    case, digest = load("bird-detection")
    good, other = _played(case, digest, [4200, 4201])
    broken = other["choices"][:2] + ["no_such_action"] + other["choices"][2:]
    out = replay_many(case, digest, [(good["seed"], good["choices"]), (other["seed"], broken)], [1.0, 1.0])
    assert isinstance(out[1], ChoiceError)
    assert _same(out[0]["turns"], good["turns"])


@pytest.mark.parametrize("case_id", ["bird-detection", "card-fraud"])
@pytest.mark.parametrize("policy", ["expert", "random", "anti-rule"])
def test_the_batch_runner_scores_the_same_whether_its_verdicts_wait_or_not(case_id, policy, monkeypatch):
    from sim.game import runner

    case, _ = load(case_id)
    seeds = list(range(300, 340))
    waited = runner.run_batch(case, seeds, policy)  # 40 rows: every step's verdicts wait for the end
    monkeypatch.setattr(runner, "DEFER_ROWS", 0)  # every step judged as it is played
    at_once = runner.run_batch(case, seeds, policy)
    for field in ("strategy", "verdict_counts", "rules", "path", "aligned_actions", "chosen_actions", "real_world"):
        assert (getattr(waited, field) == getattr(at_once, field)).all(), field
