"""Load a case file into a validated `Case`, reporting every mistake at its file:line:col."""

from __future__ import annotations

import difflib
import functools
import hashlib
from pathlib import Path as FsPath
from types import SimpleNamespace
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from sim.scenario.checks import builtin_claim, cross_check
from sim.scenario.errors import CaseError, Problem, suggest
from sim.scenario.schema import NUM_TAGS, Case
from sim.scenario.yamlpos import Path, core_value, decode, place, read_yaml

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
    read = read_yaml(text, name)
    data, positions, problems = read.data, read.positions, read.problems
    if data is None:
        raise CaseError(problems)
    if not isinstance(data, dict):
        raise CaseError([Problem(name, 1, 1, "a case file is a mapping of keys (id:, title:, ...) at the top level, "
                                             "not a single value or a list")])
    case = None
    try:
        case = Case.model_validate(data)
    except ValidationError as err:
        # A value already reported (a refused tag, a number too large) is not reported again as missing or mistyped.
        errors = [e for e in err.errors() if not _under(_yaml_path(tuple(e["loc"])), read.refused)]
        problems += _explain(errors, positions, name)
    problems += _quoted_numbers(read.quoted, positions, name)
    # Cross-checks run on every part that validated, so one typo does not hide the rest.
    parts = case if case is not None else _valid_parts(data)
    problems += cross_check(parts, positions, name)
    problems += builtin_claim(parts, raw, positions, name)
    if problems:
        raise CaseError(sorted(set(problems), key=lambda p: (p.line, p.col, p.message)))
    return case


def case_warnings(raw: bytes, name: str) -> list[Problem]:
    """What is valid but reads otherwise in an editor: spellings YAML 1.1 (ours) and YAML 1.2 (the YAML language
    server's) disagree on, such as 5_000, yes, 010. `mlsim validate` prints them; loading ignores them."""
    text, _ = decode(raw, name)
    return [] if text is None else read_yaml(text, name).warnings


def _under(loc: tuple[Any, ...], paths: set[Path]) -> bool:
    return any(loc[:len(p)] == p for p in paths)


def _quoted_numbers(quoted: dict[Path, str], positions: dict[Path, tuple[int, int]], name: str) -> list[Problem]:
    """A number written in quotes is text to YAML (and to an editor): say so where the case takes a number."""
    problems = []
    for path, text in quoted.items():
        if isinstance(core_value(text.strip()), (int, float)) and expects_number(path):
            problems.append(Problem(name, *place(positions, path),
                                    f"{_where(path)} is '{text}' in quotes, which YAML reads as text, not a number; "
                                    f"write {text.strip()} without the quotes"))
    return problems


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
    line, col = place(positions, loc)
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
            message += f" (got {_echo(value)})"
        elif value is None:
            message += " (got nothing)"
    elif kind == "value_error":
        message = f"{where}: {str(error.get('ctx', {}).get('error', error['msg']))}"
    else:
        message = f"{where}: {error['msg'][0].lower() + error['msg'][1:]}"
        if value is not None and not isinstance(value, (dict, list)):
            message += f" (got {_echo(value)})"
    return Problem(name, line, col, message)


ECHO_CHARS = 40  # a value quoted back in a message; longer ones are cut, so one line stays one line


def _echo(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= ECHO_CHARS else text[:ECHO_CHARS - 1] + "…"


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
    shown = f" (got {_echo(value)})" if value is not None and not isinstance(value, list) else ""
    return f"{where} must be a number, {{between: [low, high]}} or {{one_of: [a, b, ...]}}{shown}"


def allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys a mapping at this path may have (for "did you mean" on unknown keys)."""
    annotation: Any = Case
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return []
    return _keys_of(annotation)


def expects_number(loc: tuple[Any, ...]) -> bool:
    """Whether the schema takes a number at this path (a bare number, or one inside a seeded variant)."""
    annotation: Any = Case
    for part in loc:
        annotation = _step(annotation, part)
        if annotation is None:
            return False
    return any(option in (int, float) for option in _unwrap(annotation))


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
