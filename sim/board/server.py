"""The workshop server: learners POST results, it re-plays each one in a worker and ranks what it computed.

Routes (docs/workshop.md has the trainer's view):
  POST /api/results         {"code", "name", "result"} -> 201 entry | 200 entry (already stored) | 403 | 422 | 413 | 429
  GET  /api/leaderboard     ?case=ID -> {"entries": [...], "frozen_at": ISO|null}   (public, respects the freeze)
  GET  /                    the projector page (?case=ID for one case)
  GET  /export.csv          every entry, with a hidden column              (admin token)
  POST /api/admin/freeze    {"at": "now" | ISO time | null}                  (admin token)
  POST /api/admin/hide      {"id": result id or exact name, "hidden": bool}  (admin token)
The admin token goes in `Authorization: Bearer TOKEN` (or `?token=` for the CSV in a browser).
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import math
import os
import secrets
import socket
import time
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timezone

from aiohttp import web

from sim.board.export import entries_csv
from sim.board.names import clean_name
from sim.board.page import render_board
from sim.board.store import SQLiteStore, Store
from sim.board.verify import Verified, verify_chunk, warm_up

MAX_BODY = 256 * 1024  # a finished game's record is ~20 KB; anything far larger is not one
MAX_CHUNK = 64  # records one worker re-plays in one go (in lockstep through the batched engine)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from a projector
DEFAULT_RATE = 30  # submissions per minute per client address (burst of the same size)


def new_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalise_code(code) -> str:
    return str(code).strip().upper() if isinstance(code, (str, int)) else ""


class RateLimiter:
    """A token bucket per client address: `per_minute` submissions a minute, bursts of the same size."""

    def __init__(self, per_minute: int, max_clients: int = 10_000):
        self.capacity = float(per_minute)
        self.refill = per_minute / 60.0
        self.max_clients = max_clients
        self.buckets: dict[str, tuple[float, float]] = {}

    def allow(self, client: str) -> float:
        """0 when allowed (a token is taken), else the seconds to wait."""
        if self.capacity <= 0:
            return 0.0
        now = time.monotonic()
        tokens, last = self.buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.refill)
        if tokens >= 1:
            self.buckets[client] = (tokens - 1, now)
            if len(self.buckets) > self.max_clients:  # forget the oldest client rather than grow without bound
                self.buckets.pop(next(iter(self.buckets)))
            return 0.0
        self.buckets[client] = (tokens, now)
        return (1 - tokens) / self.refill


class Verifier:
    """Queues submissions and re-plays them in an executor, a few at a time, so the event loop never computes."""

    def __init__(self, executor: Executor, workers: int):
        self.executor = executor
        self.workers = max(1, workers)
        self.queue: asyncio.Queue = asyncio.Queue()
        self.tasks: list[asyncio.Task] = []

    def start(self) -> None:
        self.tasks = [asyncio.create_task(self._dispatch()) for _ in range(self.workers)]

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)

    async def verify(self, result: dict) -> dict:
        future = asyncio.get_running_loop().create_future()
        await self.queue.put((result, future))
        return await future

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            chunk = [await self.queue.get()]
            # Share what is waiting among the workers: big chunks under a burst, single records when quiet.
            want = min(MAX_CHUNK, math.ceil((1 + self.queue.qsize()) / self.workers))
            while len(chunk) < want and not self.queue.empty():
                chunk.append(self.queue.get_nowait())
            outcomes = await self._run(loop, [r for r, _ in chunk])
            for (_, future), outcome in zip(chunk, outcomes):
                if not future.done():
                    future.set_result(outcome)

    async def _run(self, loop, results: list[dict]) -> list[dict]:
        """Re-play a chunk; if it fails, each record alone, so one bad record cannot fail the others."""
        try:
            return await loop.run_in_executor(self.executor, verify_chunk, results)
        except BrokenProcessPool as err:
            return [{"unavailable": f"the server could not re-play results ({err}); try again"}] * len(results)
        except Exception as err:  # noqa: BLE001 - the dispatcher must outlive any record
            if len(results) > 1:
                return [(await self._run(loop, [result]))[0] for result in results]
            return [{"error": f"the result could not be re-played ({type(err).__name__})"}]


@dataclass
class Workshop:
    store: Store
    code: str
    admin_token: str
    verifier: Verifier
    limiter: RateLimiter
    join_url: str = ""
    inflight: dict[str, asyncio.Future] = field(default_factory=dict)

    def frozen_at(self) -> str | None:
        return self.store.setting("frozen_at")


WORKSHOP = web.AppKey("workshop", Workshop)


def _json_error(status: int, message: str, **headers) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers or None)


def _is_admin(request: web.Request, workshop: Workshop) -> bool:
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else request.query.get("token", "")
    return bool(token) and secrets.compare_digest(token.encode(), workshop.admin_token.encode())


async def post_result(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    wait = workshop.limiter.allow(request.remote or "?")
    if wait:
        return _json_error(429, f"too many submissions from this address; try again in {math.ceil(wait)} s",
                           **{"Retry-After": str(math.ceil(wait))})
    try:
        body = await request.json()
    except web.HTTPRequestEntityTooLarge:
        return _json_error(413, f"the submission is larger than {MAX_BODY // 1024} KB; send one result record")
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: JSON nested absurdly deep
        return _json_error(400, "the body is not JSON; send {\"code\", \"name\", \"result\"}")
    if not isinstance(body, dict):
        return _json_error(400, "the body is not a JSON object; send {\"code\", \"name\", \"result\"}")
    if not secrets.compare_digest(normalise_code(body.get("code")).encode(), workshop.code.encode()):
        return _json_error(403, "wrong join code; copy the workshop URL from the projector again")
    name = clean_name(body.get("name"))
    if not name:
        return _json_error(422, "a name is needed (letters, digits or spaces)")
    result = body.get("result")
    result_id = result.get("id") if isinstance(result, dict) else None
    if not isinstance(result_id, str) or not result_id:
        return _json_error(422, "the submission has no result record with an id")
    existing = workshop.store.entry(result_id)
    if existing is not None:
        return web.json_response(_as_seen(workshop, existing.as_json()), status=200)
    result = _replayable(result)
    if result is None:
        return _json_error(422, "the result record is malformed; send the record `mlsim play ... --json` printed")
    pending = workshop.inflight.get(result_id)
    first = pending is None
    if first:  # the same record twice at once: the second waits for the first's answer
        pending = asyncio.ensure_future(_verify_and_store(workshop, result, name))
        workshop.inflight[result_id] = pending
        pending.add_done_callback(lambda _: workshop.inflight.pop(result_id, None))
    status, payload = await asyncio.shield(pending)
    return web.json_response(payload, status=200 if status == 201 and not first else status)


REPLAY_FIELDS = ("id", "case", "case_hash", "seed", "choices", "score", "final")


def _replayable(result: dict) -> dict | None:
    """The fields a re-play reads, or None when they cannot travel to a worker (absurd nesting, odd types)."""
    slim = {key: result.get(key) for key in REPLAY_FIELDS}
    try:
        json.dumps(slim)  # what a worker could not receive, it must not be sent: one bad record, one 422
    except (TypeError, ValueError, RecursionError):
        return None
    return slim


async def _verify_and_store(workshop: Workshop, result: dict, name: str) -> tuple[int, dict]:
    outcome = await workshop.verifier.verify(result)
    if "unavailable" in outcome:
        return 503, {"error": outcome["unavailable"]}
    if "error" in outcome:
        return 422, {"error": outcome["error"]}
    entry, created = workshop.store.add(Verified(**outcome), name)
    return (201 if created else 200), _as_seen(workshop, entry.as_json())


def _as_seen(workshop: Workshop, entry: dict) -> dict:
    """A learner's entry as the room may see it: no rank while the board is frozen (the reveal is the trainer's)."""
    if workshop.frozen_at() is not None:
        return {**entry, "rank": None, "frozen": True}
    return entry


async def get_leaderboard(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    frozen = workshop.frozen_at()
    entries = workshop.store.entries(request.query.get("case") or None, until=frozen)
    return web.json_response({"entries": [e.as_json() for e in entries], "frozen_at": frozen and frozen[:19] + "Z"})


async def get_page(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    case = request.query.get("case") or None
    frozen = workshop.frozen_at()
    html = render_board(workshop.store.entries(case, until=frozen), workshop.join_url, frozen and frozen[:19] + "Z",
                        case)
    return web.Response(text=html, content_type="text/html",
                        headers={"Content-Security-Policy": "default-src 'self'; script-src 'unsafe-inline'; "
                                                            "style-src 'unsafe-inline'"})


async def get_csv(request: web.Request) -> web.Response:
    workshop = request.app[WORKSHOP]
    if not _is_admin(request, workshop):
        return _json_error(403, "the CSV export needs the admin token printed when the server started")
    text = entries_csv(workshop.store.entries(include_hidden=True), workshop.store.hidden_ids())
    return web.Response(text=text, content_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="workshop.csv"'})


def parse_time(text: str) -> str:
    """'now' or an ISO 8601 time (naive times are this machine's local time) -> stored UTC form."""
    if text.strip().lower() == "now":
        moment = datetime.now(timezone.utc)
    else:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.astimezone()
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def _admin_body(request: web.Request) -> dict | web.Response:
    workshop = request.app[WORKSHOP]
    if not _is_admin(request, workshop):
        return _json_error(403, "this needs the admin token printed when the server started")
    try:
        body = await request.json()
    except (ValueError, RecursionError, web.HTTPRequestEntityTooLarge):
        return _json_error(400, "the body is not JSON")
    return body if isinstance(body, dict) else _json_error(400, "the body is not a JSON object")


async def post_freeze(request: web.Request) -> web.Response:
    body = await _admin_body(request)
    if isinstance(body, web.Response):
        return body
    at = body.get("at")
    workshop = request.app[WORKSHOP]
    if at is None:
        workshop.store.set_setting("frozen_at", None)
        return web.json_response({"frozen_at": None})
    try:
        stored = parse_time(str(at))
    except (ValueError, OverflowError):  # OverflowError: a time past year 9999 once made UTC
        return _json_error(400, "'at' must be \"now\", an ISO time like 2026-05-09T15:30, or null to unfreeze")
    workshop.store.set_setting("frozen_at", stored)
    return web.json_response({"frozen_at": stored[:19] + "Z"})


async def post_hide(request: web.Request) -> web.Response:
    body = await _admin_body(request)
    if isinstance(body, web.Response):
        return body
    key = body.get("id")
    if not isinstance(key, str) or not key:
        return _json_error(400, "'id' must be a result id (see the CSV) or an exact name")
    changed = request.app[WORKSHOP].store.set_hidden(key, bool(body.get("hidden", True)))
    if not changed:
        return _json_error(404, f"no entry has the id or name '{key}'")
    return web.json_response({"changed": changed})


def create_app(store: Store, code: str, admin_token: str, executor: Executor, workers: int = 1,
               rate_per_minute: int = DEFAULT_RATE, join_url: str = "") -> web.Application:
    """The aiohttp application; re-plays run in `executor` (a process pool when serving, a thread in tests)."""
    app = web.Application(client_max_size=MAX_BODY)
    workshop = Workshop(store, normalise_code(code), admin_token, Verifier(executor, workers),
                        RateLimiter(rate_per_minute), join_url)
    app[WORKSHOP] = workshop

    async def lifecycle(app: web.Application):
        workshop.verifier.start()
        yield
        await workshop.verifier.stop()

    app.cleanup_ctx.append(lifecycle)
    app.add_routes([
        web.post("/api/results", post_result),
        web.get("/api/leaderboard", get_leaderboard),
        web.get("/", get_page),
        web.get("/export.csv", get_csv),
        web.post("/api/admin/freeze", post_freeze),
        web.post("/api/admin/hide", post_hide),
    ])
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


def _exit_with_parent(parent: int) -> None:
    """In a worker: end when the server process is gone (even SIGKILLed), instead of lingering as an orphan."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="mlsim-parent-watch", daemon=True).start()


def process_pool(workers: int) -> Executor:
    """Re-play processes, forked now, before the event loop or any thread exists (forking later is unsafe).

    Call it from plain sync code; every worker is started and warmed (imports, case files) before it returns.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_exit_with_parent, initargs=(os.getpid(),))
    list(executor.map(warm_up, range(workers)))
    return executor


async def run_server(host: str, port: int, code: str, admin_token: str, store: Store, executor: Executor,
                     workers: int, rate_per_minute: int, say) -> None:
    loop = asyncio.get_running_loop()
    app = create_app(store, code, admin_token, executor, workers, rate_per_minute)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        shown = lan_address() if host in {"0.0.0.0", "::", ""} else host
        shown = f"[{shown}]" if ":" in shown else shown
        app[WORKSHOP].join_url = f"http://{shown}:{bound}/?code={app[WORKSHOP].code}"
        say(app[WORKSHOP].join_url, bound)
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
        executor.shutdown(wait=False, cancel_futures=True)


def open_store(path) -> SQLiteStore:
    return SQLiteStore(path)
