"""The cross checks of a case: mistakes no single field shows (references between parts, numbers that cannot
work together). Each check names the top-level fields it needs and runs on whatever parts of the case loaded,
so one typo does not hide the rest.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any, Callable

from sim.model import KNOB_TABLE, TRUTH_TABLE
from sim.scenario.errors import Problem, suggest
from sim.scenario.schema import Between, OneOf
from sim.scenario.yamlpos import Path, place


Check = Callable[[Any, Callable[..., tuple[int, int]], str], list[Problem]]
_CHECKS: list[tuple[tuple[str, ...], Check]] = []


def _needs(*fields: str):
    def register(fn: Check) -> Check:
        _CHECKS.append((fields, fn))
        return fn

    return register


def cross_check(case: Any, positions: dict[Path, tuple[int, int]], name: str) -> list[Problem]:
    """Mistakes no single field shows: references between parts of the case (each check on the parts that loaded)."""
    problems: list[Problem] = []

    def at(*loc: Any) -> tuple[int, int]:
        return place(positions, loc)

    for fields, check in _CHECKS:
        if all(hasattr(case, f) for f in fields):
            problems += check(case, at, name)
    return problems


@_needs("decisions", "events", "actions", "budget_weeks", "human_level")
def _decision_refs(case, at, name) -> list[Problem]:
    problems = []
    event_ids = [e.id for e in case.events]
    for i, decision in enumerate(case.decisions):
        when = decision.when
        if when.after_event is not None and when.after_event not in event_ids:
            problems.append(Problem(name, *at("decisions", i, "when", "after_event"),
                                    f"decision '{decision.id}' waits for event '{when.after_event}', which the case "
                                    f"does not have{suggest(when.after_event, event_ids) or _known('events', event_ids)}"))
        if when.after_action is not None and when.after_action not in case.actions:
            problems.append(Problem(name, *at("decisions", i, "when", "after_action"),
                                    f"decision '{decision.id}' waits for action '{when.after_action}', which is not "
                                    "available in this case; add it under actions"))
        if when.after_action == "ship":
            problems.append(Problem(name, *at("decisions", i, "when", "after_action"),
                                    f"decision '{decision.id}' waits for ship, after which the project has ended; "
                                    "it can never be reached"))
        if when.week is not None and when.week > case.budget_weeks:
            problems.append(Problem(name, *at("decisions", i, "when", "week"),
                                    f"decision '{decision.id}' comes at week {when.week:g}, after the budget of "
                                    f"{case.budget_weeks:g} weeks; it can never be reached"))
        for j, option in enumerate(decision.options):
            if option.human_proxy is not None and option.human_proxy >= len(case.human_level.table):
                problems.append(Problem(name, *at("decisions", i, "options", j, "human_proxy"),
                                        f"human_proxy {option.human_proxy} is past the human-level table "
                                        f"({len(case.human_level.table)} rows, counted from 0)"))
        ids = [o.id for o in decision.options]
        if len(set(ids)) != len(ids):
            problems.append(Problem(name, *at("decisions", i, "options"), f"decision '{decision.id}' repeats an option id"))
        if not any(o.verdict == "aligned" for o in decision.options):
            problems.append(Problem(name, *at("decisions", i, "options"),
                                    f"decision '{decision.id}' has no aligned option; the expert could not answer it"))
    return problems


def _known(what: str, ids: list[str]) -> str:
    return f" (its {what}: {', '.join(ids)})" if ids else f" (it has no {what})"


@_needs("events", "budget_weeks")
def _events_in_budget(case, at, name) -> list[Problem]:
    return [Problem(name, *at("events", i, "week"),
                    f"event '{event.id}' comes at week {event.week:g}, after the budget of {case.budget_weeks:g} weeks; "
                    "it can never happen") for i, event in enumerate(case.events) if event.week > case.budget_weeks]


@_needs("decisions", "events", "categories")
def _unique_ids(case, at, name) -> list[Problem]:
    problems = []
    for kind, items in (("decision", case.decisions), ("event", case.events), ("category", case.categories)):
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item.id in seen:
                problems.append(Problem(name, *at(kind + "s", i, "id"), f"two {kind}s share the id '{item.id}'; rename one"))
            seen.add(item.id)
    return problems


@_needs("categories")
def _category_shares(case, at, name) -> list[Problem]:
    problems = []
    for i, category in enumerate(case.categories):
        bad = [v for v in _values(category.share) if not 0.0 <= v <= 1.0]
        if bad:
            problems.append(Problem(name, *at("categories", i, "share"), f"category '{category.id}' has a share of "
                                    f"{bad[0]:g}; a share of errors lies between 0 and 1"))
    total = sum(max(_values(c.share)) for c in case.categories)
    if total > 1.0 + 1e-9:
        problems.append(Problem(name, *at("categories"), f"the category shares can add up to {total:.2f}; they are "
                                "shares of errors and must total ≤ 1 in every variant (count each range at its top)"))
    return problems


@_needs("categories", "actions")
def _category_fixes(case, at, name) -> list[Problem]:
    problems = []
    for i, category in enumerate(case.categories):
        for j, action in enumerate(category.fixed_by):
            if action not in case.actions:
                problems.append(Problem(name, *at("categories", i, "fixed_by", j),
                                        f"category '{category.id}' is fixed by '{action}', which is not available in "
                                        "this case; add it under actions"))
    return problems


@_needs("events", "actions")
def _flag_remedies(case, at, name) -> list[Problem]:
    problems = []
    for flag, action in (("metric_problem", "change_metric"), ("devset_stale", "change_dev_test")):
        for i, event in enumerate(case.events):
            if flag in event.flags and action not in case.actions:
                problems.append(Problem(name, *at("events", i, "flags"),
                                        f"event '{event.id}' raises {flag}, which only {action} resolves; "
                                        f"add {action} under actions"))
    return problems


def _extremes(num: Any) -> list[float]:
    if isinstance(num, Between):
        return list(num.between)
    if isinstance(num, OneOf):
        return [min(num.one_of), max(num.one_of)]
    return [float(num)]


@_needs("constraints", "start", "truth")
def _thresholds_reachable(case, at, name) -> list[Problem]:
    """The smallest model (level 0) must meet every threshold in every variant, or some seeds cannot be won."""
    import numpy as np

    from sim.model import KNOB_DEFAULTS, costs, initial_knobs

    if not case.constraints or not all(k in case.truth for k in ("inference_s", "memory_mb", "run_weeks")):
        return []
    start_level = _extremes(case.start.get("level", KNOB_DEFAULTS["level"]))
    multitask = _extremes(case.start.get("multitask", KNOB_DEFAULTS["multitask"]))
    corners = list(itertools.product(start_level, _extremes(case.truth["inference_s"]),
                                     _extremes(case.truth["memory_mb"]), multitask))
    level0, inference0, memory0, multi = (np.array(column, dtype=np.float64) for column in zip(*corners))
    batch = len(corners)
    truth = SimpleNamespace(run_weeks0=np.ones(batch), D0=np.ones(batch), C0=2.0**level0, multitask_data=np.zeros(batch),
                            inference_s0=inference0, memory_mb0=memory0)
    knobs = initial_knobs({"level": np.zeros(batch), "multitask": multi}, batch, 0)
    smallest = costs(truth, knobs)
    problems = []
    for i, constraint in enumerate(case.constraints):
        worst = float(np.max(getattr(smallest, constraint.metric)))
        if worst > constraint.max + 1e-12:
            problems.append(Problem(name, *at("constraints", i, "max"),
                                    f"no model meets {constraint.label} ≤ {constraint.max:g}: even the smallest size "
                                    f"(level 0) needs {worst:.3g} (from truth.{constraint.metric} at the start level); "
                                    "raise the threshold or lower truth." + constraint.metric))
    return problems


# Where each number must stay for the model to mean anything: the model's own parameter table.
_RANGES = {"truth": {p.name: (p.low, p.high) for p in TRUTH_TABLE}, "start": {p.name: (p.low, p.high) for p in KNOB_TABLE}}


def _values(num: Any) -> list[float]:
    """Every value a number can take: itself, both ends of a range, each member of a choice list."""
    if hasattr(num, "between"):
        return list(num.between)
    if hasattr(num, "one_of"):
        return list(num.one_of)
    return [float(num)]


@_needs("truth", "start")
def _ranges(case, at, name) -> list[Problem]:
    problems = []
    for section, ranges in _RANGES.items():
        for key, num in getattr(case, section).items():
            low, high = ranges[key]
            bad = [v for v in _values(num) if not low <= v <= high]
            if bad:
                problems.append(Problem(name, *at(section, key), f"{section}.{key} is {bad[0]:g}; it must lie "
                                        f"between {low:g} and {high:g} for the model to mean anything"))
    data = sum(max(_values(case.start.get(key, 0.0))) for key in ("n_target", "n_other", "n_syn"))
    if data <= 0:
        problems.append(Problem(name, *at("start"), "the first model has no training data: set start.n_target "
                                "(or n_other / n_syn) to the examples the team trains on"))
    return problems


@_needs("actions", "budget_weeks")
def _ship_fits(case, at, name) -> list[Problem]:
    ship = case.actions.get("ship")
    if ship is not None and ship.weeks > case.budget_weeks:
        return [Problem(name, *at("actions", "ship", "weeks"), f"shipping takes {ship.weeks:g} weeks, more than the "
                        f"budget of {case.budget_weeks:g}; the project could never ship")]
    return []
