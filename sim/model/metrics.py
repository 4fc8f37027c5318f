"""A case's own satisficing metrics (false declines, false wake-ups, p99 latency): how the model moves them.

Each metric starts at the first model's value and moves three ways, each a case's choice: with capacity
(`capacity`: times 2**capacity per network size step, as latency does), with the optimising metric at a fixed
decision threshold (`error`: per point the model's error on the users' distribution moves), and by actions
(`metric_shift`: what each use of an action adds, counted in the knobs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.knobs import Knobs


@dataclass(frozen=True)
class MetricLaw:
    """(M,) arrays, one entry per metric of the case."""

    start: np.ndarray
    capacity: np.ndarray
    error: np.ndarray

    @property
    def count(self) -> int:
        return len(self.start)


NO_METRICS = MetricLaw(np.zeros(0), np.zeros(0), np.zeros(0))


def metric_values(law: MetricLaw, k: Knobs, level0: np.ndarray, error: np.ndarray, error0: np.ndarray) -> np.ndarray:
    """(B, M) each metric of each row's model: `level0` and `error0` are the first model's size and error."""
    if not law.count:
        return np.zeros((len(level0), 0))
    steps = (k.level - level0)[:, None]
    moved = (error - error0)[:, None]
    return law.start[None, :] * 2.0 ** (law.capacity[None, :] * steps) + law.error[None, :] * moved + k.metric_shift
