"""The cross checks of a case: mistakes no single field shows (references between parts, numbers that cannot
work together). Each check names the top-level fields it needs and runs on whatever parts of the case loaded,
so one typo does not hide the rest.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any, Callable

from sim import fmt
from sim.model import KNOB_DEFAULTS, KNOB_TABLE, TRUTH_TABLE
from sim.model.params import AIM_KNOBS
from sim.scenario import templates
from sim.scenario.claims import briefing_claims
from sim.scenario.errors import Problem, suggest
from sim.scenario.schema import Between, OneOf
from sim.scenario.variants import extremes
from sim.scenario.yamlpos import Path, place


Check = Callable[[Any, Callable[..., tuple[int, int]], str], list[Problem]]
_CHECKS: list[tuple[tuple[str, ...], Check]] = []


def _needs(*fields: str):
    def register(fn: Check) -> Check:
        _CHECKS.append((fields, fn))
        return fn

    return register


class Places:
    """`at(*loc)`: the (line, col) of a path, or of its deepest located parent; `at.has(*loc)`: located itself."""

    def __init__(self, positions: dict[Path, tuple[int, int]]):
        self.positions = positions

    def __call__(self, *loc: Any) -> tuple[int, int]:
        return place(self.positions, loc)

    def has(self, *loc: Any) -> bool:
        return loc in self.positions


def cross_check(case: Any, positions: dict[Path, tuple[int, int]], name: str) -> list[Problem]:
    """Mistakes no single field shows: references between parts of the case (each check on the parts that loaded)."""
    problems: list[Problem] = []

    at = Places(positions)
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
        if not any(o.verdict == "aligned" for o in decision.options):
            problems.append(Problem(name, *at("decisions", i, "options"),
                                    f"decision '{decision.id}' has no aligned option; the expert could not answer it"))
    return problems


def _known(what: str, ids: list[str]) -> str:
    return f" (its {what}: {', '.join(ids)})" if ids else f" (it has no {what})"


@_needs("events", "budget_weeks")
def _events_in_budget(case, at, name) -> list[Problem]:
    problems = []
    for i, event in enumerate(case.events):
        low, high = extremes(event.week)
        if low < 0:
            problems.append(Problem(name, *at("events", i, "week"), f"event '{event.id}' can come at week {low:g}; "
                                    "weeks start at 0"))
        elif low > case.budget_weeks:
            # A surprise may fall after the budget in some seeds (then it never comes), but not in every seed.
            problems.append(Problem(name, *at("events", i, "week"),
                                    f"event '{event.id}' comes at week {low:g}{' or later' if high > low else ''}, after "
                                    f"the budget of {case.budget_weeks:g} weeks; it can never happen"))
    return problems


@_needs("decisions", "events", "categories")
def _unique_ids(case, at, name) -> list[Problem]:
    """Ids a player types or a decision waits for: two alike would be one and the same to the game."""
    problems = []
    lists = [("decisions", "decisions", (), case.decisions), ("events", "events", (), case.events),
             ("categories", "categories", (), case.categories)]
    lists += [(f"options of decision '{d.id}'", "decisions", (i, "options"), d.options)
              for i, d in enumerate(case.decisions)]
    for plural, section, inner, items in lists:
        first: dict[str, int] = {}
        for j, item in enumerate(items):
            if item.id in first:
                line = at(section, *inner, first[item.id], "id")[0]
                problems.append(Problem(name, *at(section, *inner, j, "id"),
                                        f"two {plural} share the id '{item.id}' (the first on line {line}); "
                                        "rename one"))
            else:
                first[item.id] = j
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
        if constraint.metric not in ("inference_s", "memory_mb"):
            continue  # the case's own metrics: checked with the metrics (_own_metrics)
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


# ---- checks of the features that change the world during play -----------------------------------------------
@_needs("events", "actions")
def _offers(case, at, name) -> list[Problem]:
    problems = []
    offered_later = {a for e in case.events for a in e.offer}
    for i, event in enumerate(case.events):
        for key in ("offer", "withdraw"):
            for j, action in enumerate(getattr(event, key)):
                if action not in case.actions:
                    problems.append(Problem(name, *at("events", i, key, j), f"event '{event.id}' would {key} "
                                            f"'{action}', which the case does not list; add it under actions "
                                            "(with offered: false to hold it back until then)"))
                elif key == "withdraw" and action == "ship":
                    problems.append(Problem(name, *at("events", i, key, j), f"event '{event.id}' withdraws ship: "
                                            "the project could never end; withdraw other actions only"))
    for action, spec in case.actions.items():
        if action == "ship" and not spec.offered:
            problems.append(Problem(name, *at("actions", "ship", "offered"), "ship must be offered from the start, "
                                    "or the project could end only past its budget"))
        elif not spec.offered and action not in offered_later:
            problems.append(Problem(name, *at("actions", action, "offered"), f"'{action}' is held back "
                                    "(offered: false) but no event offers it; add it to an event's offer list or "
                                    "drop offered: false"))
    return problems


@_needs("decisions")
def _answer_branches(case, at, name) -> list[Problem]:
    problems = []
    for i, decision in enumerate(case.decisions):
        branch = decision.when.after_answer
        if branch is None:
            continue
        earlier = {d.id: d for d in case.decisions[:i]}
        if branch.decision not in earlier:
            later = branch.decision in [d.id for d in case.decisions]
            problems.append(Problem(name, *at("decisions", i, "when", "after_answer", "decision"),
                                    f"decision '{decision.id}' follows an answer to '{branch.decision}', which "
                                    + ("comes after it in the list; list the earlier decision first" if later else
                                       "the case does not have" + suggest(branch.decision, list(earlier)))))
        elif branch.option not in [o.id for o in earlier[branch.decision].options]:
            ids = [o.id for o in earlier[branch.decision].options]
            problems.append(Problem(name, *at("decisions", i, "when", "after_answer", "option"),
                                    f"decision '{branch.decision}' has no option '{branch.option}' (options: "
                                    f"{', '.join(ids)})"))
    return problems


@_needs("briefing", "decisions", "events", "categories", "constraints", "actions", "start", "metrics")
def _template_fields(case, at, name) -> list[Problem]:
    """Numbers a text quotes must be ones the game knows when it is read (sim.scenario.templates)."""
    texts = [(("briefing",), case.briefing, False)]
    for i, d in enumerate(case.decisions):
        texts.append((("decisions", i, "prompt"), d.prompt, True))
        for j, o in enumerate(d.options):
            texts += [(("decisions", i, "options", j, "text"), o.text, True),
                      (("decisions", i, "options", j, "why"), o.why, True)]
    for i, e in enumerate(case.events):
        texts += [(("events", i, "title"), e.title, True), (("events", i, "text"), e.text, True)]
    return [Problem(name, *at(*loc), message) for loc, text, live in texts
            for message in templates.problems_in(text, case, live)]


@_needs("metrics", "constraints")
def _own_metrics(case, at, name) -> list[Problem]:
    problems = []
    ids = [m.id for m in case.metrics]
    for i, metric in enumerate(case.metrics):
        if metric.id in ("inference_s", "memory_mb"):
            problems.append(Problem(name, *at("metrics", i, "id"), f"'{metric.id}' is a built-in metric; give the "
                                    "case's own another id"))
        if ids.count(metric.id) > 1 and ids.index(metric.id) < i:
            problems.append(Problem(name, *at("metrics", i, "id"), f"metric id '{metric.id}' is used twice"))
    for i, constraint in enumerate(case.constraints):
        if constraint.metric not in ("inference_s", "memory_mb") + tuple(ids):
            problems.append(Problem(name, *at("constraints", i, "metric"), f"constraint '{constraint.label}' names "
                                    f"metric '{constraint.metric}', which is neither inference_s, memory_mb nor one of "
                                    f"the case's metrics{suggest(constraint.metric, ['inference_s', 'memory_mb', *ids])}"))
    return problems


# ---- what a trainer writes that loads but cannot work --------------------------------------------------------------

MAX_BUDGET_WEEKS = 520.0  # ten years: a case is one project's plan, and the turn limit ends any game long before
SCORING_LIMIT = 50  # points per verdict; past it one choice outweighs the outcome score (0 to 150)
MEASURING = ("error_analysis", "measure_human_level", "carve_train_dev", "evaluate_test")  # change what is seen only
HUMAN_LEVEL_RULES = ("human-level-as-bayes", "need-human-level", "surpassing-human", "avoidable-bias")


@_needs("budget_weeks")
def _budget_sane(case, at, name) -> list[Problem]:
    if case.budget_weeks > MAX_BUDGET_WEEKS:
        return [Problem(name, *at("budget_weeks"), f"budget_weeks is {fmt.number(case.budget_weeks)}; a case's budget "
                        f"is at most {fmt.number(MAX_BUDGET_WEEKS)} weeks (ten years), and the game's turn limit would "
                        "end a longer one first; give the project's real deadline")]
    return []


@_needs("actions", "decisions", "budget_weeks")
def _costs_fit(case, at, name) -> list[Problem]:
    """An option or action dearer than the whole budget could never be taken and finished."""
    problems = []
    budget = case.budget_weeks
    for action, spec in case.actions.items():
        if action != "ship" and spec.weeks > budget:  # ship has its own check
            problems.append(Problem(name, *at("actions", action, "weeks"),
                                    f"{action} costs {fmt.weeks_phrase(spec.weeks)}, more than the budget of "
                                    f"{fmt.weeks_phrase(budget)}; it could never be taken; lower its weeks"))
    for i, decision in enumerate(case.decisions):
        for j, option in enumerate(decision.options):
            if option.weeks > budget:
                problems.append(Problem(name, *at("decisions", i, "options", j, "weeks"),
                                        f"option '{option.id}' of decision '{decision.id}' costs "
                                        f"{fmt.weeks_phrase(option.weeks)}, more than the budget of "
                                        f"{fmt.weeks_phrase(budget)}; whoever picks it runs out of time at once; "
                                        "lower its weeks"))
    return problems


@_needs("categories", "actions")
def _fixes_that_fix(case, at, name) -> list[Problem]:
    """A category's fix must change the model: shipping ends the project, a measurement only shows it."""
    problems = []
    changes = [a for a in case.actions if a != "ship" and a not in MEASURING]
    hint = f" (this case offers {', '.join(changes[:4])}{', ...' if len(changes) > 4 else ''})" if changes else ""
    for i, category in enumerate(case.categories):
        for j, action in enumerate(category.fixed_by):
            if action == "ship":
                why = "ship ends the project, so it fixes nothing"
            elif action in MEASURING:
                why = f"{action} measures; it does not change the model"
            else:
                continue
            problems.append(Problem(name, *at("categories", i, "fixed_by", j),
                                    f"category '{category.id}' is fixed by '{action}', but {why}; name an action that "
                                    f"retrains the model on what the category needs{hint}"))
    return problems


def _span_of(case, section: str, key: str) -> tuple[float, float]:
    """A knob's (start) or a world constant's (truth) lowest and highest value over the variants."""
    values = getattr(case, section, {}) or {}
    if key in values:
        found = _values(values[key])
    elif section == "start":
        found = [KNOB_DEFAULTS[key]]
    else:
        return float("nan"), float("nan")  # a truth constant the case lacks: _ranges reports it missing
    return min(found), max(found)


def _effect_problems(case, effects, at, name, where: tuple, owner: str, section: str = "start") -> list[Problem]:
    """Where each knob (or world constant) lands once the effect applies to its start value, in every variant:
    inside its range. Effects are checked one at a time, against the start: that is what a trainer reads."""
    problems = []
    for op in ("set", "add", "scale"):
        for knob, value in getattr(effects, op).items():
            low, high = _span_of(case, section, knob)
            if low != low:  # nan: the constant is missing, reported elsewhere
                continue
            if op == "set":
                ends = [value]
            elif op == "add":
                ends = [low + value, high + value]
            else:
                ends = [low * value, high * value]
            floor, ceiling = _RANGES[section][knob]
            bad = next((e for e in ends if not floor <= e <= ceiling), None)
            if bad is None:
                continue
            side = f"below its floor of {fmt.number(floor)}" if bad < floor else f"above its top of {fmt.number(ceiling)}"
            meaning = ""
            if (knob in AIM_KNOBS or "noise" in knob) and bad < floor:
                meaning = " (an error below its floor would put the real-world error under Bayes error)"
            elif (knob in AIM_KNOBS or "noise" in knob or knob == "bayes") and bad > 100:
                meaning = " (an error past 100 is no error rate)"
            start_text = (fmt.number(low) if low == high else f"{fmt.number(low)} to {fmt.number(high)}")
            verb = {"set": "sets", "add": "adds", "scale": "multiplies by"}[op]
            problems.append(Problem(name, *at(*where, op, knob),
                                    f"{owner} {verb} {knob} {fmt.number(value)}: from its start of {start_text} that "
                                    f"takes it to {fmt.number(bad)}, {side}{meaning}; keep {knob} between "
                                    f"{fmt.number(floor)} and {fmt.number(ceiling)}"))
    return problems


@_needs("decisions", "events", "start")
def _effects_in_range(case, at, name) -> list[Problem]:
    problems = []
    for i, decision in enumerate(case.decisions):
        for j, option in enumerate(decision.options):
            problems += _effect_problems(case, option.effects, at, name, ("decisions", i, "options", j, "effects"),
                                         f"option '{option.id}' of decision '{decision.id}'")
    for i, event in enumerate(case.events):
        problems += _effect_problems(case, event.effects, at, name, ("events", i, "effects"), f"event '{event.id}'")
        if hasattr(event, "truth"):  # the world constants an event changes
            problems += _effect_problems(case, event.truth, at, name, ("events", i, "truth"), f"event '{event.id}'",
                                         "truth")
    return problems


@_needs("scoring")
def _scoring_sane(case, at, name) -> list[Problem]:
    s = case.scoring
    problems = []
    for verdict in ("aligned", "neutral", "misaligned"):
        points = getattr(s, verdict)
        if abs(points) > SCORING_LIMIT:
            problems.append(Problem(name, *at("scoring", verdict),
                                    f"scoring.{verdict} is {fmt.number(points)} points; keep verdict points between "
                                    f"-{SCORING_LIMIT} and {SCORING_LIMIT}, or one choice outweighs the outcome "
                                    "score (0 to 150)"))
    if not problems:
        if s.aligned <= 0:
            problems.append(Problem(name, *at("scoring", "aligned"), f"scoring.aligned is {fmt.number(s.aligned)}; "
                                    "following a rule must earn points: make it positive"))
        if s.misaligned > 0:
            problems.append(Problem(name, *at("scoring", "misaligned"), f"scoring.misaligned is "
                                    f"{fmt.number(s.misaligned)}; breaking a rule must not earn points: make it 0 or "
                                    "negative"))
    if not problems and not s.misaligned <= s.neutral < s.aligned:
        problems.append(Problem(name, *at("scoring", "neutral"), f"scoring.neutral is {fmt.number(s.neutral)}; it "
                                f"must lie between misaligned ({fmt.number(s.misaligned)}) and aligned "
                                f"({fmt.number(s.aligned)}), below aligned"))
    return problems


@_needs("teaches")
def _teaches_something(case, at, name) -> list[Problem]:
    if not case.teaches:
        return [Problem(name, *at("teaches"), "teaches is empty; name the rules this case is meant to teach (e.g. "
                        "avoidable-bias, variance): `mlsim lint` checks that play cites them")]
    problems, seen = [], set()
    for i, rule in enumerate(case.teaches):
        if rule in seen:
            problems.append(Problem(name, *at("teaches", i), f"teaches lists '{rule}' twice; keep one"))
        seen.add(rule)
    return problems


@_needs("decisions")
def _human_proxy_belongs(case, at, name) -> list[Problem]:
    """human_proxy picks the Bayes proxy: only an answer about human-level error may set it."""
    problems = []
    for i, decision in enumerate(case.decisions):
        about = (decision.when.after_action == "measure_human_level"
                 or any(o.rule in HUMAN_LEVEL_RULES for o in decision.options))
        if about:
            continue
        for j, option in enumerate(decision.options):
            if option.human_proxy is not None:
                problems.append(Problem(name, *at("decisions", i, "options", j, "human_proxy"),
                                        f"option '{option.id}' of decision '{decision.id}' sets human_proxy, but the "
                                        "decision is not about human-level error (no option cites "
                                        f"{' or '.join(HUMAN_LEVEL_RULES[:2])}, and it does not follow "
                                        "measure_human_level); remove human_proxy, or ask which human-level figure "
                                        "to take"))
    return problems


@_needs("briefing", "sources", "budget_weeks", "start", "truth", "actions", "constraints", "decisions", "events",
        "coach")
def _briefing_numbers(case, at, name) -> list[Problem]:
    problems = []
    for claim in briefing_claims(case):
        if at.has(*claim.where, "<line>", claim.line):  # a literal (|) block: the number's own line and column
            line, col = at(*claim.where, "<line>", claim.line)
            col += claim.col
        else:  # folded or quoted text: its lines are not the file's, so point at the text
            line, col = at(*claim.where)
        problems.append(Problem(name, line, col, claim.message))
    return problems


def builtin_claim(case: Any, raw: bytes, positions: dict[Path, tuple[int, int]], name: str) -> list[Problem]:
    """A case may not take a built-in case's id unless it is that case: its results would be taken for the
    built-in's, and the board refuses them as an unknown version of it."""
    from sim.paths import MissingCasesError, builtin_folder

    case_id = getattr(case, "id", None)
    if not isinstance(case_id, str):
        return []
    try:
        builtin = builtin_folder() / f"{case_id}.yaml"
        if not builtin.is_file() or builtin.read_bytes() == raw:
            return []
    except (MissingCasesError, OSError):
        return []
    return [Problem(name, *place(positions, ("id",)), f"'{case_id}' is the id of a built-in case; a changed copy "
                    "under that id would be taken for the built-in (the board refuses its results as an unknown "
                    f"version); give the case an id of its own, e.g. '{case_id}-2', and name the file after it")]
