"""What the player can see when choosing: the only input the coach judges from."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any, Callable

import numpy as np


@dataclass(frozen=True)
class Visible:
    """Arrays over the batch; NaN marks a rung or reading the team has not measured."""

    human: np.ndarray  # the human-level figure the team took as its proxy (what the ladder shows)
    human_best: np.ndarray  # the best human-level figure measured: the Bayes proxy the coach reads bias against
    train: np.ndarray
    train_dev: np.ndarray
    dev: np.ndarray
    test: np.ndarray
    differ: np.ndarray  # the training mix is another distribution than the dev set's
    dev_test_differ: np.ndarray  # dev and test were built from different distributions
    n_train: np.ndarray  # the sets' sizes (NaN: unknown, their sampling noise negligible)
    n_train_dev: np.ndarray
    n_dev: np.ndarray
    n_test: np.ndarray
    dev_growth: np.ndarray  # times the dev set has been enlarged since it was built
    ea_shares: np.ndarray  # (B, K) share of dev errors per category at the last error analysis
    ea_mislabelled: np.ndarray  # share of dev errors that are mislabelled examples, at that analysis
    ea_done: np.ndarray
    ea_fresh: np.ndarray  # that analysis read the current model on the current dev set
    ea_age: np.ndarray  # training runs since that analysis (0: it read the current model)
    ea_dev_changed: np.ndarray  # the dev set was remade since that analysis
    ea_cleaned: np.ndarray  # labels were cleaned after that analysis (its mislabelled share is gone)
    dev_labels_clean: np.ndarray  # the current dev set's labels have been cleaned
    metric_problem: np.ndarray  # an event showed the metric ranks models wrongly for users
    devset_stale: np.ndarray  # an event showed dev/test no longer reflect the users' data
    retrain_due: np.ndarray  # the metric or dev/test changed since the model was trained: it aims at the old ones
    metric_flawed: np.ndarray  # the team's metric came from an answer the coach called wrong, not changed since
    devset_flawed: np.ndarray  # the dev/test sets came from such an answer (or hold other data), not changed since
    run_weeks: np.ndarray  # weeks one training run takes now
    constraints_ok: np.ndarray
    bigger_breaks: np.ndarray  # one size up would break a satisficing threshold
    smaller_helps: np.ndarray  # one size down moves every broken threshold's metric toward its bound
    rounds_since_test: np.ndarray  # tuning rounds since the last look at test (since the start if never)
    test_ever_read: np.ndarray
    test_peeks: np.ndarray
    transfer_used: np.ndarray
    multitask_used: np.ndarray
    e2e: np.ndarray
    data: np.ndarray  # effective training examples
    n_target: np.ndarray
    e2e_threshold: np.ndarray
    faster_hardware: np.ndarray
    subset: np.ndarray
    regularized: np.ndarray
    regularization_known: np.ndarray  # False when a question does not say whether the model is regularised
    labels_cleaned: np.ndarray  # no label noise left in the training data
    weeks_left: np.ndarray
    inference_s: np.ndarray
    memory_mb: np.ndarray
    offered: np.ndarray  # (B, len(ACTION_IDS)) on the menu now (a case may hold some back until an event)
    fired: np.ndarray  # (B, E) events that have happened (some tell the team new facts)
    limits: np.ndarray  # (B, C) each satisficing constraint's metric now, in the case's order
    # Weeks each action would take, (B, len(ACTION_IDS)), NaN where not offered. Computed on first use:
    # trying every action costs more than the rest of the view, and the coach never needs it.
    weeks_source: Callable[[], np.ndarray]
    # The team's own knobs: what the next run will use, and the model the ladder measures (None when a view is
    # built from a bare ladder, as `mlsim diagnose` does).
    plan: Any = None
    model: Any = None
    sets: Any = None  # the data sets and aim the model is measured on

    @classmethod
    def single(cls, human=None, train=None, train_dev=None, dev=None, test=None, **facts) -> "Visible":
        """One player's view from a bare ladder (None = not measured); other facts neutral unless given."""
        from sim.model import ACTION_IDS  # local: keeps this module a plain record type

        nan, false, zero = np.nan, np.array([False]), np.array([0.0])
        one = lambda v: np.array([nan if v is None else float(v)])  # noqa: E731
        view = dict(
            human=one(human), human_best=one(human), train=one(train), train_dev=one(train_dev), dev=one(dev), test=one(test),
            differ=false, dev_test_differ=false, n_train=one(None), n_train_dev=one(None), n_dev=one(None),
            n_test=one(None), dev_growth=zero, ea_shares=np.zeros((1, 0)), ea_mislabelled=np.array([nan]), ea_done=false,
            ea_fresh=false, ea_age=zero, ea_dev_changed=false, ea_cleaned=false, dev_labels_clean=false, metric_problem=false, devset_stale=false,
            retrain_due=false, metric_flawed=false, devset_flawed=false, run_weeks=zero, constraints_ok=np.array([True]), bigger_breaks=false,
            smaller_helps=false,
            rounds_since_test=zero, test_ever_read=false, test_peeks=zero,
            transfer_used=false, multitask_used=false, e2e=false, data=zero, n_target=zero,
            e2e_threshold=np.array([np.inf]), faster_hardware=false, subset=false, regularized=false,
            regularization_known=np.array([True]),
            labels_cleaned=false, weeks_left=np.array([np.inf]), inference_s=zero, memory_mb=zero,
            offered=np.ones((1, len(ACTION_IDS)), dtype=bool), fired=np.zeros((1, 0), dtype=bool),
            limits=np.zeros((1, 0)),
            weeks_source=lambda: (np.zeros((1, len(ACTION_IDS))), np.zeros((1, len(ACTION_IDS)))),
        )
        for name, value in facts.items():
            view[name] = np.atleast_1d(np.asarray(value)) if name != "ea_shares" else np.atleast_2d(value)
        return cls(**view)

    @cached_property
    def _weeks(self) -> tuple[np.ndarray, np.ndarray]:
        return self.weeks_source()

    @property
    def weeks_needed(self) -> np.ndarray:
        """(B, len(ACTION_IDS)) weeks each action takes now, NaN where the case does not offer it."""
        return self._weeks[0]

    @property
    def ship_after(self) -> np.ndarray:
        """(B, len(ACTION_IDS)) weeks a ship takes right after each action."""
        return self._weeks[1]

    def kept(self) -> "Visible":
        """This view, safe to keep while its engine plays on: the engine gives each view arrays of its own, but
        the knobs (plan, model, sets) are the engine's live ones, so they are copied; the weeks are left to
        whoever keeps it (they would ask the engine as it is later)."""
        return replace(self, **{name: getattr(self, name).copy() for name in _KNOBS if getattr(self, name) is not None})

    def take(self, idx) -> "Visible":
        parts = {name: getattr(self, name)[idx] for name in _ARRAYS}
        knobs = {name: (None if getattr(self, name) is None else getattr(self, name).take(np.arange(self.batch)[idx]))
                 for name in _KNOBS}
        return Visible(**parts, **knobs, weeks_source=lambda: (self.weeks_needed[idx], self.ship_after[idx]))

    @classmethod
    def concat(cls, views: list["Visible"], weeks_source: Callable[[Any, np.ndarray], tuple[np.ndarray, np.ndarray]]) -> "Visible":
        """One view of the rows of several, in order; `weeks_source(plan, offered)` gives the joined view's weeks
        from its joined plan and menu (each part's own would ask an engine that has moved on since)."""
        parts = {name: np.concatenate([getattr(v, name) for v in views]) for name in _ARRAYS}
        knobs = {name: (None if getattr(views[0], name) is None
                        else type(getattr(views[0], name)).concat([getattr(v, name) for v in views]))
                 for name in _KNOBS}
        plan, offered = knobs["plan"], parts["offered"]  # not the view itself: that would make it a reference cycle
        return cls(**parts, **knobs, weeks_source=lambda: weeks_source(plan, offered))

    @property
    def batch(self) -> int:
        return len(self.train)


_KNOBS = ("plan", "model", "sets")  # the team's knobs: objects of their own (take, copy, concat), or None
_ARRAYS = tuple(f.name for f in fields(Visible) if f.name not in _KNOBS + ("weeks_source",))  # one row per player
