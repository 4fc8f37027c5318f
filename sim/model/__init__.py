"""The numpy project model: hidden truth, knobs, the error law and action effects, over a batch axis.

Pure: no I/O, no UI. One row per playthrough; the same code runs one game or a hundred thousand.
"""

from sim.model.actions import ACTION_IDS, ACTION_INDEX, ACTIONS, FAMILIES, ActionAmounts, ActionDef, Params
from sim.model.knobs import KNOB_DEFAULTS, SETTABLE_KNOBS, Knobs, initial_knobs
from sim.model.law import Costs, Ladder, costs, effective_data, ladder, run_weeks
from sim.model.step import apply_actions
from sim.model.seeds import MAX_CATEGORIES, TAPE_TURNS, SeedDraws, seed_draws
from sim.model.truth import TRUTH_PARAMS, Truth, calibrate

__all__ = [
    "ACTIONS", "ACTION_IDS", "ACTION_INDEX", "FAMILIES", "ActionAmounts", "ActionDef", "Params",
    "Knobs", "KNOB_DEFAULTS", "SETTABLE_KNOBS", "initial_knobs", "Costs", "Ladder", "costs", "effective_data", "ladder", "run_weeks", "apply_actions",
    "MAX_CATEGORIES", "TAPE_TURNS", "SeedDraws", "seed_draws", "TRUTH_PARAMS", "Truth", "calibrate",
]
