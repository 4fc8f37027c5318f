"""How much each data action of a case adds: the case's numbers as the model's ActionAmounts."""

from __future__ import annotations

import numpy as np

from sim.model import ActionAmounts
from sim.scenario.schema import Case


def action_amounts(case: Case) -> ActionAmounts:
    spec = case.actions

    def given(action: str, field: str, default: float) -> float:
        value = getattr(spec[action], field) if action in spec else None
        return default if value is None else float(value)

    return ActionAmounts(
        collect_factor=given("collect_more_data", "factor", 1.0),
        target_amount=given("collect_target_data", "amount", 0.0),
        synthetic_amount=given("synthesize_data", "amount", 0.0),
        dev_factor=given("bigger_dev_set", "factor", 4.0),
        category_fix=np.array([c.fix for c in case.categories]),
    )
