"""One playthrough: the turn loop a player (or a script) drives, its turns, and its result record."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from sim.coach.diagnose import Diagnosis, diagnose_batch, diagnosis_row
from sim.coach.judge import Verdict, judge
from sim.coach.policy import Picks, RandomPolicy, expert
from sim.coach.score import Score, outcome_points, verdict_points
from sim.game.choices import ChoiceError, ParsedChoice, parse_choice
from sim.game.engine import Engine, Moves
from sim.game.runner import MAX_TURNS, expert_real_world
from sim.model import ACTION_IDS, ACTION_INDEX, ACTIONS, costs
from sim.scenario.schema import Case, Decision, Event

RESULT_FORMAT = 1
RUNGS = ("human", "train", "train_dev", "dev", "test")


def _num(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 4)


@dataclass(frozen=True)
class Turn:
    week: float
    choice: str
    verdict: str
    rule: str
    explanation: str
    ladder: dict[str, float | None]  # what the player saw when choosing
    points: int

    def as_json(self) -> dict:
        return {"week": round(self.week, 2), "choice": self.choice, "verdict": self.verdict, "rule": self.rule,
                "explanation": self.explanation, "ladder": self.ladder}


@dataclass(frozen=True)
class ActionInfo:
    """An action as the player sees it in the menu."""

    id: str
    family: str
    summary: str
    weeks: float  # including the training run it triggers


@dataclass
class Game:
    case: Case
    case_hash: str
    seed: int
    turns: list[Turn] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    events_seen: list[Event] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.engine = Engine(self.case, [self.seed])

    # ---- what the player sees ----------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return bool(self.engine.done[0])

    @property
    def week(self) -> float:
        return float(self.engine.week[0])

    @property
    def pending_decision(self) -> Decision | None:
        d = int(self.engine.pending[0])
        return None if d < 0 or self.finished else self.case.decisions[d]

    def ladder(self) -> dict[str, float | None]:
        """The visible ladder (None where a rung is not measured)."""
        vis = self.engine.visible()
        return {rung: _num(getattr(vis, rung)[0]) for rung in RUNGS}

    def diagnosis(self) -> Diagnosis:
        vis = self.engine.visible()
        return diagnosis_row(diagnose_batch(vis.human, vis.train, vis.train_dev, vis.dev, vis.test, vis.differ), 0)

    def meters(self) -> list[tuple[str, float, float]]:
        """Each satisficing metric: (label, current value, threshold)."""
        c = costs(self.engine.truth, self.engine.knobs)
        return [(con.label, float(getattr(c, con.metric)[0]), con.max) for con in self.case.constraints]

    def actions(self) -> list[ActionInfo]:
        weeks = self.engine.weeks_needed()[0]
        return [ActionInfo(a, ACTIONS[a].family, ACTIONS[a].summary, float(weeks[ACTION_INDEX[a]]))
                for a in self.case.actions]

    def error_analysis(self) -> dict | None:
        """The last error analysis: shares and ceilings per category (None before the first)."""
        e = self.engine
        if not e.ea_done[0]:
            return None
        dev = float(self.engine.visible().dev[0])
        rows = [{"id": c.id, "label": c.label, "share": float(e.ea_shares[0, k]),
                 "ceiling": float(e.ea_shares[0, k]) * dev} for k, c in enumerate(self.case.categories)]
        mis = float(e.ea_mislabelled[0])
        rows.append({"id": "mislabelled", "label": "Mislabelled", "share": mis, "ceiling": mis * dev})
        return {"dev": dev, "categories": rows, "fresh": bool(e.ea_fresh[0])}

    def real_world_error(self) -> float | None:
        """The error on the users' data, seen only once the project has ended."""
        return _num(self.engine.real_world[0])

    def deployment_gap(self) -> float | None:
        """Real world minus test (the last link of the chain), once both have been seen."""
        real, test = self.real_world_error(), self.ladder()["test"]
        return None if real is None or test is None else round(real - test, 4)

    # ---- playing -----------------------------------------------------------------------------
    def choose(self, text: str) -> Turn:
        """Play one choice; raises ChoiceError (a sentence) when it cannot be played now."""
        if self.finished:
            raise ChoiceError("the project has ended; start a new game to play again")
        parsed = parse_choice(text, self.case)
        ladder = self.ladder()
        decision = self.pending_decision
        moves = Moves.idle(1)
        if decision is not None:
            if parsed.action is not None:
                ids = ", ".join(o.id for o in decision.options)
                raise ChoiceError(f"decision '{decision.id}' waits for an answer first: `answer ID` with ID one of {ids}")
            option = next((o for o in decision.options if o.id == parsed.option), None)
            if option is None:
                ids = ", ".join(o.id for o in decision.options)
                raise ChoiceError(f"decision '{decision.id}' has no option '{parsed.option}' (options: {ids})")
            verdict = Verdict(parsed.text, option.verdict, option.rule, "", option.why)
            moves = Moves(moves.action, np.array([decision.options.index(option)]), moves.category, moves.variety)
        else:
            if parsed.action is None:
                raise ChoiceError("no decision is waiting; choose an action")
            if len(self.choices) >= MAX_TURNS and parsed.action != "ship":
                raise ChoiceError(f"a project allows {MAX_TURNS} choices; ship now")
            verdict = judge(self.engine.visible(), self.case, parsed.action, parsed.category, parsed.variety)
            moves = Moves(np.array([ACTION_INDEX[parsed.action]]), moves.option,
                          np.array([parsed.category]), np.array([parsed.variety]))
        fired_before = self.engine.fired[0].copy()
        week = self.week
        self.engine.step(moves)
        self.events_seen += [ev for e, ev in enumerate(self.case.events) if self.engine.fired[0, e] and not fired_before[e]]
        turn = Turn(week, parsed.text, verdict.verdict, verdict.rule, verdict.explanation, ladder,
                    verdict_points(self.case, verdict.verdict))
        self.turns.append(turn)
        self.choices.append(parsed.text)
        return turn

    def new_events(self, since: int) -> list[Event]:
        return self.events_seen[since:]

    # ---- the result --------------------------------------------------------------------------
    def score(self) -> Score:
        strategy = sum(t.points for t in self.turns)
        if not self.finished:
            return Score(strategy, 0, strategy)
        e = self.engine
        expert = expert_real_world(self.case, self.case_hash, [self.seed])
        outcome = int(outcome_points(e.start_real, e.real_world, expert, e.constraint_values()[1], e.shipped)[0])
        return Score(strategy, outcome, strategy + outcome)

    def result(self) -> dict:
        """The result record (DESIGN.md): what the board stores and anyone can re-play."""
        e = self.engine
        return {
            "format": RESULT_FORMAT,
            "id": result_id(self.case_hash, self.seed, self.choices),
            "case": self.case.id,
            "case_hash": self.case_hash,
            "seed": self.seed,
            "choices": list(self.choices),
            "variant": {path: round(float(v[0]), 6) for path, v in e.variant_values.items()},
            "turns": [t.as_json() for t in self.turns],
            "final": {
                "ladder": self.ladder(),
                "real_world_error": _num(e.real_world[0]),
                "weeks_used": round(self.week, 2),
                "constraints_met": bool(e.constraint_values()[1][0]),
                "shipped": bool(e.shipped[0]),
                "over_budget": bool(e.over_budget[0]),
            },
            "score": self.score().as_json(),
        }


def result_id(case_hash: str, seed: int, choices: list[str]) -> str:
    payload = json.dumps([case_hash, seed, choices], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def picks_to_choice(game: Game, picks: Picks) -> str:
    """Turn a policy's move for a one-row game into choice text."""
    decision = game.pending_decision
    if decision is not None:
        return f"answer {decision.options[int(picks.option[0])].id}"
    action = ACTION_IDS[int(picks.action[0])]
    words = [action]
    if picks.category[0] >= 0:
        words.append(f"category={game.case.categories[int(picks.category[0])].id}")
    if action == "synthesize_data":
        words.append(f"variety={float(picks.variety[0]):g}")
    return " ".join(words)


def play_policy(game: Game, policy: str, on_turn=None) -> Game:
    """Play a game to the end with the expert or the random policy, choice by choice."""
    chooser = RandomPolicy(game.case, game.engine.truth.draws) if policy == "random" else None
    while not game.finished:
        vis = game.engine.visible()
        pending = game.engine.pending
        if chooser is None:
            picks = expert(vis, game.case, pending)
        else:
            picks = chooser(vis, game.case, pending, game.engine.turn)
        text = picks_to_choice(game, picks)
        if len(game.choices) >= MAX_TURNS and game.pending_decision is None:
            text = "ship"
        game.choose(text)
        if on_turn is not None:
            on_turn(game)
    return game
