"""How much each data action of a case adds: the case's numbers as the model's ActionAmounts."""

from __future__ import annotations

import numpy as np

from sim.model import ACTION_INDEX, ActionAmounts
from sim.model.metrics import MetricLaw
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
        metric_effect=metric_effects(case),
    )


def metric_effects(case: Case) -> np.ndarray:
    """(len(ACTION_IDS), M) what one use of each action adds to each of the case's own metrics."""
    out = np.zeros((len(ACTION_INDEX), len(case.metrics)))
    for m, metric in enumerate(case.metrics):
        for action, value in metric.actions.items():
            out[ACTION_INDEX[action], m] = value
    return out


def metric_law(case: Case) -> MetricLaw:
    return MetricLaw(np.array([m.start for m in case.metrics], dtype=np.float64),
                     np.array([m.capacity for m in case.metrics], dtype=np.float64),
                     np.array([m.error for m in case.metrics], dtype=np.float64))
