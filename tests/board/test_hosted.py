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
import pytest

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


@pytest.fixture(params=["sqlite", "postgresql"])
def board_db(request, tmp_path) -> str:
    """A board with no rooms yet: a SQLite file, or a PostgreSQL schema of this test's own."""
    if request.param == "sqlite":
        return str(tmp_path / "board.sqlite3")
    return request.getfixturevalue("postgres_url")


def _add_room(db: str, *extra: str) -> tuple[str, str]:
    added = _mlsim("workshop", "room", "add", "--db", db, "--min-play-seconds", "0", *extra)
    assert added.returncode == 0, added.stderr
    said = dict(line.split(": ", 1) for line in added.stdout.splitlines() if ": " in line)
    return said["Join code"], said["Admin token (keep it off the projector)"]


def test_one_server_serves_every_room_each_with_its_code_token_seeds_and_pages(tmp_path, servers, board_db):
    (code_a, token_a), (code_b, token_b) = _add_room(board_db, "--room-seed", "7"), _add_room(board_db)
    served = servers(board_db, tmp_path / "all.log", "--all-rooms", own_room=False)
    out = served.output()
    assert f"?code={code_a}  (seed 7)" in out and f"?code={code_b}  (a seed per learner)" in out
    base = served.base

    async def run():
        async with aiohttp.ClientSession() as session:
            tickets = {}
            for code in (code_a, code_b):  # the same name in two rooms: two learners
                status, ticket = await _post(session, f"{base}/api/tickets",
                                             {"code": code, "name": "Ada", "case": "bird-detection"})
                assert status == 201, ticket
                tickets[code] = ticket
            wrong = await _post(session, f"{base}/api/tickets", {"code": "NOSUCH", "name": "Bo", "case": "cat-app"})
            for code in (code_a, code_b):
                ticket = tickets[code]
                body = {"code": code, "name": "Ada", "ticket": ticket["ticket"], "result": played(ticket["seed"])}
                status, entry = await _post(session, f"{base}/api/results", body)
                assert status == 201, entry
            crossed = await _post(session, f"{base}/api/results",  # room A's ticket sent with room B's code
                                  {"code": code_b, "name": "Ada", "ticket": tickets[code_a]["ticket"],
                                   "result": played(tickets[code_a]["seed"])})
            boards = {}
            for code in (code_a, code_b):
                async with session.get(f"{base}/api/leaderboard", params={"code": code}) as resp:
                    boards[code] = (await resp.json())["entries"]
            async with session.get(f"{base}/api/leaderboard") as resp:
                no_code = resp.status, await resp.json()
            async with session.get(f"{base}/", params={"code": code_b}) as resp:
                page = await resp.text()

            async def admin(token, path, body):
                async with session.post(f"{base}{path}", json=body,
                                        headers={"Authorization": f"Bearer {token}"}) as resp:
                    return resp.status, await resp.json()

            entry_b = boards[code_b][0]["id"]
            hide_other = await admin(token_a, "/api/admin/hide", {"id": entry_b, "hidden": True})
            freeze_a = await admin(token_a, "/api/admin/freeze", {"at": "now"})
            wrong_token = await admin("not-a-token", "/api/admin/freeze", {"at": "now"})
            link = (await admin(token_b, "/api/admin/export-link", {}))[1]["url"]
            async with session.get(link) as resp:
                csv_b = await resp.text()
            async with session.get(link.replace(f"room=", "room=x")) as resp:
                forged = resp.status
            status_b = []
            for code in (code_a, code_b):
                async with session.get(f"{base}/api/leaderboard", params={"code": code}) as resp:
                    status_b.append((await resp.json())["frozen_at"])
            return tickets, wrong, crossed, boards, no_code, page, hide_other, freeze_a, wrong_token, csv_b, forged, \
                status_b

    tickets, wrong, crossed, boards, no_code, page, hide_other, freeze_a, wrong_token, csv_b, forged, frozen = \
        asyncio.run(run())
    assert tickets[code_a]["seed"] == 7  # each room its own seed policy
    assert wrong[0] == 403 and "wrong join code" in wrong[1]["error"]
    assert crossed[0] == 422 and "another workshop room" in crossed[1]["error"]
    assert [len(boards[c]) for c in (code_a, code_b)] == [1, 1] and boards[code_a][0]["id"] != boards[code_b][0]["id"]
    assert no_code[0] == 404 and "?code=" in no_code[1]["error"]
    assert f"code={code_b}" in page  # the projector page asks for its own room's board
    assert hide_other[0] == 404  # room A's admin cannot touch room B's entries
    assert freeze_a[0] == 200 and wrong_token[0] == 403
    assert frozen[0] is not None and frozen[1] is None  # the freeze is room A's alone
    assert csv_b.count("\n") == 2 and forged == 403  # room B's CSV: a header and its one entry
    served.stop()
    assert "Traceback" not in served.output()
