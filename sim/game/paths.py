"""Paths side by side: which decision each answer answered, and two paths lined up by situation.

Two players of one case rarely make the same number of choices. Lined up by situation, the answers to one
decision share a row whatever their option, the same action in both paths shares a row, and what only one
player did gets a row of its own (a diff of the two paths, decisions as anchors).
"""

from __future__ import annotations

import difflib
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


def situation_keys(choices: Sequence[str], decisions: Sequence[str | None]) -> list[str]:
    """What a choice is an answer to: its decision for an answer, its action for an action (targets left out)."""
    return [f"decision {d}" if d is not None else (c.split() or [""])[0] for c, d in zip(choices, decisions)]


def line_up(mine: Sequence[str], theirs: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Rows of (index in mine, index in theirs), either None where only one path has a choice there.

    `mine` and `theirs` are situation keys (situation_keys); equal keys in the same order share a row, and
    the choices between them are paired off row by row."""
    rows: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, list(mine), list(theirs), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows += list(zip(range(i1, i2), range(j1, j2)))
        else:
            rows += list(zip_longest(range(i1, i2), range(j1, j2)))
    return rows
