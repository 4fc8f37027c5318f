"""A hosted board: two real `mlsim workshop serve` processes on one PostgreSQL database (tests/postgres.py).

Learners get their ticket from one process and send their result to the other (as a load balancer would
spread them), some twice (a retry that reaches the other process): every result is stored once and every one
was re-played by a server, never taken on the client's word.
"""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys

import aiohttp

from tests.board.conftest import health, played

N_LEARNERS = 200
ROOM_SEED = 4242


async def _post(session, url: str, body: dict) -> tuple[int, dict]:
    async with session.post(url, json=body) as resp:
        return resp.status, await resp.json()


def test_two_server_processes_on_one_postgresql_take_200_results_once_each(tmp_path, servers, postgres_url):
    one = servers(postgres_url, tmp_path / "one.log", "--room-seed", str(ROOM_SEED), "--rate", "0")
    two = servers(postgres_url, tmp_path / "two.log", "--room-seed", str(ROOM_SEED), "--rate", "0")
    assert "PostgreSQL" in one.output() and "mlsim:mlsim@" not in one.output()  # its place, never its password
    assert "deleted 30 days after they joined" in one.output()  # a hosted room's names expire by default
    bases = [one.base, two.base]
    shuffle = random.Random(15)
    results = [played(ROOM_SEED, i) for i in range(N_LEARNERS)]

    async def learner(session, i: int) -> list[tuple[int, dict]]:
        first = shuffle.randrange(2)
        name = f"Learner {i}"
        status, ticket = await _post(session, f"{bases[first]}/api/tickets",
                                     {"code": "BIRDS7", "name": name, "case": "bird-detection"})
        assert status == 201, ticket
        body = {"code": "BIRDS7", "name": name, "ticket": ticket["ticket"], "result": results[i]}
        answers = [await _post(session, f"{bases[1 - first]}/api/results", body)]
        if i % 10 == 0:  # the answer was lost on the way: the client sends it again, and reaches the other process
            answers.append(await _post(session, f"{bases[first]}/api/results", body))
        return answers

    async def run():
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50),
                                         timeout=aiohttp.ClientTimeout(total=300)) as session:
            answers = await asyncio.gather(*(learner(session, i) for i in range(N_LEARNERS)))
            boards = []
            for base in bases:
                async with session.get(f"{base}/api/leaderboard") as resp:
                    boards.append((await resp.json())["entries"])
            healths = [await health(session, base) for base in bases]
            return answers, boards, healths

    answers, boards, healths = asyncio.run(run())
    firsts = [a[0] for a in answers]
    assert [s for s, _ in firsts] == [201] * N_LEARNERS, [e for s, e in firsts if s != 201][:3]
    for i, attempts in enumerate(answers):
        if len(attempts) == 2:
            assert attempts[1][0] == 200 and attempts[1][1]["id"] == attempts[0][1]["id"]  # the same entry
    for entries in boards:  # both processes show the whole board, each learner once
        assert len(entries) == N_LEARNERS and len({e["id"] for e in entries}) == N_LEARNERS
        assert sorted(e["name"] for e in entries) == sorted(f"Learner {i}" for i in range(N_LEARNERS))
    replayed = [h["queue"]["replayed"] for h in healths]
    # Every result was re-played where it arrived (retries of a stored ticket are answered from the board).
    assert sum(replayed) == N_LEARNERS and all(replayed), replayed
    by_name = {e["name"]: e for e in boards[0]}
    for i, result in enumerate(results):  # the score stored is the server's own re-play of each game
        assert by_name[f"Learner {i}"]["total"] == result["score"]["total"]
    for server in (one, two):
        server.stop()
        assert "Traceback" not in server.output()


def _mlsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=120)


def test_rooms_are_added_listed_served_and_deleted_with_their_learners(tmp_path, servers, postgres_url):
    added = [_mlsim("workshop", "room", "add", "--db", postgres_url, *extra) for extra in ((), ("--room-seed", "7"))]
    assert all(a.returncode == 0 for a in added), [a.stderr for a in added]
    codes = [next(line.split(": ")[1] for line in a.stdout.splitlines() if line.startswith("Join code")) for a in added]
    tokens = [next(line.split(": ")[1] for line in a.stdout.splitlines() if line.startswith("Admin token"))
              for a in added]
    assert len(set(codes)) == 2 and len(set(tokens)) == 2
    served = servers(postgres_url, tmp_path / "one.log", "--room", codes[1])
    assert f"?code={codes[1]}" in served.url and "one seed for the room (7)" in served.output()

    async def run():
        async with aiohttp.ClientSession() as session:
            ok = await _post(session, f"{served.base}/api/tickets", {"code": codes[1], "name": "Ada", "case": "cat-app"})
            other = await _post(session, f"{served.base}/api/tickets", {"code": codes[0], "name": "Ada", "case": "cat-app"})
            return ok, other

    (status, ticket), (other, _) = asyncio.run(run())
    assert status == 201 and ticket["seed"] == 7 and other == 403  # each room its own code
    listed = _mlsim("workshop", "room", "list", "--db", postgres_url)
    assert listed.returncode == 0 and codes[0] in listed.stdout and f"{codes[1]}  seed 7; 1 names" in listed.stdout
    gone = _mlsim("workshop", "room", "delete", codes[1], "--db", postgres_url)
    assert gone.returncode == 0 and "1 names" in gone.stdout
    assert codes[1] not in _mlsim("workshop", "room", "list", "--db", postgres_url).stdout
    missing = _mlsim("workshop", "room", "delete", "NOSUCH", "--db", postgres_url)
    assert missing.returncode == 1 and "no room with the code NOSUCH" in missing.stderr and "Traceback" not in missing.stderr
