"""`mlsim diagnose` flags: each fact a question states reaches the coach, and bad input is one sentence, exit 2.

The course's answers themselves are in tests/test_course_ladders.py; this file checks the command's own part:
parsing, what each flag changes, and the JSON contract (docs/design.md and the README).
"""

from __future__ import annotations

import json

import pytest

from sim.cli import main

MISMATCH = ["--human", "0", "--train", "1", "--train-dev", "1.5", "--dev", "10"]


def diagnose(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(["diagnose", *args])
    except SystemExit as exit_:  # argparse's own usage errors
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def as_json(capsys, *args: str) -> dict:
    code, out, err = diagnose(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def verdict(capsys, *args: str) -> dict:
    return as_json(capsys, *args)["verdict"]


def test_the_json_keeps_the_contract_shape_with_every_flag(capsys):
    data = as_json(capsys, *MISMATCH, "--test", "11", "--regularized", "yes", "--run-weeks", "2",
                   "--categories", "fog=0.5,night=0.2,mislabelled=0.1", "--dev-size", "5000", "--test-size", "5000",
                   "--train-dev-size", "5000", "--action", "synthesize_data kind=fog variety=high")
    assert set(data) == {"gaps", "problems", "primary", "missing", "advice", "verdict"}
    assert set(data["gaps"]) == {"avoidable_bias", "variance", "data_mismatch", "dev_overfitting"}
    assert set(data["verdict"]) == {"action", "verdict", "rule", "explanation"}
    assert data["verdict"]["verdict"] in {"aligned", "neutral", "misaligned"}
    assert "verdict" not in as_json(capsys, *MISMATCH)


def test_the_action_takes_the_choices_script_syntax_and_is_echoed_canonically(capsys):
    v = verdict(capsys, *MISMATCH, "--categories", "fog=0.5", "--action", "synthesize_data  variety=high kind=fog")
    assert v["action"] == "synthesize_data kind=fog variety=1"
    low = verdict(capsys, *MISMATCH, "--categories", "fog=0.5", "--action", "synthesize_data kind=fog variety=low")
    assert low["rule"] == "synthetic-data-coverage" and "10%" in low["explanation"]


def test_mismatched_without_a_train_dev_set_leaves_variance_and_mismatch_unknown(capsys):
    same = as_json(capsys, "--human", "0", "--train", "1", "--dev", "10")
    other = as_json(capsys, "--human", "0", "--train", "1", "--dev", "10", "--mismatched")
    assert same["gaps"]["variance"] == 9.0 and same["primary"] == "variance"
    assert other["gaps"]["variance"] is None and other["primary"] == "unknown" and other["missing"] == ["train_dev"]


def test_a_train_dev_reading_implies_mismatched_data(capsys):
    data = as_json(capsys, *MISMATCH)
    assert data["gaps"]["variance"] == 0.5 and data["gaps"]["data_mismatch"] == 8.5


def test_set_sizes_turn_a_gap_within_sampling_noise_into_no_problem(capsys):
    ladder = ["--human", "1", "--train", "1.1", "--dev", "3"]
    assert as_json(capsys, *ladder)["problems"] == ["variance"]
    assert as_json(capsys, *ladder, "--dev-size", "100")["problems"] == []
    assert as_json(capsys, *ladder, "--dev-size", "10,000")["problems"] == ["variance"]


def test_without_sizes_the_explanation_says_noise_was_taken_as_negligible(capsys):
    ladder = ["--human", "7.5", "--train", "8", "--dev", "10", "--action", "collect_more_data"]
    assert "sampling noise" in verdict(capsys, *ladder)["explanation"]
    assert "sampling noise" not in verdict(capsys, *ladder, "--dev-size", "10000")["explanation"]


@pytest.mark.parametrize("flag, assumed", [("unknown", True), ("yes", False), ("no", False)])
def test_regularized_says_when_it_was_assumed(capsys, flag, assumed):
    v = verdict(capsys, "--human", "1", "--train", "8", "--dev", "8.5", "--regularized", flag,
                "--action", "reduce_regularization")
    assert ("Assumed" in v["explanation"] and "regularised" in v["explanation"]) == assumed


def test_regularized_no_leaves_nothing_to_remove(capsys):
    no = verdict(capsys, "--human", "1", "--train", "8", "--dev", "8.5", "--regularized", "no",
                 "--action", "reduce_regularization")
    assert no["verdict"] == "neutral" and "no regularisation" in no["explanation"]


def test_run_weeks_decides_whether_the_loop_is_slow(capsys):
    ladder = ["--human", "1", "--train", "8", "--dev", "10", "--action", "faster_hardware"]
    assert verdict(capsys, *ladder, "--run-weeks", "2")["verdict"] == "aligned"
    assert verdict(capsys, *ladder, "--run-weeks", "1")["verdict"] == "neutral"
    assert verdict(capsys, *ladder)["verdict"] == "neutral"  # not given: not known to be slow


def test_categories_without_shares_are_suspected_not_counted(capsys):
    before = verdict(capsys, *MISMATCH, "--categories", "fog,night", "--action", "synthesize_data kind=fog variety=high")
    assert before["rule"] == "error-analysis-first"
    counted = verdict(capsys, *MISMATCH, "--categories", "fog=0.3,night=0.2", "--action",
                      "synthesize_data kind=fog variety=high")
    assert counted["rule"] != "error-analysis-first" and "30%" in counted["explanation"]
    again = verdict(capsys, *MISMATCH, "--categories", "fog=0.3", "--action", "error_analysis")
    assert again["verdict"] == "neutral"  # the table on screen is of this model: nothing new to count


def test_the_mislabelled_share_is_the_labels_column(capsys):
    big = verdict(capsys, *MISMATCH, "--categories", "fog=0.3,mislabelled=0.4", "--action", "clean_dev_test_labels")
    small = verdict(capsys, *MISMATCH, "--categories", "mislabelled=0.01", "--action", "clean_dev_test_labels")
    assert big["verdict"] == "aligned" and "40%" in big["explanation"]
    assert small["verdict"] == "misaligned"


def test_the_text_output_names_gaps_problems_and_primary(capsys):
    code, out, _ = diagnose(capsys, "--human", "0", "--train", "10", "--train-dev", "11", "--dev", "20",
                            "--action", "bigger_network")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Gaps: avoidable bias 10.00") and "data mismatch 9.00" in lines[0]
    assert lines[1] == "Problems: avoidable bias, data mismatch"
    assert lines[2] == "Primary: avoidable bias"
    assert lines[-1].startswith("bigger_network: ")


@pytest.mark.parametrize("args, says", [
    (["--regularized", "maybe"], "--regularized"),
    (["--categories", "Dog=0.1"], "category name"),
    (["--categories", "dog=43"], "0.43"),
    (["--categories", "dog=0.1,dog=0.2"], "twice"),
    (["--categories", "dog=0.1,,cat=0.2"], "empty"),
    (["--categories", "dog=0.1,cat"], "share"),
    (["--categories", ","], "at least one"),
    (["--categories", "dog="], "no share"),
    (["--categories", "mislabelled"], "mislabelled=0.06"),
    (["--categories", "dog=-0.1"], "between 0 and 1"),
    (["--run-weeks", "-1"], "negative"),
    (["--run-weeks", "two"], "not a number"),
    (["--dev-size", "0"], "whole number"),
    (["--dev-size", "10.5"], "whole number"),
    (["--test-size", "100"], "--test"),
    (["--dev", "nan"], "finite"),
    (["--action", "biger_network"], "did you mean 'bigger_network'"),
    (["--action", "answer b"], "not an answer"),
    (["--action", " "], "empty"),
    (["--action", "synthesize_data kind=fog"], "--categories"),
    (["--categories", "fog=0.5", "--action", "synthesize_data kind=rain"], "fog"),
    (["--categories", "fog=0.5", "--action", "bigger_network category=fog"], "does not fix"),
    (["--categories", "fog=0.5", "--action", "synthesize_data kind=fog variety=2"], "between 0 and 1"),
    (["--action", "bigger_network size=2"], "no parameter"),
])
def test_bad_input_is_one_sentence_and_exit_2(capsys, args, says):
    code, out, err = diagnose(capsys, *MISMATCH, *args)
    assert code == 2 and out == ""
    assert err.startswith("mlsim: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert says in err, err


@pytest.mark.parametrize("ladder, rule, says", [
    (["--train", "1.5", "--dev", "3"], "need-human-level", "before measuring human-level error"),
    (["--human", "1", "--train", "1.5", "--dev", "3", "--mismatched"], "train-dev-set", "before a train-dev set"),
])
def test_shipping_before_a_measurement_cites_the_rule_of_that_measurement(capsys, ladder, rule, says):
    judged = verdict(capsys, *ladder, "--action", "ship")
    assert judged["verdict"] == "neutral" and judged["rule"] == rule and says in judged["explanation"]


@pytest.mark.parametrize("ladder, gap", [
    (["--human", "1", "--train", "8", "--dev", "10"], "avoidable bias is 7.00 points"),
    (["--human", "1", "--train", "1.5", "--train-dev", "2", "--dev", "10"], "data mismatch is 8.00 points"),
    (["--human", "1", "--train", "1.2", "--dev", "6"], "variance is 4.80 points"),
])
def test_shipping_with_a_fix_clearly_worth_it_names_the_gap_that_fix_is_for(capsys, ladder, gap):
    judged = verdict(capsys, *ladder, "--action", "ship")
    assert judged["verdict"] == "misaligned" and gap in judged["explanation"]
    fixes = {"avoidable-bias": ("bigger network", "longer training", "architecture search", "optimiser"),
             "variance": ("regularisation", "training data", "augmentation", "architecture search"),
             "data-mismatch": ("data like dev/test", "synthetic data")}
    assert any(fix in judged["explanation"] for fix in fixes[judged["rule"]])  # the fix named serves that gap
