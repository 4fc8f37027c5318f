"""Where boards keep everything that must outlive a process: the Store interface and the records it returns.

One interface, two implementations: `sim.board.sqlite_store.SQLiteStore` (a laptop's board file) and
`sim.board.postgres_store.PostgresStore` (a hosted board that many server processes share); the local board
and the workshop server only ever talk to a Store, and tests/board/test_store.py runs the same contract
against both. Results, tickets, names, rooms, rate counters, the expert's yardstick per seed, the signing
secret and the settings all live here, so any number of server processes can serve one board.

What is policy (limits, seeds, who may submit what) is the server's; a Store only keeps and finds rows,
and makes each method atomic.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol, Sequence

from sim.board.verify import Verified


@dataclass(frozen=True)
class Entry:
    """One row of a ranked board. `rank` is None for practice entries (they are shown, never ranked)."""

    id: str
    rank: int | None
    name: str
    case: str
    total: int
    strategy: int
    outcome: int
    real_world_error: float
    weeks: float
    date: str  # UTC, ISO 8601 to the second
    result_id: str
    practice: bool = False

    def as_json(self) -> dict:
        return {"rank": self.rank, "name": self.name, "case": self.case, "total": self.total,
                "strategy": self.strategy, "outcome": self.outcome, "real_world_error": self.real_world_error,
                "weeks": self.weeks, "date": self.date, "result_id": self.result_id, "id": self.id,
                "practice": self.practice}


CSV_HEADER = ("rank", "name", "case", "total", "strategy", "outcome", "real_world_error", "weeks", "date",
              "result_id", "id", "practice")


@dataclass(frozen=True)
class Ticket:
    """A learner's right to one entry: issued by the server for (room, name, case), with the seed to play."""

    id: str
    room: str
    name: str
    case: str
    seed: int
    issued_at: float  # seconds since the epoch (server clock)


NAME_POLICIES = ("suffix", "refuse")


@dataclass(frozen=True)
class Room:
    """One workshop: its join code, the trainer's token, and the rules the trainer chose for it."""

    id: str
    code: str
    admin_token: str
    room_seed: int | None = None  # one seed for everyone (a fair race); None: a seed per learner
    min_play_seconds: float = 60.0
    allow_practice: bool = False
    names: str = "suffix"  # a taken or look-alike name: "suffix" gives "Ada (2)", "refuse" asks for another
    frozen_at: str | None = None  # stored UTC time; the board shows only what came before it
    name_days: float | None = None  # a learner's name, tickets and entries are deleted this long after the name
    #                                 was claimed (hosted rooms: 30 days by default); None: kept


@dataclass(frozen=True)
class RoomSize:
    """How much a room holds (for `mlsim workshop room list`)."""

    names: int
    entries: int


@dataclass(frozen=True)
class ExpertRun:
    """The expert's game on one seed, kept from when a ticket was issued: the outcome score's yardstick (its
    real-world error) and its path (a game that copies it move for move is the bot's)."""

    real_world: float
    path: tuple[str, ...]


class StoreUnavailable(Exception):
    """The store cannot answer now: `reason` is "locked", "full", "read-only", "io" or "damaged".

    str(err) is one sentence for the host's console; clients get 503 and try again later.
    """

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def whole_number(text: str, digits: int = 18) -> int | None:
    """`text` as a whole number if it is at most `digits` ASCII digits, else None (str.isdigit takes "²" and
    other scripts' digits, which int() refuses or reads differently; past 4,300 digits int() refuses too)."""
    if isinstance(text, str) and 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None


class Deleted(LookupError):
    """What a call needed was deleted meanwhile (a room deleted, a name expired); str(err) is one sentence."""


class TicketUsed(Exception):
    """The ticket already has an entry, made from another result (one entry per ticket)."""

    def __init__(self, entry: Entry):
        super().__init__(entry.id)
        self.entry = entry


class Store(Protocol):
    """What a board needs from storage. Ranking: total desc, lower real-world error, fewer weeks, earlier."""

    # ---- results -------------------------------------------------------------------------------
    def add(self, verified: Verified, name: str, ticket: Ticket | None = None,
            practice: bool = False) -> tuple[Entry, bool]:
        """Store a verified result; returns (its entry, whether it is new).

        Without a ticket (a local board) a result id is stored once. With one, the entry is the ticket's:
        the same result again returns it; another result raises TicketUsed.
        """

    def entry(self, entry_id: str) -> Entry | None: ...

    def entry_for_ticket(self, ticket_id: str) -> Entry | None: ...

    def entries(self, case: str | None = None, until: str | None = None, include_hidden: bool = False,
                room: str | None = None) -> list[Entry]:
        """Ranked within each case; `until` (a stored time) leaves out later submissions (a frozen board)."""

    def records(self, case: str | None = None, until: str | None = None, include_hidden: bool = False,
                room: str | None = None) -> list[tuple[Entry, dict]]:
        """The entries of `entries(...)`, each with the re-played result record it was stored from (debriefs)."""

    def set_hidden(self, entry_id: str, hidden: bool, room: str | None = None) -> bool:
        """Hide or show one entry (of `room`, when given: a room's admin reaches only its own); False when there is
        no such entry."""

    def hidden_ids(self, room: str | None = None) -> set[str]: ...

    def count(self, room: str | None = None) -> int: ...

    # ---- settings ------------------------------------------------------------------------------
    def setting(self, key: str) -> str | None: ...

    def set_setting(self, key: str, value: str | None) -> None: ...

    def setting_once(self, key: str, value: str) -> str:
        """The stored value of `key`, storing `value` first if there is none (every process gets the same one)."""

    # ---- rooms ---------------------------------------------------------------------------------
    def room(self, room_id: str) -> Room | None: ...

    def room_by_code(self, code: str) -> Room | None: ...

    def room_by_token(self, token: str) -> Room | None:
        """The room whose admin token this is (tokens are random and unique, so the token names its room)."""

    def rooms(self) -> list[Room]:
        """Every room, by join code."""

    def room_sizes(self) -> dict[str, RoomSize]:
        """Names and entries per room id (rooms holding nothing are left out)."""

    def put_room(self, room: Room) -> None:
        """Create the room or replace its settings (the freeze time is kept unless `room` sets one).

        A join code belongs to one room: raises ValueError when another room has it."""

    def set_frozen(self, room_id: str, at: str | None) -> None: ...

    def delete_room(self, room_id: str) -> RoomSize | None:
        """Delete a room with its learners' names, tickets and entries; what it held, or None if no such room."""

    def expire_names(self, now: float) -> int:
        """Delete each name claimed longer ago than its room's `name_days`, with its tickets and entries (the
        learner's personal data goes once the course is over); how many names went."""

    # ---- names and tickets ---------------------------------------------------------------------
    def ticket_for(self, room: str, learner: str, asked: str, candidates: Sequence[tuple[str, str]], case: str,
                   seed: int, issued_at: float, new_id: str) -> tuple[Ticket, bool] | None:
        """The learner's ticket for `case`, issuing one if needed; None when no candidate name is free.

        `asked` is the skeleton of the name the learner typed; a learner who asked for it before gets the
        name they got then. Otherwise the first of `candidates` (display name, skeleton) whose skeleton is
        not taken in the room becomes theirs. One ticket per (room, name, case): `seed`, `issued_at` and
        `new_id` are used only when it is new. Returns (ticket, whether it is new).
        """

    def ticket(self, ticket_id: str) -> Ticket | None: ...

    # ---- the expert's yardstick ------------------------------------------------------------------
    def put_experts(self, model: int, rows: Sequence[tuple[str, int, ExpertRun]]) -> None:
        """Keep the expert's run per (case hash, seed) for this version of the simulator (first one wins)."""

    def experts(self, model: int, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], ExpertRun]:
        """The kept runs among `keys` (case hash, seed); missing ones are left out."""

    # ---- rate counters -------------------------------------------------------------------------
    def hits(self, keys: Sequence[str], window_s: int, now: float) -> list[int]:
        """Count one hit on each key in the current window of `window_s` seconds; the counts so far."""

    def close(self) -> None: ...


def now_iso() -> str:
    """Submission time: UTC with microseconds, so stored times sort as text."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
