"""Paths side by side: which decision each answer answered, and two paths lined up by situation.

Two players of one case rarely make the same number of choices. Lined up by situation, the answers to one
decision share a row whatever their option, the same action in both paths shares a row, and what only one
player did gets a row of its own (a diff of the two paths, decisions as anchors).
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Sequence

import numpy as np

from sim.game.choices import ChoiceError, parse_choice
from sim.game.engine import Engine, Moves
from sim.game.turn import take_turn
from sim.model import ACTION_INDEX
from sim.scenario.schema import Case


def decisions_along(case: Case, games: Sequence[tuple[int, Sequence[str]]]) -> list[list[str | None]]:
    """For each (seed, choices), the id of the decision each choice answered (None for an action).

    The games are re-played together without verdicts; a game whose next choice does not play stops there
    (its remaining choices get None)."""
    b = len(games)
    out: list[list[str | None]] = [[None] * len(choices) for _, choices in games]
    if not b:
        return out
    engine = Engine(case, [seed for seed, _ in games])
    stopped = np.zeros(b, dtype=bool)
    for t in range(max(len(choices) for _, choices in games)):
        pending = engine.pending
        action, option = np.full(b, -1), np.full(b, -1)
        category, variety = np.full(b, -1), np.ones(b)
        for i, (_, choices) in enumerate(games):
            if t >= len(choices) or stopped[i] or engine.done[i]:
                continue
            try:
                parsed = parse_choice(choices[t], case)
            except ChoiceError:
                stopped[i] = True
                continue
            d = int(pending[i])
            if d >= 0:
                ids = [o.id for o in case.decisions[d].options]
                if parsed.option not in ids:
                    stopped[i] = True
                    continue
                option[i] = ids.index(parsed.option)
                out[i][t] = case.decisions[d].id
            elif parsed.action is not None:
                action[i], category[i], variety[i] = ACTION_INDEX[parsed.action], parsed.category, parsed.variety
            else:
                stopped[i] = True
        if (action < 0).all() and (option < 0).all():
            break
        take_turn(engine, Moves(action, option, category, variety), judge=False)
    return out


DECISION = "decision "  # a situation key's prefix for an answer to a decision


def situation_keys(choices: Sequence[str], decisions: Sequence[str | None]) -> list[str]:
    """What a choice is an answer to: its decision for an answer, its action for an action (targets left out)."""
    return [f"{DECISION}{d}" if d is not None else (c.split() or [""])[0] for c, d in zip(choices, decisions)]


ANCHOR_WEIGHT = 1000  # a decision answered in both paths outweighs any number of actions shared around it


def _weight(key: str) -> int:
    """What sharing a row with this key is worth."""
    return ANCHOR_WEIGHT if key.startswith(DECISION) else 1


def line_up(mine: Sequence[str], theirs: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Rows of (index in mine, index in theirs), either None where only one path has a choice there.

    `mine` and `theirs` are situation keys (situation_keys). The rows share as many equal keys as two paths in
    their own order can (a longest common subsequence, each decision weighing more than every action: the
    decisions are the anchors), and the choices between two shared rows are paired off row by row."""
    n, m = len(mine), len(theirs)
    # best[i][j]: the weight of the best line-up of mine[i:] with theirs[j:]
    best = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        row, below = best[i], best[i + 1]
        for j in range(m - 1, -1, -1):
            value = max(below[j], row[j + 1])
            if mine[i] == theirs[j]:
                value = max(value, _weight(mine[i]) + below[j + 1])
            row[j] = value
    shared: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if mine[i] == theirs[j] and best[i][j] == _weight(mine[i]) + best[i + 1][j + 1]:
            shared.append((i, j))
            i, j = i + 1, j + 1
        elif best[i + 1][j] == best[i][j] and (best[i][j + 1] != best[i][j] or n - i >= m - j):
            i += 1  # mine[i] stands alone (skip the longer side first, so the two stay level)
        else:
            j += 1
    rows: list[tuple[int | None, int | None]] = []
    i = j = 0
    for a, b in [*shared, (n, m)]:
        rows += list(zip_longest(range(i, a), range(j, b)))
        if (a, b) != (n, m):
            rows.append((a, b))
        i, j = a + 1, b + 1
    return rows
