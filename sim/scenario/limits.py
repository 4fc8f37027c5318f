"""Whether a case's satisficing thresholds hold, and whether a change eases the broken ones (one place for both)."""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Case


def within(value, limit, is_max: bool = True):
    """A satisficing metric meets its threshold (a hair of tolerance for floating point)."""
    return value <= limit + 1e-12 if is_max else value >= limit - 1e-12


def meets(case: Case, table: np.ndarray) -> np.ndarray:
    """(B, C) each constraint holds for its metric's value in `table` (B, C)."""
    out = np.ones(table.shape, dtype=bool)
    for j, con in enumerate(case.constraints):
        out[:, j] = within(table[:, j], con.limit, con.is_max)
    return out


def eases(case: Case, now: np.ndarray, then: np.ndarray) -> np.ndarray:
    """(B,) some threshold is broken now, and every broken one's metric moves toward its bound from `now` to
    `then` (both (B, C)) while none that holds breaks."""
    holds, holds_then = meets(case, now), meets(case, then)
    toward = np.zeros(now.shape, dtype=bool)
    for j, con in enumerate(case.constraints):
        toward[:, j] = then[:, j] < now[:, j] if con.is_max else then[:, j] > now[:, j]
    broken = ~holds
    return broken.any(axis=1) & (toward | holds).all(axis=1) & (holds_then | ~holds).all(axis=1)
