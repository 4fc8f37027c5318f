"""The Store in one SQLite file: WAL, migrations, a connection per thread, bounded waits for other writers.

Several processes may share one file (WAL: readers never wait for the writer). Writes of this process
go one at a time (a lock), so only another process's write lock makes a write wait; how long it waits is
the caller's choice: a learner's local board waits long, the workshop server briefly and then says 503.
The file is private to its owner (0600): it holds the admin token and the signing secret.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Sequence

from sim.board.store import (
    Deleted, Entry, ExpertRun, Room, RoomSize, StoreUnavailable, Ticket, TicketUsed, now_iso, whole_number,
)
from sim.board.verify import Verified

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
    # 2: entries per ticket (two learners' identical games are two entries), rooms, names, tickets, rates.
    """
    CREATE TABLE results_v2 (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        result_id TEXT NOT NULL,
        room TEXT,
        ticket TEXT UNIQUE,
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
        practice INTEGER NOT NULL DEFAULT 0,
        record TEXT NOT NULL
    );
    INSERT INTO results_v2 (seq, result_id, name, case_id, case_hash, seed, total, strategy, outcome,
                            real_world_error, weeks, submitted_at, hidden, record)
        SELECT seq, result_id, name, case_id, case_hash, seed, total, strategy, outcome, real_world_error, weeks,
               submitted_at, hidden, record FROM results;
    DROP TABLE results;
    ALTER TABLE results_v2 RENAME TO results;
    CREATE UNIQUE INDEX results_local ON results (result_id) WHERE ticket IS NULL;
    CREATE INDEX results_ranked ON results (room, case_id, practice, total DESC, real_world_error, weeks, seq);
    CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        admin_token TEXT NOT NULL,
        room_seed INTEGER,
        min_play_seconds REAL NOT NULL,
        allow_practice INTEGER NOT NULL,
        names TEXT NOT NULL,
        frozen_at TEXT
    );
    CREATE TABLE names (
        room TEXT NOT NULL,
        skeleton TEXT NOT NULL,
        display TEXT NOT NULL,
        learner TEXT NOT NULL,
        asked TEXT NOT NULL,
        PRIMARY KEY (room, skeleton)
    );
    CREATE INDEX names_asked ON names (room, learner, asked);
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        name TEXT NOT NULL,
        case_id TEXT NOT NULL,
        seed INTEGER NOT NULL,
        issued_at REAL NOT NULL,
        UNIQUE (room, name, case_id)
    );
    CREATE TABLE rate_counts (
        key TEXT NOT NULL,
        period INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (key, period)
    );
    """,
    # 3: names that expire, the expert's yardstick kept per seed, admin tokens that name their room.
    """
    ALTER TABLE rooms ADD COLUMN name_days REAL;
    ALTER TABLE names ADD COLUMN claimed_at REAL;
    UPDATE names SET claimed_at = COALESCE((SELECT MIN(issued_at) FROM tickets
                                            WHERE tickets.room = names.room AND tickets.name = names.display), 0);
    CREATE INDEX names_claimed ON names (room, claimed_at);
    CREATE UNIQUE INDEX rooms_token ON rooms (admin_token);
    CREATE TABLE experts (
        model INTEGER NOT NULL,
        case_hash TEXT NOT NULL,
        seed INTEGER NOT NULL,
        real_world REAL NOT NULL,
        path TEXT NOT NULL,
        PRIMARY KEY (model, case_hash, seed)
    );
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = ("seq, result_id, name, case_id, total, strategy, outcome, real_world_error, weeks, submitted_at, "
            "practice")
_ORDER = "case_id, practice, total DESC, real_world_error, weeks, seq"
_ROOM_COLUMNS = "id, code, admin_token, room_seed, min_play_seconds, allow_practice, names, frozen_at, name_days"
_TICKET_COLUMNS = "id, room, name, case_id, seed, issued_at"


def _unavailable(path: Path, err: sqlite3.Error) -> StoreUnavailable | None:
    """The condition behind an SQLite error, when it is the file's state and not a bug (None otherwise)."""
    text = str(err).lower()
    if "locked" in text or "busy" in text:
        return StoreUnavailable("locked", f"the board file {path} is locked by another program")
    if "full" in text:
        return StoreUnavailable("full", f"the disk holding the board file {path} is full")
    if "readonly" in text or "read-only" in text:
        return StoreUnavailable("read-only", f"the board file {path} is read-only")
    if "disk i/o" in text or "unable to open" in text:
        return StoreUnavailable("io", f"the board file {path} cannot be written ({err})")
    if isinstance(err, sqlite3.DatabaseError) and ("malformed" in text or "not a database" in text):
        return StoreUnavailable("damaged", f"the board file {path} is damaged ({err})")
    return None


def _private(path: Path) -> None:
    """Owner-only permissions on the board file and the WAL files beside it (SQLite copies the file's mode)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if p.exists() and (p.stat().st_mode & 0o077):
                os.chmod(p, 0o600)
        except OSError:
            pass  # not ours to change (another user's file we can read); opening it says what matters


class SQLiteStore:
    """A Store in one SQLite file (see the module's docstring for the waiting rules)."""

    def __init__(self, path: Path, busy_timeout_s: float = 30.0, retry_budget_s: float = 120.0):
        self.path = Path(path)
        self.busy_timeout_s, self.retry_budget_s = busy_timeout_s, retry_budget_s
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _private(self.path)
        self._local = threading.local()
        self._write_lock = threading.Lock()  # this process's writes one at a time: no busy-waiting on ourselves
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._closed = False
        self._retry(lambda db: db.execute("PRAGMA journal_mode=WAL"))
        self._migrate()
        _private(self.path)

    # ---- plumbing --------------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            db = sqlite3.connect(self.path, timeout=self.busy_timeout_s, isolation_level=None,
                                 check_same_thread=False)
            db.execute("PRAGMA synchronous=NORMAL")  # with WAL: a commit survives a killed process
            self._local.db = db
            with self._connections_lock:
                self._connections.append(db)
        return db

    def _retry(self, fn, write: bool = False):
        deadline = time.monotonic() + self.retry_budget_s
        delay = 0.01
        while True:
            try:
                if write:
                    with self._write_lock:
                        return fn(self._db())
                return fn(self._db())
            except sqlite3.Error as err:
                problem = _unavailable(self.path, err)
                if problem is None:
                    raise
                if problem.reason != "locked" or time.monotonic() + delay > deadline:
                    raise problem from err
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    def _transaction(self, fn):
        """Run fn(db) inside BEGIN IMMEDIATE (the write lock up front, so no upgrade deadlock), retrying when busy."""

        def attempt(db):
            db.execute("BEGIN IMMEDIATE")
            try:
                value = fn(db)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:  # SQLite may already have rolled back (a full disk does)
                    try:
                        db.execute("ROLLBACK")
                    except sqlite3.Error:
                        pass
                raise
            return value

        return self._retry(attempt, write=True)

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
        return self._retry(lambda db: db.execute(sql, params).fetchall())

    @staticmethod
    def _rank(rows: list[tuple]) -> list[Entry]:
        entries, rank, case = [], 0, None
        for seq, rid, name, case_id, total, strategy, outcome, real, weeks, at, practice in rows:
            if case_id != case:
                rank, case = 0, case_id
            if not practice:
                rank += 1
            entries.append(Entry(str(seq), None if practice else rank, name, case_id, total, strategy, outcome, real,
                                 weeks, at[:19] + "Z", rid, bool(practice)))
        return entries

    def _entry_where(self, clause: str, params) -> Entry | None:
        rows = self._query(f"SELECT {_COLUMNS}, room, hidden FROM results WHERE {clause}", params)
        if not rows:
            return None
        *row, room, _hidden = rows[0]
        seq, rid, name, case_id, total, strategy, outcome, real, weeks, at, practice = row
        rank = None
        if not practice:  # 1 + the visible, ranked entries of its room and case that come before it
            rank = 1 + self._query(
                "SELECT COUNT(*) FROM results WHERE room IS ? AND case_id = ? AND practice = 0 AND hidden = 0 AND "
                "(total > ? OR (total = ? AND (real_world_error < ? OR (real_world_error = ? AND "
                "(weeks < ? OR (weeks = ? AND seq < ?))))))",
                (room, case_id, total, total, real, real, weeks, weeks, seq))[0][0]
        return Entry(str(seq), rank, name, case_id, total, strategy, outcome, real, weeks, at[:19] + "Z", rid,
                     bool(practice))

    # ---- results ---------------------------------------------------------------------------
    def add(self, verified: Verified, name: str, ticket: Ticket | None = None,
            practice: bool = False) -> tuple[Entry, bool]:
        v = verified
        record = json.dumps(v.record, separators=(",", ":"))

        def run(db):
            cur = db.execute(
                "INSERT OR IGNORE INTO results (result_id, room, ticket, name, case_id, case_hash, seed, total,"
                " strategy, outcome, real_world_error, weeks, submitted_at, practice, record)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (v.result_id, ticket and ticket.room, ticket and ticket.id, name, v.case, v.case_hash, v.seed,
                 v.total, v.strategy, v.outcome, v.real_world_error, v.weeks, now_iso(), int(practice), record))
            return cur.rowcount == 1

        created = self._transaction(run)
        if ticket is None:
            entry = self._entry_where("result_id = ? AND ticket IS NULL", (v.result_id,))
        else:
            entry = self._entry_where("ticket = ?", (ticket.id,))
        if entry is None:  # rows go only with their room or their name: deleted since (room delete, expiry)
            raise Deleted("the room or the learner's name was deleted while the result was being stored")
        if ticket is not None and not created and entry.result_id != v.result_id:
            raise TicketUsed(entry)
        return entry, created

    def entry(self, entry_id: str) -> Entry | None:
        seq = whole_number(entry_id)
        return None if seq is None else self._entry_where("seq = ?", (seq,))

    def entry_for_ticket(self, ticket_id: str) -> Entry | None:
        return self._entry_where("ticket = ?", (ticket_id,))

    def entries(self, case: str | None = None, until: str | None = None, include_hidden: bool = False,
                room: str | None = None) -> list[Entry]:
        clause, params = self._filter(case, until, include_hidden, room)
        return self._rank(self._query(f"SELECT {_COLUMNS} FROM results {clause} ORDER BY {_ORDER}", params))

    def records(self, case: str | None = None, until: str | None = None, include_hidden: bool = False,
                room: str | None = None) -> list[tuple[Entry, dict]]:
        clause, params = self._filter(case, until, include_hidden, room)
        rows = self._query(f"SELECT {_COLUMNS}, record FROM results {clause} ORDER BY {_ORDER}", params)
        return list(zip(self._rank([row[:-1] for row in rows]), (json.loads(row[-1]) for row in rows)))

    @staticmethod
    def _filter(case, until, include_hidden, room) -> tuple[str, list]:
        where, params = [], []
        for clause, value in (("case_id = ?", case), ("submitted_at <= ?", until), ("room = ?", room)):
            if value is not None:
                where.append(clause)
                params.append(value)
        if not include_hidden:
            where.append("hidden = 0")
        return (f"WHERE {' AND '.join(where)}" if where else ""), params

    def set_hidden(self, entry_id: str, hidden: bool, room: str | None = None) -> bool:
        seq = whole_number(entry_id)
        if seq is None:
            return False
        mine, params = ("", ()) if room is None else (" AND room = ?", (room,))
        return self._transaction(lambda db: db.execute(
            f"UPDATE results SET hidden = ? WHERE seq = ?{mine}", (int(hidden), seq, *params)).rowcount) == 1

    def hidden_ids(self, room: str | None = None) -> set[str]:
        if room is None:
            return {str(r[0]) for r in self._query("SELECT seq FROM results WHERE hidden = 1")}
        return {str(r[0]) for r in self._query("SELECT seq FROM results WHERE hidden = 1 AND room = ?", (room,))}

    def count(self, room: str | None = None) -> int:
        if room is None:
            return self._query("SELECT COUNT(*) FROM results")[0][0]
        return self._query("SELECT COUNT(*) FROM results WHERE room = ?", (room,))[0][0]

    # ---- settings --------------------------------------------------------------------------
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

    def setting_once(self, key: str, value: str) -> str:
        def run(db):
            db.execute("INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)", (key, value))
            return db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()[0]

        return self._transaction(run)

    # ---- rooms -----------------------------------------------------------------------------
    @staticmethod
    def _room(row) -> Room:
        rid, code, token, seed, min_play, practice, names, frozen, name_days = row
        return Room(rid, code, token, seed, float(min_play), bool(practice), names, frozen,
                    None if name_days is None else float(name_days))

    def _room_where(self, clause: str, params) -> Room | None:
        rows = self._query(f"SELECT {_ROOM_COLUMNS} FROM rooms WHERE {clause}", params)
        return self._room(rows[0]) if rows else None

    def room(self, room_id: str) -> Room | None:
        return self._room_where("id = ?", (room_id,))

    def room_by_code(self, code: str) -> Room | None:
        return self._room_where("code = ?", (code,))

    def room_by_token(self, token: str) -> Room | None:
        return self._room_where("admin_token = ?", (token,))

    def rooms(self) -> list[Room]:
        return [self._room(row) for row in self._query(f"SELECT {_ROOM_COLUMNS} FROM rooms ORDER BY code")]

    def room_sizes(self) -> dict[str, RoomSize]:
        names = dict(self._query("SELECT room, COUNT(*) FROM names GROUP BY room"))
        entries = dict(self._query("SELECT room, COUNT(*) FROM results WHERE room IS NOT NULL GROUP BY room"))
        return {room: RoomSize(names.get(room, 0), entries.get(room, 0)) for room in set(names) | set(entries)}

    def put_room(self, room: Room) -> None:
        def run(db):
            taken = db.execute("SELECT id FROM rooms WHERE code = ? AND id != ?", (room.code, room.id)).fetchone()
            if taken:
                raise ValueError(f"the join code {room.code} belongs to another room")
            db.execute(
                f"INSERT INTO rooms ({_ROOM_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
                "code = excluded.code, admin_token = excluded.admin_token, room_seed = excluded.room_seed, "
                "min_play_seconds = excluded.min_play_seconds, allow_practice = excluded.allow_practice, "
                "names = excluded.names, frozen_at = COALESCE(excluded.frozen_at, rooms.frozen_at), "
                "name_days = excluded.name_days",
                (room.id, room.code, room.admin_token, room.room_seed, room.min_play_seconds,
                 int(room.allow_practice), room.names, room.frozen_at, room.name_days))

        self._transaction(run)

    def set_frozen(self, room_id: str, at: str | None) -> None:
        self._transaction(lambda db: db.execute("UPDATE rooms SET frozen_at = ? WHERE id = ?", (at, room_id)))

    def delete_room(self, room_id: str) -> RoomSize | None:
        def run(db):
            if db.execute("SELECT 1 FROM rooms WHERE id = ?", (room_id,)).fetchone() is None:
                return None
            entries = db.execute("DELETE FROM results WHERE room = ?", (room_id,)).rowcount
            db.execute("DELETE FROM tickets WHERE room = ?", (room_id,))
            names = db.execute("DELETE FROM names WHERE room = ?", (room_id,)).rowcount
            db.execute("DELETE FROM rooms WHERE id = ?", (room_id,))
            return RoomSize(names, entries)

        return self._transaction(run)

    def expire_names(self, now: float) -> int:
        expired = ("SELECT n.room, n.display FROM names n JOIN rooms r ON r.id = n.room "
                   "WHERE r.name_days IS NOT NULL AND n.claimed_at < ? - r.name_days * 86400")

        def run(db):
            db.execute(f"CREATE TEMP TABLE IF NOT EXISTS expiring (room TEXT, display TEXT)")
            db.execute("DELETE FROM expiring")
            db.execute(f"INSERT INTO expiring {expired}", (now,))
            db.execute("DELETE FROM results WHERE ticket IN (SELECT t.id FROM tickets t JOIN expiring e "
                       "ON t.room = e.room AND t.name = e.display)")
            db.execute("DELETE FROM tickets WHERE EXISTS (SELECT 1 FROM expiring e WHERE e.room = tickets.room "
                       "AND e.display = tickets.name)")
            gone = db.execute("DELETE FROM names WHERE EXISTS (SELECT 1 FROM expiring e WHERE e.room = names.room "
                              "AND e.display = names.display)").rowcount
            db.execute("DELETE FROM expiring")
            return gone

        return self._transaction(run)

    def adopt_entries(self, room_id: str) -> int:
        """Entries of a board file written before rooms existed become the room's (a one-room board)."""
        return self._transaction(lambda db: db.execute(
            "UPDATE results SET room = ? WHERE room IS NULL", (room_id,)).rowcount)

    # ---- names and tickets -----------------------------------------------------------------
    def ticket_for(self, room: str, learner: str, asked: str, candidates: Sequence[tuple[str, str]], case: str,
                   seed: int, issued_at: float, new_id: str) -> tuple[Ticket, bool] | None:
        def run(db):
            if db.execute("SELECT 1 FROM rooms WHERE id = ?", (room,)).fetchone() is None:
                raise Deleted("this workshop room was deleted")  # checked in the claim's own transaction
            row = db.execute("SELECT display FROM names WHERE room = ? AND learner = ? AND asked = ?",
                             (room, learner, asked)).fetchone()
            if row is not None:
                name = row[0]
            else:
                for display, skeleton in candidates:
                    if db.execute("INSERT OR IGNORE INTO names (room, skeleton, display, learner, asked, claimed_at) "
                                  "VALUES (?,?,?,?,?,?)", (room, skeleton, display, learner, asked,
                                                           issued_at)).rowcount:
                        name = display
                        break
                else:
                    return None
            created = db.execute(f"INSERT OR IGNORE INTO tickets ({_TICKET_COLUMNS}) VALUES (?,?,?,?,?,?)",
                                 (new_id, room, name, case, seed, issued_at)).rowcount == 1
            tid, troom, tname, tcase, tseed, tissued = db.execute(
                f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE room = ? AND name = ? AND case_id = ?",
                (room, name, case)).fetchone()
            return Ticket(tid, troom, tname, tcase, tseed, tissued), created

        return self._transaction(run)

    def ticket(self, ticket_id: str) -> Ticket | None:
        rows = self._query(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = ?", (ticket_id,))
        return Ticket(*rows[0]) if rows else None

    # ---- the expert's yardstick ------------------------------------------------------------
    def put_experts(self, model: int, rows: Sequence[tuple[str, int, ExpertRun]]) -> None:
        if not rows:
            return
        self._transaction(lambda db: db.executemany(
            "INSERT OR IGNORE INTO experts (model, case_hash, seed, real_world, path) VALUES (?,?,?,?,?)",
            [(model, case_hash, seed, run.real_world, json.dumps(list(run.path))) for case_hash, seed, run in rows]))

    def experts(self, model: int, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], ExpertRun]:
        found: dict[tuple[str, int], ExpertRun] = {}
        wanted = sorted(set(keys))
        for start in range(0, len(wanted), 400):  # SQLite allows ~999 parameters a statement
            chunk = wanted[start:start + 400]
            where = " OR ".join("(case_hash = ? AND seed = ?)" for _ in chunk)
            params = [model] + [x for key in chunk for x in key]
            for case_hash, seed, real, path in self._query(
                    f"SELECT case_hash, seed, real_world, path FROM experts WHERE model = ? AND ({where})", params):
                found[(case_hash, seed)] = ExpertRun(real, tuple(json.loads(path)))
        return found

    # ---- rate counters ---------------------------------------------------------------------
    def hits(self, keys: Sequence[str], window_s: int, now: float) -> list[int]:
        period = int(now // window_s)

        def run(db):
            if random.random() < 0.01:  # now and then, forget windows that are over
                db.execute("DELETE FROM rate_counts WHERE period < ?", (period - 1,))
            return [db.execute("INSERT INTO rate_counts (key, period, count) VALUES (?, ?, 1) ON CONFLICT (key, period)"
                               " DO UPDATE SET count = count + 1 RETURNING count", (key, period)).fetchone()[0]
                    for key in keys]

        return self._transaction(run)

    def close(self) -> None:
        self._closed = True
        with self._connections_lock:
            for db in self._connections:
                try:
                    db.close()
                except sqlite3.Error:
                    pass
            self._connections.clear()
