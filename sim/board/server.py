"""The workshop server: learners get a ticket, play its seed, POST the result; it re-plays each one and ranks it.

Routes (docs/workshop.md has the trainer's view):
  POST /api/tickets          {"code", "name", "case", "learner"?} -> 201 ticket | 200 the same ticket again
  POST /api/results          {"code", "name", "ticket", "result"} -> 201 entry | 200 already stored | 409 | 422 ...
  GET  /api/leaderboard      ?case=ID -> {"entries": [...], "frozen_at": ISO|null}  (ETag; public, respects the freeze)
  GET  /                     the projector page (?case=ID for one case, ?advance=S to turn pages every S s)
  GET  /healthz              the pool, the queue and the store, as JSON
  GET  /export.csv           every entry, hidden ones marked     (admin token, or a signed link)
  POST /api/admin/freeze     {"at": "now" | ISO time | null}        (admin token)
  POST /api/admin/hide       {"id": entry id, "hidden": true|false} (admin token)
  POST /api/admin/export-link  -> {"url", "expires_at"}: a CSV link a browser can open for 10 minutes
  GET  /room                 the room's debrief for the projector (a signed link, or public once frozen if allowed)
  POST /api/admin/room-link  -> {"url", "expires_at"}: a /room link for 10 minutes
  POST /api/admin/room-public {"public": true|false}: /room open to all once the board is frozen (admin token)
A server serves one room, or every room of its board (`--all-rooms`): then each public page and
/api/leaderboard take the room's `?code=`, learners' POSTs carry it as now, and an admin token names its
room. Admin requests carry the token as `Authorization: Bearer TOKEN`, never in the URL. Every POST is JSON
(Content-Type: application/json) from no page or from this server's own origin; there is no CORS.

Policy lives here (who may submit what, limits, seeds); rows live in the Store, which every call reaches
through a thread (`StoreGate`), so a slow or locked board file never stops the event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import json
import logging
import math
import secrets
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from aiohttp import web

from sim import fmt
from sim.board import tickets
from sim.board.export import entries_csv
from sim.board.names import clean_name, skeleton, suffixed
from sim.board.pool import QueueFull, Replayer, Verifier
from sim.board.store import Deleted, Entry, Room, Store, StoreUnavailable, Ticket, TicketUsed, whole_number
from sim.board.verify import ResultRejected, Verified, check_record, find_case_by_id
from sim.board.yardstick import Yardsticks

NAME_EXPIRY_EVERY_S = 3600
MAX_BODY = 256 * 1024  # a finished game's record is ~20 KB; anything far larger is not one
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from a projector
ROOM_ID = "main"  # the room `mlsim workshop serve` makes in a board file when no --room is named

HEADER_TIMEOUT_S = 10.0  # a request's headers must arrive within this (also how long an idle connection lives)
BODY_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 1000  # and never more than the open-file limit leaves room for
LEARNER_RATE = 10  # submissions (and ticket requests) per minute per learner: (address, ticket) or (address, name)
ROOM_RATE = 2000  # per minute for the whole room: a room behind one address still gets through
RATE_WINDOW_S = 60
GET_RATE_PER_S, GET_BURST = 50.0, 200  # per address, per server process (a flood of GETs is a per-process load)
CACHE_TTL_S = 1.0  # another process's writes show on this one's pages within this
MAX_CACHED_BOARDS = 64
ROOM_TTL_S = 1.0  # and its room settings (a freeze) too
MAX_CACHED_ROOMS = 4096
LINK_LIFETIME_S = 600
ROOM_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")  # the debrief page: inline styles and SVG, no script at all
MAX_SUFFIX = 99
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

RETRY_AFTER_S = {"locked": 2, "full": 10, "read-only": 10, "io": 10, "damaged": 30}
REMEDY = {"locked": "it goes on by itself once the program holding the lock lets go of it",
          "full": "free some disk space and it goes on by itself",
          "read-only": "make the file writable again (or restart with another --db)",
          "io": "check the disk",
          "damaged": "stop the server and start a new board with another --db (the CSV export keeps the entries)"}


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code) -> str:
    """A join code as typed, in capitals (ASCII only: "ß".upper() is "SS", and no code holds anything else)."""
    if not isinstance(code, (str, int)) or isinstance(code, bool):
        return ""
    code = str(code).strip(" \t\r\n")
    return code.upper() if code.isascii() else ""


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Refused(Exception):
    """A request answered with `status` and one sentence (and maybe a Retry-After)."""

    def __init__(self, status: int, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


class StoreGate:
    """Every store call in a thread: reads on a few, writes on one (they are serial anyway).

    While the board file cannot be written (locked by another program, disk full, read-only) writes fail
    fast for a moment instead of each waiting, clients get 503 with Retry-After, and the console gets one
    sentence when the trouble starts and one when it ends.
    """

    def __init__(self, store: Store, say: Callable[[str], None], readers: int = 3):
        self.store, self.say = store, say
        self.readers = ThreadPoolExecutor(readers, thread_name_prefix="mlsim-store-read")
        self.writer = ThreadPoolExecutor(1, thread_name_prefix="mlsim-store-write")
        self.trouble: StoreUnavailable | None = None
        self.since: float | None = None
        self.fail_until = 0.0

    async def read(self, fn, *args):
        return await self._call(self.readers, fn, args, write=False)

    async def write(self, fn, *args):
        self._fail_fast()
        return await self._call(self.writer, fn, args, write=True)

    def _fail_fast(self) -> None:
        if self.trouble is not None and time.monotonic() < self.fail_until:
            raise self.trouble

    async def _call(self, pool, fn, args, write: bool):
        def guarded():
            if write:
                self._fail_fast()  # queued behind a write that found the file locked: do not wait again
            return fn(*args)

        try:
            value = await asyncio.get_running_loop().run_in_executor(pool, guarded)
        except StoreUnavailable as err:
            self._failed(err)
            raise
        if write and self.trouble is not None:
            self.say(f"The board file can be written again; submissions go through "
                     f"(it could not be written for {fmt.seconds(time.monotonic() - self.since)}).")
            self.trouble, self.since = None, None
        return value

    def _failed(self, err: StoreUnavailable) -> None:
        now = time.monotonic()
        if self.trouble is None or self.trouble.reason != err.reason:
            self.say(f"The board cannot be written now: {err}. Submissions get 503 and wait in the learners' "
                     f"outboxes, nothing is lost; {REMEDY.get(err.reason, 'check the board file')}.")
            self.since = self.since or now
        self.trouble = err
        self.fail_until = now + min(RETRY_AFTER_S.get(err.reason, 2), 2)

    def health(self) -> dict:
        if self.trouble is None:
            return {"state": "ok"}
        return {"state": self.trouble.reason, "message": str(self.trouble),
                "for_s": round(time.monotonic() - (self.since or time.monotonic()), 1)}

    def close(self) -> None:
        self.readers.shutdown(wait=False, cancel_futures=True)
        self.writer.shutdown(wait=True, cancel_futures=True)


class GetLimiter:
    """A token bucket per client address for GETs (pages, leaderboard, health), in this process."""

    def __init__(self, per_second: float = GET_RATE_PER_S, burst: int = GET_BURST, max_clients: int = 10_000):
        self.rate, self.burst, self.max_clients = per_second, float(burst), max_clients
        self.buckets: dict[str, tuple[float, float]] = {}

    def wait(self, client: str) -> float:
        """0 when allowed (a token is taken), else the seconds to wait."""
        if self.rate <= 0:
            return 0.0
        now = time.monotonic()
        tokens, last = self.buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1
        self.buckets[client] = (tokens - 1 if allowed else tokens, now)  # re-inserted: the dict stays oldest-first
        if len(self.buckets) > self.max_clients:
            self.buckets.pop(next(iter(self.buckets)))
        return 0.0 if allowed else (1 - tokens) / self.rate


@dataclass
class Limits:
    learner_per_minute: int = LEARNER_RATE  # 0: no limit
    room_per_minute: int = ROOM_RATE
    get_per_second: float = GET_RATE_PER_S
    queue: int = 2000
    connections: int = MAX_CONNECTIONS


@dataclass
class Workshop:
    store: Store
    gate: StoreGate
    room_id: str | None  # None: every room of the store, each reached by its join code and admin token
    verifier: Verifier
    limits: Limits
    say: Callable[[str], None]
    secret: str = ""
    page_seconds: int = 12
    room_cache: dict[str, tuple[float, Room]] = field(default_factory=dict)  # "id:…", "code:…", "token:…" -> room
    base_url: str = ""  # http://host:port, as learners reach it
    board_cache: dict[str, tuple[float, str, bytes]] = field(default_factory=dict)  # query -> (at, etag, body)
    inflight: dict[str, asyncio.Future] = field(default_factory=dict)
    get_limiter: GetLimiter = field(default_factory=GetLimiter)
    connections: int = 0
    yardsticks: Yardsticks | None = None
    play: object | None = None  # sim.tui.browser_play.BrowserPlay with --play

    @property
    def every_room(self) -> bool:
        return self.room_id is None

    async def _lookup(self, key: str, fetch: Callable[[], Room | None], fresh: bool = False) -> Room | None:
        """A room from the store, kept ROOM_TTL_S (a freeze by another process shows within it). Only rooms
        found are kept: a stranger's guesses at codes and tokens cannot fill the memory."""
        kept = self.room_cache.get(key)
        if not fresh and kept is not None and time.monotonic() - kept[0] < ROOM_TTL_S:
            return kept[1]
        try:
            room = await self.gate.read(fetch)
        except StoreUnavailable:
            if kept is None:
                raise
            return kept[1]  # settings a second old beat no answer
        if room is not None:
            if len(self.room_cache) >= MAX_CACHED_ROOMS:
                self.room_cache.clear()
            self.room_cache[key] = (time.monotonic(), room)
        return room

    async def room(self, fresh: bool = False) -> Room:
        """The one room this server serves (not with every_room)."""
        room = await self._lookup(f"id:{self.room_id}", lambda: self.store.room(self.room_id), fresh)
        if room is None:
            raise Refused(503, "this workshop's room is gone from the board file; the trainer restarts the server")
        return room

    async def room_with_id(self, room_id: str) -> Room | None:
        if not self.every_room:
            room = await self.room()
            return room if room.id == room_id else None
        return await self._lookup(f"id:{room_id}", lambda: self.store.room(room_id))

    async def room_for_code(self, code) -> Room:
        """The room whose join code the learner sent (refused with a sentence when there is none)."""
        wrong = Refused(403, "wrong join code; copy the workshop URL from the projector again")
        code = normalise_code(code)
        if not self.every_room:
            room = await self.room()
            if not secrets.compare_digest(code.encode(), room.code.encode()):
                raise wrong
            return room
        room = await self._lookup(f"code:{code}", lambda: self.store.room_by_code(code)) if code else None
        if room is None:
            raise wrong
        return room

    async def room_for_token(self, token: str) -> Room | None:
        """The room this admin token is for, or None."""
        if not token:
            return None
        if not self.every_room:
            room = await self.room()
            return room if secrets.compare_digest(token.encode(), room.admin_token.encode()) else None
        return await self._lookup(f"token:{token}", lambda: self.store.room_by_token(token))

    def join_url_of(self, room: Room) -> str:
        return f"{self.base_url}/?code={room.code}"

    async def room_of_page(self, request: web.Request) -> Room:
        """The room a public page or its data is for: `?code=` names it (with one room served, the page is that
        room's whatever the code: the projector's URL is the join URL, and an old one still shows the board)."""
        code = request.query.get("code", "")
        if not self.every_room:
            return await self.room()
        if not code:
            raise Refused(404, "this server holds several workshop rooms: add your room's join code to the address, "
                               "as in /?code=BIRDS7")
        return await self.room_for_code(code)

    def changed(self) -> None:
        """This process wrote: drop what it serves from memory (other processes' writes show within the TTL)."""
        self.board_cache.clear()
        self.room_cache.clear()


WORKSHOP = web.AppKey("workshop", Workshop)


def _json_error(status: int, message: str, retry_after: int | None = None) -> web.Response:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return web.json_response({"error": message}, status=status, headers=headers)


def _client(request: web.Request) -> str:
    return request.remote or "?"


# ---- middlewares -----------------------------------------------------------------------------
@web.middleware
async def guard(request: web.Request, handler):
    """Cross-site and greedy requests are refused before any work; store trouble becomes a 503 sentence."""
    workshop = request.app[WORKSHOP]
    try:
        if request.method == "POST":
            if "token" in request.query:
                raise Refused(403, "the admin token goes in an `Authorization: Bearer TOKEN` header, never in the "
                                   "URL (URLs end up in browser histories and logs)")
            if request.content_type != "application/json":
                raise Refused(415, "send the body as JSON, with the header Content-Type: application/json")
            origin = request.headers.get("Origin")
            if origin is not None and origin != f"{request.scheme}://{request.host}":
                raise Refused(403, f"requests from pages of other sites ({origin[:80]}) are refused; "
                                   "submit from mlsim or from this server's own pages")
        elif request.method in ("GET", "HEAD") and not request.path.startswith("/play-static/"):
            wait = workshop.get_limiter.wait(_client(request))
            if wait:
                raise Refused(429, "too many requests from this address; slow down",
                              retry_after=max(1, math.ceil(wait)))
        return await handler(request)
    except Refused as err:
        return _json_error(err.status, str(err), err.retry_after)
    except Deleted as err:
        return _json_error(410, f"{err}; ask the trainer for the room's new join code")
    except StoreUnavailable as err:
        return _json_error(503, f"the board cannot store anything right now ({err.reason}); your result waits in "
                                "your outbox and goes through later", RETRY_AFTER_S.get(err.reason, 5))


async def _body(request: web.Request, fields: str) -> dict:
    try:
        async with asyncio.timeout(BODY_TIMEOUT_S):
            raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise Refused(413, f"the request is larger than {MAX_BODY // 1024} KB; send one result record") from None
    except TimeoutError:
        raise Refused(408, f"the request's body did not arrive within {fmt.seconds(BODY_TIMEOUT_S)}") from None
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested absurdly deep
        raise Refused(400, f"the body is not JSON; send {fields}") from None
    if not isinstance(body, dict):
        raise Refused(400, f"the body is not a JSON object; send {fields}")
    return body


async def _room_for_code(workshop: Workshop, body: dict) -> Room:
    return await workshop.room_for_code(body.get("code"))


async def _rate(workshop: Workshop, learner_key: str, room: Room, what: str) -> None:
    limits = workshop.limits
    counts = await workshop.gate.write(workshop.store.hits, [learner_key, f"{what}:{room.id}"], RATE_WINDOW_S,
                                       time.time())
    retry = max(1, math.ceil(RATE_WINDOW_S - time.time() % RATE_WINDOW_S))
    if limits.learner_per_minute and counts[0] > limits.learner_per_minute:
        raise Refused(429, f"too many {what} requests for this learner (at most {limits.learner_per_minute} a "
                           f"minute); try again in {fmt.seconds(retry)}", retry)
    if limits.room_per_minute and counts[1] > limits.room_per_minute:
        raise Refused(429, f"the room sends more than {limits.room_per_minute} {what} requests a minute; try "
                           f"again in {fmt.seconds(retry)}", retry)


# ---- tickets ---------------------------------------------------------------------------------
async def post_ticket(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    body = await _body(request, '{"code", "name", "case"}')
    room = await _room_for_code(workshop, body)
    payload, created = await issue_ticket(workshop, room, body.get("name"), body.get("case"), body.get("learner"),
                                          _client(request))
    return web.json_response(payload, status=201 if created else 200)


async def issue_ticket(workshop: Workshop, room: Room, name, case_id, learner, address: str) -> tuple[dict, bool]:
    """The learner's ticket for a case (the same one again if they asked before): (its JSON, newly issued).
    Raises Refused with the sentence to show. Used by POST /api/tickets and by the browser's join page."""
    name = clean_name(name)
    if not name:
        raise Refused(422, "a name is needed (letters, digits or spaces)")
    if not isinstance(case_id, str) or not 0 < len(case_id) <= 100:
        raise Refused(422, "say which case you play: {\"case\": \"bird-detection\"}")
    found = await asyncio.get_running_loop().run_in_executor(workshop.gate.readers, find_case_by_id, case_id)
    if found is None:
        raise Refused(422, f"this workshop has no case '{case_id[:100]}'; the trainer's `mlsim scenarios` lists "
                           "the ones it has")
    learner = learner if isinstance(learner, str) and len(learner) <= 100 else ""
    asked = skeleton(name)
    await _rate(workshop, f"ticket:{room.id}:{address}:{asked}", room, "ticket")
    candidates = [(name, asked)]
    if room.names == "suffix":
        candidates += [(s, skeleton(s)) for s in (suffixed(name, n) for n in range(2, MAX_SUFFIX + 1))]
    seed = room.room_seed if room.room_seed is not None else secrets.randbelow(2**31)
    issued = await workshop.gate.write(workshop.store.ticket_for, room.id, learner, asked, candidates, case_id, seed,
                                       time.time(), tickets.new_ticket_id())
    if issued is None:
        raise Refused(409, f"the name '{name}' is taken in this room, or looks just like one that is; please add "
                           "an initial or a surname (e.g. 'Ada L.')")
    ticket, created = issued
    if created and workshop.yardsticks is not None:  # the learner plays a minute or more: time to play the expert
        workshop.yardsticks.want(ticket.case, found[1], ticket.seed)
    return {
        "ticket": tickets.sign(ticket, workshop.secret), "case": ticket.case, "seed": ticket.seed,
        "issued_at": iso(ticket.issued_at), "name": ticket.name, "case_hash": found[1],
        "room_seed": room.room_seed is not None, "min_play_seconds": room.min_play_seconds,
    }, created


# ---- results ---------------------------------------------------------------------------------
def _practice_reason(result: dict) -> str | None:
    policy = result.get("policy")
    if isinstance(policy, str) and policy:
        return f"it was played by the {policy[:20]} policy (`--policy`), not by a learner"
    return None


def _not_a_learner(reason: str) -> Refused:
    return Refused(422, f"the result is not a learner's game: {reason}; this workshop ranks learners' games only "
                        "(the trainer can let such games in as practice with --allow-practice)")


async def post_result(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    body = await _body(request, '{"code", "name", "ticket", "result"}')
    room = await _room_for_code(workshop, body)
    name = clean_name(body.get("name"))
    if not name:
        raise Refused(422, "a name is needed (letters, digits or spaces)")
    try:
        ticket = tickets.read(body.get("ticket"), workshop.secret)
    except tickets.TicketError as err:
        raise Refused(422, str(err)) from None
    if ticket.room != room.id:
        raise Refused(422, "the ticket is for another workshop room")
    if ticket.name != name:
        raise Refused(422, f"the ticket was issued to {ticket.name}, not to {name}; each learner sends their own "
                           "result with their own ticket")
    try:
        record = check_record(body.get("result"))
    except ResultRejected as err:
        raise Refused(422, str(err)) from None
    if record["case"] != ticket.case:
        raise Refused(422, f"the result is a game of {record['case']}, but its ticket is for {ticket.case}")
    if record["seed"] != ticket.seed:
        raise Refused(422, f"the result was played on seed {record['seed']}, but its ticket gives seed {ticket.seed}: "
                           "play the seed the ticket gives (`mlsim play CASE --workshop URL` fetches it)")
    store = workshop.store
    existing, known = await workshop.gate.read(lambda: (store.entry_for_ticket(ticket.id), store.ticket(ticket.id)))
    if existing is not None:
        return await _answer_existing(workshop, room, existing, record)
    if known != ticket:
        raise Refused(422, "the ticket is not one this board issued (it is not in the board file: another "
                           "board's, or from before the board was reset); start the game again for a new one")
    elapsed = time.time() - ticket.issued_at
    if elapsed < room.min_play_seconds:
        raise Refused(422, f"the result came {fmt.seconds(elapsed)} after its ticket; this workshop counts games "
                           f"that take at least {fmt.seconds(room.min_play_seconds)} (the trainer's "
                           "--min-play-seconds), so play the case through, then send it")
    reason = _practice_reason(body["result"])
    if reason and not room.allow_practice:
        raise _not_a_learner(reason)
    await _rate(workshop, f"result:{room.id}:{_client(request)}:{ticket.id}", room, "result")
    key = f"{ticket.id}:{record['id']}"
    pending = workshop.inflight.get(key)
    first = pending is None
    if first:  # the same result twice at once: the second waits for the first's answer
        pending = asyncio.ensure_future(_verify_and_store(workshop, room, ticket, name, record, reason))
        workshop.inflight[key] = pending
        pending.add_done_callback(lambda _: workshop.inflight.pop(key, None))
    status, payload = await asyncio.shield(pending)
    if status == 201 and not first:
        status = 200
    headers = {"Retry-After": "2"} if status == 503 else None  # busy: the client's outbox tries again
    return web.json_response(payload, status=status, headers=headers)


async def _answer_existing(workshop: Workshop, room: Room, entry: Entry, record: dict) -> web.Response:
    if entry.result_id == record["id"]:
        return web.json_response(await _as_seen(workshop, room, entry), status=200)
    raise Refused(409, f"this ticket already has a result on the board ({entry.total} points, entry {entry.id}); "
                       "one entry per learner and case")


async def _verify_and_store(workshop: Workshop, room: Room, ticket: Ticket, name: str, record: dict,
                            reason: str | None) -> tuple[int, dict]:
    if workshop.yardsticks is not None:
        try:
            expert = await workshop.yardsticks.find(record["case_hash"], record["seed"])
        except StoreUnavailable:
            expert = None  # the worker plays it: slower, never wrong
        if expert is not None:  # the server's own, kept when the ticket was issued: the worker re-plays one game
            record = {**record, "expert": {"real_world": expert.real_world, "path": list(expert.path)}}
    try:
        outcome = await workshop.verifier.submit(record)
    except QueueFull as err:
        return 503, {"error": f"the server is busy ({err}); your result waits in your outbox and goes through soon"}
    if "unavailable" in outcome:
        return 503, {"error": outcome["unavailable"]}
    if "error" in outcome:
        return 422, {"error": outcome["error"]}
    verified = Verified(**outcome)
    if verified.follows_expert:
        reason = "its choices are the expert policy's on its seed, move for move"
    if reason and not room.allow_practice:
        return 422, {"error": str(_not_a_learner(reason))}
    try:
        entry, created = await workshop.gate.write(workshop.store.add, verified, name, ticket, reason is not None)
    except TicketUsed as err:
        return 409, {"error": f"this ticket already has a result on the board ({err.entry.total} points, entry "
                              f"{err.entry.id}); one entry per learner and case"}
    except Deleted as err:
        return 410, {"error": str(err)}
    except StoreUnavailable as err:
        return 503, {"error": f"the board cannot store anything right now ({err.reason}); your result waits in your "
                              "outbox and goes through later"}
    workshop.changed()
    return (201 if created else 200), await _as_seen(workshop, room, entry)


def shown(entry: Entry) -> dict:
    """An entry as JSON with the game's own rounding for what the page prints."""
    return {**entry.as_json(), "shown": {"real_world_error": fmt.error(entry.real_world_error),
                                         "weeks": fmt.weeks(entry.weeks)}}


async def _as_seen(workshop: Workshop, room: Room, entry: Entry) -> dict:
    """A learner's entry as the room may see it: no rank while the board is frozen (the reveal is the trainer's)."""
    if room.frozen_at is not None:
        return {**shown(entry), "rank": None, "frozen": True}
    return shown(entry)


# ---- pages and the public board --------------------------------------------------------------
def _frozen_text(room: Room) -> str | None:
    return room.frozen_at and room.frozen_at[:19] + "Z"


async def get_leaderboard(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    case = request.query.get("case") or None
    key = f"{normalise_code(request.query.get('code', ''))}|{case or ''}"
    cached = workshop.board_cache.get(key)
    if cached is None or time.monotonic() - cached[0] > CACHE_TTL_S:
        try:
            room = await workshop.room_of_page(request)
            entries = await workshop.gate.read(workshop.store.entries, case, room.frozen_at, False, room.id)
            body = json.dumps({"entries": [shown(e) for e in entries], "frozen_at": _frozen_text(room)},
                              separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            cached = (time.monotonic(), '"' + hashlib.sha256(body).hexdigest()[:32] + '"', body)
            if len(workshop.board_cache) >= MAX_CACHED_BOARDS:  # ?case= is the client's to choose: stay bounded
                workshop.board_cache.clear()
            workshop.board_cache[key] = cached
        except Refused:
            workshop.board_cache.pop(key, None)  # the room is gone (deleted): its board goes with it
            raise
        except StoreUnavailable:
            if cached is None:
                raise
            # the file is busy: yesterday's news, a second old, beats no page
    _, etag, body = cached
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    response = web.Response(body=body, content_type="application/json", headers=headers)
    if len(body) > 4096:
        response.enable_compression()
    return response


async def get_page(request: web.Request) -> web.Response:
    from sim.board.page import render_page

    workshop = request.app[WORKSHOP]
    advance = request.query.get("advance", "")  # /?advance=20: this screen turns pages every 20 s
    asked = whole_number(advance, 6)
    seconds = min(asked, 3600) if asked is not None else workshop.page_seconds
    room = await workshop.room_of_page(request)
    html = render_page(workshop.join_url_of(room), request.query.get("case") or None, seconds,
                       play=workshop.play is not None, code=room.code if workshop.every_room else None)
    return web.Response(text=html, content_type="text/html",
                        headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
                                 "Referrer-Policy": "no-referrer"})


async def get_asset(request: web.Request) -> web.Response:
    from sim.board.page import ASSETS

    content_type, text = ASSETS[request.match_info["asset"]]
    return web.Response(text=text, content_type=content_type,
                        headers={"Cache-Control": "max-age=300", "X-Content-Type-Options": "nosniff"})


async def get_healthz(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    store = workshop.gate.health()
    pool = workshop.verifier.replayer.health()
    return web.json_response({"ok": store["state"] == "ok" and pool["alive"] > 0, "pool": pool,
                              "queue": workshop.verifier.health(), "store": store,
                              "connections": workshop.connections, "experts": workshop.yardsticks.health(),
                              **({"play": workshop.play.health()} if workshop.play is not None else {})})


# ---- the trainer's controls ------------------------------------------------------------------
async def _admin(request: web.Request) -> Room:
    """The room whose admin token the request carries (a token names its room)."""
    workshop = request.app[WORKSHOP]
    if "token" in request.query:
        raise Refused(403, "the admin token goes in an `Authorization: Bearer TOKEN` header, never in the URL")
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    room = await workshop.room_for_token(token)
    if room is None:
        raise Refused(403, "this needs the room's admin token (printed when the server started, or by "
                           "`mlsim workshop room add`), as `Authorization: Bearer TOKEN`")
    return room


async def _signed_room(request: web.Request, purpose: str) -> Room | None:
    """The room of a signed link (`room=ID&expires=…&sig=…`), or None when the link is not valid now."""
    workshop = request.app[WORKSHOP]
    room_id = request.query.get("room", "") if workshop.every_room else workshop.room_id
    room = await workshop.room_with_id(room_id) if room_id else None
    if room is None or not tickets.link_is_valid(workshop.secret, f"{purpose}:{room.id}",
                                                 request.query.get("expires", ""), request.query.get("sig", ""),
                                                 time.time()):
        return None
    return room


def _signed_link(request: web.Request, path: str, purpose: str, room: Room) -> dict:
    workshop = request.app[WORKSHOP]
    expires = int(time.time()) + LINK_LIFETIME_S
    sig = tickets.sign_link(workshop.secret, f"{purpose}:{room.id}", expires)
    return {"url": f"{request.scheme}://{request.host}{path}?room={room.id}&expires={expires}&sig={sig}",
            "expires_at": iso(expires)}


async def get_csv(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    if "sig" in request.query:
        room = await _signed_room(request, "export")
        if room is None:
            raise Refused(403, "this CSV link has expired or is not one this server made; ask for a new one "
                               "(POST /api/admin/export-link)")
    else:
        room = await _admin(request)
    entries = await workshop.gate.read(workshop.store.entries, None, None, True, room.id)
    hidden = await workshop.gate.read(workshop.store.hidden_ids, room.id)
    return web.Response(text=entries_csv(entries, hidden), content_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="workshop.csv"',
                                 "Cache-Control": "no-store"})


async def post_export_link(request: web.Request) -> web.Response:
    return web.json_response(_signed_link(request, "/export.csv", "export", await _admin(request)))


def _room_public_key(room: Room) -> str:
    return f"room_public:{room.id}"


async def get_room(request: web.Request) -> web.Response:
    """The room's debrief (sim.board.report): what the board shows, so a freeze holds here too."""
    from sim.board.debrief import room_debrief
    from sim.board.report import render_html

    workshop = request.app[WORKSHOP]
    if "sig" in request.query:
        room = await _signed_room(request, "room")
        if room is None:
            raise Refused(403, "this debrief link has expired or is not one this server made; ask for a new one "
                               "(POST /api/admin/room-link)")
    else:
        room = await workshop.room_of_page(request)
        public = await workshop.gate.read(workshop.store.setting, _room_public_key(room)) == "1"
        if not (public and room.frozen_at is not None):
            raise Refused(403, "the room's debrief opens with the link the trainer asks for (POST /api/admin/room-link)"
                               ", or for everyone once the board is frozen and the trainer makes it public")
    records = await workshop.gate.read(workshop.store.records, None, room.frozen_at, False, room.id)
    html = await asyncio.to_thread(  # re-plays the experts' games: off the event loop
        lambda: render_html(room_debrief(records), f"The room's debrief ({room.code})", _frozen_text(room)))
    return web.Response(text=html, content_type="text/html",
                        headers={"Content-Security-Policy": ROOM_CSP, "X-Content-Type-Options": "nosniff",
                                 "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"})


async def post_room_link(request: web.Request) -> web.Response:
    return web.json_response(_signed_link(request, "/room", "room", await _admin(request)))


async def post_room_public(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    room = await _admin(request)
    body = await _body(request, '{"public": true}')
    public = body.get("public")
    if not isinstance(public, bool):
        raise Refused(400, "'public' must be true or false (JSON booleans, not strings)")
    await workshop.gate.write(workshop.store.set_setting, _room_public_key(room), "1" if public else None)
    return web.json_response({"public": public, "open_now": public and room.frozen_at is not None})


def parse_time(text: str) -> str:
    """'now' or an ISO 8601 time (naive times are this machine's local time) -> stored UTC form."""
    if text.strip().lower() == "now":
        moment = datetime.now(timezone.utc)
    else:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.astimezone()
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def post_freeze(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    room = await _admin(request)
    body = await _body(request, '{"at": "now" | ISO time | null}')
    at = body.get("at")
    stored = None
    if at is not None:
        try:
            stored = parse_time(str(at))
        except (ValueError, OverflowError):  # OverflowError: a time past year 9999 once made UTC
            raise Refused(400, "'at' must be \"now\", an ISO time like 2026-05-09T15:30, or null to unfreeze") from None
    await workshop.gate.write(workshop.store.set_frozen, room.id, stored)
    workshop.changed()
    return web.json_response({"frozen_at": stored and stored[:19] + "Z"})


async def post_hide(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    room = await _admin(request)
    body = await _body(request, '{"id": ENTRY_ID, "hidden": true}')
    key, hidden = body.get("id"), body.get("hidden", True)
    if isinstance(key, int) and not isinstance(key, bool):
        key = str(key)
    if not isinstance(key, str) or not key:
        raise Refused(400, "'id' must be an entry id (the `id` column of the CSV or /api/leaderboard)")
    if not isinstance(hidden, bool):
        raise Refused(400, "'hidden' must be true or false (JSON booleans, not strings)")
    if not await workshop.gate.write(workshop.store.set_hidden, key, hidden, room.id):
        raise Refused(404, f"no entry of this room has the id '{key[:40]}'")
    workshop.changed()
    return web.json_response({"id": key, "hidden": hidden})


# ---- the application -------------------------------------------------------------------------
async def _expire_names(workshop: Workshop) -> None:
    """Hourly: learners' names past their room's `name_days` go, with their tickets and entries (every process
    does it; the deletion is idempotent)."""
    while True:
        try:
            gone = await workshop.gate.write(workshop.store.expire_names, time.time())
            if gone:
                workshop.say(f"Deleted {fmt.count(gone)} learner name(s) past the room's --name-days, with their "
                             "tickets and results.")
        except StoreUnavailable:
            pass  # the next hour's pass deletes them
        await asyncio.sleep(NAME_EXPIRY_EVERY_S)


def create_app(store: Store, room_id: str | None, replayer: Replayer, limits: Limits | None = None,
               say: Callable[[str], None] | None = None, page_seconds: int = 12,
               play=None) -> web.Application:
    """The aiohttp application for one room of `store` (the room must exist), or for every room (room_id None:
    each reached by its join code and admin token); re-plays run on `replayer`; `play` (a
    sim.tui.browser_play.BrowserPlay, --play) adds the join page and the games in the browser."""
    limits = limits or Limits()
    say = say or (lambda line: print(line, flush=True))
    app = web.Application(client_max_size=MAX_BODY, middlewares=[guard])
    gate = StoreGate(store, say)
    workshop = Workshop(store, gate, room_id, Verifier(replayer, limits.queue), limits, say,
                        page_seconds=page_seconds, get_limiter=GetLimiter(limits.get_per_second))
    from sim.model import MODEL_VERSION

    async def load(model, keys):
        return await gate.read(store.experts, model, keys)

    async def save(model, rows):
        await gate.write(store.put_experts, model, rows)

    workshop.yardsticks = Yardsticks(replayer.experts, load, save, MODEL_VERSION, say)
    app[WORKSHOP] = workshop

    async def lifecycle(app: web.Application):
        from sim.board.tickets import new_secret

        workshop.secret = await gate.write(store.setting_once, "secret", new_secret())
        await replayer.start()
        workshop.verifier.start()
        workshop.yardsticks.start()
        expiry = asyncio.ensure_future(_expire_names(workshop))
        if play is not None:
            play.start()
        yield
        if play is not None:
            await play.stop()  # before the workers: every game process ends with the server
        expiry.cancel()
        await asyncio.gather(expiry, return_exceptions=True)
        await workshop.yardsticks.stop()
        await workshop.verifier.stop()
        await replayer.stop()
        gate.close()

    app.cleanup_ctx.append(lifecycle)
    app.add_routes([
        web.post("/api/tickets", post_ticket),
        web.post("/api/results", post_result),
        web.get("/api/leaderboard", get_leaderboard),
        web.get("/", get_page),
        web.get("/healthz", get_healthz),
        web.get("/static/{asset}", get_asset),
        web.get("/{asset:favicon\\.(?:svg|ico)}", get_asset),
        web.get("/export.csv", get_csv),
        web.post("/api/admin/freeze", post_freeze),
        web.post("/api/admin/hide", post_hide),
        web.post("/api/admin/export-link", post_export_link),
        web.get("/room", get_room),
        web.post("/api/admin/room-link", post_room_link),
        web.post("/api/admin/room-public", post_room_public),
    ])
    if play is not None:
        app.add_routes(play.routes())
        workshop.play = play
    return app


# ---- `mlsim workshop serve` ------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_address() -> str:
    """This machine's address on the local network (no packet is sent; connecting a UDP socket picks a route)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            return s.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def open_file_limit() -> int:
    """Raise this process's open-file limit as far as allowed; the connection cap stays below what is left."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = hard if hard != resource.RLIM_INFINITY else 65536
        if soft != resource.RLIM_INFINITY and soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, 65536), hard))
        return resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, ValueError, OSError):
        return 1024


def cap_connections(workshop: Workshop, server: web.Server, cap: int) -> None:
    """Refuse connections past `cap` at once (503, closed) instead of running out of file descriptors."""
    made, lost = server.connection_made, server.connection_lost
    refused = {"count": 0, "said": 0.0}

    def connection_made(handler, transport):
        if workshop.connections >= cap:
            refused["count"] += 1
            if time.monotonic() - refused["said"] > 60:
                refused["said"] = time.monotonic()
                workshop.say(f"More than {cap} connections at once: refusing new ones with 503 until some close.")
            transport.write(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Length: 0\r\n"
                            b"Connection: close\r\n\r\n")
            transport.close()
            handler._mlsim_refused = True
            return
        workshop.connections += 1
        made(handler, transport)

    def connection_lost(handler, exc=None):
        if getattr(handler, "_mlsim_refused", False):
            return
        workshop.connections -= 1
        lost(handler, exc)

    # aiohttp's Server has no hook for this; these two are what every connection calls on it.
    server.connection_made, server.connection_lost = connection_made, connection_lost


def quiet_loop_errors(loop: asyncio.AbstractEventLoop, say) -> None:
    """Errors the loop reports without a request to blame (out of file descriptors on accept): one line a minute."""
    said: dict[str, float] = {}

    def handler(loop, context):
        message = context.get("message", "event loop error")
        exc = context.get("exception")
        key = f"{message}:{type(exc).__name__}"
        if time.monotonic() - said.get(key, -1e9) > 60:
            said[key] = time.monotonic()
            say(f"Server trouble: {message}{f' ({exc})' if exc else ''}; it goes on (said once a minute).")

    loop.set_exception_handler(handler)


class _OneLine(logging.Handler):
    """aiohttp's own request errors (a request line too long, a broken header) as one line a minute, without
    the traceback it logs: a stranger's malformed request is not the host's problem to read about."""

    def __init__(self, say: Callable[[str], None]):
        super().__init__(logging.ERROR)
        self.say, self.said = say, {}

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        key = type(exc).__name__ if exc else record.getMessage()[:60]
        if time.monotonic() - self.said.get(key, -1e9) > 60:
            self.said[key] = time.monotonic()
            why = f" ({type(exc).__name__})" if exc else ""
            self.say(f"Refused a malformed request: {record.getMessage()}{why}; it goes on (said once a minute).")


def quiet_request_errors(say: Callable[[str], None]) -> None:
    logger = logging.getLogger("aiohttp.server")
    logger.handlers[:] = [_OneLine(say)]
    logger.propagate = False


async def run_server(host: str, port: int, store: Store, room_id: str | None, replayer: Replayer, limits: Limits,
                     say_started, say: Callable[[str], None], page_seconds: int = 12, play=None) -> None:
    loop = asyncio.get_running_loop()
    quiet_loop_errors(loop, say)
    quiet_request_errors(say)
    try:
        import signal

        # An inherited "ignore SIGCHLD" would let the kernel reap dead workers before we learn how they ended.
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    except (AttributeError, ValueError):  # pragma: no cover - no SIGCHLD (Windows) or not the main thread
        pass
    limits.connections = min(limits.connections, max(16, open_file_limit() - 200))
    app = create_app(store, room_id, replayer, limits, say, page_seconds=page_seconds, play=play)
    runner = web.AppRunner(app, access_log=None, keepalive_timeout=HEADER_TIMEOUT_S, handle_signals=False)
    await runner.setup()
    try:
        cap_connections(app[WORKSHOP], runner.server, limits.connections)
        site = web.TCPSite(runner, host, port, backlog=512)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        shown_host = lan_address() if host in {"0.0.0.0", "::", ""} else host
        shown_host = f"[{shown_host}]" if ":" in shown_host else shown_host
        workshop = app[WORKSHOP]
        workshop.base_url = f"http://{shown_host}:{bound}"
        room = None if workshop.every_room else await workshop.room(fresh=True)
        if play is not None:  # the games run here: they reach this server on loopback unless it listens elsewhere only
            local = "127.0.0.1" if host in {"0.0.0.0", "::", ""} or is_loopback(host) else shown_host
            play.server_url, play.default_code = f"http://{local}:{bound}", room.code if room else ""
        say_started(workshop.base_url if room is None else workshop.join_url_of(room), bound)
        stop = asyncio.Event()
        try:
            import signal

            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - platforms without signal handlers
            pass
        await stop.wait()
    finally:
        await runner.cleanup()


def open_store(path):
    """The server's store: PostgreSQL for a postgresql:// URL (hosted, shared by several processes), else a SQLite
    file with short waits for another program's lock (503 and try again beats a frozen room)."""
    if isinstance(path, str) and path.startswith(("postgresql://", "postgres://")):
        from sim.board.postgres_store import PostgresStore

        return PostgresStore(path)
    from sim.board.sqlite_store import SQLiteStore

    return SQLiteStore(path, busy_timeout_s=0.2, retry_budget_s=0.5)


def say_line(line: str) -> None:
    print(line, file=sys.stdout, flush=True)
