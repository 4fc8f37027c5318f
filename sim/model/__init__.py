"""The numpy project model: hidden truth, knobs, the error law and action effects, over a batch axis.

Pure: no I/O, no UI. One row per playthrough; the same code runs one game or a hundred thousand.
"""

# Bumped whenever the error law changes what a (case, seed, choices) reaches: results, saves and outbox
# entries carry it, so a record made by another law is reported as such, never as tampered.
MODEL_VERSION = 2

from sim.model.actions import ACTION_IDS, ACTION_INDEX, ACTIONS, FAMILIES, ActionAmounts, ActionDef, Params
from sim.model.knobs import KNOB_DEFAULTS, SETTABLE_KNOBS, Knobs, initial_knobs
from sim.model.law import Costs, Ladder, costs, effective_data, ladder, run_weeks
from sim.model.step import apply_actions
from sim.model.seeds import MAX_CATEGORIES, TAPE_TURNS, SeedDraws, seed_draws
from sim.model.truth import TRUTH_PARAMS, Truth, calibrate

__all__ = [
    "MODEL_VERSION",
    "ACTIONS", "ACTION_IDS", "ACTION_INDEX", "FAMILIES", "ActionAmounts", "ActionDef", "Params",
    "Knobs", "KNOB_DEFAULTS", "SETTABLE_KNOBS", "initial_knobs", "Costs", "Ladder", "costs", "effective_data", "ladder", "run_weeks", "apply_actions",
    "MAX_CATEGORIES", "TAPE_TURNS", "SeedDraws", "seed_draws", "TRUTH_PARAMS", "Truth", "calibrate",
]
