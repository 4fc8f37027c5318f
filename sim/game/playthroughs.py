"""Many playthroughs of one case in lockstep, each with its own choices: the one implementation of a turn.

`Game` is the one-row case of this (what a player drives); re-playing many submitted results at
once (the workshop server, the local board) uses it directly, so both share every line of a turn.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Sequence

import numpy as np

from sim.coach.score import Score, outcome_points
from sim.game.choices import ChoiceError, ParsedChoice, parse_choice
from sim.game.engine import MAX_TURNS, Engine, Moves
from sim.game.runner import expert_real_world
from sim.game.texts import fill, live_values, rung_value
from sim.game.turn import DeferredVerdicts, take_turn
from sim.model import ACTION_INDEX, MODEL_VERSION
from sim.scenario.schema import Case, Event, Option

RESULT_FORMAT = 1
RUNGS = ("human", "train", "train_dev", "dev", "test")


@dataclass(frozen=True)
class Turn:
    week: float
    choice: str
    verdict: str
    rule: str
    explanation: str
    ladder: dict[str, float | None]  # what the player saw when choosing
    points: int
    analysis: dict | None = None  # the table an error_analysis showed

    def as_json(self) -> dict:
        out = {"week": round(self.week, 2), "choice": self.choice, "verdict": self.verdict, "rule": self.rule,
               "explanation": self.explanation, "ladder": self.ladder}
        if self.analysis is not None:
            out["analysis"] = self.analysis
        return out


class Playthroughs:
    def __init__(self, case: Case, case_hash: str, seeds: Sequence[int]):
        self.case, self.case_hash = case, case_hash
        self.seeds = [int(s) for s in seeds]
        self.engine = Engine(case, self.seeds)
        rows = range(len(self.seeds))
        self.turns: list[list[Turn]] = [[] for _ in rows]
        self.choices: list[list[str]] = [[] for _ in rows]
        self.events_seen: list[list[Event]] = [[] for _ in rows]
        self._later = DeferredVerdicts(case)  # the turns choose(..., defer=True) leaves unjudged, in order...
        self._deferred: list[tuple[int, int, Turn]] = []  # ...and (row, turn index, its record so far) of each

    def ladder(self, i: int) -> dict[str, float | None]:
        vis = self.engine.visible()
        return {rung: rung_value(getattr(vis, rung)[i]) for rung in RUNGS}

    def _check(self, i: int, text: str, pending: int) -> tuple[ParsedChoice, Option | None]:
        """Parse row i's choice and check it can be played now; raises ChoiceError (a sentence)."""
        if self.engine.done[i]:
            raise ChoiceError("the project has ended; start a new game to play again")
        parsed = parse_choice(text, self.case)
        if pending >= 0:
            decision = self.case.decisions[pending]
            ids = ", ".join(o.id for o in decision.options)
            if parsed.action is not None:
                raise ChoiceError(f"decision '{decision.id}' waits for an answer first: `answer ID` with ID one of {ids}")
            option = next((o for o in decision.options if o.id == parsed.option), None)
            if option is None:
                raise ChoiceError(f"decision '{decision.id}' has no option '{parsed.option}' (options: {ids})")
            return parsed, option
        if parsed.action is None:
            raise ChoiceError("no decision is waiting; choose an action")
        if self.engine.must_ship[i] and parsed.action != "ship":
            raise ChoiceError(f"a project allows {MAX_TURNS} choices; ship now")
        if not self.engine.offered[i, ACTION_INDEX[parsed.action]]:
            raise ChoiceError(f"'{parsed.action}' is not on offer in this project now; the menu lists what is")
        return parsed, None

    def choose(self, texts: Sequence[str | None], defer: bool = False) -> list[Turn | ChoiceError | None]:
        """Play one choice per row (None: that row waits). A row whose choice cannot be played gets its
        ChoiceError back and does not move; the others play on.

        `defer`: leave the actions' verdicts for `judge_deferred`, which judges every deferred turn of every
        row in one batch (a re-play knows all its choices up front, and one verdict over forty rows costs
        little more than over one). Those rows get None back instead of their Turn."""
        e, b = self.engine, self.engine.batch
        pending = e.pending
        out: list[Turn | ChoiceError | None] = [None] * b
        parsed: list[ParsedChoice | None] = [None] * b
        action, option = np.full(b, -1), np.full(b, -1)
        category, variety = np.full(b, -1), np.ones(b)
        for i, text in enumerate(texts):
            if text is None:
                continue
            try:
                parsed[i], chosen = self._check(i, text, int(pending[i]))
            except ChoiceError as err:
                out[i] = err
                continue
            if chosen is not None:
                option[i] = self.case.decisions[pending[i]].options.index(chosen)
            else:
                action[i] = ACTION_INDEX[parsed[i].action]
                category[i], variety[i] = parsed[i].category, parsed[i].variety
        moving = [i for i in range(b) if parsed[i] is not None]
        seen = {i: self.ladder(i) for i in moving}
        # An answer's `why` quotes the numbers on screen when it was chosen.
        shown = {i: live_values(e, i) for i in moving if option[i] >= 0}
        weeks, fired_before = e.week.copy(), e.fired.copy()
        turn = take_turn(e, Moves(action, option, category, variety), defer=self._later if defer else None)
        for i in moving:
            analysis = self.analysis_table(i) if parsed[i].action == "error_analysis" else None
            self.choices[i].append(parsed[i].text)
            self.events_seen[i] += [ev for k, ev in enumerate(self.case.events) if e.fired[i, k] and not fired_before[i, k]]
            if defer and turn.acting[i]:  # kept by self._later in row order; its place is filled by judge_deferred
                self._deferred.append((i, len(self.turns[i]), Turn(float(weeks[i]), parsed[i].text, "", "", "",
                                                                   seen[i], 0, analysis)))
                self.turns[i].append(None)
                continue
            v = turn.verdict_of(self.case, i)
            if i in shown:
                v = replace(v, explanation=fill(v.explanation, shown[i]))
            record = Turn(float(weeks[i]), parsed[i].text, v.verdict, v.rule, v.explanation, seen[i],
                          int(turn.points[i]), analysis)
            self.turns[i].append(record)
            out[i] = record
        return out

    def judge_deferred(self) -> None:
        """The verdicts and points of every turn `choose(..., defer=True)` left, judged in one batch, each in the
        view its player had when choosing."""
        judged = self._later.judge()
        for k, (i, at, kept) in enumerate(self._deferred):
            v = judged.judgements[int(judged.action[k])].row(k)
            self.turns[i][at] = replace(kept, verdict=v.verdict, rule=v.rule, explanation=v.explanation,
                                        points=int(judged.points[k]))
        self._deferred = []

    def analysis_table(self, i: int) -> dict | None:
        """Row i's last error analysis: each category's share of dev errors and ceiling, and the mislabelled share."""
        e = self.engine
        if not e.ea_done[i]:
            return None
        dev = float(e.visible().dev[i])
        rows = [{"id": c.id, "label": c.label, "share": float(e.ea_shares[i, k]),
                 "ceiling": round(float(e.ea_shares[i, k]) * dev, 4)} for k, c in enumerate(self.case.categories)]
        mis = float(e.ea_mislabelled[i])
        rows.append({"id": "mislabelled", "label": "Mislabelled", "share": mis, "ceiling": round(mis * dev, 4)})
        vis = e.visible()
        return {"dev": round(dev, 4), "categories": rows, "fresh": bool(vis.ea_fresh[i]), "sample": 100}

    def score(self, i: int, expert_real: float | None = None) -> Score:
        strategy = sum(t.points for t in self.turns[i])
        e = self.engine
        if not e.done[i]:
            return Score(strategy, 0, strategy)
        if expert_real is None:
            expert_real = float(expert_real_world(self.case, self.case_hash, [self.seeds[i]])[0])
        ok = e.constraint_values()[1]
        outcome = int(outcome_points(e.start_real[i], e.real_world[i], expert_real, ok[i], e.shipped[i]))
        return Score(strategy, outcome, strategy + outcome)

    def result(self, i: int, expert_real: float | None = None) -> dict:
        """Row i's result record (docs/design.md, "Results"): what the board stores and anyone can re-play."""
        e = self.engine
        return {
            "format": RESULT_FORMAT,
            "model": MODEL_VERSION,
            "id": result_id(self.case_hash, self.seeds[i], self.choices[i]),
            "case": self.case.id,
            "case_hash": self.case_hash,
            "seed": self.seeds[i],
            "choices": list(self.choices[i]),
            "variant": {path: round(float(v[i]), 6) for path, v in e.variant_values.items()},
            "turns": [t.as_json() for t in self.turns[i]],
            "final": {
                "ladder": self.ladder(i),
                "real_world_error": rung_value(e.real_world[i]),
                # Without the reading's noise: what the coherence check compares (`--then expert` plays both sides).
                "real_world_error_noise_free": rung_value(e.real_true[i]),
                "weeks_used": round(float(e.week[i]), 2),
                "constraints_met": bool(e.constraint_values()[1][i]),
                "shipped": bool(e.shipped[i]),
                "over_budget": bool(e.over_budget[i]),
            },
            "score": self.score(i, expert_real).as_json(),
        }


def result_id(case_hash: str, seed: int, choices: list[str]) -> str:
    import hashlib
    import json

    payload = json.dumps([case_hash, seed, choices], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def replay_many(case: Case, case_hash: str, games: Sequence[tuple[int, Sequence[str]]],
                expert_real: Sequence[float | None] | None = None) -> list[dict | ChoiceError]:
    """Re-play many (seed, choices) of one case in lockstep: each a finished result record, or the
    ChoiceError that stopped it (a game whose choices end before it does gets one too).

    `expert_real`: the expert's real-world error on each game's seed when the caller already has it (the
    workshop keeps it from when the ticket was issued); None entries, or none given, are played here."""
    runs = Playthroughs(case, case_hash, [seed for seed, _ in games])
    failed: dict[int, ChoiceError] = {}
    longest = max((len(choices) for _, choices in games), default=0)
    for t in range(longest):
        texts = [choices[t] if t < len(choices) and i not in failed else None for i, (_, choices) in enumerate(games)]
        for i, outcome in enumerate(runs.choose(texts, defer=True)):
            if isinstance(outcome, ChoiceError):
                failed[i] = outcome
    runs.judge_deferred()
    given = list(expert_real) if expert_real is not None else [None] * len(games)
    missing = [runs.seeds[i] for i, value in enumerate(given) if value is None]
    played = iter(expert_real_world(case, case_hash, missing)) if missing else iter(())
    experts = [value if value is not None else float(next(played)) for value in given]
    out: list[dict | ChoiceError] = []
    for i in range(len(games)):
        if i in failed:
            out.append(failed[i])
        elif not runs.engine.done[i]:
            out.append(ChoiceError("the choices end before the project does; a result must end with `ship`"))
        else:
            out.append(runs.result(i, float(experts[i])))
    return out
