"""What if (sim.game.whatif, `mlsim whatif`): each alternative is exactly a separate play of the same prefix, that
alternative and the expert finishing; a known mistake is outranked by an aligned choice."""

from __future__ import annotations

import io
import json
import sys

import pytest

from sim.cli import main
from sim.game import Game, play_policy

SEED = 5
MISTAKE = "add_regularization"  # a variance fix, taken where the expert attacks bias


def _cli(capsys, monkeypatch, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8"))))
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse's usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def mistaken(bird):
    """An expert's game up to its first bias fix, the mistake there instead, then the expert again: on the first
    seed from SEED on where the coach calls the mistake misaligned there (the premise of these tests)."""
    case, digest = bird
    for seed in range(SEED, SEED + 40):
        expert = play_policy(Game(case, digest, seed), "expert")
        bias = next((i for i, t in enumerate(expert.turns) if t.rule == "avoidable-bias" and t.verdict == "aligned"
                     and not t.choice.startswith("answer")), None)
        if bias is None:
            continue
        game = Game(case, digest, seed)
        for choice in expert.choices[:bias]:
            game.choose(choice)
        game.choose(MISTAKE)
        if game.turns[-1].verdict == "misaligned":
            play_policy(game, "expert")
            return json.loads(json.dumps(game.result())), bias + 1, seed
    pytest.fail(f"no seed from {SEED} on where {MISTAKE} at the expert's first bias fix is misaligned")

def test_the_mistake_is_outranked_by_an_aligned_choice_and_each_row_is_a_separate_play(mistaken, capsys,
                                                                                     monkeypatch, tmp_path):
    result, k, seed = mistaken
    path = tmp_path / "result.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    code, out, err = _cli(capsys, monkeypatch, "whatif", str(path), "--json")
    assert code == 0, err
    whatif = json.loads(out)
    turn = next(t for t in whatif["turns"] if t["index"] == k)
    assert turn["choice"] == MISTAKE and turn["yours"]["verdict"] == "misaligned"
    alternatives = turn["alternatives"]
    own = next(a for a in alternatives if a["chosen"])
    assert own["choice"] == MISTAKE and alternatives[0]["choice"] == turn["best"]

    def key(a):
        return -a["total"], a["real_world_error"], a["weeks_used"]

    aligned = [a for a in alternatives if a["verdict"] == "aligned"]
    assert aligned and key(min(aligned, key=key)) < key(own)  # an aligned alternative ranks above the mistake
    assert [key(a) for a in alternatives] == sorted(key(a) for a in alternatives)  # best first

    prefix = result["choices"][: k - 1]
    for alternative in alternatives:
        script = "\n".join(prefix + [alternative["choice"]]) + "\n"
        code, out, err = _cli(capsys, monkeypatch, "play", "bird-detection", "--headless", "--choices", "-",
                              "--then", "expert", "--seed", str(seed), "--json", stdin=script)
        assert code == 0, (alternative["choice"], err)
        played = json.loads(out)
        final = played["final"]
        assert json.dumps(final["real_world_error"]) == json.dumps(alternative["real_world_error"]), alternative
        assert (final["weeks_used"], played["score"]["total"]) == (alternative["weeks_used"], alternative["total"])
        assert played["turns"][k - 1]["verdict"] == alternative["verdict"]


def test_one_turn_in_text_marks_the_best_and_yours(mistaken, capsys, monkeypatch):
    result, k, _ = mistaken
    code, out, err = _cli(capsys, monkeypatch, "whatif", "-", "--turn", str(k), stdin=json.dumps(result))
    assert code == 0, err
    assert "★" in out and "▸" in out and MISTAKE in out


@pytest.mark.parametrize("args, stdin, exit_code, says", [
    (["whatif", "-"], "not json", 1, "JSON"),
    (["whatif", "/no/such/file.json"], None, 1, "/no/such/file.json"),
    (["whatif", "-", "--turn", "0"], "{}", 2, "numbered from 1"),
    (["whatif", "-"], '{"case": "bird-detection", "seed": -1, "choices": ["ship"]}', 1, "0 to 2^63-1"),
    (["whatif", "-"], '{"case": "bird-detection", "seed": 1000000000000000000000000000000, "choices": []}', 1,
     "0 to 2^63-1"),
])
def test_bad_input_is_one_sentence_and_the_right_exit_code(capsys, monkeypatch, args, stdin, exit_code, says):
    code, out, err = _cli(capsys, monkeypatch, *args, stdin=stdin)
    assert code == exit_code and says in err and "Traceback" not in err


def test_a_finished_saved_game_is_read_and_an_unfinished_one_is_one_sentence(capsys, monkeypatch, tmp_path, bird):
    """The TUI's own save (a .jsonl replay log) gives the same what-if as its result record."""
    from sim.game.replay import ReplayLog

    case, digest = bird
    path = tmp_path / "game.jsonl"
    game = Game(case, digest, 5)
    log = ReplayLog.start(path, game, "bird-detection")
    for choice in ("answer a", "answer a", "measure_human_level", "answer a"):
        game.choose(choice)
        log.append(choice)
    code, _, err = _cli(capsys, monkeypatch, "whatif", str(path))
    assert code == 1 and "has not ended yet" in err and "Traceback" not in err
    game.choose("ship")
    log.append("ship")
    log.finish(game.result())
    code, out, err = _cli(capsys, monkeypatch, "whatif", str(path), "--json")
    assert code == 0, err
    code, expected, _ = _cli(capsys, monkeypatch, "whatif", "-", "--json", stdin=json.dumps(game.result()))
    assert json.loads(out) == json.loads(expected) and json.loads(out)["turns"]
