"""The Store contract, run against every implementation (SQLite now; a PostgreSQL store joins `STORES` later).

What several server processes rely on: one ticket per (room, name, case), one claim per look-alike name,
one entry per ticket, counters that count every hit once, a secret every process reads the same.
"""

from __future__ import annotations

import threading

import pytest

from sim.board.store import Room, TicketUsed
from sim.board.verify import Verified

STORES = ("sqlite",)


@pytest.fixture(params=STORES)
def store(request, tmp_path):
    if request.param == "sqlite":
        from sim.board.sqlite_store import SQLiteStore

        made = SQLiteStore(tmp_path / "board.sqlite3", busy_timeout_s=5, retry_budget_s=30)
    made.put_room(Room("main", "BIRDS7", "token"))
    yield made
    made.close()


def _verified(rid: str, total: int = 10) -> Verified:
    return Verified(rid, "bird-detection", "sha256:x", 7, total, 0, total, 1.0, 20.0, {"id": rid})


def _ticket(store, name: str, learner: str = "k", case: str = "bird-detection", seed: int = 7):
    return store.ticket_for("main", learner, name.lower(), [(name, name.lower())], case, seed, 100.0, f"t-{name}-{case}")


def test_one_ticket_per_room_name_and_case(store):
    first, created = _ticket(store, "Ada")
    again, created_again = store.ticket_for("main", "k", "ada", [("Ada", "ada")], "bird-detection", 99, 200.0, "other")
    assert created and not created_again and again == first and again.seed == 7  # the first seed and time stay
    assert store.ticket(first.id) == first and store.ticket("nope") is None
    other_case, created = _ticket(store, "Ada", case="cat-app")
    assert created and other_case.id != first.id


def test_a_name_is_claimed_once_and_candidates_give_the_next_free_one(store):
    def ask(learner, asked, candidates):
        issued = store.ticket_for("main", learner, asked, candidates, "bird-detection", 1, 1.0, f"t-{learner}")
        return issued and issued[0].name

    options = [("Ada", "ada"), ("Ada (2)", "ada (2)"), ("Ada (3)", "ada (3)")]
    assert ask("k1", "ada", options) == "Ada"
    assert ask("k2", "ada", options) == "Ada (2)"
    assert ask("k1", "ada", options) == "Ada"  # a learner asking again keeps their name
    assert ask("k3", "ada", options[:1]) is None  # no free candidate: the server refuses politely


def test_one_entry_per_ticket_identical_games_are_two_entries_and_a_used_ticket_refuses_another(store):
    ada, _ = _ticket(store, "Ada")
    bo, _ = _ticket(store, "Bo")
    first, created = store.add(_verified("same"), "Ada", ada)
    second, created_too = store.add(_verified("same"), "Bo", bo)
    assert created and created_too and first.id != second.id and store.count() == 2
    again, created = store.add(_verified("same"), "Ada", ada)
    assert not created and again.id == first.id
    with pytest.raises(TicketUsed) as used:
        store.add(_verified("different", 99), "Ada", ada)
    assert used.value.entry.id == first.id and store.entry_for_ticket(ada.id).id == first.id


def test_ranks_hidden_and_practice_entries(store):
    ids = {}
    for name, total, practice in (("a", 10, False), ("b", 30, False), ("c", 50, True), ("d", 20, False)):
        ticket, _ = _ticket(store, name)
        ids[name] = store.add(_verified(name, total), name, ticket, practice)[0].id
    ranked = store.entries(room="main")
    assert [(e.name, e.rank) for e in ranked] == [("b", 1), ("d", 2), ("a", 3), ("c", None)]
    assert store.entry(ids["a"]).rank == 3
    assert store.set_hidden(ids["b"], True) and not store.set_hidden("12345", True)
    assert [e.name for e in store.entries(room="main")] == ["d", "a", "c"]
    assert store.entry(ids["a"]).rank == 2  # a hidden entry no longer counts
    assert store.hidden_ids() == {ids["b"]}


def test_rate_counters_count_every_hit_once_even_from_many_threads(store):
    counts: list[int] = []
    lock = threading.Lock()

    def hit():
        for _ in range(20):
            value = store.hits(["learner", "room"], 60, 1000.0)
            with lock:
                counts.append(value[0])

    threads = [threading.Thread(target=hit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == list(range(1, 81))
    assert store.hits(["room"], 60, 1000.0) == [81]
    assert store.hits(["room"], 60, 1060.0) == [1]  # a new window starts from nothing


def test_the_secret_and_room_settings_are_the_store_s_not_a_process_s(store):
    assert store.setting_once("secret", "first") == "first"
    assert store.setting_once("secret", "second") == "first"  # every process reads the one stored first
    store.set_frozen("main", "2026-05-09T15:30:00.000000Z")
    store.put_room(Room("main", "NEWCODE", "token", room_seed=5, min_play_seconds=30, allow_practice=True,
                        names="refuse"))
    room = store.room("main")
    assert (room.code, room.room_seed, room.min_play_seconds, room.allow_practice, room.names) == \
        ("NEWCODE", 5, 30.0, True, "refuse")
    assert room.frozen_at == "2026-05-09T15:30:00.000000Z"  # a restart with new settings keeps the freeze
    assert store.room_by_code("NEWCODE") == room and store.room_by_code("BIRDS7") is None
