"""Load a case file into a validated `Case`, reporting every mistake at its file:line:col."""

from __future__ import annotations

import difflib
import functools
import hashlib
import itertools
from pathlib import Path as FsPath
from types import SimpleNamespace
from typing import Annotated, Any, Callable

from pydantic import BaseModel, TypeAdapter, ValidationError

from sim.model import KNOB_TABLE, TRUTH_TABLE
from sim.scenario.errors import CaseError, Problem
from sim.scenario.schema import NUM_TAGS, Between, Case, OneOf
from sim.scenario.yamlpos import Path, decode, read_yaml
from sim.scenario import templates
from sim.scenario.variants import extremes

# Where a seeded variant ({between: ...} / {one_of: ...}) is allowed: numbers the player is never told.
VARIANT_SECTIONS = ("start", "truth")
_TYPE_WORDS = {
    "float_type": "a number", "float_parsing": "a number", "int_type": "a whole number", "int_parsing": "a whole number",
    "int_from_float": "a whole number", "string_type": "text", "bool_type": "true or false",
    "bool_parsing": "true or false", "list_type": "a list (lines starting with -)",
    "dict_type": "a mapping (key: value lines)", "model_type": "a mapping (key: value lines)",
    "model_attributes_type": "a mapping (key: value lines)", "tuple_type": "a list", "finite_number": "a finite number",
}


def case_hash(raw: bytes) -> str:
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def load_case_file(path: str | FsPath) -> tuple[Case, str]:
    """Read and validate a case file; return the case and the hash of its bytes."""
    name = str(path)
    try:
        raw = FsPath(path).read_bytes()
    except FileNotFoundError:
        raise CaseError([Problem(name, 0, 0, "no such file; check the path")]) from None
    except IsADirectoryError:
        raise CaseError([Problem(name, 0, 0, "this is a folder, not a case file")]) from None
    except OSError as err:
        raise CaseError([Problem(name, 0, 0, f"cannot be read ({err.strerror}); check its permissions")]) from None
    return load_case_bytes(raw, name), case_hash(raw)


def load_case_bytes(raw: bytes, name: str) -> Case:
    text, problems = decode(raw, name)
    if text is None:
        raise CaseError(problems)
    data, positions, problems = read_yaml(text, name)
    if data is None:
        raise CaseError(problems)
    if not isinstance(data, dict):
        raise CaseError([Problem(name, 1, 1, "a case file is a mapping of keys (id:, title:, ...) at the top level, "
                                             "not a single value or a list")])
    case = None
    try:
        case = Case.model_validate(data)
    except ValidationError as err:
        problems += _explain(err.errors(), positions, name)
    # Cross-checks run on every part that validated, so one typo does not hide the rest.
    parts = case if case is not None else _valid_parts(data)
    problems += cross_check(parts, positions, name)
    if problems:
        raise CaseError(sorted(set(problems), key=lambda p: (p.line, p.col, p.message)))
    return case


@functools.lru_cache(maxsize=None)
def _field_adapter(field_name: str) -> TypeAdapter:
    field = Case.model_fields[field_name]
    return TypeAdapter(Annotated[field.annotation, field])


def _valid_parts(data: dict) -> SimpleNamespace:
    """The top-level fields that validate on their own (defaults for absent optional ones)."""
    parts: dict[str, Any] = {}
    for field_name, field in Case.model_fields.items():
        if field_name not in data:
            if not field.is_required():
                parts[field_name] = field.get_default(call_default_factory=True)
            continue
        try:
            parts[field_name] = _field_adapter(field_name).validate_python(data[field_name])
        except ValidationError:
            continue
    return SimpleNamespace(**parts)


# ---- pydantic errors as sentences --------------------------------------------------------------

def _place(positions: dict[Path, tuple[int, int]], loc: tuple[Any, ...]) -> tuple[int, int]:
    """The deepest known position along a path (a missing key points at its parent)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return (1, 1)


_MARKERS = set(NUM_TAGS) | {"float", "int", "str", "bool", "[key]", "Between", "OneOf"}


def _yaml_path(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's location without the union/type markers it inserts."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part.startswith(("function-", "literal[", "tagged-union[", "union["))
                                      or part in _MARKERS):
            continue
        out.append(part)
    return tuple(out)


def suggest(word: Any, choices: list[str] | tuple[str, ...]) -> str:
    """"; did you mean 'x'?" when a close match exists, else ""."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _where(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "the top level"


def _explain(errors: list[dict], positions: dict[Path, tuple[int, int]], name: str) -> list[Problem]:
    located = [(_locate(e, positions, name), e) for e in errors]
    # An unknown key that is a typo of a missing one would be reported twice; keep the "did you mean" alone.
    typos = set()
    for _, e in located:
        loc = _yaml_path(tuple(e["loc"]))
        if _unknown_key(e) and loc:
            close = difflib.get_close_matches(str(loc[-1]), allowed_keys(loc[:-1]), n=1, cutoff=0.6)
            typos.update((loc[:-1], c) for c in close)
    return [p for p, e in located
            if not (e["type"] == "missing" and (lambda loc: (loc[:-1], loc[-1]) in typos)(_yaml_path(tuple(e["loc"]))))]


def _unknown_key(error: dict) -> bool:
    return error["type"] == "extra_forbidden" or (error["type"] == "literal_error" and "[key]" in tuple(error["loc"]))


def _locate(error: dict, positions: dict[Path, tuple[int, int]], name: str) -> Problem:
    raw_loc = tuple(error["loc"])
    loc = _yaml_path(raw_loc)
    line, col = _place(positions, loc)
    where = _where(loc)
    kind, value = error["type"], error.get("input")
    if _unknown_key(error):
        keys = allowed_keys(loc[:-1])
        hint = suggest(loc[-1], keys) or (f" (allowed: {_short(keys)})" if keys else "")
        message = f"unknown key '{_shown(loc[-1])}' in {_where(loc[:-1])}{hint}"
    elif kind == "missing":
        message = f"missing key '{loc[-1]}' in {_where(loc[:-1])}; add it"
    elif kind == "variant_form" or (_is_variant(value) and not _variant_allowed(loc)):
        message = _variant_message(loc, value)
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        allowed = [s.strip().strip("'") for s in expected.replace(" or ", ",").split(",") if s.strip()]
        message = f"'{value}' is not allowed at {where}{suggest(value, allowed) or f' (allowed: {_short(allowed)})'}"
    elif kind in _TYPE_WORDS:
        message = f"{where} must be {_TYPE_WORDS[kind]}"
        if value is not None and not isinstance(value, (dict, list)):
            message += f" (got {value!r})"
        elif value is None:
            message += " (got nothing)"
    elif kind == "value_error":
        message = f"{where}: {str(error.get('ctx', {}).get('error', error['msg']))}"
    else:
        message = f"{where}: {error['msg'][0].lower() + error['msg'][1:]}"
        if value is not None and not isinstance(value, (dict, list)):
            message += f" (got {value!r})"
    return Problem(name, line, col, message)


def _shown(word: Any) -> str:
    """A word as the trainer can see it: tabs and other invisible characters escaped."""
    text = str(word)
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def _short(items: list[str]) -> str:
    return ", ".join(items[:8]) + (", ..." if len(items) > 8 else "")


def _is_variant(value: Any) -> bool:
    return isinstance(value, dict) and ("between" in value or "one_of" in value)


def _variant_allowed(loc: tuple[Any, ...]) -> bool:
    # Category shares may vary too: the player learns them only from an error analysis's sample.
    # So may a surprise event's week: the briefing does not announce it.
    return ((len(loc) == 2 and loc[0] in VARIANT_SECTIONS) or (len(loc) == 3 and loc[0] == "categories" and loc[2] == "share")
            or (len(loc) == 3 and loc[0] == "events" and loc[2] == "week"))


def _variant_message(loc: tuple[Any, ...], value: Any) -> str:
    where = _where(loc)
    if _is_variant(value) and len(loc) == 3 and loc[0] == "categories" and loc[2] == "fix":
        return (f"{where} cannot vary by seed: a fix removes the same share in every variant; only a "
                "category's share, and numbers under start and truth, may be {between: [low, high]} or {one_of: [...]}")
    if _is_variant(value) and not _variant_allowed(loc):
        return (f"{where} cannot vary by seed: the player is told it, so it is the same in every variant; "
                f"only numbers under {' and '.join(VARIANT_SECTIONS)}, category shares and event weeks may be "
                "{between: [low, high]} or {one_of: [...]}")
    if isinstance(value, dict):
        keys = list(value)
        hint = suggest(keys[0], ["between", "one_of"]) if keys else ""
        return (f"{where} must be a number, {{between: [low, high]}} or {{one_of: [a, b, ...]}}; "
                f"got a mapping with {', '.join(map(str, keys)) or 'no keys'}{hint}")
    shown = f" (got {value!r})" if value is not None and not isinstance(value, list) else ""
    return f"{where} must be a number, {{between: [low, high]}} or {{one_of: [a, b, ...]}}{shown}"


def allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at this path may have (for "did you mean" on unknown keys)."""
    annotation: Any = Case
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    return _keys_of(annotation)


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete alternatives inside Optional / Union / Annotated."""
    origin = getattr(annotation, "__origin__", None)
    if origin is Annotated or (hasattr(annotation, "__metadata__") and origin is not None):
        return _unwrap(annotation.__origin__)
    args = getattr(annotation, "__args__", None)
    if origin is None and args and type(annotation).__name__ in {"UnionType", "_UnionGenericAlias"}:
        return [a for arg in args for a in _unwrap(arg)]
    if str(origin) == "typing.Union":
        return [a for arg in args for a in _unwrap(arg)]
    return [annotation]


def _step(annotation: Any, part: Any) -> Any:
    for option in _unwrap(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            field = option.model_fields.get(part) if isinstance(part, str) else None
            if field is not None:
                return field.annotation
        origin = getattr(option, "__origin__", None)
        if origin is dict and not isinstance(part, int):
            return option.__args__[1]
        if origin in (list, tuple) and isinstance(part, int):
            return option.__args__[0]
    return None


def _keys_of(annotation: Any) -> list[str]:
    for option in _unwrap(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return list(option.model_fields)
        if getattr(option, "__origin__", None) is dict:
            key = option.__args__[0]
            literal = [k for k in getattr(key, "__args__", ()) if isinstance(k, str)]
            if literal:
                return literal
    return []


# ---- cross-checks ------------------------------------------------------------------------------

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
        return _place(positions, loc)

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


@_needs("briefing", "decisions", "events", "categories", "constraints", "actions", "start")
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
