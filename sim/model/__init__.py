"""The numpy project model: hidden truth, knobs, the error law and action effects, over a batch axis.

Pure: no I/O, no UI. One row per playthrough; the same code runs one game or a hundred thousand.
docs/design.md states the law term by term.
"""

# Bumped whenever the error law changes what a (case, seed, choices) reaches: results, saves and outbox
# entries carry it, so a record made by another law is reported as such, never as tampered.
MODEL_VERSION = 3

from sim.model.actions import ACTION_IDS, ACTION_INDEX, ACTIONS, FAMILIES, ActionAmounts, ActionDef, Params  # noqa: E402
from sim.model.calibrate import CalibrationError, calibrate  # noqa: E402
from sim.model.knobs import Knobs, initial_knobs  # noqa: E402
from sim.model.law import Costs, Ladder, Noise, costs, effective_data, ladder, run_weeks  # noqa: E402
from sim.model.params import (  # noqa: E402
    KNOB_DEFAULTS, KNOB_TABLE, SETTABLE_KNOBS, TRUTH_PARAMS, TRUTH_TABLE, Param,
)
from sim.model.seeds import MAX_CATEGORIES, TAPE_TURNS, SeedDraws, seed_draws  # noqa: E402
from sim.model.step import apply_actions  # noqa: E402
from sim.model.truth import Truth  # noqa: E402

__all__ = [
    "MODEL_VERSION",
    "ACTIONS", "ACTION_IDS", "ACTION_INDEX", "FAMILIES", "ActionAmounts", "ActionDef", "Params",
    "CalibrationError", "calibrate", "Knobs", "initial_knobs",
    "Costs", "Ladder", "Noise", "costs", "effective_data", "ladder", "run_weeks", "apply_actions",
    "KNOB_DEFAULTS", "KNOB_TABLE", "SETTABLE_KNOBS", "TRUTH_PARAMS", "TRUTH_TABLE", "Param",
    "MAX_CATEGORIES", "TAPE_TURNS", "SeedDraws", "seed_draws", "Truth",
]
