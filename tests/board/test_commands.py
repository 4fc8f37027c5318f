"""`mlsim play --headless --save/--workshop`, `mlsim leaderboard` and `mlsim workshop send` as users type them."""

from __future__ import annotations

import pytest

import csv
import io
import json
import socket

from sim.cli import main


def _dead_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/?code=ABC234"


def test_save_then_leaderboard_as_table_json_and_csv(capsys):
    assert main(["play", "bird-detection", "--headless", "--policy", "expert", "--seed", "3", "--save", "Ada"]) == 0
    assert "Saved on the local leaderboard as Ada: rank 1" in capsys.readouterr().out
    assert main(["play", "bird-detection", "--headless", "--policy", "random", "--seed", "3", "--json",
                 "--save", "Bo"]) == 0
    out = capsys.readouterr()
    assert json.loads(out.out)["seed"] == 3  # stdout stays pure JSON; the board message goes to stderr
    assert "Saved on the local leaderboard as Bo" in out.err
    assert main(["leaderboard", "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)["entries"]
    assert [e["name"] for e in entries] == ["Ada", "Bo"] and [e["rank"] for e in entries] == [1, 2]
    assert set(entries[0]) == {"rank", "name", "case", "total", "strategy", "outcome", "real_world_error", "weeks",
                               "date", "result_id"}
    assert main(["leaderboard", "--csv", "--case", "bird-detection"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:4] == ["rank", "name", "case", "total"] and len(rows) == 3
    assert main(["leaderboard"]) == 0
    table = capsys.readouterr().out
    assert "Ada" in table and "bird-detection" in table
    assert main(["leaderboard", "--case", "cat-app"]) == 0
    assert "No results yet for cat-app" in capsys.readouterr().out


def test_workshop_needs_a_name_and_a_url_with_a_code(capsys):
    assert main(["play", "bird-detection", "--headless", "--policy", "expert", "--workshop", _dead_url()]) == 2
    assert "--name" in capsys.readouterr().err
    assert main(["play", "bird-detection", "--headless", "--policy", "expert", "--name", "A",
                 "--workshop", "http://127.0.0.1:8765/"]) == 2
    assert "join code" in capsys.readouterr().err


def test_unreachable_workshop_queues_in_the_outbox_and_says_so(capsys, isolated_home):
    url = _dead_url()
    assert main(["play", "bird-detection", "--headless", "--policy", "expert", "--name", "Ada",
                 "--workshop", url]) == 0
    out = capsys.readouterr().out
    assert "could not be reached" in out and "outbox" in out
    assert len(list((isolated_home / "outbox").glob("*.json"))) == 1
    assert main(["workshop", "send"]) == 1  # still unreachable: it keeps waiting
    assert "could not be reached" in capsys.readouterr().out
    assert len(list((isolated_home / "outbox").glob("*.json"))) == 1


def test_workshop_without_action_and_bad_port_are_usage_errors(capsys):
    assert main(["workshop"]) == 2
    with pytest.raises(SystemExit) as exit_:
        main(["workshop", "serve", "--port", "99999"])
    assert exit_.value.code == 2
    assert "port" in capsys.readouterr().err
