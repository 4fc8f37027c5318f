"""Load a case file into a validated `Case`, reporting every mistake at its file:line:col."""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from sim.scenario.errors import CaseError, Problem
from sim.scenario.schema import Case
from sim.scenario.yamlpos import Path, decode, read_yaml


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
        raise CaseError([Problem(name, 1, 1, "a case file is a mapping of keys (id:, title:, ...) at the top level")])
    case = None
    try:
        case = Case.model_validate(data)
    except ValidationError as err:
        problems += [_locate(e, positions, name) for e in err.errors()]
    if case is not None:
        problems += cross_check(case, positions, name)
    if problems:
        raise CaseError(sorted(set(problems), key=lambda p: (p.line, p.col, p.message)))
    return case


def _place(positions: dict[Path, tuple[int, int]], loc: tuple[Any, ...]) -> tuple[int, int]:
    """The deepest known position along a path (a missing key points at its parent)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return (1, 1)


def _yaml_path(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Pydantic's location without the union/type markers it inserts."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part.startswith(("function-", "literal[", "tagged-union[")) or part in
                                      {"float", "Between", "OneOf", "int", "str", "bool", "[key]"}):
            continue
        out.append(part)
    return tuple(out)


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _locate(error: dict, positions: dict[Path, tuple[int, int]], name: str) -> Problem:
    loc = _yaml_path(tuple(error["loc"]))
    line, col = _place(positions, loc)
    where = ".".join(str(p) for p in loc) or "the file"
    kind, value = error["type"], error.get("input")
    if kind == "extra_forbidden":
        siblings = _allowed_keys(loc[:-1])
        message = f"unknown key '{loc[-1]}' in {'.'.join(map(str, loc[:-1])) or 'the top level'}{_suggest(loc[-1], siblings)}"
    elif kind == "missing":
        message = f"missing key '{loc[-1]}' in {'.'.join(map(str, loc[:-1])) or 'the top level'}; add it"
    elif kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        allowed = [s.strip().strip("'") for s in expected.replace(" or ", ",").split(",") if s.strip()]
        shown = ", ".join(allowed[:8]) + (", ..." if len(allowed) > 8 else "")
        message = f"'{value}' is not allowed at {where}{_suggest(value, allowed) or f' (allowed: {shown})'}"
    else:
        message = f"{where}: {error['msg'][0].lower() + error['msg'][1:]}"
        if value is not None and not isinstance(value, (dict, list)):
            message += f" (got {value!r})"
    return Problem(name, line, col, message)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model at a path, for "did you mean" on unknown keys."""
    from sim.scenario import schema  # local: only needed when a key is wrong

    model: Any = schema.Case
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return []
        model = _inner_model(field.annotation)
    return list(getattr(model, "model_fields", {})) if model is not None else []


def _inner_model(annotation: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def cross_check(case: Case, positions: dict[Path, tuple[int, int]], name: str) -> list[Problem]:
    """Mistakes no single field shows: references between parts of the case."""
    problems: list[Problem] = []

    def at(*loc: Any) -> tuple[int, int]:
        return _place(positions, loc)

    event_ids = [e.id for e in case.events]
    category_ids = [c.id for c in case.categories]
    for i, decision in enumerate(case.decisions):
        when = decision.when
        if when.after_event is not None and when.after_event not in event_ids:
            problems.append(Problem(name, *at("decisions", i, "when", "after_event"),
                                    f"decision '{decision.id}' waits for event '{when.after_event}', which the case "
                                    f"does not have{_suggest(when.after_event, event_ids)}"))
        if when.after_action is not None and when.after_action not in case.actions:
            problems.append(Problem(name, *at("decisions", i, "when", "after_action"),
                                    f"decision '{decision.id}' waits for action '{when.after_action}', which is not "
                                    "available in this case; add it under actions"))
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
    for i, event in enumerate(case.events):
        if event.week > case.budget_weeks:
            problems.append(Problem(name, *at("events", i, "week"),
                                    f"event '{event.id}' comes at week {event.week:g}, after the budget of "
                                    f"{case.budget_weeks:g} weeks; it can never happen"))
    for kind, items in (("decision", [d.id for d in case.decisions]), ("event", event_ids), ("category", category_ids)):
        seen = set()
        for item in items:
            if item in seen:
                problems.append(Problem(name, *at(kind + "s"), f"two {kind}s share the id '{item}'; rename one"))
            seen.add(item)
    total = sum(c.share for c in case.categories)
    if total > 1.0 + 1e-9:
        problems.append(Problem(name, *at("categories"),
                                f"the category shares add up to {total:.2f}; they are shares of errors and must total ≤ 1"))
    for i, category in enumerate(case.categories):
        for action in category.fixed_by:
            if action not in case.actions:
                problems.append(Problem(name, *at("categories", i, "fixed_by"),
                                        f"category '{category.id}' is fixed by '{action}', which is not available in "
                                        "this case; add it under actions"))
    for flag, action in (("metric_problem", "change_metric"), ("devset_stale", "change_dev_test")):
        for i, event in enumerate(case.events):
            if flag in event.flags and action not in case.actions:
                problems.append(Problem(name, *at("events", i, "flags"),
                                        f"event '{event.id}' raises {flag}, which only {action} resolves; "
                                        f"add {action} under actions"))
    return problems
