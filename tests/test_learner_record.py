"""The learner's record (`mlsim progress`, sim.game.record): per rule over the saved games, weakest first."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from sim.cli import main
from sim.game import Game
from sim.game.record import PlayedGame, learner_record

# Games that take the wrong knob for the gap on the screen: the decisions answered well, then two variance
# fixes in a row (seeds where bias leads break `variance` twice), and games that answer every decision badly.
VARIANCE_SLIP = ("measure_human_level", "add_regularization", "collect_more_data", "ship")
BAD_ANSWERS = ("measure_human_level", "bigger_network", "ship")


def _play(case, digest, seed: int, plan, option: int) -> Game:
    game = Game(case, digest, seed)
    for choice in plan:
        while not game.finished and game.pending_decision is not None:
            game.choose(f"answer {game.pending_decision.options[option].id}")
        if game.finished:
            break
        game.choose(choice)
    while not game.finished:
        decision = game.pending_decision
        game.choose(f"answer {decision.options[option].id}" if decision else "ship")
    return game


@pytest.fixture(scope="module")
def twenty(bird):
    case, digest = bird
    games = [_play(case, digest, seed, VARIANCE_SLIP, 0) for seed in range(14)]
    games += [_play(case, digest, seed, BAD_ANSWERS, -1) for seed in range(14, 20)]
    return [json.loads(json.dumps(g.result())) for g in games], games


def _save_all(results, games):
    """Half on the local board, half as finished replay logs; one game in both (it must count once)."""
    from sim.board.local import LocalBoard
    from sim.game.replay import ReplayLog
    from sim.game.saves import new_save_path

    board = LocalBoard.open()
    try:
        for result in results[:10]:
            board.save(result, "Ada")
    finally:
        board.close()
    for result, game in zip(results[9:], games[9:]):
        log = ReplayLog.start(new_save_path(game.case.id, game.seed), game, "bird-detection")
        log.finish(result)


def test_progress_over_twenty_saved_games_names_the_rule_they_broke_most(twenty, capsys):
    results, games = twenty
    _save_all(results, games)
    broken = Counter(t["rule"] for r in results for t in r["turns"] if t["verdict"] == "misaligned")
    (most, n), (_, runner_up) = broken.most_common(2)
    assert n > runner_up  # the games are built so one rule leads; else the test could not tell

    assert main(["progress", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["games"] == 20  # the game on the board and in a log counts once
    assert record["weakest"][0] == most
    assert set(record["weakest"]) == set(broken)
    first = record["rules"][0]
    assert first["rule"] == most and first["misaligned"] == n and len(first["broken_by_game"]) == first["games"]
    from sim.scenario import load

    assert most in load(first["teach"])[0].teaches  # the case named to practise it teaches it

    assert main(["progress"]) == 0
    text = capsys.readouterr().out
    assert f"1. {most}: broken {n} of" in text and "20 finished games" in text


def test_progress_with_no_games_says_how_to_get_a_record(capsys):
    assert main(["progress"]) == 0
    assert "No finished games yet" in capsys.readouterr().out
    assert main(["progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"games": 0, "weakest": [], "rules": []}


def test_a_damaged_log_is_skipped_not_fatal(capsys, isolated_home):
    folder = isolated_home / "saves"
    folder.mkdir(parents=True)
    (folder / "bad.jsonl").write_text('{"format": 1\n{"result": ', encoding="utf-8")
    assert main(["progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["games"] == 0


def _game(when: str, *verdicts: str, rule: str = "variance") -> PlayedGame:
    return PlayedGame(when, {"turns": [{"rule": rule, "verdict": v} for v in verdicts]})


def test_the_trend_reads_games_oldest_first():
    improving = [_game("2026-01-0%dT00:00:00Z" % d, v) for d, v in
                 ((4, "aligned"), (1, "misaligned"), (3, "aligned"), (2, "misaligned"))]
    (rule,) = learner_record(improving).rules
    assert rule.broken_by_game == (True, True, False, False) and rule.trend == "better"
    worsening = [_game(g.when, *("aligned" if v["verdict"] == "misaligned" else "misaligned" for v in g.result["turns"]))
                 for g in improving]
    assert learner_record(worsening).rules[0].trend == "worse"


def test_weakest_first_by_times_broken_then_share_and_unknown_rules_ignored():
    games = [_game("a", "misaligned", "misaligned", "aligned", rule="variance"),
             _game("b", "misaligned", "misaligned", rule="avoidable-bias"),
             _game("c", "misaligned", rule="need-human-level"), _game("d", "aligned", rule="split-size"),
             _game("e", "misaligned", rule="no-such-rule")]
    record = learner_record(games)
    assert [r.rule for r in record.weakest] == ["avoidable-bias", "variance", "need-human-level"]
    assert [r.rule for r in record.rules][-1] == "split-size" and record.games == 5
