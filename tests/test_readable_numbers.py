"""No raw float in text a person reads: a number with four or more decimals is a float printed without
sim.fmt. Scanned: the headless text output of every built-in case (expert and random, a few seeds), `mlsim lint`'s
report, and the `explanation` strings of the --json output (the record's numbers themselves may keep their
decimals: they are data, not text).

The coach's sentences are checked apart from the command's own text, so each failure names its owner.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import pytest

from sim.cli import main
from sim.scenario.builtin import BUILTIN_IDS

RAW_FLOAT = re.compile(r"\d+\.\d{4,}")
SEEDS = (1, 2, 7, 11)
GAMES = [(case, policy, seed) for case in BUILTIN_IDS for policy in ("expert", "random") for seed in SEEDS]


def raw_floats(text: str) -> list[str]:
    return RAW_FLOAT.findall(text)


def test_the_scan_catches_a_raw_float():
    assert raw_floats("Shipping with 37.1926 weeks left") == ["37.1926"]
    assert raw_floats("week 9.3 of 52, dev 3.11%, 200,000 examples, 0.012 ≤ 0.03") == []


@lru_cache(maxsize=None)
def _run(*args: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    assert code == 0, args
    return out.getvalue()


def played(case: str, policy: str, seed: int) -> tuple[str, list[str]]:
    """(the text output, the explanations in the JSON record) of one headless game."""
    base = ("play", case, "--headless", "--policy", policy, "--seed", str(seed))
    record = json.loads(_run(*base, "--json"))
    return _run(*base), [turn["explanation"] for turn in record["turns"]]


@pytest.mark.parametrize("case", BUILTIN_IDS)
def test_the_commands_own_text_has_no_raw_float(case):
    """Everything in the transcript but the coach's sentences: weeks, ladders, errors, scores."""
    found = {}
    for policy in ("expert", "random"):
        for seed in SEEDS:
            text, explanations = played(case, policy, seed)
            for sentence in explanations:
                text = text.replace(sentence, "")
            if raw_floats(text):
                found[(policy, seed)] = raw_floats(text)
    assert found == {}


@pytest.mark.parametrize("case", BUILTIN_IDS)
def test_lint_report_has_no_raw_float(case):
    assert raw_floats(_run("lint", case, "--runs", "200")) == []


def test_the_coachs_explanations_have_no_raw_float():
    offending = sorted({sentence for game in GAMES for sentence in played(*game)[1] if raw_floats(sentence)})
    assert offending == []
