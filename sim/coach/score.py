"""The score: points per verdict plus an outcome score from the real-world error at the end."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.schema import Case

MAX_OUTCOME = 150  # beating the expert is rewarded, up to half again its outcome
EXPERT_OUTCOME = 100


@dataclass(frozen=True)
class Score:
    strategy: int
    outcome: int
    total: int

    def as_json(self) -> dict:
        return {"strategy": self.strategy, "outcome": self.outcome, "total": self.total}


def verdict_points(case: Case, verdict: str) -> int:
    return int(getattr(case.scoring, verdict))


def outcome_points(start_real, real, expert_real, constraints_met, shipped) -> np.ndarray:
    """100 for matching the expert's improvement over the starting error, 0 for none or a broken rule of the game.

    Zero when a satisficing threshold is broken at the end or the project ran past its budget (not shipped).
    """
    start_real, real, expert_real = (np.asarray(x, dtype=np.float64) for x in (start_real, real, expert_real))
    # The expert may gain little on a hard seed; never divide by less than a tenth of the starting error.
    expert_gain = np.maximum(start_real - expert_real, 0.1 * start_real)
    raw = EXPERT_OUTCOME * (start_real - real) / expert_gain
    points = np.where(np.isfinite(raw), np.clip(np.round(np.nan_to_num(raw)), 0, MAX_OUTCOME), 0)
    return np.where(np.asarray(constraints_met) & np.asarray(shipped), points, 0).astype(np.int64)
