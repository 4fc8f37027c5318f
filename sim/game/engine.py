"""The turn engine over a batch of playthroughs: decisions, events, budget and what each row has seen."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from sim.coach.visible import Visible
from sim.model import (
    ACTION_IDS, ACTION_INDEX, ACTIONS, ActionAmounts, Knobs, Ladder, Params,
    apply_actions, calibrate, costs, initial_knobs, ladder, run_weeks, seed_draws,
)
from sim.model.memory import keep_freed_arrays
from sim.scenario.schema import Case, Effects
from sim.scenario.variants import resolve

NO_ACTION = -1
LARGE_BATCH = 1000  # from here on a step's temporaries are large enough to tune the allocator for
# Actions that change what the dev set measures without a training run.
_REMEASURE = {ACTION_INDEX[a] for a in ("bigger_dev_set", "clean_dev_test_labels", "clean_dev_labels", "change_dev_test")}
ANALYSIS_SAMPLE = 100  # dev errors read in one error analysis


@dataclass(frozen=True)
class Moves:
    """One step's input, per row: an action code (or NO_ACTION), a decision option, category, variety."""

    action: np.ndarray
    option: np.ndarray
    category: np.ndarray
    variety: np.ndarray


class _Trial:
    """Knobs for trying an action: a field is copied when first touched, so a trial copies only what it uses."""

    def __init__(self, base: Knobs):
        self._base = base
        self.touched = False

    def __getattr__(self, name: str) -> np.ndarray:  # only called for fields not yet copied
        value = getattr(self._base, name).copy()
        setattr(self, name, value)
        self.touched = True
        return value


def within(value, limit):
    """A satisficing metric meets its threshold (a hair of tolerance for floating point)."""
    return value <= limit + 1e-12


# The engine's per-row state besides the knobs and the truth (a test keeps this list complete).
ROW_STATE = (
    "seeds", "week", "turn", "dev_turn", "done", "shipped", "over_budget", "human_seen", "human_proxy",
    "test_value", "test_peeks", "analyses", "rounds_at_test", "ea_shares", "ea_mislabelled", "ea_done", "ea_fresh",
    "metric_problem", "devset_stale", "fired", "triggered", "answered", "real_world", "start_real",
)


class Engine:
    """Every playthrough of one case over a batch of seeds, stepped together."""

    def __init__(self, case: Case, seeds):
        self.case = case
        self.seeds = np.asarray(seeds, dtype=np.int64)
        b = self.batch = len(self.seeds)
        if b >= LARGE_BATCH:
            keep_freed_arrays()
        draws = seed_draws(self.seeds)
        start, truth, self.ranged = resolve(case, draws.variant)
        self.variant_values = {f"{s}.{k}": (start if s == "start" else truth)[k] for s, k in self.ranged}
        k_count = len(case.categories)
        self.knobs: Knobs = initial_knobs(start, b, k_count)
        self.truth = calibrate(truth, np.tile([c.share for c in case.categories], (b, 1)).reshape(b, k_count),
                               self.knobs, draws)
        spec = case.actions
        self.amounts = ActionAmounts(
            collect_factor=(spec["collect_more_data"].factor or 1.0) if "collect_more_data" in spec else 1.0,
            target_amount=(spec["collect_target_data"].amount or 0.0) if "collect_target_data" in spec else 0.0,
            synthetic_amount=(spec["synthesize_data"].amount or 0.0) if "synthesize_data" in spec else 0.0,
            dev_factor=(spec["bigger_dev_set"].factor or 4.0) if "bigger_dev_set" in spec else 4.0,
            category_fix=np.array([c.fix for c in case.categories]),
        )
        self.available = np.array([a in spec for a in ACTION_IDS])
        self.base_weeks = np.array([spec[a].weeks if a in spec else 0.0 for a in ACTION_IDS])
        self.week = np.zeros(b)
        self.turn = np.zeros(b, dtype=np.int64)
        self.dev_turn = np.zeros(b, dtype=np.int64)
        self.done = np.zeros(b, dtype=bool)
        self.shipped = np.zeros(b, dtype=bool)
        self.over_budget = np.zeros(b, dtype=bool)
        self.human_seen = np.full(b, case.human_level.known)
        best = int(np.argmin([row.error for row in case.human_level.table]))
        self.human_proxy = np.full(b, best)
        self.test_value = np.full(b, np.nan)
        self.test_peeks = np.zeros(b, dtype=np.int64)
        self.analyses = np.zeros(b, dtype=np.int64)
        self.rounds_at_test = np.zeros(b)
        self.ea_shares = np.full((b, k_count), np.nan)
        self.ea_mislabelled = np.full(b, np.nan)
        self.ea_done = np.zeros(b, dtype=bool)
        self.ea_fresh = np.zeros(b, dtype=bool)
        self.metric_problem = np.zeros(b, dtype=bool)
        self.devset_stale = np.zeros(b, dtype=bool)
        self.fired = np.zeros((b, len(case.events)), dtype=bool)
        self.triggered = np.zeros((b, len(case.decisions)), dtype=bool)
        self.answered = np.zeros((b, len(case.decisions)), dtype=bool)
        self.real_world = np.full(b, np.nan)
        self._steps = 0  # bumped by every step; keys the cached view
        self._visible_key: tuple | None = None
        self.start_real = ladder(self.truth, self.knobs, self.turn).real.copy()
        self._refresh_decisions(np.ones(b, dtype=bool), action=None)

    def fork(self) -> "Engine":
        """An independent copy to play on (the read-only hidden truth is shared)."""
        twin = copy.copy(self)
        for name in ROW_STATE:
            setattr(twin, name, getattr(self, name).copy())
        twin.knobs = self.knobs.copy()
        twin._visible_key = None
        return twin

    def take(self, rows: np.ndarray) -> "Engine":
        """The playthroughs at `rows` alone, as an engine of their own (finished rows stop costing a step)."""
        small = copy.copy(self)
        for name in ROW_STATE:
            setattr(small, name, getattr(self, name)[rows])
        small.knobs, small.truth, small.batch = self.knobs.take(rows), self.truth.take(rows), len(rows)
        small.variant_values = {path: values[rows] for path, values in self.variant_values.items()}
        small._visible_key = None
        return small

    # ---- what rows can see -------------------------------------------------------------------
    def current(self) -> Ladder:
        return ladder(self.truth, self.knobs, self.dev_turn)

    @property
    def pending(self) -> np.ndarray:
        """Index of the decision each row must answer now, or -1."""
        waiting = self.triggered & ~self.answered
        return np.where(waiting.any(axis=1), np.argmax(waiting, axis=1), -1) if waiting.shape[1] else np.full(self.batch, -1)

    def human_value(self) -> np.ndarray:
        table = np.array([row.error for row in self.case.human_level.table])
        return np.where(self.human_seen, table[self.human_proxy], np.nan)

    def constraint_values(self, level_up: int = 0) -> tuple[np.ndarray, np.ndarray]:
        """Inference seconds and memory MB now (or one size up); and whether every threshold holds."""
        knobs = self.knobs
        if level_up:
            knobs = knobs.copy()
            knobs.level = knobs.level + level_up
        c = costs(self.truth, knobs)
        ok = np.ones(self.batch, dtype=bool)
        for constraint in self.case.constraints:
            ok &= within(getattr(c, constraint.metric), constraint.max)
        return np.stack([c.inference_s, c.memory_mb]), ok

    def visible(self) -> Visible:
        """What each row can see now (cached until the next step; callers must not change it)."""
        key = (self._steps, id(self.knobs), self.batch)
        if self._visible_key != key:
            self._visible, self._visible_key = self._compute_visible(), key
        return self._visible

    def _compute_visible(self) -> Visible:
        lad = self.current()
        (inference, memory), ok = self.constraint_values()
        _, ok_bigger = self.constraint_values(level_up=1)
        k, t = self.knobs, self.truth
        return Visible(
            human=self.human_value(), train=lad.train.copy(),
            train_dev=np.where(k.train_dev > 0.5, lad.train_dev, np.nan), dev=lad.dev.copy(),
            test=self.test_value.copy(), differ=(k.n_other + k.n_syn) > 0,
            ea_shares=self.ea_shares.copy(), ea_mislabelled=self.ea_mislabelled.copy(),
            ea_done=self.ea_done.copy(), ea_fresh=self.ea_fresh.copy(),
            metric_problem=self.metric_problem.copy(), devset_stale=self.devset_stale.copy(),
            run_weeks=costs(t, k).run_weeks, constraints_ok=ok, bigger_breaks=~ok_bigger,
            rounds_since_test=k.rounds - self.rounds_at_test, test_peeks=self.test_peeks.copy(),
            transfer_used=k.transfer > 0.5, multitask_used=k.multitask > 0.5, e2e=k.e2e > 0.5,
            data=lad.effective_data, n_target=k.n_target.copy(), e2e_threshold=t.e2e_threshold,
            faster_hardware=k.speed > 1.0, subset=k.subset > 0.5, regularized=k.reg > 0,
            labels_cleaned=(k.train_noise_random + k.train_noise_systematic) <= 0,
            weeks_left=self.case.budget_weeks - self.week, inference_s=inference, memory_mb=memory,
            weeks_source=self.weeks_needed,
        )

    def weeks_needed(self) -> np.ndarray:
        """(B, len(ACTION_IDS)) weeks each action would take now, its training run sized after its change.

        NaN for actions the case does not offer.
        """
        out = np.full((self.batch, len(ACTION_IDS)), np.nan)
        run_now = run_weeks(self.truth, self.knobs)
        none = Params.none(self.batch)
        rows = np.arange(self.batch)
        for code, action in enumerate(ACTION_IDS):
            if not self.available[code]:
                continue
            run = 0.0
            if ACTIONS[action].retrains:
                trial = _Trial(self.knobs)
                ACTIONS[action].effect(trial, rows, none, self.amounts)
                run = run_weeks(self.truth, trial) if trial.touched else run_now
            out[:, code] = self.base_weeks[code] + run
        return out

    # ---- stepping ----------------------------------------------------------------------------
    def step(self, moves: Moves) -> None:
        """Apply one move per row (rows already done ignore theirs)."""
        self._steps += 1
        live = ~self.done
        pending = self.pending
        # A row moves only with a move of the right kind: an option while a decision waits, else an action.
        answering = live & (pending >= 0) & (moves.option >= 0)
        acting = live & (pending < 0) & (moves.action >= 0)
        if np.any(answering):
            self._answer(np.flatnonzero(answering), pending[answering], moves.option[answering])
        action = np.where(acting, moves.action, NO_ACTION)
        params = Params(category=moves.category, variety=moves.variety)
        k = self.knobs
        weeks_before = self.base_weeks[np.maximum(action, 0)]
        apply_actions(k, action, params, self.amounts)
        retrained = acting & np.array([ACTIONS[a].retrains for a in ACTION_IDS])[np.maximum(action, 0)]
        run = costs(self.truth, k).run_weeks
        self.week += np.where(acting, weeks_before + np.where(retrained, run, 0.0), 0.0)
        remeasured = retrained | (acting & np.isin(action, list(_REMEASURE)))
        self.turn += (acting | answering).astype(np.int64)
        self.dev_turn = np.where(remeasured, self.turn, self.dev_turn)
        self.test_value = np.where(remeasured, np.nan, self.test_value)
        self.ea_fresh &= ~retrained
        self._measure(action, acting)
        over = acting & (self.week > self.case.budget_weeks)
        ship = acting & (action == ACTION_INDEX["ship"])
        ending = (ship & ~over) | over
        if np.any(ending):
            self.real_world = np.where(ending, ladder(self.truth, k, self.dev_turn).real, self.real_world)
        self.shipped |= ship & ~over
        self.over_budget |= over
        self.done |= ending
        # Acting on the aim clears the flag an event raised (before this step's events may raise it again).
        self.metric_problem &= ~(acting & (action == ACTION_INDEX["change_metric"]))
        self.devset_stale &= ~(acting & (action == ACTION_INDEX["change_dev_test"]))
        self._fire_events(live & ~self.done)
        self._refresh_decisions(acting, action)

    def _answer(self, rows: np.ndarray, decision: np.ndarray, option: np.ndarray) -> None:
        for d in np.unique(decision):
            sel = decision == d
            spec = self.case.decisions[d]
            opts = np.clip(option[sel], 0, len(spec.options) - 1)
            for o in np.unique(opts):
                chosen = spec.options[o]
                idx = rows[sel][opts == o]
                self.apply_effects(chosen.effects, idx)
                if chosen.human_proxy is not None:
                    self.human_proxy[idx] = chosen.human_proxy
                self.week[idx] += chosen.weeks
            self.answered[rows[sel], d] = True
            # An answer that changes the project (a new split, say) is measured afresh.
            if any(o.effects.set or o.effects.add or o.effects.scale for o in spec.options):
                changed = rows[sel]
                self.dev_turn[changed] = self.turn[changed] + 1

    def apply_effects(self, effects: Effects, idx: np.ndarray) -> None:
        for name, value in effects.set.items():
            getattr(self.knobs, name)[idx] = value
        for name, value in effects.add.items():
            getattr(self.knobs, name)[idx] += value
        for name, value in effects.scale.items():
            getattr(self.knobs, name)[idx] *= value

    def _measure(self, action: np.ndarray, acting: np.ndarray) -> None:
        human = acting & (action == ACTION_INDEX["measure_human_level"])
        self.human_seen |= human
        test = acting & (action == ACTION_INDEX["evaluate_test"])
        analysis = acting & (action == ACTION_INDEX["error_analysis"])
        if not (np.any(test) or np.any(analysis)):
            return
        lad = ladder(self.truth, self.knobs, self.dev_turn, self.test_peeks)
        self.test_value = np.where(test, lad.test, self.test_value)
        self.test_peeks += test
        self.rounds_at_test = np.where(test, self.knobs.rounds, self.rounds_at_test)
        if np.any(analysis):
            shares, mislabelled = self.analysis_shares(lad)
            self.ea_shares = np.where(analysis[:, None], shares, self.ea_shares)
            self.ea_mislabelled = np.where(analysis, mislabelled, self.ea_mislabelled)
            self.ea_done |= analysis
            self.ea_fresh |= analysis
            self.analyses += analysis

    def analysis_shares(self, lad: Ladder) -> tuple[np.ndarray, np.ndarray]:
        """Shares of ~100 sampled dev errors per category and mislabelled, with sampling noise."""
        t, k = self.truth, self.knobs
        between = np.maximum(lad.dev_true - lad.train - t.bayes_gap, 0.0)
        dev = np.maximum(lad.dev, 1e-9)
        expected = t.cat_share * k.cat_residual * between[:, None] / dev[:, None]
        mislabelled = np.clip(k.dev_noise / dev, 0.0, 1.0)
        n = ANALYSIS_SAMPLE
        noise_m, noise_c = t.draws.analysis(self.analyses, expected.shape[1])
        sample = np.clip(expected + np.sqrt(expected * (1 - np.clip(expected, 0, 1)) / n) * noise_c, 0.0, 1.0)
        sample_m = np.clip(mislabelled + np.sqrt(mislabelled * (1 - mislabelled) / n) * noise_m, 0.0, 1.0)
        return np.round(sample * n) / n, np.round(sample_m * n) / n

    def _fire_events(self, live: np.ndarray) -> None:
        for e, event in enumerate(self.case.events):
            now = live & ~self.fired[:, e] & (self.week >= event.week)
            if not np.any(now):
                continue
            idx = np.flatnonzero(now)
            self.apply_effects(event.effects, idx)
            if "metric_problem" in event.flags:
                self.metric_problem[idx] = True
            if "devset_stale" in event.flags:
                self.devset_stale[idx] = True
            self.fired[idx, e] = True
            for d, decision in enumerate(self.case.decisions):
                if decision.when.after_event == event.id:
                    self.triggered[idx, d] = True

    def _refresh_decisions(self, acting: np.ndarray, action: np.ndarray | None) -> None:
        for d, decision in enumerate(self.case.decisions):
            when = decision.when
            if when.week is not None:
                self.triggered[:, d] |= self.week >= when.week
            elif when.after_action is not None and action is not None:
                self.triggered[:, d] |= acting & (action == ACTION_INDEX[when.after_action])
