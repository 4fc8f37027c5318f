"""Where boards keep results: the Store interface and its SQLite implementation (WAL, migrations, retries).

The interface is small on purpose so a PostgreSQL store (one hosted board for many workshops) can
implement the same methods; the local board and the workshop server only ever talk to a Store.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from sim.board.verify import Verified

BUSY_TIMEOUT_S = 30.0  # sqlite waits this long for another writer before raising "database is locked"
RETRY_BUDGET_S = 120.0  # and we retry the whole transaction until this much time has passed


@dataclass(frozen=True)
class Entry:
    """One row of a ranked board."""

    rank: int
    name: str
    case: str
    total: int
    strategy: int
    outcome: int
    real_world_error: float
    weeks: float
    date: str  # UTC, ISO 8601 to the second
    result_id: str

    def as_json(self) -> dict:
        return {"rank": self.rank, "name": self.name, "case": self.case, "total": self.total,
                "strategy": self.strategy, "outcome": self.outcome, "real_world_error": self.real_world_error,
                "weeks": self.weeks, "date": self.date, "result_id": self.result_id}


CSV_HEADER = ("rank", "name", "case", "total", "strategy", "outcome", "real_world_error", "weeks", "date", "result_id")


class Store(Protocol):
    """What a board needs from storage. Ranking: total desc, lower real-world error, fewer weeks, earlier."""

    def add(self, verified: Verified, name: str) -> tuple[Entry, bool]:
        """Store a verified result unless its id is already stored; returns (its entry, whether it was new)."""

    def entry(self, result_id: str) -> Entry | None: ...

    def entries(self, case: str | None = None, until: str | None = None, include_hidden: bool = False) -> list[Entry]:
        """Ranked within each case; `until` (an ISO time) leaves out later submissions (a frozen board)."""

    def set_hidden(self, result_id: str, hidden: bool) -> int:
        """Hide or show entries (by result id, or by exact name); returns how many rows changed."""

    def hidden_ids(self) -> set[str]: ...

    def setting(self, key: str) -> str | None: ...

    def set_setting(self, key: str, value: str | None) -> None: ...

    def close(self) -> None: ...


def now_iso() -> str:
    """Submission time: UTC with microseconds, so stored times sort as text."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# Each migration takes the schema from version i to i+1; never edit one that has shipped, add the next.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE results (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        result_id TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        case_id TEXT NOT NULL,
        case_hash TEXT NOT NULL,
        seed INTEGER NOT NULL,
        total INTEGER NOT NULL,
        strategy INTEGER NOT NULL,
        outcome INTEGER NOT NULL,
        real_world_error REAL NOT NULL,
        weeks REAL NOT NULL,
        submitted_at TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0,
        record TEXT NOT NULL
    );
    CREATE INDEX results_ranked ON results (case_id, total DESC, real_world_error, weeks, seq);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = "seq, result_id, name, case_id, total, strategy, outcome, real_world_error, weeks, submitted_at"
_ORDER = "case_id, total DESC, real_world_error, weeks, seq"


def _is_busy(err: sqlite3.OperationalError) -> bool:
    text = str(err).lower()
    return "locked" in text or "busy" in text


class SQLiteStore:
    """A Store in one SQLite file. Safe for several processes at once: WAL, a busy timeout and bounded retries."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one connection, possibly used from a UI worker thread
        self._db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        self._retry(lambda: self._db.execute("PRAGMA journal_mode=WAL"))
        self._db.execute("PRAGMA synchronous=NORMAL")  # with WAL: a commit survives a killed process
        self._migrate()

    # ---- plumbing --------------------------------------------------------------------------
    def _retry(self, fn):
        deadline = time.monotonic() + RETRY_BUDGET_S
        delay = 0.01
        while True:
            try:
                with self._lock:
                    return fn()
            except sqlite3.OperationalError as err:
                if not _is_busy(err) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _transaction(self, fn):
        """Run fn(db) inside BEGIN IMMEDIATE (the write lock up front, so no upgrade deadlock), retrying when busy."""

        def attempt():
            self._db.execute("BEGIN IMMEDIATE")
            try:
                value = fn(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
            return value

        return self._retry(attempt)

    def _migrate(self) -> None:
        def run(db):
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"{self.path} was written by a newer mlsim (schema {version}); upgrade mlsim")
            for step in MIGRATIONS[version:]:
                for statement in filter(str.strip, step.split(";")):
                    db.execute(statement)
            if row is None:
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))
            else:
                db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION,))

        self._transaction(run)

    def _query(self, sql: str, params=()) -> list[tuple]:
        return self._retry(lambda: self._db.execute(sql, params).fetchall())

    @staticmethod
    def _rank(rows: list[tuple]) -> list[Entry]:
        entries, rank, case = [], 0, None
        for seq, rid, name, case_id, total, strategy, outcome, real, weeks, at in rows:
            rank = rank + 1 if case_id == case else 1
            case = case_id
            entries.append(Entry(rank, name, case_id, total, strategy, outcome, real, weeks, at[:19] + "Z", rid))
        return entries

    # ---- the Store interface ---------------------------------------------------------------
    def add(self, verified: Verified, name: str) -> tuple[Entry, bool]:
        v = verified

        def run(db):
            cur = db.execute(
                "INSERT OR IGNORE INTO results (result_id, name, case_id, case_hash, seed, total, strategy, outcome,"
                " real_world_error, weeks, submitted_at, record) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (v.result_id, name, v.case, v.case_hash, v.seed, v.total, v.strategy, v.outcome, v.real_world_error,
                 v.weeks, now_iso(), json.dumps(v.record, separators=(",", ":"))))
            return cur.rowcount == 1

        created = self._transaction(run)
        entry = self.entry(v.result_id)
        assert entry is not None  # just inserted or already there; rows are never deleted
        return entry, created

    def entry(self, result_id: str) -> Entry | None:
        row = self._query("SELECT case_id FROM results WHERE result_id = ?", (result_id,))
        if not row:
            return None
        return next(e for e in self.entries(row[0][0], include_hidden=True) if e.result_id == result_id)

    def entries(self, case: str | None = None, until: str | None = None, include_hidden: bool = False) -> list[Entry]:
        where, params = [], []
        if case is not None:
            where.append("case_id = ?")
            params.append(case)
        if until is not None:
            where.append("submitted_at <= ?")
            params.append(until)
        if not include_hidden:
            where.append("hidden = 0")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        return self._rank(self._query(f"SELECT {_COLUMNS} FROM results {clause} ORDER BY {_ORDER}", params))

    def set_hidden(self, key: str, hidden: bool) -> int:
        return self._transaction(lambda db: db.execute(
            "UPDATE results SET hidden = ? WHERE result_id = ? OR name = ?", (int(hidden), key, key)).rowcount)

    def hidden_ids(self) -> set[str]:
        return {r[0] for r in self._query("SELECT result_id FROM results WHERE hidden = 1")}

    def count(self) -> int:
        return self._query("SELECT COUNT(*) FROM results")[0][0]

    def setting(self, key: str) -> str | None:
        row = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return row[0][0] if row else None

    def set_setting(self, key: str, value: str | None) -> None:
        if value is None:
            self._transaction(lambda db: db.execute("DELETE FROM settings WHERE key = ?", (key,)))
        else:
            self._transaction(lambda db: db.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value)))

    def close(self) -> None:
        with self._lock:
            self._db.close()
