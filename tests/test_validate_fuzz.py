"""Property: validate never raises on mutated built-in cases; it ends valid or with located, worded problems."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.scenario import CaseError
from sim.scenario.loader import load_case_bytes

ROOT = Path(__file__).resolve().parent.parent
TEXTS = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "scenarios").glob("*.yaml"))}
DATA = {name: yaml.safe_load(text) for name, text in TEXTS.items()}
NAME = "case.yaml"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WRONG_VALUES = [None, "text", "", 3.5, -1, 0, 10**30, True, [1, 2], [], {"x": 1}, {}, {"between": [2, 1]},
                {"one_of": []}, "bigger_netwrok", "avoidable-bais", "no-such-event", float("nan")]
SNIPPETS = ["\t", ":", ": ", "-", "- ", "{", "}", "[", "]", "&a ", "*a", "\"", "'", "\x00", "é", "\n  ", "\n",
            "!!python/object:os.system ", "!!binary ", "%YAML 1.1\n", "? ", "|", ">", "#", "&b [*b]"]


def _check(raw: bytes) -> int:
    """validate's verdict on bytes: 0 valid, 1 invalid; asserts every problem is located and worded."""
    try:
        load_case_bytes(raw, NAME)
    except CaseError as err:
        assert err.problems
        for problem in err.problems:
            assert problem.file == NAME
            assert problem.line >= 0 and problem.col >= 0
            assert problem.message and "Traceback" not in problem.message
            assert str(problem).startswith(f"{NAME}:")
        return 1
    return 0


def _walk(draw, node, depth=0):
    """A random path to a node inside the case data."""
    path = []
    while isinstance(node, (dict, list)) and node and depth < 6 and draw(st.booleans()):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = keys[draw(st.integers(0, len(keys) - 1))]
        path.append(key)
        node = node[key]
        depth += 1
    return path


@st.composite
def structural_mutants(draw):
    name = draw(st.sampled_from(sorted(DATA)))
    data = yaml.safe_load(TEXTS[name])
    for _ in range(draw(st.integers(1, 3))):
        path = _walk(draw, data)
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        kind = draw(st.sampled_from(["replace", "delete", "rename", "add"]))
        if not path:
            kind = "add"
        key = path[-1] if path else None
        if kind == "replace":
            parent[key] = draw(st.sampled_from(WRONG_VALUES))
        elif kind == "delete":
            del parent[key]
        elif kind == "rename" and isinstance(parent, dict):
            parent[str(key)[:-1] + "x" if str(key) else "x"] = parent.pop(key)
        else:
            target = parent[key] if path and isinstance(parent[key], dict) else data
            target[draw(st.sampled_from(["colour", "budget_week", "weeks", "id", "extra"]))] = 1
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")


@st.composite
def text_mutants(draw):
    text = TEXTS[draw(st.sampled_from(sorted(TEXTS)))]
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 3))
        text = text[:at] + draw(st.sampled_from(SNIPPETS)) + text[at + cut:]
    return text.encode("utf-8")


@FUZZ
@given(structural_mutants())
def test_structural_mutations_end_valid_or_with_problems_at_lines(raw):
    try:
        _check(raw)
    except CaseError:  # pragma: no cover - _check handles it
        raise
    try:
        load_case_bytes(raw, NAME)
    except CaseError as err:
        # The file is well-formed YAML, so every problem points at a line of it.
        assert all(p.line >= 1 for p in err.problems), [str(p) for p in err.problems]


@FUZZ
@given(text_mutants())
def test_broken_yaml_never_raises(raw):
    assert _check(raw) in (0, 1)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(structural_mutants(), text_mutants()))
def test_the_command_exits_0_or_1(tmp_path, capsys, raw):
    path = tmp_path / NAME
    path.write_bytes(raw)
    code = main(["validate", "--json", str(path)])
    out, err = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in out + err
    assert code == _check(raw)


def test_a_null_metrics_list_beside_a_briefing_that_quotes_a_metric_is_a_problem_not_a_crash(tmp_path, capsys):
    """Found by the fuzzer: card-fraud's briefing quotes {start.false_declines}; with `metrics: null` the template
    check must wait for the metrics to load instead of reading a part that is not there."""
    raw = yaml.safe_load(TEXTS["card-fraud"])
    raw["id"], raw["metrics"] = "card-null", None
    path = tmp_path / "card-null.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr()
    assert "metrics must be a list" in out.out + out.err and "Traceback" not in out.out + out.err
