"""Policies that play a case: the expert (the rules as a policy) and a random player, vectorised.

The expert reads the same Situation the judge does (sim.coach.situation), so what it does next is, by
construction, what the coach calls aligned: measure what is missing, fix the aim, attack the largest gap
with its best knob within the budget, and ship when what is left gains little per week.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from sim.coach.situation import Situation
from sim.coach.visible import Visible
from sim.model import ACTION_IDS, ACTION_INDEX, TAPE_TURNS, SeedDraws
from sim.scenario.schema import Case

SHIP = ACTION_INDEX["ship"]
ITERATION = ("faster_hardware", "train_on_subset")


@dataclass(frozen=True)
class Picks:
    """A policy's move per row: action code (or -1 while answering), option, category, variety."""

    action: np.ndarray
    option: np.ndarray
    category: np.ndarray
    variety: np.ndarray


class _Chooser:
    """Assigns the first rule that matches each still-undecided row, if the case offers it and it fits the budget."""

    def __init__(self, s: Situation, skip: tuple[str, ...] = ()):
        b = s.batch
        self.s, self.skip = s, skip
        self.action = np.full(b, -1)
        self.category = np.full(b, -1)
        self.variety = np.ones(b)

    def open(self) -> np.ndarray:
        return self.action < 0

    def settled(self) -> bool:
        """Every row has its move: the rules after this point cannot change any (nor need their numbers)."""
        return not self.open().any()

    def pick(self, mask, action: str, category=None, variety: float = 1.0) -> None:
        if action not in self.s.case.actions or action in self.skip:
            return
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():  # most rules hold for no row: skip the budget look-up
            return
        sel = mask & self.open() & self.s.affordable(action)
        if not sel.any():
            return
        self.action[sel] = ACTION_INDEX[action]
        if category is not None:
            self.category[sel] = np.broadcast_to(category, sel.shape)[sel]
        self.variety[sel] = variety


def _choose(s: Situation, skip: tuple[str, ...] = ()) -> _Chooser:
    c = _Chooser(s, skip)
    vis = s.vis
    # A model past a satisficing threshold cannot ship: make it fit first.
    for action, rows in s.fit_moves():
        c.pick(rows, action)
    # The aim first: a target that misleads makes every later fix aim at the wrong thing.
    c.pick(s.metric_stale, "change_metric")
    c.pick(s.devset_stale | s.split_wrong, "change_dev_test")
    # Then what is needed to read the ladder.
    c.pick(s.human_unknown, "measure_human_level")
    c.pick(s.need_train_dev, "carve_train_dev")
    c.pick(s.slow_enough & s.speed_up_pays("faster_hardware"), "faster_hardware")
    c.pick(s.slow_enough & s.speed_up_pays("train_on_subset"), "train_on_subset")
    c.pick(s.transfer_holds & ~vis.transfer_used, "transfer_learning")
    c.pick(s.multitask_holds & ~vis.multitask_used, "multi_task_learning")
    c.pick(~vis.e2e & s.enough_for_e2e, "end_to_end")
    c.pick(vis.e2e & ~s.enough_for_e2e, "pipeline")
    c.pick(s.label_noise("systematic") & ~vis.labels_cleaned, "clean_train_labels")
    c.pick(s.test_due & s.test_unread, "evaluate_test")
    c.pick(s.overfit_problem & ~s.split_wrong, "bigger_dev_set")
    if c.settled():  # the forecasts below are the costly part of a move: not needed when no row is left
        return c
    # Error analysis where it is how to find the gains, then the best fix for its forecast points per week.
    if s.case.categories:
        c.pick(s.analyse, "error_analysis")
        c.pick(s.analyse & s.labels_big & ~vis.dev_labels_clean & s.good_value(s.mislabelled, "clean_dev_test_labels"),
               "clean_dev_test_labels")
    if c.settled():
        return c
    best = s.best_fix
    for j, fix in enumerate(s.ranked):
        c.pick(best == j, fix.action, category=fix.category if fix.category >= 0 else None, variety=fix.variety)
    # What is left gains less than the dev set can see: a bigger one lets the team keep improving.
    c.pick(s.resolution_limited, "bigger_dev_set")
    # A model trained before the dev/test sets changed must be retrained for them before it ships.
    c.pick(vis.retrain_due, "train_longer")
    return c


def expert(vis: Visible, case: Case, pending: np.ndarray, situation: Situation | None = None) -> Picks:
    """The strategy rules as a policy; decisions get their first aligned option."""
    s = situation if situation is not None else Situation(vis, case)
    c = _choose(s)
    c.action[c.open()] = SHIP
    option = np.full(vis.batch, -1)
    for d, decision in enumerate(case.decisions):
        best = next(i for i, o in enumerate(decision.options) if o.verdict == "aligned")
        option[pending == d] = best
    return Picks(np.where(pending >= 0, -1, c.action), option, c.category, c.variety)


def next_fix(s: Situation) -> np.ndarray:
    """The expert's next move as the ship verdict weighs it: speeding up the loop fixes nothing, so it is skipped,
    and the fixes it would make room for are weighed as if it were done."""
    c = _choose(s.without_speed_up(), skip=ITERATION)
    c.action[c.open()] = SHIP
    return c.action


class RandomPolicy:
    """Uniform over the case's actions and the options of a decision, from each seed's policy draws."""

    def __init__(self, case: Case, draws: SeedDraws):
        self.case = case
        self.codes = np.array([ACTION_INDEX[a] for a in case.actions])
        self.tape = draws.policy  # (B, TAPE_TURNS, 4)
        k = len(case.categories)
        # Which categories each action can be aimed at: a random player names one only where it fits.
        self.fixes = (np.array([[ACTION_IDS[a] in cat.fixed_by for cat in case.categories]
                                for a in range(len(ACTION_IDS))]) if k else None)

    def take(self, rows: np.ndarray) -> "RandomPolicy":
        """The same player for the rows still playing."""
        narrowed = copy.copy(self)
        narrowed.tape = self.tape[rows]
        return narrowed

    def __call__(self, vis: Visible, case: Case, pending: np.ndarray, turn: np.ndarray, situation=None) -> Picks:
        rows = np.arange(vis.batch)
        u = self.tape[rows, np.minimum(turn, TAPE_TURNS - 1)].astype(np.float64)
        # The u-th of the actions on this row's menu (every action the case lists, unless it holds some back).
        menu = vis.offered[:, self.codes]
        counts = menu.sum(axis=1)
        nth = np.minimum((u[:, 0] * counts).astype(int), np.maximum(counts - 1, 0))
        action = self.codes[np.argmax(menu & (np.cumsum(menu, axis=1) - 1 == nth[:, None]), axis=1)]
        option = np.full(vis.batch, -1)
        for d, decision in enumerate(case.decisions):
            n = len(decision.options)
            option = np.where(pending == d, np.minimum((u[:, 1] * n).astype(int), n - 1), option)
        k = len(case.categories)
        category = (np.where(u[:, 2] < 0.5, -1, np.minimum((u[:, 2] * 2 - 1) * k, k - 1).astype(int)) if k
                    else np.full(vis.batch, -1))
        variety = np.where(u[:, 3] < 0.5, 0.1, 0.9)
        if k:
            ok = self.fixes[action, np.maximum(category, 0)] & (category >= 0)
            category = np.where(ok, category, -1)
        return Picks(np.where(pending >= 0, -1, action), option, category, variety)
