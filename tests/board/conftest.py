"""Board fixtures: honest games on any seed, a workshop server on loopback (port 0), and its real process."""

from __future__ import annotations

import copy
import json
import os
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import aiohttp
import pytest

from sim.game import Game, expert_real_world, play_policy

N_RESULTS = 200
FIRST_SEED = 100
SHORT_PLAN = ("measure_human_level", "bigger_network", "train_longer")
CASE = "bird-detection"
START_TIMEOUT_S = 60


def short_game(game: Game, i: int) -> Game:
    """A quick, honest game: answer what is asked, take an action or three, ship (keeps the suite fast)."""
    for step in range(12):
        if game.finished:
            return game
        decision = game.pending_decision
        if decision is not None:
            game.choose(f"answer {decision.options[i % len(decision.options)].id}")
        else:
            game.choose("ship" if step >= 3 + i % 3 else SHORT_PLAN[(i + step) % 3])
    if not game.finished:
        game.choose("ship")
    return game


@lru_cache(maxsize=None)
def _bird():
    from sim.scenario import load

    return load(CASE)


def played(seed: int, i: int = 0, policy: str | None = None) -> dict:
    """A finished game of bird-detection on `seed`, exactly as it travels over the wire (a fresh copy)."""
    return copy.deepcopy(_played(seed, i, policy))


@lru_cache(maxsize=None)
def _played(seed: int, i: int, policy: str | None) -> dict:
    case, digest = _bird()
    game = Game(case, digest, seed)
    play_policy(game, policy) if policy else short_game(game, i)
    assert game.finished
    return json.loads(json.dumps(game.result()))


@pytest.fixture(scope="session")
def honest_results(bird) -> list[dict]:
    """200 finished, untampered results of bird-detection on distinct seeds (for the local board)."""
    case, digest = bird
    seeds = list(range(FIRST_SEED, FIRST_SEED + N_RESULTS))
    expert_real_world(case, digest, seeds)  # one vectorised run instead of 200 single ones
    results = [played(seed, i) for i, seed in enumerate(seeds)]
    assert len({r["id"] for r in results}) == N_RESULTS
    return results


@dataclass
class Workshop:
    """A workshop server on loopback and the calls a learner's client makes to it."""

    base: str
    code: str
    token: str
    store: object
    app: object
    said: list[str] = field(default_factory=list)

    @property
    def join_url(self) -> str:
        return f"{self.base}/?code={self.code}"

    async def post(self, session, path: str, body, headers: dict | None = None) -> tuple[int, dict]:
        async with session.post(f"{self.base}{path}", json=body, headers=headers) as resp:
            return resp.status, await resp.json(content_type=None)

    async def ticket(self, session, name: str, case: str = CASE, learner: str | None = None) -> dict:
        body = {"code": self.code, "name": name, "case": case}
        if learner is not None:
            body["learner"] = learner
        status, answer = await self.post(session, "/api/tickets", body)
        assert status in (200, 201), answer
        return answer

    async def submit(self, session, ticket: dict, result: dict, name: str | None = None) -> tuple[int, dict]:
        return await self.post(session, "/api/results", {"code": self.code, "name": name or ticket["name"],
                                                          "ticket": ticket["ticket"], "result": result})

    async def board(self, session, case: str | None = None) -> dict:
        async with session.get(f"{self.base}/api/leaderboard" + (f"?case={case}" if case else "")) as resp:
            return await resp.json()

    @property
    def admin(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}


@asynccontextmanager
async def workshop_server(tmp_path: Path, limits=None, replayer=None, **room):
    """The real aiohttp app on 127.0.0.1, port 0 (the port it got is read back); re-plays in threads by default."""
    from aiohttp.test_utils import TestServer

    from sim.board.pool import ThreadReplayer
    from sim.board.server import ROOM_ID, Limits, create_app, open_store
    from sim.board.store import Room

    store = open_store(tmp_path / "workshop.sqlite3")
    token = secrets.token_urlsafe(8)
    store.put_room(Room(ROOM_ID, "BIRDS7", token, **{"min_play_seconds": 0.0, **room}))
    executor = ThreadPoolExecutor(2)
    said: list[str] = []
    app = create_app(store, ROOM_ID, replayer or ThreadReplayer(executor, 2),
                     limits or Limits(learner_per_minute=0, room_per_minute=0), said.append)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    base = str(server.make_url("/")).rstrip("/")
    try:
        yield Workshop(base, "BIRDS7", token, store, app, said)
    finally:
        await server.close()
        executor.shutdown(wait=True)
        store.close()


@pytest.fixture(scope="session")
def postgres_database():
    """A PostgreSQL database of this test run's own (tests/postgres.py); dropped at the end."""
    from tests.postgres import throwaway_database

    with throwaway_database() as url:
        yield url


@pytest.fixture
def postgres_url(postgres_database) -> str:
    """A URL whose connections see an empty schema of this test's own."""
    from tests.postgres import new_schema

    return new_schema(postgres_database)


@pytest.fixture
async def workshop(tmp_path):
    async with workshop_server(tmp_path) as running:
        yield running


@pytest.fixture
async def session():
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=120)) as client:
        yield client


# ---- the real `mlsim workshop serve` process -----------------------------------------------------
@dataclass
class ServerProcess:
    proc: subprocess.Popen
    url: str
    log: Path

    @property
    def base(self) -> str:
        return self.url.split("/?")[0]

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def start_server(db: Path, log: Path, *extra: str, env: dict | None = None, preexec_fn=None,
                 own_room: bool = True) -> ServerProcess:
    """`mlsim workshop serve --port 0`, its output in a file; returns once it printed its join URL (with
    `own_room=False`, the board's rooms as they are: for --all-rooms, whose first room's URL is taken)."""
    room = ["--code", "BIRDS7", "--min-play-seconds", "0"] if own_room else []
    command = [sys.executable, "-m", "sim", "workshop", "serve", "--host", "127.0.0.1", "--port", "0",
               "--db", str(db), "--workers", "2", *room, *extra]
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, **(env or {})}, preexec_fn=preexec_fn)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        lines = log.read_text(errors="replace").splitlines()
        if any("Press Ctrl+C to stop." in line for line in lines):  # the start's last line: all of it is out
            for line in lines:
                if line.startswith("Join URL: "):
                    return ServerProcess(proc, line.split(" ", 2)[2].strip(), log)
                if line.startswith("  http://") and "?code=" in line:  # --all-rooms: one line per room
                    return ServerProcess(proc, line.split()[0], log)
        time.sleep(0.05)
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=10)
    raise AssertionError(f"the server did not start: {log.read_text(errors='replace')}")


@pytest.fixture
def servers():
    """Every server process a test starts is stopped at its end, whatever happened."""
    started: list[ServerProcess] = []

    def start(*args, **kwargs) -> ServerProcess:
        server = start_server(*args, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


async def health(session, base: str) -> dict:
    async with session.get(f"{base}/healthz") as resp:
        return await resp.json()


def checked(predicate):
    """A plain predicate as the async one wait_for polls."""
    async def check():
        return predicate()
    return check


async def wait_for(predicate, timeout: float = 60.0, what: str = "the condition"):
    """Poll an async predicate until it returns something truthy (the condition, not a sleep, is what we wait on)."""
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
