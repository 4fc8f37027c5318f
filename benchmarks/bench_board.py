"""Workshop server latency: 200 submissions against the real `mlsim workshop serve` on loopback, re-play included.

Keys (target: submit_p99_ms <= 200 on a 2-core machine):
  submit_p99_ms / submit_median_ms   a room of 200 learners finishing within BURST_WINDOW_S seconds
                                     (arrivals spread evenly, each latency measured alone)
  submit_all_at_once_p99_ms / _median_ms   the worst case: all 200 sent in the same instant
  submit_throughput_per_s            results re-played and stored per second in the all-at-once burst
The server re-plays every result in a pool of worker processes (one per core); nothing is trusted.
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

N = 200
BURST_WINDOW_S = 10.0  # 200 learners who finish "at the same time" press the key within ~10 s of each other
FIRST_SEED = 5000


def _results(seed0: int) -> list[dict]:
    """200 full-length honest games (the expert's: the longest, so the slowest to re-play)."""
    from sim.game import Game, expert_real_world, play_policy
    from sim.scenario import load

    case, digest = load("bird-detection")
    seeds = list(range(seed0, seed0 + N))
    expert_real_world(case, digest, seeds)
    out = []
    for seed in seeds:
        game = Game(case, digest, seed)
        play_policy(game, "expert")
        out.append(json.loads(json.dumps(game.result())))
    return out


def _start(home: Path) -> tuple[subprocess.Popen, str]:
    log = home / "server.log"
    env = dict(os.environ, MLSIM_HOME=str(home))
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "serve", "--port", "0", "--code", "BENCH2",
                                 "--rate", "0", "--db", str(home / "bench.sqlite3")],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        for line in log.read_text().splitlines():
            if line.startswith("Join URL: "):
                return proc, line.split(" ", 2)[2].split("/?")[0]
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the server did not start: {log.read_text()}")


async def _burst(base: str, results: list[dict], window_s: float) -> tuple[list[float], float]:
    import aiohttp

    latencies: list[float] = []

    async def one(i: int, result: dict, session) -> None:
        await asyncio.sleep(window_s * i / len(results))
        t0 = time.perf_counter()
        async with session.post(f"{base}/api/results", json={"code": "BENCH2", "name": f"learner {i}",
                                                             "result": result}) as resp:
            body = await resp.text()
            if resp.status != 201:
                raise RuntimeError(f"submission {i} got HTTP {resp.status}: {body}")
        latencies.append((time.perf_counter() - t0) * 1000)

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                     timeout=aiohttp.ClientTimeout(total=120)) as session:
        t0 = time.perf_counter()
        await asyncio.gather(*(one(i, r, session) for i, r in enumerate(results)))
        return latencies, time.perf_counter() - t0


def _p99(values: list[float]) -> float:
    return sorted(values)[max(0, int(round(0.99 * len(values))) - 1)]


def measure() -> dict[str, float]:
    room, at_once = _results(FIRST_SEED), _results(FIRST_SEED + N)
    with tempfile.TemporaryDirectory() as tmp:
        proc, base = _start(Path(tmp))
        try:
            spread, _ = asyncio.run(_burst(base, room, BURST_WINDOW_S))
            burst, elapsed = asyncio.run(_burst(base, at_once, 0.0))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return {
        "submit_p99_ms": round(_p99(spread), 1),
        "submit_median_ms": round(statistics.median(spread), 1),
        "submit_all_at_once_p99_ms": round(_p99(burst), 1),
        "submit_all_at_once_median_ms": round(statistics.median(burst), 1),
        "submit_throughput_per_s": round(N / elapsed, 1),
    }


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(json.dumps(measure(), indent=2))
