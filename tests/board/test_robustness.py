"""The workshop server survives bad records and odd bodies; two senders can flush one outbox at once."""

from __future__ import annotations

import asyncio
import copy
import json

import aiohttp

from sim.board import client


async def _post(session, url, body: str):
    async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_a_record_that_breaks_a_re_play_fails_alone(workshop, honest_results, monkeypatch):
    import sim.board.server as server

    real = server.verify_chunk

    def fussy(results):  # one poisoned record makes the whole chunk raise, as a worker crash would
        if any(r.get("seed") == -1 for r in results):
            raise ValueError("poisoned")
        return real(results)

    monkeypatch.setattr(server, "verify_chunk", fussy)
    poisoned = copy.deepcopy(honest_results[0])
    poisoned["seed"], poisoned["id"] = -1, "f" * 64
    url = f"{workshop.base}/api/results"
    bodies = [json.dumps({"code": workshop.code, "name": f"n{i}", "result": r})
              for i, r in enumerate([poisoned, *honest_results[1:6]])]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        answers = await asyncio.gather(*(_post(session, url, body) for body in bodies))
        later = await _post(session, url, json.dumps({"code": workshop.code, "name": "late",
                                                     "result": honest_results[7]}))
    assert answers[0][0] == 422
    assert [status for status, _ in answers[1:]] == [201] * 5
    assert later[0] == 201  # the dispatcher lives on


async def test_absurd_bodies_are_bad_requests_not_server_errors(workshop, honest_results):
    deep = "[" * 5000 + "]" * 5000
    nested = copy.deepcopy(honest_results[2])
    nested["final"]["ladder"] = json.loads("[" * 900 + "]" * 900)
    async with aiohttp.ClientSession() as session:
        status, _ = await _post(session, f"{workshop.base}/api/results", deep)
        assert status == 400
        status, _ = await _post(session, f"{workshop.base}/api/results",
                                json.dumps({"code": workshop.code, "name": "deep", "result": nested}))
        assert status in (400, 422)
        async with session.post(f"{workshop.base}/api/admin/freeze", json={"at": "9999-12-31T23:59:59-05:00"},
                                headers={"Authorization": f"Bearer {workshop.token}"}) as resp:
            assert resp.status == 400


async def test_two_senders_flushing_one_outbox_lose_nothing_and_raise_nothing(workshop, honest_results, tmp_path):
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    for i, result in enumerate(honest_results[20:32]):
        client._queue(outbox, workshop.join_url, f"pair {i}", result)
    async with aiohttp.ClientSession() as a, aiohttp.ClientSession() as b:
        first, second = await asyncio.gather(client.aflush_outbox(outbox, a), client.aflush_outbox(outbox, b))
    assert not list(outbox.glob("*.json"))
    assert workshop.store.count() == 12
    assert len(first) + len(second) >= 12
