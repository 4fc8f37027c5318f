"""Play a policy over a batch of seeds through the engine, scoring every verdict: lint and references use it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.coach.judge import VERDICTS, Choice, judge_batch
from sim.coach.policy import SHIP, Picks, RandomPolicy, expert
from sim.coach.score import outcome_points
from sim.coach.visible import Visible
from sim.game.engine import Engine, Moves
from sim.model import ACTION_IDS, TAPE_TURNS
from sim.scenario.schema import Case

MAX_TURNS = TAPE_TURNS - 2  # a playthrough that has not shipped by then ships
Policy = Callable[[Visible, Case, np.ndarray, np.ndarray], Picks]


@dataclass
class BatchRun:
    engine: Engine
    strategy: np.ndarray  # verdict points per row
    verdict_counts: np.ndarray  # (B, 3) aligned / neutral / misaligned
    rules_cited: list[set[str]]  # per row
    actions: np.ndarray  # (B, MAX_TURNS) action code per turn, -1 answer or none

    @property
    def real_world(self) -> np.ndarray:
        return self.engine.real_world

    @property
    def constraints_met(self) -> np.ndarray:
        return self.engine.constraint_values()[1]


def expert_policy(vis: Visible, case: Case, pending: np.ndarray, turn: np.ndarray) -> Picks:
    return expert(vis, case, pending)


def policy_named(name: str, case: Case, engine: Engine) -> Policy:
    if name == "expert":
        return expert_policy
    if name == "random":
        return RandomPolicy(case, engine.truth.draws)
    raise ValueError(f"unknown policy {name!r}")


def run_batch(case: Case, seeds, policy: Policy | str) -> BatchRun:
    seeds = np.asarray(seeds, dtype=np.int64)
    engine = Engine(case, seeds)
    if isinstance(policy, str):
        policy = policy_named(policy, case, engine)
    b = engine.batch
    strategy = np.zeros(b, dtype=np.int64)
    counts = np.zeros((b, 3), dtype=np.int64)
    rules: list[set[str]] = [set() for _ in range(b)]
    actions = np.full((b, MAX_TURNS + 1), -1)
    points = np.array([case.scoring.aligned, case.scoring.neutral, case.scoring.misaligned])
    step = 0
    while not engine.done.all():
        vis = engine.visible()
        pending = engine.pending
        picks = policy(vis, case, pending, engine.turn)
        action = picks.action.copy()
        action[(engine.turn >= MAX_TURNS) & (pending < 0)] = SHIP
        live = ~engine.done
        # Verdicts: decisions from the chosen option, actions from the coach on what each row saw.
        for d, decision in enumerate(case.decisions):
            rows = np.flatnonzero(live & (pending == d))
            for i in rows:
                option = decision.options[int(np.clip(picks.option[i], 0, len(decision.options) - 1))]
                code = VERDICTS.index(option.verdict)
                counts[i, code] += 1
                strategy[i] += points[code]
                rules[i].add(option.rule)
        acting = live & (pending < 0)
        for code in np.unique(action[acting]):
            rows = np.flatnonzero(acting & (action == code))
            choice = Choice(ACTION_IDS[code], picks.category[rows], picks.variety[rows])
            judgement = judge_batch(vis.take(rows), case, choice)
            np.add.at(counts, (rows, judgement.codes), 1)
            strategy[rows] += points[judgement.codes]
            for i, rule in zip(rows, judgement.rules):
                rules[i].add(rule)
        actions[np.flatnonzero(acting), np.minimum(engine.turn[acting], MAX_TURNS)] = action[acting]
        engine.step(Moves(action, picks.option, picks.category, picks.variety))
        step += 1
        if step > 2 * TAPE_TURNS:  # every row answers or acts each step; this is a safety net
            raise RuntimeError("playthroughs did not finish")
    return BatchRun(engine, strategy, counts, rules, actions)


def totals(run: BatchRun, expert_real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(outcome, total) per row, the outcome measured against the expert's real-world error."""
    e = run.engine
    outcome = outcome_points(e.start_real, e.real_world, expert_real, run.constraints_met, e.shipped)
    return outcome, run.strategy + outcome


_expert_cache: dict[tuple[str, int], float] = {}


def expert_real_world(case: Case, case_hash: str, seeds) -> np.ndarray:
    """The expert's real-world error on each seed (the outcome score's yardstick), cached per case and seed."""
    seeds = [int(s) for s in np.atleast_1d(seeds)]
    todo = [s for s in seeds if (case_hash, s) not in _expert_cache]
    if todo:
        run = run_batch(case, todo, "expert")
        for s, value in zip(todo, run.real_world):
            _expert_cache[(case_hash, s)] = float(value)
    return np.array([_expert_cache[(case_hash, s)] for s in seeds])
