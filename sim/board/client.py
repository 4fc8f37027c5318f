"""The learner's side of a workshop: a ticket before the game, then the result, with an outbox for bad moments.

Before a game, `fetch_ticket` asks the server for the learner's ticket (their name on the board, and
the seed to play) and keeps it in MLSIM_HOME/tickets/, so a game resumed later still has it. A finished
game goes first to the outbox (one file per result, with its ticket, written atomically), then to the
server; the file goes away only when the server has stored the result (or refused it for good, when it
moves to outbox/rejected/). So a result survives a crash of either side and is never stored twice: the
server keeps one entry per ticket. A busy server (503, 429) is retried with backoff and jitter.

HTTP goes through the standard library (http.client, in a thread) unless the caller passes an aiohttp
session: a game process sends one result, and aiohttp's import would cost it about 8 MB of its memory,
which a room of browser sessions pays thirty times over. Many learners at once in one process (the
tests, the benchmarks) pass a session of their own.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

from sim.board.store import whole_number

CONNECT_TIMEOUT_S = 3.0
TOTAL_TIMEOUT_S = 30.0  # a server re-playing a burst of 200 results answers within a few seconds
MAX_FILES = 1000  # a flush sends at most this many files (bounded work per start)
PATIENCE_S = 20.0  # how long sending a just-finished game keeps retrying a busy server before leaving it queued
BACKOFF_S = 0.5  # the first wait; doubled after each busy answer, each wait a random part of it (full jitter)
MAX_WAIT_S = 8.0


@dataclass(frozen=True)
class SubmitOutcome:
    sent: bool
    message: str  # tells the player whether it was sent, queued in the outbox, or refused
    refused: bool = False  # the server refused it for good (tampered, unknown case): it will never be sent


@dataclass(frozen=True)
class TicketOutcome:
    """A ticket fetched (`ticket` set) or not (`message` says why, `reachable` whether the server answered)."""

    ticket: dict | None
    message: str
    reachable: bool = True


class WorkshopURLError(ValueError):
    """A workshop URL without a server or a join code; str(err) says what to paste instead."""


def parse_workshop_url(url: str) -> tuple[str, str]:
    """`http://HOST:PORT/?code=CODE` -> (base URL, code)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise WorkshopURLError(f"'{url}' is not a workshop URL; paste the one the trainer shows, "
                               "like http://192.168.1.20:8765/?code=ABC234")
    code = (parse_qs(parts.query).get("code") or [""])[0].strip()
    if not code:
        raise WorkshopURLError(f"'{url}' has no join code; it should end with ?code=... as on the projector")
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), code


def outbox_dir() -> Path:
    from sim.scenario import home

    return home() / "outbox"


def tickets_dir() -> Path:
    from sim.scenario import home

    return home() / "tickets"


def learner_key() -> str:
    """This installation's random learner key: two people who type the same name are told apart by it."""
    path = tickets_dir() / "learner"
    try:
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    except (OSError, UnicodeDecodeError):
        pass
    key = secrets.token_hex(16)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomically(path, key)
    except OSError:
        pass  # a read-only home: the key lives as long as this process
    return key


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp{os.getpid()}-{threading.get_ident()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)  # atomic: a reader sees the whole file or none of it


def _ticket_path(url: str, name: str, case: str, folder: Path | None = None) -> Path:
    base, code = parse_workshop_url(url)
    key = hashlib.sha256(json.dumps([base, code.upper(), name.strip(), case]).encode()).hexdigest()[:24]
    return (folder or tickets_dir()) / f"{key}.json"


def remember_ticket(url: str, name: str, ticket: dict, folder: Path | None = None) -> Path:
    """Keep a ticket the server gave, so the game's result can be sent with it (even after a restart)."""
    path = _ticket_path(url, name, ticket["case"], folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(path, json.dumps({"url": url, "asked": name, **ticket}, ensure_ascii=False))
    return path


def ticket_for(url: str, name: str, case: str, seed: int, folder: Path | None = None) -> dict | None:
    """The kept ticket for this workshop, name and case, if it gives this seed."""
    try:
        kept = json.loads(_ticket_path(url, name, case, folder).read_text(encoding="utf-8"))
    except (OSError, ValueError, WorkshopURLError):
        return None
    if not isinstance(kept, dict) or kept.get("seed") != seed or not isinstance(kept.get("ticket"), str):
        return None
    return kept


async def afetch_ticket(workshop_url: str, name: str, case: str, session=None) -> TicketOutcome:
    """Ask the workshop for this learner's ticket for `case` (the same one again if they asked before)."""
    base, code = parse_workshop_url(workshop_url)
    body = {"code": code, "name": name, "case": case, "learner": learner_key()}
    try:
        status, payload, _ = await _request(session, f"{base}/api/tickets", body)
    except Unreachable as err:
        return TicketOutcome(None, f"The workshop at {workshop_url} could not be reached ({err})", False)
    if status in (200, 201) and isinstance(payload.get("ticket"), str) and isinstance(payload.get("seed"), int):
        remember_ticket(workshop_url, name, payload)
        return TicketOutcome(payload, "")
    error = payload.get("error", f"HTTP {status}")
    if status >= 500 or status == 429:
        return TicketOutcome(None, f"The workshop at {workshop_url} is busy ({error})", False)
    return TicketOutcome(None, f"The workshop refused a ticket: {error}")


def fetch_ticket(workshop_url: str, name: str, case: str) -> TicketOutcome:
    """Sync form of afetch_ticket, for the play command (never raises for network errors)."""
    return _run(lambda: afetch_ticket(workshop_url, name, case))


def _queue(folder: Path, url: str, name: str, result: dict, ticket: dict | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rid = str(result.get("id", "")) or hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    token = (ticket or {}).get("ticket", "")
    tag = hashlib.sha256(f"{url}|{token}".encode()).hexdigest()[:8]
    path = folder / f"{rid[:32]}-{tag}.json"
    entry = {"url": url, "name": (ticket or {}).get("name", name), "ticket": token or None, "result": result}
    _write_atomically(path, json.dumps(entry, ensure_ascii=False))
    return path


def _reject(path: Path) -> None:
    rejected = path.parent / "rejected"
    rejected.mkdir(exist_ok=True)
    try:
        os.replace(path, rejected / path.name)
    except FileNotFoundError:  # another sender (a second terminal) handled it meanwhile
        pass


def _queued_files(folder: Path) -> list[Path]:
    """The outbox's results, oldest first; files another sender takes while we look are skipped."""
    stamped = []
    for path in folder.glob("*.json"):
        try:
            stamped.append((path.stat().st_mtime, path))
        except FileNotFoundError:
            continue
    return [path for _, path in sorted(stamped)][:MAX_FILES]


def _describe(payload) -> str:
    if isinstance(payload, dict) and payload.get("practice"):
        return f"as practice (not ranked) with {payload.get('total')} points on {payload.get('case')}"
    if isinstance(payload, dict) and payload.get("frozen"):
        return (f"stored with {payload.get('total')} points on {payload.get('case')}; the board is frozen, "
                "so ranks show when the trainer reopens it")
    if isinstance(payload, dict) and "rank" in payload:
        return f"rank {payload['rank']} on {payload.get('case')} with {payload.get('total')} points"
    return ""


def _reason(err: BaseException) -> str:
    if isinstance(err, asyncio.TimeoutError):
        return "no answer in time"
    os_error = getattr(err, "os_error", err)
    return getattr(os_error, "strerror", None) or str(err) or type(err).__name__


class Unreachable(Exception):
    """No HTTP answer (refused, timed out, reset); str(err) is the reason, a few words for the player."""


async def _request(session, url: str, body: dict) -> tuple[int, dict, str]:
    """POST JSON: (HTTP status, JSON body or {}, Retry-After); raises Unreachable. `session`: an aiohttp
    session, or None for the standard library's client in a thread."""
    if session is None:
        return await asyncio.to_thread(_post_blocking, url, body)
    import aiohttp

    try:
        async with session.post(url, json=body) as resp:
            return resp.status, _json_object(await resp.read()), resp.headers.get("Retry-After", "")
    except (OSError, asyncio.TimeoutError, aiohttp.ClientError) as err:
        raise Unreachable(_reason(err)) from None


def _post_blocking(url: str, body: dict) -> tuple[int, dict, str]:
    """`_request` with http.client: a short connect timeout (a server that is down says so in seconds), then
    TOTAL_TIMEOUT_S for the answer; no proxy, as the workshop is on the room's network."""
    import http.client

    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = kind(parts.hostname, parts.port, timeout=CONNECT_TIMEOUT_S)
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    try:
        conn.connect()
        conn.sock.settimeout(TOTAL_TIMEOUT_S)
        conn.request("POST", parts.path or "/", body=data, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, _json_object(resp.read()), resp.getheader("Retry-After") or ""
    except (OSError, http.client.HTTPException) as err:
        raise Unreachable(_reason(err)) from None
    finally:
        conn.close()


def _json_object(raw: bytes) -> dict:
    """An answer's JSON object, or {} when it is something else (a proxy's HTML page, an empty body)."""
    try:
        payload = json.loads(raw)
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


async def _post(session, url: str, name: str, ticket: str | None, result: dict) -> tuple[int, dict, float | None]:
    """(HTTP status, JSON body, Retry-After in seconds); raises Unreachable."""
    base, code = parse_workshop_url(url)
    body = {"code": code, "name": name, "ticket": ticket, "result": result}
    status, payload, retry = await _request(session, f"{base}/api/results", body)
    wait = whole_number(retry, 6)
    return status, payload, float(wait) if wait is not None else None


async def _deliver(session, path: Path, url: str, name: str, ticket: str | None, result: dict,
                   patience_s: float = 0.0) -> tuple[SubmitOutcome, bool]:
    """Send one queued file, retrying a busy server for up to `patience_s`; (outcome, whether it answered)."""
    waiting = (f"it waits in the outbox ({path.parent}) and will be sent at the next start or with "
               "`mlsim workshop send`")
    deadline = asyncio.get_running_loop().time() + patience_s
    backoff = BACKOFF_S
    while True:
        try:
            status, payload, retry_after = await _post(session, url, name, ticket, result)
        except Unreachable as err:
            return SubmitOutcome(False, f"The workshop at {url} could not be reached ({err}); {waiting}."), False
        if status not in (429, 502, 503, 504):
            break
        # Busy: wait a random part of the back-off (so a room does not come back in step), at least Retry-After.
        wait = max(retry_after or 0.0, random.uniform(0, backoff))
        backoff = min(backoff * 2, MAX_WAIT_S)
        if asyncio.get_running_loop().time() + wait > deadline:
            error = payload.get("error", f"HTTP {status}")
            return SubmitOutcome(False, f"The workshop is busy ({error}); {waiting}."), status == 429
        await asyncio.sleep(wait)
    error = payload.get("error", f"HTTP {status}")
    if status in (200, 201):
        path.unlink(missing_ok=True)
        verb = "Sent to the workshop" if status == 201 else "Already on the workshop board"
        return SubmitOutcome(True, f"{verb}: {payload.get('name', name)}, {_describe(payload)}."), True
    if status in (400, 409, 413, 415, 422):
        _reject(path)
        return SubmitOutcome(False, f"The workshop refused the result: {error}. It is kept in "
                                    f"{path.parent / 'rejected'}.", refused=True), True
    if status == 403:
        return SubmitOutcome(False, f"The workshop refused the join code in {url}: {error}; {waiting} "
                                    "(with --url NEW_URL to use a corrected URL)."), True
    return SubmitOutcome(False, f"The workshop answered HTTP {status} ({error}); {waiting}."), True


NO_TICKET = ("This game has no ticket from the workshop for its seed, so it does not count on the board (a result "
             "needs the ticket the server gives when the game starts: start the game again with --workshop while "
             "the server can be reached).")


async def asubmit_or_queue(workshop_url: str, name: str, result: dict, outbox: Path | None = None,
                           session=None, ticket: dict | None = None, patience_s: float = PATIENCE_S) -> SubmitOutcome:
    """Queue a finished game with its ticket (the one given, or the kept one for its seed), then send it."""
    try:
        parse_workshop_url(workshop_url)
    except WorkshopURLError as err:
        return SubmitOutcome(False, f"Not sent: {err}.", refused=True)
    ticket = ticket or ticket_for(workshop_url, name, str(result.get("case")), result.get("seed"))
    if ticket is None:
        return SubmitOutcome(False, NO_TICKET, refused=True)
    path = _queue(outbox or outbox_dir(), workshop_url, name, result, ticket)
    return (await _deliver(session, path, workshop_url, ticket["name"], ticket["ticket"], result, patience_s))[0]


async def aflush_outbox(outbox: Path | None = None, session=None, url: str | None = None,
                        patience_s: float = 0.0) -> list[SubmitOutcome]:
    """Send every queued result (to `url` instead of its own when given); stop trying a server that is down."""
    folder = outbox or outbox_dir()
    if not folder.is_dir():
        return []
    files = _queued_files(folder)
    if not files:
        return []
    outcomes, down = [], set()
    for path in files:
        try:
            queued = json.loads(path.read_text(encoding="utf-8"))
            target, name, result = url or queued["url"], queued["name"], queued["result"]
            ticket = queued.get("ticket")
            parse_workshop_url(target)
        except FileNotFoundError:  # another sender took it: it is delivered (or rejected) there
            continue
        except (OSError, ValueError, KeyError, TypeError) as err:
            _reject(path)
            outcomes.append(SubmitOutcome(False, f"{path.name} in the outbox is damaged ({err}); moved to rejected/.",
                                          refused=True))
            continue
        if target in down:
            outcomes.append(SubmitOutcome(False, f"Still waiting in the outbox: {name}'s result for {target}."))
            continue
        outcome, reachable = await _deliver(session, path, target, name, ticket, result, patience_s)
        if not reachable:
            down.add(target)
        outcomes.append(outcome)
    return outcomes


def _run(coro_factory):
    """Run a coroutine to the end from sync code, even when this thread already runs an event loop (the UI)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro_factory())
    box: dict = {}

    def target():
        try:
            box["value"] = asyncio.run(coro_factory())
        except BaseException as err:  # re-raised in the caller's thread
            box["error"] = err

    thread = threading.Thread(target=target, name="mlsim-workshop-send")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def queue(workshop_url: str, name: str, result: dict) -> Path | None:
    """Put a finished game in the outbox at once with its kept ticket (the next flush sends it); safe to repeat.

    None when no ticket is kept for its seed: such a game does not count, so nothing is queued.
    """
    ticket = ticket_for(workshop_url, name, str(result.get("case")), result.get("seed"))
    if ticket is None:
        return None
    return _queue(outbox_dir(), workshop_url, name, result, ticket)


def submit_or_queue(workshop_url: str, name: str, result: dict, ticket: dict | None = None,
                    patience_s: float = PATIENCE_S) -> SubmitOutcome:
    """Send a finished game to the workshop, or keep it in the outbox; never raises for network errors."""
    return _run(lambda: asubmit_or_queue(workshop_url, name, result, ticket=ticket, patience_s=patience_s))


def has_queued(outbox: Path | None = None) -> bool:
    """Cheap check (no network, no aiohttp import) for start-up code."""
    folder = outbox or outbox_dir()
    return folder.is_dir() and any(folder.glob("*.json"))


def flush_outbox(url: str | None = None, patience_s: float = 0.0) -> list[SubmitOutcome]:
    """Send what waits in the outbox (called at start-up by `mlsim` / `mlsim play`, and by `mlsim workshop send`)."""
    if not has_queued():
        return []
    return _run(lambda: aflush_outbox(url=url, patience_s=patience_s))


def deliver(workshop_url: str, name: str, result: dict) -> list[str]:
    """After a game played with --workshop: send what waits (this game included) and say what happened."""
    if ticket_for(workshop_url, name, str(result.get("case")), result.get("seed")) is None:
        return [NO_TICKET]
    messages = [o.message for o in flush_outbox(patience_s=PATIENCE_S)]
    return messages or ["Your result waits in the outbox; `mlsim workshop send` sends it."]
