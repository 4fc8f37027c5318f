"""Seeded variants: the seed picks each ranged number, the same seed always the same values, recorded in the result."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.game import Game, play_policy
from sim.scenario import CaseError
from sim.scenario.loader import load_case_bytes
from sim.scenario.schema import Between, OneOf
from sim.model import seed_draws
from sim.scenario.variants import resolve, variant_values

SEEDS = np.arange(2000)
UNIFORMS = seed_draws(SEEDS).variant


def test_same_seed_same_values_whatever_the_batch(bird):
    case, _ = bird
    alone = variant_values(case, 1234)
    taken = resolve(case, seed_draws([5, 1234, 9]).variant).taken
    in_batch = {".".join(path): float(values[1]) for path, values in taken.items()}
    assert alone == in_batch == variant_values(case, 1234)
    assert variant_values(case, 1235) != alone


def test_ranges_and_choices_stay_in_bounds_and_cover_them(bird):
    case, _ = bird
    truth = resolve(case, UNIFORMS).truth
    low, high = case.truth["bayes"].between
    assert truth["bayes"].min() >= low and truth["bayes"].max() <= high
    assert truth["bayes"].max() - truth["bayes"].min() > 0.9 * (high - low)
    assert np.all(truth["bayes_gap"] == 0.0)  # plain numbers stay plain


def test_one_of_picks_each_member_about_equally(bird):
    case, _ = bird
    varied = case.model_copy(update={"truth": {**case.truth, "gamma": OneOf(one_of=[0.5, 1.0, 2.0])}})
    truth = resolve(varied, UNIFORMS).truth
    values, counts = np.unique(truth["gamma"], return_counts=True)
    assert list(values) == [0.5, 1.0, 2.0]
    assert counts.min() > 0.28 * len(SEEDS)


def test_each_number_draws_independently_of_the_others(bird):
    case, _ = bird
    before = resolve(case, UNIFORMS).truth
    more = case.model_copy(update={"truth": {**case.truth, "gamma": Between(between=(0.5, 2.0))}})
    after = resolve(more, UNIFORMS).truth
    assert np.array_equal(before["bayes"], after["bayes"])  # adding a range elsewhere leaves this one alone
    assert abs(np.corrcoef(after["bayes"], after["gamma"])[0, 1]) < 0.1


def test_variant_draws_look_uniform_and_independent():
    u = UNIFORMS
    assert u.min() >= 0 and u.max() < 1
    assert abs(u[:, 0].mean() - 0.5) < 0.02
    assert abs(np.corrcoef(u[:, 0], u[:, 1])[0, 1]) < 0.1
    assert abs(np.corrcoef(u[:-1, 0], u[1:, 0])[0, 1]) < 0.1  # neighbouring seeds are unrelated


def test_the_result_records_the_values_used(bird):
    case, digest = bird
    result = play_policy(Game(case, digest, 42), "expert").result()
    ranged = {f"truth.{key}" for key, value in case.truth.items() if not isinstance(value, (int, float))}
    ranged |= {f"start.{key}" for key, value in case.start.items() if not isinstance(value, (int, float))}
    ranged |= {f"categories.{c.id}.share" for c in case.categories if not isinstance(c.share, (int, float))}
    assert ranged and set(result["variant"]) == ranged
    assert result["variant"] == pytest.approx(variant_values(case, 42), abs=1e-6)


def test_numbers_the_player_is_told_cannot_vary(bird):
    raw = (Path(__file__).resolve().parent / "fixtures" / "base-case.yaml").read_text(encoding="utf-8")
    for old, new, where in [
        ("budget_weeks: 52", "budget_weeks: {between: [40, 60]}", "budget_weeks"),
        ("{metric: inference_s, max: 10,", "{metric: inference_s, max: {one_of: [5, 10]},", "constraints.0.max"),
        ("  ship: {weeks: 1}", "  ship: {weeks: {between: [1, 2]}}", "actions.ship.weeks"),
    ]:
        with pytest.raises(CaseError) as err:
            load_case_bytes(raw.replace(old, new).encode(), "case.yaml")
        (problem,) = err.value.problems
        assert problem.message.startswith(f"{where} cannot vary by seed: the player is told it")
    with pytest.raises(CaseError) as err:
        load_case_bytes(raw.replace("share: 0.4,", "share: 0.4, fix: {between: [0.5, 0.8]},").encode(), "case.yaml")
    assert err.value.problems[0].message.startswith("categories.0.fix cannot vary by seed")


def test_category_shares_may_vary_and_each_seed_takes_its_own(bird):
    """A category's share is learned only from an error analysis's sample, so it may be a seeded variant."""
    raw = (Path(__file__).resolve().parent / "fixtures" / "base-case.yaml").read_text(encoding="utf-8")
    case = load_case_bytes(raw.replace("share: 0.4,", "share: {between: [0.3, 0.5]},").encode(), "case.yaml")
    numbers = resolve(case, UNIFORMS)
    shares, taken = numbers.shares, numbers.taken
    assert shares[:, 0].min() >= 0.3 and shares[:, 0].max() <= 0.5 and shares[:, 0].std() > 0.05
    assert np.array_equal(taken[("categories", "specks", "share")], shares[:, 0])
    assert np.all(shares[:, 1] == 0.25)
