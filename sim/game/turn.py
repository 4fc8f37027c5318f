"""The one turn step: judge every row's choice on what it could see, score it, step the engine.

Game, the batch runner (policies, lint, the expert yardstick), the coherence check and the server's
re-play all go through `take_turn`, so a verdict and its points are computed in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.coach.judge import VERDICTS, Choice, Judgement, Verdict, judge_in
from sim.coach.situation import Situation
from sim.coach.visible import Visible
from sim.game.engine import SHIP, Engine, Moves, RunTruth
from sim.model import ACTION_IDS
from sim.rules import RULE_IDS, RULES

NO_VERDICT = -1


@dataclass
class TurnResult:
    """What one step did, per row: who moved, each verdict (code into VERDICTS), its rule and points."""

    acting: np.ndarray
    answering: np.ndarray
    verdict: np.ndarray  # (B,) -1 where the row did not move
    rule: np.ndarray  # (B,) index into RULE_IDS, -1 where the row did not move
    points: np.ndarray  # (B,)
    judgements: dict[int, Judgement]  # per action code, over the whole batch (explanations on demand)
    decision: np.ndarray  # (B,) the decision each answering row answered, -1 elsewhere
    option: np.ndarray  # (B,) the option it chose
    action: np.ndarray  # (B,) the action code each acting row played (ship where it was out of choices)

    def verdict_of(self, engine_case, i: int) -> Verdict | None:
        """Row i's verdict with its sentence (only the rows a person reads need one)."""
        if self.answering[i]:
            chosen = engine_case.decisions[int(self.decision[i])].options[int(self.option[i])]
            return Verdict(f"answer {chosen.id}", chosen.verdict, chosen.rule, RULES[chosen.rule].text, chosen.why)
        if self.acting[i]:
            code = int(self.action[i])
            return self.judgements[code].row(i)
        return None


def take_turn(engine: Engine, moves: Moves, situation: Situation | None = None, judge: bool = True,
              defer: "DeferredVerdicts | None" = None) -> TurnResult:
    """Judge, score and play one move per row. Rows out of choices ship (the turn limit is the engine's).

    `judge=False` plays without verdicts (the coherence yardstick needs only where the game ends). `defer`:
    the actions' verdicts are left to it (what each acting row sees is kept there, to be judged later with
    other steps' rows); their rows get no verdict and no points here. A decision's answer is judged now."""
    case, b = engine.case, engine.batch
    pending = engine.pending
    judge = judge and defer is None
    s = situation if situation is not None or not judge else Situation(engine.visible(), case)
    live = ~engine.done
    action = np.where(engine.must_ship & (pending < 0) & (moves.action >= 0), SHIP, moves.action)
    answering = live & (pending >= 0) & (moves.option >= 0)
    acting = live & (pending < 0) & (action >= 0)
    verdict = np.full(b, NO_VERDICT)
    rule = np.full(b, NO_VERDICT)
    decision = np.where(answering, pending, -1)
    option = np.where(answering, moves.option, -1)
    for d, spec in enumerate(case.decisions):
        rows = np.flatnonzero(answering & (pending == d))
        if rows.size:
            chosen = np.clip(option[rows], 0, len(spec.options) - 1)
            option[rows] = chosen
            verdict[rows] = [VERDICTS.index(spec.options[o].verdict) for o in chosen]
            rule[rows] = [RULE_IDS.index(spec.options[o].rule) for o in chosen]
    judgements = judge_actions(s, acting, action, moves.category, moves.variety, verdict, rule) if judge else {}
    if defer is not None:
        defer.keep(engine, np.flatnonzero(acting), action, moves.category, moves.variety)
    points = points_of(case, verdict)
    engine.step(Moves(np.where(acting, action, -1), np.where(answering, option, -1), moves.category, moves.variety))
    return TurnResult(acting, answering, verdict, rule, points, judgements, decision, option, action)


def judge_actions(s: Situation, acting: np.ndarray, action: np.ndarray, category: np.ndarray, variety: np.ndarray,
                  verdict: np.ndarray, rule: np.ndarray) -> dict[int, Judgement]:
    """Judge each acting row's action on the situation `s` (its codes into `verdict` and `rule`, in place); the
    Judgement of each action played, over the whole batch. Rows of `s` need not be one moment of one game: a
    re-play judges every turn of a game at once (`Playthroughs.choose(..., defer=True)`), as a verdict reads
    nothing but its row's view."""
    judgements: dict[int, Judgement] = {}
    for code in np.unique(action[acting]):
        rows = acting & (action == code)
        judgement = judge_in(s, ACTION_IDS[code], Choice(ACTION_IDS[code], category, variety))
        judgements[int(code)] = judgement
        verdict[rows] = judgement.codes[rows]
        rule[rows] = judgement.rule_index[rows]
    return judgements


def points_of(case, verdict: np.ndarray) -> np.ndarray:
    """The strategy points of each verdict code (0 where a row made no move)."""
    scoring = np.array([case.scoring.aligned, case.scoring.neutral, case.scoring.misaligned])
    return np.where(verdict >= 0, scoring[np.maximum(verdict, 0)], 0)


@dataclass
class Judged:
    """The verdicts of rows a DeferredVerdicts kept, in the order kept."""

    action: np.ndarray  # (N,) action codes
    verdict: np.ndarray  # (N,) codes into VERDICTS
    rule: np.ndarray  # (N,) indices into RULE_IDS
    points: np.ndarray  # (N,)
    judgements: dict[int, Judgement]  # per action code, over the N rows (row k's sentence: .row(k))


class DeferredVerdicts:
    """Acting rows of many steps, played without verdicts and judged together: a verdict reads nothing but its
    row's view, so a step's rows can wait for the next steps' and be judged as one batch (one verdict over forty
    rows costs little more than over one). Kept per row: its view (knobs copied: the engine moves on) and the
    part of its hidden truth a run's length reads, so its weeks can be asked later, once for all rows."""

    def __init__(self, case):
        self.case = case
        self.rows = 0
        self._views: list = []
        self._truths: list = []
        self._moves: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._engine: Engine | None = None

    def keep(self, engine: Engine, rows: np.ndarray, action: np.ndarray, category: np.ndarray,
             variety: np.ndarray) -> None:
        """Rows `rows` of `engine` play these actions now (call before the engine steps)."""
        if not rows.size:
            return
        view = engine.visible()
        self._views.append(view.kept() if rows.size == view.batch else view.take(rows))
        self._truths.append(engine.run_truth(rows))
        self._moves.append((action[rows], np.asarray(category)[rows], np.asarray(variety)[rows]))
        self._engine = engine  # any engine of the case knows its actions' costs
        self.rows += rows.size

    def judge(self) -> Judged:
        """Every kept row's verdict, rule and points (then nothing is kept)."""
        n, engine = self.rows, self._engine
        action, category, variety = np.zeros(0, dtype=int), np.zeros(0, dtype=int), np.zeros(0)
        verdict, rule = np.full(n, NO_VERDICT), np.full(n, NO_VERDICT)
        judgements: dict[int, Judgement] = {}
        if n:
            action, category, variety = (np.concatenate(part) for part in zip(*self._moves))
            truth = RunTruth.concat(self._truths)
            # Each row's weeks, from its own plan and menu: asked once for all, and only if a verdict needs them.
            view = Visible.concat(self._views, lambda plan, offered: engine.weeks_for(truth, plan, offered))
            judgements = judge_actions(Situation(view, self.case), np.ones(n, dtype=bool), action, category, variety,
                                       verdict, rule)
        self.rows, self._views, self._truths, self._moves = 0, [], [], []
        return Judged(action, verdict, rule, points_of(self.case, verdict), judgements)
