"""The client's side: an outbox that loses nothing, backs off a busy server, and keeps refused results aside.

Also the server's own robustness against odd bodies, slow clients and too many connections.
"""

from __future__ import annotations

import asyncio
import json
import socket

import aiohttp
import pytest

from sim.board import client
from tests.board.conftest import played, workshop_server


@pytest.fixture
def refused_port():
    """A loopback port that refuses connections for the whole test: bound (so nobody else gets it), not listening."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield s.getsockname()[1]


async def test_client_queues_when_unreachable_and_flushes_later(workshop, session, tmp_path, refused_port):
    outbox = tmp_path / "outbox"
    dead = f"http://127.0.0.1:{refused_port}/?code={workshop.code}"
    ada = await workshop.ticket(session, "Ada")
    queued = await client.asubmit_or_queue(dead, "Ada", played(ada["seed"], 2), outbox=outbox, ticket=ada)
    assert not queued.sent and "could not be reached" in queued.message and "outbox" in queued.message
    assert len(list(outbox.glob("*.json"))) == 1
    bo = await workshop.ticket(session, "Bo")
    sent = await client.asubmit_or_queue(workshop.join_url, "Bo", played(bo["seed"], 4), outbox=outbox, ticket=bo)
    assert sent.sent and "Sent to the workshop: Bo, rank" in sent.message
    outcomes = await client.aflush_outbox(outbox, url=workshop.join_url)  # the trainer gave a new URL
    assert [o.sent for o in outcomes] == [True]
    assert list(outbox.glob("*.json")) == []
    assert workshop.store.count() == 2


async def test_a_result_without_a_kept_ticket_is_not_queued_and_says_it_does_not_count(workshop, tmp_path):
    outcome = await client.asubmit_or_queue(workshop.join_url, "Nobody", played(5, 0), outbox=tmp_path / "outbox")
    assert outcome.refused and "does not count" in outcome.message and "ticket" in outcome.message
    assert not (tmp_path / "outbox").exists()


async def test_a_fetched_ticket_is_kept_and_found_again_for_its_seed(workshop, isolated_home):
    got = await client.afetch_ticket(workshop.join_url, "Ada", "bird-detection")
    assert got.ticket is not None and got.ticket["name"] == "Ada"
    kept = client.ticket_for(workshop.join_url, "Ada", "bird-detection", got.ticket["seed"])
    assert kept is not None and kept["ticket"] == got.ticket["ticket"]
    assert client.ticket_for(workshop.join_url, "Ada", "bird-detection", got.ticket["seed"] + 1) is None
    again = await client.afetch_ticket(workshop.join_url, "Ada", "bird-detection")  # same learner key, same ticket
    assert again.ticket["ticket"] == got.ticket["ticket"]
    assert client.queue(workshop.join_url, "Ada", played(got.ticket["seed"], 1)) is not None
    outcomes = await client.aflush_outbox()
    assert [o.sent for o in outcomes] == [True] and "Sent to the workshop: Ada" in outcomes[0].message


async def test_a_ticket_cannot_be_had_from_an_unreachable_server(refused_port):
    outcome = await client.afetch_ticket(f"http://127.0.0.1:{refused_port}/?code=ABC234", "Ada", "bird-detection")
    assert outcome.ticket is None and not outcome.reachable and "could not be reached" in outcome.message


async def test_client_keeps_a_refused_result_aside_with_the_server_s_sentence(workshop, session, tmp_path):
    ticket = await workshop.ticket(session, "Eve")
    old = dict(played(ticket["seed"], 5), model=1)
    outcome = await client.asubmit_or_queue(workshop.join_url, "Eve", old, outbox=tmp_path / "outbox", ticket=ticket)
    assert outcome.refused and not outcome.sent
    assert "made by another version of the simulator" in outcome.message and "tamper" not in outcome.message
    assert list((tmp_path / "outbox").glob("*.json")) == []
    assert len(list((tmp_path / "outbox" / "rejected").glob("*.json"))) == 1


async def test_a_busy_server_is_retried_with_backoff_until_it_answers(tmp_path, session):
    """The first answers are 503 (the queue is full); the client waits, at least Retry-After, and gets through."""
    from concurrent.futures import ThreadPoolExecutor

    from sim.board.pool import ThreadReplayer
    from sim.board.server import Limits
    from tests.board.test_server import GatedReplayer

    gate = asyncio.Event()
    with ThreadPoolExecutor(1) as executor:
        replayer = GatedReplayer(ThreadReplayer(executor, 1), gate)
        async with workshop_server(tmp_path, limits=Limits(learner_per_minute=0, room_per_minute=0, queue=1),
                                   replayer=replayer, room_seed=9) as workshop:
            first, second, third = [await workshop.ticket(session, n) for n in ("a", "b", "c")]
            from sim.board.server import WORKSHOP

            queue = workshop.app[WORKSHOP].verifier.queue
            held = [asyncio.create_task(workshop.submit(session, first, played(9, 0)))]
            while not replayer.batches:  # the first is in re-play, held...
                await asyncio.sleep(0.01)
            held.append(asyncio.create_task(workshop.submit(session, second, played(9, 1))))
            while queue.qsize() < 1:  # ...the second fills the queue
                await asyncio.sleep(0.01)
            assert (await workshop.submit(session, third, played(9, 2)))[0] == 503  # busy now
            asyncio.get_running_loop().call_later(1.0, gate.set)  # the server frees up a second from now
            outcome = await client.asubmit_or_queue(workshop.join_url, "c", played(9, 2), outbox=tmp_path / "ob",
                                                    session=session, ticket=third, patience_s=15)
            await asyncio.gather(*held)
    assert outcome.sent, outcome.message


async def test_two_senders_flushing_one_outbox_lose_nothing_and_raise_nothing(workshop, session, tmp_path):
    outbox = tmp_path / "outbox"
    for i in range(12):
        ticket = await workshop.ticket(session, f"pair {i}")
        client._queue(outbox, workshop.join_url, ticket["name"], played(ticket["seed"], i), ticket)
    async with aiohttp.ClientSession() as a, aiohttp.ClientSession() as b:
        first, second = await asyncio.gather(client.aflush_outbox(outbox, a), client.aflush_outbox(outbox, b))
    assert not list(outbox.glob("*.json"))
    assert workshop.store.count() == 12
    assert len(first) + len(second) >= 12


async def _raw(port: int, data: bytes, read_for: float = 1.0) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    try:
        return await asyncio.wait_for(reader.read(65536), read_for)
    except asyncio.TimeoutError:
        return b""
    finally:
        writer.close()


async def test_absurd_bodies_are_bad_requests_not_server_errors(workshop, session):
    async def post(body: str):
        async with session.post(f"{workshop.base}/api/results", data=body,
                                headers={"Content-Type": "application/json"}) as resp:
            return resp.status, await resp.json(content_type=None)

    assert (await post("[" * 5000 + "]" * 5000))[0] == 400
    assert (await post("not json"))[0] == 400
    assert (await post(json.dumps({"code": workshop.code, "name": "x", "result": {}, "pad": "x" * 400_000})))[0] == 413
    status, body = await post(json.dumps({"code": workshop.code, "name": "\x00 ", "ticket": "a.b", "result": {}}))
    assert status == 422 and "name" in body["error"]  # no name left after cleaning
    async with session.post(f"{workshop.base}/api/admin/freeze", json={"at": "9999-12-31T23:59:59-05:00"},
                            headers=workshop.admin) as resp:
        assert resp.status == 400


async def test_connections_past_the_cap_get_503_and_the_server_keeps_serving(tmp_path, session):
    from aiohttp import web

    from sim.board.pool import ThreadReplayer
    from sim.board.server import WORKSHOP, Limits, cap_connections, create_app, open_store, ROOM_ID
    from sim.board.store import Room
    from concurrent.futures import ThreadPoolExecutor

    store = open_store(tmp_path / "w.sqlite3")
    store.put_room(Room(ROOM_ID, "BIRDS7", "t"))
    said: list[str] = []
    with ThreadPoolExecutor(1) as executor:
        app = create_app(store, ROOM_ID, ThreadReplayer(executor), Limits(), said.append)
        runner = web.AppRunner(app, keepalive_timeout=0.5)  # the header timeout, made short for the test
        await runner.setup()
        cap_connections(app[WORKSHOP], runner.server, 5)
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            idle = [await asyncio.open_connection("127.0.0.1", port) for _ in range(5)]
            for _, writer in idle:
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n")  # half-sent headers: slow clients holding a slot
                await writer.drain()
            await asyncio.sleep(0.1)
            refused = await _raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            assert refused.startswith(b"HTTP/1.1 503") and b"Retry-After" in refused
            assert any("More than 5 connections" in line for line in said)
            closed = [await asyncio.wait_for(reader.read(), 5) for reader, _ in idle]  # the header timeout ends them
            assert all(data == b"" or b"408" in data or b"400" in data for data in closed)
            await asyncio.sleep(0.1)
            answer = await _raw(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert answer.startswith(b"HTTP/1.1 200")
            for _, writer in idle:
                writer.close()
        finally:
            await runner.cleanup()
            store.close()


async def test_greedy_get_clients_are_slowed_down(tmp_path, session):
    from sim.board.server import Limits

    async with workshop_server(tmp_path, limits=Limits(get_per_second=5)) as workshop:
        statuses = []
        for _ in range(260):
            async with session.get(f"{workshop.base}/api/leaderboard") as resp:
                statuses.append(resp.status)
                if resp.status == 429:
                    assert int(resp.headers["Retry-After"]) >= 1
                    break
    assert statuses[-1] == 429 and statuses.count(200) >= 100  # a burst is fine, a flood is not


class _CountingReplayer:
    """Two slots that take 50 ms a batch and keep the size of every batch they are handed."""

    size = 2

    def __init__(self):
        self.batches: list[int] = []

    async def run(self, records):
        self.batches.append(len(records))
        await asyncio.sleep(0.05)
        return [{"n": r["n"]} for r in records]


async def test_a_trickling_burst_goes_in_a_few_large_batches_and_a_quiet_record_alone():
    from sim.board.pool import Verifier

    replayer = _CountingReplayer()
    verifier = Verifier(replayer)
    verifier.start()
    try:
        futures = []
        for n in range(60):  # a burst as a server reads it: one record every 2 ms
            futures.append(verifier.submit({"n": n}))
            await asyncio.sleep(0.002)
        assert [f["n"] for f in await asyncio.gather(*futures)] == list(range(60))
        assert sum(replayer.batches) == 60
        # Not one small batch per dispatcher as the burst starts: both wait for it, then share it.
        assert len(replayer.batches) <= 3 and min(replayer.batches[:2]) >= 20, replayer.batches
        replayer.batches.clear()
        assert (await verifier.submit({"n": 99})) == {"n": 99}
        assert replayer.batches == [1]
    finally:
        await verifier.stop()
