"""What the player can see when choosing: the only input the coach judges from."""

from __future__ import annotations

from dataclasses import dataclass, fields

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
    weeks_needed: np.ndarray  # (B, len(ACTION_IDS)) weeks each action would take, NaN where not offered

    def take(self, idx) -> "Visible":
        return Visible(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    @property
    def batch(self) -> int:
        return len(self.train)
