"""The turn engine over a batch of playthroughs: decisions, events, budget and what each row has seen.

The engine keeps three sets of knobs: the plan (what the team has decided), the trained model (the plan's
copy at the last run) and the sets (the data sets and aim the model is measured on, the plan's copy at the
last run or the last action that remade a set). Only a training run changes the model, so decisions and
analyses move no rung until the next run; an action that remakes a data set (a bigger dev set, a train-dev
set, cleaned labels) is measured at once. Every reading's sampling noise belongs to its (model, data set)
pair (sim.model.noise). The real-world error
is judged on the users' world at the end of the budget, every event up to then applied, whenever the
team shipped (docs/design.md, "The world does not wait").
"""

from __future__ import annotations

import copy
import functools
import weakref
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from sim.coach.visible import Visible
from sim.model import (
    ACTION_IDS, ACTION_INDEX, ACTIONS, Knobs, Ladder, Noise, Params,
    apply_actions, calibrate, initial_knobs, ladder, run_weeks, seed_draws,
)
from sim.model import noise as noise_streams
from sim.model.law import (
    SUBSET_SPEEDUP, devset_shortfall, metric_shortfall, sampling_sd, serving_costs, target_share, train_dev_size,
)
from sim.model.memory import keep_freed_arrays
from sim.model.params import AIM_KNOBS, DEV_SET_KNOBS, TEST_SET_KNOBS
from sim.model.seeds import TAPE_TURNS
from sim.model.truth import Truth
from sim.model.metrics import metric_values
from sim.scenario.amounts import action_amounts, metric_law
from sim.scenario.conditions import Condition, parse as parse_condition
from sim.scenario.schema import Case, Effects
from sim.scenario.limits import eases, meets
from sim.scenario.variants import resolve

NO_ACTION = -1
LARGE_BATCH = 1000  # from here on a step's temporaries are large enough to tune the allocator for
ANALYSIS_SAMPLE = 100  # dev errors read in one error analysis
MAX_TURNS = TAPE_TURNS - 2  # choices a project allows; then the only move left is to ship
DIFFERENT_MIX = 0.05  # target shares further apart than this make two sets different distributions
SHIP = ACTION_INDEX["ship"]
_WORLD = {"metric_gap": "metric_world", "devset_gap": "devset_world"}  # what an event's aim effect moves
_RETRAINS = np.array([ACTIONS[a].retrains for a in ACTION_IDS])
_CLEANS = [ACTION_INDEX["clean_dev_test_labels"], ACTION_INDEX["clean_dev_labels"]]
# Actions whose point is to remake a data set the model is measured on: measured at once, without a run.
_IMMEDIATE = np.array([bool(ACTIONS[a].new_sets) or ACTION_INDEX[a] in _CLEANS for a in ACTION_IDS])
_NEW_SET = {kind: np.array([kind in ACTIONS[a].new_sets for a in ACTION_IDS]) for kind in ("dev", "test", "train_dev")}


@dataclass(frozen=True)
class Moves:
    """One step's input, per row: an action code (or NO_ACTION), a decision option, category, variety."""

    action: np.ndarray
    option: np.ndarray
    category: np.ndarray
    variety: np.ndarray


class _Stacked:
    """`n` copies of a batch's knobs (or truth) stacked row-wise; a field is tiled when first used, so trying every
    action at once copies only what the actions and run_weeks touch."""

    def __init__(self, base, n: int):
        self._base, self._n = base, n

    def __getattr__(self, name: str) -> np.ndarray:  # only called for fields not yet tiled
        field = getattr(self._base, name)
        value = np.tile(field, (self._n,) + (1,) * (field.ndim - 1))
        setattr(self, name, value)
        return value


@functools.lru_cache(maxsize=256)
def _condition(text: str) -> Condition:
    return parse_condition(text)  # checked when the case loaded


def _changed_truth(truth: Truth, event, case: Case, rows: np.ndarray) -> Truth:
    """`truth` with the event's changes to the world at `rows` (a category's new share scales the others down
    when the shares would pass 1)."""
    changes = {}
    for op in ("set", "add", "scale"):
        for name, value in getattr(event.truth, op).items():
            old = changes.get(name, getattr(truth, name))
            new = value if op == "set" else old + value if op == "add" else old * value
            changes[name] = np.where(rows, new, old)
    if event.shares:
        changes["cat_share"] = _with_shares(truth.cat_share, event, case, rows)
    return truth.replace(**changes)


def _with_shares(shares: np.ndarray, event, case: Case, rows: np.ndarray) -> np.ndarray:
    """(B, K) `shares` with the event's new shares at `rows`; the other categories scale down when the shares
    would pass 1."""
    share = shares.copy()
    ids = [c.id for c in case.categories]
    fixed = np.zeros(share.shape[1], dtype=bool)
    for cid, value in event.shares.items():
        share[rows, ids.index(cid)] = value
        fixed[ids.index(cid)] = True
    total = np.nansum(share, axis=1)
    over = rows & (total > 1.0)
    if over.any():
        rest = np.nansum(share[:, ~fixed], axis=1)
        room = np.maximum(1.0 - share[:, fixed].sum(axis=1), 0.0)
        factor = np.where(rest > 0, room / np.maximum(rest, 1e-12), 0.0)
        share[np.ix_(over, ~fixed)] *= factor[over, None]
    return share


def _told_shares(table: np.ndarray, event, case: Case, rows: np.ndarray) -> np.ndarray:
    """The team's error-analysis table once an event tells it a category's new share (its analysis is then
    as good as a fresh count for that category)."""
    return _with_shares(table, event, case, rows) if rows.any() else table



# The engine's per-row state besides the knobs and the truth (a test keeps this list complete).
ROW_STATE = (
    "seeds", "event_weeks", "offered", "level0", "error0", "week", "turn", "done", "shipped", "over_budget", "human_seen", "human_proxy",
    "model_id", "dev_id", "test_id", "td_id", "dev_growth", "test_read", "test_peeks", "rounds_at_test",
    "ea_shares", "ea_mislabelled", "ea_done", "ea_model", "ea_dev", "ea_cleaned", "labels_cleaned_at",
    "metric_problem", "devset_stale", "fired", "triggered", "answered", "real_world", "real_true", "start_real",
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
        numbers = resolve(case, draws.variant)
        start, truth, shares = numbers.start, numbers.truth, numbers.shares
        self.event_weeks = numbers.event_weeks  # (B, E): a surprise event's week is the seed's
        self.variant_values = {".".join(path): values for path, values in numbers.taken.items()}
        k_count = len(case.categories)
        self.plan: Knobs = initial_knobs(start, b, k_count, len(case.metrics))
        self.truth = calibrate(truth, shares, self.plan, draws)
        # The world as it is now: events may change it (new sensors, bots); a model sees it from its next run.
        self.world_truth = self.truth
        self.model: Knobs = self.plan.copy()
        self.sets: Knobs = self.plan.copy()
        spec = case.actions
        self.amounts = action_amounts(case)
        self.available = np.array([a in spec for a in ACTION_IDS])
        # What is on the menu now, per row: a case may hold an action back until an event offers it.
        self.offered = np.tile(np.array([a in spec and spec[a].offered for a in ACTION_IDS]), (b, 1))
        self.base_weeks = np.array([spec[a].weeks if a in spec else 0.0 for a in ACTION_IDS])
        self.week = np.zeros(b)
        self.turn = np.zeros(b, dtype=np.int64)
        self.done = np.zeros(b, dtype=bool)
        self.shipped = np.zeros(b, dtype=bool)
        self.over_budget = np.zeros(b, dtype=bool)
        self.human_seen = np.full(b, case.human_level.known)
        best = int(np.argmin([row.error for row in case.human_level.table]))
        self.human_proxy = np.full(b, best)
        for name in ("model_id", "dev_id", "test_id", "td_id", "test_peeks", "dev_growth"):
            setattr(self, name, np.zeros(b, dtype=np.int64))
        self.test_read = np.zeros(b, dtype=bool)  # test was read for the current (model, test set)
        self.rounds_at_test = np.full(b, np.nan)  # tuning rounds at the last look at test (NaN: never)
        self.ea_shares = np.full((b, k_count), np.nan)
        self.ea_mislabelled = np.full(b, np.nan)
        self.ea_done = np.zeros(b, dtype=bool)
        self.ea_model = np.full(b, -1, dtype=np.int64)  # the (model, dev set) the last analysis read
        self.ea_dev = np.full(b, -1, dtype=np.int64)
        self.ea_cleaned = np.zeros(b, dtype=bool)  # labels were cleaned after the last analysis
        self.labels_cleaned_at = np.full(b, -1, dtype=np.int64)  # dev set version whose labels were cleaned
        self.metric_problem = np.zeros(b, dtype=bool)
        self.devset_stale = np.zeros(b, dtype=bool)
        self.fired = np.zeros((b, len(case.events)), dtype=bool)
        self.triggered = np.zeros((b, len(case.decisions)), dtype=bool)
        self.answered = np.zeros((b, len(case.decisions)), dtype=bool)
        self.real_world = np.full(b, np.nan)
        self.real_true = np.full(b, np.nan)
        self._steps = 0  # bumped by every step; keys the cached views
        self._visible_key: tuple | None = None
        self._noise_key: tuple | None = None
        first = ladder(self.truth_at_end(), self.model, self.sets, self.noise(), self.world_at_end())
        # The case's own metrics move from the first model's size and error (sim.model.metrics).
        self.metric_law = metric_law(case)
        self.level0 = self.plan.level.copy()
        self.error0 = self.current().target_true.copy()
        self.start_real = first.real.copy()
        self._refresh_decisions(np.ones(b, dtype=bool), action=None)

    def fork(self) -> "Engine":
        """An independent copy to play on (the read-only hidden truth is shared)."""
        twin = copy.copy(self)
        for name in ROW_STATE:
            setattr(twin, name, getattr(self, name).copy())
        twin.plan, twin.model, twin.sets = self.plan.copy(), self.model.copy(), self.sets.copy()
        twin._visible_key = twin._noise_key = twin._weeks_needed = None
        twin._views = {}
        return twin

    def take(self, rows: np.ndarray) -> "Engine":
        """The playthroughs at `rows` alone, as an engine of their own (finished rows stop costing a step)."""
        small = copy.copy(self)
        for name in ROW_STATE:
            setattr(small, name, getattr(self, name)[rows])
        small.plan, small.model, small.sets = self.plan.take(rows), self.model.take(rows), self.sets.take(rows)
        small.truth, small.batch = self.truth.take(rows), len(rows)
        small.world_truth = small.truth if self.world_truth is self.truth else self.world_truth.take(rows)
        small.variant_values = {path: values[rows] for path, values in self.variant_values.items()}
        small._visible_key = small._noise_key = small._weeks_needed = None
        small._views = {}
        return small

    # ---- what rows can see -------------------------------------------------------------------
    def noise(self) -> Noise:
        """The standard normals of each row's current (model, set) pairs (cached until an id changes)."""
        key = (self._steps, self.batch)
        if self._noise_key != key:
            z = noise_streams.readings(self.truth.draws.key, self.model_id, {
                noise_streams.TRAIN: 0, noise_streams.TRAIN_DEV: self.td_id, noise_streams.DEV: self.dev_id,
                noise_streams.TEST: self.test_id, noise_streams.REAL: 0})
            self._noise = Noise(train=z[noise_streams.TRAIN], train_dev=z[noise_streams.TRAIN_DEV],
                                dev=z[noise_streams.DEV], test=z[noise_streams.TEST], real=z[noise_streams.REAL])
            self._noise_key = key
        return self._noise

    def ladder(self, world: tuple[np.ndarray, np.ndarray] | None = None) -> Ladder:
        """Every rung of each row's trained model on its current sets (the world as it is now by default)."""
        world = (self.plan.metric_world, self.plan.devset_world) if world is None else world
        return ladder(self.truth, self.model, self.sets, self.noise(), world)

    def ladder_without_noise(self) -> Ladder:
        return ladder(self.truth, self.model, self.sets, Noise.zero(self.batch),
                      (self.plan.metric_world, self.plan.devset_world), exact=True)

    def _expected_table(self, lad: Ladder) -> tuple[np.ndarray, np.ndarray]:
        """The last error analysis as its expected shares, without the sampling noise of its 100 examples (the
        expert's view; NaN where no analysis was made). Its mislabelled share is the one the team saw."""
        shares, _ = self.expected_shares(lad)
        return np.where(self.ea_done[:, None], shares, np.nan), self.ea_mislabelled.copy()

    def current(self) -> Ladder:
        key = (self._steps, self.batch)
        if getattr(self, "_ladder_key", None) != key:
            self._ladder, self._ladder_key = self.ladder(), key
        return self._ladder

    @property
    def pending(self) -> np.ndarray:
        """Index of the decision each row must answer now, or -1."""
        waiting = self.triggered & ~self.answered
        return np.where(waiting.any(axis=1), np.argmax(waiting, axis=1), -1) if waiting.shape[1] else np.full(self.batch, -1)

    @property
    def must_ship(self) -> np.ndarray:
        """Rows out of choices: the only move left is ship (the turn limit lives here alone)."""
        return self.turn >= MAX_TURNS

    def human_value(self, best: bool = False) -> np.ndarray:
        """The human-level figure the team took as its proxy (or the best in the table), once measured."""
        table = np.array([row.error for row in self.case.human_level.table])
        figure = np.full(self.batch, table.min()) if best else table[self.human_proxy]
        return np.where(self.human_seen, figure, np.nan)

    def metric_values(self, level_up: int = 0, knobs: Knobs | None = None) -> dict[str, np.ndarray]:
        """Every satisficing metric of the trained model (or `knobs`, one size up): inference_s, memory_mb and
        the case's own, by id. The case's own read the trained model's error (a size up is not trained yet)."""
        knobs = self.model if knobs is None else knobs
        if level_up:
            knobs = copy.copy(knobs)  # shares every array but the new level (nothing below writes to knobs)
            knobs.level = knobs.level + level_up
        inference, memory = serving_costs(self.truth, knobs)
        out = {"inference_s": inference, "memory_mb": memory}
        if self.metric_law.count:
            own = metric_values(self.metric_law, knobs, self.level0, self.current().target_true, self.error0)
            out.update({m.id: own[:, j] for j, m in enumerate(self.case.metrics)})
        return out

    def constraint_values(self, level_up: int = 0, knobs: Knobs | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(B, C) each constraint's metric, in the case's order; and whether every threshold holds."""
        return self._constraint_table(self.metric_values(level_up, knobs))

    def _constraint_table(self, values: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        table = (np.stack([values[con.metric] for con in self.case.constraints], axis=1) if self.case.constraints
                 else np.zeros((self.batch, 0)))
        return table, meets(self.case, table).all(axis=1)

    def visible(self, noise_free: bool = False) -> Visible:
        """What each row can see now (cached until the next step; callers must not change it).

        `noise_free`: the same view with exact readings, as if every set were endless and correctly labelled (the
        expert's view: its play must not hinge on the luck or the flaws of one reading, or it could not be the
        yardstick of every other). Rungs not yet measured stay hidden.
        """
        key = (self._steps, id(self.plan), self.batch, noise_free)
        cache = self.__dict__.get("_views", {})
        if key not in cache:
            cache = self.__dict__["_views"] = {k: v for k, v in cache.items() if k[:3] == key[:3]}  # this step's
            other = cache.get(key[:3] + (not noise_free,))
            # Both views of one step differ only in their readings: the second is the first with those replaced.
            lad = self.ladder_without_noise() if noise_free else self.current()
            cache[key] = (self._compute_visible(lad, noise_free) if other is None
                          else replace(other, **self._readings(lad, noise_free)))
        return cache[key]

    def _readings(self, lad: Ladder, noise_free: bool) -> dict[str, np.ndarray]:
        """The fields of a view that read the ladder's noise: the rungs and the error-analysis table."""
        sets = self.sets
        table, mislabelled = (self._expected_table(lad) if noise_free
                              else (self.ea_shares.copy(), self.ea_mislabelled.copy()))
        return dict(train=lad.train.copy(), train_dev=np.where(sets.train_dev > 0.5, lad.train_dev, np.nan),
                    dev=lad.dev.copy(), test=np.where(self.test_read, lad.test, np.nan), ea_shares=table,
                    ea_mislabelled=mislabelled)

    def _compute_visible(self, lad: Ladder, noise_free: bool) -> Visible:
        metrics = self.metric_values()
        inference, memory = metrics["inference_s"], metrics["memory_mb"]
        limits, ok = self._constraint_table(metrics)
        bigger, _ = self.constraint_values(level_up=1, knobs=self.plan)
        # Only a threshold that holds now can be broken by a size up (one already broken is a reason to fix it).
        breaks_bigger = (meets(self.case, limits) & ~meets(self.case, bigger)).any(axis=1)
        smaller, _ = self.constraint_values(level_up=-1)
        plan, model, sets, t = self.plan, self.model, self.sets, self.truth
        p_train = target_share(model)
        return Visible(
            **self._readings(lad, noise_free), human=self.human_value(), human_best=self.human_value(best=True),
            differ=np.abs(p_train - sets.dev_target) > DIFFERENT_MIX,
            dev_test_differ=np.abs(plan.dev_target - plan.test_target) > DIFFERENT_MIX,
            n_train=np.maximum(model.n_target + model.n_other + model.n_syn, 1.0), n_dev=sets.n_dev.copy(),
            n_test=sets.n_test.copy(), n_train_dev=train_dev_size(sets), dev_growth=self.dev_growth.copy(),
            ea_done=self.ea_done.copy(), ea_fresh=self.ea_done & (self.ea_model == self.model_id) & (self.ea_dev == self.dev_id),
            ea_age=np.where(self.ea_done, self.model_id - self.ea_model, 0),
            ea_dev_changed=self.ea_done & (self.ea_dev != self.dev_id),

            ea_cleaned=self.ea_cleaned.copy(), dev_labels_clean=self.labels_cleaned_at == self.dev_id,
            metric_problem=self.metric_problem.copy(), devset_stale=self.devset_stale.copy(),
            retrain_due=(metric_shortfall(model, sets) > 0) | (devset_shortfall(model, sets) > 0),
            metric_flawed=plan.metric_gap > 0,
            devset_flawed=(plan.devset_gap > 0) | (plan.dev_target < 1.0 - DIFFERENT_MIX)
            | (plan.test_target < 1.0 - DIFFERENT_MIX),
            run_weeks=run_weeks(t, plan), constraints_ok=ok, bigger_breaks=breaks_bigger,
            smaller_helps=eases(self.case, limits, smaller),
            rounds_since_test=sets.rounds - np.nan_to_num(self.rounds_at_test, nan=0.0),
            test_ever_read=~np.isnan(self.rounds_at_test), test_peeks=self.test_peeks.copy(),
            transfer_used=plan.transfer > 0.5, multitask_used=plan.multitask > 0.5, e2e=plan.e2e > 0.5,
            data=lad.effective_data, n_target=plan.n_target.copy(), e2e_threshold=t.e2e_threshold,
            faster_hardware=plan.speed > 1.0, subset=plan.subset > 0.5, regularized=plan.reg > 0,
            regularization_known=np.ones(self.batch, dtype=bool),
            labels_cleaned=(plan.train_noise_random + plan.train_noise_systematic) <= 0,
            weeks_left=self.case.budget_weeks - self.week, inference_s=inference, memory_mb=memory,
            offered=self.offered.copy(), fired=self.fired.copy(), limits=limits,
            weeks_source=_WeeksOf(self), plan=plan, model=model, sets=sets,
        )

    def weeks_needed(self) -> tuple[np.ndarray, np.ndarray]:
        """(B, len(ACTION_IDS)) weeks each action would take now, its training run sized after its change; and the
        weeks a ship would take right after it (the final run on all the data, after experiments on a subset).

        NaN for actions the case does not offer. Cached until the next step, like the views that read it.
        """
        key = (self._steps, id(self.plan), self.batch)
        kept = self.__dict__.get("_weeks_needed")
        if kept is None or kept[0] != key:
            kept = (key, self._compute_weeks_needed())
            self.__dict__["_weeks_needed"] = kept
        return kept[1]

    def _compute_weeks_needed(self) -> tuple[np.ndarray, np.ndarray]:
        return self.weeks_for(self.truth, self.plan, self.offered)

    def weeks_for(self, truth, plan: Knobs, offered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`weeks_needed` for any rows of this case: their hidden truth (only what `run_weeks` reads, e.g. a
        `RunTruth`), their plan and their menu. A re-play that judges many turns at once asks it once for all."""
        b = len(offered)
        out = np.full((b, len(ACTION_IDS)), np.nan)
        ship_after = np.full((b, len(ACTION_IDS)), np.nan)
        final_now = _final_run(truth, plan)
        ship_base = self.base_weeks[SHIP]
        # Every action that changes the next run, tried at once: block j of a stacked batch is the plan after the
        # j-th of them (one run_weeks over the stack instead of one per action).
        tried = [code for code, action in enumerate(ACTION_IDS)
                 if self.available[code] and (ACTIONS[action].retrains or action == "train_on_subset")]
        runs = finals = None
        if tried:
            stack = _Stacked(plan, len(tried))
            none = Params.none(len(tried) * b)
            for j, code in enumerate(tried):
                ACTIONS[ACTION_IDS[code]].effect(stack, np.arange(j * b, (j + 1) * b), none, self.amounts)
            run = run_weeks(_Stacked(truth, len(tried)), stack)
            runs = run.reshape(len(tried), b)
            finals = np.where(stack.subset > 0.5, run * SUBSET_SPEEDUP, 0.0).reshape(len(tried), b)
        block = {code: j for j, code in enumerate(tried)}
        for code, action in enumerate(ACTION_IDS):
            if not self.available[code]:
                continue
            j = block.get(code)
            run = runs[j] if j is not None and ACTIONS[action].retrains else 0.0
            final = finals[j] if j is not None else final_now
            out[:, code] = self.base_weeks[code] + run
            ship_after[:, code] = ship_base + final
        if self.available[SHIP]:
            out[:, SHIP] += final_now
            ship_after[:, SHIP] = 0.0
        return np.where(offered, out, np.nan), ship_after

    def run_truth(self, rows: np.ndarray) -> "RunTruth":
        """What `weeks_for` reads of the hidden truth at `rows`, kept apart (the engine's truth moves on)."""
        return RunTruth(*(np.broadcast_to(np.asarray(getattr(self.truth, name), dtype=float), (self.batch,))[rows]
                          for name in RunTruth._fields))

    def final_run(self, knobs=None) -> np.ndarray:
        """Weeks of the run on all the data that shipping takes after experiments on a subset (0 otherwise)."""
        return _final_run(self.truth, self.plan if knobs is None else knobs)

    def world_at_end(self, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(metric_world, devset_world) at the end of the budget: now, plus every event still to come."""
        metric, devset = self.plan.metric_world.copy(), self.plan.devset_world.copy()
        world = {"metric_world": metric, "devset_world": devset}
        for e, event in enumerate(self.case.events):
            coming = ~self.fired[:, e] & (self.event_weeks[:, e] <= self.case.budget_weeks)
            if rows is not None:
                coming &= rows
            for gap, target in _WORLD.items():
                values = world[target]
                if gap in event.effects.set:
                    values[coming] = event.effects.set[gap]
                if gap in event.effects.add:
                    values[coming] += event.effects.add[gap]
                if gap in event.effects.scale:
                    values[coming] *= event.effects.scale[gap]
        return metric, devset

    def truth_at_end(self, rows: np.ndarray | None = None) -> Truth:
        """The hidden law the users' world follows at the end of the budget: now, plus every event to come."""
        truth = self.world_truth
        for e, event in enumerate(self.case.events):
            if not (event.truth.model_fields_set or event.shares):
                continue
            coming = ~self.fired[:, e] & (self.event_weeks[:, e] <= self.case.budget_weeks)
            if rows is not None:
                coming &= rows
            if coming.any():
                truth = _changed_truth(truth, event, self.case, coming)
        return truth

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
        code = np.maximum(action, 0)
        params = Params(category=moves.category, variety=moves.variety)
        plan = self.plan
        weeks_before = self.base_weeks[code]
        apply_actions(plan, action, params, self.amounts)
        retrained = acting & _RETRAINS[code]
        run = run_weeks(self.truth, plan)
        ship = acting & (action == SHIP)
        if np.any(ship):
            weeks_before = weeks_before + np.where(ship, self.final_run(), 0.0)
        self.week += np.where(acting, weeks_before + np.where(retrained, run, 0.0), 0.0)
        if np.any(retrained):
            self.model.assign(retrained, plan)  # the run trains the plan: a new model
            self.model_id += retrained
            if self.world_truth is not self.truth:  # ... on the world as it is now
                self.truth = self.truth.where(retrained, self.world_truth)
        self._measure_on_plan(retrained | (acting & _IMMEDIATE[code]), acting, code)
        grown = acting & (action == ACTION_INDEX["bigger_dev_set"])
        self.dev_growth = np.where(acting & (action == ACTION_INDEX["change_dev_test"]), 0, self.dev_growth + grown)
        self.test_read &= ~retrained  # a new model: its test error is not read yet
        cleaned = acting & np.isin(action, _CLEANS)
        self.labels_cleaned_at = np.where(cleaned, self.dev_id, self.labels_cleaned_at)
        self.ea_cleaned |= cleaned & self.ea_done
        self.turn += (acting | answering).astype(np.int64)
        self._steps += 1  # ids may have changed: later reads in this step see the new model and sets
        self._measure(action, acting)
        over = acting & (self.week > self.case.budget_weeks + 1e-9)
        ending = (ship & ~over) | over
        if np.any(ending):
            end = ladder(self.truth_at_end(ending), self.model, self.sets, self.noise(), self.world_at_end(ending))
            self.real_world = np.where(ending, end.real, self.real_world)
            self.real_true = np.where(ending, end.real_true, self.real_true)
        self.shipped |= ship & ~over
        self.over_budget |= over
        self.done |= ending
        # Acting on the aim clears the flag an event raised (before this step's events may raise it again).
        self.metric_problem &= ~(acting & (action == ACTION_INDEX["change_metric"]))
        self.devset_stale &= ~(acting & (action == ACTION_INDEX["change_dev_test"]))
        self._fire_events(live & ~self.done)
        self._refresh_decisions(acting, action)

    def _measure_on_plan(self, rows: np.ndarray, acting: np.ndarray, code: np.ndarray) -> None:
        """From now on, measure `rows` on the plan's data sets and aim; a set whose examples changed is a new set
        (new sampling noise, nothing tuned on it, not read yet)."""
        if not rows.any():
            return
        plan, sets = self.plan, self.sets
        for kind, names, ids in (("dev", DEV_SET_KNOBS, self.dev_id), ("test", TEST_SET_KNOBS, self.test_id),
                                 ("train_dev", ("n_train_dev", "train_dev"), self.td_id)):
            new = acting & _NEW_SET[kind][code]
            for name in names:
                new |= getattr(plan, name) != getattr(sets, name)
            new &= rows
            ids += new
            if kind == "test":
                self.test_read &= ~new
        sets.assign(rows, plan)

    def _answer(self, rows: np.ndarray, decision: np.ndarray, option: np.ndarray) -> None:
        for d in np.unique(decision):
            sel = decision == d
            spec = self.case.decisions[d]
            opts = np.clip(option[sel], 0, len(spec.options) - 1)
            for o in np.unique(opts):
                chosen = spec.options[o]
                idx = rows[sel][opts == o]
                self.apply_effects(chosen.effects, idx, world=False)
                if chosen.human_proxy is not None:
                    self.human_proxy[idx] = chosen.human_proxy
                self.week[idx] += chosen.weeks
                for later, other in enumerate(self.case.decisions):  # a branch this answer opens
                    branch = other.when.after_answer
                    if branch is not None and branch.decision == spec.id and branch.option == chosen.id:
                        self.triggered[idx, later] = True
            self.answered[rows[sel], d] = True

    def apply_effects(self, effects: Effects, idx: np.ndarray, world: bool) -> None:
        """Knob changes from a decision option (world=False) or an event (world=True).

        An event's metric_gap / devset_gap moves the users' world, not the team's aim; every other knob is
        the plan's: the next run uses it (and measures on the data sets it describes).
        """
        plan = self.plan
        before = {name: getattr(plan, name)[idx].copy() for name in DEV_SET_KNOBS}
        for op in ("set", "add", "scale"):
            for name, value in getattr(effects, op).items():
                target = getattr(plan, _WORLD[name] if world and name in AIM_KNOBS else name)
                if op == "set":
                    target[idx] = value
                elif op == "add":
                    target[idx] += value
                else:
                    target[idx] *= value
        new = np.zeros(len(idx), dtype=bool)
        for name in DEV_SET_KNOBS:
            new |= getattr(plan, name)[idx] != before[name]
        plan.rounds[idx[new]] = 0.0  # nothing will have been tuned on a new dev set yet
        self._steps += 1  # sets may be new: the cached ladder and view are stale

    def _measure(self, action: np.ndarray, acting: np.ndarray) -> None:
        human = acting & (action == ACTION_INDEX["measure_human_level"])
        self.human_seen |= human
        test = acting & (action == ACTION_INDEX["evaluate_test"])
        analysis = acting & (action == ACTION_INDEX["error_analysis"])
        if np.any(test):
            self.test_read |= test
            self.test_peeks += test
            self.rounds_at_test = np.where(test, self.sets.rounds, self.rounds_at_test)
        if np.any(analysis):
            shares, mislabelled = self.analysis_shares(self.current())
            self.ea_shares = np.where(analysis[:, None], shares, self.ea_shares)
            self.ea_mislabelled = np.where(analysis, mislabelled, self.ea_mislabelled)
            self.ea_done |= analysis
            self.ea_model = np.where(analysis, self.model_id, self.ea_model)
            self.ea_dev = np.where(analysis, self.dev_id, self.ea_dev)
            self.ea_cleaned &= ~analysis

    def expected_shares(self, lad: Ladder) -> tuple[np.ndarray, np.ndarray]:
        """Each category's and the mislabelled examples' expected share of the dev set's errors."""
        plan, t = self.sets, self.truth
        parts = t.cat_share * self.model.cat_residual * (lad.variance_law + plan.dev_target * lad.mismatch_law)[:, None]
        errors = np.maximum(lad.dev_seen + plan.dev_noise, 1e-9)
        return np.clip(parts / errors[:, None], 0.0, 1.0), np.clip(plan.dev_noise / errors, 0.0, 1.0)

    def analysis_shares(self, lad: Ladder) -> tuple[np.ndarray, np.ndarray]:
        """Shares of ~100 misclassified dev examples per category and mislabelled: the expected shares with the
        sampling noise of that reading (drawn once per model and dev set)."""
        expected, mislabelled = self.expected_shares(lad)
        n = ANALYSIS_SAMPLE
        k, m, d = self.truth.draws.key, self.model_id, self.dev_id
        noise_m = noise_streams.normals(k, noise_streams.ANALYSIS, m, d, lane=0)
        noise_c = np.stack([noise_streams.normals(k, noise_streams.ANALYSIS, m, d, lane=j + 1)
                            for j in range(expected.shape[1])], axis=1) if expected.shape[1] else expected
        sample = np.clip(expected + np.sqrt(expected * (1 - expected) / n) * noise_c, 0.0, 1.0)
        sample_m = np.clip(mislabelled + np.sqrt(mislabelled * (1 - mislabelled) / n) * noise_m, 0.0, 1.0)
        return np.round(sample * n) / n, np.round(sample_m * n) / n

    def dev_sd(self) -> np.ndarray:
        """One standard deviation of the dev reading now, in points (the coherence check's tolerance)."""
        return sampling_sd(self.current().dev_seen, self.sets.n_dev)

    def _fire_events(self, live: np.ndarray) -> None:
        for e, event in enumerate(self.case.events):
            now = live & ~self.fired[:, e] & (self.week >= self.event_weeks[:, e])
            if not np.any(now):
                continue
            idx = np.flatnonzero(now)
            self.apply_effects(event.effects, idx, world=True)
            if "metric_problem" in event.flags:
                self.metric_problem[idx] = True
            if "devset_stale" in event.flags:
                self.devset_stale[idx] = True
            if event.truth.model_fields_set or event.shares:
                self.world_truth = _changed_truth(self.world_truth, event, self.case, now)
                if event.shares:  # the team is told the new mix: its error-analysis table says so from now on
                    self.ea_shares = _told_shares(self.ea_shares, event, self.case, now & self.ea_done)
            for action in event.offer:
                self.offered[idx, ACTION_INDEX[action]] = True
            for action in event.withdraw:
                self.offered[idx, ACTION_INDEX[action]] = action == "ship"  # the project can always end
            self.fired[idx, e] = True
            for d, decision in enumerate(self.case.decisions):
                if decision.when.after_event == event.id:
                    self.triggered[idx, d] = True

    def _refresh_decisions(self, acting: np.ndarray, action: np.ndarray | None) -> None:
        rungs = None
        for d, decision in enumerate(self.case.decisions):
            when = decision.when
            if when.week is not None:
                self.triggered[:, d] |= self.week >= when.week
            elif when.after_action is not None and action is not None:
                self.triggered[:, d] |= acting & (action == ACTION_INDEX[when.after_action])
            elif when.ladder is not None and not self.triggered[:, d].all():
                if rungs is None:  # the ladder the player sees now (the next turn's view: cached, not extra work)
                    vis = self.visible()
                    rungs = {"human": vis.human, "train": vis.train, "train_dev": vis.train_dev, "dev": vis.dev,
                             "test": vis.test}
                self.triggered[:, d] |= _condition(when.ladder).holds(rungs) & ~self.done


class RunTruth(NamedTuple):
    """The part of a row's hidden truth a training run's length reads (`run_weeks`)."""

    run_weeks0: np.ndarray
    D0: np.ndarray
    C0: np.ndarray
    multitask_data: np.ndarray

    @classmethod
    def concat(cls, parts: list["RunTruth"]) -> "RunTruth":
        return cls(*(np.concatenate(column) for column in zip(*parts)))


def _final_run(truth, knobs: Knobs) -> np.ndarray:
    subset = knobs.subset > 0.5
    if not subset.any():
        return np.zeros(len(subset))
    return np.where(subset, run_weeks(truth, knobs) * SUBSET_SPEEDUP, 0.0)


class _WeeksOf:
    """An engine's weeks_needed for the views it makes, holding the engine weakly: the engine caches its views,
    so a view holding it strongly would make every engine a reference cycle, its arrays kept until the cyclic
    collector came by (lint's memory grew by kilobytes per seed)."""

    __slots__ = ("engine",)

    def __init__(self, engine: "Engine"):
        self.engine = weakref.ref(engine)

    def __call__(self) -> tuple[np.ndarray, np.ndarray]:
        engine = self.engine()
        if engine is None:
            raise RuntimeError("a view's weeks were asked for after its engine was gone")
        return engine.weeks_needed()
