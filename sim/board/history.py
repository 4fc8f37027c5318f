"""The learner's finished games on this machine: the local board's results and the finished replay logs.

A game saved on the board and also in its log counts once (by result id; the board's copy, which was
re-played when it was saved, wins). Damaged files are skipped: a record is a summary, never a reason to stop.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

from sim.game.record import PlayedGame


def learner_games() -> list[PlayedGame]:
    """Every finished game, oldest first."""
    from sim.board.local import LocalBoard, default_path
    from sim.game.saves import finished

    games: dict[str, PlayedGame] = {}
    if default_path().exists():
        try:
            board = LocalBoard.open()
            try:
                for entry, record in board.records():
                    games[record.get("id") or entry.result_id] = PlayedGame(entry.date, record)
            finally:
                board.close()
        except (sqlite3.DatabaseError, OSError):
            pass
    for saved in finished():
        key = saved.result.get("id") or str(saved.path)
        if key not in games:
            when = datetime.fromtimestamp(saved.path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            games[key] = PlayedGame(when, saved.result)
    return sorted(games.values(), key=lambda g: g.when)


def cases_with_hashes() -> list:
    """Every case the learner can play (built-in and their own), loaded, with its content hash; broken ones left out."""
    from sim.scenario import CaseError, list_cases, load_case_file

    out = []
    for ref in list_cases():
        try:
            out.append(load_case_file(ref.path))
        except CaseError:
            continue
    return out


def learner_record():
    """The learner's record over every finished game on this machine, each weak rule with its teaching case."""
    from sim.game.record import learner_record as record

    return record(learner_games(), cases_with_hashes())
