"""The coach's forecast: what each fix should gain, from the ladder the team sees and the shape of learning curves.

A lead with experience knows how learning curves bend (a bigger network takes a share of the capacity part
of bias, twice the data takes a share of variance) but not this project's hidden constants. The forecast
fits the law's coefficients (sim.model.law) to the gaps on screen, using the case's typical exponents, and
asks the law what each candidate would change. A category fix is forecast from the error-analysis table:
its share of dev errors, times the share of it one fix removes. docs/rules.md, "What a fix is worth".
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.coach.visible import Visible
from sim.model import ACTION_INDEX, ACTIONS, Knobs, Params, Truth, apply_actions, calibrate, initial_knobs
from sim.model.law import real_true, terms
from sim.model.params import TRUTH_PARAMS
from sim.model.seeds import SeedDraws
from sim.scenario.amounts import action_amounts
from sim.scenario.schema import Between, Case, OneOf

VARIETIES = (0.1, 0.5, 1.0)  # what the menu calls low, medium and high
RANKED_FAMILIES = ("bias", "variance", "mismatch")  # fixes compared by what they buy per week


@dataclass(frozen=True)
class Candidate:
    action: str
    category: int  # -1: aimed at no category
    variety: float


def candidates(case: Case) -> tuple[Candidate, ...]:
    """Every (action, category, variety) the case offers: each category an action can be aimed at, both varieties."""
    out = []
    for action in case.actions:
        cats = [-1] + [k for k, c in enumerate(case.categories) if action in c.fixed_by]
        varieties = VARIETIES if action == "synthesize_data" else (1.0,)
        out += [Candidate(action, k, v) for k in cats for v in varieties]
    return tuple(out)


def ranked(case: Case) -> tuple[Candidate, ...]:
    """The fixes the forecast ranks: training runs that attack bias, variance or mismatch (or a category)."""
    return tuple(c for c in candidates(case) if ACTIONS[c.action].family in RANKED_FAMILIES
                 or (c.category >= 0 and ACTIONS[c.action].retrains))


def _typical(num) -> float:
    if isinstance(num, Between):
        return 0.5 * (num.between[0] + num.between[1])
    if isinstance(num, OneOf):
        return float(np.mean(num.one_of))
    return float(num)


def _gap(x: np.ndarray) -> np.ndarray:
    return np.maximum(np.nan_to_num(x, nan=0.0), 0.0)


_WORLDS: dict[int, tuple[Case, Truth, Knobs]] = {}  # by case identity (a Case holds lists: it cannot be hashed)


def _typical_world(case: Case) -> tuple[Truth, Knobs]:
    """The case's typical project: its start and truth at their typical values, calibrated at the first model."""
    kept = _WORLDS.get(id(case))
    if kept is not None and kept[0] is case:
        return kept[1], kept[2]
    start = {name: np.array([_typical(num)]) for name, num in case.start.items()}
    params = {name: np.array([_typical(case.truth[name])]) for name in TRUTH_PARAMS}
    knobs0 = initial_knobs(start, 1, len(case.categories))
    shares = np.array([[_typical(c.share) for c in case.categories]]).reshape(1, len(case.categories))
    draws = SeedDraws(np.zeros(1, dtype=np.uint64), np.zeros((1, 0)), np.zeros((1, 0, 0), dtype=np.float32))
    world = calibrate(params, shares, knobs0, draws, lenient=True)
    # Every field a float (the typical world is one row): the forecast's batches then carry only the fields
    # each row has its own value of (the law reads a float as every row's value).
    world = world.replace(**{f.name: float(getattr(world, f.name)[0]) for f in fields(world)
                             if f.name not in ("draws", "cat_share")})
    if len(_WORLDS) > 64:
        _WORLDS.clear()
    _WORLDS[id(case)] = (case, world, knobs0)
    return world, knobs0


def _fitted(vis: Visible, case: Case, gaps: np.ndarray) -> Truth:
    """The typical world, rescaled so the model on screen shows the gaps on screen.

    Calibrated once at the first model, the split of bias into capacity and under-training follows the knobs
    the team has moved since (an optimiser already improved twice has little under-training left to remove).
    """
    b = vis.batch
    typical, _ = _typical_world(case)
    rows = np.zeros(b, dtype=np.int64)
    truth = typical.take(rows).replace(bayes=np.nan_to_num(vis.human_best, nan=0.0), bayes_gap=0.0)
    now = terms(truth.shared, vis.model)

    def scale(seen: np.ndarray, predicted: np.ndarray) -> np.ndarray:
        seen = _gap(seen)
        return np.where(predicted > 1e-9, np.clip(seen / np.maximum(predicted, 1e-9), 0.0, 10.0), 0.0)

    bias_scale = scale(gaps[:, 0], now.bias)
    return truth.replace(A=truth.A * bias_scale, S=truth.S * bias_scale,
                         V=truth.V * scale(gaps[:, 1], now.variance),
                         M=truth.M * scale(gaps[:, 2], now.mismatch))


def forecast_gains(vis: Visible, case: Case, gaps: np.ndarray, items: tuple[Candidate, ...],
                   needed: np.ndarray | None = None) -> np.ndarray:
    """(B, len(items)) forecast drop of the users' error if each item's run were made now (points).

    `needed`: (B, len(items)) the (row, item) pairs anyone asks about; the others are left at 0 (a forecast
    costs a ladder row). A row's forecasts therefore never depend on which other rows share its batch.
    """
    b = vis.batch
    out = np.zeros((b, len(items)))
    if vis.plan is None or not items:
        return out
    asked = np.ones((b, len(items)), dtype=bool) if needed is None else np.asarray(needed, dtype=bool)
    if not asked.any():
        return out
    plan = vis.plan
    truth = _fitted(vis, case, gaps)
    table = np.nan_to_num(vis.ea_shares, nan=0.0) if vis.ea_shares.shape[1] == len(case.categories) else None
    for j, item in enumerate(items):
        if item.category >= 0 and table is not None and asked[:, j].any():
            # From the table: the category's share of dev errors is its ceiling; one fix removes part of it.
            strength = np.clip(item.variety, 0.0, 1.0) if item.action == "synthesize_data" else 1.0
            ceiling = case.categories[item.category].fix * strength * table[:, item.category] * vis.dev
            out[:, j] = np.where(asked[:, j], ceiling, 0.0)
    runs = np.array([j for j, item in enumerate(items) if item.category < 0], dtype=np.int64)
    rows, which = np.nonzero(asked[:, runs]) if runs.size else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if rows.size:
        # Every asked run in one ladder: row k of the stacked batch is row rows[k]'s plan with item
        # runs[which[k]] applied, beside the same plan retrained with nothing changed.
        each, back = np.unique(rows, return_inverse=True)
        retrained = plan.take(each)
        retrained.rounds = retrained.rounds + 1.0  # the run itself is a tuning round
        base = real_true(truth.take(each), retrained, retrained)[back]
        truth_k = truth.take(rows)
        tried = plan.take(rows)
        picked = runs[which]
        codes = np.array([ACTION_INDEX[item.action] for item in items])[picked]
        variety = np.array([item.variety for item in items], dtype=float)[picked]
        apply_actions(tried, codes, Params(np.full(codes.size, -1), variety), action_amounts(case))
        after = real_true(truth_k, tried, tried)
        out[rows, picked] = base - after
    return np.nan_to_num(out, nan=0.0)
