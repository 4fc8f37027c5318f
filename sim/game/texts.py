"""A case's texts with the game's numbers filled in: `{dev}` reads what the ladder shows (sim.scenario.templates).

Every figure goes through sim.fmt, so a prompt quotes a rung exactly as the ladder beside it shows it.
"""

from __future__ import annotations

import math

import numpy as np

from sim import fmt
from sim.model import KNOB_DEFAULTS
from sim.scenario.schema import Case
from sim.scenario.templates import FIELD, unescape

NOT_MEASURED = "(not measured yet)"
NOT_ANALYSED = "(no error analysis yet)"
_GAPS = {"bias": ("train", "human"), "variance": ("train_dev", "train"), "mismatch": ("dev", "train_dev"),
         "overfit": ("test", "dev")}


def fixed_values(case: Case) -> dict[str, str]:
    """The case's own facts, the same in every seed (what a briefing may quote)."""
    def start(name: str) -> float:
        value = case.start.get(name, KNOB_DEFAULTS.get(name, 0.0))
        return float(value) if isinstance(value, (int, float)) else math.nan

    out = {"budget_weeks": fmt.weeks(case.budget_weeks),
           "human_level": fmt.error(min(row.error for row in case.human_level.table))}
    for name in ("n_dev", "n_test", "n_target", "n_other"):
        out[name] = fmt.count(start(name))
    out.update({f"max.{c.metric}": fmt.number(c.limit) for c in case.constraints})
    out.update({f"cost.{a}": fmt.weeks(spec.weeks) for a, spec in case.actions.items()})
    out.update({f"start.{m.id}": fmt.number(m.start) for m in case.metrics})
    return out


def rung_value(x: float) -> float | None:
    """A rung as the ladder on screen and the records hold it: 4 decimals, None where it is not measured."""
    return None if np.isnan(x) else round(float(x), 4)


def live_values(engine, i: int) -> dict[str, str]:
    """Row i's numbers on screen now, and the case's fixed facts."""
    vis = engine.visible()
    # Rounded as the ladder shows them, so a prompt never rounds 8.16500x to 8.17 beside a ladder showing 8.16.
    rungs = {name: rung_value(getattr(vis, name)[i]) for name in ("human", "train", "train_dev", "dev", "test")}
    out = fixed_values(engine.case)
    out.update({name: NOT_MEASURED if v is None else fmt.error(v) for name, v in rungs.items()})
    for gap, (upper, lower) in _GAPS.items():
        a, b = rungs[upper], rungs[lower]
        out[gap] = NOT_MEASURED if a is None or b is None else fmt.error(a - b)
    for k, category in enumerate(engine.case.categories):
        out[f"share.{category.id}"] = fmt.share(vis.ea_shares[i, k]) if vis.ea_done[i] else NOT_ANALYSED
    for j, con in enumerate(engine.case.constraints):
        out[f"metric.{con.metric}"] = fmt.metric(vis.limits[i, j], con.limit)
    out["week"] = fmt.weeks(engine.week[i])
    out["weeks_left"] = fmt.weeks(max(engine.case.budget_weeks - engine.week[i], 0.0))
    return out


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each `{field}` replaced (the loader checked every field is known where the text is read)."""
    def one(match) -> str:
        key = match.group(1) + (f".{match.group(2)}" if match.group(2) else "")
        return values.get(key, match.group(0))

    return unescape(FIELD.sub(one, text))
