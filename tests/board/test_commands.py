"""`mlsim play --headless --save/--workshop`, `mlsim leaderboard` and `mlsim workshop send` as users type them."""

from __future__ import annotations

import pytest

import csv
import io
import json
import socket

from sim.cli import main
from tests.board.conftest import short_game


@pytest.fixture
def dead_url():
    """A workshop URL whose port refuses connections for the whole test (bound, never listening)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{s.getsockname()[1]}/?code=ABC234"


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
                               "date", "result_id", "id", "practice"}
    assert main(["leaderboard", "--csv", "--case", "bird-detection"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:4] == ["rank", "name", "case", "total"] and len(rows) == 3
    assert main(["leaderboard"]) == 0
    table = capsys.readouterr().out
    assert "Ada" in table and "bird-detection" in table
    assert main(["leaderboard", "--case", "cat-app"]) == 0
    assert "No results yet for cat-app" in capsys.readouterr().out
    assert main(["leaderboard", "--case", "no-such-case"]) == 1
    assert "no case with this id" in capsys.readouterr().err


def test_workshop_needs_a_name_and_a_url_with_a_code_and_no_seed(capsys, dead_url):
    assert main(["play", "bird-detection", "--headless", "--policy", "expert", "--workshop", dead_url]) == 2
    assert "--name" in capsys.readouterr().err
    assert main(["play", "bird-detection", "--headless", "--policy", "expert", "--name", "A",
                 "--workshop", "http://127.0.0.1:8765/"]) == 2
    assert "join code" in capsys.readouterr().err
    for ui in ([], ["--headless", "--policy", "expert"]):
        assert main(["play", "bird-detection", *ui, "--seed", "3", "--name", "A", "--workshop", dead_url]) == 2
        assert "--seed does not go with --workshop" in capsys.readouterr().err


def test_an_unreachable_workshop_at_the_start_means_the_game_does_not_count(capsys, isolated_home, dead_url):
    assert main(["play", "bird-detection", "--headless", "--policy", "random", "--name", "Ada",
                 "--workshop", dead_url]) == 1
    out = capsys.readouterr().out
    assert "could not be reached" in out and "will not count on the workshop board unless a ticket can be had" in out
    assert "does not count" in out
    assert not list((isolated_home / "outbox").glob("*.json"))
    assert main(["workshop", "send"]) == 0
    assert "empty" in capsys.readouterr().out


def test_play_fetches_a_ticket_plays_its_seed_and_sends_the_result(capsys, tmp_path, isolated_home, servers):
    from sim.board.client import fetch_ticket
    from sim.game import Game
    from sim.scenario import load

    server = servers(tmp_path / "w.sqlite3", tmp_path / "server.log", env={"MLSIM_HOME": str(isolated_home)})
    ticket = fetch_ticket(server.url, "Ada", "bird-detection").ticket  # what the play command will get too
    case, digest = load("bird-detection")
    script = tmp_path / "moves.txt"
    script.write_text("\n".join(short_game(Game(case, digest, ticket["seed"]), 1).choices) + "\n")
    args = ["play", "bird-detection", "--headless", "--choices", str(script), "--name", "Ada", "--workshop", server.url]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"Workshop ticket for Ada on bird-detection: seed {ticket['seed']}" in out
    assert f"seed {ticket['seed']}" in out.splitlines()[1] and "Sent to the workshop: Ada, rank 1" in out
    assert main(args) == 0
    assert "Already on the workshop board: Ada" in capsys.readouterr().out
    assert main(["play", "bird-detection", "--headless", "--policy", "expert", "--name", "Bot",
                 "--workshop", server.url]) == 1
    assert "not a learner's game" in capsys.readouterr().out
    assert main(["play", "bird-detection", "--headless", "--choices", str(script), "--name", "Ada",
                 "--workshop", server.url.replace("BIRDS7", "WRONG9")]) == 1
    assert "wrong join code" in capsys.readouterr().err


def test_workshop_without_action_and_bad_options_are_usage_errors(capsys):
    assert main(["workshop"]) == 2
    for bad in (["--port", "99999"], ["--min-play-seconds", "nan"], ["--names", "shuffle"], ["--room-seed", "-1"]):
        with pytest.raises(SystemExit) as exit_:
            main(["workshop", "serve", *bad])
        assert exit_.value.code == 2
        assert "mlsim:" in capsys.readouterr().err
