"""Play a policy over a batch of seeds through the engine, scoring every verdict: the one batch loop.

Lint, the expert yardstick of the outcome score, and the tests that compare policies all use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from sim.coach.anti import AntiRulePolicy
from sim.coach.judge import ALIGNED
from sim.coach.policy import Picks, RandomPolicy, expert
from sim.coach.score import outcome_points
from sim.coach.situation import Situation
from sim.coach.visible import Visible
from sim.game.engine import MAX_TURNS, Engine, Moves
from sim.game.turn import DeferredVerdicts, take_turn
from sim.model import ACTION_IDS
from sim.rules import RULE_IDS
from sim.scenario.limits import meets
from sim.scenario.schema import Case

Policy = Callable[..., Picks]  # (vis, case, pending, turn, situation=...) -> Picks
ANSWER = 1000  # path code of an answer: ANSWER + decision * OPTIONS + option
OPTIONS = 64
SET_ASIDE_FROM = 64  # batches this large drop their finished rows (a step costs per row, done or not)
SET_ASIDE_SHARE = 0.25  # once this share of the rows still stepped has finished
DEFER_ROWS = 1024  # verdicts of smaller steps wait for later steps' rows, to be judged together up to this many
# (a kept row's view is a few kB: 4,096 rows cost a what-if 27 MB more at its peak, 1,024 rows 5 MB)


@dataclass
class BatchRun:
    """One policy over every seed: outcomes per row, and what it reached."""

    name: str
    seeds: np.ndarray
    start_real: np.ndarray
    real_world: np.ndarray
    real_true: np.ndarray  # the real-world error without its reading noise (the coherence yardstick)
    shipped: np.ndarray
    constraints_met: np.ndarray
    weeks: np.ndarray
    strategy: np.ndarray  # verdict points per row
    verdict_counts: np.ndarray  # (B, 3) aligned / neutral / misaligned
    rules: np.ndarray  # (B, len(RULE_IDS)) rules cited by each row's verdicts
    path: np.ndarray  # (B, MAX_TURNS + 2) per turn: action code, answer code, or -1
    answered: np.ndarray  # (B, D) each row answered each decision
    fired: np.ndarray  # (B, E) each event fired in each row while it played
    aligned_actions: np.ndarray  # (len(ACTION_IDS),) times each action was judged aligned
    chosen_actions: np.ndarray  # (len(ACTION_IDS),) times each action was chosen
    limits_met: np.ndarray | None = None  # (B, C) each satisficing threshold held by the final model

    @property
    def valid(self) -> np.ndarray:
        """Shipped inside the budget with every threshold met."""
        return self.shipped & self.constraints_met

    @property
    def decisions_reached(self) -> np.ndarray:
        """(D,) answered in some row."""
        return self.answered.any(axis=0)

    @property
    def events_reached(self) -> np.ndarray:
        """(E,) fired in some row."""
        return self.fired.any(axis=0)

    @property
    def rules_cited(self) -> list[set[str]]:
        return [{RULE_IDS[j] for j in np.flatnonzero(row)} for row in self.rules]


class ExpertPolicy:
    """The expert, reading its engine's view without sampling noise (sim.game.engine.Engine.visible)."""

    reads_noise_free = True

    def __call__(self, vis: Visible, case: Case, pending: np.ndarray, turn: np.ndarray,
                 situation: Situation | None = None) -> Picks:
        return expert(vis, case, pending, situation)


expert_policy = ExpertPolicy()


def policy_named(name: str, case: Case, engine: Engine) -> Policy:
    if name == "expert":
        return expert_policy
    if name == "random":
        return RandomPolicy(case, engine.truth.draws)
    if name == "anti-rule":
        return AntiRulePolicy(case, engine.truth.draws)
    raise ValueError(f"unknown policy {name!r}")


def policy_picks(policy: Policy, engine: Engine, case: Case, situation: Situation | None) -> Picks:
    """A policy's moves on an engine: the player's own view, or the noise-free one for the expert."""
    if getattr(policy, "reads_noise_free", False):
        clear = engine.visible(noise_free=True)
        return policy(clear, case, engine.pending, engine.turn, situation=Situation(clear, case))
    if situation is None:
        situation = Situation(engine.visible(), case)
    return policy(situation.vis, case, engine.pending, engine.turn, situation=situation)


def run_batch(case: Case, seeds, policy: Policy | str, name: str | None = None, record_path: bool = True,
              judge: bool = True) -> BatchRun:
    """Play every seed (or every row of an Engine, which is forked, not changed) to the end with `policy`."""
    engine = seeds.fork() if isinstance(seeds, Engine) else Engine(case, np.asarray(seeds, dtype=np.int64))
    if isinstance(policy, str):
        name = name or policy
        policy = policy_named(policy, case, engine)
    b = engine.batch
    strategy = np.zeros(b, dtype=np.int64)
    counts = np.zeros((b, 3), dtype=np.int64)
    rules = np.zeros((b, len(RULE_IDS)), dtype=bool)
    path = np.full((b, MAX_TURNS + 2), -1, dtype=np.int64)
    aligned = np.zeros(len(ACTION_IDS), dtype=np.int64)
    chosen = np.zeros(len(ACTION_IDS), dtype=np.int64)
    out = {"real_world": np.full(b, np.nan), "real_true": np.full(b, np.nan), "shipped": np.zeros(b, bool),
           "constraints_met": np.zeros(b, bool), "weeks": np.zeros(b), "answered": np.zeros((b, len(case.decisions)), bool),
           "fired": np.zeros((b, len(case.events)), bool), "limits_met": np.zeros((b, len(case.constraints)), bool)}
    seeds_out, start_real = engine.seeds.copy(), engine.start_real.copy()
    origin = np.arange(b)  # the row of the full batch each engine row stands for

    def set_aside(rows: np.ndarray) -> None:
        where = origin[rows]
        out["real_world"][where] = engine.real_world[rows]
        out["real_true"][where] = engine.real_true[rows]
        out["shipped"][where] = engine.shipped[rows]
        table, every = engine.constraint_values()
        out["constraints_met"][where] = every[rows]
        out["limits_met"][where] = meets(case, table)[rows]
        out["weeks"][where] = engine.week[rows]
        out["answered"][where] = engine.answered[rows]
        out["fired"][where] = engine.fired[rows]

    # Verdicts of small steps wait for company (DeferredVerdicts), up to DEFER_ROWS rows; a step as big is
    # judged as it comes (lint's thousands of seeds gain nothing from waiting, and keep no views).
    later = DeferredVerdicts(case) if judge else None
    kept_origin: list[np.ndarray] = []

    def tally(where: np.ndarray, action: np.ndarray, verdict: np.ndarray, rule: np.ndarray, points: np.ndarray) -> None:
        """Add verdicts to the rows `where` of the full batch (a row may come more than once: add.at)."""
        np.add.at(strategy, where, points)
        np.add.at(counts, (where, verdict), 1)
        rules[where, rule] = True
        np.add.at(aligned, action[(verdict == ALIGNED) & (action >= 0)], 1)

    def settle() -> None:
        judged = later.judge()
        where = np.concatenate(kept_origin) if kept_origin else np.zeros(0, dtype=np.int64)
        kept_origin.clear()
        tally(where, judged.action, judged.verdict, judged.rule, judged.points)

    for _ in range(2 * (MAX_TURNS + 2)):
        if engine.done.all():
            break
        if b >= SET_ASIDE_FROM and engine.done.mean() > SET_ASIDE_SHARE:
            set_aside(np.flatnonzero(engine.done))
            keep = np.flatnonzero(~engine.done)
            engine, origin = engine.take(keep), origin[keep]
            if hasattr(policy, "tape"):  # per-seed draws of the random and anti-rule players
                policy = policy.take(keep)
        defer = later if judge and engine.batch < DEFER_ROWS else None
        own_view = not getattr(policy, "reads_noise_free", False)
        situation = Situation(engine.visible(), case) if own_view or (judge and defer is None) else None
        picks = policy_picks(policy, engine, case, situation)
        slot = np.minimum(engine.turn, MAX_TURNS + 1)
        turn = take_turn(engine, Moves(picks.action, picks.option, picks.category, picks.variety), situation, judge,
                         defer)
        if defer is not None:
            kept_origin.append(origin[turn.acting])
        judged = turn.verdict >= 0  # deferred rows have none yet (settle() adds them)
        # An answer's row holds no action code (-1), so only acting rows count for the aligned actions.
        tally(origin[judged], np.where(turn.acting, turn.action, -1)[judged], turn.verdict[judged], turn.rule[judged],
              turn.points[judged])
        if record_path:  # with or without verdicts
            moved = turn.acting | turn.answering
            code = np.where(turn.answering, ANSWER + turn.decision * OPTIONS + turn.option, turn.action)
            path[origin[moved], slot[moved]] = code[moved]
        np.add.at(chosen, turn.action[turn.acting], 1)
        if later is not None and later.rows >= DEFER_ROWS:
            settle()
    else:  # every row answers or acts each step, so this is a bug, not a case problem
        raise RuntimeError("playthroughs did not finish")
    if later is not None:
        settle()
    set_aside(np.arange(engine.batch))
    return BatchRun(name or "policy", seeds_out, start_real, out["real_world"], out["real_true"], out["shipped"],
                    out["constraints_met"], out["weeks"], strategy, counts, rules, path,
                    out["answered"], out["fired"], aligned, chosen, out["limits_met"])


def totals(run: BatchRun, expert_real: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(outcome, total) per row, the outcome measured against the expert's real-world error."""
    outcome = outcome_points(run.start_real, run.real_world, expert_real, run.constraints_met, run.shipped)
    return outcome, run.strategy + outcome


@dataclass(frozen=True)
class ExpertRun:
    """The expert's game on one seed: its real-world error (the outcome score's yardstick) and its path."""

    real_world: float
    path: tuple[str, ...]  # each turn's action id or "answer OPTION" (parameters left out)


_expert_runs: dict[tuple[str, int], ExpertRun] = {}
MAX_EXPERT_RUNS = 100_000  # per process; then the cache starts again (an entry is a few hundred bytes)


def path_kinds(case: Case, row: np.ndarray) -> tuple[str, ...]:
    """A BatchRun path row as choices without parameters ("bigger_network", "answer b")."""
    steps = []
    for code in (int(c) for c in row if c >= 0):
        if code >= ANSWER:
            decision, option = divmod(code - ANSWER, OPTIONS)
            steps.append(f"answer {case.decisions[decision].options[option].id}")
        else:
            steps.append(ACTION_IDS[code])
    return tuple(steps)


def expert_runs(case: Case, case_hash: str, seeds) -> list[ExpertRun]:
    """The expert's game on each seed, played once per (case, seed) in this process: every uncached seed in one
    batch, without verdicts (the expert's own are never scored)."""
    seeds = [int(s) for s in np.atleast_1d(seeds)]
    todo = sorted({s for s in seeds if (case_hash, s) not in _expert_runs})
    if todo:
        if len(_expert_runs) + len(todo) > MAX_EXPERT_RUNS:
            _expert_runs.clear()
        run = run_batch(case, todo, "expert", judge=False)
        for s, value, row in zip(todo, run.real_world, run.path):
            _expert_runs[(case_hash, s)] = ExpertRun(float(value), path_kinds(case, row))
    return [_expert_runs[(case_hash, s)] for s in seeds]


def expert_real_world(case: Case, case_hash: str, seeds) -> np.ndarray:
    """The expert's real-world error on each seed (the outcome score's yardstick), cached per case and seed."""
    return np.array([run.real_world for run in expert_runs(case, case_hash, seeds)])
