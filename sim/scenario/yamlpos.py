"""Safe YAML reading that keeps each node's position, refuses object tags, duplicate keys and alias bombs."""

from __future__ import annotations

from typing import Any

import yaml

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


def read_yaml(text: str, file: str) -> tuple[Any, dict[Path, tuple[int, int]], list[Problem]]:
    """Parse YAML text; return the data, the (line, col) of every path, and the problems found."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        what = (err.problem or err.context or "the YAML is malformed").strip()
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        if "\\t" in what or "tab" in what or _tab_near(text, mark):
            return None, {}, [Problem(file, line, col, "a tab character here: YAML indents with spaces, not tabs; "
                                                       "replace the tabs with spaces")]
        return None, {}, [Problem(file, line, col, f"YAML syntax error: {what}; fix the line and validate again")]
    except yaml.YAMLError as err:
        return None, {}, [Problem(file, 0, 0, f"YAML could not be read: {err}")]
    if root is None:
        return None, {}, [Problem(file, 0, 0, "the file is empty; copy a built-in case (`mlsim new NAME`) to start")]
    try:
        expanded = _expanded_size(root, {})
    except RecursionError:
        return None, {}, [Problem(file, 0, 0, "the file nests too deeply (or refers to itself); flatten it")]
    if expanded > MAX_NODES:  # measured on the graph, before anything is expanded
        return None, {}, [Problem(file, 0, 0, f"the file expands to more than {MAX_NODES:,} values (an alias bomb?); "
                                              "remove the anchors and aliases")]
    positions: dict[Path, tuple[int, int]] = {}
    problems: list[Problem] = []
    constructor = yaml.SafeLoader("")  # only its scalar constructors are used
    count = [0]

    def build(node: yaml.Node, path: Path) -> Any:
        count[0] += 1
        if count[0] > MAX_NODES:
            raise _Budget
        positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if node.tag not in _STANDARD_TAGS:
            problems.append(Problem(file, node.start_mark.line + 1, node.start_mark.column + 1,
                                    f"the tag {node.tag} is not allowed in a case file; remove it"))
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
            return constructor.construct_object(node, deep=True)
        except yaml.YAMLError as err:
            problems.append(Problem(file, node.start_mark.line + 1, node.start_mark.column + 1, str(err).split("\n")[0]))
            return None

    try:
        data = build(root, ())
    except _Budget:
        return None, {}, [Problem(file, 0, 0, f"the file expands to more than {MAX_NODES} values (an alias bomb?); "
                                              "remove the anchors and aliases")]
    except RecursionError:
        return None, {}, [Problem(file, 0, 0, "the file nests too deeply or refers to itself; remove the aliases")]
    return data, positions, problems


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
