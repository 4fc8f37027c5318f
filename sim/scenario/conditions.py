"""Ladder conditions a decision may wait for: `train < human`, `test - dev > 1` (parsed once, at load).

A condition compares two sums of rungs and numbers: `TERM [(+|-) TERM ...] OP TERM [(+|-) TERM ...]`, with
OP one of < <= > >= and a TERM a rung (human, train, train_dev, dev, test) or a number. It reads the
ladder the player sees; a rung not measured yet makes it false. sim.game.engine evaluates it per row.
"""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass

import numpy as np

RUNGS = ("human", "train", "train_dev", "dev", "test")
OPERATORS = {"<=": operator.le, ">=": operator.ge, "<": operator.lt, ">": operator.gt}
_TOKEN = re.compile(r"\s*(?:(<=|>=|<|>)|([+-])|([a-z_]+)|(\d+(?:\.\d*)?|\.\d+))")


class ConditionError(ValueError):
    """A sentence saying what is wrong with a condition and how to write it."""


@dataclass(frozen=True)
class Sum:
    terms: tuple[tuple[float, str | float], ...]  # (sign, rung name or number)

    def value(self, rungs: dict[str, np.ndarray]) -> np.ndarray:
        total = 0.0
        for sign, term in self.terms:
            total = total + sign * (rungs[term] if isinstance(term, str) else term)
        return np.asarray(total, dtype=np.float64)

    @property
    def rungs(self) -> set[str]:
        return {t for _, t in self.terms if isinstance(t, str)}


@dataclass(frozen=True)
class Condition:
    text: str
    left: Sum
    op: str
    right: Sum

    def holds(self, rungs: dict[str, np.ndarray]) -> np.ndarray:
        """Per row; NaN (an unmeasured rung) is false."""
        left, right = self.left.value(rungs), self.right.value(rungs)
        with np.errstate(invalid="ignore"):
            return OPERATORS[self.op](left, right) & ~np.isnan(left) & ~np.isnan(right)

    @property
    def rungs(self) -> set[str]:
        return self.left.rungs | self.right.rungs


HOW = "write it like `train < human` or `test - dev > 1`"


def parse(text: str) -> Condition:
    tokens, pos = [], 0
    text_stripped = text.strip()
    while pos < len(text_stripped):
        m = _TOKEN.match(text_stripped, pos)
        if m is None or m.end() == pos:
            rest = text_stripped[pos:].strip()
            raise ConditionError(f"'{rest[:12]}' cannot be read in the condition '{text}'; {HOW}")
        pos = m.end()
        op, sign, name, number = m.groups()
        if name is not None and name not in RUNGS:
            raise ConditionError(f"'{name}' is not a rung; a condition reads {', '.join(RUNGS)} and numbers")
        tokens.append(("op", op) if op else ("sign", sign) if sign else ("rung", name) if name else ("num", float(number)))
    ops = [i for i, (kind, _) in enumerate(tokens) if kind == "op"]
    if len(ops) != 1:
        raise ConditionError(f"the condition '{text}' needs exactly one comparison (<, <=, > or >=); {HOW}")
    i = ops[0]
    if not any(kind == "rung" for kind, _ in tokens):
        raise ConditionError(f"the condition '{text}' names no rung, so it never changes; {HOW}")
    return Condition(text, _sum(tokens[:i], text), tokens[i][1], _sum(tokens[i + 1:], text))


def _sum(tokens: list[tuple[str, object]], text: str) -> Sum:
    terms, sign, expect_term = [], 1.0, True
    for kind, value in tokens:
        if expect_term:
            if kind == "sign":
                sign = -sign if value == "-" else sign
                continue
            if kind not in ("rung", "num"):
                break
            terms.append((sign, value))
            sign, expect_term = 1.0, False
        elif kind == "sign":
            sign, expect_term = (-1.0 if value == "-" else 1.0), True
        else:
            raise ConditionError(f"two terms in a row in the condition '{text}' (a + or - is missing); {HOW}")
    if expect_term:
        raise ConditionError(f"a side of the condition '{text}' is empty or ends in + or -; {HOW}")
    return Sum(tuple(terms))
