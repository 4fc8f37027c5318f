"""Numbers that would break the model are refused at validation, and the model stays finite at its edges."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.coach.score import outcome_points
from sim.game.engine import Engine
from sim.model import ladder

BIRD = (Path(__file__).resolve().parent / "fixtures" / "base-case.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize("old, new, says", [
    ("  n_target: 9_800_000", "  n_target: 0", "no training data"),
    ("  n_dev: 100_000", "  n_dev: 0", "start.n_dev is 0"),
    ("  gamma: 1.0", "  gamma: -3", "truth.gamma is -3"),
    ("  bayes: {between: [0.15, 0.3]}", "  bayes: {between: [0.15, 150]}", "truth.bayes is 150"),
    ("budget_weeks: 52", "budget_weeks: 1e999", "budget_weeks: this number is too large"),
    ("  ship: {weeks: 1}", "  ship: {weeks: 100}", "could never ship"),
])
def test_values_that_break_the_model_are_refused_with_their_place(tmp_path, capsys, old, new, says):
    assert old in BIRD
    path = tmp_path / "broken.yaml"
    path.write_text(BIRD.replace(old, new), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    err = capsys.readouterr()
    text = err.out + err.err
    assert says in text and f"{path}:" in text


def test_the_law_stays_finite_with_no_training_data(bird):
    engine = Engine(bird[0], np.arange(20))
    engine.plan.n_target[:] = 0.0
    lad = ladder(engine.truth, engine.plan, engine.plan, engine.noise())
    for rung in ("train", "train_dev", "dev_true", "dev", "test", "real", "real_true"):
        assert np.isfinite(getattr(lad, rung)).all() and (getattr(lad, rung) <= 100).all(), rung


def test_a_non_finite_outcome_scores_zero():
    points = outcome_points([2.0, 2.0], [np.nan, 1.0], [1.0, np.nan], [True, True], [True, True])
    assert points.tolist() == [0, 0]
