"""The situation the player is in, as named masks over the batch: computed once, read by the judge and the expert.

Every condition a verdict or the expert's next move rests on is stated here once, from what the player could
see (sim.coach.visible) and the case's briefing facts. The thresholds and their reasons are in docs/rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sim.coach.diagnose import (
    BIAS, MIN_PROBLEM, MISMATCH, NOISE_Z, OVERFIT, SURPASSED, VARIANCE, GapsBatch, diagnose_batch,
)
from sim.coach.forecast import VARIETIES, Candidate, forecast_gains, ranked
from sim.coach.visible import Visible
from sim.model import ACTION_INDEX, ACTIONS
from sim.scenario.amounts import metric_effects
from sim.scenario.limits import eases
from sim.scenario.schema import Case, CoachFacts

SIGNIFICANT_SHARE = 0.2  # a share of dev errors worth a fix on its own: a fifth (the mislabelled share; a bare ladder's categories)
LARGEST_SHARE_FLOOR = 0.1  # ... but being the largest counts only from a tenth of dev errors
REANALYSE_AFTER = 2  # training runs after which the last table is too old to aim a fix by
TINY_SHARE = 0.05  # a category under a twentieth of dev errors caps its fix so low it is never worth the weeks
VALUE_RATIO = 0.5  # ... and when its points per week are at least half the best fix's in the table
TEST_CHECK_ROUNDS = 4  # tuning rounds after which a look at test is due
TRANSFER_RATIO = 10.0  # task A needs this many times B's data for transfer to pay
SMALL_GAP = 0.3  # points: below this the expert's next fix is not worth a training run
SMALL_DATA_STEP = 0.25  # more data worth a run: at least a quarter more of what it adds to
LOW_VARIETY = 0.3  # synthetic data covering less of the real variety than this fits its own corner
MIN_MISLABELLED = 0.02  # a mislabelled share below 2% of errors is noise in a count of 100
FIX_VALUE_RATIO = 0.75  # a fix is a good use of the weeks at three quarters of the best forecast points per week
MIN_GAIN = 0.02  # points: a forecast gain below this is never worth a run (a gain hidden in noise still counts)
CLEAR_GAIN_SDS = 1.0  # shipping leaves a fix on the table when it gains one dev standard deviation (and 2 MIN_GAIN)
WEEKS_PER_SD = 5.0  # "ship when the gain per week is small": five weeks must buy at least one dev-set sd
MIN_RATE_SD = 0.05  # ... counting a dev set no finer than 0.05 points: chasing hundredths costs more weeks than it buys
MAX_DEV_GROWTH = 2  # a dev set is enlarged twice at most: the users' data it is drawn from is not endless


@dataclass(frozen=True)
class _Gaps:
    """Which gaps a fix may attack: the problems, or (once their fixes are spent) every real gap."""

    bias: np.ndarray
    variance: np.ndarray
    variance_leads: np.ndarray
    mismatch: np.ndarray


class Situation:
    """Masks and numbers for one batch of views: each property is computed on first use, then kept."""

    def __init__(self, vis: Visible, case: Case):
        self.vis, self.case = vis, case
        self.facts = case.coach
        self.batch = b = vis.batch
        # Bias is read against the best human level measured (human-level-as-bayes), whatever proxy the team took.
        self.g: GapsBatch = diagnose_batch(vis.human_best, vis.train, vis.train_dev, vis.dev, vis.test, vis.differ,
                                           vis.n_train, vis.n_train_dev, vis.n_dev, vis.n_test)
        self.all = np.ones(b, dtype=bool)
        self.none = np.zeros(b, dtype=bool)
        # A view built from a bare ladder (`mlsim diagnose`) carries no knobs: nothing to forecast, so the
        # course's rules alone decide (every fix of a problem gap is right; weeks are not weighed).
        self.forecasts = vis.plan is not None

    # ---- the ladder --------------------------------------------------------------------------
    @cached_property
    def human_unknown(self) -> np.ndarray:
        return self.g.missing_human

    @cached_property
    def need_train_dev(self) -> np.ndarray:
        return self.g.missing_train_dev

    @cached_property
    def unknown(self) -> np.ndarray:
        """The largest gap cannot be known yet: human level or a train-dev set is missing, or the dev/test sets do
        not hold the users' data (an earlier choice the coach called wrong), so no gap on screen is the users'."""
        return self.human_unknown | self.need_train_dev | self.vis.devset_flawed

    @cached_property
    def surpassed(self) -> np.ndarray:
        return self.g.surpassed & ~self.human_unknown

    def problem(self, gap: int) -> np.ndarray:
        return self.g.problems[:, gap]

    def primary_is(self, gap: int) -> np.ndarray:
        return self.g.primary == gap

    @cached_property
    def bias_problem(self) -> np.ndarray:
        # Not held back by a missing train-dev set: the diagnosis counts bias only when it dwarfs dev - train.
        return self.problem(BIAS) & ~self.human_unknown & ~self.vis.devset_flawed & ~self.surpassed

    @cached_property
    def variance_problem(self) -> np.ndarray:
        return self.problem(VARIANCE) & ~self.unknown

    @cached_property
    def variance_primary(self) -> np.ndarray:
        return self.primary_is(VARIANCE)

    @cached_property
    def mismatch_problem(self) -> np.ndarray:
        return self.problem(MISMATCH) & ~self.unknown

    @cached_property
    def overfit_problem(self) -> np.ndarray:
        return self.problem(OVERFIT)

    @cached_property
    def worth_a_run(self) -> np.ndarray:
        """The largest problem gap is worth a training run's weeks."""
        return self.g.largest >= SMALL_GAP

    @cached_property
    def analyse(self) -> np.ndarray:
        """Where error analysis is due: the case has error categories to count, the table (if any) is stale, and the
        errors the categories own (variance and mismatch) are a problem, or error is below human level."""
        owned = self.variance_problem | self.mismatch_problem | self.surpassed
        if not self.case.categories:  # a bare ladder: reading the errors is how to see how dev differs
            return self.worth_a_run & owned & ~self.forecasts
        due = ~self.vis.ea_done | (self.vis.ea_age >= REANALYSE_AFTER) | (self.vis.ea_dev_changed)
        return self.worth_a_run & owned & due

    @cached_property
    def clearly_worth(self) -> np.ndarray:
        """A fix left is forecast to gain at least twice what is worth a run: shipping now leaves it on the table."""
        if not self.ranked:
            return self.none
        if not self.forecasts:
            return self.allowed.any(axis=1)
        good = self.allowed & (self.values >= 2.0 * self.min_rate[:, None])
        return np.any(good & (self.gains >= self.clear_gain[:, None]), axis=1)

    @cached_property
    def resolution_limited(self) -> np.ndarray:
        """The fixes left gain less than the dev set can tell from noise: a bigger dev set is how to keep going."""
        if not self.ranked:
            return self.none
        best = np.max(np.where(self.allowed, self.gains, -np.inf), axis=1)
        return ((best >= MIN_GAIN) & (best < NOISE_Z * self.dev_sd) & ~self.split_wrong
                & (self.vis.dev_growth < MAX_DEV_GROWTH))

    # ---- the aim, the sets and the test ------------------------------------------------------
    @cached_property
    def metric_stale(self) -> np.ndarray:
        """An event showed the metric misleads, or the team chose a metric the coach called wrong."""
        return self.vis.metric_problem | self.vis.metric_flawed

    @cached_property
    def devset_stale(self) -> np.ndarray:
        """An event showed the dev/test sets miss the users' data, or the team built them in a way the coach called
        wrong (from another distribution, or shuffled with other data)."""
        return self.vis.devset_stale | self.vis.devset_flawed

    @cached_property
    def split_wrong(self) -> np.ndarray:
        """Dev and test were built from different distributions."""
        return self.vis.dev_test_differ

    @cached_property
    def test_due(self) -> np.ndarray:
        return self.vis.rounds_since_test >= TEST_CHECK_ROUNDS

    @cached_property
    def test_unread(self) -> np.ndarray:
        return np.isnan(self.vis.test)

    @cached_property
    def test_worn(self) -> np.ndarray:
        """Test has been read often with little tuning between: it is becoming a second dev set."""
        return (self.vis.test_peeks >= 3) & (self.vis.rounds_since_test < 2)

    # ---- costs and the loop ------------------------------------------------------------------
    @cached_property
    def long_run(self) -> np.ndarray:
        return self.vis.run_weeks >= self.facts.long_run_weeks

    def speed_up_pays(self, action: str) -> np.ndarray:
        """A way to speed up the loop is open, affordable, and the runs left would save more than twice its weeks."""
        if action not in self.case.actions:
            return self.none
        done = self.vis.faster_hardware if action == "faster_hardware" else self.vis.subset
        run = self.vis.run_weeks
        cost = self._weeks(action)
        runs_left = np.maximum(self.vis.weeks_left - cost, 0.0) / np.maximum(run + 1.0, 0.5)
        with np.errstate(invalid="ignore"):  # no budget given (inf) times a run of unknown length (NaN): no saving
            saved = runs_left * run * (1.0 - 1.0 / (4.0 if action == "faster_hardware" else 3.0))
        if action == "train_on_subset":
            saved = saved - run * 3.0  # the final run on all the data
        return ~done & self.affordable(action) & (saved >= 2.0 * cost)

    @cached_property
    def slow_enough(self) -> np.ndarray:
        """A run is slow (two weeks or more), or at least a week with a known budget whose runs left repay a
        speed-up (a question that gives no budget gets the course's plain two weeks)."""
        half = (self.vis.run_weeks >= 0.5 * self.facts.long_run_weeks) & np.isfinite(self.vis.weeks_left)
        return self.long_run | half

    @cached_property
    def speed_up_first(self) -> np.ndarray:
        """A run is slow and a speed-up still pays for itself: tuning should wait for it."""
        return self.slow_enough & (self.speed_up_pays("faster_hardware") | self.speed_up_pays("train_on_subset"))

    def without_speed_up(self) -> "Situation":
        """The same situation with the loop taken as sped up: what the fixes are worth once it is."""
        twin = Situation.__new__(Situation)
        base = ("vis", "case", "facts", "batch", "g", "all", "none", "forecasts")
        twin.__dict__.update({k: self.__dict__[k] for k in base})
        twin.__dict__["speed_up_first"] = self.none
        # The loop's speed is no part of what a fix is worth or of which rule it answers: the twin reads those
        # from this one (its forecasts, plus the (row, fix) pairs only it asks about).
        twin.__dict__["_twin_of"] = self
        return twin

    def data_growth(self, action: str) -> np.ndarray:
        """How much one use of a data action grows what it adds to: more of the mix (collect_more_data), or the
        target-like examples (collect_target_data). Doubling data moves a learning curve; 10% more barely does."""
        if action == "collect_more_data":
            spec = self.case.actions.get(action)
            return np.full(self.batch, (spec.factor or 1.0) if spec else 0.0)
        spec = self.case.actions.get("collect_target_data")
        amount = (spec.amount or 0.0) if spec else 0.0
        base = np.where(self.vis.differ, self.vis.n_target, self.vis.n_train)
        return amount / np.maximum(base, 1.0)

    def affordable(self, action: str) -> np.ndarray:
        """The action and a ship after it fit in the weeks left."""
        if action not in self.case.actions:
            return self.none
        return self._affordable[:, ACTION_INDEX[action]]

    @cached_property
    def _affordable(self) -> np.ndarray:
        """On the menu, and it and a ship after it fit in the weeks left."""
        return self.vis.offered & (self.weeks_table + self.ship_after <= self.vis.weeks_left[:, None] + 1e-9)

    @cached_property
    def weeks_table(self) -> np.ndarray:
        """(B, len(ACTION_IDS)) weeks each action takes: the engine's, or the case's own costs for a bare ladder."""
        if self.forecasts:
            return self.vis.weeks_needed
        from sim.model import ACTION_IDS

        costs = np.array([self.case.actions[a].weeks if a in self.case.actions else np.nan for a in ACTION_IDS])
        return np.tile(costs, (self.batch, 1))

    @cached_property
    def ship_after(self) -> np.ndarray:
        if self.forecasts:
            return self.vis.ship_after
        ship = self.case.actions["ship"].weeks if "ship" in self.case.actions else 0.0
        return np.full_like(self.weeks_table, ship)

    # ---- the briefing's facts, and those events told since -------------------------------------
    @cached_property
    def fact_groups(self) -> list[tuple[np.ndarray, CoachFacts]]:
        """(rows, facts) for each set of facts rows know: the case's, updated by each event that has happened."""
        telling = [e for e, event in enumerate(self.case.events) if event.coach.model_fields_set]
        if not telling or self.vis.fired.shape[1] < len(self.case.events):
            return [(self.all, self.facts)]
        keys = np.zeros(self.batch, dtype=np.int64)
        for bit, e in enumerate(telling):
            keys |= self.vis.fired[:, e].astype(np.int64) << bit
        groups = []
        for key in np.unique(keys):
            facts = self.facts
            for bit, e in enumerate(telling):
                if key >> bit & 1:
                    change = self.case.events[e].coach
                    facts = facts.model_copy(update={k: getattr(change, k) for k in change.model_fields_set})
            groups.append((keys == key, facts))
        return groups

    def facts_of(self, i: int) -> CoachFacts:
        return next(facts for rows, facts in self.fact_groups if rows[i])

    def _by_facts(self, mask_of) -> np.ndarray:
        out = np.zeros(self.batch, dtype=bool)
        for rows, facts in self.fact_groups:
            out |= rows & mask_of(facts)
        return out

    def label_noise(self, kind: str) -> np.ndarray:
        """Rows whose team knows the training labels carry this kind of noise."""
        return self._by_facts(lambda f: np.full(self.batch, f.train_label_noise == kind))

    # ---- satisficing thresholds ---------------------------------------------------------------
    @cached_property
    def _limit_effects(self) -> np.ndarray:
        """(len(ACTION_IDS), C) what one use of each action adds to each constraint's metric (the case's own
        metrics may say; inference time and memory move with size alone)."""
        own = {m.id: j for j, m in enumerate(self.case.metrics)}
        table = metric_effects(self.case)
        out = np.zeros((table.shape[0], len(self.case.constraints)))
        for c, con in enumerate(self.case.constraints):
            if con.metric in own:
                out[:, c] = table[:, own[con.metric]]
        return out

    def fit_moves(self) -> list[tuple[str, np.ndarray]]:
        """(action, rows) in the order the expert tries them before any other move: what brings a broken threshold
        back toward its bound (a smaller network, then each action whose own effect does)."""
        return [("smaller_network", self.vis.smaller_helps)] + [(a, self.eases_limit(a)) for a in self.case.actions]

    def eases_limit(self, action: str) -> np.ndarray:
        """Rows whose model breaks a threshold that this action's own effect moves back toward its bound (and
        breaks no other): the one thing to do before optimising further."""
        effect = self._limit_effects[ACTION_INDEX[action]]
        if not effect.any() or self.vis.limits.shape[1] != len(effect):
            return self.none
        return eases(self.case, self.vis.limits, self.vis.limits + effect[None, :])

    # ---- other tasks -------------------------------------------------------------------------
    @cached_property
    def transfer_holds(self) -> np.ndarray:
        def holds(facts: CoachFacts) -> np.ndarray:
            t = facts.transfer
            if not (t and t.same_input and t.features_help):
                return self.none
            return t.source_examples >= TRANSFER_RATIO * np.maximum(self.vis.n_target, 1.0)

        return self._by_facts(holds)

    @cached_property
    def multitask_holds(self) -> np.ndarray:
        return self._by_facts(lambda m: self.all if (m.multitask and m.multitask.shared_features
                                                     and m.multitask.similar_data) else self.none)

    @cached_property
    def enough_for_e2e(self) -> np.ndarray:
        return self.vis.data >= self.vis.e2e_threshold

    # ---- error analysis ----------------------------------------------------------------------
    @cached_property
    def shares(self) -> np.ndarray:
        """(B, K) category shares of dev errors at the last analysis (NaN before one)."""
        k = len(self.case.categories)
        seen = self.vis.ea_shares
        return seen if seen.shape[1] == k else np.full((self.batch, k), np.nan)

    @cached_property
    def mislabelled(self) -> np.ndarray:
        """Mislabelled share of dev errors at the last analysis; 0 once the labels were cleaned since."""
        m = np.nan_to_num(self.vis.ea_mislabelled, nan=0.0)
        return np.where(self.vis.ea_cleaned | self.vis.dev_labels_clean, 0.0, m)

    def ceiling(self, share: np.ndarray) -> np.ndarray:
        """Points a share of dev errors is worth: its part of the dev error."""
        return share * self.vis.dev

    @cached_property
    def category_value(self) -> np.ndarray:
        """(B, K) points per week of each category's cheapest fix (NaN before an analysis)."""
        out = np.full((self.batch, len(self.case.categories)), np.nan)
        for j, category in enumerate(self.case.categories):
            weeks = np.min([self._weeks(a) for a in category.fixed_by], axis=0)
            out[:, j] = self.ceiling(self.shares[:, j]) / np.maximum(weeks, 0.1)
        return out

    @cached_property
    def labels_value(self) -> np.ndarray:
        return self.ceiling(self.mislabelled) / np.maximum(self._weeks("clean_dev_test_labels"), 0.1)

    @cached_property
    def best_ceiling_value(self) -> np.ndarray:
        """The best ceiling points per week in the last analysis: any category's fix or cleaning dev/test labels."""
        values = np.nan_to_num(self.category_value, nan=0.0)
        best = values.max(axis=1) if values.shape[1] else np.zeros(self.batch)
        if "clean_dev_test_labels" in self.case.actions:
            best = np.maximum(best, np.nan_to_num(self.labels_value, nan=0.0))
        return best

    @cached_property
    def largest_share(self) -> np.ndarray:
        shares = np.nan_to_num(self.shares, nan=-1.0)
        largest = shares.max(axis=1) if shares.shape[1] else np.full(self.batch, -1.0)
        return np.maximum(largest, self.mislabelled)

    @cached_property
    def largest_category(self) -> np.ndarray:
        shares = np.nan_to_num(self.shares, nan=-1.0)
        return np.argmax(shares, axis=1) if shares.shape[1] else np.full(self.batch, -1)

    def share_of(self, category: np.ndarray) -> np.ndarray:
        """The analysed share of each row's named category (NaN without a category or an analysis)."""
        if not self.case.categories:
            return np.full(self.batch, np.nan)
        safe = np.where(category >= 0, category, 0)
        return np.where((category >= 0) & self.vis.ea_done, self.shares[np.arange(self.batch), safe], np.nan)

    def big(self, share: np.ndarray) -> np.ndarray:
        """A share large enough to be worth its fix: a fifth of dev errors, or the largest in the table if it is a
        tenth at least (4% is small however it ranks)."""
        return ((share >= SIGNIFICANT_SHARE - 1e-12)
                | (share >= self.largest_share - 1e-12) & (share >= LARGEST_SHARE_FLOOR - 1e-12))

    def good_value(self, share: np.ndarray, action: str) -> np.ndarray:
        """Its fix's points per week are at least half the best fix's in the table."""
        value = self.ceiling(share) / np.maximum(self._weeks(action), 0.1)
        return value >= VALUE_RATIO * self.best_ceiling_value - 1e-12

    @cached_property
    def labels_big(self) -> np.ndarray:
        m = self.mislabelled
        return self.vis.ea_done & self.big(m) & (m > MIN_MISLABELLED)

    # ---- what each fix is worth (docs/rules.md, "What a fix is worth") -----------------------------
    @cached_property
    def ranked(self) -> tuple[Candidate, ...]:
        return ranked(self.case)

    @cached_property
    def _index(self) -> dict[tuple[str, int, float], int]:
        return {(c.action, c.category, c.variety): j for j, c in enumerate(self.ranked)}

    @cached_property
    def gains(self) -> np.ndarray:
        """(B, len(ranked)) forecast drop of the users' error per ranked fix (sim.coach.forecast)."""
        known = self.__dict__.get("_twin_of")
        if known is None:
            return forecast_gains(self.vis, self.case, self.g.gaps, self.ranked, needed=self._forecast_pairs)
        # A (row, fix) forecast depends only on that row's view, so a twin reuses what the original asked.
        done = self._forecast_pairs & known._forecast_pairs
        return np.where(done, known.gains, forecast_gains(self.vis, self.case, self.g.gaps, self.ranked,
                                                          needed=self._forecast_pairs & ~done))

    @cached_property
    def _forecast_pairs(self) -> np.ndarray:
        """(B, len(ranked)) the (row, fix) pairs worth forecasting: those whose rules hold."""
        first, later = self._candidate_rules
        return first | later

    @cached_property
    def _candidate_rules(self) -> tuple[np.ndarray, np.ndarray]:
        """(B, len(ranked)) a fix's rule holds for the problems or, once they are spent, for any real gap."""
        if not self.ranked:
            return np.zeros((self.batch, 0), dtype=bool)
        afford = np.stack([self.affordable(c.action) for c in self.ranked], axis=1) & ~self.speed_up_first[:, None]
        first, later = self._rule_cores
        return first & afford, later & afford

    @cached_property
    def _rule_cores(self) -> tuple[np.ndarray, np.ndarray]:
        """(B, len(ranked)) `_rule_core` of every ranked fix, for the problem gaps and for any real gap."""
        twin_of = self.__dict__.get("_twin_of")
        if twin_of is not None:
            return twin_of._rule_cores
        return (np.stack([self._rule_core(c) for c in self.ranked], axis=1),
                np.stack([self._rule_core(c, next_gaps=True) for c in self.ranked], axis=1))

    @cached_property
    def values(self) -> np.ndarray:
        """(B, len(ranked)) forecast points per week."""
        weeks = np.stack([self._weeks(c.action) for c in self.ranked], axis=1) if self.ranked else np.zeros((self.batch, 0))
        return self.gains / np.maximum(weeks, 0.1)

    @cached_property
    def allowed(self) -> np.ndarray:
        """(B, len(ranked)) the rules call each fix right for the gaps on screen, and it fits the budget.

        The largest gaps come first. A smaller real gap's fix is right too once the larger gaps' fixes are no
        longer worth their weeks, or when it buys nearly as much per week as the best of them.
        """
        if not self.ranked:
            return np.zeros((self.batch, 0), dtype=bool)
        first, later = self._candidate_rules
        if not self.forecasts:
            return first
        worth = (self.gains >= self.min_gain[:, None]) & (self.values >= self.min_rate[:, None])
        best_first = np.max(np.where(first & worth, self.values, -np.inf), axis=1)
        exhausted = ~np.isfinite(best_first)
        better = later & worth & (self.values >= FIX_VALUE_RATIO * best_first[:, None] - 1e-12)
        return first | better | (later & exhausted[:, None])

    @cached_property
    def next_gaps(self) -> np.ndarray:
        """Rows where the problem gaps' fixes are spent and the smaller real gaps are next."""
        if not self.ranked:
            return self.none
        first, _ = self._candidate_rules
        worth = first & (self.gains >= self.min_gain[:, None]) & (self.values >= self.min_rate[:, None])
        return ~worth.any(axis=1)

    @cached_property
    def best_value(self) -> np.ndarray:
        """The best forecast points per week among the fixes the rules allow (-inf where none)."""
        if not self.ranked:
            return np.full(self.batch, -np.inf)
        return np.max(np.where(self.allowed, self.values, -np.inf), axis=1)

    @cached_property
    def dev_sd(self) -> np.ndarray:
        """One standard deviation of the dev reading (0 when the dev set's size is not known)."""
        dev = np.clip(np.nan_to_num(self.vis.dev, nan=0.0), 0, 100)
        n = np.nan_to_num(self.vis.n_dev, nan=np.inf)
        return np.sqrt(dev * (100 - dev) / np.maximum(n, 1.0))

    @cached_property
    def min_gain(self) -> np.ndarray:
        """A forecast gain worth a run. One the dev set cannot see is still real: cheap runs that each gain a
        little add up, so only the points per week (min_rate) decide whether it is time to ship."""
        return np.full(self.batch, MIN_GAIN)

    @cached_property
    def clear_gain(self) -> np.ndarray:
        """A forecast gain too large to leave on the table: one dev standard deviation at least."""
        return np.maximum(2.0 * MIN_GAIN, CLEAR_GAIN_SDS * self.dev_sd)

    @cached_property
    def min_rate(self) -> np.ndarray:
        """Forecast points per week below which a fix is not worth its weeks (ship when the gain per week is small)."""
        return np.maximum(MIN_RATE_SD, self.dev_sd) / WEEKS_PER_SD

    def slot(self, action: str, category: np.ndarray, variety: np.ndarray) -> np.ndarray:
        """Each row's index into `ranked` for its (action, category, variety); -1 for a fix not ranked."""
        return self._choice_tables(action, category, variety)[0]

    def _choice_tables(self, action: str, category: np.ndarray, variety: np.ndarray) -> tuple[np.ndarray, ...]:
        """(slot, gain, value, allowed) per row for one choice; kept, since every clause of a verdict asks again."""
        memo = self.__dict__.setdefault("_choice_memo", {})
        key = (action, id(category), id(variety))
        kept = memo.get(key)
        if kept is not None and kept[0] is category and kept[1] is variety:
            return kept[2]
        nearest = np.asarray(VARIETIES)[np.argmin(np.abs(np.asarray(variety)[:, None] - np.asarray(VARIETIES)[None, :]), axis=1)]
        slot = np.full(self.batch, -1)
        for (a, k, v), j in self._index.items():
            if a == action:
                slot[(np.asarray(category) == k) & ((nearest == v) | (a != "synthesize_data"))] = j
        tables = (slot, self._pick(self.gains, slot, 0.0), self._pick(self.values, slot, 0.0),
                  self._pick(self.allowed, slot, False))
        if len(memo) > 64:
            memo.clear()
        memo[key] = (category, variety, tables)  # the arrays themselves keep their ids from being reused
        return tables

    def _pick(self, table: np.ndarray, slot: np.ndarray, fill) -> np.ndarray:
        rows = np.arange(self.batch)
        return np.where(slot >= 0, table[rows, np.maximum(slot, 0)] if table.shape[1] else fill, fill)

    def gain_of(self, action: str, category: np.ndarray, variety: np.ndarray) -> np.ndarray:
        return self._choice_tables(action, category, variety)[1]

    def value_of(self, action: str, category: np.ndarray, variety: np.ndarray) -> np.ndarray:
        return self._choice_tables(action, category, variety)[2]

    def rule_fix_of(self, action: str, category: np.ndarray, variety: np.ndarray) -> np.ndarray:
        return self._choice_tables(action, category, variety)[3]

    def good_fix_of(self, action: str, category: np.ndarray, variety: np.ndarray) -> np.ndarray:
        """The rules allow it and it is a good use of the weeks: near the best forecast points per week."""
        _, gain, value, allowed = self._choice_tables(action, category, variety)
        if not self.forecasts:
            return allowed
        return (allowed & (value >= FIX_VALUE_RATIO * self.best_value - 1e-12) & (gain >= self.min_gain)
                & (value >= self.min_rate))

    @cached_property
    def best_fix(self) -> np.ndarray:
        """Index into `ranked` of the best good fix per row (-1 where none)."""
        if not self.ranked:
            return np.full(self.batch, -1)
        if not self.forecasts:  # no forecast: the first fix the rules allow, in the case's order
            first = np.argmax(self.allowed, axis=1)
            return np.where(self.allowed.any(axis=1), first, -1)
        good = self.allowed & (self.gains >= self.min_gain[:, None]) & (self.values >= self.min_rate[:, None])
        score = np.where(good, self.values, -np.inf)
        best = np.argmax(score, axis=1)
        return np.where(np.isfinite(score[np.arange(self.batch), best]), best, -1)

    def real_gap(self, gap: int) -> np.ndarray:
        """A gap that is not chance and not negligible, problem or not."""
        g = self.g
        return (g.gaps[:, gap] >= MIN_PROBLEM - 1e-9) & (g.gaps[:, gap] > NOISE_Z * g.noise[:, gap] - 1e-9)

    @cached_property
    def _problem_gaps(self) -> "_Gaps":
        return _Gaps(self.bias_problem, self.variance_problem, self.variance_primary, self.mismatch_problem)

    @cached_property
    def _any_gaps(self) -> "_Gaps":
        """Every real gap counts, and variance is as good as leading: the problems' fixes are spent."""
        return _Gaps(self.real_gap(BIAS) & ~self.human_unknown & ~self.vis.devset_flawed & ~self.surpassed, self.real_gap(VARIANCE) & ~self.unknown,
                     self.all, self.real_gap(MISMATCH) & ~self.unknown)

    def _rule_core(self, c: Candidate, next_gaps: bool = False) -> np.ndarray:
        """The rule that makes a fix right for the gaps on screen, before its weeks are weighed and before a loop
        too slow to tune in holds every fix back alike (`_candidate_rules` adds both). `next_gaps`: the rule once
        the problem gaps' fixes are spent (any real gap, smaller ones included)."""
        gaps = self._any_gaps if next_gaps else self._problem_gaps
        ready = ~self.unknown
        action, family = c.action, ACTIONS[c.action].family
        if c.category >= 0:
            # A category fix reads the last table (a stale one is a rougher guide, and the coach says so).
            share = self.shares[:, c.category]
            # Without a forecast the course's ceiling rule decides alone: only large categories are worth a fix.
            ok = self.vis.ea_done & ((share > 0) if self.forecasts else self.big(share))
            if action == "synthesize_data":
                ok &= c.variety >= LOW_VARIETY
            return ready & ok
        if family == "bias":
            # A bias large beside the whole unsplit dev - train gap matters however it splits (the diagnosis
            # counts it a problem only then), so a missing train-dev set does not hold a bias fix back.
            ready = ~self.human_unknown & ~self.vis.devset_flawed
            ok = gaps.bias
            if action == "bigger_network":
                ok = ok & ~self.vis.bigger_breaks
            elif action == "reduce_regularization":
                ok = ok & (self.vis.regularized | ~self.vis.regularization_known)
            elif action == "architecture_search":
                ok = gaps.bias | gaps.variance
            return ready & ok
        same = ~self.vis.differ
        rules = {
            "collect_more_data": gaps.variance | self.surpassed,
            "data_augmentation": gaps.variance,
            "add_regularization": gaps.variance & gaps.variance_leads,
            "smaller_network": gaps.variance & gaps.variance_leads & ~gaps.bias,
            "early_stopping": self.none,
            "collect_target_data": (gaps.mismatch | (same & gaps.variance))
                                   & ((self.data_growth("collect_target_data") >= SMALL_DATA_STEP) | ~self.forecasts),
            "synthesize_data": gaps.mismatch & np.full(self.batch, c.variety >= LOW_VARIETY),
        }
        return ready & rules.get(action, self.none)

    def _weeks(self, action: str) -> np.ndarray:
        if action not in self.case.actions:
            return np.full(self.batch, np.inf)
        return self.weeks_table[:, ACTION_INDEX[action]]
