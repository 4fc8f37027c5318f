"""The Store contract, run against both implementations: SQLite (a laptop's board) and PostgreSQL (hosted).

What several server processes rely on: one ticket per (room, name, case), one claim per look-alike name,
one entry per ticket, counters that count every hit once, a secret every process reads the same.
"""

from __future__ import annotations

import threading

import pytest

from sim.board.store import ExpertRun, Room, RoomSize, TicketUsed
from sim.board.verify import Verified

STORES = ("sqlite", "postgres")


def open_store(kind: str, request, tmp_path):
    if kind == "sqlite":
        from sim.board.sqlite_store import SQLiteStore

        return SQLiteStore(tmp_path / "board.sqlite3", busy_timeout_s=5, retry_budget_s=30)
    from sim.board.postgres_store import PostgresStore

    return PostgresStore(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=STORES)
def store(request, tmp_path):
    made = open_store(request.param, request, tmp_path)
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


def test_many_rooms_each_with_its_own_code_token_names_and_entries(store):
    store.put_room(Room("second", "CATS22", "token-2", room_seed=3, name_days=30))
    assert [r.code for r in store.rooms()] == ["BIRDS7", "CATS22"]
    assert store.room_by_token("token-2").id == "second" and store.room_by_token("nope") is None
    with pytest.raises(ValueError):  # a join code names one room
        store.put_room(Room("third", "CATS22", "token-3"))
    ada_main, _ = _ticket(store, "Ada")
    ada_second, created = store.ticket_for("second", "k", "ada", [("Ada", "ada")], "bird-detection", 3, 100.0, "t2")
    assert created and ada_second.name == "Ada"  # a name is taken per room, not per server
    store.add(_verified("one"), "Ada", ada_main)
    store.add(_verified("two"), "Ada", ada_second)
    assert [e.result_id for e in store.entries(room="second")] == ["two"] and store.count("second") == 1
    sizes = store.room_sizes()
    assert (sizes["main"].names, sizes["main"].entries, sizes["second"].entries) == (1, 1, 1)


def test_deleting_a_room_deletes_its_learners_names_tickets_and_entries_and_nothing_else(store):
    store.put_room(Room("second", "CATS22", "token-2"))
    kept, _ = _ticket(store, "Ada")
    store.add(_verified("kept"), "Ada", kept)
    gone, _ = store.ticket_for("second", "k", "bo", [("Bo", "bo")], "bird-detection", 1, 100.0, "t-gone")
    store.add(_verified("gone"), "Bo", gone)
    assert store.delete_room("second") == RoomSize(1, 1)
    assert store.room("second") is None and store.room_by_code("CATS22") is None
    assert store.ticket(gone.id) is None and store.entry_for_ticket(gone.id) is None and store.count("second") == 0
    assert store.entry_for_ticket(kept.id) is not None and store.count() == 1
    assert store.delete_room("second") is None
    again, created = store.ticket_for("main", "k2", "bo", [("Bo", "bo")], "bird-detection", 1, 100.0, "t-bo")
    assert created and again.name == "Bo"  # the name was the deleted room's only


def test_names_expire_after_their_room_s_period_with_their_tickets_and_entries(store):
    day = 86400.0
    store.put_room(Room("main", "BIRDS7", "token", name_days=30))
    store.put_room(Room("kept", "KEEP22", "token-k"))  # no period: kept until the room is deleted
    old = store.ticket_for("main", "k1", "old", [("Old", "old")], "bird-detection", 1, 1000.0, "t-old")[0]
    new = store.ticket_for("main", "k2", "new", [("New", "new")], "bird-detection", 1, 1000.0 + 20 * day, "t-new")[0]
    forever = store.ticket_for("kept", "k3", "old", [("Old", "old")], "bird-detection", 1, 1000.0, "t-forever")[0]
    for ticket in (old, new, forever):
        store.add(_verified(ticket.id), ticket.name, ticket)
    assert store.expire_names(1000.0 + 29 * day) == 0
    assert store.expire_names(1000.0 + 31 * day) == 1
    assert store.ticket(old.id) is None and store.entry_for_ticket(old.id) is None
    assert store.ticket(new.id) == new and store.entry_for_ticket(forever.id) is not None
    assert [e.name for e in store.entries(room="main")] == ["New"]
    fresh, created = store.ticket_for("main", "k9", "old", [("Old", "old")], "bird-detection", 1, 5e6, "t-again")
    assert created and fresh.name == "Old"  # the expired name is free again


def test_the_expert_s_run_is_kept_per_model_case_hash_and_seed_first_one_wins(store):
    run = ExpertRun(1.25, ("measure_human_level", "answer b", "ship"))
    store.put_experts(4, [("sha256:x", 7, run), ("sha256:x", 8, ExpertRun(2.5, ("ship",)))])
    store.put_experts(4, [("sha256:x", 7, ExpertRun(9.0, ()))])  # a second process playing the same seed
    found = store.experts(4, [("sha256:x", 7), ("sha256:x", 9), ("sha256:y", 7)])
    assert found == {("sha256:x", 7): run}
    assert store.experts(5, [("sha256:x", 7)]) == {}  # another simulator version plays another expert


def test_the_same_learner_asking_at_once_from_many_threads_gets_one_name_and_one_ticket(store):
    issued = []
    lock = threading.Lock()
    candidates = [("Ada", "ada")] + [(f"Ada ({n})", f"ada ({n})") for n in range(2, 10)]

    def ask(i: int):
        got = store.ticket_for("main", "same-key", "ada", candidates, "bird-detection", i, 100.0 + i, f"t-{i}")
        with lock:
            issued.append(got[0])

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({(t.id, t.name, t.seed) for t in issued}) == 1 and issued[0].name == "Ada"
