"""Safe YAML reading that keeps each node's position, refuses object tags, duplicate keys and alias bombs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from sim import fmt
from sim.scenario.errors import Problem

try:  # the C composer is several times faster; the pure one behaves the same
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 1_000_000
MAX_NODES = 200_000  # after alias expansion; a case file has a few thousand
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}

Path = tuple[Any, ...]


def place(positions: dict[Path, tuple[int, int]], loc: tuple[Any, ...]) -> tuple[int, int]:
    """The deepest known position along a path (a missing key points at its parent)."""
    for end in range(len(loc), -1, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return (1, 1)


class _Budget(Exception):
    pass


@dataclass
class Read:
    """What reading a case file's YAML found."""

    data: Any  # None when the file could not be read at all (then `problems` says why)
    positions: dict[Path, tuple[int, int]]  # (line, col) of every key and value; "<line>" k: line k of a | block
    problems: list[Problem]
    quoted: dict[Path, str] = field(default_factory=dict)  # scalars written in quotes: text to YAML, whatever they say
    refused: set[Path] = field(default_factory=set)  # values already reported (a tag, a huge number): no second error
    warnings: list[Problem] = field(default_factory=list)  # spellings YAML 1.1 and 1.2 readers read differently


LARGEST = 1e15  # far above any number a case takes (the largest range ends at 1e12); beyond it, "too large"


def read_yaml(text: str, file: str) -> Read:
    """Parse YAML text; return the data, the (line, col) of every path, and the problems found."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        return Read(None, {}, [syntax_problem(err, text, file)])
    except yaml.YAMLError as err:
        return Read(None, {}, [Problem(file, 0, 0, f"YAML could not be read: {err}")])
    if root is None:
        return Read(None, {}, [Problem(file, 0, 0, "the file is empty; copy a built-in case (`mlsim new NAME`) to start")])
    try:
        expanded = _expanded_size(root, {})
    except RecursionError:
        return Read(None, {}, [Problem(file, 0, 0, "the file nests too deeply (or refers to itself); flatten it")])
    if expanded > MAX_NODES:  # measured on the graph, before anything is expanded
        return Read(None, {}, [Problem(file, 0, 0, f"the file expands to more than {MAX_NODES:,} values (an alias "
                                                   "bomb?); remove the anchors and aliases")])
    read = Read(None, {}, [])
    positions, problems = read.positions, read.problems
    lines = text.splitlines()
    constructor = yaml.SafeLoader("")  # only its scalar constructors are used
    count = [0]

    def build(node: yaml.Node, path: Path) -> Any:
        count[0] += 1
        if count[0] > MAX_NODES:
            raise _Budget
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        positions.setdefault(path, (line, col))
        if node.tag not in _STANDARD_TAGS:
            problems.append(Problem(file, line, col, f"the tag {node.tag} is not allowed in a case file; remove it"))
            read.refused.add(path)
            return None
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = build(key_node, path + ("<key>",))
                if not isinstance(key, (str, int, float, bool)) or key is None:
                    problems.append(Problem(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                            "a key must be a plain word"))
                    continue
                if key in out:
                    first = positions.get(path + (key,), (0, 0))
                    problems.append(Problem(file, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                            f"duplicate key '{key}' (first at line {first[0]}); keep one"))
                    continue
                positions[path + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [build(item, path + (i,)) for i, item in enumerate(node.value)]
        try:
            value = constructor.construct_object(node, deep=True)
        except yaml.YAMLError as err:
            problems.append(Problem(file, line, col, str(err).split("\n")[0]))
            read.refused.add(path)
            return None
        if node.style in ("'", '"'):
            read.quoted[path] = node.value
        elif node.style == "|":
            _block_lines(node, path, lines, positions)
        elif not node.style:  # plain (the C composer says "", the pure one None)
            number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else core_value(node.value)
            if isinstance(number, (int, float)) and not isinstance(number, bool) and not abs(number) <= LARGEST:
                problems.append(Problem(file, line, col, f"{_where(path)}: {_too_large(node.value)}"))
                read.refused.add(path)
                return None
            differs = _differs(node.value, value)
            if differs:
                read.warnings.append(Problem(file, line, col, f"{_where(path)}: {differs}"))
        return value

    try:
        read.data = build(root, ())
    except _Budget:
        return Read(None, {}, [Problem(file, 0, 0, f"the file expands to more than {MAX_NODES} values (an alias bomb?); "
                                                   "remove the anchors and aliases")])
    except RecursionError:
        return Read(None, {}, [Problem(file, 0, 0, "the file nests too deeply or refers to itself; remove the aliases")])
    return read


def _where(path: Path) -> str:
    return ".".join(str(p) for p in path if p != "<key>") or "the top level"


def _too_large(spelling: str) -> str:
    digits = sum(ch.isdigit() for ch in spelling.split("e")[0].split("E")[0])
    if digits > 15:  # never echo it: a 400-digit number would flood the line
        return f"this number is too large ({digits} digits); no field of a case takes more than 10^12"
    return "this number is too large; no field of a case takes more than 10^12"


def _block_lines(node: yaml.ScalarNode, path: Path, lines: list[str], positions: dict) -> None:
    """Where each line of a literal (|) block starts in the file: a check can point inside a briefing."""
    first = node.start_mark.line + 1  # the line after the | indicator (0-based)
    for k in range(len(node.value.splitlines())):
        row = first + k
        if row >= len(lines):
            break
        source = lines[row]
        positions[path + ("<line>", k)] = (row + 1, len(source) - len(source.lstrip(" ")) + 1)


# ---- YAML 1.2 (what editors' language servers read) beside PyYAML's YAML 1.1 -------------------------------------

_CORE = [  # the YAML 1.2 core schema's plain scalars (spec 10.3.2), in its order
    (re.compile(r"^(null|Null|NULL|~|)$"), lambda s: None),
    (re.compile(r"^(true|True|TRUE|false|False|FALSE)$"), lambda s: s.lower() == "true"),
    (re.compile(r"^[-+]?[0-9]+$"), int),
    (re.compile(r"^0o[0-7]+$"), lambda s: int(s[2:], 8)),
    (re.compile(r"^0x[0-9a-fA-F]+$"), lambda s: int(s[2:], 16)),
    (re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$"), float),
    (re.compile(r"^[-+]?(\.inf|\.Inf|\.INF)$"), lambda s: float(s.replace(".", "", 1))),
    (re.compile(r"^(\.nan|\.NaN|\.NAN)$"), lambda s: float("nan")),
]


def core_value(spelling: str) -> Any:
    """A plain scalar as a YAML 1.2 reader takes it (None, bool, int, float, or the text itself)."""
    for pattern, convert in _CORE:
        if pattern.match(spelling):
            try:
                return convert(spelling)
            except (ValueError, OverflowError):
                return spelling
    return spelling


def _differs(spelling: str, ours: Any) -> str:
    """A sentence when YAML 1.2 reads this plain scalar otherwise than we do (YAML 1.1), else "".

    A number 1.1 reads as text (1e3) is not reported: where a case takes a number, the loader reads it as one.
    """
    theirs = core_value(spelling)
    if isinstance(ours, bool):
        if not isinstance(theirs, bool):
            return (f"'{spelling}' means {str(ours).lower()} here but is text to YAML 1.2 readers (your editor will "
                    f"flag it); write {str(ours).lower()}")
        return ""
    if isinstance(ours, (int, float)) and (isinstance(theirs, str) or theirs != ours):
        plain = fmt.number(ours)
        if isinstance(theirs, str):
            return (f"'{spelling}' reads as {plain} here but as text to YAML 1.2 readers (your editor will flag it); "
                    f"write {plain}")
        return f"'{spelling}' reads as {plain} here but as {fmt.number(theirs)} to YAML 1.2 readers; write {plain}"
    return ""


# ---- syntax errors as sentences ------------------------------------------------------------------------------------

def syntax_problem(err: yaml.MarkedYAMLError, text: str, file: str) -> Problem:
    """PyYAML's wording for a malformed file, rewritten as a sentence that says what to change."""
    mark = err.problem_mark or err.context_mark
    what = (err.problem or err.context or "the YAML is malformed").strip()
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    if "\\t" in what or "tab" in what or _tab_near(text, mark):
        return Problem(file, line, col, "a tab character here: YAML indents with spaces, not tabs; replace the tabs "
                                        "with spaces")
    lines = text.splitlines()
    context = err.context_mark
    sentence = _sentence(what, (err.context or "").strip(), mark, context, lines)
    if sentence is None:
        return Problem(file, line, col, f"YAML syntax error: {what}; fix the line and validate again")
    if what == "could not find expected ':'" and context is not None:
        line, col = context.line + 1, context.column + 1  # the line that lacks its colon, not the one after it
    return Problem(file, line, col, f"YAML syntax error: {sentence}")


def _line(lines: list[str], row: int) -> str:
    return lines[row] if 0 <= row < len(lines) else ""


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _key_of(text: str) -> str:
    body = text.strip()
    body = body[2:] if body.startswith("- ") else body
    return body.split(":", 1)[0].strip()


def _above(lines: list[str], row: int) -> int:
    """The nearest line above `row` that holds something (not blank, not only a comment)."""
    for r in range(row - 1, -1, -1):
        stripped = lines[r].strip()
        if stripped and not stripped.startswith("#"):
            return r
    return -1


def _sentence(what: str, context: str, mark, context_mark, lines: list[str]) -> str | None:
    row = mark.line if mark else -1
    here = _line(lines, row)
    char = here[mark.column: mark.column + 1] if mark else ""
    opened = f"line {context_mark.line + 1}" if context_mark else "above"
    if what == "mapping values are not allowed in this context":
        body = here.strip()
        body = body[2:] if body.startswith("- ") else body
        first_colon = here.find(":")
        if 0 <= first_colon < mark.column:  # a second ': ' on a key's line: an unquoted colon in its value
            key, _, value = body.partition(":")
            value = value.strip().replace('"', '\\"')
            return (f"the value of '{key.strip()}' holds ': ', which YAML reads as the start of another key; put the "
                    f'whole value in quotes: {key.strip()}: "{value}"')
        prev = _above(lines, row)
        prev_text = _line(lines, prev)
        return (f"'{_key_of(here)}' is indented more than '{_key_of(prev_text)}' on line {prev + 1}, which already has a "
                f"value; line it up with the keys it belongs with ({_indent(prev_text)} spaces), or, to nest it, leave "
                f"the value after '{_key_of(prev_text)}:' empty")
    if what == "did not find expected key" or what == "did not find expected '-' indicator":
        if char == "-":
            return ("a list item (- ...) where a key was expected; indent the list under the key it belongs to, or "
                    "write it as key: value")
        if mark.column > _indent(here):
            return ("text after the end of the value on this line (after a closing quote?); put the whole value "
                    "inside the quotes, or remove the extra text")
        prev = _above(lines, row)
        prev_text = _line(lines, prev)
        return (f"line {row + 1} is indented {_indent(here)} spaces, which lines up with no key above it (line "
                f"{prev + 1} has {_indent(prev_text)}); indent it exactly like the keys it belongs with")
    if what in ("did not find expected ',' or ']'", "did not find expected ',' or '}'"):
        kind, close = ("list", "]") if what.endswith("']'") else ("mapping", "}")
        return (f"the {kind} opened with {'[' if close == ']' else '{'} on {opened} is not closed where YAML expects; "
                f"close it with {close} on the same line, and put in quotes any value that holds a ',', ':' or "
                f"'{close}'")
    if what == "found unexpected end of stream" and "quoted scalar" in context:
        return (f"the quote opened on {opened} is never closed; close it (inside '...', write a ' as '')")
    if what == "found undefined alias":
        name = here[mark.column:].split()[0] if mark else "*"
        return (f"{name} refers to an anchor (&{name.lstrip('*')}) the file does not define; define the anchor "
                "before it, or write the value out")
    if what == "found character that cannot start any token":
        return f"a value cannot start with '{char}' (YAML reserves it); put the value in quotes"
    if what == "could not find expected ':'":
        where = context_mark.line if context_mark else row
        return (f"line {where + 1} holds text where a 'key: value' line was expected; add the missing ':' after the "
                "key, or, for text that goes on over several lines, start it with | on the key's line")
    if what == "block sequence entries are not allowed in this context":
        return ("a list item (- ...) cannot follow 'key:' on the same line; put each item on a line of its own, "
                "indented under the key, or write the list as [a, b]")
    if what == "second occurrence" and "duplicate anchor" in context:
        return f"this anchor is defined twice (first on {opened}); rename one"
    return None


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values the node becomes once every alias is expanded (aliases share node objects)."""
    known = memo.get(id(node))
    if known is not None:
        return known
    memo[id(node)] = MAX_NODES + 1  # a node met again while being sized refers to itself
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, memo) for item in node.value)
    else:
        size = 1
    memo[id(node)] = size
    return size


def _tab_near(text: str, mark) -> bool:
    """A tab in the indentation of the line the parser stopped at (PyYAML's own message rarely says so)."""
    if mark is None:
        return False
    lines = text.splitlines()
    if mark.line >= len(lines):
        return False
    line = lines[mark.line]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return "\t" in indent or line[mark.column: mark.column + 1] == "\t"


def decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text, refusing what a case file never is: huge, binary or not UTF-8."""
    if len(raw) > MAX_BYTES:
        return None, [Problem(file, 0, 0, f"the file is {len(raw):,} bytes; a case file must be under {MAX_BYTES:,}")]
    if b"\x00" in raw:
        return None, [Problem(file, 0, 0, "the file holds binary data, not YAML text; save it as UTF-8 text")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        col = err.start - (raw.rfind(b"\n", 0, err.start) + 1) + 1
        return None, [Problem(file, line, col, "the file is not UTF-8 text (Latin-1?); save it as UTF-8")]
