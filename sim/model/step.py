"""One vectorised step: every row applies its chosen action, then retrains where needed."""

from __future__ import annotations

import numpy as np

from sim.model.actions import ACTIONS, ACTION_IDS, RETRAINS, ActionAmounts, Params
from sim.model.knobs import Knobs


def apply_actions(k: Knobs, action: np.ndarray, params: Params, amounts: ActionAmounts) -> np.ndarray:
    """Apply each row's action to `k` in place; return the rows that now run a training run."""
    for code in np.unique(action):
        if code < 0:  # -1: the row made no move this step (finished, or answering a decision)
            continue
        idx = np.flatnonzero(action == code)
        ACTIONS[ACTION_IDS[code]].effect(k, idx, params, amounts)
    trains = (action >= 0) & RETRAINS[np.maximum(action, 0)]
    k.rounds[trains] += 1.0
    return trains
