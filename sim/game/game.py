"""One playthrough: the turn loop a player (or a script) drives, its turns, and its result record."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sim.coach.diagnose import Diagnosis, diagnosis_row
from sim.coach.judge import coach_advice
from sim.coach.policy import Picks
from sim.coach.score import Score
from sim.coach.situation import Situation
from sim.game.choices import ChoiceError
from sim.scenario.limits import within
from sim.game.texts import fill, live_values
from sim.game.playthroughs import RESULT_FORMAT, RUNGS, Playthroughs, Turn, rung_value, result_id
from sim.game.runner import policy_named, policy_picks
from sim.model import ACTION_IDS, ACTION_INDEX, ACTIONS, costs
from sim.scenario.schema import Case, Decision, Event

__all__ = ["ActionInfo", "Game", "Turn", "RESULT_FORMAT", "RUNGS", "result_id", "play_policy", "picks_to_choice",
           "EXPERT_READS_EXACTLY"]


@dataclass(frozen=True)
class ActionInfo:
    """An action as the player sees it in the menu."""

    id: str
    family: str
    summary: str
    weeks: float  # including the training run it triggers
    label: str = ""  # the case's own name for it ("" : the id)

    @property
    def name(self) -> str:
        """What the menu calls it."""
        return self.label or self.id


@dataclass(frozen=True)
class Meter:
    """A satisficing metric as the player sees it."""

    label: str
    value: float
    limit: float
    ok: bool
    is_max: bool = True  # the value must stay at or under the limit (False: at or over it)

    @property
    def bound(self) -> str:
        return "max" if self.is_max else "min"


class Game:
    """One playthrough, as a player drives it: a one-row `Playthroughs` with the player's view on top."""

    def __init__(self, case: Case, case_hash: str, seed: int):
        self.case, self.case_hash, self.seed = case, case_hash, int(seed)
        self._runs = Playthroughs(case, case_hash, [self.seed])
        self.engine = self._runs.engine

    @property
    def turns(self) -> list[Turn]:
        return self._runs.turns[0]

    @property
    def choices(self) -> list[str]:
        return self._runs.choices[0]

    @property
    def events_seen(self) -> list[Event]:
        return self._runs.events_seen[0]

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
        return self._runs.ladder(0)

    def diagnosis(self) -> Diagnosis:
        """The ladder's diagnosis; its advice led by what comes before any fix (when something does) and ending
        with the fix the coach's forecast favours (when one is)."""
        s = Situation(self.engine.visible(), self.case)
        diagnosis = diagnosis_row(s.g, 0)
        if self.finished:
            return diagnosis
        first, best = coach_advice(s, 0)
        return replace(diagnosis, advice=[a for a in (first, *diagnosis.advice, best) if a])

    def meters(self) -> list[Meter]:
        """Each satisficing metric against its threshold."""
        values = self.engine.constraint_values()[0][0]
        return [Meter(con.label, float(value), con.limit, bool(within(value, con.limit, con.is_max)), con.is_max)
                for con, value in zip(self.case.constraints, values)]

    def actions(self) -> list[ActionInfo]:
        weeks = self.engine.visible().weeks_needed[0]
        offered = self.engine.offered[0]
        return [ActionInfo(a, ACTIONS[a].family, spec.description or ACTIONS[a].summary, float(weeks[ACTION_INDEX[a]]),
                           spec.label or "")
                for a, spec in self.case.actions.items() if offered[ACTION_INDEX[a]]]

    def error_analysis(self) -> dict | None:
        """The last error analysis: shares and ceilings per category (None before the first)."""
        return self._runs.analysis_table(0)

    def real_world_error(self) -> float | None:
        """The error on the users' data, seen only once the project has ended."""
        return rung_value(self.engine.real_world[0])

    def deployment_gap(self) -> float | None:
        """Real world minus test (the last link of the chain), once both have been seen."""
        real, test = self.real_world_error(), self.ladder()["test"]
        return None if real is None or test is None else round(real - test, 4)

    # ---- playing -----------------------------------------------------------------------------
    def choose(self, text: str) -> Turn:
        """Play one choice; raises ChoiceError (a sentence) when it cannot be played now."""
        outcome = self._runs.choose([text])[0]
        if isinstance(outcome, ChoiceError):
            raise outcome
        return outcome

    def new_events(self, since: int) -> list[Event]:
        return self.events_seen[since:]

    def text(self, template: str) -> str:
        """A case text read now (a prompt, an option, an event), its `{fields}` filled with the numbers on screen."""
        return fill(template, live_values(self.engine, 0))

    def event_week(self, event: Event) -> float:
        """The week the event happens in this game (a surprise event's is drawn per seed)."""
        return float(self.engine.event_weeks[0, self.case.events.index(event)])

    # ---- the result --------------------------------------------------------------------------
    def score(self) -> Score:
        return self._runs.score(0)

    def result(self) -> dict:
        """The result record (docs/design.md, "Results"): what the board stores and anyone can re-play."""
        return self._runs.result(0)


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


# Why a move of the expert's can be judged otherwise than aligned (the debrief and the headless transcript say it).
EXPERT_READS_EXACTLY = ("The expert reads every rung exactly (no sampling noise), so the coach, judging on the "
                        "numbers a player sees, can mark a move of its otherwise.")


def play_policy(game: Game, policy: str, on_turn=None) -> Game:
    """Play a game to the end with the expert or the random policy, choice by choice."""
    chooser = policy_named(policy, game.case, game.engine)
    while not game.finished:
        picks = policy_picks(chooser, game.engine, game.case, Situation(game.engine.visible(), game.case))
        text = picks_to_choice(game, picks)
        if game.engine.must_ship[0] and game.pending_decision is None:
            text = "ship"
        game.choose(text)
        if on_turn is not None:
            on_turn(game)
    return game
