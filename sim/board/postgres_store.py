"""The Store in PostgreSQL (psycopg 3, pooled): the hosted board that any number of server processes share.

The contract is sim.board.store's, the same as the SQLite store's (tests/board/test_store.py runs both).
What differs is how each method stays atomic with many writers at once: every method is one transaction;
unique constraints and `ON CONFLICT` decide races (one entry per ticket, one ticket per name and case, one
claim per look-alike name), counters are `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`, and a learner's
name claim takes a transaction-level advisory lock on the name asked for, so the same learner asking twice
at once (two tabs) gets one name, not "Ada" and "Ada (2)". Serialisation failures and deadlocks are retried;
a database that cannot be reached, or refuses writes, is StoreUnavailable (the server answers 503).
"""

from __future__ import annotations

import json
import random
import time
from typing import Sequence
from urllib.parse import urlsplit

from sim.board.store import (
    Deleted, Entry, ExpertRun, Room, RoomSize, StoreUnavailable, Ticket, TicketUsed, now_iso, whole_number,
)
from sim.board.verify import Verified

POOL_MIN, POOL_MAX = 1, 6  # per server process: its store threads (3 readers, 1 writer) and the commands' calls
CONNECT_TIMEOUT_S = 5
LOCK_ID = 0x6D6C73696D  # "mlsim": the advisory lock that lets one process at a time migrate the schema

# Each migration takes the schema from version i to i+1; never edit one that has shipped, add the next.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE results (
        seq BIGSERIAL PRIMARY KEY,
        result_id TEXT NOT NULL,
        room TEXT,
        ticket TEXT UNIQUE,
        name TEXT NOT NULL,
        case_id TEXT NOT NULL,
        case_hash TEXT NOT NULL,
        seed BIGINT NOT NULL,
        total INTEGER NOT NULL,
        strategy INTEGER NOT NULL,
        outcome INTEGER NOT NULL,
        real_world_error DOUBLE PRECISION NOT NULL,
        weeks DOUBLE PRECISION NOT NULL,
        submitted_at TEXT NOT NULL,
        hidden BOOLEAN NOT NULL DEFAULT FALSE,
        practice BOOLEAN NOT NULL DEFAULT FALSE,
        record TEXT NOT NULL
    );
    CREATE UNIQUE INDEX results_local ON results (result_id) WHERE ticket IS NULL;
    CREATE INDEX results_ranked ON results (room, case_id, practice, total DESC, real_world_error, weeks, seq);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT);
    CREATE TABLE rooms (
        id TEXT PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        admin_token TEXT NOT NULL UNIQUE,
        room_seed BIGINT,
        min_play_seconds DOUBLE PRECISION NOT NULL,
        allow_practice BOOLEAN NOT NULL,
        names TEXT NOT NULL,
        frozen_at TEXT,
        name_days DOUBLE PRECISION
    );
    CREATE TABLE names (
        room TEXT NOT NULL,
        skeleton TEXT NOT NULL,
        display TEXT NOT NULL,
        learner TEXT NOT NULL,
        asked TEXT NOT NULL,
        claimed_at DOUBLE PRECISION NOT NULL,
        PRIMARY KEY (room, skeleton)
    );
    CREATE INDEX names_asked ON names (room, learner, asked);
    CREATE INDEX names_claimed ON names (room, claimed_at);
    CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        room TEXT NOT NULL,
        name TEXT NOT NULL,
        case_id TEXT NOT NULL,
        seed BIGINT NOT NULL,
        issued_at DOUBLE PRECISION NOT NULL,
        UNIQUE (room, name, case_id)
    );
    CREATE TABLE rate_counts (
        key TEXT NOT NULL,
        period BIGINT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (key, period)
    );
    CREATE TABLE experts (
        model INTEGER NOT NULL,
        case_hash TEXT NOT NULL,
        seed BIGINT NOT NULL,
        real_world DOUBLE PRECISION NOT NULL,
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
RETRY_BUDGET_S = 5.0


def is_postgres_url(text: str) -> bool:
    return text.startswith(("postgresql://", "postgres://"))


def describe(url: str) -> str:
    """The database's place without its password, for sentences on a console."""
    parts = urlsplit(url)
    host = parts.hostname or "localhost"
    port = f":{parts.port}" if parts.port else ""
    return f"PostgreSQL {host}{port}{parts.path or '/'}"


class PostgresStore:
    """A Store in a PostgreSQL database (see the module's docstring)."""

    def __init__(self, url: str, pool_max: int = POOL_MAX, retry_budget_s: float = RETRY_BUDGET_S):
        import psycopg
        from psycopg_pool import ConnectionPool

        self.url, self.where, self.retry_budget_s = url, describe(url), retry_budget_s
        self._psycopg = psycopg
        self.pool = ConnectionPool(url, min_size=POOL_MIN, max_size=max(POOL_MIN, pool_max), open=False,
                                   kwargs={"autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S},
                                   name="mlsim-board", timeout=CONNECT_TIMEOUT_S * 2)
        try:
            self.pool.open(wait=True, timeout=CONNECT_TIMEOUT_S * 2)
        except Exception as err:  # noqa: BLE001 - PoolTimeout wraps the real reason, which goes in the sentence
            self.pool.close()
            raise StoreUnavailable("down", f"{self.where} cannot be reached ({_reason(err)})") from None
        self._migrate()

    # ---- plumbing --------------------------------------------------------------------------
    def _unavailable(self, err: Exception) -> StoreUnavailable | None:
        errors = self._psycopg.errors
        if isinstance(err, errors.DiskFull):
            return StoreUnavailable("full", f"the disk holding {self.where} is full")
        if isinstance(err, (errors.ReadOnlySqlTransaction, errors.InsufficientPrivilege)):
            return StoreUnavailable("read-only", f"{self.where} refuses writes ({_reason(err)})")
        if isinstance(err, (self._psycopg.OperationalError, self._psycopg.InterfaceError)) \
                or type(err).__name__ == "PoolTimeout":
            return StoreUnavailable("down", f"{self.where} cannot be reached ({_reason(err)})")
        return None

    def _run(self, fn):
        """fn(cursor) in one transaction on a pooled connection; retried on a serialisation failure, a deadlock
        or a connection lost on the way (the pool hands out a fresh one)."""
        errors = self._psycopg.errors
        deadline = time.monotonic() + self.retry_budget_s
        delay = 0.01
        while True:
            try:
                with self.pool.connection() as conn:
                    with conn.transaction(), conn.cursor() as cur:
                        return fn(cur)
            except (errors.SerializationFailure, errors.DeadlockDetected):
                if time.monotonic() + delay > deadline:
                    raise StoreUnavailable("locked", f"{self.where} is too busy to take this write now") from None
            except (TicketUsed, Deleted, ValueError):
                raise
            except Exception as err:  # noqa: BLE001 - sorted below: the database's state, or a bug (re-raised)
                problem = self._unavailable(err)
                if problem is None:
                    raise
                if problem.reason != "down" or time.monotonic() + delay > deadline:
                    raise problem from err
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def _query(self, sql: str, params=()) -> list[tuple]:
        return self._run(lambda cur: cur.execute(sql, params).fetchall())

    def _migrate(self) -> None:
        def run(cur):
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_ID,))  # two servers starting at once
            cur.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = cur.execute("SELECT version FROM schema_version").fetchone()
            version = row[0] if row else 0
            if version > SCHEMA_VERSION:
                raise StoreUnavailable("damaged", f"{self.where} was written by a newer mlsim (schema {version}); "
                                                  "upgrade mlsim")
            for step in MIGRATIONS[version:]:
                cur.execute(step)
            if row is None:
                cur.execute("INSERT INTO schema_version (version) VALUES (%s)", (SCHEMA_VERSION,))
            else:
                cur.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION,))

        self._run(run)

    @staticmethod
    def _entry(row, rank: int | None) -> Entry:
        seq, rid, name, case_id, total, strategy, outcome, real, weeks, at, practice = row
        return Entry(str(seq), rank, name, case_id, total, strategy, outcome, real, weeks, at[:19] + "Z", rid,
                     bool(practice))

    def _entry_where(self, cur, clause: str, params) -> Entry | None:
        row = cur.execute(f"SELECT {_COLUMNS}, room FROM results WHERE {clause}", params).fetchone()
        if row is None:
            return None
        *fields, room = row
        seq, _rid, _name, case_id, total, _s, _o, real, weeks, _at, practice = fields
        rank = None
        if not practice:  # 1 + the visible, ranked entries of its room and case that come before it
            rank = 1 + cur.execute(
                "SELECT COUNT(*) FROM results WHERE room IS NOT DISTINCT FROM %s AND case_id = %s AND NOT practice "
                "AND NOT hidden AND (total > %s OR (total = %s AND (real_world_error < %s OR (real_world_error = %s "
                "AND (weeks < %s OR (weeks = %s AND seq < %s))))))",
                (room, case_id, total, total, real, real, weeks, weeks, seq)).fetchone()[0]
        return self._entry(fields, rank)

    # ---- results ---------------------------------------------------------------------------
    def add(self, verified: Verified, name: str, ticket: Ticket | None = None,
            practice: bool = False) -> tuple[Entry, bool]:
        v = verified
        record = json.dumps(v.record, separators=(",", ":"))

        def run(cur):
            created = cur.execute(
                "INSERT INTO results (result_id, room, ticket, name, case_id, case_hash, seed, total, strategy, "
                "outcome, real_world_error, weeks, submitted_at, practice, record) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (v.result_id, ticket and ticket.room, ticket and ticket.id, name, v.case, v.case_hash, v.seed,
                 v.total, v.strategy, v.outcome, v.real_world_error, v.weeks, now_iso(), practice,
                 record)).rowcount == 1
            if ticket is None:
                entry = self._entry_where(cur, "result_id = %s AND ticket IS NULL", (v.result_id,))
            else:
                entry = self._entry_where(cur, "ticket = %s", (ticket.id,))
            if entry is None:
                raise Deleted("the room or the learner's name was deleted while the result was being stored")
            return entry, created

        entry, created = self._run(run)
        if ticket is not None and not created and entry.result_id != v.result_id:
            raise TicketUsed(entry)
        return entry, created

    def entry(self, entry_id: str) -> Entry | None:
        seq = whole_number(entry_id)
        return None if seq is None else self._run(lambda cur: self._entry_where(cur, "seq = %s", (seq,)))

    def entry_for_ticket(self, ticket_id: str) -> Entry | None:
        return self._run(lambda cur: self._entry_where(cur, "ticket = %s", (ticket_id,)))

    def entries(self, case: str | None = None, until: str | None = None, include_hidden: bool = False,
                room: str | None = None) -> list[Entry]:
        where, params = [], []
        for clause, value in (("case_id = %s", case), ("submitted_at <= %s", until), ("room = %s", room)):
            if value is not None:
                where.append(clause)
                params.append(value)
        if not include_hidden:
            where.append("NOT hidden")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self._query(f"SELECT {_COLUMNS} FROM results {clause} ORDER BY {_ORDER}", params)
        entries, rank, current = [], 0, None
        for row in rows:
            if row[3] != current:
                rank, current = 0, row[3]
            if not row[10]:
                rank += 1
            entries.append(self._entry(row, None if row[10] else rank))
        return entries

    def set_hidden(self, entry_id: str, hidden: bool, room: str | None = None) -> bool:
        seq = whole_number(entry_id)
        if seq is None:
            return False
        mine, params = ("", ()) if room is None else (" AND room = %s", (room,))
        return self._run(lambda cur: cur.execute(f"UPDATE results SET hidden = %s WHERE seq = %s{mine}",
                                                 (hidden, seq, *params)).rowcount) == 1

    def hidden_ids(self, room: str | None = None) -> set[str]:
        if room is None:
            return {str(r[0]) for r in self._query("SELECT seq FROM results WHERE hidden")}
        return {str(r[0]) for r in self._query("SELECT seq FROM results WHERE hidden AND room = %s", (room,))}

    def count(self, room: str | None = None) -> int:
        if room is None:
            return self._query("SELECT COUNT(*) FROM results")[0][0]
        return self._query("SELECT COUNT(*) FROM results WHERE room = %s", (room,))[0][0]

    # ---- settings --------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM settings WHERE key = %s", (key,))
        return rows[0][0] if rows else None

    def set_setting(self, key: str, value: str | None) -> None:
        if value is None:
            self._run(lambda cur: cur.execute("DELETE FROM settings WHERE key = %s", (key,)))
        else:
            self._run(lambda cur: cur.execute(
                "INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = "
                "excluded.value", (key, value)))

    def setting_once(self, key: str, value: str) -> str:
        def run(cur):
            cur.execute("INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING", (key, value))
            return cur.execute("SELECT value FROM settings WHERE key = %s", (key,)).fetchone()[0]

        return self._run(run)

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
        return self._room_where("id = %s", (room_id,))

    def room_by_code(self, code: str) -> Room | None:
        return self._room_where("code = %s", (code,))

    def room_by_token(self, token: str) -> Room | None:
        return self._room_where("admin_token = %s", (token,))

    def rooms(self) -> list[Room]:
        return [self._room(row) for row in self._query(f"SELECT {_ROOM_COLUMNS} FROM rooms ORDER BY code")]

    def adopt_entries(self, room_id: str) -> int:
        """Nothing to adopt: a PostgreSQL board never held entries without a room (SQLite files from before
        rooms did)."""
        return 0

    def room_sizes(self) -> dict[str, RoomSize]:
        def run(cur):
            names = dict(cur.execute("SELECT room, COUNT(*) FROM names GROUP BY room").fetchall())
            entries = dict(cur.execute("SELECT room, COUNT(*) FROM results WHERE room IS NOT NULL GROUP BY room")
                           .fetchall())
            return names, entries

        names, entries = self._run(run)
        return {room: RoomSize(names.get(room, 0), entries.get(room, 0)) for room in set(names) | set(entries)}

    def put_room(self, room: Room) -> None:
        def run(cur):
            taken = cur.execute("SELECT id FROM rooms WHERE code = %s AND id != %s", (room.code, room.id)).fetchone()
            if taken:
                raise ValueError(f"the join code {room.code} belongs to another room")
            cur.execute(
                f"INSERT INTO rooms ({_ROOM_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) DO UPDATE "
                "SET code = excluded.code, admin_token = excluded.admin_token, room_seed = excluded.room_seed, "
                "min_play_seconds = excluded.min_play_seconds, allow_practice = excluded.allow_practice, "
                "names = excluded.names, frozen_at = COALESCE(excluded.frozen_at, rooms.frozen_at), "
                "name_days = excluded.name_days",
                (room.id, room.code, room.admin_token, room.room_seed, room.min_play_seconds, room.allow_practice,
                 room.names, room.frozen_at, room.name_days))

        try:
            self._run(run)
        except self._psycopg.errors.UniqueViolation:  # the same code taken by a room created at the same moment
            raise ValueError(f"the join code {room.code} belongs to another room") from None

    def set_frozen(self, room_id: str, at: str | None) -> None:
        self._run(lambda cur: cur.execute("UPDATE rooms SET frozen_at = %s WHERE id = %s", (at, room_id)))

    def delete_room(self, room_id: str) -> RoomSize | None:
        def run(cur):
            if cur.execute("SELECT 1 FROM rooms WHERE id = %s FOR UPDATE", (room_id,)).fetchone() is None:
                return None
            entries = cur.execute("DELETE FROM results WHERE room = %s", (room_id,)).rowcount
            cur.execute("DELETE FROM tickets WHERE room = %s", (room_id,))
            names = cur.execute("DELETE FROM names WHERE room = %s", (room_id,)).rowcount
            cur.execute("DELETE FROM rooms WHERE id = %s", (room_id,))
            return RoomSize(names, entries)

        return self._run(run)

    def expire_names(self, now: float) -> int:
        def run(cur):
            cur.execute(
                "CREATE TEMP TABLE expiring ON COMMIT DROP AS SELECT n.room, n.display FROM names n "
                "JOIN rooms r ON r.id = n.room WHERE r.name_days IS NOT NULL AND n.claimed_at < %s - r.name_days * 86400",
                (now,))
            cur.execute("DELETE FROM results USING tickets t, expiring e WHERE results.ticket = t.id "
                        "AND t.room = e.room AND t.name = e.display")
            cur.execute("DELETE FROM tickets USING expiring e WHERE tickets.room = e.room AND tickets.name = e.display")
            return cur.execute("DELETE FROM names USING expiring e WHERE names.room = e.room "
                               "AND names.display = e.display").rowcount

        return self._run(run)

    # ---- names and tickets -----------------------------------------------------------------
    def ticket_for(self, room: str, learner: str, asked: str, candidates: Sequence[tuple[str, str]], case: str,
                   seed: int, issued_at: float, new_id: str) -> tuple[Ticket, bool] | None:
        def run(cur):
            # One claim at a time per name asked in a room: the same learner asking twice at once gets one name.
            cur.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (f"{room}\n{asked}",))
            # The room must still exist, and stay until this commits (room delete takes it FOR UPDATE).
            if cur.execute("SELECT 1 FROM rooms WHERE id = %s FOR SHARE", (room,)).fetchone() is None:
                raise Deleted("this workshop room was deleted")
            row = cur.execute("SELECT display FROM names WHERE room = %s AND learner = %s AND asked = %s",
                              (room, learner, asked)).fetchone()
            if row is not None:
                name = row[0]
            else:
                for display, skeleton in candidates:
                    if cur.execute("INSERT INTO names (room, skeleton, display, learner, asked, claimed_at) "
                                   "VALUES (%s,%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                                   (room, skeleton, display, learner, asked, issued_at)).rowcount:
                        name = display
                        break
                else:
                    return None
            created = cur.execute(f"INSERT INTO tickets ({_TICKET_COLUMNS}) VALUES (%s,%s,%s,%s,%s,%s) "
                                  "ON CONFLICT DO NOTHING", (new_id, room, name, case, seed, issued_at)).rowcount == 1
            found = cur.execute(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE room = %s AND name = %s AND case_id = %s",
                                (room, name, case)).fetchone()
            return Ticket(*found), created

        return self._run(run)

    def ticket(self, ticket_id: str) -> Ticket | None:
        rows = self._query(f"SELECT {_TICKET_COLUMNS} FROM tickets WHERE id = %s", (ticket_id,))
        return Ticket(*rows[0]) if rows else None

    # ---- the expert's yardstick ------------------------------------------------------------
    def put_experts(self, model: int, rows: Sequence[tuple[str, int, ExpertRun]]) -> None:
        if not rows:
            return
        self._run(lambda cur: cur.executemany(
            "INSERT INTO experts (model, case_hash, seed, real_world, path) VALUES (%s,%s,%s,%s,%s) "
            "ON CONFLICT DO NOTHING",
            [(model, case_hash, seed, run.real_world, json.dumps(list(run.path))) for case_hash, seed, run in rows]))

    def experts(self, model: int, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], ExpertRun]:
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        rows = self._query(
            "SELECT e.case_hash, e.seed, e.real_world, e.path FROM experts e "
            "JOIN unnest(%s::text[], %s::bigint[]) AS k(case_hash, seed) ON e.case_hash = k.case_hash "
            "AND e.seed = k.seed WHERE e.model = %s", ([h for h, _ in wanted], [s for _, s in wanted], model))
        return {(h, s): ExpertRun(real, tuple(json.loads(path))) for h, s, real, path in rows}

    # ---- rate counters ---------------------------------------------------------------------
    def hits(self, keys: Sequence[str], window_s: int, now: float) -> list[int]:
        period = int(now // window_s)

        def run(cur):
            if random.random() < 0.01:  # now and then, forget windows that are over
                cur.execute("DELETE FROM rate_counts WHERE period < %s", (period - 1,))
            return [cur.execute("INSERT INTO rate_counts (key, period, count) VALUES (%s, %s, 1) ON CONFLICT "
                                "(key, period) DO UPDATE SET count = rate_counts.count + 1 RETURNING count",
                                (key, period)).fetchone()[0] for key in keys]

        return self._run(run)

    def close(self) -> None:
        self.pool.close()


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    cause = err.__cause__ or err.__context__
    if (not text or "couldn't get a connection" in text[0]) and cause is not None:
        return _reason(cause)
    return text[0][:200] if text else type(err).__name__
