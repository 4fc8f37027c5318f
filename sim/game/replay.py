"""The replay log: a game's case, seed and choices, appended and flushed after every choice, and re-play."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from sim.game.game import Game
from sim.model import MODEL_VERSION
from sim.scenario import CaseError, Problem, load_case_file, find_case
from sim.scenario.schema import Case

LOG_FORMAT = 1


@dataclass
class ReplayLog:
    """A JSON-lines file: one header line, then one line per choice, each flushed to disk as it is made."""

    path: Path

    @classmethod
    def start(cls, path: Path, game: Game, case_path: str, name: str | None = None,
              workshop: str | None = None) -> "ReplayLog":
        path.parent.mkdir(parents=True, exist_ok=True)
        header = {"format": LOG_FORMAT, "model": MODEL_VERSION, "case": game.case.id, "case_path": case_path, "case_hash": game.case_hash,
                  "seed": game.seed, "name": name, "workshop": workshop}
        # Written aside and moved into place: a kill mid-rewrite (--watch reloads) keeps the old file whole.
        lines = [header] + [{"choice": choice} for choice in game.choices]
        tmp = path.with_name(path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(record, ensure_ascii=False) + "\n" for record in lines)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return cls(path)

    def append(self, choice: str) -> None:
        self._write({"choice": choice})

    def finish(self, result: dict) -> None:
        self._write({"result": result})

    def _write(self, record: dict) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


@dataclass(frozen=True)
class SavedGame:
    path: Path
    header: dict
    choices: list[str]
    finished: bool
    result: dict | None = None  # the result record written when the game ended

    @property
    def model(self) -> int:
        """The version of the error law the game was played under (logs from before versions were kept: 1)."""
        value = self.header.get("model", 1)
        return value if isinstance(value, int) else 1

    @property
    def resumable(self) -> bool:
        """Only the law it was played under can replay its choices to the same state."""
        return self.model == MODEL_VERSION


def read_log(path: Path) -> SavedGame:
    """Read a log, ignoring a torn last line (the process may have been killed mid-write)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines:
        raise CaseError([Problem(str(path), 0, 0, "the saved game is empty")])
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError:
        raise CaseError([Problem(str(path), 1, 1, "the saved game's header is damaged")]) from None
    choices, finished, result = [], False, None
    for line in lines[1:]:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            break
        if "choice" in record:
            choices.append(record["choice"])
        if "result" in record:
            finished = True
            result = record["result"] if isinstance(record["result"], dict) else None
    return SavedGame(Path(path), header, choices, finished, result)


def replay(case: Case, case_hash: str, seed: int, choices: list[str]) -> Game:
    """Re-play choices from the start; the same case, seed and choices always give the same game."""
    game = Game(case, case_hash, seed)
    for choice in choices:
        game.choose(choice)
    return game


def resume(saved: SavedGame) -> Game:
    """Rebuild a saved game at its last choice (the case file must still hash the same)."""
    header = saved.header
    if not saved.resumable:
        raise CaseError([Problem(str(saved.path), 0, 0, f"this game was saved by an older version of the simulator "
                                                        f"(model {saved.model}, now {MODEL_VERSION}); its choices "
                                                        "would lead elsewhere, so it cannot be resumed: start the "
                                                        "case again")])
    case, digest = load_case_file(header.get("case_path") or find_case(header["case"]))
    if digest != header["case_hash"]:
        raise CaseError([Problem(str(saved.path), 0, 0, f"the case '{header['case']}' has changed since this game "
                                                        "was saved, so it cannot be resumed exactly")])
    return replay(case, digest, int(header["seed"]), saved.choices)
