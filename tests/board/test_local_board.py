"""The local board: re-plays before storing, ranks with the tie rules, migrates, and survives several writers."""

from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from sim.board.local import LocalBoard, ResultRejected
from sim.board.names import MAX_NAME, clean_name, skeleton
from sim.board.sqlite_store import MIGRATIONS, SCHEMA_VERSION, SQLiteStore
from sim.board.verify import Verified


def _verified(rid: str, total: int, real: float, weeks: float, case: str = "bird-detection") -> Verified:
    return Verified(rid, case, "sha256:x", 1, total, 0, total, real, weeks, {"id": rid})


def test_save_stores_the_replayed_score_once(honest_results, isolated_home):
    board = LocalBoard.open()
    result = honest_results[0]
    entry = board.save(result, "  Ada  ")
    again = board.save(result, "someone else")
    assert (entry.name, entry.total, entry.real_world_error) == ("Ada", result["score"]["total"],
                                                                 result["final"]["real_world_error"])
    assert again == entry
    assert [e.result_id for e in board.entries()] == [result["id"]]
    assert (isolated_home / "board.sqlite3").exists()
    assert board.best_total("bird-detection") == entry.total
    assert board.best_total("cat-app") is None


@pytest.mark.parametrize("tamper, words", [
    (lambda r: r["score"].update(total=r["score"]["total"] + 50), "score"),
    (lambda r: r["score"].update(strategy=r["score"]["strategy"] + 10, total=r["score"]["total"] + 10), "score"),
    (lambda r: r["final"]["ladder"].update(dev=0.01), "ladder"),
    (lambda r: r["final"].update(real_world_error=0.01), "real-world"),
    (lambda r: r.update(seed=r["seed"] + 1), "id"),
    (lambda r: r.update(case_hash="sha256:" + "0" * 64), "unknown case hash"),
    (lambda r: r.update(case="no-such-case"), "unknown case"),
    (lambda r: r.update(choices=r["choices"][:-1]), "not ended"),
    (lambda r: r.update(choices=r["choices"] + ["ship"]), "re-played"),
    (lambda r: r.update(seed="7"), "seed"),
    (lambda r: r["final"]["ladder"].update(dev=10**400), "ladder"),
    (lambda r: r["score"].update(total=True), "score"),
])
def test_tampered_results_are_refused_with_a_sentence(honest_results, tamper, words):
    result = copy.deepcopy(honest_results[0])
    tamper(result)
    with pytest.raises(ResultRejected, match=words):
        LocalBoard.open().save(result, "Mallory")
    assert LocalBoard.open().entries() == []


@pytest.mark.parametrize("model, words", [(None, "an older model"), (1, "model 1"), (99, "model 99")])
def test_a_result_of_another_model_version_is_refused_as_such_not_as_tampered(honest_results, model, words):
    result = copy.deepcopy(honest_results[0])
    result.pop("model") if model is None else result.update(model=model)
    with pytest.raises(ResultRejected) as err:
        LocalBoard.open().save(result, "Old")
    assert "another version of the simulator" in str(err.value) and words in str(err.value)
    assert "match" not in str(err.value)


def test_an_unfinished_game_is_refused(honest_results):
    result = copy.deepcopy(honest_results[0])
    result["choices"] = result["choices"][:1]
    from sim.game import result_id

    result["id"] = result_id(result["case_hash"], result["seed"], result["choices"])
    with pytest.raises(ResultRejected, match="not ended"):
        LocalBoard.open().save(result, "Quick")


def test_ranking_ties_lower_real_world_error_then_fewer_weeks_then_earlier(tmp_path):
    store = SQLiteStore(tmp_path / "b.sqlite3")
    for v in [_verified("late-tie", 100, 1.0, 10), _verified("low", 50, 0.1, 1), _verified("fewer-weeks", 100, 1.0, 9),
              _verified("better-real", 100, 0.9, 30), _verified("top", 120, 3.0, 40), _verified("early-tie", 100, 1.0, 10)]:
        store.add(v, v.result_id)
    ranked = store.entries()
    assert [e.result_id for e in ranked] == ["top", "better-real", "fewer-weeks", "late-tie", "early-tie", "low"]
    assert [e.rank for e in ranked] == [1, 2, 3, 4, 5, 6]


def test_ranks_are_per_case(tmp_path):
    store = SQLiteStore(tmp_path / "b.sqlite3")
    store.add(_verified("a", 10, 1, 1, case="cat-app"), "a")
    store.add(_verified("b", 20, 1, 1), "b")
    store.add(_verified("c", 30, 1, 1), "c")
    assert [(e.case, e.rank, e.result_id) for e in store.entries()] == [
        ("bird-detection", 1, "c"), ("bird-detection", 2, "b"), ("cat-app", 1, "a")]
    assert [e.result_id for e in store.entries("cat-app")] == ["a"]


def test_a_board_file_of_schema_1_is_migrated_with_its_rows(tmp_path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + "CREATE TABLE schema_version (version INTEGER NOT NULL);"
                     "INSERT INTO schema_version VALUES (1);")
    db.execute("INSERT INTO results (result_id, name, case_id, case_hash, seed, total, strategy, outcome,"
               " real_world_error, weeks, submitted_at, record) VALUES ('r1', 'Ada', 'bird-detection', 'h', 1, 90, 50,"
               " 40, 1.5, 20, '2026-01-01T10:00:00.000000Z', '{}')")
    db.commit()
    db.close()
    store = SQLiteStore(path)
    assert [(e.name, e.total, e.rank) for e in store.entries()] == [("Ada", 90, 1)]
    store.add(_verified("r1", 90, 1.5, 20), "again")  # still one entry per result id on a local board
    assert store.count() == 1


def test_the_board_file_is_private_to_its_owner(tmp_path):
    path = tmp_path / "b.sqlite3"
    path.touch(mode=0o644)
    store = SQLiteStore(path)
    store.add(_verified("a", 10, 1, 1), "a")
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        assert p.stat().st_mode & 0o777 == 0o600, p


def test_schema_version_is_recorded_and_a_newer_file_is_refused(tmp_path):
    path = tmp_path / "b.sqlite3"
    SQLiteStore(path).add(_verified("a", 10, 1, 1), "a")
    reopened = SQLiteStore(path)  # migrating again is a no-op and keeps the rows
    assert [e.result_id for e in reopened.entries()] == ["a"]
    db = sqlite3.connect(path)
    assert db.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(sqlite3.DatabaseError, match="newer mlsim"):
        SQLiteStore(path)


def test_names_are_trimmed_limited_and_free_of_control_characters():
    assert clean_name("  Ada \t Lovelace\n") == "Ada Lovelace"
    assert clean_name("Jose\u0301") == clean_name("Jos\u00e9") == "Jos\u00e9"  # NFC: one name however typed
    assert len(clean_name("Z" + "\u0301" * 40)) == 3  # a stack of accents is cut to two
    assert clean_name("ev\x00il\x1b[31m\u202eman") == "evil[31mman"
    assert clean_name("x" * 100) == "x" * MAX_NAME
    assert clean_name("\x00\u200b ") == ""
    assert clean_name(None) == ""
    assert clean_name("<script>alert(1)</script>") == "<script>alert(1)</script>"  # escaping is the page's job


@pytest.mark.parametrize("a, b", [("Ada", "\u0410da"), ("Ada", "ADA"), ("Maria", "\uff2d\uff41\uff52\uff49\uff41"),
                                  ("Bill", "BiII"), ("Jos\u00e9", "Jose\u0301")])
def test_look_alike_names_share_a_skeleton(a, b):
    assert skeleton(clean_name(a)) == skeleton(clean_name(b))


@pytest.mark.parametrize("a, b", [("Ada", "Ida"), ("Jos\u00e9", "Jose"), ("Ivan", "\u0418van")])
def test_different_names_keep_different_skeletons(a, b):
    assert skeleton(clean_name(a)) != skeleton(clean_name(b))


def test_several_processes_saving_at_once_lose_nothing(honest_results, tmp_path):
    """4 processes save overlapping slices at the same moment: no 'database is locked', every result once."""
    results = honest_results[:16]
    data = tmp_path / "results.json"
    data.write_text(json.dumps(results))
    db = tmp_path / "shared.sqlite3"
    script = textwrap.dedent(f"""
        import json, sys
        from sim.board.local import LocalBoard
        results = json.load(open({str(data)!r}))
        worker = int(sys.argv[1])
        board = LocalBoard.open(__import__("pathlib").Path({str(db)!r}))
        # overlapping slices: every result is saved by two processes
        for r in results[worker * 4:] + results[:worker * 4]:
            if results.index(r) // 4 in (worker, (worker + 1) % 4):
                board.save(r, f"p{{worker}}")
        print("ok")
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script, str(w)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for w in range(4)]
    outputs = [p.communicate(timeout=120) for p in procs]
    for (out, err), proc in zip(outputs, procs):
        assert proc.returncode == 0, err
        assert "locked" not in err
        assert out.strip() == "ok"
    stored = LocalBoard.open(db).entries()
    assert sorted(e.result_id for e in stored) == sorted(r["id"] for r in results)
