"""The local leaderboard: the player's own results on this machine, re-played before they are stored."""

from __future__ import annotations

from pathlib import Path

from sim.board.names import clean_name
from sim.board.sqlite_store import SQLiteStore
from sim.board.store import Entry, Store
from sim.board.verify import ResultRejected, verify

__all__ = ["Entry", "LocalBoard", "ResultRejected", "default_path"]


def default_path() -> Path:
    from sim.scenario import home

    return home() / "board.sqlite3"


class LocalBoard:
    """Results saved from the debrief or `mlsim play --headless --save NAME`; safe for several processes at once."""

    def __init__(self, store: Store):
        self.store = store

    @classmethod
    def open(cls, path: Path | None = None) -> "LocalBoard":
        return cls(SQLiteStore(path or default_path()))

    def save(self, result: dict, name: str) -> Entry:
        """Re-play the result and store the score computed here (never the one in the record); idempotent by id."""
        clean = clean_name(name)
        if not clean:
            raise ResultRejected("a name is needed for the leaderboard (letters, digits or spaces)")
        entry, _created = self.store.add(verify(result), clean)
        return entry

    def entries(self, case: str | None = None) -> list[Entry]:
        """Ranked within each case (total desc, lower real-world error, fewer weeks, earlier), cases in id order."""
        return self.store.entries(case)

    def records(self) -> list[tuple[Entry, dict]]:
        """Every saved result with its re-played record (the learner's record reads them)."""
        return self.store.records()

    def best_total(self, case: str) -> int | None:
        ranked = self.store.entries(case)
        return ranked[0].total if ranked else None

    def close(self) -> None:
        self.store.close()
