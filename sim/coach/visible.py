"""What the player can see when choosing: the only input the coach judges from."""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Visible:
    """Arrays over the batch; NaN marks a rung or reading the team has not measured."""

    human: np.ndarray
    train: np.ndarray
    train_dev: np.ndarray
    dev: np.ndarray
    test: np.ndarray
    differ: np.ndarray  # training data includes sources unlike the dev/test data
    ea_shares: np.ndarray  # (B, K) share of dev errors per category at the last error analysis
    ea_mislabelled: np.ndarray  # share of dev errors that are mislabelled examples, at that analysis
    ea_done: np.ndarray
    ea_fresh: np.ndarray  # no training run since that analysis
    metric_problem: np.ndarray  # an event showed the metric ranks models wrongly for users
    devset_stale: np.ndarray  # an event showed dev/test no longer reflect the users' data
    run_weeks: np.ndarray  # weeks one training run takes now
    constraints_ok: np.ndarray
    bigger_breaks: np.ndarray  # one size up would break a satisficing threshold
    rounds_since_test: np.ndarray
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
    labels_cleaned: np.ndarray  # no label noise left in the training data
    weeks_left: np.ndarray
    inference_s: np.ndarray
    memory_mb: np.ndarray
    # Weeks each action would take, (B, len(ACTION_IDS)), NaN where not offered. Computed on first use:
    # trying every action costs more than the rest of the view, and the coach never needs it.
    weeks_source: Callable[[], np.ndarray]

    @classmethod
    def single(cls, human=None, train=None, train_dev=None, dev=None, test=None, **facts) -> "Visible":
        """One player's view from a bare ladder (None = not measured); other facts neutral unless given."""
        from sim.model import ACTION_IDS  # local: keeps this module a plain record type

        nan, false, zero = np.nan, np.array([False]), np.array([0.0])
        one = lambda v: np.array([nan if v is None else float(v)])  # noqa: E731
        view = dict(
            human=one(human), train=one(train), train_dev=one(train_dev), dev=one(dev), test=one(test),
            differ=false, ea_shares=np.zeros((1, 0)), ea_mislabelled=np.array([nan]), ea_done=false,
            ea_fresh=false, metric_problem=false, devset_stale=false, run_weeks=zero,
            constraints_ok=np.array([True]), bigger_breaks=false, rounds_since_test=zero, test_peeks=zero,
            transfer_used=false, multitask_used=false, e2e=false, data=zero, n_target=zero,
            e2e_threshold=np.array([np.inf]), faster_hardware=false, subset=false, regularized=false,
            labels_cleaned=np.array([True]), weeks_left=np.array([np.inf]), inference_s=zero, memory_mb=zero,
            weeks_source=lambda: np.zeros((1, len(ACTION_IDS))),
        )
        for name, value in facts.items():
            view[name] = np.atleast_1d(np.asarray(value)) if name != "ea_shares" else np.atleast_2d(value)
        return cls(**view)

    @cached_property
    def weeks_needed(self) -> np.ndarray:
        return self.weeks_source()

    def take(self, idx) -> "Visible":
        parts = {f.name: getattr(self, f.name)[idx] for f in fields(self) if f.name != "weeks_source"}
        return Visible(**parts, weeks_source=lambda: self.weeks_needed[idx])

    @property
    def batch(self) -> int:
        return len(self.train)
