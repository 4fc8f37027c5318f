"""Each mistake of the issue's "validate must also catch" list: one fixture each, its message and line asserted.

The fixtures are one valid case (tests/fixtures/validate/_base.yaml.txt) with one mistake each; their third
line says where validate must report it and what it must say. Regenerate them with _generate.py there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.scenario import CaseError, load_case_bytes

FOLDER = Path(__file__).resolve().parent / "fixtures" / "validate"
FIXTURES = sorted(FOLDER.glob("*.yaml"))
EXPECT = re.compile(r"^# expect line (\d+): (.+)$", re.M)


def problems_of(raw: bytes, name: str) -> list:
    try:
        load_case_bytes(raw, name)
    except CaseError as err:
        return err.problems
    return []


def test_the_base_of_the_fixtures_is_valid():
    assert problems_of((FOLDER / "_base.yaml.txt").read_bytes(), "base.yaml") == []


def test_there_is_a_fixture_per_check():
    assert len(FIXTURES) >= 20


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_each_mistake_is_reported_once_at_its_line_with_its_message(path):
    raw = path.read_bytes()
    expected = EXPECT.search(raw.decode("utf-8"))
    assert expected, f"{path.name} lacks its '# expect line N: message' header"
    line, message = int(expected.group(1)), expected.group(2)
    problems = problems_of(raw, path.name)
    # Exactly one problem: a refused tag or a number too large is not reported a second time as missing.
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].line == line and message in problems[0].message, str(problems[0])


def test_a_huge_integer_is_not_echoed():
    problems = problems_of((FOLDER / "huge-integer.yaml").read_bytes(), "huge-integer.yaml")
    assert all("9" * 20 not in str(p) for p in problems)
