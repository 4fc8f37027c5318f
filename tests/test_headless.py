"""Whole games played headless through the `mlsim` command: the acceptance criteria of the core."""

from __future__ import annotations

import io
import itertools
import json
import re
import subprocess
import sys

import pytest

from sim.cli import main
from sim.rules import RULE_IDS

SEEDS = range(1, 51)
GAP_RULES = {"avoidable-bias", "variance", "data-mismatch", "need-human-level", "surpassing-human", "train-dev-set"}


def play(capsys, monkeypatch, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8"))))
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def results():
    """Expert and random results for seeds 1-50, through the command's own code path."""
    import contextlib

    out = {}
    for policy in ("expert", "random"):
        for seed in SEEDS:
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                code = main(["play", "bird-detection", "--headless", "--policy", policy, "--seed", str(seed), "--json"])
            assert code == 0
            out[policy, seed] = json.loads(buffer.getvalue())
    return out


def test_the_expert_beats_random_on_every_seed_and_ships_better_models(results):
    lower = 0
    for seed in SEEDS:
        expert, rand = results["expert", seed], results["random", seed]
        assert expert["score"]["total"] > rand["score"]["total"], seed
        lower += expert["final"]["real_world_error"] < rand["final"]["real_world_error"]
    assert lower >= 45


def test_every_turn_has_a_verdict_a_rule_and_an_explanation_with_visible_numbers(results):
    for (policy, seed), result in results.items():
        assert result["final"]["shipped"] or policy == "random"
        for turn in result["turns"]:
            assert turn["verdict"] in {"aligned", "neutral", "misaligned"}
            assert turn["rule"] in RULE_IDS
            assert len(turn["explanation"]) > 20
        for turn in result["turns"]:
            if turn["choice"].startswith("answer"):
                continue
            assert any(ch.isdigit() for ch in turn["explanation"]), turn
            if turn["rule"] in GAP_RULES:
                # A verdict about gaps quotes a rung or a gap the player could see when choosing.
                seen = [v for v in turn["ladder"].values() if v is not None]
                readings = seen + [abs(a - b) for a, b in itertools.combinations(seen, 2)]
                quoted = [float(x) for x in re.findall(r"\d+\.\d+", turn["explanation"])]
                assert any(abs(q - r) <= 0.051 for q in quoted for r in readings), turn


def test_the_result_record_has_the_contract_shape(results):
    result = results["expert", 7]
    assert set(result) >= {"format", "id", "case", "case_hash", "seed", "choices", "turns", "final", "score"}
    assert result["case"] == "bird-detection" and result["case_hash"].startswith("sha256:")
    assert set(result["final"]) >= {"ladder", "real_world_error", "weeks_used", "constraints_met"}
    assert set(result["final"]["ladder"]) == {"human", "train", "train_dev", "dev", "test"}
    assert result["score"]["total"] == result["score"]["strategy"] + result["score"]["outcome"]
    assert result["final"]["weeks_used"] <= 52


@pytest.mark.parametrize("policy,seed", [("expert", 3), ("random", 11), ("random", 29)])
def test_feeding_the_choices_back_reproduces_the_result(results, capsys, monkeypatch, policy, seed):
    original = results[policy, seed]
    script = "# replay\n" + "\n".join(original["choices"]) + "\n"
    code, out, _ = play(capsys, monkeypatch, "play", "bird-detection", "--headless", "--choices", "-",
                        "--seed", str(seed), "--json", stdin=script)
    assert code == 0
    assert json.loads(out) == original


def test_the_same_seed_gives_byte_identical_output_from_separate_processes():
    cmd = [sys.executable, "-m", "sim", "play", "bird-detection", "--headless", "--policy", "random", "--seed", "5",
           "--json"]
    first = subprocess.run(cmd, capture_output=True, check=True).stdout
    second = subprocess.run(cmd, capture_output=True, check=True).stdout
    assert first == second and first.startswith(b"{")


def test_a_bad_choice_is_reported_with_its_line_and_exit_1(capsys, monkeypatch, tmp_path):
    script = tmp_path / "moves.txt"
    script.write_text("answer a\nanswer a\nbigger_netwrok\n")
    code, _, err = play(capsys, monkeypatch, "play", "bird-detection", "--headless", "--choices", str(script))
    assert code == 1
    assert f"{script}:3:" in err and "bigger_network" in err and "Traceback" not in err


def test_a_script_that_stops_before_shipping_says_so(capsys, monkeypatch):
    code, _, err = play(capsys, monkeypatch, "play", "bird-detection", "--headless", "--choices", "-", stdin="answer a\n")
    assert code == 1 and "ship" in err


def test_an_action_while_a_decision_waits_is_refused(capsys, monkeypatch):
    code, _, err = play(capsys, monkeypatch, "play", "bird-detection", "--headless", "--choices", "-",
                        stdin="bigger_network\n")
    assert code == 1 and "<stdin>:1:" in err and "answer" in err


@pytest.mark.parametrize("args, code", [
    (["play", "no-such-case", "--headless", "--policy", "expert"], 1),
    (["play", "bird-detection", "--headless"], 2),
    (["play", "bird-detection", "--headless", "--policy", "clever"], 2),
    (["play", "bird-detection", "--headless", "--policy", "expert", "--seed", "-3"], 2),
    (["diagnose", "--train", "8"], 2),
    (["diagnose", "--train", "8", "--dev", "ten"], 2),
    (["diagnose", "--train", "8", "--dev", "101"], 2),
    (["diagnose", "--train", "8", "--dev", "10", "--action", "biger_network"], 2),
    (["frobnicate"], 2),
])
def test_bad_input_is_one_sentence_and_the_right_exit_code(capsys, monkeypatch, args, code):
    try:
        got, _, err = play(capsys, monkeypatch, *args)
    except SystemExit as exit_:
        got, err = exit_.code, capsys.readouterr().err
    assert got == code
    assert "Traceback" not in err and err.strip().count("\n") == 0
    assert err.startswith("mlsim: ") if code == 2 else err.split(":", 1)[0] in {"mlsim", "no-such-case"}


def test_diagnose_json_matches_the_contract(capsys, monkeypatch):
    code, out, _ = play(capsys, monkeypatch, "diagnose", "--human", "1", "--train", "8", "--dev", "10",
                        "--action", "bigger_network", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["gaps"] == {"avoidable_bias": 7.0, "variance": 2.0, "data_mismatch": None, "dev_overfitting": None}
    assert data["primary"] == "avoidable_bias" and data["problems"] == ["avoidable_bias"] and data["missing"] == []
    assert data["verdict"]["verdict"] == "aligned" and data["verdict"]["rule"] == "avoidable-bias"
    assert all(set(a) == {"rule", "text"} for a in data["advice"])


def test_scenarios_lists_the_built_in_cases(capsys, monkeypatch):
    code, out, _ = play(capsys, monkeypatch, "scenarios", "--json")
    ids = [c["id"] for c in json.loads(out)["cases"]]
    assert code == 0 and "bird-detection" in ids
