"""Sending a finished game to a workshop server, with an outbox for when the server cannot be reached.

Every result is first written to the outbox (one file per result, written atomically), then sent;
the file goes away only when the server has stored the result (or refused it for good, when it moves
to outbox/rejected/). So a result survives a crash of either side and is never sent twice into the
board: the server is idempotent by result id.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

CONNECT_TIMEOUT_S = 3.0
TOTAL_TIMEOUT_S = 30.0  # a server re-playing a burst of 200 results answers within a few seconds
MAX_FILES = 1000  # a flush sends at most this many files (bounded work per start)


@dataclass(frozen=True)
class SubmitOutcome:
    sent: bool
    message: str  # tells the player whether it was sent, queued in the outbox, or refused
    refused: bool = False  # the server refused it for good (tampered, unknown case): it will never be sent


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


def _queue(folder: Path, url: str, name: str, result: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rid = str(result.get("id", "")) or hashlib.sha256(json.dumps(result, sort_keys=True).encode()).hexdigest()
    path = folder / f"{rid[:32]}-{hashlib.sha256(url.encode()).hexdigest()[:8]}.json"
    tmp = path.with_suffix(f".tmp{os.getpid()}-{threading.get_ident()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump({"url": url, "name": name, "result": result}, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)  # atomic: a reader sees the whole file or none of it
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
    if isinstance(payload, dict) and payload.get("frozen"):
        return (f"stored with {payload.get('total')} points on {payload.get('case')}; the board is frozen, "
                "so ranks show when the trainer reopens it")
    if isinstance(payload, dict) and "rank" in payload:
        return f"rank {payload['rank']} on {payload.get('case')} with {payload.get('total')} points"
    return ""


async def _post(session, url: str, name: str, result: dict) -> tuple[int, dict]:
    """(HTTP status, JSON body); raises OSError / asyncio.TimeoutError / aiohttp.ClientError when unreachable."""
    base, code = parse_workshop_url(url)
    async with session.post(f"{base}/api/results", json={"code": code, "name": name, "result": result}) as resp:
        try:
            payload = await resp.json(content_type=None)
        except ValueError:
            payload = {}
        return resp.status, payload if isinstance(payload, dict) else {}


async def _deliver(session, path: Path, url: str, name: str, result: dict) -> tuple[SubmitOutcome, bool]:
    """Send one queued file; returns (outcome, whether the server was reachable)."""
    import aiohttp

    waiting = (f"it waits in the outbox ({path.parent}) and will be sent at the next start or with "
               "`mlsim workshop send`")
    try:
        status, payload = await _post(session, url, name, result)
    except (OSError, asyncio.TimeoutError, aiohttp.ClientError) as err:
        os_error = getattr(err, "os_error", err)
        reason = ("no answer in time" if isinstance(err, asyncio.TimeoutError)
                  else getattr(os_error, "strerror", None) or str(err) or type(err).__name__)
        return SubmitOutcome(False, f"The workshop at {url} could not be reached ({reason}); {waiting}."), False
    error = payload.get("error", f"HTTP {status}")
    if status in (200, 201):
        path.unlink(missing_ok=True)
        verb = "Sent to the workshop" if status == 201 else "Already on the workshop board"
        return SubmitOutcome(True, f"{verb}: {payload.get('name', name)}, {_describe(payload)}."), True
    if status in (400, 413, 422):
        _reject(path)
        return SubmitOutcome(False, f"The workshop refused the result: {error}. It is kept in "
                                    f"{path.parent / 'rejected'}.", refused=True), True
    if status == 403:
        return SubmitOutcome(False, f"The workshop refused the join code in {url}: {error}; {waiting} "
                                    "(with --url NEW_URL to use a corrected URL)."), True
    return SubmitOutcome(False, f"The workshop is busy ({error}); {waiting}."), status != 503


def _session():
    import aiohttp

    timeout = aiohttp.ClientTimeout(total=TOTAL_TIMEOUT_S, sock_connect=CONNECT_TIMEOUT_S)
    return aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0))


async def asubmit_or_queue(workshop_url: str, name: str, result: dict, outbox: Path | None = None,
                           session=None) -> SubmitOutcome:
    try:
        parse_workshop_url(workshop_url)
    except WorkshopURLError as err:
        return SubmitOutcome(False, f"Not sent: {err}.", refused=True)
    path = _queue(outbox or outbox_dir(), workshop_url, name, result)
    if session is None:
        async with _session() as own:
            return (await _deliver(own, path, workshop_url, name, result))[0]
    return (await _deliver(session, path, workshop_url, name, result))[0]


async def aflush_outbox(outbox: Path | None = None, session=None, url: str | None = None) -> list[SubmitOutcome]:
    """Send every queued result (to `url` instead of its own when given); stop trying a server that is down."""
    folder = outbox or outbox_dir()
    if not folder.is_dir():
        return []
    files = _queued_files(folder)
    if not files:
        return []
    if session is None:
        async with _session() as own:
            return await aflush_outbox(folder, own, url)
    outcomes, down = [], set()
    for path in files:
        try:
            queued = json.loads(path.read_text(encoding="utf-8"))
            target, name, result = url or queued["url"], queued["name"], queued["result"]
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
        outcome, reachable = await _deliver(session, path, target, name, result)
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


def queue(workshop_url: str, name: str, result: dict) -> Path:
    """Put a finished game in the outbox at once (the next flush sends it); safe to repeat."""
    return _queue(outbox_dir(), workshop_url, name, result)


def submit_or_queue(workshop_url: str, name: str, result: dict) -> SubmitOutcome:
    """Send a finished game to the workshop, or keep it in the outbox; never raises for network errors."""
    return _run(lambda: asubmit_or_queue(workshop_url, name, result))


def has_queued(outbox: Path | None = None) -> bool:
    """Cheap check (no network, no aiohttp import) for start-up code."""
    folder = outbox or outbox_dir()
    return folder.is_dir() and any(folder.glob("*.json"))


def flush_outbox(url: str | None = None) -> list[SubmitOutcome]:
    """Send what waits in the outbox (called at start-up by `mlsim` / `mlsim play`, and by `mlsim workshop send`)."""
    if not has_queued():
        return []
    return _run(lambda: aflush_outbox(url=url))
