"""The built-in cases: each loads, plays headless to the end, and rewards following the rules over playing at random."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from sim.cli import main
from sim.game import Game, play_policy
from sim.game.runner import expert_real_world, run_batch, totals
from sim.scenario import load
from sim.scenario.builtin import BUILTIN_IDS, list_cases

SEEDS = range(1, 51)
MIN_LOWER_REAL = 45  # seeds (of 50) on which the expert must reach a lower real-world error than random


@pytest.fixture(scope="module", params=BUILTIN_IDS)
def case(request):
    return load(request.param)


def test_every_builtin_case_is_listed():
    listed = {ref.id for ref in list_cases() if ref.builtin}
    assert set(BUILTIN_IDS) <= listed


def test_case_shape_meets_the_authoring_bar(case):
    """A briefing, 2-4 decisions, 2+ events, binding thresholds, and every decision answerable by the expert."""
    c, _ = case
    assert c.briefing.strip().startswith("#")
    assert 2 <= len(c.decisions) <= 4
    assert len(c.events) >= 2
    assert c.constraints
    assert all(any(o.verdict == "aligned" for o in d.options) for d in c.decisions)


@pytest.mark.parametrize("policy", ["expert", "random"])
def test_plays_to_the_end_headless(case, policy):
    c, digest = case
    game = play_policy(Game(c, digest, 3), policy)
    result = game.result()
    assert game.finished
    assert result["case"] == c.id
    assert result["final"]["real_world_error"] is not None
    assert result["choices"] and len(result["turns"]) == len(result["choices"])
    assert all(turn["explanation"] for turn in result["turns"])


def test_expert_path_is_a_plausible_project(case):
    """The expert ships within budget and meets every threshold; the coach, judging its moves from the noisy
    view a player has (the expert reads exact numbers), calls most of them aligned and few misaligned."""
    c, digest = case
    verdicts = []
    for seed in range(5, 15):
        result = play_policy(Game(c, digest, seed), "expert").result()
        actions = [t for t in result["choices"] if not t.startswith("answer ")]
        assert result["final"]["shipped"] and result["final"]["constraints_met"]
        assert result["final"]["weeks_used"] <= c.budget_weeks
        assert 6 <= len(actions) <= 60
        verdicts += [t["verdict"] for t in result["turns"]]
    assert verdicts.count("aligned") >= 0.7 * len(verdicts)
    assert verdicts.count("misaligned") <= 0.12 * len(verdicts)


def test_expert_beats_random_on_every_seed(case):
    c, digest = case
    expert = run_batch(c, SEEDS, "expert")
    random = run_batch(c, SEEDS, "random")
    expert_real = expert_real_world(c, digest, SEEDS)
    np.testing.assert_allclose(expert_real, expert.real_world)
    _, expert_total = totals(expert, expert_real)
    _, random_total = totals(random, expert_real)
    losing = [s for s, e, r in zip(SEEDS, expert_total, random_total) if e <= r]
    assert not losing, f"{c.id}: random scores at least the expert on seeds {losing}"
    lower = int(np.sum(expert.real_world < random.real_world))
    assert lower >= MIN_LOWER_REAL, f"{c.id}: expert reaches a lower real-world error on only {lower} of 50 seeds"
    assert expert.constraints_met.all() and expert.shipped.all()


@pytest.mark.parametrize("seed", [2, 11])
def test_cli_plays_the_expert_as_json(case, seed, capsys):
    c, digest = case
    assert main(["play", c.id, "--headless", "--policy", "expert", "--seed", str(seed), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["case"] == c.id and record["case_hash"] == digest and record["seed"] == seed
    assert record["final"]["shipped"] and record["final"]["constraints_met"]
    # The CLI plays exactly the game a Game object plays.
    assert record["choices"] == play_policy(Game(c, digest, seed), "expert").choices


def test_the_installed_command_plays_a_new_case():
    """What a newcomer types from the README, in a fresh process."""
    done = subprocess.run([sys.executable, "-m", "sim", "play", "in-car-speech", "--headless", "--policy", "expert",
                           "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["case"] == "in-car-speech"
