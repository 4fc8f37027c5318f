"""What if: every other choice at every turn of a finished game, each played out by the expert, in one batch.

At each turn the engine stands where the learner stood, plays one choice the learner could have made there
(every action the case offers, with each target the menu offers, or each option of the waiting decision;
the learner's own choice among them) and the expert finishes the project. It is the coherence check's
machinery (sim.game.coherence): `Engine.take` forks the states, `take_turn` plays and judges the
alternative, `run_batch` with the expert plays on to the end. So every row is exactly what
`mlsim play CASE --headless --choices PREFIX+ALTERNATIVE --then expert` reaches (tests/test_whatif.py plays
them side by side), and anyone can check a what-if by playing it.

One pass for a whole game: the learner's choices are replayed once on T+1 copies of the game, copy i parked
once it has made i choices (a parked row sits a step out, so it stays exactly where the learner stood);
the copies are repeated once per alternative, every alternative is played in one judged step, and one
expert run finishes them all. The learner's own verdicts come out of that same judged step.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from sim.coach.score import outcome_points
from sim.game.choices import ChoiceError, ParsedChoice, menu_choices, parse_choice
from sim.game.engine import Engine, Moves
from sim.game.playthroughs import replay_many, rung_value
from sim.game.runner import expert_real_world, run_batch, totals
from sim.game.turn import take_turn
from sim.model import ACTION_INDEX
from sim.scenario.schema import Case


@dataclass(frozen=True)
class Reached:
    """Where a path ends: what the users see, the weeks it took and the score (the result record's rounding)."""

    real_world_error: float | None
    weeks_used: float
    total: int
    shipped: bool
    constraints_met: bool

    def as_json(self) -> dict:
        return {"real_world_error": self.real_world_error, "weeks_used": self.weeks_used, "total": self.total,
                "shipped": self.shipped, "constraints_met": self.constraints_met}


@dataclass(frozen=True)
class Alternative:
    """One choice at one turn, then the expert to the end."""

    choice: str
    verdict: str
    rule: str
    explanation: str
    reached: Reached
    chosen: bool  # the learner's own choice at this turn

    def as_json(self) -> dict:
        return {"choice": self.choice, "verdict": self.verdict, "rule": self.rule, "explanation": self.explanation,
                **self.reached.as_json(), "chosen": self.chosen}


def rank_key(reached: Reached) -> tuple:
    """Best first: more points, then lower real-world error, then fewer weeks (the leaderboard's order)."""
    real = reached.real_world_error
    return -reached.total, float("inf") if real is None else real, reached.weeks_used


@dataclass(frozen=True)
class TurnWhatIf:
    index: int  # 1 for the first choice, as the debrief numbers the turns
    week: float  # when the learner made it
    choice: str
    decision: str | None  # the decision the choice answered, if it was an answer
    alternatives: tuple[Alternative, ...]  # best first; the learner's own among them

    @property
    def best(self) -> Alternative:
        return self.alternatives[0]

    @property
    def chosen(self) -> Alternative:
        return next(a for a in self.alternatives if a.chosen)

    def rank_of(self, alternative: Alternative) -> int:
        """1 for the best; alternatives that reach the same numbers share a rank."""
        key = rank_key(alternative.reached)
        return 1 + sum(rank_key(a.reached) < key for a in self.alternatives)


@dataclass(frozen=True)
class WhatIf:
    case: str
    seed: int
    yours: Reached  # where the learner's own path ended
    turns: tuple[TurnWhatIf, ...]

    def turn(self, index: int) -> TurnWhatIf | None:
        return next((t for t in self.turns if t.index == index), None)

    def as_json(self) -> dict:
        """docs/design.md's shape: {"turns": [{"index", "week", "choice", "yours", "alternatives", "best"}]}."""
        turns = []
        for t in self.turns:
            own = t.chosen
            yours = {"choice": t.choice, "verdict": own.verdict, "rule": own.rule, **self.yours.as_json()}
            turns.append({"index": t.index, "week": round(t.week, 2), "choice": t.choice, "decision": t.decision,
                          "yours": yours, "alternatives": [a.as_json() for a in t.alternatives],
                          "best": t.best.choice})
        return {"case": self.case, "seed": self.seed, "yours": self.yours.as_json(), "turns": turns}


@contextmanager
def _parked(engine: Engine, rows: np.ndarray):
    """`rows` sit this step out: a finished row takes no part in a step (no move, no event, no week), so a row
    marked finished for the step is left exactly as it was."""
    kept = engine.done[rows].copy()
    engine.done[rows] = True
    try:
        yield
    finally:
        engine.done[rows] = kept


def _refuse(case: Case, case_hash: str, seed: int, choices: list[str]) -> ChoiceError:
    """The sentence for choices that do not re-play: the one the board's re-play gives (one place says it)."""
    replayed = replay_many(case, case_hash, [(seed, choices)])[0]
    return replayed if isinstance(replayed, ChoiceError) else ChoiceError("the choices cannot be re-played")


def _option(case: Case, pending: int, choice: ParsedChoice) -> int:
    """The waiting decision's option index the choice answers, or -1 if it does not answer it."""
    if pending < 0 or choice.option is None:
        return -1
    ids = [o.id for o in case.decisions[pending].options]
    return ids.index(choice.option) if choice.option in ids else -1


def _playable(case: Case, pending: int, must_ship: bool) -> list[ParsedChoice]:
    """What the learner could have chosen: the waiting decision's options, else every way to play every action
    (only ship once the project is out of choices)."""
    if pending >= 0:
        return [parse_choice(f"answer {o.id}", case) for o in case.decisions[pending].options]
    actions = ["ship"] if must_ship else list(case.actions)
    return [variant for action in actions for variant in menu_choices(case, action)]


def what_if(case: Case, case_hash: str, seed: int, choices: Sequence[str],
            turns: Sequence[int] | None = None) -> WhatIf:
    """The what-if of a finished game (its case, seed and choices), for every turn or the `turns` given (1-based).

    Raises ChoiceError (a sentence) when the choices do not re-play to a finished game.
    """
    choices = list(choices)
    n_turns = len(choices)
    wanted = sorted(set(range(1, n_turns + 1) if turns is None else turns))
    if any(not 1 <= t <= n_turns for t in wanted):
        raise ValueError(f"turns are numbered 1 to {n_turns}")
    try:
        parsed = [parse_choice(c, case) for c in choices]
    except ChoiceError:
        raise _refuse(case, case_hash, seed, choices) from None

    # ---- the learner's game, once, on one row per turn (row i parks after i choices; row T plays it all) ----
    rows = n_turns + 1
    engine = Engine(case, [seed]).take(np.zeros(rows, dtype=np.int64))
    pending_at, must_ship_at, week_at = [], [], []
    index = np.arange(rows)
    for t, choice in enumerate(parsed):
        pending, must_ship = int(engine.pending[-1]), bool(engine.must_ship[-1])
        option = _option(case, pending, choice)
        wrong = (engine.done[-1] or (pending >= 0 and option < 0) or (pending < 0 and choice.action is None)
                 or (pending < 0 and must_ship and choice.action != "ship"))
        if wrong:
            raise _refuse(case, case_hash, seed, choices)
        pending_at.append(pending), must_ship_at.append(must_ship), week_at.append(float(engine.week[-1]))
        moving = index > t
        action = ACTION_INDEX[choice.action] if choice.action is not None else -1
        moves = Moves(np.where(moving, action, -1), np.where(moving, option, -1), np.full(rows, choice.category),
                      np.full(rows, choice.variety))
        with _parked(engine, ~moving):
            take_turn(engine, moves, judge=False)
    if not engine.done[-1]:
        raise _refuse(case, case_hash, seed, choices)

    # ---- every alternative at every turn: one judged step over one batch ----
    # The learner's own choice at every turn is played too (its points make the score of every prefix).
    plays: list[tuple[int, ParsedChoice, bool]] = []  # (turn, choice, the learner's own)
    menus: dict[tuple[int, bool], list[ParsedChoice]] = {}  # the same menu comes back turn after turn
    for t in range(n_turns):
        plays.append((t, parsed[t], True))
        if t + 1 in wanted:
            key = (pending_at[t], must_ship_at[t])
            if key not in menus:
                menus[key] = _playable(case, *key)
            plays += [(t, alt, False) for alt in menus[key] if alt.text != parsed[t].text]
    turn_of = np.array([t for t, _, _ in plays])
    forks = engine.take(turn_of)
    action = np.array([ACTION_INDEX[c.action] if c.action is not None else -1 for _, c, _ in plays])
    option = np.array([_option(case, pending_at[t], c) for t, c, _ in plays])
    step = take_turn(forks, Moves(action, option, np.array([c.category for _, c, _ in plays]),
                                  np.array([c.variety for _, c, _ in plays], dtype=float)))
    own = np.array([mine for _, _, mine in plays])
    own_points = np.zeros(n_turns, dtype=np.int64)
    own_points[turn_of[own]] = step.points[own]
    before = np.concatenate([[0], np.cumsum(own_points)])  # points of the turns before each turn

    # ---- the expert finishes every alternative of the wanted turns in one run ----
    finish = np.flatnonzero(np.isin(turn_of, np.array(wanted) - 1))
    run = run_batch(case, forks.take(finish) if len(finish) < forks.batch else forks, "expert")
    expert_real = expert_real_world(case, case_hash, [seed])[0]
    _, total = totals(run, np.full(run.seeds.shape, expert_real))

    by_turn: dict[int, list[Alternative]] = {t - 1: [] for t in wanted}
    for j, row in enumerate(finish):
        t, choice, mine = plays[row]
        verdict = step.verdict_of(case, int(row))
        reached = Reached(rung_value(run.real_world[j]), round(float(run.weeks[j]), 2),
                          int(before[t] + step.points[row] + total[j]), bool(run.shipped[j]),
                          bool(run.constraints_met[j]))
        by_turn[t].append(Alternative(choice.text, verdict.verdict, verdict.rule, verdict.explanation, reached, mine))
    out = []
    for t, alternatives in by_turn.items():
        alternatives.sort(key=lambda a: rank_key(a.reached))  # stable: ties keep the menu's order
        decision = case.decisions[pending_at[t]].id if pending_at[t] >= 0 else None
        out.append(TurnWhatIf(t + 1, week_at[t], choices[t], decision, tuple(alternatives)))

    # ---- where the learner's own path ended (the row that played every choice) ----
    ok = engine.constraint_values()[1]
    outcome = int(outcome_points(engine.start_real[-1], engine.real_world[-1], expert_real, ok[-1],
                                 engine.shipped[-1]))
    yours = Reached(rung_value(engine.real_world[-1]), round(float(engine.week[-1]), 2),
                    int(own_points.sum() + outcome), bool(engine.shipped[-1]), bool(ok[-1]))
    return WhatIf(case.id, int(seed), yours, tuple(out))
