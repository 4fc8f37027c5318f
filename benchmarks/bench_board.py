"""Workshop server latency: 200 learners against the real `mlsim workshop serve` on loopback, re-play included.

Keys (each the median of RUNS runs, each run a fresh server; targets on a 2-core machine):
  submit_p99_ms / submit_median_ms      "spread": 200 submissions over 10 s (arrivals evenly spaced)   p99 <= 200
  submit_burst_p99_ms / _median_ms      "burst": 200 submissions at the same instant                   p99 <= 1,000
  submit_throughput_per_s               results re-played and stored per second in the burst
  healthz_p95_ms                        GET /healthz, polled every 20 ms by a monitor process during the burst  p95 <= 50
Every learner first gets a ticket (a seed of their own, the default); each game is the expert's with one
move changed, so full length (the slowest to re-play) and not the bot's path. Nothing is trusted: every
result is re-played in the server's worker processes; the expert's run on each seed is the one the server
played when it issued the ticket (sim/board/yardstick.py), as in a real session where learners play for a
minute or more before sending.
MLSIM_BENCH_RUNS=1 runs once (a quick look while changing the server).
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
RUNS = int(__import__("os").environ.get("MLSIM_BENCH_RUNS", "3"))
SPREAD_S = 10.0  # 200 learners who finish "at the same time" press the key within ~10 s of each other
HEALTH_EVERY_S = 0.02
CODE = "BENCH2"


def _games(seeds: list[int]) -> list[dict]:
    """Full-length honest games, all at once: the expert's, except one early move (so not the bot's path).

    Played in lockstep (what `play_policy` does for one game, for every seed in one batch), because one
    expert game at a time would take the benchmark longer than the measurement."""
    from sim.coach.situation import Situation
    from sim.game.playthroughs import Playthroughs
    from sim.game.runner import expert_real_world, policy_named, policy_picks
    from sim.model import ACTION_IDS
    from sim.scenario import load

    case, digest = load("bird-detection")
    runs = Playthroughs(case, digest, seeds)
    engine = runs.engine
    expert = policy_named("expert", case, engine)
    deviated = [False] * len(seeds)
    while not engine.done.all():
        picks = policy_picks(expert, engine, case, Situation(engine.visible(), case))
        texts: list[str | None] = []
        for i in range(len(seeds)):
            pending = int(engine.pending[i])
            if engine.done[i]:
                texts.append(None)
            elif pending >= 0:
                texts.append(f"answer {case.decisions[pending].options[int(picks.option[i])].id}")
            elif engine.must_ship[i]:
                texts.append("ship")
            elif not deviated[i]:
                deviated[i] = True
                texts.append("train_longer")
            else:
                words = [ACTION_IDS[int(picks.action[i])]]
                if picks.category[i] >= 0:
                    words.append(f"category={case.categories[int(picks.category[i])].id}")
                if words[0] == "synthesize_data":
                    words.append(f"variety={float(picks.variety[i]):g}")
                texts.append(" ".join(words))
        runs.choose(texts)
    experts = expert_real_world(case, digest, seeds)
    return [json.loads(json.dumps(runs.result(i, float(experts[i])))) for i in range(len(seeds))]


def _start(home: Path) -> tuple[subprocess.Popen, str]:
    log = home / "server.log"
    env = dict(os.environ, MLSIM_HOME=str(home))
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sim", "workshop", "serve", "--port", "0", "--code", CODE,
                                 "--min-play-seconds", "0", "--db", str(home / "bench.sqlite3")],
                                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        for line in log.read_text().splitlines():
            if line.startswith("Join URL: "):
                return proc, line.split(" ", 2)[2].split("/?")[0]
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"the server did not start: {log.read_text()}")


async def _tickets(session, base: str, prefix: str) -> list[dict]:
    async def one(i: int) -> dict:
        async with session.post(f"{base}/api/tickets", json={"code": CODE, "name": f"{prefix} {i}",
                                                             "case": "bird-detection"}) as resp:
            if resp.status != 201:
                raise RuntimeError(f"ticket {i}: HTTP {resp.status} {await resp.text()}")
            return await resp.json()

    return list(await asyncio.gather(*(one(i) for i in range(N))))


async def _send(session, base: str, tickets: list[dict], results: list[dict], window_s: float) -> tuple[list[float], float]:
    latencies: list[float] = []

    async def one(i: int) -> None:
        await asyncio.sleep(window_s * i / N)
        body = {"code": CODE, "name": tickets[i]["name"], "ticket": tickets[i]["ticket"], "result": results[i]}
        t0 = time.perf_counter()
        async with session.post(f"{base}/api/results", json=body) as resp:
            text = await resp.text()
            if resp.status != 201:
                raise RuntimeError(f"submission {i} got HTTP {resp.status}: {text}")
        latencies.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(N)))
    return latencies, time.perf_counter() - t0


# A monitor of its own (another process, as a real one would be), so the burst's client does not slow it.
POLLER = """
import http.client, json, os, sys, time
host, port, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3]
conn, times = http.client.HTTPConnection(host, port, timeout=30), []
print("ready", flush=True)
while not os.path.exists(stop):
    t0 = time.perf_counter()
    conn.request("GET", "/healthz")
    conn.getresponse().read()
    times.append((time.perf_counter() - t0) * 1000)
    time.sleep(%r)
print(json.dumps(times))
""" % HEALTH_EVERY_S


def _start_poller(base: str, stop: Path) -> subprocess.Popen:
    host, port = base.split("//")[1].rsplit(":", 1)
    proc = subprocess.Popen([sys.executable, "-c", POLLER, host, port, str(stop)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[max(0, int(round(q * len(values))) - 1)]


def _client():
    import aiohttp

    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=120))


async def _run(base: str, home: Path) -> dict[str, float]:
    async with _client() as session:
        spread_tickets, burst_tickets = await _tickets(session, base, "spread"), await _tickets(session, base, "burst")
    # Learners play for minutes between their ticket and their result; the server uses that time to play the
    # expert on each ticket's seed. Playing 400 games here takes a few seconds of it.
    spread_games = _games([t["seed"] for t in spread_tickets])
    burst_games = _games([t["seed"] for t in burst_tickets])
    async with _client() as session:  # new connections: the server closed the idle ones while the games were played
        spread, _ = await _send(session, base, spread_tickets, spread_games, SPREAD_S)
    stop = home / "stop-polling"
    poller = _start_poller(base, stop)
    try:
        async with _client() as session:
            burst, elapsed = await _send(session, base, burst_tickets, burst_games, 0.0)
    finally:
        stop.touch()
        health = json.loads(poller.communicate(timeout=60)[0])
    return {"submit_p99_ms": _pct(spread, 0.99), "submit_median_ms": statistics.median(spread),
            "submit_burst_p99_ms": _pct(burst, 0.99), "submit_burst_median_ms": statistics.median(burst),
            "submit_throughput_per_s": N / elapsed, "healthz_p95_ms": _pct(health, 0.95)}


def measure() -> dict[str, float]:
    runs = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            proc, base = _start(Path(tmp))
            try:
                runs.append(asyncio.run(_run(base, Path(tmp))))
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    return {key: round(statistics.median(run[key] for run in runs), 1) for key in runs[0]}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    print(json.dumps(measure(), indent=2))
