"""Policies that play a case: the expert (the rules as a policy) and a random player, vectorised."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from sim.coach.diagnose import GAPS, NONE, SURPASSED, UNKNOWN, diagnose_batch
from sim.coach.judge import SIGNIFICANT_SHARE, TEST_CHECK_ROUNDS, TRANSFER_RATIO
from sim.coach.visible import Visible
from sim.model import ACTION_IDS, ACTION_INDEX, ACTIONS, TAPE_TURNS, SeedDraws
from sim.scenario.schema import Case

SHIP = ACTION_INDEX["ship"]
SMALL_GAP = 0.3  # points: below this the expert's next fix is not worth a training run


@dataclass(frozen=True)
class Picks:
    """A policy's move per row: action code (or -1 while answering), option, category, variety."""

    action: np.ndarray
    option: np.ndarray
    category: np.ndarray
    variety: np.ndarray


class _Chooser:
    """Assigns the first rule that matches each still-undecided row."""

    def __init__(self, vis: Visible, case: Case):
        b = vis.batch
        self.vis, self.case = vis, case
        self.action = np.full(b, -1)
        self.category = np.full(b, -1)
        self.variety = np.ones(b)
        self.ship_weeks = case.actions["ship"].weeks

    def open(self) -> np.ndarray:
        return self.action < 0

    def pick(self, mask, action: str, category=None, variety: float = 1.0) -> None:
        if action not in self.case.actions:
            return
        code = ACTION_INDEX[action]
        affordable = self.vis.weeks_needed[:, code] + self.ship_weeks <= self.vis.weeks_left
        sel = np.asarray(mask, dtype=bool) & self.open() & affordable
        self.action[sel] = code
        if category is not None:
            self.category[sel] = np.broadcast_to(category, sel.shape)[sel]
        self.variety[sel] = variety


def expert(vis: Visible, case: Case, pending: np.ndarray) -> Picks:
    """The strategy rules as a policy: measure what is missing, attack the largest gap, ship when gains are small."""
    c = _Chooser(vis, case)
    facts = case.coach
    g = diagnose_batch(vis.human, vis.train, vis.train_dev, vis.dev, vis.test, vis.differ)
    c.pick(vis.metric_problem, "change_metric")
    c.pick(vis.devset_stale, "change_dev_test")
    c.pick(g.missing_human, "measure_human_level")
    c.pick(g.missing_train_dev, "carve_train_dev")
    long_run = vis.run_weeks >= facts.long_run_weeks
    c.pick(long_run & ~vis.faster_hardware, "faster_hardware")
    c.pick(long_run & ~vis.subset, "train_on_subset")
    t = facts.transfer
    if t and t.same_input and t.features_help:
        c.pick(~vis.transfer_used & (t.source_examples >= TRANSFER_RATIO * np.maximum(vis.n_target, 1)),
               "transfer_learning")
    m = facts.multitask
    if m and m.shared_features and m.similar_data:
        c.pick(~vis.multitask_used, "multi_task_learning")
    c.pick(~vis.e2e & (vis.data >= vis.e2e_threshold), "end_to_end")
    c.pick(vis.e2e & (vis.data < vis.e2e_threshold), "pipeline")
    if facts.train_label_noise == "systematic":
        c.pick(~vis.labels_cleaned, "clean_train_labels")
    c.pick(vis.rounds_since_test >= TEST_CHECK_ROUNDS, "evaluate_test")
    c.pick(g.problem("dev_overfitting"), "bigger_dev_set")

    worth = np.nanmax(np.where(g.problems, g.gaps, -np.inf), axis=1) >= SMALL_GAP
    primary = g.primary
    has_categories = bool(case.categories)
    # Error analysis, then the largest category (or the mislabelled share) with its own fix.
    analyse = worth & ((primary == GAPS.index("data_mismatch")) | (primary == SURPASSED))
    if has_categories:
        c.pick(analyse & ~vis.ea_fresh, "error_analysis")
        mislabelled = np.where(np.isnan(vis.ea_mislabelled), 0.0, vis.ea_mislabelled)
        seen = vis.ea_shares if vis.ea_shares.shape[1] == len(case.categories) else np.full(
            (vis.batch, len(case.categories)), np.nan)  # a view built from a bare ladder has no analysis
        shares = np.where(np.isnan(seen), -1.0, seen)
        largest = np.argmax(shares, axis=1)
        largest_share = shares[np.arange(vis.batch), largest]
        c.pick(analyse & vis.ea_done & (mislabelled >= np.maximum(largest_share, SIGNIFICANT_SHARE)),
               "clean_dev_test_labels")
        # A category is worth its fix only when it tops the table (mislabelled included) or is large on its own;
        # otherwise the gap's general remedy below is the better use of the weeks.
        worth_fix = (largest_share > 0) & ((largest_share >= mislabelled) | (largest_share >= SIGNIFICANT_SHARE))
        for k, category in enumerate(case.categories):
            fix = category.fixed_by[0]
            c.pick(analyse & vis.ea_done & (largest == k) & worth_fix, fix, category=k)
    c.pick(worth & (primary == SURPASSED), "collect_more_data")
    bias = worth & (primary == GAPS.index("avoidable_bias"))
    c.pick(bias & ~vis.bigger_breaks, "bigger_network")
    c.pick(bias, "train_longer")
    c.pick(bias, "better_optimizer")
    c.pick(bias & vis.regularized, "reduce_regularization")
    c.pick(bias, "architecture_search")
    variance = worth & (primary == GAPS.index("variance"))
    c.pick(variance, "collect_more_data")
    c.pick(variance, "data_augmentation")
    c.pick(variance, "add_regularization")
    mismatch = worth & (primary == GAPS.index("data_mismatch"))
    c.pick(mismatch, "collect_target_data")
    c.pick(mismatch, "synthesize_data", variety=1.0)
    c.action[c.open()] = SHIP
    option = np.full(vis.batch, -1)
    for d, decision in enumerate(case.decisions):
        best = next(i for i, o in enumerate(decision.options) if o.verdict == "aligned")
        option[pending == d] = best
    return Picks(np.where(pending >= 0, -1, c.action), option, c.category, c.variety)


class RandomPolicy:
    """Uniform over the case's actions and the options of a decision, from each seed's policy draws."""

    def __init__(self, case: Case, draws: SeedDraws):
        self.case = case
        self.codes = np.array([ACTION_INDEX[a] for a in case.actions])
        self.tape = draws.policy  # (B, TAPE_TURNS, 4)

    def take(self, rows: np.ndarray) -> "RandomPolicy":
        """The same player for the rows still playing."""
        narrowed = copy.copy(self)
        narrowed.tape = self.tape[rows]
        return narrowed

    def __call__(self, vis: Visible, case: Case, pending: np.ndarray, turn: np.ndarray) -> Picks:
        rows = np.arange(vis.batch)
        u = self.tape[rows, np.minimum(turn, TAPE_TURNS - 1)].astype(np.float64)
        action = self.codes[np.minimum((u[:, 0] * len(self.codes)).astype(int), len(self.codes) - 1)]
        option = np.full(vis.batch, -1)
        for d, decision in enumerate(case.decisions):
            n = len(decision.options)
            option = np.where(pending == d, np.minimum((u[:, 1] * n).astype(int), n - 1), option)
        k = len(case.categories)
        category = np.where(u[:, 2] < 0.5, -1, np.minimum((u[:, 2] * 2 - 1) * k, k - 1).astype(int)) if k else np.full(vis.batch, -1)
        variety = np.where(u[:, 3] < 0.5, 0.1, 0.9)
        # A random player only names a category for an action that fixes it.
        fixes = np.array([[ACTION_IDS[a] in cat.fixed_by for cat in case.categories] for a in range(len(ACTION_IDS))]) if k else None
        if k:
            ok = fixes[action, np.maximum(category, 0)] & (category >= 0)
            category = np.where(ok, category, -1)
        return Picks(np.where(pending >= 0, -1, action), option, category, variety)
