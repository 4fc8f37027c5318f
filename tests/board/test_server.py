"""The workshop server on loopback: tickets, one entry per ticket, refusals with a sentence, the trainer's controls."""

from __future__ import annotations

import asyncio
import csv
import io

import pytest

from sim.board.server import CACHE_TTL_S, ROOM_TTL_S, Limits
from tests.board.conftest import CASE, played, workshop_server

ROOM_SEED = 4242


async def test_a_ticket_gives_the_seed_and_asking_again_gives_the_same_ticket(workshop, session):
    first = await workshop.ticket(session, "Ada", learner="k1")
    assert set(first) >= {"ticket", "case", "seed", "issued_at", "name"} and first["case"] == CASE
    assert first["name"] == "Ada" and first["case_hash"].startswith("sha256:")
    again = await workshop.ticket(session, "Ada", learner="k1")
    assert again["ticket"] == first["ticket"]
    other_case = await workshop.ticket(session, "Ada", case="cat-app", learner="k1")
    assert other_case["ticket"] != first["ticket"]
    status, body = await workshop.post(session, "/api/tickets", {"code": workshop.code, "name": "Ada",
                                                                  "case": "mars-rover"})
    assert status == 422 and "no case 'mars-rover'" in body["error"]
    status, body = await workshop.post(session, "/api/tickets", {"code": "WRONG1", "name": "Ada", "case": CASE})
    assert status == 403 and "join code" in body["error"]


async def test_a_taken_or_look_alike_name_gets_a_visible_suffix(workshop, session):
    ada = await workshop.ticket(session, "Ada", learner="laptop-1")
    twin = await workshop.ticket(session, "Ada", learner="laptop-2")
    cyrillic = await workshop.ticket(session, "\u0410da", learner="laptop-3")  # Cyrillic A: looks the same
    assert (ada["name"], twin["name"], cyrillic["name"]) == ("Ada", "Ada (2)", "\u0410da (3)")
    assert (await workshop.ticket(session, "Ada", learner="laptop-2"))["name"] == "Ada (2)"  # theirs, kept


async def test_the_trainer_can_refuse_taken_names_politely(tmp_path, session):
    async with workshop_server(tmp_path, names="refuse") as workshop:
        await workshop.ticket(session, "Ada", learner="laptop-1")
        status, body = await workshop.post(session, "/api/tickets", {"code": workshop.code, "name": "ADA",
                                                                      "case": CASE, "learner": "laptop-2"})
    assert status == 409 and "taken" in body["error"] and "initial" in body["error"]


async def test_40_learners_with_the_room_seed_and_the_same_moves_are_40_entries(tmp_path, session):
    async with workshop_server(tmp_path, room_seed=ROOM_SEED) as workshop:
        tickets = [await workshop.ticket(session, f"learner {i}") for i in range(40)]
        assert {t["seed"] for t in tickets} == {ROOM_SEED} and all(t["room_seed"] for t in tickets)
        result = played(ROOM_SEED, 1)
        answers = await asyncio.gather(*(workshop.submit(session, t, result) for t in tickets))
        assert [status for status, _ in answers] == [201] * 40
        board = await workshop.board(session)
    assert sorted(e["name"] for e in board["entries"]) == sorted(f"learner {i}" for i in range(40))
    assert {e["result_id"] for e in board["entries"]} == {result["id"]}  # one game, forty learners
    assert [e["rank"] for e in board["entries"]] == list(range(1, 41))  # ties: the earlier submission first


async def test_per_learner_seeds_each_entry_stored_once_and_resending_is_idempotent(workshop, session):
    tickets = [await workshop.ticket(session, f"p{i}") for i in range(8)]
    assert len({t["seed"] for t in tickets}) == 8
    results = [played(t["seed"], i) for i, t in enumerate(tickets)]
    first = await asyncio.gather(*(workshop.submit(session, t, r) for t, r in zip(tickets, results)))
    assert [s for s, _ in first] == [201] * 8
    assert all(body["total"] == r["score"]["total"] for (_, body), r in zip(first, results))
    again = await asyncio.gather(*(workshop.submit(session, t, r) for t, r in zip(tickets, results)))
    assert [s for s, _ in again] == [200] * 8 and [b["id"] for _, b in again] == [b["id"] for _, b in first]
    assert workshop.store.count() == 8


async def test_the_same_ticket_twice_at_once_is_stored_once(workshop, session):
    ticket = await workshop.ticket(session, "twin")
    result = played(ticket["seed"], 2)
    answers = await asyncio.gather(*(workshop.submit(session, ticket, result) for _ in range(5)))
    assert sorted(status for status, _ in answers) == [200, 200, 200, 200, 201]
    assert workshop.store.count() == 1


async def test_a_different_result_on_a_used_ticket_is_409(workshop, session):
    ticket = await workshop.ticket(session, "Ada")
    assert (await workshop.submit(session, ticket, played(ticket["seed"], 0)))[0] == 201
    status, body = await workshop.submit(session, ticket, played(ticket["seed"], 1))
    assert status == 409 and "already has a result" in body["error"]
    assert workshop.store.count() == 1


async def _forged(workshop, session) -> str:
    from sim.board import tickets
    from sim.board.store import Ticket

    real = await workshop.ticket(session, "Eve")
    fake = Ticket("f" * 24, "main", "Eve", CASE, real["seed"], 0.0)
    return tickets.sign(fake, "not the board's secret")


@pytest.mark.parametrize("how, words", [
    ("none", "has no ticket"),
    ("garbage", "not one this workshop issued"),
    ("forged", "signature does not match"),
    ("unknown to the store", "not in the board file"),
    ("other learner's", "was issued to Ada, not to Mallory"),
    ("other seed", "its ticket gives seed"),
    ("other case", "its ticket is for cat-app"),
])
async def test_results_without_a_valid_ticket_of_their_own_are_refused_with_a_sentence(workshop, session, how, words):
    ada = await workshop.ticket(session, "Ada")
    mallory = await workshop.ticket(session, "Mallory")
    result = played(mallory["seed"], 3)
    body = {"code": workshop.code, "name": "Mallory", "ticket": mallory["ticket"], "result": result}
    if how == "none":
        del body["ticket"]
    elif how == "garbage":
        body["ticket"] = "abc.def"
    elif how == "forged":
        body["ticket"] = await _forged(workshop, session)
        body["name"] = "Eve"
    elif how == "unknown to the store":  # signed with the board's own secret, yet never issued
        from sim.board import tickets
        from sim.board.server import WORKSHOP
        from sim.board.store import Ticket

        made_up = Ticket("0" * 24, "main", "Mallory", CASE, mallory["seed"], 0.0)
        body["ticket"] = tickets.sign(made_up, workshop.app[WORKSHOP].secret)
    elif how == "other learner's":
        body["ticket"] = ada["ticket"]
        body["result"] = played(ada["seed"], 3)
    elif how == "other seed":
        body["result"] = played(mallory["seed"] + 1, 3)
    elif how == "other case":
        body["ticket"] = (await workshop.ticket(session, "Mallory", case="cat-app"))["ticket"]
    status, answer = await workshop.post(session, "/api/results", body)
    assert status == 422 and words in answer["error"], answer
    assert workshop.store.count() == 0


@pytest.mark.parametrize("tamper, words", [
    (lambda r: r["score"].update(total=r["score"]["total"] + 100), "score"),
    (lambda r: r.update(choices=r["choices"][:-1] + ["bigger_network", "ship"]), "id"),
    (lambda r: r.update(case_hash="sha256:" + "f" * 64), "unknown case hash"),
    (lambda r: r.update(model=r["model"] - 1), "another version of the simulator"),
    (lambda r: r["final"]["ladder"].update(dev=int("9" * 400)), "final ladder"),
])
async def test_tampered_results_with_a_valid_ticket_get_422(workshop, session, tamper, words):
    ticket = await workshop.ticket(session, "Mallory")
    result = played(ticket["seed"], 4)
    tamper(result)
    status, body = await workshop.submit(session, ticket, result)
    assert status == 422 and words in body["error"], body
    assert "tamper" not in body["error"]
    assert workshop.store.count() == 0


async def test_a_result_sooner_than_the_minimum_play_time_is_refused_naming_it(tmp_path, session):
    async with workshop_server(tmp_path, min_play_seconds=60.0) as workshop:
        ticket = await workshop.ticket(session, "Speedy")
        status, body = await workshop.submit(session, ticket, played(ticket["seed"], 0))
    assert status == 422 and "at least 60 s" in body["error"] and "--min-play-seconds" in body["error"]


async def test_the_bot_cannot_win_expert_paths_and_policy_games_are_refused_or_practice(tmp_path, session):
    async with workshop_server(tmp_path) as workshop:
        ticket = await workshop.ticket(session, "Bot")
        expert = played(ticket["seed"], policy="expert")  # no "policy" field: only its path gives it away
        status, body = await workshop.submit(session, ticket, expert)
        assert status == 422 and "expert policy's on its seed, move for move" in body["error"]
        labelled = dict(played(ticket["seed"], policy="random"), policy="random")
        status, body = await workshop.submit(session, ticket, labelled)
        assert status == 422 and "random policy" in body["error"]
        assert workshop.store.count() == 0
    async with workshop_server(tmp_path / "practice", allow_practice=True) as workshop:
        ticket = await workshop.ticket(session, "Bot")
        status, body = await workshop.submit(session, ticket, played(ticket["seed"], policy="expert"))
        assert status == 201 and body["practice"] and body["rank"] is None
        human = await workshop.ticket(session, "Human")
        assert (await workshop.submit(session, human, played(human["seed"], 0)))[0] == 201
        board = await workshop.board(session)
    assert [(e["name"], e["rank"], e["practice"]) for e in board["entries"]] == [("Human", 1, False),
                                                                              ("Bot", None, True)]


async def test_text_plain_and_foreign_origin_posts_are_refused(workshop, session):
    ticket = await workshop.ticket(session, "Ada")
    body = {"code": workshop.code, "name": "Ada", "ticket": ticket["ticket"], "result": played(ticket["seed"], 0)}
    import json

    async with session.post(f"{workshop.base}/api/results", data=json.dumps(body),
                            headers={"Content-Type": "text/plain"}) as resp:
        assert resp.status == 415 and "application/json" in (await resp.json())["error"]
    async with session.post(f"{workshop.base}/api/results", json=body,
                            headers={"Origin": "http://evil.example"}) as resp:
        assert resp.status == 403 and "other sites" in (await resp.json())["error"]
        assert "Access-Control-Allow-Origin" not in resp.headers
    async with session.post(f"{workshop.base}/api/admin/freeze", json={"at": "now"},
                            headers={**workshop.admin, "Origin": "http://evil.example"}) as resp:
        assert resp.status == 403
    assert workshop.store.count() == 0
    async with session.post(f"{workshop.base}/api/results", json=body, headers={"Origin": workshop.base}) as resp:
        assert resp.status == 201  # this server's own pages may post


async def test_the_admin_token_is_taken_only_from_the_authorization_header(workshop, session):
    async with session.post(f"{workshop.base}/api/admin/freeze?token={workshop.token}", json={"at": "now"}) as resp:
        assert resp.status == 403 and "never in the URL" in (await resp.json())["error"]
    async with session.get(f"{workshop.base}/export.csv?token={workshop.token}") as resp:
        assert resp.status == 403
    async with session.post(f"{workshop.base}/api/admin/freeze", json={"at": "now"}) as resp:
        assert resp.status == 403
    assert (await workshop.board(session))["frozen_at"] is None


async def test_csv_for_the_trainer_and_a_short_lived_signed_link_for_a_browser(workshop, session):
    for i in range(3):
        ticket = await workshop.ticket(session, f"=cmd|{i}")
        assert (await workshop.submit(session, ticket, played(ticket["seed"], i)))[0] == 201
    async with session.get(f"{workshop.base}/export.csv") as resp:
        assert resp.status == 403
    async with session.get(f"{workshop.base}/export.csv", headers=workshop.admin) as resp:
        rows = list(csv.reader(io.StringIO(await resp.text())))
    assert rows[0][:3] == ["rank", "name", "case"] and rows[0][-1] == "hidden" and len(rows) == 4
    assert all(r[1].startswith("'=") for r in rows[1:])  # no formula runs when the trainer opens it
    flags = [rows[0].index("practice"), rows[0].index("hidden")]
    assert {r[k] for r in rows[1:] for k in flags} == {"no"}  # yes/no in every yes-or-no column
    status, link = await workshop.post(session, "/api/admin/export-link", {}, workshop.admin)
    assert status == 200 and "sig=" in link["url"] and "token" not in link["url"]
    async with session.get(link["url"]) as resp:
        assert resp.status == 200 and len(list(csv.reader(io.StringIO(await resp.text())))) == 4
    expired = link["url"].replace("expires=", "expires=1")  # a changed expiry breaks the signature
    async with session.get(expired) as resp:
        assert resp.status == 403 and "expired" in (await resp.json())["error"]


async def test_freeze_hide_by_entry_id_and_hidden_stays_hidden(workshop, session):
    async def names():
        return sorted(e["name"] for e in (await workshop.board(session, CASE))["entries"])

    early = await workshop.ticket(session, "early")
    late = await workshop.ticket(session, "late")
    assert (await workshop.submit(session, early, played(early["seed"], 0)))[0] == 201
    assert (await workshop.post(session, "/api/admin/freeze", {"at": "now"}, workshop.admin))[0] == 200
    late_result = played(late["seed"], 1)
    status, answer = await workshop.submit(session, late, late_result)
    assert status == 201 and answer["rank"] is None and answer["frozen"]  # no rank leaks before the reveal
    assert await names() == ["early"]
    assert (await workshop.post(session, "/api/admin/freeze", {"at": None}, workshop.admin))[0] == 200
    assert await names() == ["early", "late"]
    status, body = await workshop.post(session, "/api/admin/hide", {"id": answer["id"], "hidden": "false"},
                                       workshop.admin)
    assert status == 400 and "true or false" in body["error"]
    assert (await workshop.post(session, "/api/admin/hide", {"id": "late"}, workshop.admin))[0] == 404  # ids only
    assert (await workshop.post(session, "/api/admin/hide", {"id": answer["id"]}, workshop.admin))[0] == 200
    assert await names() == ["early"]
    assert (await workshop.submit(session, late, late_result))[0] == 200  # re-sent: still hidden
    assert await names() == ["early"]


async def test_the_leaderboard_has_an_etag_and_the_game_s_rounding(workshop, session):
    ticket = await workshop.ticket(session, "Ada")
    await workshop.submit(session, ticket, played(ticket["seed"], 0))
    async with session.get(f"{workshop.base}/api/leaderboard") as resp:
        etag, data = resp.headers["ETag"], await resp.json()
    entry = data["entries"][0]
    from sim import fmt

    assert entry["shown"] == {"real_world_error": fmt.error(entry["real_world_error"]),
                              "weeks": fmt.weeks(entry["weeks"])}
    async with session.get(f"{workshop.base}/api/leaderboard", headers={"If-None-Match": etag}) as resp:
        assert resp.status == 304


async def test_healthz_reports_the_pool_the_queue_and_the_store(workshop, session):
    async with session.get(f"{workshop.base}/healthz") as resp:
        assert resp.status == 200
        body = await resp.json()
    assert body["ok"] and body["store"] == {"state": "ok"}
    assert body["pool"]["alive"] >= 1 and body["queue"]["waiting"] == 0


async def test_200_learners_behind_one_address_all_get_through_the_default_limits(tmp_path, session):
    async with workshop_server(tmp_path, limits=Limits(), room_seed=ROOM_SEED) as workshop:
        tickets = await asyncio.gather(*(workshop.ticket(session, f"room {i}") for i in range(200)))
        answers = await asyncio.gather(*(workshop.submit(session, t, played(ROOM_SEED, i % 6))
                                         for i, t in enumerate(tickets)))
        assert [s for s, _ in answers] == [201] * 200, {s for s, _ in answers}
        assert workshop.store.count() == 200


async def test_the_submission_limit_is_per_learner_with_a_room_wide_cap(tmp_path, session):
    import time

    if time.time() % 60 > 50:  # counters are per minute: do not straddle a minute's end
        await asyncio.sleep(61 - time.time() % 60)
    async with workshop_server(tmp_path, limits=Limits(learner_per_minute=2, room_per_minute=6),
                               room_seed=ROOM_SEED) as workshop:
        ada = await workshop.ticket(session, "Ada")
        tampered = played(ROOM_SEED, 0)
        tampered["score"]["total"] += 1
        statuses = [(await workshop.submit(session, ada, tampered))[0] for _ in range(3)]
        assert statuses == [422, 422, 429]  # one learner hammering is stopped...
        others = [await workshop.ticket(session, f"o{i}") for i in range(4)]
        statuses = [(await workshop.submit(session, t, played(ROOM_SEED, 1)))[0] for t in others]
        assert statuses == [201, 201, 201, 429]  # ...and the room as a whole (Ada's 3 included) has a cap
        async with session.post(f"{workshop.base}/api/results", json={
                "code": workshop.code, "name": "o3", "ticket": others[3]["ticket"],
                "result": played(ROOM_SEED, 1)}) as resp:
            assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1


class GatedReplayer:
    """Re-plays in threads once `gate` is set, and counts every batch it is handed."""

    def __init__(self, inner, gate: asyncio.Event):
        self.inner, self.gate, self.size = inner, gate, inner.size
        self.batches: list[list[str]] = []

    async def start(self):
        await self.inner.start()

    async def run(self, records):
        self.batches.append([r["id"] for r in records])
        await self.gate.wait()
        return await self.inner.run(records)

    async def experts(self, jobs):
        return await self.inner.experts(jobs)

    def health(self):
        return self.inner.health()

    async def stop(self):
        await self.inner.stop()


async def test_a_full_queue_answers_503_with_retry_after_and_the_queued_ones_go_through(tmp_path, session):
    from concurrent.futures import ThreadPoolExecutor

    from sim.board.pool import ThreadReplayer

    gate = asyncio.Event()
    with ThreadPoolExecutor(1) as executor:
        replayer = GatedReplayer(ThreadReplayer(executor, 1), gate)
        async with workshop_server(tmp_path, limits=Limits(learner_per_minute=0, room_per_minute=0, queue=2),
                                   replayer=replayer, room_seed=ROOM_SEED) as workshop:
            tickets = [await workshop.ticket(session, f"q{i}") for i in range(6)]
            sends = [asyncio.create_task(workshop.submit(session, tickets[0], played(ROOM_SEED, 0)))]
            while not replayer.batches:  # the first is in re-play (held at the gate)...
                await asyncio.sleep(0.01)
            sends += [asyncio.create_task(workshop.submit(session, t, played(ROOM_SEED, i)))
                      for i, t in enumerate(tickets[1:], 1)]
            while sum(t.done() for t in sends) < 3:  # ...two wait in the queue, the other three are turned away
                await asyncio.sleep(0.01)
            async with session.post(f"{workshop.base}/api/results", json={
                    "code": workshop.code, "name": "q5", "ticket": tickets[5]["ticket"],
                    "result": played(ROOM_SEED, 5)}) as resp:
                assert resp.status == 503 and int(resp.headers["Retry-After"]) >= 1
            gate.set()
            answers = await asyncio.gather(*sends)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 201, 201, 503, 503, 503]
    assert all("outbox" in body["error"] for status, body in answers if status == 503)


async def test_one_bad_record_is_refused_alone_and_never_reaches_or_slows_its_batch(tmp_path, session):
    from concurrent.futures import ThreadPoolExecutor

    from sim.board.pool import ThreadReplayer

    gate = asyncio.Event()
    with ThreadPoolExecutor(1) as executor:
        replayer = GatedReplayer(ThreadReplayer(executor, 1), gate)
        async with workshop_server(tmp_path, replayer=replayer, room_seed=ROOM_SEED) as workshop:
            tickets = [await workshop.ticket(session, f"b{i}") for i in range(12)]
            results = [played(ROOM_SEED, i % 6) for i in range(12)]
            results[5]["final"]["ladder"]["dev"] = int("4" * 400)  # a 400-digit number
            results[7]["turns"] = __import__("json").loads("[" * 900 + "]" * 900)  # 900 deep, outside the replay
            sends = [asyncio.create_task(workshop.submit(session, t, r)) for t, r in zip(tickets, results)]
            await asyncio.sleep(0.3)
            gate.set()
            answers = await asyncio.gather(*sends)
    assert [s for s, _ in answers] == [201] * 5 + [422] + [201] * 6
    seen = [rid for batch in replayer.batches for rid in batch]
    assert len(seen) == 11 and len(replayer.batches) <= 3  # the bad one never went; no batch re-ran one by one


class RecordingReplayer:
    """Re-plays in threads and keeps every batch of records it is handed (to see what travels to a worker)."""

    def __init__(self, inner):
        self.inner, self.size = inner, inner.size
        self.records: list[dict] = []
        self.expert_jobs: list[list] = []

    async def start(self):
        await self.inner.start()

    async def run(self, records):
        self.records.extend(records)
        return await self.inner.run(records)

    async def experts(self, jobs):
        self.expert_jobs.extend(jobs)
        return await self.inner.experts(jobs)

    def health(self):
        return self.inner.health()

    async def stop(self):
        await self.inner.stop()


async def test_the_expert_is_played_when_a_ticket_is_issued_and_its_kept_run_goes_with_the_re_play(tmp_path, session):
    from concurrent.futures import ThreadPoolExecutor

    from sim.board.pool import ThreadReplayer
    from sim.game.runner import expert_runs
    from sim.model import MODEL_VERSION
    from tests.board.conftest import _bird, wait_for

    with ThreadPoolExecutor(2) as executor:
        replayer = RecordingReplayer(ThreadReplayer(executor, 2))
        async with workshop_server(tmp_path, replayer=replayer) as workshop:
            tickets = [await workshop.ticket(session, name) for name in ("Ada", "Bo", "Cy")]
            keys = [(t["case_hash"], t["seed"]) for t in tickets]
            kept = await wait_for(lambda: _kept(workshop.store, MODEL_VERSION, keys), what="the expert's kept runs")
            case, digest = _bird()
            for key, run in zip(keys, expert_runs(case, digest, [seed for _, seed in keys])):
                assert kept[key].real_world == run.real_world and kept[key].path == run.path
            assert sorted(job[2] for job in replayer.expert_jobs) == sorted(seed for _, seed in keys)  # one batch
            forged = dict(played(tickets[0]["seed"], 0), expert={"real_world": 99.0, "path": []})
            status, _ = await workshop.submit(session, tickets[0], forged)  # a client's "expert" is never used
            assert status == 201
            assert replayer.records[-1]["expert"] == {"real_world": kept[keys[0]].real_world,
                                                      "path": list(kept[keys[0]].path)}


async def _kept(store, model, keys):
    found = store.experts(model, keys)
    return found if len(found) == len(keys) else None


def test_a_kept_expert_run_is_used_instead_of_playing_the_expert_and_scores_the_same(monkeypatch):
    from sim.board.verify import check_record, verify_chunk
    from sim.game import runner
    from tests.board.conftest import _bird

    case, digest = _bird()
    result = played(101, 0)
    assert result["score"]["outcome"] > 0  # a game whose outcome depends on the yardstick
    honest = verify_chunk([check_record(result)])[0]
    run = runner.expert_runs(case, digest, [101])[0]
    monkeypatch.setattr(runner, "expert_runs", lambda *a: pytest.fail("the expert was played again"))
    monkeypatch.setattr(runner, "expert_real_world", lambda *a: pytest.fail("the expert was played again"))
    given = dict(check_record(result), expert={"real_world": run.real_world, "path": list(run.path)})
    assert verify_chunk([given])[0] == honest
    wrong = dict(check_record(result), expert={"real_world": run.real_world / 2, "path": list(run.path)})
    assert "error" in verify_chunk([wrong])[0]  # the yardstick matters: another one gives another score


@pytest.mark.parametrize("number", ["\u00b2", "\u0663", "9" * 5000, "0" + "9" * 11, ""])
async def test_odd_digits_in_links_page_options_and_entry_ids_get_a_sentence_never_a_500(workshop, session, number):
    """str.isdigit() takes "²" and Arabic-Indic digits, which int() refuses or reads as other numbers; past
    4,300 digits int() refuses any number: each is refused (or ignored) with a sentence."""
    for path in (f"/export.csv?expires={number}&sig=x", f"/room?expires={number}&sig=x"):
        async with session.get(f"{workshop.base}{path}") as resp:
            assert resp.status == 403 and "link" in (await resp.json())["error"], path
    async with session.get(f"{workshop.base}/?advance={number}") as resp:
        assert resp.status == 200  # a page option it cannot read is left at its default
    for entry in (number, int("9" * 31)):
        status, body = await workshop.post(session, "/api/admin/hide", {"id": entry}, workshop.admin)
        assert status in (400, 404) and "id" in body["error"]


async def test_a_join_code_is_read_in_ascii_capitals_only(workshop, session):
    lower = await workshop.post(session, "/api/tickets", {"code": f"  {workshop.code.lower()}\n", "name": "Ada",
                                                          "case": CASE})
    assert lower[0] == 201
    for look_alike in (workshop.code.replace("S", "\u00df", 1), "\u00a0" + workshop.code, workshop.code + "\u200b"):
        status, body = await workshop.post(session, "/api/tickets", {"code": look_alike, "name": "Bo", "case": CASE})
        assert status == 403 and "wrong join code" in body["error"], look_alike


async def test_a_deleted_room_takes_no_ticket_and_shows_no_board(workshop, session):
    ticket = await workshop.ticket(session, "Ada")
    assert (await workshop.submit(session, ticket, played(ticket["seed"], 0)))[0] == 201
    assert len((await workshop.board(session))["entries"]) == 1
    workshop.store.delete_room("main")
    # At once (the room's settings are still in this process's one-second cache): the claim's own
    # transaction finds the room gone.
    status, body = await workshop.post(session, "/api/tickets", {"code": workshop.code, "name": "Bo", "case": CASE})
    assert status == 410 and "deleted" in body["error"]
    assert workshop.store.room_sizes() == {}  # nothing of the room's was written after it went
    await asyncio.sleep(CACHE_TTL_S + ROOM_TTL_S)  # what this process serves from memory lives this long at most
    async with session.get(f"{workshop.base}/api/leaderboard") as resp:
        assert resp.status == 503 and "gone" in (await resp.json())["error"]
