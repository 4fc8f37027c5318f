"""Browser play and the hosted board: game sessions over a websocket, and server processes on PostgreSQL.

Keys (targets on a 2-core machine):
  browser_session_mb      memory one game session adds after 10 moves: its process's private pages (USS,
                          from /proc/PID/smaps_rollup); the shared libraries' pages, mapped by every
                          session and by the server alike, are counted once for the machine          <= 80
  browser_session_rss_mb  the same process's resident set (VmRSS: private + shared pages; reported)
  browser_keypress_ms     median key-to-frame of one timed session over a websocket client while 29 others
                          stay open and idle on this machine (a cursor key that redraws the menu)    <= 100
  hosted_results_per_s    four `mlsim workshop serve` processes on one PostgreSQL database, 2,000 learners
                          (a ticket from one process, the result to another), re-play included; reported
  hosted_results_per_s_per_process   the same over four (the figure docs/hosting.md multiplies)
The hosted board's 2,000 learners are spread over 20 rooms, which every process serves (--all-rooms).
PostgreSQL: the one tests use (tests/postgres.py; .ci/run starts it), a throwaway database per run.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CODE = "HOSTED"
OTHERS = 29
MOVES = 10
LEARNERS = 2000
PROCESSES = 4
ROOMS = 20
REDRAW_BYTES = 200  # a redrawn menu is kilobytes; a blinking cursor's frame a few dozen bytes


def _start(home: Path, db: str, *extra: str, name: str = "server",
           room: tuple[str, ...] = ("--code", CODE, "--min-play-seconds", "0")) -> tuple[subprocess.Popen, str]:
    log = home / f"{name}.log"
    env = dict(os.environ, MLSIM_HOME=str(home))
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "serve", "--port", "0", *room,
                                 "--rate", "0", "--room-rate", "0", "--db", db, *extra],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        for line in log.read_text().splitlines():
            if line.startswith("Join URL: "):
                return proc, line.split(" ", 2)[2].split("/?")[0]
            if line.startswith("  http://") and "?code=" in line:  # --all-rooms lists its rooms
                return proc, line.split()[0].split("/?")[0]
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the server did not start: {log.read_text()}")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---- browser sessions -----------------------------------------------------------------------------
def _game_pid(folder: Path) -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if f"MLSIM_HOME={folder}\0".encode() in (entry / "environ").read_bytes():
                    return int(entry.name)
            except OSError:
                continue
    return None


def _memory_mb(pid: int) -> tuple[float, float]:
    """(private, resident) MB of a process: what it alone holds, and everything it has in memory."""
    kb = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        kb[key] = int(value.split()[0])
    return (kb["Private_Clean"] + kb["Private_Dirty"]) / 1024, kb["Rss"] / 1024


def _choices(folder: Path) -> int:
    saves = list((folder / "saves").glob("*.jsonl"))
    return sum('"choice"' in line for line in saves[0].read_text().splitlines()) if saves else 0


class Tab:
    """One open game over a websocket, read all the time (as a browser does: the server's heartbeat and the
    game's output never wait on us); `frames` gets (arrival time, bytes) of each message."""

    def __init__(self, ws):
        self.ws, self.frames = ws, asyncio.Queue()
        self.reader = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            self.frames.put_nowait((time.perf_counter(), len(message.data or b"")))

    async def send(self, keys: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", keys]))

    async def quiet(self, for_s: float = 0.3, at_most_s: float = 10.0) -> None:
        """Wait until the game has sent nothing for `for_s` (its frame is complete; a cursor's blink, every
        0.5 s, is not waited out)."""
        deadline = time.monotonic() + at_most_s  # a screen that animates is never quiet: stop waiting anyway
        while time.monotonic() < deadline:
            try:
                await asyncio.wait_for(self.frames.get(), for_s)
            except asyncio.TimeoutError:
                return

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


async def _open(session, base: str, name: str) -> tuple[Tab, str]:
    async with session.post(f"{base}/api/play", json={"code": CODE, "name": name, "case": "bird-detection"}) as resp:
        path = (await resp.json())["play"]
    ws = await session.ws_connect(f"{base.replace('http', 'ws')}{path}/ws?width=100&height=30", max_msg_size=0)
    tab = Tab(ws)
    await asyncio.wait_for(tab.frames.get(), 120)  # its first frame
    await tab.quiet()
    return tab, path.rsplit("/", 1)[1]


async def _browser(base: str, play: Path) -> dict[str, float]:
    import aiohttp

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=600)) as session:
        timed, token = await _open(session, base, "Timed")
        folder = play / token
        while _choices(folder) < MOVES:  # Enter starts, plays the highlighted action, closes verdicts; "a" answers
            before = _choices(folder)
            await timed.send("a")
            await timed.send("\r")
            deadline = time.monotonic() + 10
            while _choices(folder) == before and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        await timed.quiet()
        private, resident = _memory_mb(_game_pid(folder))
        others = [(await _open(session, base, f"Idle {i}"))[0] for i in range(OTHERS)]
        await timed.quiet()
        latencies = []
        for i in range(25):
            await timed.quiet()
            t0 = time.perf_counter()
            await timed.send("\x1b[B" if i % 2 == 0 else "\x1b[A")  # down / up in the action menu: a redraw each
            while True:  # the menu's redraw, not a cursor's blink (a few bytes) that happened to come first
                at, size = await asyncio.wait_for(timed.frames.get(), 10)
                if size >= REDRAW_BYTES:
                    break
            latencies.append((at - t0) * 1000)
        for tab in [timed, *others]:
            await tab.close()
    return {"browser_session_mb": private, "browser_session_rss_mb": resident,
            "browser_keypress_ms": statistics.median(latencies)}


# ---- the hosted board ----------------------------------------------------------------------------------
def _rooms(url: str) -> list[str]:
    """ROOMS rooms on the board, each with its own code and token (as `mlsim workshop room add` makes them)."""
    import secrets

    from sim.board.server import new_code, open_store
    from sim.board.store import Room

    store = open_store(url)
    try:
        codes = []
        for _ in range(ROOMS):
            room = Room(secrets.token_hex(6), new_code(), secrets.token_urlsafe(16), min_play_seconds=0.0)
            store.put_room(room)
            codes.append(room.code)
        return codes
    finally:
        store.close()


async def _hosted_with_games(bases: list[str], codes: list[str], games) -> float:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200),
                                     timeout=aiohttp.ClientTimeout(total=600)) as session:
        async def ticket(i: int) -> dict:
            async with session.post(f"{bases[i % len(bases)]}/api/tickets",
                                    json={"code": codes[i % len(codes)], "name": f"Learner {i}",
                                          "case": "bird-detection"}) as resp:
                if resp.status != 201:
                    raise RuntimeError(f"ticket {i}: HTTP {resp.status} {await resp.text()}")
                return await resp.json()

        tickets = list(await asyncio.gather(*(ticket(i) for i in range(LEARNERS))))
    results = games([t["seed"] for t in tickets])
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=200),
                                     timeout=aiohttp.ClientTimeout(total=600)) as session:
        async def send(i: int) -> None:
            body = {"code": codes[i % len(codes)], "name": f"Learner {i}", "ticket": tickets[i]["ticket"],
                    "result": results[i]}
            async with session.post(f"{bases[(i + 1) % len(bases)]}/api/results", json=body) as resp:
                if resp.status != 201:
                    raise RuntimeError(f"result {i}: HTTP {resp.status} {await resp.text()}")

        t0 = time.perf_counter()
        await asyncio.gather(*(send(i) for i in range(LEARNERS)))
        return LEARNERS / (time.perf_counter() - t0)


def measure() -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench_board import _games
    from tests.postgres import throwaway_database

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        proc, base = _start(home, str(home / "play.sqlite3"), "--play", "--play-sessions", str(OTHERS + 1))
        try:
            out.update(asyncio.run(_browser(base, home / "play.play")))
        finally:
            _stop(proc)
    with tempfile.TemporaryDirectory() as tmp, throwaway_database() as url:
        home = Path(tmp)
        codes = _rooms(url)
        procs = [_start(home, url, "--workers", "1", "--all-rooms", name=f"server{i}", room=())
                 for i in range(PROCESSES)]
        try:
            out["hosted_results_per_s"] = asyncio.run(_hosted_with_games([base for _, base in procs], codes, _games))
            out["hosted_results_per_s_per_process"] = out["hosted_results_per_s"] / PROCESSES
        finally:
            for proc, _ in procs:
                _stop(proc)
    return out


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
