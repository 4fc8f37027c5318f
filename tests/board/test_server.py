"""The workshop server on loopback: honest bursts stored once, tampering refused, names escaped, trainer controls."""

from __future__ import annotations

import asyncio
import copy
import csv
import io

import aiohttp
import pytest

from sim.board.client import aflush_outbox, asubmit_or_queue


async def _post(session, url, body):
    async with session.post(url, json=body) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_200_concurrent_honest_submissions_are_stored_exactly_once(workshop, honest_results):
    url = f"{workshop.base}/api/results"
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        first = await asyncio.gather(*(_post(session, url, {"code": workshop.code, "name": f"learner {i}", "result": r})
                                       for i, r in enumerate(honest_results)))
        assert [status for status, _ in first] == [201] * len(honest_results)
        assert all(body["total"] == r["score"]["total"] for (_, body), r in zip(first, honest_results))
        again = await asyncio.gather(*(_post(session, url, {"code": workshop.code, "name": "again", "result": r})
                                       for r in honest_results))
        assert [status for status, _ in again] == [200] * len(honest_results)
        async with session.get(f"{workshop.base}/api/leaderboard") as resp:
            board = await resp.json()
    assert sorted(e["result_id"] for e in board["entries"]) == sorted(r["id"] for r in honest_results)
    assert workshop.store.count() == len(honest_results)
    assert not any(e["name"] == "again" for e in board["entries"])


async def test_the_same_result_twice_at_once_is_stored_once(workshop, honest_results):
    url = f"{workshop.base}/api/results"
    async with aiohttp.ClientSession() as session:
        answers = await asyncio.gather(*(_post(session, url, {"code": workshop.code, "name": "twin", "result":
                                                              honest_results[3]}) for _ in range(5)))
    assert sorted(status for status, _ in answers) == [200, 200, 200, 200, 201]
    assert workshop.store.count() == 1


@pytest.mark.parametrize("tamper, words", [
    (lambda r: r["score"].update(total=r["score"]["total"] + 100), "score"),
    (lambda r: r.update(seed=r["seed"] + 1), "id"),
    (lambda r: r.update(case_hash="sha256:" + "f" * 64), "unknown case hash"),
    (lambda r: r.update(case="mars-rover"), "unknown case"),
])
async def test_tampered_or_unknown_results_get_422(workshop, honest_results, tamper, words):
    result = copy.deepcopy(honest_results[10])  # a full expert game
    tamper(result)
    async with aiohttp.ClientSession() as session:
        status, body = await _post(session, f"{workshop.base}/api/results",
                                   {"code": workshop.code, "name": "Mallory", "result": result})
    assert status == 422
    assert words in body["error"]
    assert workshop.store.count() == 0


async def test_wrong_code_403_bad_body_400_too_large_413(workshop, honest_results):
    url = f"{workshop.base}/api/results"
    async with aiohttp.ClientSession() as session:
        assert (await _post(session, url, {"code": "WRONG1", "name": "x", "result": honest_results[0]}))[0] == 403
        assert (await _post(session, url, {"name": "x", "result": honest_results[0]}))[0] == 403
        async with session.post(url, data=b"not json", headers={"Content-Type": "application/json"}) as resp:
            assert resp.status == 400
        huge = {"code": workshop.code, "name": "x", "result": dict(honest_results[0], padding="x" * 400_000)}
        async with session.post(url, json=huge) as resp:
            assert resp.status == 413
        assert (await _post(session, url, {"code": workshop.code.lower(), "name": "\x00 ", "result":
                                           honest_results[0]}))[0] == 422  # no name left after cleaning
    assert workshop.store.count() == 0


async def test_script_name_is_escaped_on_the_projector_page(workshop, honest_results):
    async with aiohttp.ClientSession() as session:
        status, body = await _post(session, f"{workshop.base}/api/results",
                                   {"code": workshop.code, "name": "<script>alert(1)</script>",
                                    "result": honest_results[1]})
        assert status == 201 and body["name"] == "<script>alert(1)</script>"  # stored as typed, shown as text
        async with session.get(f"{workshop.base}/") as resp:
            page = await resp.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "bird-detection" in page


async def test_csv_export_has_a_header_and_one_row_per_entry_for_the_trainer(workshop, honest_results):
    async with aiohttp.ClientSession() as session:
        for i, result in enumerate(honest_results[:5]):
            await _post(session, f"{workshop.base}/api/results",
                        {"code": workshop.code, "name": f"=cmd|{i}", "result": result})
        async with session.get(f"{workshop.base}/export.csv") as resp:
            assert resp.status == 403  # the CSV is the trainer's
        async with session.get(f"{workshop.base}/export.csv", headers={"Authorization": f"Bearer {workshop.token}"}) as resp:
            assert resp.status == 200
            rows = list(csv.reader(io.StringIO(await resp.text())))
    assert rows[0][:3] == ["rank", "name", "case"] and rows[0][-1] == "hidden"
    assert sorted(r[-2] for r in rows[1:]) == sorted(r["id"] for r in honest_results[:5])
    assert all(r[1].startswith("'=") for r in rows[1:])  # no formula runs when the trainer opens it


async def test_freeze_hides_later_submissions_until_the_reveal_and_hide_removes_an_entry(workshop, honest_results):
    url = f"{workshop.base}/api/results"
    admin = {"Authorization": f"Bearer {workshop.token}"}

    async def board(session):
        async with session.get(f"{workshop.base}/api/leaderboard?case=bird-detection") as resp:
            return await resp.json()

    async with aiohttp.ClientSession() as session:
        await _post(session, url, {"code": workshop.code, "name": "early", "result": honest_results[0]})
        async with session.post(f"{workshop.base}/api/admin/freeze", json={"at": "now"}) as resp:
            assert resp.status == 403  # no token, no freeze
        async with session.post(f"{workshop.base}/api/admin/freeze", json={"at": "now"}, headers=admin) as resp:
            assert resp.status == 200
        status, late = await _post(session, url, {"code": workshop.code, "name": "late", "result": honest_results[1]})
        assert status == 201 and late["rank"] is None and late["frozen"]  # no rank leaks before the reveal
        frozen = await board(session)
        assert [e["name"] for e in frozen["entries"]] == ["early"] and frozen["frozen_at"]
        async with session.post(f"{workshop.base}/api/admin/freeze", json={"at": None}, headers=admin) as resp:
            assert resp.status == 200
        assert sorted(e["name"] for e in (await board(session))["entries"]) == ["early", "late"]
        async with session.post(f"{workshop.base}/api/admin/hide", json={"id": "late"}, headers=admin) as resp:
            assert resp.status == 200
        assert [e["name"] for e in (await board(session))["entries"]] == ["early"]
        async with session.post(f"{workshop.base}/api/admin/hide", json={"id": "nobody"}, headers=admin) as resp:
            assert resp.status == 404


async def test_rate_limit_per_client_address(tmp_path, honest_results):
    from concurrent.futures import ThreadPoolExecutor

    from aiohttp.test_utils import TestServer

    from sim.board.server import create_app
    from sim.board.store import SQLiteStore

    with ThreadPoolExecutor(1) as executor:
        server = TestServer(create_app(SQLiteStore(tmp_path / "w.sqlite3"), "ABC234", "t", executor,
                                       rate_per_minute=2), host="127.0.0.1", port=0)
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as session:
                url = str(server.make_url("/api/results"))
                statuses = []
                for r in honest_results[:3]:
                    async with session.post(url, json={"code": "ABC234", "name": "n", "result": r}) as resp:
                        statuses.append(resp.status)
                        retry = resp.headers.get("Retry-After")
        finally:
            await server.close()
    assert statuses == [201, 201, 429]
    assert retry and int(retry) >= 1


async def test_client_queues_when_unreachable_and_flushes_later(workshop, honest_results, tmp_path):
    import socket

    with socket.socket() as s:  # a loopback port with nobody listening
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/?code={workshop.code}"
    outbox = tmp_path / "outbox"
    queued = await asubmit_or_queue(dead, "Ada", honest_results[2], outbox=outbox)
    assert not queued.sent and "outbox" in queued.message
    assert len(list(outbox.glob("*.json"))) == 1
    sent = await asubmit_or_queue(workshop.join_url, "Bo", honest_results[4], outbox=outbox)
    assert sent.sent and "Sent" in sent.message
    outcomes = await aflush_outbox(outbox, url=workshop.join_url)  # the trainer gave a new URL
    assert [o.sent for o in outcomes] == [True]
    assert list(outbox.glob("*.json")) == []
    assert workshop.store.count() == 2


async def test_client_keeps_a_refused_result_aside(workshop, honest_results, tmp_path):
    result = copy.deepcopy(honest_results[5])
    result["score"]["total"] += 1
    outcome = await asubmit_or_queue(workshop.join_url, "Eve", result, outbox=tmp_path / "outbox")
    assert outcome.refused and not outcome.sent and "refused" in outcome.message
    assert list((tmp_path / "outbox").glob("*.json")) == []
    assert len(list((tmp_path / "outbox" / "rejected").glob("*.json"))) == 1
