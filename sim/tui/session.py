"""One game being played in the UI: the Game, its replay log (saved after every choice) and its case file.

Headless on purpose (no textual import): the screens ask it for everything they show, and tests drive it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.game import Game, Turn
from sim.game.replay import ReplayLog, SavedGame, replay, resume
from sim.game.saves import new_save_path
from sim.scenario import load_case_file
from sim.scenario.schema import Event


@dataclass(frozen=True)
class Misfit:
    """A saved choice the edited case no longer plays (an answered option renamed, an action removed)."""

    number: int  # 1-based: the player's n-th choice
    choice: str
    reason: str  # the game's sentence for why it does not play


@dataclass
class Session:
    game: Game
    case_path: str
    log: ReplayLog
    name: str | None = None
    workshop: str | None = None  # the room's server, when played with --workshop
    events_shown: int = 0
    saved_result: dict | None = field(default=None)
    misfit: Misfit | None = None  # set by reload when a saved choice no longer plays on the edited case

    @classmethod
    def start(cls, case_path: str, seed: int, name: str | None = None) -> "Session":
        case, digest = load_case_file(case_path)
        return cls.create(case, digest, case_path, seed, name)

    @classmethod
    def create(cls, case, digest: str, case_path: str, seed: int, name: str | None = None,
               workshop: str | None = None) -> "Session":
        """A new game of an already loaded case; its log is on disk before the first choice."""
        game = Game(case, digest, seed)
        log = ReplayLog.start(new_save_path(case.id, seed), game, str(case_path), name, workshop)
        return cls(game, str(case_path), log, name, workshop)

    @classmethod
    def resume(cls, saved: SavedGame) -> "Session":
        """Continue a saved game at its last choice (raises CaseError if its case has changed)."""
        game = resume(saved)
        header = saved.header
        session = cls(game, header.get("case_path") or header["case"], ReplayLog(saved.path), header.get("name"),
                      header.get("workshop"))
        session.events_shown = len(game.events_seen)
        return session

    @classmethod
    def reload(cls, old: "Session", case_path: str) -> "Session":
        """The case file changed (--watch): the same seed and choices on the new case, as far as they still play."""
        case, digest = load_case_file(case_path)
        game = Game(case, digest, old.game.seed)
        misfit = None
        for number, choice in enumerate(old.game.choices, 1):
            try:
                game.choose(choice)
            except ValueError as err:  # the choices before it stand; the player decides whether to restart
                misfit = Misfit(number, choice, str(err))
                game = replay(case, digest, old.game.seed, game.choices)
                break
        log = ReplayLog.start(Path(old.log.path), game, str(case_path), old.name, old.workshop)
        session = cls(game, str(case_path), log, old.name, old.workshop, misfit=misfit)
        session.events_shown = len(game.events_seen)
        return session

    def choose(self, text: str) -> Turn:
        """Play a choice and save it before anything is shown (ChoiceError propagates unsaved)."""
        turn = self.game.choose(text)
        self.log.append(turn.choice)
        if self.game.finished:
            self.saved_result = self.game.result()
            self.log.finish(self.saved_result)
            if self.workshop and self.name:  # in the outbox before anything is shown; the debrief sends it
                from sim.board.client import queue

                queue(self.workshop, self.name, self.saved_result)
        return turn

    def result(self) -> dict:
        return self.saved_result if self.saved_result is not None else self.game.result()

    def unseen_events(self) -> list[Event]:
        events = self.game.new_events(self.events_shown)
        self.events_shown = len(self.game.events_seen)
        return events
