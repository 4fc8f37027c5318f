"""`mlsim lint`: built-in cases pass; a case nobody can win and a decision nobody reaches fail with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.coach.anti import AntiRulePolicy
from sim.coach.judge import judge_batch
from sim.coach.judge import MISALIGNED, Choice
from sim.game import Game, play_policy
from sim.game.engine import Engine, Moves
from sim.game.lint import lint
from sim.model import ACTION_IDS
from sim.scenario import load_case_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "lint"
BUILTIN = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))


def run_lint(capsys, *args: str) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("case_id", BUILTIN)
def test_builtin_cases_pass(capsys, case_id):
    code, out = run_lint(capsys, case_id, "--runs", "300", "--json")
    report = json.loads(out)
    assert code == 0, report["reasons"]
    assert report["ok"] and report["expert_beats_random"] >= 0.95
    assert report["unreached"] == {"decisions": [], "events": []}
    # The anti-rule player does worse than the expert on almost every seed.
    assert report["expert_beats_anti_rule"] >= 0.95


def test_an_unwinnable_case_fails_with_the_reason(capsys):
    code, out = run_lint(capsys, str(FIXTURES / "unwinnable.yaml"), "--runs", "200")
    assert code == 1
    assert "lint: following the rules does not pay: the expert beats the random player on 0.0% of seeds" in out
    assert "the expert ships a valid model on only 0% of seeds" in out


def test_a_decision_nobody_reaches_fails_with_its_name(capsys):
    code, out = run_lint(capsys, str(FIXTURES / "unreachable-decision.yaml"), "--runs", "200", "--json",
                         "--coherence-states", "0")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert report["unreached"]["decisions"] == ["year-end-review"]
    (reason,) = report["reasons"]  # following the rules does pay here: only the decision is wrong
    assert reason.startswith("decision 'year-end-review' is never reached in 200 seeds of any policy")
    assert "week 40" in reason


def test_report_shape_and_text(capsys):
    code, out = run_lint(capsys, "bird-detection", "--runs", "200", "--json")
    report = json.loads(out)
    assert set(report["policies"]) == {"expert", "random", "anti-rule"}
    for stats in report["policies"].values():
        assert set(stats) == {"win_rate", "score", "real_world_error", "weeks"}
        assert stats["score"]["p10"] <= stats["score"]["median"] <= stats["score"]["p90"]
    assert report["expert_path"]["choices"][-1] == "ship" and 0 < report["expert_path"]["share"] <= 1
    assert "early_stopping" in report["never_aligned_actions"]  # the coach never rewards it (orthogonalization)
    code, text = run_lint(capsys, "bird-detection", "--runs", "200")
    assert code == 0 and "lint: ok" in text and "Expert's typical path" in text


def test_lint_agrees_with_single_games_seed_by_seed(bird):
    """Lint's batch (forked engine, finished rows set aside) plays exactly the games a player would replay."""
    case, digest = bird
    report = lint(case, runs=1100)  # above the size at which finished rows are set aside
    for seed in (0, 7, 1099):
        for policy in ("expert", "random"):
            result = play_policy(Game(case, digest, seed), policy).result()
            lint_value = report.policies[policy].real_world[seed]
            assert result["final"]["real_world_error"] == pytest.approx(lint_value, abs=1e-4)


def test_anti_rule_policy_picks_misaligned_actions_where_it_can(bird):
    case, _ = bird
    seeds = np.arange(40)
    engine = Engine(case, seeds)
    policy = AntiRulePolicy(case, engine.truth.draws)
    checked = 0
    for _ in range(6):
        vis, pending = engine.visible(), engine.pending
        picks = policy(vis, case, pending, engine.turn)
        for d in np.unique(pending[pending >= 0]):  # decisions: a misaligned option
            assert all(case.decisions[d].options[o].verdict == "misaligned" for o in picks.option[pending == d])
        acting = np.flatnonzero((pending < 0) & ~engine.done)
        none, low = np.full(len(acting), -1), np.full(len(acting), 0.1)
        sub = vis.take(acting)
        table = np.stack([judge_batch(sub, case, Choice(a, none, low)).codes for a in case.actions], axis=1)
        chosen = np.array([list(case.actions).index(ACTION_IDS[c]) for c in picks.action[acting]], dtype=int)
        could = (table == MISALIGNED).any(axis=1)
        assert np.all(table[np.arange(len(acting)), chosen][could] == MISALIGNED)
        checked += int(could.sum())
        engine.step(Moves(picks.action, picks.option, picks.category, picks.variety))
    assert checked > 0


def test_lint_rejects_invalid_cases_and_bad_runs(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\n", encoding="utf-8")
    assert main(["lint", str(bad)]) == 1
    assert "missing key 'title'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["lint", "bird-detection", "--runs", "0"])
    assert exit_info.value.code == 2


def test_fixtures_are_valid_cases():
    """The fixtures fail lint for their reason, not because validate would reject them."""
    paths = sorted(FIXTURES.glob("*.yaml"))
    assert {p.name for p in paths} >= {"unwinnable.yaml", "unreachable-decision.yaml"}  # none missing, none skipped
    for path in paths:
        case, digest = load_case_file(path)  # raises CaseError, with the place, when a fixture is invalid
        assert case.id == path.stem and digest.startswith("sha256:")


def test_a_rule_claimed_but_never_cited_fails_with_its_shares(capsys):
    code, out = run_lint(capsys, str(FIXTURES / "teaches-unused.yaml"), "--runs", "200", "--json",
                         "--coherence-states", "0")
    report = json.loads(out)
    assert code == 1
    (reason,) = report["reasons"]
    assert reason.startswith("'transfer-learning' (in teaches) is cited on the expert's path in 0.0% of seeds and on "
                             "the random player's in 0.0%, below 20.0%")
    assert report["teaches"]["transfer-learning"]["expert"]["hits"] == 0
    cited = report["teaches"]["optimizing-satisficing"]["expert"]  # the metric decision comes first: always cited
    assert cited["hits"] == 200 and cited["share"] == 1.0 and cited["low"] < 1.0 == cited["high"]


def test_an_event_the_expert_rarely_sees_is_reported_with_its_rate(capsys):
    code, out = run_lint(capsys, str(FIXTURES / "late-event.yaml"), "--runs", "200", "--json", "--coherence-states", "0")
    report = json.loads(out)
    assert code == 1 and report["unreached"] == {"decisions": [], "events": []}  # some game sees it: not "never"
    expert = report["reach"]["expert"]["events"]["storm"]
    assert 0 < expert["share"] < 0.5
    random = report["reach"]["random"]["events"]["storm"]
    assert random["hits"] <= 200 and set(random) == {"hits", "share", "low", "high"}
    shown = f"{100 * expert['share']:.1f}%"
    assert f"event 'storm' is reached by the expert in only {shown} of seeds (needs 50.0%)" in " ".join(report["reasons"])
    assert any(r.startswith("decision 'inspector' is reached by the expert in only") and "waits for event 'storm'" in r
               for r in report["reasons"])


def test_chunks_change_nothing_but_memory(bird):
    """The same seeds played in chunks give the same figures as in one batch."""
    case, _ = bird
    whole = lint(case, runs=90, coherence_states=None)
    chunked = lint(case, runs=90, coherence_states=None, chunk=25)
    assert whole.as_json() == chunked.as_json()
    for name in whole.policies:
        assert np.array_equal(whole.policies[name].real_world, chunked.policies[name].real_world)


def test_progress_is_told_each_chunk_of_each_policy(bird):
    case, _ = bird
    calls = []
    lint(case, runs=50, coherence_states=None, chunk=20, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(i, 9) for i in range(1, 10)]  # 3 chunks × 3 policies


def test_an_answer_whose_verdict_the_model_contradicts_is_named_with_its_line(capsys, tmp_path):
    """Swap the verdicts of chest-xray's split: the shuffle (now 'aligned') ends in an unusable project, the
    users' films in dev/test (now 'misaligned') in a good one; lint says so, at each option's line."""
    text = (ROOT / "scenarios" / "chest-xray.yaml").read_text().replace("id: chest-xray", "id: chest-swapped", 1)
    head, split, rest = text.partition("  - id: split\n")
    body = rest.replace("        verdict: aligned\n        rule: put-target-data-in-dev-test\n        why: Dev and test aim",
                        "        verdict: misaligned\n        rule: put-target-data-in-dev-test\n        why: Dev and test aim", 1)
    body = body.replace("        verdict: misaligned\n        rule: put-target-data-in-dev-test\n        why: Only about",
                        "        verdict: aligned\n        rule: put-target-data-in-dev-test\n        why: Only about", 1)
    assert body != rest
    path = tmp_path / "chest-swapped.yaml"
    path.write_text(head + split + body)
    lines = path.read_text().splitlines()
    start = lines.index("  - id: split")
    line_a = next(i for i in range(start, len(lines)) if lines[i].strip() == "- id: a") + 1
    line_b = next(i for i in range(start, len(lines)) if lines[i].strip() == "- id: b") + 1
    code, out = run_lint(capsys, str(path), "--runs", "60", "--coherence-states", "40", "--json")
    report = json.loads(out)
    assert code == 1
    hurts = [r for r in report["reasons"] if "option 'b' is aligned, but the project ends worse" in r]
    wins = [r for r in report["reasons"] if "option 'a' is misaligned, but the project ends better" in r]
    assert hurts and hurts[0].startswith(f"{path}:{line_b}:")
    assert wins and wins[0].startswith(f"{path}:{line_a}:")
    assert report["options"]["split"]["a"]["verdict"] == "misaligned"


def test_a_threshold_the_expert_rarely_meets_is_named_with_its_line_and_what_moves_it(capsys, tmp_path):
    text = (ROOT / "scenarios" / "card-fraud.yaml").read_text().replace("id: card-fraud", "id: card-tight", 1)
    text = text.replace("{metric: false_declines, max: 0.5,", "{metric: false_declines, max: 0.1,")
    path = tmp_path / "card-tight.yaml"
    path.write_text(text)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "metric: false_declines, max: 0.1" in row)
    code, out = run_lint(capsys, str(path), "--runs", "100", "--coherence-states", "0", "--json")
    report = json.loads(out)
    assert code == 1
    (reason,) = [r for r in report["reasons"] if "threshold 'False declines (%)'" in r]
    assert reason.startswith(f"{path}:{line}:") and "≤ 0.1" in reason and "metrics[0]" in reason


def test_only_a_figure_on_the_right_side_of_its_bar_with_an_interval_across_it_is_measured_again():
    from sim.game.coherence import CoherenceReport, Figure
    from sim.game.lint import _near_a_bar

    def fig(name, hits, n, low, high, target):
        return Figure(name, hits, n, low, high, target, None)

    report = CoherenceReport("x", 1000, 3000, figures={
        "best_is_aligned": fig("best_is_aligned", 960, 1000, 0.945, 0.971, (">=", 0.95)),  # near: measure again
        "aligned_that_hurt": fig("aligned_that_hurt", 30, 1000, 0.021, 0.043, ("<=", 0.02)),  # clearly over: fails
        "misaligned_that_win": fig("misaligned_that_win", 18, 1000, 0.011, 0.028, ("<=", 0.02)),  # near
        "ceiling_breaches": fig("ceiling_breaches", 1, 1000, 0.0, 0.005, ("==", 0)),  # a count: never noise
    })
    assert _near_a_bar(report) == ["best_is_aligned", "misaligned_that_win"]


FLOOR_EFFECTS = "effects: {set: {level: 9, effort: 100, arch: 0.2, opt: 0.05, n_target: 10000000000}}"


def _lint_bird_copy(capsys, tmp_path, case_id: str, old: str, new: str) -> tuple[str, int, int, dict]:
    """bird-detection with one line replaced, linted briefly: (path, the line holding FLOOR_EFFECTS, exit code,
    report)."""
    text = (ROOT / "scenarios" / "bird-detection.yaml").read_text().replace("id: bird-detection", f"id: {case_id}", 1)
    assert old in text
    path = tmp_path / f"{case_id}.yaml"
    path.write_text(text.replace(old, new))
    line = next(i for i, row in enumerate(path.read_text().splitlines()) if FLOOR_EFFECTS in row) + 1
    code, out = run_lint(capsys, str(path), "--runs", "60", "--coherence-states", "40", "--json")
    return str(path), line, code, json.loads(out)


def test_an_answer_whose_effects_take_the_project_to_its_floor_is_named_at_its_effects_line(capsys, tmp_path):
    """Give bird-detection's 'split' option b effects that leave almost no error above Bayes (the best architecture
    and optimiser there is, a huge network trained to convergence on ten billion examples): lint names the line."""
    path, line, code, report = _lint_bird_copy(
        capsys, tmp_path, "bird-floor", "        effects: {set: {n_target: 240000, n_dev: 80000, n_test: 80000}}\n",
        f"        {FLOOR_EFFECTS}\n")
    floors = [r for r in report["reasons"] if "option 'b' takes dev error to its Bayes floor at once" in r]
    assert code == 1 and floors, report["reasons"]
    assert floors[0].startswith(f"{path}:{line}:")
    assert not any("Bayes floor at once" in r for r in report["reasons"] if "option 'b'" not in r)


def test_an_event_whose_effects_take_the_project_to_its_floor_is_named_at_its_effects_line(capsys, tmp_path):
    old = "    text: The city's birding club collected 40,000 labelled phone photos of birds and offers them to you.\n"
    path, line, code, report = _lint_bird_copy(capsys, tmp_path, "bird-gift", old, old + f"    {FLOOR_EFFECTS}\n")
    floors = [r for r in report["reasons"] if "event 'citizen-photos' takes dev error to its Bayes floor" in r]
    assert code == 1 and floors and floors[0].startswith(f"{path}:{line}:"), report["reasons"]
    assert not any("Bayes floor" in r for r in report["reasons"] if "citizen-photos" not in r)
