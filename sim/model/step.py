"""One vectorised step: every row applies its chosen action, then retrains where needed."""

from __future__ import annotations

import numpy as np

from sim.model.actions import ACTIONS, ACTION_IDS, RETRAINS, ActionAmounts, Params, fix_categories
from sim.model.knobs import Knobs

assert len(ACTION_IDS) < 127, "apply_actions sorts action codes (and -1 for no move) as int8"


def apply_actions(k: Knobs, action: np.ndarray, params: Params, amounts: ActionAmounts) -> np.ndarray:
    """Apply each row's action to `k` in place; return the rows that now run a training run."""
    # Group rows by action with a counting sort (int8 keys sort by radix in one pass: linear in the batch).
    order = np.argsort(action.astype(np.int8), kind="stable")
    counts = np.bincount(action + 1, minlength=len(ACTION_IDS) + 1)
    bounds = np.cumsum(counts)
    # Most steps name no category anywhere: then no group needs its rows' categories looked up.
    aimed = params.category.size > 0 and params.category.max() >= 0
    for code in np.flatnonzero(counts[1:]):  # slot 0 holds -1: rows that made no move this step
        idx = order[bounds[code]: bounds[code + 1]]
        # A fix aimed at a category acts on it alone; synthetic data as far as its variety reaches.
        plain = fix_categories(k, idx, params, amounts, by_variety=ACTION_IDS[code] == "synthesize_data") \
            if aimed else idx
        ACTIONS[ACTION_IDS[code]].effect(k, plain, params, amounts)
    if amounts.metric_effect.size:  # the case's own satisficing metrics: what each use of an action adds
        acting = action >= 0
        k.metric_shift[acting] += amounts.metric_effect[action[acting]]
    trains = (action >= 0) & RETRAINS[np.maximum(action, 0)]
    k.rounds += trains
    return trains
