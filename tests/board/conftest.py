"""Board fixtures: 200 honest results generated once per session, and a workshop server on loopback."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from concurrent.futures import ThreadPoolExecutor

import pytest

from sim.game import Game, expert_real_world, play_policy

N_RESULTS = 200
FIRST_SEED = 100
SHORT_PLAN = ("measure_human_level", "bigger_network", "train_longer")


def _short_game(game: Game, i: int) -> None:
    """A quick, honest game: answer what is asked, take an action or three, ship (keeps the suite fast)."""
    for step in range(12):
        if game.finished:
            return
        decision = game.pending_decision
        if decision is not None:
            game.choose(f"answer {decision.options[i % len(decision.options)].id}")
        else:
            game.choose("ship" if step >= 3 + i % 3 else SHORT_PLAN[(i + step) % 3])
    game.choose("ship")


@pytest.fixture(scope="session")
def honest_results(bird) -> list[dict]:
    """200 finished, untampered results of bird-detection: distinct seeds, one in ten a full expert game."""
    case, digest = bird
    seeds = list(range(FIRST_SEED, FIRST_SEED + N_RESULTS))
    expert_real_world(case, digest, seeds)  # one vectorised run instead of 200 single ones
    results = []
    for i, seed in enumerate(seeds):
        game = Game(case, digest, seed)
        if i % 10 == 0:
            play_policy(game, "expert")
        else:
            _short_game(game, i)
        assert game.finished
        results.append(json.loads(json.dumps(game.result())))  # exactly what travels over the wire
    assert len({r["id"] for r in results}) == N_RESULTS
    return results


@pytest.fixture
async def workshop(tmp_path):
    """The real aiohttp app on 127.0.0.1 (an ephemeral port); re-plays in a thread pool to keep tests light."""
    from aiohttp.test_utils import TestServer

    from sim.board.server import create_app
    from sim.board.store import SQLiteStore

    store = SQLiteStore(tmp_path / "workshop.sqlite3")
    executor = ThreadPoolExecutor(2)
    token = secrets.token_urlsafe(8)
    app = create_app(store, "BIRDS7", token, executor, workers=2, rate_per_minute=0)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    base = str(server.make_url("/")).rstrip("/")
    yield Workshop(base, f"{base}/?code=BIRDS7", "BIRDS7", token, store, app)
    await server.close()
    executor.shutdown(wait=True)
    store.close()


@dataclass
class Workshop:
    base: str
    join_url: str
    code: str
    token: str
    store: object
    app: object
